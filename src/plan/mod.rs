//! The plan front end: `terraform show -json` output (format 0.1 through 1.x) read into the same
//! [`Project`] the HCL front end builds, so every rule works on plans unchanged.
//!
//! What the plan knows is taken from the plan: every instance and its planned values, unknown
//! values (`after_unknown`) with what they refer to (the configuration's `references`, followed
//! through module arguments), sensitive values, provider regions, variables. Where the user wrote
//! it comes from the configuration directory (`--source-dir`, default the plan's directory, then
//! the working directory), evaluated by the HCL front end: each finding points at the `.tf`
//! attribute, and where no source is found, at the resource's entry in the plan file.

use crate::diag::Diagnostic;
use crate::hcl::eval::module::evaluate_root;
use crate::hcl::{Loader, RootSpec};
use crate::model::Map;
use crate::model::{InstanceKey, Mode, ModulePath, Project, Provenance, Resource, Unknown, Value};
use crate::source::{FileId, Span};
use serde_json::value::RawValue;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What a JSON document given as input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plan,
    /// `terraform show -json` of a state, not a plan.
    State,
    Other,
}

/// Classifies a parsed JSON document by its content.
pub fn kind(doc: &Json) -> Kind {
    kind_from(&|k| doc.get(k).is_some())
}

fn kind_from(has: &dyn Fn(&str) -> bool) -> Kind {
    if has("format_version") && (has("planned_values") || has("resource_changes") || has("configuration")) {
        Kind::Plan
    } else if has("format_version") && has("values") || has("serial") && has("lineage") {
        Kind::State
    } else {
        Kind::Other
    }
}

/// Whether the bytes look like a JSON document (after any BOM), so a file argument is read as one.
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let text = crate::hcl::parse::decode_text(&bytes[..bytes.len().min(64)]);
    text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

/// A plan to read, as the command line gives it.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub path: PathBuf,
    /// The environment name, or the plan's path as the user gave it.
    pub name: String,
    /// The configuration the plan was made from, when known.
    pub source_dir: Option<PathBuf>,
    pub profile: String,
    pub workspace: String,
}

fn error(code: &'static str, message: String, span: Option<Span>, help: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(code, message, span).with_help(help))
}

/// Reads the plan in `spec` into a project. An unreadable, malformed or unsupported file is one
/// located error.
pub fn read(loader: &Loader, spec: &PlanSpec) -> Result<Project, Box<Diagnostic>> {
    let shown = crate::source::display_path(&spec.path);
    // One copy of the text at a time: the bytes, then the decoded text, then the source map's.
    let text = {
        let bytes = std::fs::read(&spec.path).map_err(|e| {
            error(
                "plan::read",
                format!("{}: {e}", shown.display()),
                None,
                "check the path",
            )
        })?;
        crate::hcl::parse::decode_text(&bytes)
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let file = loader.sources.add(shown.clone(), text);
    let source = loader.sources.get(file);
    let text: &str = &source.text;
    let top: Top = serde_json::from_str(text).map_err(|e| {
        let offset = offset_of(text, e.line(), e.column());
        let what = if e.is_eof() {
            "ends early (truncated?)"
        } else {
            "is not valid JSON"
        };
        error(
            "plan::json",
            format!("{} {what}: {e}", shown.display()),
            Some(Span::new(file, offset..(offset + 1).min(text.len()))),
            "give the output of `terraform show -json tfplan`",
        )
    })?;
    let at_start = Some(Span::new(file, 0..text.len().min(1)));
    match top.kind() {
        Kind::Plan => {}
        Kind::State => {
            return Err(error(
                "plan::state-given",
                format!("{} is a Terraform state, not a plan", shown.display()),
                at_start,
                "run `terraform plan -out=tfplan` and give `terraform show -json tfplan`",
            ))
        }
        Kind::Other => {
            return Err(error(
                "plan::not-a-plan",
                format!(
                    "{} is JSON but not a Terraform plan (no format_version and planned values)",
                    shown.display()
                ),
                at_start,
                "give the output of `terraform show -json tfplan`",
            ))
        }
    }
    let version_json = top.format_version.map(parse_raw).unwrap_or(Json::Null);
    let version = version_json.as_str().unwrap_or("");
    let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok());
    if !matches!(major, Some(0 | 1)) {
        let offset = text.find("\"format_version\"").unwrap_or(0);
        return Err(error(
            "plan::format-version",
            format!(
                "{} has plan format_version {version:?}; infracheck reads 0.x and 1.x",
                shown.display()
            ),
            Some(Span::new(file, offset..offset + "\"format_version\"".len())),
            "use a Terraform release whose plan format is 1.x, or upgrade infracheck",
        ));
    }
    // The small parts as JSON values; each resource change is parsed on its own, when it is read,
    // so a large plan is never held as one JSON tree.
    let changes: Vec<&RawValue> = match top.resource_changes {
        Some(raw) => serde_json::from_str(raw.get()).unwrap_or_default(),
        None => Vec::new(),
    };
    let mut doc = serde_json::Map::new();
    doc.insert("format_version".into(), version_json.clone());
    for (key, raw) in [("variables", top.variables), ("configuration", top.configuration)] {
        if let Some(r) = raw {
            doc.insert(key.into(), parse_raw(r));
        }
    }
    let doc = Json::Object(doc);
    Ok(Builder::new(loader, spec, &doc, &changes, top.planned_values, file, text).build())
}

