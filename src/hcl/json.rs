//! Terraform's JSON syntax (`*.tf.json`). The JSON is translated into native syntax the way
//! Terraform's JSON decoder interprets it (strings are templates, `type` and `provider` are
//! expressions, variable defaults are literal), then parsed like any `.tf` file. Every token of the
//! translation keeps the range of the JSON it came from, so diagnostics and findings point into
//! the JSON the user wrote.
//!
//! Without provider schemas, an object (or a list of objects) inside a resource body is read as a
//! nested block, except for the map-valued arguments in [`MAP_ARGUMENTS`].

use super::parse::{decode_text, ParsedFile};
use crate::diag::Diagnostic;
use crate::source::{Segment, SourceMap, Span};
use jsonc_parser::ast::{Object, ObjectProp, Value};
use std::fmt::Write as _;
use std::path::Path;

/// Arguments of AWS resources whose value is a map, not a nested block.
const MAP_ARGUMENTS: &[&str] = &[
    "tags",
    "tags_all",
    "dimensions",
    "triggers",
    "parameters",
    "variables",
    "environment_variables",
    "labels",
    "metadata",
    "options",
    "attributes",
    "default_tags",
    "assume_role_policy",
    "policy",
    "context",
    "headers",
];

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Strings are templates (`"${var.x}"`).
    Template,
    /// Strings are literal text (variable defaults).
    Literal,
    /// Strings are expressions (`type`, `provider`, `depends_on` entries).
    Expression,
}

type GenResult = Result<(), (String, jsonc_parser::common::Range)>;
type BodyFn = fn(&mut Gen, &Object) -> GenResult;

struct Gen {
    out: String,
    segments: Vec<Segment>,
}

fn prop_name(p: &ObjectProp) -> (String, jsonc_parser::common::Range) {
    match &p.name {
        jsonc_parser::ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
        jsonc_parser::ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
    }
}

fn range_of(v: &Value) -> jsonc_parser::common::Range {
    match v {
        Value::StringLit(x) => x.range,
        Value::NumberLit(x) => x.range,
        Value::BooleanLit(x) => x.range,
        Value::Object(x) => x.range,
        Value::Array(x) => x.range,
        Value::NullKeyword(x) => x.range,
    }
}

fn escape_char(c: char, out: &mut String) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}

