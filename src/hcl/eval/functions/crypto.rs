//! Hash and crypto functions: md5, sha1, sha256, sha512, base64sha256, base64sha512, uuidv5 and
//! rsadecrypt. `bcrypt` and `uuid` are impure (they give unknown; see the dispatcher).

use super::{arity, str_arg, FnResult};
use crate::model::{Unknown, Value};
use base64::Engine as _;
use sha2::Digest as _;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn hash_hex(kind: &str, data: &[u8]) -> String {
    match kind {
        "md5" => hex(&md5::Md5::digest(data)),
        "sha1" => hex(&sha1::Sha1::digest(data)),
        "sha256" => hex(&sha2::Sha256::digest(data)),
        _ => hex(&sha2::Sha512::digest(data)),
    }
}

pub(crate) fn hash_b64(kind: &str, data: &[u8]) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    match kind {
        "sha256" => engine.encode(sha2::Sha256::digest(data)),
        _ => engine.encode(sha2::Sha512::digest(data)),
    }
}

fn one(a: &[Value]) -> Result<String, String> {
    arity(a, 1)?;
    str_arg(a, 0)
}

pub fn md5(a: &[Value]) -> FnResult {
    Ok(Value::String(hash_hex("md5", one(a)?.as_bytes())))
}

pub fn sha1(a: &[Value]) -> FnResult {
    Ok(Value::String(hash_hex("sha1", one(a)?.as_bytes())))
}

pub fn sha256(a: &[Value]) -> FnResult {
    Ok(Value::String(hash_hex("sha256", one(a)?.as_bytes())))
}

pub fn sha512(a: &[Value]) -> FnResult {
    Ok(Value::String(hash_hex("sha512", one(a)?.as_bytes())))
}

pub fn base64sha256(a: &[Value]) -> FnResult {
    Ok(Value::String(hash_b64("sha256", one(a)?.as_bytes())))
}

pub fn base64sha512(a: &[Value]) -> FnResult {
    Ok(Value::String(hash_b64("sha512", one(a)?.as_bytes())))
}

pub fn uuidv5(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let ns = str_arg(a, 0)?;
    let name = str_arg(a, 1)?;
    let namespace = match ns.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other).map_err(|_| format!("uuidv5() doesn't support namespace {other}"))?,
    };
    Ok(Value::String(
        uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string(),
    ))
}

/// Decrypting needs the private key and yields a secret: infracheck never computes it, so the
/// result is unknown, as it is for values computed at apply time.
pub fn rsadecrypt(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    Ok(Value::Unknown(Unknown::of("rsadecrypt(…)")))
}
