//! Terraform's built-in functions, one file per family as in Terraform's documentation. Every
//! function is pure except `timestamp`, `plantimestamp`, `uuid` and `bcrypt`, which give unknown.
//!
//! Unknown arguments: most functions return an unknown value (referring to everything their
//! arguments referred to) when any argument is not wholly known; the structural ones listed in
//! [`STRUCTURAL`] work on collections that merely contain unknown elements, as Terraform's do.

mod collection;
mod conversion;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod format;
mod network;
mod numeric;
mod string;

use super::FsAccess;
use crate::model::Map;
use crate::model::{Unknown, Value};

pub type FnResult = Result<Value, String>;

/// Functions whose result is defined for collections that contain unknown elements.
const STRUCTURAL: &[&str] = &[
    "length",
    "concat",
    "merge",
    "flatten",
    "element",
    "lookup",
    "keys",
    "values",
    "slice",
    "reverse",
    "tolist",
    "tomap",
    "one",
    "zipmap",
    "coalescelist",
    "chunklist",
    "sensitive",
    "nonsensitive",
    "type",
];

/// Functions whose value changes from run to run.
const IMPURE: &[&str] = &["timestamp", "plantimestamp", "uuid", "bcrypt"];

/// Every function name infracheck knows, sorted.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = TABLE.iter().map(|(n, _)| *n).chain(IMPURE.iter().copied()).collect();
    v.push("try");
    v.push("can");
    v.push("templatefile");
    v.sort_unstable();
    v
}

type Builtin = fn(&[Value]) -> FnResult;

const TABLE: &[(&str, Builtin)] = &[
    // numeric
    ("abs", numeric::abs),
    ("ceil", numeric::ceil),
    ("floor", numeric::floor),
    ("log", numeric::log),
    ("max", numeric::max),
    ("min", numeric::min),
    ("parseint", numeric::parseint),
    ("pow", numeric::pow),
    ("signum", numeric::signum),
    // string
    ("chomp", string::chomp),
    ("endswith", string::endswith),
    ("format", format::format),
    ("formatlist", format::formatlist),
    ("indent", string::indent),
    ("join", string::join),
    ("lower", string::lower),
    ("regex", string::regex),
    ("regexall", string::regexall),
    ("replace", string::replace),
    ("split", string::split),
    ("startswith", string::startswith),
    ("strcontains", string::strcontains),
    ("strrev", string::strrev),
    ("substr", string::substr),
    ("title", string::title),
    ("trim", string::trim),
    ("trimprefix", string::trimprefix),
    ("trimspace", string::trimspace),
    ("trimsuffix", string::trimsuffix),
    ("upper", string::upper),
    // collection
    ("alltrue", collection::alltrue),
    ("anytrue", collection::anytrue),
    ("chunklist", collection::chunklist),
    ("coalesce", collection::coalesce),
    ("coalescelist", collection::coalescelist),
    ("compact", collection::compact),
    ("concat", collection::concat),
    ("contains", collection::contains),
    ("distinct", collection::distinct),
    ("element", collection::element),
    ("flatten", collection::flatten),
    ("index", collection::index),
    ("keys", collection::keys),
    ("length", collection::length),
    ("lookup", collection::lookup),
    ("matchkeys", collection::matchkeys),
    ("merge", collection::merge),
    ("one", collection::one),
    ("range", collection::range),
    ("reverse", collection::reverse),
    ("setintersection", collection::setintersection),
    ("setproduct", collection::setproduct),
    ("setsubtract", collection::setsubtract),
    ("setunion", collection::setunion),
    ("slice", collection::slice),
    ("sort", collection::sort),
    ("sum", collection::sum),
    ("transpose", collection::transpose),
    ("values", collection::values),
    ("zipmap", collection::zipmap),
    // encoding
    ("base64decode", encoding::base64decode),
    ("base64encode", encoding::base64encode),
    ("base64gzip", encoding::base64gzip),
    ("csvdecode", encoding::csvdecode),
    ("jsondecode", encoding::jsondecode),
    ("jsonencode", encoding::jsonencode),
    ("textdecodebase64", encoding::textdecodebase64),
    ("textencodebase64", encoding::textencodebase64),
    ("urlencode", encoding::urlencode),
    ("yamldecode", encoding::yamldecode),
    ("yamlencode", encoding::yamlencode),
    // date and time
    ("formatdate", datetime::formatdate),
    ("timeadd", datetime::timeadd),
    ("timecmp", datetime::timecmp),
    // hash and crypto
    ("base64sha256", crypto::base64sha256),
    ("base64sha512", crypto::base64sha512),
    ("md5", crypto::md5),
    ("rsadecrypt", crypto::rsadecrypt),
    ("sha1", crypto::sha1),
    ("sha256", crypto::sha256),
    ("sha512", crypto::sha512),
    ("uuidv5", crypto::uuidv5),
    // network
    ("cidrhost", network::cidrhost),
    ("cidrnetmask", network::cidrnetmask),
    ("cidrsubnet", network::cidrsubnet),
    ("cidrsubnets", network::cidrsubnets),
    // type conversion
    ("nonsensitive", conversion::identity),
    ("sensitive", conversion::identity),
    ("tobool", conversion::tobool),
    ("tolist", conversion::tolist),
    ("tomap", conversion::tomap),
    ("tonumber", conversion::tonumber),
    ("toset", conversion::toset),
    ("tostring", conversion::tostring),
    ("type", conversion::type_of),
];