/// The body of a quoted native-syntax string holding `s`. In a template, the literal parts are
/// escaped and the `${…}` / `%{…}` sequences are copied as they are (they hold expressions); a
/// literal escapes those sequences too.
fn escape(s: &str, literal: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let opens = (c == '$' || c == '%') && chars.get(i + 1) == Some(&'{');
        if opens && literal {
            out.push(c);
            out.push(c);
            out.push('{');
            i += 2;
            continue;
        }
        if opens {
            // `$${` is an escaped literal `${`.
            if chars.get(i.wrapping_sub(1)) == Some(&c) && i > 0 {
                out.push(c);
                i += 1;
                continue;
            }
            let mut depth = 0usize;
            let mut in_string = false;
            while i < chars.len() {
                let d = chars[i];
                out.push(d);
                i += 1;
                if in_string {
                    if d == '\\' && i < chars.len() {
                        out.push(chars[i]);
                        i += 1;
                    } else if d == '"' {
                        in_string = false;
                    }
                    continue;
                }
                match d {
                    '"' => in_string = true,
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
            continue;
        }
        escape_char(c, &mut out);
        i += 1;
    }
    out
}

impl Gen {
    /// Appends `text` translated from the JSON range `orig`.
    fn push(&mut self, text: &str, orig: jsonc_parser::common::Range) {
        let start = self.out.len();
        self.out.push_str(text);
        self.segments.push(Segment {
            translated: (start, self.out.len()),
            original: (orig.start, orig.end),
        });
    }

    fn label(&mut self, name: &str, orig: jsonc_parser::common::Range) {
        self.out.push(' ');
        self.push(&format!("\"{}\"", escape(name, true)), orig);
    }

    fn expr(&mut self, v: &Value, mode: Mode) -> Result<(), (String, jsonc_parser::common::Range)> {
        match v {
            Value::StringLit(s) => match mode {
                Mode::Expression => self.push(&s.value, s.range),
                Mode::Template => self.push(&format!("\"{}\"", escape(&s.value, false)), s.range),
                Mode::Literal => self.push(&format!("\"{}\"", escape(&s.value, true)), s.range),
            },
            Value::NumberLit(n) => self.push(n.value, n.range),
            Value::BooleanLit(b) => self.push(if b.value { "true" } else { "false" }, b.range),
            Value::NullKeyword(n) => self.push("null", n.range),
            Value::Array(a) => {
                self.push(
                    "[",
                    jsonc_parser::common::Range {
                        start: a.range.start,
                        end: a.range.start + 1,
                    },
                );
                for (i, e) in a.elements.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(e, mode)?;
                }
                self.push(
                    "]",
                    jsonc_parser::common::Range {
                        start: a.range.end.saturating_sub(1),
                        end: a.range.end,
                    },
                );
            }
            Value::Object(o) => {
                self.push(
                    "{",
                    jsonc_parser::common::Range {
                        start: o.range.start,
                        end: o.range.start + 1,
                    },
                );
                for p in &o.properties {
                    let (name, r) = prop_name(p);
                    if name == "//" {
                        continue;
                    }
                    self.out.push('\n');
                    let key_mode = if mode == Mode::Literal {
                        Mode::Literal
                    } else {
                        Mode::Template
                    };
                    let key = if key_mode == Mode::Literal {
                        escape(&name, true)
                    } else {
                        escape(&name, false)
                    };
                    self.push(&format!("\"{key}\""), r);
                    self.out.push_str(" = ");
                    self.expr(&p.value, mode)?;
                }
                self.out.push('\n');
                self.push(
                    "}",
                    jsonc_parser::common::Range {
                        start: o.range.end.saturating_sub(1),
                        end: o.range.end,
                    },
                );
            }
        }
        Ok(())
    }

    fn attr(
        &mut self,
        name: &str,
        r: jsonc_parser::common::Range,
        v: &Value,
        mode: Mode,
    ) -> Result<(), (String, jsonc_parser::common::Range)> {
        self.push(name, r);
        self.out.push_str(" = ");
        self.expr(v, mode)?;
        self.out.push('\n');
        Ok(())
    }

    fn open_block(
        &mut self,
        kind: &str,
        r: jsonc_parser::common::Range,
        labels: &[(String, jsonc_parser::common::Range)],
    ) {
        // The block as a whole points at its innermost label: in JSON, the key that names it.
        self.push(kind, labels.last().map(|l| l.1).unwrap_or(r));
        for (l, lr) in labels {
            self.label(l, *lr);
        }
        self.out.push_str(" {\n");
    }

    /// A block body: `v` is an object, or an array of objects (one block each).
    fn blocks(
        &mut self,
        kind: &str,
        r: jsonc_parser::common::Range,
        labels: &[(String, jsonc_parser::common::Range)],
        v: &Value,
        body: BodyFn,
    ) -> Result<(), (String, jsonc_parser::common::Range)> {
        let objects: Vec<&Object> = match v {
            Value::Object(o) => vec![o],
            Value::Array(a) => a
                .elements
                .iter()
                .map(|e| match e {
                    Value::Object(o) => Ok(o),
                    other => Err((format!("a {kind} block must be a JSON object"), range_of(other))),
                })
                .collect::<Result<_, _>>()?,
            other => return Err((format!("a {kind} block must be a JSON object"), range_of(other))),
        };
        for o in objects {
            self.open_block(kind, r, labels);
            body(self, o)?;
            self.out.push_str("}\n");
        }
        Ok(())
    }

    /// Descends `depth` levels of labels, then writes the blocks.
    fn labelled(
        &mut self,
        kind: &str,
        r: jsonc_parser::common::Range,
        v: &Value,
        depth: usize,
        labels: &mut Vec<(String, jsonc_parser::common::Range)>,
        body: BodyFn,
    ) -> Result<(), (String, jsonc_parser::common::Range)> {
        if depth == 0 {
            return self.blocks(kind, r, labels, v, body);
        }
        let Value::Object(o) = v else {
            return Err((
                format!("a {kind} block needs {depth} more label(s): expected a JSON object keyed by label"),
                range_of(v),
            ));
        };
        for p in &o.properties {
            let (name, nr) = prop_name(p);
            if name == "//" {
                continue;
            }
            labels.push((name, nr));
            self.labelled(kind, r, &p.value, depth - 1, labels, body)?;
            labels.pop();
        }
        Ok(())
    }
}

