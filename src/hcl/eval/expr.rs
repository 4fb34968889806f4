//! Evaluates one HCL expression to a [`Value`], the way Terraform does before apply: references to
//! values computed at apply time stay unknown and remember what they refer to.

use super::functions;
use super::types::unify_pair;
use super::{Ctx, EvalError, EvalResult};
use crate::model::value::{format_number, total_cmp};
use crate::model::{Unknown, Value};
use crate::source::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use std::collections::BTreeMap;

fn span_of(ctx: &Ctx, e: &impl hcl_edit::Span) -> Option<Span> {
    e.span().map(|r| Span::new(ctx.file, r))
}

/// The deepest evaluation: nested expressions, function arguments, template interpolations. The
/// parser admits at most `nesting::MAX_NESTING` levels per file and a `templatefile` template adds
/// one file's worth; 1024 is beyond both, so this bound only stops what the parser limits did not
/// (an expression built elsewhere) before it exhausts the stack.
pub const MAX_EVAL_DEPTH: usize = 1024;

thread_local! {
    /// How deep the evaluation on this thread is (evaluation never moves between threads).
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level of evaluation, given back when dropped.
struct Level;

impl Level {
    fn enter() -> (Level, usize) {
        (
            Level,
            DEPTH.with(|d| {
                d.set(d.get() + 1);
                d.get()
            }),
        )
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}

pub fn eval(expr: &Expression, ctx: &Ctx) -> EvalResult {
    let (_level, depth) = Level::enter();
    if depth > MAX_EVAL_DEPTH {
        return Err(EvalError {
            code: Some("eval::nesting"),
            ..EvalError::invalid(
                format!("expression nested too deeply to evaluate (at most {MAX_EVAL_DEPTH} levels)"),
                span_of(ctx, expr),
            )
        });
    }
    eval_inner(expr, ctx)
}

fn eval_inner(expr: &Expression, ctx: &Ctx) -> EvalResult {
    match expr {
        Expression::Null(_) => Ok(Value::Null),
        Expression::Bool(b) => Ok(Value::Bool(*b.value())),
        Expression::Number(n) => Ok(Value::Number(n.value().as_f64().unwrap_or(f64::NAN))),
        Expression::String(s) => Ok(Value::String(s.value().to_string())),
        Expression::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for e in a.iter() {
                out.push(eval(e, ctx)?);
            }
            Ok(Value::List(out))
        }
        Expression::Object(o) => {
            let mut out = Vec::new();
            let mut unknown_key: Option<Unknown> = None;
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(e) => match eval(e, ctx)? {
                        Value::String(s) => s,
                        Value::Number(n) => format_number(n),
                        Value::Bool(b) => b.to_string(),
                        v if v.is_unknown() => {
                            let u = v.as_unknown().unwrap_or_default();
                            match &mut unknown_key {
                                Some(a) => a.merge(&u),
                                None => unknown_key = Some(u),
                            }
                            continue;
                        }
                        Value::Null => return Err(EvalError::new("Object key must not be null.", span_of(ctx, e))),
                        other => {
                            return Err(EvalError::new(
                                format!("Object keys must be strings, not {}.", other.type_name()),
                                span_of(ctx, e),
                            ))
                        }
                    },
                };
                out.push((key, eval(v.expr(), ctx)?));
            }
            match unknown_key {
                Some(u) => Ok(Value::Unknown(u)),
                // Sorted once; as in Terraform, a key written twice takes its last value.
                None => Ok(Value::Map(out.into_iter().collect())),
            }
        }
        Expression::StringTemplate(t) => {
            // A template that is exactly one interpolation yields its value unconverted.
            if let Some(Element::Interpolation(i)) = t.as_single_element() {
                return eval(&i.expr, ctx);
            }
            let mut st = TemplateState::default();
            for el in t.iter() {
                render_element(el, ctx, &mut st)?;
            }
            st.finish()
        }
        Expression::HeredocTemplate(h) => render_template(&h.template, ctx),
        Expression::Parenthesis(p) => eval(p.inner(), ctx),
        Expression::Variable(v) => resolve_root(v.as_str(), ctx, span_of(ctx, expr)),
        Expression::Conditional(c) => {
            // As HCL does: both results are evaluated (to unify their types), but only the chosen
            // one's errors count; with an unknown condition, neither's do.
            let cond = eval(&c.cond_expr, ctx)?;
            let t = eval(&c.true_expr, ctx);
            let f = eval(&c.false_expr, ctx);
            if let Some(u) = cond.as_unknown() {
                return Ok(Value::Unknown(u));
            }
            let b = to_bool(&cond).ok_or_else(|| {
                EvalError::new(
                    format!("The condition expression must be a bool, not {}.", cond.type_name()),
                    span_of(ctx, &c.cond_expr),
                )
            })?;
            match (t, f) {
                (Ok(t), Ok(f)) => {
                    let (t, f) = unify_pair(t, f);
                    Ok(if b { t } else { f })
                }
                (t, f) => {
                    if b {
                        t
                    } else {
                        f
                    }
                }
            }
        }
        Expression::FuncCall(call) => eval_call(call, ctx, span_of(ctx, expr)),
        Expression::Traversal(t) => {
            let span = span_of(ctx, expr);
            let (mut value, consumed) = match &t.expr {
                Expression::Variable(v) => resolve_ref(v.as_str(), &t.operators, ctx, span)?,
                other => (eval(other, ctx)?, 0),
            };
            let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
            value = apply_ops(value, &ops[consumed..], ctx, span)?;
            Ok(value)
        }
        Expression::UnaryOp(op) => {
            let v = eval(&op.expr, ctx)?;
            if let Some(u) = v.as_unknown() {
                return Ok(Value::Unknown(u));
            }
            match op.operator.value() {
                UnaryOperator::Neg => to_number(&v).map(|n| Value::Number(-n)).ok_or_else(|| {
                    EvalError::new(
                        format!(
                            "Unsuitable value for unary operand: a number is required, not {}.",
                            v.type_name()
                        ),
                        span_of(ctx, &op.expr),
                    )
                }),
                UnaryOperator::Not => to_bool(&v).map(|b| Value::Bool(!b)).ok_or_else(|| {
                    EvalError::new(
                        format!(
                            "Unsuitable value for unary operand: a bool is required, not {}.",
                            v.type_name()
                        ),
                        span_of(ctx, &op.expr),
                    )
                }),
            }
        }
        Expression::BinaryOp(_) => eval_binary_chain(expr, ctx),
        Expression::ForExpr(f) => eval_for(f, ctx),
    }
}