/// Filesystem functions: they read below the module directory and never outside the scanned tree.
type FsBuiltin = fn(&[Value], &FsAccess) -> FnResult;

const FS_TABLE: &[(&str, FsBuiltin)] = &[
    ("abspath", filesystem::abspath),
    ("basename", filesystem::basename),
    ("dirname", filesystem::dirname),
    ("file", filesystem::file),
    ("filebase64", filesystem::filebase64),
    ("filebase64sha256", filesystem::filebase64sha256),
    ("filebase64sha512", filesystem::filebase64sha512),
    ("fileexists", filesystem::fileexists),
    ("filemd5", filesystem::filemd5),
    ("fileset", filesystem::fileset),
    ("filesha1", filesystem::filesha1),
    ("filesha256", filesystem::filesha256),
    ("filesha512", filesystem::filesha512),
    ("pathexpand", filesystem::pathexpand),
    ("templatefile", filesystem::templatefile),
];

/// Calls function `name`.
pub fn call(name: &str, args: Vec<Value>, fs: &FsAccess) -> FnResult {
    if IMPURE.contains(&name) {
        return Ok(Value::Unknown(Unknown::default()));
    }
    if matches!(name, "list" | "map") {
        return Err(format!(
            "Call to unknown function: the \"{name}\" function was deprecated in Terraform v0.12 and is no longer available; use tolist([ ... ]) or tomap({{ ... }}) syntax to write a literal {name}."
        ));
    }
    let builtin = TABLE.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
    let fs_fn = FS_TABLE.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
    if builtin.is_none() && fs_fn.is_none() {
        return Err(format!(
            "Call to unknown function: there is no function named {name:?}."
        ));
    }
    // coalesce decides at the first argument that is unknown or holds a value: later unknowns
    // do not matter (`coalesce(var.name, aws_x.y.id)` with a name is the name).
    let mut args = args;
    if name == "coalesce" {
        let decisive = args
            .iter()
            .position(|a| a.is_unknown() || !(a.is_null() || matches!(a, Value::String(s) if s.is_empty())));
        if let Some(i) = decisive {
            if args[i].is_unknown() {
                return Ok(args.swap_remove(i));
            }
            if args[i + 1..].iter().any(|a| !a.is_wholly_known()) {
                args.truncate(i + 1);
            }
        }
    }
    // Unknown arguments.
    if STRUCTURAL.contains(&name) {
        if let Some(u) = merged_unknown(args.iter().filter(|a| a.is_unknown())) {
            return Ok(Value::Unknown(u));
        }
    } else if name != "templatefile" {
        if let Some(mut u) = merged_unknown(args.iter().filter(|a| !a.is_wholly_known())) {
            // The JSON of a partly known value: keep the value, so checks can read its known parts
            // (an IAM policy's actions, a container's log driver) before apply.
            if name == "jsonencode" && args.len() == 1 && !args[0].is_unknown() {
                u.encodes = Some(std::sync::Arc::new(args[0].clone()));
            }
            return Ok(Value::Unknown(u));
        }
    }
    let result = match (builtin, fs_fn) {
        (Some(f), _) => f(&args),
        (None, Some(f)) => f(&args, fs),
        (None, None) => unreachable!("checked above"),
    };
    result.map_err(|m| format!("Error in function call: call to function {name:?} failed: {m}"))
}

