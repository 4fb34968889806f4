//! `format` and `formatlist`: Go-style verbs as Terraform implements them (%v %#v %s %q %d %b %o
//! %x %X %e %E %f %g %G %t %%, flags `+- 0#`, width, precision and `%[n]` argument indexes).

use super::encoding::json_string;
use super::{list_arg, str_arg, too_large, FnResult, MAX_STRING_BYTES};
use crate::model::value::format_number;
use crate::model::Value;

pub fn format(a: &[Value]) -> FnResult {
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    let spec = match &a[0] {
        Value::String(s) => s.clone(),
        other => return Err(format!("format string must be a string, not {}", other.type_name())),
    };
    Ok(Value::String(sprintf(&spec, &a[1..])?))
}

pub fn formatlist(a: &[Value]) -> FnResult {
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    let spec = str_arg(a, 0)?;
    let rest = &a[1..];
    let mut n: Option<usize> = None;
    for (i, v) in rest.iter().enumerate() {
        if let Value::List(l) | Value::Set(l) = v {
            match n {
                None => n = Some(l.len()),
                Some(m) if m != l.len() => {
                    return Err(format!(
                        "argument {} has length {}, which is inconsistent with argument 1 of length {m}",
                        i + 2,
                        l.len()
                    ))
                }
                _ => {}
            }
        }
    }
    let n = n.unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    let mut total = 0;
    for k in 0..n {
        let row: Vec<Value> = rest
            .iter()
            .map(|v| match v {
                Value::List(l) | Value::Set(l) => l[k].clone(),
                other => other.clone(),
            })
            .collect();
        let line = sprintf(&spec, &row)?;
        total += line.len();
        if total > MAX_STRING_BYTES {
            return Err(too_large(total));
        }
        out.push(Value::String(line));
    }
    let _ = list_arg;
    Ok(Value::List(out))
}

#[derive(Default)]
struct Flags {
    plus: bool,
    minus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
}

fn sprintf(spec: &str, args: &[Value]) -> Result<String, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next_arg = 0usize;
    let mut explicit_index = false;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if i >= chars.len() {
            return Err("unterminated format verb at end of string".into());
        }
        if chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut f = Flags::default();
        while i < chars.len() {
            match chars[i] {
                '+' => f.plus = true,
                '-' => f.minus = true,
                ' ' => f.space = true,
                '0' => f.zero = true,
                '#' => f.sharp = true,
                _ => break,
            }
            i += 1;
        }
        if i < chars.len() && chars[i] == '[' {
            let close = chars[i..]
                .iter()
                .position(|&c| c == ']')
                .ok_or("unterminated argument index")?;
            let idx: String = chars[i + 1..i + close].iter().collect();
            let n: usize = idx.parse().map_err(|_| format!("invalid argument index {idx:?}"))?;
            if n == 0 {
                return Err("argument index 0 is invalid: indexes start at 1".into());
            }
            next_arg = n - 1;
            explicit_index = true;
            i += close + 1;
        }
        let mut width: Option<usize> = None;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i > start {
            width = Some(bounded(&chars[start..i], "width", MAX_WIDTH)?);
        }
        let mut prec: Option<usize> = None;
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            let s2 = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            prec = Some(if i > s2 {
                bounded(&chars[s2..i], "precision", MAX_PRECISION)?
            } else {
                0
            });
        }
        let verb = *chars.get(i).ok_or("unterminated format verb")?;
        i += 1;
        let arg = args
            .get(next_arg)
            .ok_or_else(|| format!("not enough arguments for %{verb} at offset {}", i - 1))?;
        next_arg += 1;
        let body = render(verb, arg, &f, prec)?;
        out.push_str(&pad(
            body,
            width,
            &f,
            matches!(verb, 'd' | 'b' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G'),
        ));
        if out.len() > MAX_STRING_BYTES {
            return Err(too_large(out.len()));
        }
    }
    if !explicit_index && next_arg < args.len() {
        return Err(format!("too many arguments; only {next_arg} used by format string"));
    }
    Ok(out)
}

/// The widest field: Go's fmt refuses wider ones (`%!(BADWIDTH)`); so does format.
const MAX_WIDTH: usize = 1_000_000;

/// The most decimals: an f64 has no more than 1,074; Rust's formatting takes at most 65,535.
const MAX_PRECISION: usize = 65_535;

/// A width or precision, at most `max`.
fn bounded(digits: &[char], what: &str, max: usize) -> Result<usize, String> {
    let text: String = digits.iter().collect();
    match text.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("{what} {text} is too large (at most {max})")),
    }
}