/// A chain of binary operators (`a + b + … + z` is a left-deep tree as deep as it is long),
/// evaluated along its left spine with a loop, so its length costs no stack.
fn eval_binary_chain(expr: &Expression, ctx: &Ctx) -> EvalResult {
    let mut spine = Vec::new();
    let mut leftmost = expr;
    while let Expression::BinaryOp(op) = leftmost {
        spine.push((leftmost, &**op));
        leftmost = &op.lhs_expr;
    }
    let mut l = eval(leftmost, ctx)?;
    for (node, op) in spine.into_iter().rev() {
        // `&&` and `||` short-circuit as in Terraform >= 1.12: a known left operand that
        // decides the result leaves the right one unevaluated (`var.x != null && var.x.on`).
        l = match (op.operator.value(), to_bool(&l)) {
            (BinaryOperator::And, Some(false)) => Value::Bool(false),
            (BinaryOperator::Or, Some(true)) => Value::Bool(true),
            _ => {
                let r = eval(&op.rhs_expr, ctx)?;
                binary(*op.operator.value(), l, r).map_err(|m| EvalError::new(m, span_of(ctx, node)))?
            }
        };
    }
    Ok(l)
}

/// Converts to bool as Terraform's operators do (strings "true"/"false" convert).
pub fn to_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// Converts to number as Terraform's operators do (numeric strings convert).
pub fn to_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => parse_number(s),
        _ => None,
    }
}