fn generic_body(g: &mut Gen, o: &Object, nested_blocks: bool) -> GenResult {
    for p in &o.properties {
        let (name, r) = prop_name(p);
        match name.as_str() {
            "//" => {}
            "provider" => g.attr(&name, r, &p.value, Mode::Expression)?,
            "depends_on" => g.attr(&name, r, &p.value, Mode::Expression)?,
            "lifecycle" => g.blocks("lifecycle", r, &[], &p.value, lifecycle_body)?,
            "provisioner" | "connection" => {}
            "dynamic" => g.labelled("dynamic", r, &p.value, 1, &mut Vec::new(), dynamic_body)?,
            _ if nested_blocks && !MAP_ARGUMENTS.contains(&name.as_str()) && is_block_value(&p.value) => {
                g.blocks(&name, r, &[], &p.value, nested_body)?
            }
            _ => g.attr(&name, r, &p.value, Mode::Template)?,
        }
    }
    Ok(())
}

fn is_block_value(v: &Value) -> bool {
    match v {
        Value::Object(_) => true,
        Value::Array(a) => !a.elements.is_empty() && a.elements.iter().all(|e| matches!(e, Value::Object(_))),
        _ => false,
    }
}

fn resource_body(g: &mut Gen, o: &Object) -> GenResult {
    generic_body(g, o, true)
}

fn nested_body(g: &mut Gen, o: &Object) -> GenResult {
    generic_body(g, o, true)
}

fn plain_body(g: &mut Gen, o: &Object) -> GenResult {
    generic_body(g, o, false)
}

fn lifecycle_body(g: &mut Gen, o: &Object) -> GenResult {
    for p in &o.properties {
        let (name, r) = prop_name(p);
        match name.as_str() {
            "//" => {}
            "ignore_changes" | "replace_triggered_by" => g.attr(&name, r, &p.value, Mode::Expression)?,
            _ => g.attr(&name, r, &p.value, Mode::Template)?,
        }
    }
    Ok(())
}

fn dynamic_body(g: &mut Gen, o: &Object) -> GenResult {
    for p in &o.properties {
        let (name, r) = prop_name(p);
        match name.as_str() {
            "//" => {}
            "iterator" => g.attr(&name, r, &p.value, Mode::Expression)?,
            "content" => g.blocks("content", r, &[], &p.value, nested_body)?,
            _ => g.attr(&name, r, &p.value, Mode::Template)?,
        }
    }
    Ok(())
}

fn variable_body(g: &mut Gen, o: &Object) -> GenResult {
    for p in &o.properties {
        let (name, r) = prop_name(p);
        match name.as_str() {
            "//" => {}
            "type" => g.attr(&name, r, &p.value, Mode::Expression)?,
            "default" => g.attr(&name, r, &p.value, Mode::Literal)?,
            "validation" => g.blocks("validation", r, &[], &p.value, plain_body)?,
            _ => g.attr(&name, r, &p.value, Mode::Template)?,
        }
    }
    Ok(())
}