fn merged_unknown<'a>(it: impl Iterator<Item = &'a Value>) -> Option<Unknown> {
    let mut acc: Option<Unknown> = None;
    for v in it {
        let u = v.unknown_refs().unwrap_or_default();
        match &mut acc {
            Some(a) => a.merge(&u),
            None => acc = Some(u),
        }
    }
    acc
}

/// The longest string a function builds from a short input (`format` widths, `indent`): 16 MiB,
/// far beyond any attribute AWS accepts, and small enough that no input exhausts memory.
pub(crate) const MAX_STRING_BYTES: usize = 16 << 20;

/// The longest list a function builds from short inputs (`setproduct`): about a million elements.
/// (`range` has Terraform's own bound, 1,024 values.)
pub(crate) const MAX_ELEMENTS: usize = 1 << 20;

pub(crate) fn too_large(bytes: usize) -> String {
    format!("the result is too large ({bytes} bytes; at most {MAX_STRING_BYTES})")
}

// ---- argument helpers shared by the families ----

pub(crate) fn arity(args: &[Value], n: usize) -> Result<(), String> {
    if args.len() != n {
        return Err(format!("exactly {n} argument(s) required, {} given", args.len()));
    }
    Ok(())
}

pub(crate) fn arity_range(args: &[Value], min: usize, max: usize) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        return Err(format!(
            "between {min} and {max} arguments required, {} given",
            args.len()
        ));
    }
    Ok(())
}

pub(crate) fn str_arg(args: &[Value], i: usize) -> Result<String, String> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(crate::model::value::format_number(*n)),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(Value::Null) => Err(format!("argument {} must not be null", i + 1)),
        Some(other) => Err(format!(
            "argument {}: string required, not {}",
            i + 1,
            other.type_name()
        )),
        None => Err(format!("argument {} is required", i + 1)),
    }
}

pub(crate) fn num_arg(args: &[Value], i: usize) -> Result<f64, String> {
    match args.get(i) {
        Some(v) => super::expr::to_number(v)
            .ok_or_else(|| format!("argument {}: a number is required, not {}", i + 1, v.type_name())),
        None => Err(format!("argument {} is required", i + 1)),
    }
}

pub(crate) fn int_arg(args: &[Value], i: usize) -> Result<i64, String> {
    let n = num_arg(args, i)?;
    if n.fract() != 0.0 {
        return Err(format!("argument {}: a whole number is required, not {n}", i + 1));
    }
    Ok(n as i64)
}

pub(crate) fn list_arg(args: &[Value], i: usize) -> Result<Vec<Value>, String> {
    match args.get(i) {
        Some(Value::List(v)) | Some(Value::Set(v)) => Ok(v.clone()),
        Some(Value::Null) => Err(format!("argument {} must not be null", i + 1)),
        Some(other) => Err(format!(
            "argument {}: list, set or tuple required, not {}",
            i + 1,
            other.type_name()
        )),
        None => Err(format!("argument {} is required", i + 1)),
    }
}

pub(crate) fn map_arg(args: &[Value], i: usize) -> Result<Map, String> {
    match args.get(i) {
        Some(Value::Map(m)) => Ok(m.clone()),
        Some(Value::Open(o)) => Ok(o.attrs.clone()),
        Some(Value::Null) => Err(format!("argument {} must not be null", i + 1)),
        Some(other) => Err(format!(
            "argument {}: map or object required, not {}",
            i + 1,
            other.type_name()
        )),
        None => Err(format!("argument {} is required", i + 1)),
    }
}