/// Parses a number the way cty does: decimal, with optional sign, fraction and exponent.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || t != s {
        return None;
    }
    let valid = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !valid {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn binary(op: BinaryOperator, l: Value, r: Value) -> Result<Value, String> {
    use BinaryOperator as B;
    if matches!(op, B::Eq | B::NotEq) {
        return Ok(match equals(&l, &r) {
            Some(eq) => Value::Bool(if op == B::Eq { eq } else { !eq }),
            None => Value::Unknown(merge_unknown(&l, &r)),
        });
    }
    if l.is_unknown() || r.is_unknown() {
        return Ok(Value::Unknown(merge_unknown(&l, &r)));
    }
    match op {
        B::And | B::Or => {
            let a = to_bool(&l).ok_or_else(|| {
                format!(
                    "Unsuitable value for left operand: a bool is required, not {}.",
                    l.type_name()
                )
            })?;
            let b = to_bool(&r).ok_or_else(|| {
                format!(
                    "Unsuitable value for right operand: a bool is required, not {}.",
                    r.type_name()
                )
            })?;
            Ok(Value::Bool(if op == B::And { a && b } else { a || b }))
        }
        _ => {
            let a = to_number(&l).ok_or_else(|| {
                format!(
                    "Unsuitable value for left operand: a number is required, not {}.",
                    l.type_name()
                )
            })?;
            let b = to_number(&r).ok_or_else(|| {
                format!(
                    "Unsuitable value for right operand: a number is required, not {}.",
                    r.type_name()
                )
            })?;
            Ok(match op {
                B::Plus => Value::Number(a + b),
                B::Minus => Value::Number(a - b),
                B::Mul => Value::Number(a * b),
                B::Div => {
                    if b == 0.0 {
                        return Err("Division by zero: can't divide by zero.".into());
                    }
                    Value::Number(a / b)
                }
                B::Mod => {
                    if b == 0.0 {
                        return Err("Division by zero: can't use zero as the divisor of a modulo operation.".into());
                    }
                    Value::Number(a % b)
                }
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                _ => unreachable!("handled above"),
            })
        }
    }
}

/// Terraform's `==` (cty's Equals): unknown when either side is unknown; a comparison with null is
/// known as soon as the other side is known at the top level; collections compare element by
/// element, and are unknown only when an unknown element could decide the result.
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    if a.is_unknown() || b.is_unknown() {
        return None;
    }
    if a.is_null() || b.is_null() {
        return Some(a.is_null() && b.is_null());
    }
    match (a, b) {
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut result = Some(true);
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => result = None,
                    Some(true) => {}
                }
            }
            result
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            let mut result = Some(true);
            for (p, q) in x.values().zip(y.values()) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => result = None,
                    Some(true) => {}
                }
            }
            result
        }
        _ => Some(values_equal(a, b)),
    }
}

/// Equality as Terraform's `==` for known values: same type and same value.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && values_equal(v1, v2))
        }
        _ => total_cmp(a, b) == std::cmp::Ordering::Equal && std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

fn merge_unknown(a: &Value, b: &Value) -> Unknown {
    let mut u = a.unknown_refs().unwrap_or_default();
    if let Some(x) = b.unknown_refs() {
        u.merge(&x);
    }
    u
}

/// Resolves a bare root name (`var`, an iterator, …) used without attribute access.
fn resolve_root(name: &str, ctx: &Ctx, span: Option<Span>) -> EvalResult {
    if let Some((_, v)) = ctx.bindings.iter().rev().find(|(n, _)| n == name) {
        return Ok(v.clone());
    }
    match name {
        "self" => ctx
            .self_value
            .clone()
            .ok_or_else(|| EvalError::invalid("The \"self\" object is not available in this context.", span)),
        "count" | "each" | "var" | "local" | "module" | "data" | "path" | "terraform" => Err(EvalError::invalid(
            format!("Invalid reference: the {name:?} object cannot be accessed directly; name one of its attributes."),
            span,
        )),
        _ => match ctx.scope.resources.get(name) {
            Some(_) => Err(EvalError::invalid(
                format!("Invalid reference: a reference to a resource type must be followed by the resource name, like {name}.example."),
                span,
            )),
            None => Err(EvalError::invalid(format!("Unknown variable: there is no variable named {name:?}."), span)),
        },
    }
}