/// The evaluated configuration's resources, by address and by block (the first instance of each),
/// so that each of a plan's resources finds where it was written in constant time.
struct Written<'p> {
    by_address: HashMap<&'p str, &'p Resource>,
    by_block: HashMap<(String, Mode), &'p Resource>,
}

impl<'p> Written<'p> {
    fn new(source: Option<&'p Project>) -> Written<'p> {
        let mut by_address = HashMap::new();
        let mut by_block = HashMap::new();
        for r in source.map(|p| p.resources.as_slice()).unwrap_or_default() {
            by_address.entry(r.address.as_str()).or_insert(r);
            by_block.entry((strip_keys(&r.address), r.mode)).or_insert(r);
        }
        Written { by_address, by_block }
    }

    /// The resource of the same address, or else the first of the same block.
    fn of(&self, address: &str, mode: Mode) -> Option<&'p Resource> {
        self.by_address
            .get(address)
            .copied()
            .or_else(|| self.by_block.get(&(strip_keys(address), mode)).copied())
    }
}

/// Just the address of a resource change.
#[derive(serde::Deserialize)]
struct AddressOnly {
    address: String,
}

/// The top-level members of a plan (or of what was given as one), unparsed.
#[derive(serde::Deserialize)]
struct Top<'a> {
    #[serde(borrow)]
    format_version: Option<&'a RawValue>,
    #[serde(borrow)]
    planned_values: Option<&'a RawValue>,
    #[serde(borrow)]
    resource_changes: Option<&'a RawValue>,
    #[serde(borrow)]
    configuration: Option<&'a RawValue>,
    #[serde(borrow)]
    variables: Option<&'a RawValue>,
    #[serde(borrow)]
    values: Option<&'a RawValue>,
    #[serde(borrow)]
    serial: Option<&'a RawValue>,
    #[serde(borrow)]
    lineage: Option<&'a RawValue>,
}

impl Top<'_> {
    fn kind(&self) -> Kind {
        let has = |v: &Option<&RawValue>| v.is_some();
        kind_from(&|k| match k {
            "format_version" => has(&self.format_version),
            "planned_values" => has(&self.planned_values),
            "resource_changes" => has(&self.resource_changes),
            "configuration" => has(&self.configuration),
            "values" => has(&self.values),
            "serial" => has(&self.serial),
            "lineage" => has(&self.lineage),
            _ => false,
        })
    }
}

fn parse_raw(r: &RawValue) -> Json {
    serde_json::from_str(r.get()).unwrap_or(Json::Null)
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

/// A module of the configuration (keyed by its call path without instance keys).
struct ConfigModule<'a> {
    json: &'a Json,
}

struct Builder<'a> {
    loader: &'a Loader,
    spec: &'a PlanSpec,
    doc: &'a Json,
    changes: &'a [&'a RawValue],
    planned: Option<&'a RawValue>,
    file: FileId,
    text: &'a str,
    modules: BTreeMap<String, ConfigModule<'a>>,
    diagnostics: Vec<Diagnostic>,
}

