//! Terraform type constraints (`list(string)`, `object({ a = optional(number, 1) })`, …) and the
//! conversions Terraform applies to variable values and in `tolist`, `tomap`, conditionals.

use super::expr::parse_number;
use crate::model::value::format_number;
use crate::model::Map;
use crate::model::Value;
use hcl_edit::expr::{Expression, ObjectKey};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, Attr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub ty: Type,
    pub optional: bool,
    pub default: Option<Value>,
}

/// Parses a type constraint expression. Defaults of `optional(T, default)` are literal values.
pub fn parse_type(expr: &Expression) -> Result<Type, String> {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "any" => Ok(Type::Any),
            other => Err(format!("The keyword {other:?} is not a valid type specification.")),
        },
        Expression::Parenthesis(p) => parse_type(p.inner()),
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            let one = || -> Result<&Expression, String> {
                match args.as_slice() {
                    [a] => Ok(*a),
                    _ => Err(format!("The {name} type constructor requires one argument specifying the element type.")),
                }
            };
            match name {
                "list" => Ok(Type::List(Box::new(parse_type(one()?)?))),
                "set" => Ok(Type::Set(Box::new(parse_type(one()?)?))),
                "map" => Ok(Type::Map(Box::new(parse_type(one()?)?))),
                "tuple" => match one()? {
                    Expression::Array(a) => Ok(Type::Tuple(a.iter().map(parse_type).collect::<Result<_, _>>()?)),
                    _ => Err("The tuple type constructor requires a list of element types.".into()),
                },
                "object" => match one()? {
                    Expression::Object(o) => {
                        let mut attrs = BTreeMap::new();
                        for (k, v) in o.iter() {
                            let key = match k {
                                ObjectKey::Ident(i) => i.as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                                ObjectKey::Expression(Expression::Variable(s)) => s.as_str().to_string(),
                                _ => return Err("Object type attribute names must be identifiers.".into()),
                            };
                            attrs.insert(key, parse_attr(v.expr())?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    _ => Err("The object type constructor requires an object of attribute types.".into()),
                },
                "optional" => Err("Keyword \"optional\" is valid only as a modifier for object type attributes.".into()),
                other => Err(format!("Keyword {other:?} is not a valid type constructor.")),
            }
        }
        _ => Err("A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).".into()),
    }
}

fn parse_attr(expr: &Expression) -> Result<Attr, String> {
    if let Expression::FuncCall(call) = expr {
        if call.name.name.as_str() == "optional" {
            let args: Vec<&Expression> = call.args.iter().collect();
            let (ty, default) = match args.as_slice() {
                [t] => (parse_type(t)?, None),
                [t, d] => {
                    let ty = parse_type(t)?;
                    let scope = super::Scope::default();
                    let ctx = super::Ctx::new(&scope, crate::source::FileId(0));
                    let d = super::expr::eval(d, &ctx).map_err(|e| e.message)?;
                    let d = convert(&d, &ty)?;
                    (ty, Some(d))
                }
                _ => return Err("The optional modifier takes a type and optionally a default value.".into()),
            };
            return Ok(Attr {
                ty,
                optional: true,
                default,
            });
        }
    }
    Ok(Attr {
        ty: parse_type(expr)?,
        optional: false,
        default: None,
    })
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Type::Any => f.write_str("any"),
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (k, a)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {}", a.ty)?;
                }
                f.write_str("})")
            }
        }
    }
}