fn attr_name(op: Option<&hcl_edit::Decorated<TraversalOperator>>) -> Option<&str> {
    match op.map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(i)) => Some(i.as_str()),
        _ => None,
    }
}

/// Resolves the named value a traversal starts with, consuming the attribute names that select it.
fn resolve_ref(
    root: &str,
    ops: &[hcl_edit::Decorated<TraversalOperator>],
    ctx: &Ctx,
    span: Option<Span>,
) -> Result<(Value, usize), EvalError> {
    if let Some((_, v)) = ctx.bindings.iter().rev().find(|(n, _)| n == root) {
        return Ok((v.clone(), 0));
    }
    let scope = ctx.scope;
    let first = attr_name(ops.first());
    let need = |what: &str| EvalError::invalid(format!("Invalid reference: {what}"), span);
    match root {
        "var" => {
            let n = first.ok_or_else(|| need("a variable name is required after \"var.\""))?;
            scope
                .vars
                .get(n)
                .cloned()
                .map(|v| (v, 1))
                .ok_or_else(|| EvalError::invalid(format!("Reference to undeclared input variable: an input variable with the name {n:?} has not been declared."), span))
        }
        "local" => {
            let n = first.ok_or_else(|| need("a local value name is required after \"local.\""))?;
            scope
                .locals
                .get(n)
                .cloned()
                .map(|v| (v, 1))
                .ok_or_else(|| EvalError::invalid(format!("Reference to undeclared local value: a local value with the name {n:?} has not been declared."), span))
        }
        "module" => {
            let n = first.ok_or_else(|| need("a module name is required after \"module.\""))?;
            scope
                .modules
                .get(n)
                .cloned()
                .map(|v| (v, 1))
                .ok_or_else(|| EvalError::invalid(format!("Reference to undeclared module: no module call named {n:?} is declared in this module."), span))
        }
        "data" => {
            let t = first.ok_or_else(|| need("a data source type is required after \"data.\""))?;
            let n = attr_name(ops.get(1)).ok_or_else(|| need("a data source name is required after the type"))?;
            scope
                .data
                .get(t)
                .and_then(|m| m.get(n))
                .cloned()
                .map(|v| (v, 2))
                .ok_or_else(|| EvalError::invalid(format!("Reference to undeclared resource: a data resource \"{t}\" \"{n}\" has not been declared in this module."), span))
        }
        "count" => match (first, &ctx.count_index) {
            (Some("index"), Some(i)) => Ok((i.clone(), 1)),
            _ => Err(EvalError::invalid("Reference to \"count\" in non-counted context: count.index is only available in blocks that set count.", span)),
        },
        "each" => match (first, &ctx.each) {
            (Some("key"), Some((k, _))) => Ok((k.clone(), 1)),
            (Some("value"), Some((_, v))) => Ok((v.clone(), 1)),
            _ => Err(EvalError::invalid("each.key and each.value are only available in blocks that set for_each.", span)),
        },
        "path" => {
            let v = match first {
                Some("module") => &scope.path_module,
                Some("root") => &scope.path_root,
                Some("cwd") => &scope.path_cwd,
                _ => return Err(need("the \"path\" object has attributes module, root and cwd")),
            };
            Ok((Value::String(v.clone()), 1))
        }
        "terraform" => match first {
            Some("workspace") => Ok((Value::String(scope.workspace.clone()), 1)),
            _ => Err(need("the only attribute of the \"terraform\" object is workspace")),
        },
        "self" => Ok((resolve_root("self", ctx, span)?, 0)),
        // An ephemeral resource's value exists only during a run: unknown.
        "ephemeral" => {
            let t = first.ok_or_else(|| need("a resource type is required after \"ephemeral.\""))?;
            let n = attr_name(ops.get(1)).ok_or_else(|| need("a resource name is required after the type"))?;
            scope
                .ephemeral
                .get(&format!("{t}.{n}"))
                .cloned()
                .map(|v| (v, 2))
                .ok_or_else(|| EvalError::invalid(format!("Reference to undeclared ephemeral resource: an ephemeral resource \"{t}\" \"{n}\" has not been declared in this module."), span))
        }
        // `resource.TYPE.NAME` (Terraform >= 1.1) names a managed resource whose type could clash
        // with a reserved root name.
        "resource" => {
            let t = first.ok_or_else(|| need("a resource type is required after \"resource.\""))?;
            let n = attr_name(ops.get(1)).ok_or_else(|| need("a resource name is required after the type"))?;
            scope
                .resources
                .get(t)
                .and_then(|m| m.get(n))
                .cloned()
                .map(|v| (v, 2))
                .ok_or_else(|| EvalError::invalid(format!("Reference to undeclared resource: a managed resource \"{t}\" \"{n}\" has not been declared in this module."), span))
        }
        _ => match scope.resources.get(root) {
            Some(by_name) => {
                let n = first.ok_or_else(|| need("a resource name is required after the type"))?;
                by_name
                    .get(n)
                    .cloned()
                    .map(|v| (v, 1))
                    .ok_or_else(|| EvalError::invalid(format!("Reference to undeclared resource: a managed resource \"{root}\" \"{n}\" has not been declared in this module."), span))
            }
            None => match first {
                Some(n) if root.contains('_') => Err(EvalError::invalid(format!("Reference to undeclared resource: a managed resource \"{root}\" \"{n}\" has not been declared in this module."), span)),
                _ => Err(EvalError::invalid(format!("Unknown variable: there is no variable named {root:?}."), span)),
            },
        },
    }
}