/// `module.a["x"].module.b[0]` → `module.a.module.b`.
fn strip_keys(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let mut in_string = false;
    let mut prev = '\0';
    for c in address.chars() {
        match c {
            '"' if depth > 0 && prev != '\\' => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
        prev = c;
    }
    out
}

/// The module path of a resource instance address, and its module-local part.
fn split_module(address: &str) -> (String, &str) {
    // Module parts come first, each `module.<name>[key]`; the rest is `<type>.<name>[key]` or
    // `data.<type>.<name>[key]`.
    let mut rest = address;
    let mut module_len = 0;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let mut end = name_end;
        if after[end..].starts_with('[') {
            end += bracket_end(&after[end..]);
        }
        let consumed = "module.".len() + end + 1;
        if consumed > rest.len() {
            break;
        }
        module_len += consumed;
        rest = &rest[consumed..];
    }
    let module = address[..module_len].trim_end_matches('.').to_string();
    (module, rest)
}

/// The length of a `[...]` key at the start of `s`, brackets included.
fn bracket_end(s: &str) -> usize {
    let mut in_string = false;
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        match c {
            '"' if prev != '\\' => in_string = !in_string,
            ']' if !in_string => return i + 1,
            _ => {}
        }
        prev = c;
    }
    s.len()
}

fn module_path(module_address: &str) -> ModulePath {
    let mut parts = Vec::new();
    let mut rest = module_address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let name = after[..name_end].to_string();
        let mut end = name_end;
        let mut key = InstanceKey::None;
        if after[end..].starts_with('[') {
            let len = bracket_end(&after[end..]);
            key = parse_key(&after[end + 1..end + len - 1]);
            end += len;
        }
        parts.push((name, key));
        rest = after[end..].strip_prefix('.').unwrap_or("");
    }
    ModulePath(parts)
}

fn parse_key(inner: &str) -> InstanceKey {
    if let Ok(i) = inner.parse::<i64>() {
        InstanceKey::Int(i)
    } else if let Ok(Json::String(s)) = serde_json::from_str::<Json>(inner) {
        InstanceKey::Str(s)
    } else {
        InstanceKey::Str(inner.to_string())
    }
}

fn key_of(index: Option<&Json>) -> InstanceKey {
    match index {
        Some(Json::Number(n)) => InstanceKey::Int(n.as_i64().unwrap_or(0)),
        Some(Json::String(s)) => InstanceKey::Str(s.clone()),
        _ => InstanceKey::None,
    }
}