/// Converts `v` to type `ty` as Terraform does for variable values. Null and unknown values convert
/// to any type unchanged.
pub fn convert(v: &Value, ty: &Type) -> Result<Value, String> {
    if v.is_null() || matches!(v, Value::Unknown(_)) {
        return Ok(v.clone());
    }
    match ty {
        Type::Any => Ok(v.clone()),
        Type::String => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(n) => Ok(Value::String(format_number(*n))),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(format!("string required, but have {}", other.type_name())),
        },
        Type::Number => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) => parse_number(s)
                .map(Value::Number)
                .ok_or_else(|| format!("a number is required, but {s:?} is not a number")),
            other => Err(format!("number required, but have {}", other.type_name())),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s == "true" => Ok(Value::Bool(true)),
            Value::String(s) if s == "false" => Ok(Value::Bool(false)),
            Value::String(s) => Err(format!("a bool is required, but {s:?} is not a bool")),
            other => Err(format!("bool required, but have {}", other.type_name())),
        },
        Type::List(el) | Type::Set(el) => {
            let items = match v {
                Value::List(x) | Value::Set(x) => x,
                other => return Err(format!("{} required, but have {}", ty, other.type_name())),
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(convert(x, el).map_err(|e| format!("element {i}: {e}"))?);
            }
            let out = if **el == Type::Any { unify_list(out) } else { out };
            Ok(if matches!(ty, Type::Set(_)) {
                Value::set(out)
            } else {
                Value::List(out)
            })
        }
        Type::Map(el) => {
            let entries: Map = match v {
                Value::Map(m) => m.clone(),
                Value::Open(o) => o.attrs.clone(),
                other => return Err(format!("map of {el} required, but have {}", other.type_name())),
            };
            let mut out = Map::new();
            for (k, x) in entries {
                let c = convert(&x, el).map_err(|e| format!("element {k:?}: {e}"))?;
                out.insert(k, c);
            }
            if **el == Type::Any {
                let (keys, vals): (Vec<String>, Vec<Value>) = out.into_iter().unzip();
                let vals = unify_list(vals);
                return Ok(Value::Map(keys.into_iter().zip(vals).collect()));
            }
            Ok(Value::Map(out))
        }
        Type::Tuple(types) => match v {
            Value::List(x) | Value::Set(x) if x.len() == types.len() => Ok(Value::List(
                x.iter()
                    .zip(types)
                    .enumerate()
                    .map(|(i, (x, t))| convert(x, t).map_err(|e| format!("element {i}: {e}")))
                    .collect::<Result<_, _>>()?,
            )),
            Value::List(x) | Value::Set(x) => Err(format!(
                "tuple required with {} elements, but have {}",
                types.len(),
                x.len()
            )),
            other => Err(format!("tuple required, but have {}", other.type_name())),
        },
        Type::Object(attrs) => {
            let entries: Map = match v {
                Value::Map(m) => m.clone(),
                Value::Open(o) => return Ok(Value::Open(o.clone())),
                other => return Err(format!("object required, but have {}", other.type_name())),
            };
            let mut out = Map::new();
            for (k, a) in attrs {
                match entries.get(k) {
                    Some(x) if !x.is_null() => {
                        out.insert(
                            k.clone(),
                            convert(x, &a.ty).map_err(|e| format!("attribute {k:?}: {e}"))?,
                        );
                    }
                    Some(_) | None if a.optional => {
                        out.insert(k.clone(), a.default.clone().unwrap_or(Value::Null));
                    }
                    Some(x) => {
                        out.insert(k.clone(), x.clone());
                    }
                    None => return Err(format!("attribute {k:?} is required")),
                }
            }
            Ok(Value::Map(out))
        }
    }
}

/// Converts a list of primitive values to one type the way cty's unification does: when strings
/// are mixed with numbers or bools, all become strings.
pub fn unify_list(items: Vec<Value>) -> Vec<Value> {
    let has_string = items.iter().any(|v| matches!(v, Value::String(_)));
    let has_other_prim = items.iter().any(|v| matches!(v, Value::Number(_) | Value::Bool(_)));
    if has_string && has_other_prim {
        items
            .into_iter()
            .map(|v| convert(&v, &Type::String).unwrap_or(v))
            .collect()
    } else {
        items
    }
}

/// Unifies the two results of a conditional: a string and a number or bool become two strings.
pub fn unify_pair(a: Value, b: Value) -> (Value, Value) {
    match (&a, &b) {
        (Value::String(_), Value::Number(_) | Value::Bool(_)) => {
            let b2 = convert(&b, &Type::String).unwrap_or(b);
            (a, b2)
        }
        (Value::Number(_) | Value::Bool(_), Value::String(_)) => {
            let a2 = convert(&a, &Type::String).unwrap_or(a);
            (a2, b)
        }
        // A set and a tuple unify to a set (`local.enabled ? var.arns : []` with a set(string)
        // variable is a set either way, so it can be a for_each).
        (Value::Set(_), Value::List(items)) => {
            let b2 = Value::set(items.clone());
            (a, b2)
        }
        (Value::List(items), Value::Set(_)) => {
            let a2 = Value::set(items.clone());
            (a2, b)
        }
        _ => (a, b),
    }
}