fn apply_ops(mut value: Value, ops: &[&TraversalOperator], ctx: &Ctx, span: Option<Span>) -> EvalResult {
    let mut i = 0;
    while i < ops.len() {
        match ops[i] {
            TraversalOperator::GetAttr(name) => {
                value = value
                    .get_attr(name.as_str())
                    .map_err(|m| EvalError::new(format!("Unsupported attribute: {m}"), span))?;
            }
            TraversalOperator::Index(e) => {
                let key = eval(e, ctx)?;
                value = value
                    .index(&key)
                    .map_err(|m| EvalError::new(format!("Invalid index: {m}"), span_of(ctx, e).or(span)))?;
            }
            TraversalOperator::LegacyIndex(n) => {
                value = value
                    .index(&Value::Number(*n.value() as f64))
                    .map_err(|m| EvalError::new(format!("Invalid index: {m}"), span))?;
            }
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                let full = matches!(ops[i], TraversalOperator::FullSplat(_));
                // The operators the splat applies to each element.
                let mut j = i + 1;
                while j < ops.len() {
                    let take = match ops[j] {
                        TraversalOperator::GetAttr(_) => true,
                        TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => full,
                        _ => false,
                    };
                    if !take {
                        break;
                    }
                    j += 1;
                }
                let rest = &ops[i + 1..j];
                let items = match value {
                    Value::Null => Vec::new(),
                    Value::List(v) | Value::Set(v) => v,
                    Value::Unknown(u) => return Ok(Value::Unknown(u)),
                    other => vec![other],
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(apply_ops(item, rest, ctx, span)?);
                }
                value = Value::List(out);
                i = j;
                continue;
            }
        }
        i += 1;
    }
    Ok(value)
}