impl<'a> Builder<'a> {
    fn new(
        loader: &'a Loader,
        spec: &'a PlanSpec,
        doc: &'a Json,
        changes: &'a [&'a RawValue],
        planned: Option<&'a RawValue>,
        file: FileId,
        text: &'a str,
    ) -> Builder<'a> {
        let mut modules = BTreeMap::new();
        if let Some(root) = doc.pointer("/configuration/root_module") {
            collect_modules(String::new(), root, &mut modules);
        }
        Builder {
            loader,
            spec,
            doc,
            changes,
            planned,
            file,
            text,
            modules,
            diagnostics: Vec::new(),
        }
    }

    fn build(mut self) -> Project {
        let source = self.source_project();
        let positions = self.plan_positions();
        let regions = self.provider_regions();
        let written = Written::new(source.as_ref());
        let mut resources = Vec::new();
        let mut seen = BTreeSet::new();
        for raw in self.changes {
            let rc: Json = parse_raw(raw);
            let rc = &rc;
            let actions: Vec<&str> = rc
                .pointer("/change/actions")
                .and_then(|a| a.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            // Instances only being deleted are not checked or priced.
            if actions == ["delete"] || rc.get("deposed").is_some() {
                continue;
            }
            let change = &rc["change"];
            let r = self.resource(
                rc,
                &change["after"],
                &change["after_unknown"],
                &change["after_sensitive"],
                &regions,
                &written,
                &positions,
            );
            seen.insert(r.address.clone());
            resources.push(r);
        }
        // Resources in the planned values without a change entry: data sources read during plan,
        // and every resource of formats that list no changes.
        let mut planned = Vec::new();
        if let Some(root) = self
            .planned
            .and_then(|raw| serde_json::from_str::<PlannedValues>(raw.get()).ok())
            .and_then(|p| p.root_module)
        {
            collect_planned(&root, &mut planned);
        }
        for raw in planned {
            let Ok(head) = serde_json::from_str::<AddressOnly>(raw.get()) else {
                continue;
            };
            if seen.contains(&head.address) {
                continue;
            }
            let pr = parse_raw(raw);
            let pr = &pr;
            let r = self.resource(
                pr,
                &pr["values"],
                &Json::Null,
                &pr["sensitive_values"],
                &regions,
                &written,
                &positions,
            );
            resources.push(r);
        }
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        let variables = self.doc["variables"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(&v["value"])))
                    .collect()
            })
            .unwrap_or_default();
        let backend_known = source.is_some();
        let (settings_span, ignored_backends, module_sources, module_providers) = source
            .as_ref()
            .map(|p| {
                (
                    p.settings_span,
                    p.ignored_backends.clone(),
                    p.module_sources.clone(),
                    p.module_providers.clone(),
                )
            })
            .unwrap_or_default();
        let (backend, providers, mut diagnostics, external, module_dirs, remote_modules) = match source {
            Some(p) => (
                p.backend,
                p.providers,
                Vec::new(),
                p.external_modules,
                p.module_dirs,
                p.remote_modules,
            ),
            None => {
                let d = Diagnostic::warning(
                    "plan::no-source",
                    format!(
                        "the configuration of {} was not found: findings point into the plan, and the backend (which plans do not record) is not checked",
                        crate::source::display_path(&self.spec.path).display()
                    ),
                    None,
                )
                .with_help("give the directory the plan was made in with --source-dir");
                (None, Vec::new(), vec![d], Vec::new(), Vec::new(), Vec::new())
            }
        };
        diagnostics.append(&mut self.diagnostics);
        let mut project = Project {
            env: self.spec.name.clone(),
            root: crate::source::display_path(&self.spec.path),
            resources,
            backend,
            providers,
            variables,
            outputs: Map::new(),
            external_modules: external,
            diagnostics,
            profile: self.spec.profile.clone(),
            backend_known,
            budget: None,
            module_dirs,
            remote_modules,
            settings_span,
            ignored_backends,
            module_sources,
            module_providers,
            example: None,
        };
        crate::model::join::join(&mut project);
        project
    }

    /// The configuration evaluated by the HCL front end, with the plan's variables, for locations.
    fn source_project(&mut self) -> Option<Project> {
        let dir = self.spec.source_dir.clone()?;
        if crate::hcl::discover::module_files(&dir).is_empty() {
            return None;
        }
        let vars: Vec<(String, String)> = self.doc["variables"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| !v["value"].is_null())
                    .map(|(k, v)| {
                        let value = match &v["value"] {
                            Json::String(s) => s.clone(),
                            other => crate::model::value::to_hcl(&Value::from_json(other)),
                        };
                        (k.clone(), value)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let spec = RootSpec {
            name: self.spec.name.clone(),
            dir: crate::source::display_path(&dir),
            var_files: Vec::new(),
            vars,
            workspace: self.spec.workspace.clone(),
            profile: self.spec.profile.clone(),
            example: None,
            deployment: false,
        };
        Some(evaluate_root(self.loader, &spec))
    }

    /// Where each resource instance's entry starts in the plan file, by address.
    fn plan_positions(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        // Each change is a slice of the text: its offset is where its object starts.
        let base = self.text.as_ptr() as usize;
        for raw in self.changes {
            let offset = (raw.get().as_ptr() as usize).saturating_sub(base);
            if let Ok(head) = serde_json::from_str::<AddressOnly>(raw.get()) {
                out.entry(head.address).or_insert(offset);
            }
        }
        if !out.is_empty() {
            return out;
        }
        // Older plans without resource changes: find the addresses in the text.
        let start = self.text.find("\"resource_changes\"").unwrap_or(0);
        let bytes = self.text.as_bytes();
        let needle = "\"address\"";
        let mut at = start;
        while let Some(found) = self.text[at..].find(needle) {
            let key = at + found;
            let mut i = key + needle.len();
            while i < bytes.len()
                && (bytes[i] == b' ' || bytes[i] == b':' || bytes[i] == b'\n' || bytes[i] == b'\t' || bytes[i] == b'\r')
            {
                i += 1;
            }
            at = i;
            if i < bytes.len() && bytes[i] == b'"' {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                if let Ok(Json::String(addr)) = serde_json::from_str::<Json>(&self.text[i..(j + 1).min(bytes.len())]) {
                    out.entry(addr).or_insert(key);
                }
                at = j.min(bytes.len());
            }
        }
        out
    }

    /// The region of each provider configuration, by its key.
    fn provider_regions(&self) -> Map {
        let mut out = Map::new();
        let vars = &self.doc["variables"];
        for (key, cfg) in self
            .doc
            .pointer("/configuration/provider_config")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
        {
            if cfg["name"].as_str() != Some("aws") {
                continue;
            }
            let region = &cfg["expressions"]["region"];
            let value = if let Some(c) = region.get("constant_value") {
                Value::from_json(c)
            } else if let Some(refs) = region["references"].as_array() {
                let in_root = cfg.get("module_address").is_none();
                match refs.iter().filter_map(|r| r.as_str()).find(|r| r.starts_with("var.")) {
                    Some(var) if in_root && !vars[&var[4..]]["value"].is_null() => {
                        Value::from_json(&vars[&var[4..]]["value"])
                    }
                    _ => Value::Unknown(Unknown {
                        refs: refs.iter().filter_map(|r| r.as_str().map(String::from)).collect(),
                        encodes: None,
                    }),
                }
            } else {
                Value::Null
            };
            out.insert(key.clone(), value);
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn resource(
        &self,
        rc: &Json,
        after: &Json,
        after_unknown: &Json,
        after_sensitive: &Json,
        regions: &Map,
        written: &Written,
        positions: &BTreeMap<String, usize>,
    ) -> Resource {
        let address = rc["address"].as_str().unwrap_or_default().to_string();
        let (module_address, local) = split_module(&address);
        let mode = if rc["mode"].as_str() == Some("data") {
            Mode::Data
        } else {
            Mode::Managed
        };
        let resource_type = rc["type"].as_str().unwrap_or_default().to_string();
        let name = rc["name"].as_str().unwrap_or_default().to_string();
        let key = key_of(rc.get("index"));
        let config_module = strip_keys(&module_address);
        let config_address = strip_keys(local);
        let config = self.config_resource(&config_module, &config_address);
        let expressions = config.map(|c| &c["expressions"]).unwrap_or(&Json::Null);
        let prefix = if module_address.is_empty() {
            String::new()
        } else {
            format!("{module_address}.")
        };
        let ctx = RefCtx {
            builder: self,
            config_module: &config_module,
            module_prefix: &prefix,
            key: &key,
        };
        let mut attributes = Map::new();
        if let Json::Object(m) = after {
            for (k, v) in m {
                let value = overlay(
                    v,
                    after_unknown.get(k),
                    &expressions.get(k),
                    &format!("{address}.{k}"),
                    &ctx,
                );
                attributes.insert(k.clone(), value);
            }
        }
        if let Json::Object(m) = after_unknown {
            for (k, v) in m {
                if v == &Json::Bool(true) && !attributes.contains_key(k)
                    || attributes.get(k) == Some(&Value::Null) && v == &Json::Bool(true)
                {
                    let refs = ctx.refs(expressions.get(k), &format!("{address}.{k}"));
                    attributes.insert(k.clone(), Value::Unknown(Unknown { refs, encodes: None }));
                }
            }
        }
        let mut sensitive = BTreeSet::new();
        sensitive_paths(after_sensitive, "", &mut sensitive);
        let (provider, region) = match config.and_then(|c| c["provider_config_key"].as_str()) {
            Some(k) => {
                let cfg = self
                    .doc
                    .pointer("/configuration/provider_config")
                    .and_then(|p| p.get(k));
                let shown = match cfg.and_then(|c| c["alias"].as_str()) {
                    Some(alias) => format!("aws.{alias}"),
                    None => "aws".to_string(),
                };
                let region = if resource_type.starts_with("aws_") {
                    regions.get(k).cloned().unwrap_or(Value::Null)
                } else {
                    Value::Null
                };
                (shown, region)
            }
            None => (
                resource_type.split('_').next().unwrap_or_default().to_string(),
                Value::Null,
            ),
        };
        // Where the user wrote it: the evaluated configuration's resource of the same address, or
        // of the same block (an instance the configuration could only expand as `[*]`).
        let written = written.of(&address, mode);
        let module_calls = written.map(|w| w.module_calls.clone()).unwrap_or_default();
        let extent = written.map(|w| w.extent);
        let (span, provenance) = match written {
            Some(w) => (w.span, w.provenance.clone()),
            None => {
                let at = positions.get(&address).copied().unwrap_or(0);
                let span = Span::new(self.file, at..at + 1);
                (
                    span,
                    Map::from_iter([(String::new(), Provenance { span, via: Vec::new() })]),
                )
            }
        };
        Resource {
            address,
            module: module_path(&module_address),
            mode,
            resource_type,
            name,
            key,
            region,
            provider,
            span,
            extent: extent.unwrap_or(span),
            attributes,
            provenance,
            sensitive,
            meta: Map::new(),
            joined: BTreeMap::new(),
            module_calls,
        }
    }

    /// The configuration of the resource `address` (without keys) in the module `module`.
    fn config_resource(&self, module: &str, address: &str) -> Option<&'a Json> {
        let m = self.modules.get(module)?;
        m.json["resources"]
            .as_array()?
            .iter()
            .find(|r| r["address"].as_str() == Some(address))
    }

    /// The references of the argument `var` of the call that created module `module`, as seen
    /// from its parent (one level up), and the parent's path.
    fn call_argument(&self, module: &str, var: &str) -> Option<(Vec<String>, String)> {
        let (parent, call) = match module.rsplit_once(".module.") {
            Some((p, c)) => (p.to_string(), c),
            None => (String::new(), module.strip_prefix("module.")?),
        };
        let parent_json = self.modules.get(&parent)?.json;
        let expr = &parent_json["module_calls"][call]["expressions"][var];
        let refs = expr["references"].as_array()?;
        Some((
            refs.iter().filter_map(|r| r.as_str().map(String::from)).collect(),
            parent,
        ))
    }
}

fn collect_modules<'a>(path: String, json: &'a Json, out: &mut BTreeMap<String, ConfigModule<'a>>) {
    if let Some(calls) = json["module_calls"].as_object() {
        for (name, call) in calls {
            let child = if path.is_empty() {
                format!("module.{name}")
            } else {
                format!("{path}.module.{name}")
            };
            collect_modules(child, &call["module"], out);
        }
    }
    out.insert(path, ConfigModule { json });
}

/// `planned_values`, with each resource left unparsed.
#[derive(serde::Deserialize)]
struct PlannedValues<'a> {
    #[serde(borrow)]
    root_module: Option<PlannedModule<'a>>,
}

