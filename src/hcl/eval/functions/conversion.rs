//! Type conversion functions: tobool, tolist, tomap, tonumber, toset, tostring, sensitive,
//! nonsensitive, type. (`try` and `can` see their arguments' errors and live in the evaluator.)

use super::{arity, FnResult};
use crate::hcl::eval::types::{convert, Type};
use crate::model::Value;

fn conv(a: &[Value], ty: Type) -> FnResult {
    arity(a, 1)?;
    convert(&a[0], &ty).map_err(|e| format!("cannot convert {} to {ty}: {e}", a[0].type_name()))
}

pub fn tobool(a: &[Value]) -> FnResult {
    conv(a, Type::Bool)
}

pub fn tonumber(a: &[Value]) -> FnResult {
    conv(a, Type::Number)
}

pub fn tostring(a: &[Value]) -> FnResult {
    conv(a, Type::String)
}

pub fn tolist(a: &[Value]) -> FnResult {
    conv(a, Type::List(Box::new(Type::Any)))
}

pub fn toset(a: &[Value]) -> FnResult {
    conv(a, Type::Set(Box::new(Type::Any)))
}

pub fn tomap(a: &[Value]) -> FnResult {
    conv(a, Type::Map(Box::new(Type::Any)))
}

/// `sensitive` and `nonsensitive` do not change the value; infracheck never prints values of
/// variables declared sensitive.
pub fn identity(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(a[0].clone())
}

pub fn type_of(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::String(a[0].type_name().to_string()))
}