fn eval_call(call: &hcl_edit::expr::FuncCall, ctx: &Ctx, span: Option<Span>) -> EvalResult {
    let name = call.name.name.as_str();
    if call.name.is_namespaced() {
        // A provider-defined function (Terraform >= 1.8): the provider computes it, so its value
        // is unknown here; the configuration notes each call once (see `config`).
        let ns: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
        return Ok(Value::unknown(format!("{}::{name}(…)", ns.join("::"))));
    }
    // try and can see the errors of their arguments, so they evaluate them themselves.
    match name {
        "try" => {
            if call.args.is_empty() {
                return Err(EvalError::new(
                    "Invalid function argument: at least one argument is required.",
                    span,
                ));
            }
            let mut last_err = None;
            for a in call.args.iter() {
                match eval(a, ctx) {
                    Ok(v) if v.is_unknown() => return Ok(v),
                    Ok(v) => return Ok(v),
                    Err(e) => last_err = Some(e),
                }
            }
            let e = last_err.map(|e| e.message).unwrap_or_default();
            return Err(EvalError::new(
                format!("Error in function call: no expression succeeded: {e}"),
                span,
            ));
        }
        "can" => {
            if call.args.len() != 1 {
                return Err(EvalError::new(
                    "Invalid function argument: can takes exactly one argument.",
                    span,
                ));
            }
            let a = call.args.get(0).expect("one argument");
            return Ok(match eval(a, ctx) {
                Ok(v) if !v.is_wholly_known() => Value::Unknown(v.unknown_refs().unwrap_or_default()),
                Ok(_) => Value::Bool(true),
                Err(_) => Value::Bool(false),
            });
        }
        _ => {}
    }
    let mut args = Vec::with_capacity(call.args.len());
    for a in call.args.iter() {
        args.push(eval(a, ctx)?);
    }
    if call.args.expand_final() {
        match args.pop() {
            Some(Value::List(v)) | Some(Value::Set(v)) => args.extend(v),
            Some(Value::Unknown(u)) => return Ok(Value::Unknown(u)),
            Some(other) => {
                return Err(EvalError::new(
                    format!("Invalid expanding argument value: the expanding argument (indicated by ...) must be of a tuple, list, or set type, not {}.", other.type_name()),
                    span,
                ))
            }
            None => {}
        }
    }
    functions::call(name, args, &ctx.scope.fs).map_err(|m| {
        if m.starts_with("Call to unknown function") {
            EvalError::invalid(m, span)
        } else {
            EvalError::new(m, span)
        }
    })
}