#[derive(serde::Deserialize)]
struct PlannedModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    child_modules: Vec<PlannedModule<'a>>,
}

fn collect_planned<'a>(module: &PlannedModule<'a>, out: &mut Vec<&'a RawValue>) {
    out.extend(module.resources.iter().copied());
    for child in &module.child_modules {
        collect_planned(child, out);
    }
}

/// How references in a resource's configuration are made absolute.
struct RefCtx<'b, 'a> {
    builder: &'b Builder<'a>,
    config_module: &'b str,
    module_prefix: &'b str,
    key: &'b InstanceKey,
}

impl RefCtx<'_, '_> {
    /// What an unknown attribute refers to: the references of its expression, absolute, with
    /// `count.index`/`each.key` of this instance put in, and variables followed to the module
    /// arguments that set them; or the attribute itself when it is computed.
    fn refs(&self, expr: Option<&Json>, own: &str) -> Vec<String> {
        let Some(list) = expr.and_then(|e| e["references"].as_array()) else {
            return vec![own.to_string()];
        };
        let raw: Vec<&str> = list.iter().filter_map(|r| r.as_str()).collect();
        let indexed = raw.iter().any(|r| *r == "count.index" || r.starts_with("each."));
        let mut out = BTreeSet::new();
        for r in &raw {
            if r.starts_with("count.")
                || r.starts_with("each.")
                || r.starts_with("path.")
                || r.starts_with("terraform.")
            {
                continue;
            }
            // Keep only the most specific reference of each chain (`a.b.c` over `a.b` and `a`).
            if raw
                .iter()
                .any(|o| o.len() > r.len() && o.starts_with(r) && matches!(o.as_bytes()[r.len()], b'.' | b'['))
            {
                continue;
            }
            out.extend(self.absolute(r, indexed, 0));
        }
        if out.is_empty() {
            vec![own.to_string()]
        } else {
            out.into_iter().collect()
        }
    }

