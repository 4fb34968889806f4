//! Encoding functions: base64*, csvdecode, json*, textdecodebase64, textencodebase64, urlencode,
//! yaml*. JSON and YAML are written the way Terraform writes them (Go's escaping, sorted keys).

use super::{arity, str_arg, FnResult};
use crate::model::value::format_number;
use crate::model::Map;
use crate::model::Value;
use base64::Engine as _;
use std::fmt::Write as _;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A JSON string literal with Go's escaping (`<`, `>`, `&`, U+2028 and U+2029 escaped).
pub fn quote_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Serializes a known value to compact JSON as `jsonencode` does.
pub fn json_string(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_json(v, &mut out)?;
    Ok(out)
}

fn write_json(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) => out.push_str(&quote_json(s)),
        Value::List(l) | Value::Set(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out)?;
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quote_json(k));
                out.push(':');
                write_json(x, out)?;
            }
            out.push('}');
        }
        Value::Open(_) | Value::Unknown(_) => return Err("value is not known".into()),
    }
    Ok(())
}

pub fn jsonencode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::String(json_string(&a[0])?))
}

pub fn jsondecode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let s = str_arg(a, 0)?;
    let j: serde_json::Value = serde_json::from_str(&s).map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(Value::from_json(&j))
}

pub fn base64encode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::String(B64.encode(str_arg(a, 0)?)))
}

pub fn base64decode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let bytes = B64
        .decode(str_arg(a, 0)?)
        .map_err(|e| format!("failed to decode base64 data: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the result of decoding the provided string is not valid UTF-8".into())
}

pub fn base64gzip(a: &[Value]) -> FnResult {
    use std::io::Write;
    arity(a, 1)?;
    let mut enc = flate2::GzBuilder::new()
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::default());
    enc.write_all(str_arg(a, 0)?.as_bytes()).map_err(|e| e.to_string())?;
    let bytes = enc.finish().map_err(|e| e.to_string())?;
    Ok(Value::String(B64.encode(bytes)))
}

pub fn csvdecode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let s = str_arg(a, 0)?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(s.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| format!("failed to parse CSV header: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty() && s.trim().is_empty()) {
        return Err("missing header line".into());
    }
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("failed to parse CSV: {e}"))?;
        let row: Map = headers
            .iter()
            .cloned()
            .zip(rec.iter().map(|f| Value::String(f.to_string())))
            .collect();
        rows.push(Value::Map(row));
    }
    Ok(Value::List(rows))
}

pub fn urlencode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let s = str_arg(a, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    let _ = percent_encoding::NON_ALPHANUMERIC;
    Ok(Value::String(out))
}

fn encoding_for(name: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(name.as_bytes())
        .ok_or_else(|| format!("{name:?} is not a supported IANA encoding name or alias"))
}

pub fn textencodebase64(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let s = str_arg(a, 0)?;
    let name = str_arg(a, 1)?;
    let enc = encoding_for(&name)?;
    let bytes: Vec<u8> = if enc == encoding_rs::UTF_16LE {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    } else if enc == encoding_rs::UTF_16BE {
        s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
    } else {
        let (b, _, bad) = enc.encode(&s);
        if bad {
            return Err(format!(
                "the given string contains characters that cannot be represented in {name}"
            ));
        }
        b.into_owned()
    };
    Ok(Value::String(B64.encode(bytes)))
}

pub fn textdecodebase64(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let bytes = B64
        .decode(str_arg(a, 0)?)
        .map_err(|e| format!("the given value has an invalid base64 encoding: {e}"))?;
    let name = str_arg(a, 1)?;
    let enc = encoding_for(&name)?;
    let (s, bad) = enc.decode_without_bom_handling(&bytes);
    if bad {
        return Err(format!("the given value is has an invalid {name} encoding"));
    }
    Ok(Value::String(s.into_owned()))
}

fn from_yaml(y: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::List(s.into_iter().map(from_yaml).collect::<Result<_, _>>()?),
        Y::Mapping(m) => {
            // Collected and sorted once (inserting into the sorted vector one by one would be
            // quadratic in a large document); a repeated key keeps its last value.
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".into(),
                    _ => return Err("complex map keys are not supported".into()),
                };
                out.push((key, from_yaml(v)?));
            }
            Value::Map(out.into_iter().collect())
        }
        Y::Tagged(t) => from_yaml(t.value)?,
    })
}

pub fn yamldecode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let s = str_arg(a, 0)?;
    let y: serde_yaml::Value = serde_yaml::from_str(&s).map_err(|e| format!("on line {e}"))?;
    from_yaml(y)
}

/// Writes YAML in the style of Terraform's yamlencode: block style, every string double-quoted.
pub fn yamlencode(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let mut out = String::new();
    write_yaml(&a[0], 0, &mut out, true)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    // A plain (unquoted) scalar as the whole document ends with the document end marker, as
    // Terraform's encoder writes it: `yamlencode(null)` is "null\n...\n".
    if matches!(a[0], Value::Null | Value::Bool(_) | Value::Number(_)) {
        out.push_str("...\n");
    }
    Ok(Value::String(out))
}

fn yaml_scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(format_number(*n)),
        Value::String(s) => Some(
            quote_json(s)
                .replace("\\u003c", "<")
                .replace("\\u003e", ">")
                .replace("\\u0026", "&"),
        ),
        Value::List(l) | Value::Set(l) if l.is_empty() => Some("[]".into()),
        Value::Map(m) if m.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn write_yaml(v: &Value, indent: usize, out: &mut String, at_line_start: bool) -> Result<(), String> {
    let pad = " ".repeat(indent);
    if let Some(s) = yaml_scalar(v) {
        out.push_str(&s);
        out.push('\n');
        return Ok(());
    }
    match v {
        Value::List(l) | Value::Set(l) => {
            for (i, x) in l.iter().enumerate() {
                if i > 0 || at_line_start {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                write_yaml(x, indent + 2, out, false)?;
            }
        }
        Value::Map(m) => {
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 || at_line_start {
                    out.push_str(&pad);
                }
                out.push_str(&quote_json(k));
                out.push(':');
                match yaml_scalar(x) {
                    Some(s) => {
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        out.push('\n');
                        let child = if matches!(x, Value::List(_) | Value::Set(_)) {
                            indent
                        } else {
                            indent + 2
                        };
                        write_yaml(x, child, out, true)?;
                    }
                }
            }
        }
        _ => return Err("value is not known".into()),
    }
    Ok(())
}