fn eval_for(f: &ForExpr, ctx: &Ctx) -> EvalResult {
    let coll = eval(&f.intro.collection_expr, ctx)?;
    if let Some(u) = coll.as_unknown() {
        return Ok(Value::Unknown(u));
    }
    let pairs: Vec<(Value, Value)> = match coll {
        Value::List(v) => v.into_iter().enumerate().map(|(i, x)| (Value::Number(i as f64), x)).collect(),
        Value::Set(v) => v.into_iter().map(|x| (x.clone(), x)).collect(),
        Value::Map(m) => m.into_iter().map(|(k, x)| (Value::String(k), x)).collect(),
        Value::Null => return Err(EvalError::new("Iteration over null value: a null value cannot be used as the collection in a 'for' expression.", span_of(ctx, &f.intro.collection_expr))),
        other => {
            return Err(EvalError::new(
                format!("Iteration over non-iterable value: a value of type {} cannot be used as the collection in a 'for' expression.", other.type_name()),
                span_of(ctx, &f.intro.collection_expr),
            ))
        }
    };
    let value_var = f.intro.value_var.as_str();
    let key_var = f.intro.key_var.as_ref().map(|k| k.as_str());
    let mut list_out = Vec::new();
    // The map's entries in the order they are produced, sorted once at the end (a key is produced
    // at most once: `seen` catches the second).
    let mut map_out: Vec<(String, Value)> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut unknown: Option<Unknown> = None;
    for (k, v) in pairs {
        let mut c = ctx.with_binding(value_var, v);
        if let Some(kv) = key_var {
            c.bindings.push((kv.to_string(), k));
        }
        if let Some(cond) = &f.cond {
            let cv = eval(&cond.expr, &c)?;
            if let Some(u) = cv.as_unknown() {
                merge_into(&mut unknown, &u);
                continue;
            }
            match to_bool(&cv) {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    return Err(EvalError::new(
                        format!(
                            "Invalid 'for' condition: the 'if' clause value must be a bool, not {}.",
                            cv.type_name()
                        ),
                        span_of(ctx, &cond.expr),
                    ))
                }
            }
        }
        let val = eval(&f.value_expr, &c)?;
        match &f.key_expr {
            None => list_out.push(val),
            Some(ke) => {
                let key = eval(ke, &c)?;
                let key = match key {
                    Value::String(s) => s,
                    Value::Number(n) => format_number(n),
                    Value::Bool(b) => b.to_string(),
                    k if k.is_unknown() => {
                        merge_into(&mut unknown, &k.as_unknown().unwrap_or_default());
                        continue;
                    }
                    other => {
                        return Err(EvalError::new(
                            format!(
                                "Invalid object key: the key expression produced {}, but a string is required.",
                                other.type_name()
                            ),
                            span_of(ctx, ke),
                        ))
                    }
                };
                if f.grouping {
                    grouped.entry(key).or_default().push(val);
                } else {
                    if !seen.insert(key.clone()) {
                        return Err(EvalError::new(
                            format!("Duplicate object key: two different items produced the key {key:?} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key."),
                            span_of(ctx, ke),
                        ));
                    }
                    map_out.push((key, val));
                }
            }
        }
    }
    if let Some(u) = unknown {
        return Ok(Value::Unknown(u));
    }
    Ok(match &f.key_expr {
        None => Value::List(list_out),
        Some(_) if f.grouping => Value::Map(grouped.into_iter().map(|(k, v)| (k, Value::List(v))).collect()),
        Some(_) => Value::Map(map_out.into_iter().collect()),
    })
}

fn merge_into(acc: &mut Option<Unknown>, u: &Unknown) {
    match acc {
        Some(a) => a.merge(u),
        None => *acc = Some(u.clone()),
    }
}

/// Renders a template (`"${…}"`, heredoc, or a file given to templatefile).
pub fn render_template(t: &Template, ctx: &Ctx) -> EvalResult {
    let mut st = TemplateState::default();
    for el in t.iter() {
        render_element(el, ctx, &mut st)?;
    }
    st.finish()
}

#[derive(Default)]
struct TemplateState {
    out: String,
    /// The next literal loses its leading whitespace (`~}` before it).
    trim_next: bool,
    unknown: Option<Unknown>,
}

impl TemplateState {
    fn trim_end(&mut self) {
        let len = self.out.trim_end().len();
        self.out.truncate(len);
    }

    fn push_literal(&mut self, s: &str) {
        if self.trim_next {
            self.out.push_str(s.trim_start());
            self.trim_next = false;
        } else {
            self.out.push_str(s);
        }
    }

    fn finish(self) -> EvalResult {
        if let Some(u) = self.unknown {
            return Ok(Value::Unknown(u));
        }
        Ok(Value::String(self.out))
    }
}

fn template_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("Invalid template interpolation value: the expression result is null. Cannot include a null value in a string template.".into()),
        other => Err(format!(
            "Invalid template interpolation value: cannot include the given value in a string template: string required, not {}.",
            other.type_name()
        )),
    }
}