fn module_body(g: &mut Gen, o: &Object) -> GenResult {
    for p in &o.properties {
        let (name, r) = prop_name(p);
        match name.as_str() {
            "//" => {}
            "source" | "version" => g.attr(&name, r, &p.value, Mode::Literal)?,
            "providers" | "depends_on" => g.attr(&name, r, &p.value, Mode::Expression)?,
            _ => g.attr(&name, r, &p.value, Mode::Template)?,
        }
    }
    Ok(())
}

fn terraform_body(g: &mut Gen, o: &Object) -> GenResult {
    for p in &o.properties {
        let (name, r) = prop_name(p);
        match name.as_str() {
            "//" => {}
            "backend" => g.labelled("backend", r, &p.value, 1, &mut Vec::new(), plain_body)?,
            "cloud" | "required_providers" => g.blocks(&name, r, &[], &p.value, plain_body)?,
            _ => g.attr(&name, r, &p.value, Mode::Literal)?,
        }
    }
    Ok(())
}

fn locals_body(g: &mut Gen, o: &Object) -> GenResult {
    generic_body(g, o, false)
}

fn top(g: &mut Gen, o: &Object) -> GenResult {
    for p in &o.properties {
        let (kind, r) = prop_name(p);
        let mut labels = Vec::new();
        match kind.as_str() {
            "//" => {}
            "resource" | "data" | "ephemeral" => g.labelled(&kind, r, &p.value, 2, &mut labels, resource_body)?,
            "variable" => g.labelled(&kind, r, &p.value, 1, &mut labels, variable_body)?,
            "output" | "provider" => g.labelled(&kind, r, &p.value, 1, &mut labels, plain_body)?,
            "module" => g.labelled(&kind, r, &p.value, 1, &mut labels, module_body)?,
            "locals" => g.blocks("locals", r, &[], &p.value, locals_body)?,
            "terraform" => g.blocks("terraform", r, &[], &p.value, terraform_body)?,
            "moved" | "import" | "removed" | "check" => {}
            _ => g.blocks(&kind, r, &[], &p.value, plain_body)?,
        }
    }
    Ok(())
}

/// Translates and parses one `.tf.json` file.
pub fn parse_json_file(path: &Path, sources: &SourceMap) -> Result<ParsedFile, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Box::new(Diagnostic::error(
            "io::read",
            format!("cannot read {}: {e}", crate::source::display_path(path).display()),
            None,
        ))
    })?;
    let text = decode_text(&bytes);
    let text = text.trim_start_matches('\u{feff}').to_string();
    let opts = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..Default::default()
    };
    // jsonc-parser descends recursively: a document nested past the limit is refused first.
    if let Err(e) = super::nesting::check_json(&text) {
        let file = sources.add(path.to_path_buf(), text.as_str());
        return Err(Box::new(super::parse::nesting_diagnostic(file, &text, e)));
    }
    let parsed = jsonc_parser::parse_to_ast(&text, &Default::default(), &opts);
    let fail = |msg: String, r: jsonc_parser::common::Range, sources: &SourceMap| {
        let file = sources.add(path.to_path_buf(), text.as_str());
        Box::new(Diagnostic::error(
            "hcl::json",
            msg,
            Some(Span::new(file, r.start..r.end.max(r.start + 1))),
        ))
    };
    let ast = match parsed {
        Ok(r) => r,
        Err(e) => return Err(fail(format!("invalid JSON: {}", e.kind()), e.range(), sources)),
    };
    let Some(Value::Object(root)) = ast.value else {
        return Err(fail(
            "a Terraform JSON file must hold one JSON object".into(),
            jsonc_parser::common::Range {
                start: 0,
                end: text.len().min(1),
            },
            sources,
        ));
    };
    let mut g = Gen {
        out: String::new(),
        segments: Vec::new(),
    };
    if let Err((msg, r)) = top(&mut g, &root) {
        return Err(fail(msg, r, sources));
    }
    let file = sources.add_translated(path.to_path_buf(), text.as_str(), g.segments);
    super::parse::parse_text(file, &g.out)
}