fn pad(body: String, width: Option<usize>, f: &Flags, numeric: bool) -> String {
    let w = width.unwrap_or(0);
    let len = body.chars().count();
    if len >= w {
        return body;
    }
    let fill = w - len;
    if f.minus {
        format!("{body}{}", " ".repeat(fill))
    } else if f.zero && numeric {
        let (sign, digits) = match body.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (c.to_string(), body[1..].to_string()),
            _ => (String::new(), body),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn number(arg: &Value, verb: char) -> Result<f64, String> {
    crate::hcl::eval::expr::to_number(arg).ok_or_else(|| format!("unsupported value for \"%{verb}\": number required"))
}

fn sign(n: f64, f: &Flags) -> &'static str {
    if n.is_sign_negative() && n != 0.0 {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    }
}

fn render(verb: char, arg: &Value, f: &Flags, prec: Option<usize>) -> Result<String, String> {
    if !arg.is_wholly_known() {
        return Err("unknown value".into());
    }
    Ok(match verb {
        'v' => match arg {
            Value::String(s) if !f.sharp => s.clone(),
            Value::Number(n) if !f.sharp => format_number(*n),
            Value::Bool(b) if !f.sharp => b.to_string(),
            Value::Null if !f.sharp => "null".into(),
            other => json_string(other)?,
        },
        's' => match arg {
            Value::Null => return Err("unsupported value for \"%s\": null value cannot be formatted".into()),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                let s = str_arg(std::slice::from_ref(arg), 0)?;
                match prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            _ => return Err("unsupported value for \"%s\": string required".into()),
        },
        'q' => match arg {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                json_string(&Value::String(str_arg(std::slice::from_ref(arg), 0)?))?
            }
            _ => return Err("unsupported value for \"%q\": string required".into()),
        },
        't' => match arg {
            Value::Bool(b) => b.to_string(),
            Value::String(s) if s == "true" || s == "false" => s.clone(),
            _ => return Err("unsupported value for \"%t\": bool required".into()),
        },
        'd' | 'b' | 'o' | 'x' | 'X' => {
            let n = number(arg, verb)?;
            if n.fract() != 0.0 {
                return Err(format!("unsupported value for \"%{verb}\": an integer is required"));
            }
            let m = n.abs() as u128;
            let digits = match verb {
                'd' => m.to_string(),
                'b' => format!("{m:b}"),
                'o' => format!("{}{m:o}", if f.sharp { "0" } else { "" }),
                'x' => format!("{}{m:x}", if f.sharp { "0x" } else { "" }),
                _ => format!("{}{m:X}", if f.sharp { "0X" } else { "" }),
            };
            format!("{}{digits}", sign(n, f))
        }
        'f' | 'F' => {
            let n = number(arg, verb)?;
            format!("{}{:.*}", sign(n, f), prec.unwrap_or(6), n.abs())
        }
        'e' | 'E' => {
            let n = number(arg, verb)?;
            let s = fmt_exp(n.abs(), prec.unwrap_or(6));
            let s = if verb == 'E' { s.to_uppercase() } else { s };
            format!("{}{s}", sign(n, f))
        }
        'g' | 'G' => {
            let n = number(arg, verb)?;
            let s = fmt_g(n.abs(), prec);
            let s = if verb == 'G' { s.to_uppercase() } else { s };
            format!("{}{s}", sign(n, f))
        }
        other => return Err(format!("unsupported format verb %{other}")),
    })
}

/// `%e`: mantissa with `prec` decimals, exponent with sign and at least two digits (Go style).
fn fmt_exp(n: f64, prec: usize) -> String {
    let s = format!("{n:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `%g`: the shortest representation, in exponent form for large or small exponents (Go style).
fn fmt_g(n: f64, prec: Option<usize>) -> String {
    if n == 0.0 {
        return "0".into();
    }
    // Shortest round-trip digits.
    let sci = format!("{n:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let mut exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let eprec = match prec {
        Some(p) => {
            let p = p.max(1);
            let s = format!("{n:.*e}", p - 1);
            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
            digits = m.chars().filter(|c| c.is_ascii_digit()).collect();
            while digits.len() > 1 && digits.ends_with('0') {
                digits.pop();
            }
            exp = e.parse().unwrap_or(0);
            p as i32
        }
        // Go decides on the shortest form with a precision of 6.
        None => 6,
    };
    if exp < -4 || exp >= eprec {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else if exp >= 0 {
        let e = exp as usize;
        if digits.len() > e + 1 {
            format!("{}.{}", &digits[..=e], &digits[e + 1..])
        } else {
            format!("{digits}{}", "0".repeat(e + 1 - digits.len()))
        }
    } else {
        format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
    }
}