fn render_element(el: &Element, ctx: &Ctx, st: &mut TemplateState) -> Result<(), EvalError> {
    match el {
        Element::Literal(s) => st.push_literal(s.as_str()),
        Element::Interpolation(i) => {
            if i.strip.strip_start() {
                st.trim_end();
            }
            let v = eval(&i.expr, ctx)?;
            if let Some(u) = v.as_unknown() {
                merge_into(&mut st.unknown, &u);
            } else {
                let s = template_string(&v).map_err(|m| EvalError::new(m, span_of(ctx, &i.expr)))?;
                st.out.push_str(&s);
            }
            st.trim_next = i.strip.strip_end();
        }
        Element::Directive(d) => match &**d {
            Directive::If(d) => {
                if d.if_expr.strip.strip_start() {
                    st.trim_end();
                }
                st.trim_next = d.if_expr.strip.strip_end();
                let c = eval(&d.if_expr.cond_expr, ctx)?;
                if let Some(u) = c.as_unknown() {
                    merge_into(&mut st.unknown, &u);
                    return Ok(());
                }
                let b = to_bool(&c).ok_or_else(|| {
                    EvalError::new(
                        format!(
                            "Invalid template directive: the condition must be a bool, not {}.",
                            c.type_name()
                        ),
                        span_of(ctx, &d.if_expr.cond_expr),
                    )
                })?;
                if b {
                    for e in d.if_expr.template.iter() {
                        render_element(e, ctx, st)?;
                    }
                    if d.else_expr.as_ref().is_some_and(|e| e.strip.strip_start()) {
                        st.trim_end();
                    }
                } else if let Some(e) = &d.else_expr {
                    st.trim_next = e.strip.strip_end();
                    for x in e.template.iter() {
                        render_element(x, ctx, st)?;
                    }
                }
                if d.endif_expr.strip.strip_start() {
                    st.trim_end();
                }
                st.trim_next = d.endif_expr.strip.strip_end();
            }
            Directive::For(d) => {
                let fe = &d.for_expr;
                if fe.strip.strip_start() {
                    st.trim_end();
                }
                let coll = eval(&fe.collection_expr, ctx)?;
                if let Some(u) = coll.as_unknown() {
                    merge_into(&mut st.unknown, &u);
                    return Ok(());
                }
                let pairs: Vec<(Value, Value)> = match coll {
                        Value::List(v) => v.into_iter().enumerate().map(|(i, x)| (Value::Number(i as f64), x)).collect(),
                        Value::Set(v) => v.into_iter().map(|x| (x.clone(), x)).collect(),
                        Value::Map(m) => m.into_iter().map(|(k, x)| (Value::String(k), x)).collect(),
                        other => {
                            return Err(EvalError::new(
                                format!("Iteration over non-iterable value: a value of type {} cannot be used in a template 'for' directive.", other.type_name()),
                                span_of(ctx, &fe.collection_expr),
                            ))
                        }
                    };
                for (k, v) in pairs {
                    let mut c = ctx.with_binding(fe.value_var.as_str(), v);
                    if let Some(kv) = &fe.key_var {
                        c.bindings.push((kv.as_str().to_string(), k));
                    }
                    st.trim_next = fe.strip.strip_end();
                    for e in fe.template.iter() {
                        render_element(e, &c, st)?;
                    }
                    if d.endfor_expr.strip.strip_start() {
                        st.trim_end();
                    }
                }
                st.trim_next = d.endfor_expr.strip.strip_end();
            }
        },
    }
    Ok(())
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn evaluation_past_the_depth_limit_is_a_nesting_error() {
        // The parser limits stop such files first; an expression parsed without them still
        // evaluates to an error, not a stack overflow.
        let text = format!(
            "{}1{}",
            "(".repeat(MAX_EVAL_DEPTH + 10),
            ")".repeat(MAX_EVAL_DEPTH + 10)
        );
        let run = move || {
            let expr = hcl_edit::parser::parse_expr(&text).expect("parses");
            let scope = super::super::Scope::default();
            let err = eval(&expr, &Ctx::new(&scope, crate::source::FileId(0))).unwrap_err();
            assert_eq!(err.code, Some("eval::nesting"));
            assert!(err.span.is_some());
        };
        let t = std::thread::Builder::new()
            .stack_size(crate::cli::STACK_SIZE)
            .spawn(run);
        t.expect("thread").join().expect("no panic");
    }
}
