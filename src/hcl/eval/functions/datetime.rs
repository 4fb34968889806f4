//! Date and time functions: formatdate, timeadd, timecmp. `timestamp` and `plantimestamp` are
//! impure (unknown).

use super::{arity, str_arg, FnResult};
use crate::model::Value;
use chrono::{DateTime, Datelike, FixedOffset, SecondsFormat, Timelike};

fn parse_ts(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s).map_err(|_| format!("not a valid RFC3339 timestamp: {s:?}"))
}

pub fn formatdate(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let spec = str_arg(a, 0)?;
    let t = parse_ts(&str_arg(a, 1)?)?;
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            // A quoted literal, in which '' stands for one quote.
            i += 1;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('\''), Some('\'')) => {
                        out.push('\'');
                        i += 2;
                    }
                    (Some('\''), _) => {
                        i += 1;
                        break;
                    }
                    (Some(c), _) => {
                        out.push(*c);
                        i += 1;
                    }
                    (None, _) => return Err("unterminated literal '".into()),
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let tok: String = std::iter::repeat_n(c, n).collect();
        let off = t.offset().local_minus_utc();
        let (sign, oh, om) = (
            if off < 0 { '-' } else { '+' },
            off.abs() / 3600,
            (off.abs() % 3600) / 60,
        );
        let s = match tok.as_str() {
            "YYYY" => format!("{:04}", t.year()),
            "YY" => format!("{:02}", t.year() % 100),
            "MMMM" => MONTHS[t.month0() as usize].to_string(),
            "MMM" => MONTHS[t.month0() as usize][..3].to_string(),
            "MM" => format!("{:02}", t.month()),
            "M" => t.month().to_string(),
            "DD" => format!("{:02}", t.day()),
            "D" => t.day().to_string(),
            "EEEE" => DAYS[t.weekday().num_days_from_monday() as usize].to_string(),
            "EEE" => DAYS[t.weekday().num_days_from_monday() as usize][..3].to_string(),
            "hh" => format!("{:02}", t.hour()),
            "h" => t.hour().to_string(),
            "HH" => format!("{:02}", if t.hour() % 12 == 0 { 12 } else { t.hour() % 12 }),
            "H" => (if t.hour() % 12 == 0 { 12 } else { t.hour() % 12 }).to_string(),
            "AA" => (if t.hour() < 12 { "AM" } else { "PM" }).to_string(),
            "aa" => (if t.hour() < 12 { "am" } else { "pm" }).to_string(),
            "mm" => format!("{:02}", t.minute()),
            "m" => t.minute().to_string(),
            "ss" => format!("{:02}", t.second()),
            "s" => t.second().to_string(),
            "ZZZZZ" => {
                if off == 0 {
                    "Z".into()
                } else {
                    format!("{sign}{oh:02}:{om:02}")
                }
            }
            "ZZZZ" => format!("{sign}{oh:02}{om:02}"),
            "ZZZ" => {
                if off == 0 {
                    "UTC".into()
                } else {
                    format!("{sign}{oh:02}{om:02}")
                }
            }
            "Z" => {
                if off == 0 {
                    "Z".into()
                } else {
                    format!("{sign}{oh:02}:{om:02}")
                }
            }
            other => {
                return Err(format!(
                    "invalid date format verb {other:?}: might be missing quotes around a literal"
                ))
            }
        };
        out.push_str(&s);
        i += n;
    }
    Ok(Value::String(out))
}

/// Parses a Go duration string such as `1h30m`, `-10s` or `1.5h` into nanoseconds.
fn parse_duration(s: &str) -> Result<i128, String> {
    let bad = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    Ok(if neg { -(total as i128) } else { total as i128 })
}

pub fn timeadd(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let t = parse_ts(&str_arg(a, 0)?)?;
    let d = parse_duration(&str_arg(a, 1)?)?;
    let t = t + chrono::Duration::nanoseconds(d as i64);
    Ok(Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true)))
}

pub fn timecmp(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let x = parse_ts(&str_arg(a, 0)?)?;
    let y = parse_ts(&str_arg(a, 1)?)?;
    Ok(Value::Number(match x.cmp(&y) {
        std::cmp::Ordering::Less => -1.0,
        std::cmp::Ordering::Equal => 0.0,
        std::cmp::Ordering::Greater => 1.0,
    }))
}