    fn absolute(&self, r: &str, indexed: bool, depth: usize) -> Vec<String> {
        if let Some(var) = r.strip_prefix("var.") {
            let name = var.split(['.', '[']).next().unwrap_or(var);
            if !self.config_module.is_empty() && depth < 16 {
                if let Some((refs, _parent)) = self.builder.call_argument(self.config_module, name) {
                    let specific: Vec<&String> = refs
                        .iter()
                        .filter(|r| !refs.iter().any(|o| o.len() > r.len() && o.starts_with(r.as_str())))
                        .collect();
                    if !specific.is_empty() {
                        let parent_module = match self.config_module.rsplit_once(".module.") {
                            Some((p, _)) => p.to_string(),
                            None => String::new(),
                        };
                        let parent_prefix = if parent_module.is_empty() {
                            String::new()
                        } else {
                            format!("{parent_module}.")
                        };
                        let up = RefCtx {
                            builder: self.builder,
                            config_module: &parent_module,
                            module_prefix: &parent_prefix,
                            key: &InstanceKey::None,
                        };
                        return specific.iter().flat_map(|r| up.absolute(r, false, depth + 1)).collect();
                    }
                }
            }
            return vec![format!("{}{r}", self.module_prefix)];
        }
        if r.starts_with("local.") {
            return vec![format!("{}{r}", self.module_prefix)];
        }
        // `module.net.db_sg_id` → what that output refers to inside the module.
        if let Some(rest) = r.strip_prefix("module.") {
            let call = rest.split(['.', '[']).next().unwrap_or(rest);
            let after = &rest[call.len()..];
            let after = after
                .strip_prefix('[')
                .map_or(after, |a| &a[a.find(']').map_or(a.len(), |i| i + 1)..]);
            if let Some(output) = after.strip_prefix('.') {
                let output = output.split(['.', '[']).next().unwrap_or(output);
                let child = if self.config_module.is_empty() {
                    format!("module.{call}")
                } else {
                    format!("{}.module.{call}", self.config_module)
                };
                let refs: Vec<String> = self
                    .builder
                    .modules
                    .get(&child)
                    .and_then(|m| m.json["outputs"][output]["expression"]["references"].as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                let specific: Vec<&String> = refs
                    .iter()
                    .filter(|r| !refs.iter().any(|o| o.len() > r.len() && o.starts_with(r.as_str())))
                    .collect();
                if !specific.is_empty() && depth < 16 {
                    let prefix = format!("{}module.{call}.", self.module_prefix);
                    let inner = RefCtx {
                        builder: self.builder,
                        config_module: &child,
                        module_prefix: &prefix,
                        key: &InstanceKey::None,
                    };
                    return specific
                        .iter()
                        .flat_map(|r| inner.absolute(r, false, depth + 1))
                        .collect();
                }
            }
            return vec![format!("{}{r}", self.module_prefix)];
        }
        // `aws_nat_gateway.this` used with count.index → this instance's index.
        let mut reference = r.to_string();
        if indexed && !r.contains('[') && !r.starts_with("module.") {
            let parts = if r.starts_with("data.") { 3 } else { 2 };
            let segments: Vec<&str> = r.splitn(parts + 1, '.').collect();
            if segments.len() >= parts {
                let base = segments[..parts].join(".");
                let rest = segments.get(parts).map(|s| format!(".{s}")).unwrap_or_default();
                reference = format!("{base}{}{rest}", self.key);
            }
        }
        vec![format!("{}{reference}", self.module_prefix)]
    }
}

/// A planned value with its unknown parts put in.
fn overlay(v: &Json, unknown: Option<&Json>, expr: &Option<&Json>, path: &str, ctx: &RefCtx) -> Value {
    match unknown {
        Some(Json::Bool(true)) => Value::Unknown(Unknown {
            refs: ctx.refs(*expr, path),
            encodes: None,
        }),
        Some(Json::Object(u)) => match v {
            Json::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    out.insert(k.clone(), overlay(x, u.get(k), &None, &format!("{path}.{k}"), ctx));
                }
                for (k, x) in u {
                    if x == &Json::Bool(true) && !out.contains_key(k) {
                        out.insert(k.clone(), Value::unknown(format!("{path}.{k}")));
                    }
                }
                Value::Map(out)
            }
            other => Value::from_json(other),
        },
        Some(Json::Array(u)) => match v {
            Json::Array(items) => {
                let block_exprs = expr.and_then(|e| e.as_array());
                Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, x)| {
                            let e = block_exprs.and_then(|b| b.get(i));
                            overlay_block(x, u.get(i), e, &format!("{path}[{i}]"), ctx)
                        })
                        .collect(),
                )
            }
            other => Value::from_json(other),
        },
        _ => match (v, expr.and_then(|e| e.as_array())) {
            (Json::Array(items), Some(blocks)) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| overlay_block(x, None, blocks.get(i), &format!("{path}[{i}]"), ctx))
                    .collect(),
            ),
            _ => Value::from_json(v),
        },
    }
}

/// An element of a nested block list, whose attributes have their own expressions.
fn overlay_block(v: &Json, unknown: Option<&Json>, exprs: Option<&Json>, path: &str, ctx: &RefCtx) -> Value {
    match (v, unknown) {
        (_, Some(Json::Bool(true))) => Value::Unknown(Unknown {
            refs: vec![path.to_string()],
            encodes: None,
        }),
        (Json::Object(m), u) => {
            let mut out = Map::new();
            for (k, x) in m {
                let e = exprs.and_then(|e| e.get(k));
                out.insert(
                    k.clone(),
                    overlay(x, u.and_then(|u| u.get(k)), &e, &format!("{path}.{k}"), ctx),
                );
            }
            if let Some(Json::Object(u)) = u {
                for (k, x) in u {
                    if x == &Json::Bool(true) && out.get(k).is_none_or(|v| v.is_null()) {
                        let e = exprs.and_then(|e| e.get(k));
                        out.insert(
                            k.clone(),
                            Value::Unknown(Unknown {
                                refs: ctx.refs(e, &format!("{path}.{k}")),
                                encodes: None,
                            }),
                        );
                    }
                }
            }
            Value::Map(out)
        }
        (other, _) => Value::from_json(other),
    }
}

/// The paths `after_sensitive` marks.
fn sensitive_paths(v: &Json, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Json::Bool(true) if !prefix.is_empty() => {
            out.insert(prefix.to_string());
        }
        Json::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                sensitive_paths(x, &p, out);
            }
        }
        Json::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                sensitive_paths(x, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The configuration directory of a plan: `--source-dir`, else the plan's directory, else the
/// working directory, whichever holds Terraform files.
pub fn find_source_dir(plan: &Path, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(d) = given {
        return Some(d.to_path_buf());
    }
    let plan_dir = plan
        .parent()
        .map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p });
    [plan_dir.map(Path::to_path_buf), std::env::current_dir().ok()]
        .into_iter()
        .flatten()
        .find(|d| !crate::hcl::discover::module_files(d).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_module_and_resource() {
        let (m, r) = split_module("module.a[\"x.y\"].module.b[0].aws_subnet.private[\"ap-south-1a\"]");
        assert_eq!(m, "module.a[\"x.y\"].module.b[0]");
        assert_eq!(r, "aws_subnet.private[\"ap-south-1a\"]");
        assert_eq!(strip_keys(&m), "module.a.module.b");
        assert_eq!(strip_keys(r), "aws_subnet.private");
        let p = module_path(&m);
        assert_eq!(p.0[0], ("a".to_string(), InstanceKey::Str("x.y".into())));
        assert_eq!(p.0[1], ("b".to_string(), InstanceKey::Int(0)));
        assert_eq!(split_module("aws_vpc.main"), (String::new(), "aws_vpc.main"));
        assert_eq!(split_module("data.aws_region.current").1, "data.aws_region.current");
    }

    #[test]
    fn documents_are_told_apart_by_content() {
        let plan: Json = serde_json::json!({"format_version": "1.2", "planned_values": {}});
        let state: Json = serde_json::json!({"format_version": "1.0", "values": {}});
        let raw_state: Json = serde_json::json!({"version": 4, "serial": 3, "lineage": "x"});
        assert_eq!(kind(&plan), Kind::Plan);
        assert_eq!(kind(&state), Kind::State);
        assert_eq!(kind(&raw_state), Kind::State);
        assert_eq!(kind(&serde_json::json!({"a": 1})), Kind::Other);
        assert!(looks_like_json(b"\xEF\xBB\xBF  {\"a\":1}"));
        assert!(looks_like_json(b"\xFF\xFE{\x00\"\x00"));
        assert!(!looks_like_json(b"resource \"x\" \"y\" {}"));
    }
}
