//! Cost reports (`infracheck cost`): a table per environment, a side-by-side summary of several,
//! and JSON, markdown and CSV.

use crate::cost::{EnvCost, Kind, Line, LineStatus, Omitted, ResourceCost};
use crate::diag::{Diagnostic, DiagnosticJson};
use crate::model::money::{cents, unit_usd, usd};
use crate::source::SourceMap;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn location(r: &ResourceCost, sources: &SourceMap) -> (String, usize) {
    (
        sources.path(r.span.file).display().to_string(),
        sources.start(r.span).line,
    )
}

/// `$0.0112 per hour`.
fn unit_price(l: &Line) -> String {
    match (l.unit_price, &l.price_unit) {
        (Some(p), Some(u)) => format!("{} per {u}", unit_usd(p)),
        _ => String::new(),
    }
}

fn quantity(q: Decimal) -> String {
    let q = q.normalize();
    if q.scale() > 4 {
        q.round_dp(4).normalize().to_string()
    } else {
        q.to_string()
    }
}

/// What the monthly column says for a line.
fn monthly_cell(l: &Line) -> String {
    match &l.status {
        LineStatus::Priced => usd(l.monthly.unwrap_or_default()),
        LineStatus::MissingPrice => format!(
            "no price in catalog ({} / {} / {})",
            l.sku.service,
            l.sku.sku,
            if l.sku.region.is_empty() {
                "region unknown"
            } else {
                &l.sku.region
            }
        ),
        LineStatus::DependsOnUsage { key } => match l.unit_price {
            Some(_) => format!("depends on usage ({key}): {}", unit_price(l)),
            None => format!(
                "depends on usage ({key}); no price in catalog ({} / {} / {})",
                l.sku.service,
                l.sku.sku,
                if l.sku.region.is_empty() {
                    "region unknown"
                } else {
                    &l.sku.region
                }
            ),
        },
        LineStatus::NotPriced { reason } => format!("not priced: {reason}"),
        LineStatus::Unresolved(u) => {
            if u.refs.is_empty() {
                "unresolved: known after apply".into()
            } else {
                format!("unresolved: known after apply ({})", u.refs.join(", "))
            }
        }
    }
}

/// Counts for the summary line.
pub struct Counts {
    pub estimated: usize,
    pub free: usize,
    pub not_estimated: usize,
    pub missing_price: usize,
    pub usage_pending: usize,
    pub unresolved: usize,
    pub not_priced: usize,
}

pub fn counts(e: &EnvCost) -> Counts {
    let lines = || e.resources.iter().flat_map(|r| r.lines.iter());
    Counts {
        estimated: e.count(Kind::Estimated),
        free: e.count(Kind::Free),
        not_estimated: e.count(Kind::NotEstimated),
        missing_price: lines().filter(|l| l.status == LineStatus::MissingPrice).count(),
        usage_pending: lines()
            .filter(|l| matches!(l.status, LineStatus::DependsOnUsage { .. }))
            .count(),
        unresolved: lines()
            .filter(|l| matches!(l.status, LineStatus::Unresolved(_)))
            .count(),
        not_priced: e.not_priced().count(),
    }
}

fn module_label(m: &str) -> &str {
    if m.is_empty() {
        "(root module)"
    } else {
        m
    }
}

/// The table of one environment.
pub fn text_env(e: &EnvCost, root: &str, sources: &SourceMap, out: &mut String) {
    let _ = writeln!(
        out,
        "{} ({root}) · region {} · prices as of {}",
        e.env,
        if e.region.is_empty() { "unknown" } else { &e.region },
        e.catalog_date
    );
    let _ = writeln!(out);
    let rows: Vec<&ResourceCost> = e.resources.iter().filter(|r| r.kind == Kind::Estimated).collect();
    let mut table: Vec<[String; 5]> = vec![[
        "Resource / component".into(),
        "Quantity".into(),
        "Unit".into(),
        "Unit price".into(),
        "Monthly".into(),
    ]];
    let subtotals = e.module_subtotals();
    let mut current: Option<&str> = None;
    let flush = |table: &mut Vec<[String; 5]>, m: Option<&str>| {
        if let Some(m) = m {
            table.push([
                format!("{} subtotal", module_label(m)),
                String::new(),
                String::new(),
                String::new(),
                usd(subtotals.get(m).copied().unwrap_or_default()),
            ]);
            table.push(Default::default());
        }
    };
    for r in &rows {
        if current != Some(r.module.as_str()) {
            flush(&mut table, current);
            current = Some(r.module.as_str());
        }
        let (file, line) = location(r, sources);
        table.push([
            format!("{}  ({file}:{line})", r.address),
            String::new(),
            String::new(),
            String::new(),
            usd(r.monthly()),
        ]);
        for l in &r.lines {
            let priced = l.status == LineStatus::Priced;
            table.push([
                format!("  {}", l.name),
                l.quantity
                    .filter(|_| !matches!(l.status, LineStatus::Unresolved(_)))
                    .map(quantity)
                    .unwrap_or_else(|| "-".into()),
                l.unit.to_string(),
                if priced { unit_price(l) } else { String::new() },
                monthly_cell(l),
            ]);
        }
    }
    flush(&mut table, current);
    while table.last().is_some_and(|r| r.iter().all(String::is_empty)) {
        table.pop();
    }
    // Component rows set the column widths; resource and subtotal rows (no quantity) span the
    // first four columns.
    let spans = |r: &[String; 5]| r[2].is_empty();
    let mut widths: Vec<usize> = (0..4)
        .map(|c| {
            table
                .iter()
                .filter(|r| !spans(r))
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let span_width = table
        .iter()
        .filter(|r| spans(r))
        .map(|r| r[0].chars().count())
        .max()
        .unwrap_or(0);
    let row_width = widths.iter().sum::<usize>() + 6;
    if span_width > row_width {
        widths[0] += span_width - row_width;
    }
    let row_width = widths.iter().sum::<usize>() + 6;
    for row in &table {
        if row.iter().all(String::is_empty) {
            let _ = writeln!(out);
            continue;
        }
        if spans(row) {
            let _ = writeln!(out, "  {:<row_width$}  {}", row[0], row[4]);
            continue;
        }
        let mut line = format!(
            "  {:<w0$}  {:>w1$}  {:<w2$}  {:<w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        line.truncate(line.trim_end().len());
        let _ = writeln!(out, "{line}");
    }
    let c = counts(e);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  Total ({}): {} per month",
        e.env,
        e.omitted().total(&usd(e.monthly()))
    );
    let _ = writeln!(
        out,
        "  {} estimated, {} free, {} not estimated; {} line(s) with no price in catalog, {} usage-based line(s) without usage, {} unresolved",
        c.estimated, c.free, c.not_estimated, c.missing_price, c.usage_pending, c.unresolved
    );
    if c.missing_price > 0 {
        let _ = writeln!(out, "  The total leaves out the lines with no price in the catalog:");
        for (r, l) in e.missing_prices() {
            let _ = writeln!(
                out,
                "    {} / {} / {} ({}: {})",
                l.sku.service,
                l.sku.sku,
                if l.sku.region.is_empty() {
                    "region unknown"
                } else {
                    &l.sku.region
                },
                r.address,
                l.name
            );
        }
    }
    if e.monthly().is_zero() && c.missing_price > 0 {
        nothing_priced(e, out);
    }
    if c.not_priced > 0 {
        let _ = writeln!(out, "  The total leaves out the lines not priced:");
        for (r, l) in e.not_priced() {
            let _ = writeln!(out, "    {} ({}: {})", monthly_cell(l), r.address, l.name);
        }
    }
    let not: BTreeMap<&str, usize> =
        e.resources
            .iter()
            .filter(|r| r.kind == Kind::NotEstimated)
            .fold(BTreeMap::new(), |mut m, r| {
                *m.entry(r.resource_type.as_str()).or_default() += 1;
                m
            });
    if !not.is_empty() {
        let list: Vec<String> = not.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        let _ = writeln!(out, "  Not estimated: {}", list.join(", "));
    }
}

/// Why a root whose total is $0.00 has nothing priced, and how to get the prices: the regions
/// `prices update` can fetch them for, or that the catalog needs rows it cannot fetch.
fn nothing_priced(e: &EnvCost, out: &mut String) {
    // `prices update` refreshes the SKUs of the embedded catalog that the Price List identifies.
    let embedded = crate::cost::catalog::Catalog::embedded();
    let mut fetchable: BTreeMap<&str, usize> = BTreeMap::new();
    let mut not_fetchable: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (_, l) in e.missing_prices() {
        let region = l.sku.region.as_str();
        let refreshed = !region.is_empty()
            && embedded.iter().any(|p| {
                p.service == l.sku.service
                    && p.sku == l.sku.sku
                    && crate::cost::refresh::query_for(&p.service, &p.sku, &p.unit, region).is_some()
            });
        if refreshed {
            *fetchable.entry(region).or_default() += 1;
        } else {
            let region = if region.is_empty() { "region unknown" } else { region };
            *not_fetchable.entry((l.sku.service, region)).or_default() += 1;
        }
    }
    let _ = writeln!(
        out,
        "  Nothing here could be priced: the catalog has none of the prices above (catalog of {}).",
        e.catalog_date
    );
    if !fetchable.is_empty() {
        let regions: Vec<String> = fetchable.keys().map(|r| format!("--region {r}")).collect();
        let _ = writeln!(
            out,
            "  To fetch {} of them from the AWS Price List: `infracheck prices update {}` (built with `--features aws`, AWS credentials).",
            fetchable.values().sum::<usize>(),
            regions.join(" ")
        );
    }
    if !not_fetchable.is_empty() {
        let list: Vec<String> = not_fetchable
            .iter()
            .map(|((service, region), n)| format!("{service} in {region} ({n})"))
            .collect();
        let _ = writeln!(
            out,
            "  `prices update` does not fetch {}: add sourced rows to a local catalog ($INFRACHECK_PRICES).",
            list.join(", ")
        );
    }
}

/// Every environment's table, then (for several) the side-by-side summary.
pub fn text(envs: &[(EnvCost, String)], sources: &SourceMap) -> String {
    let mut out = String::new();
    for (i, (e, root)) in envs.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(out);
        }
        text_env(e, root, sources, &mut out);
    }
    if envs.len() > 1 {
        let _ = writeln!(out);
        out.push_str(&summary(envs));
    }
    out
}

/// Modules (rows) × environments (columns), with totals and counts. A cell whose figure leaves
/// something out (and its column's total) is marked `*`, and the marks are explained under the
/// table.
pub fn summary(envs: &[(EnvCost, String)]) -> String {
    let mut modules: BTreeMap<&str, Vec<Option<(Decimal, Omitted)>>> = BTreeMap::new();
    for (i, (e, _)) in envs.iter().enumerate() {
        let omitted = e.module_omitted();
        for (m, total) in e.module_subtotals() {
            let o = omitted.get(m).copied().unwrap_or_default();
            modules.entry(m).or_insert_with(|| vec![None; envs.len()])[i] = Some((total, o));
        }
    }
    // A space where a mark would be, so the figures of a column stay aligned.
    let cell = |d: Decimal, o: &Omitted| {
        if o.complete() {
            format!("{} ", usd(d))
        } else {
            format!("{}*", usd(d))
        }
    };
    let mut rows: Vec<Vec<String>> = vec![std::iter::once("Monthly cost".to_string())
        .chain(envs.iter().map(|(e, _)| e.env.clone()))
        .collect()];
    let mut marked: Vec<String> = Vec::new();
    for (m, vals) in &modules {
        rows.push(
            std::iter::once(module_label(m).to_string())
                .chain(vals.iter().map(|v| match v {
                    Some((d, o)) => cell(*d, o),
                    None => "- ".into(),
                }))
                .collect(),
        );
        for (i, v) in vals.iter().enumerate() {
            if let Some((_, o)) = v.filter(|(_, o)| !o.complete()) {
                marked.push(format!("{} {}: {}", envs[i].0.env, module_label(m), o.describe()));
            }
        }
    }
    rows.push(
        std::iter::once("Total".to_string())
            .chain(envs.iter().map(|(e, _)| cell(e.monthly(), &e.omitted())))
            .collect(),
    );
    rows.push(
        std::iter::once("Lines with no price in catalog".to_string())
            .chain(envs.iter().map(|(e, _)| counts(e).missing_price.to_string()))
            .collect(),
    );
    rows.push(
        std::iter::once("Resources not estimated".to_string())
            .chain(envs.iter().map(|(e, _)| counts(e).not_estimated.to_string()))
            .collect(),
    );
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut line = format!("  {:<w$}", row[0], w = widths[0]);
        for (c, cell) in row.iter().enumerate().skip(1) {
            let _ = write!(line, "  {:>w$}", cell, w = widths[c]);
        }
        line.truncate(line.trim_end().len());
        let _ = writeln!(out, "{line}");
        if i == 0 || i == rows.len() - 4 {
            let _ = writeln!(out, "  {}", "-".repeat(line.chars().count().saturating_sub(2)));
        }
    }
    if !marked.is_empty() {
        let _ = writeln!(
            out,
            "  * incomplete: leaves out lines with no price or known only after apply, or resources\n    with no estimator (each environment's list above names them):"
        );
        for m in marked {
            let _ = writeln!(out, "    {m}");
        }
    }
    out
}

fn money(d: Decimal) -> f64 {
    cents(d).to_f64().unwrap_or(0.0)
}

fn number(d: Decimal) -> f64 {
    d.normalize().to_f64().unwrap_or(0.0)
}

#[derive(Serialize)]
struct JsonReport {
    environments: Vec<JsonEnv>,
    /// The problems with the input, as `check --format json` gives them.
    diagnostics: Vec<DiagnosticJson>,
}

#[derive(Serialize)]
struct JsonEnv {
    env: String,
    root: String,
    region: String,
    catalog_date: String,
    monthly_usd: f64,
    /// Whether the total leaves nothing out; `omitted` says what it leaves out.
    complete: bool,
    omitted: JsonOmitted,
    counts: JsonCounts,
    modules: BTreeMap<String, f64>,
    /// The modules whose subtotal leaves something out, with what.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    incomplete_modules: BTreeMap<String, JsonOmitted>,
    resources: Vec<JsonResource>,
    free: Vec<String>,
    not_estimated: Vec<JsonRef>,
    missing_prices: Vec<JsonMissing>,
    /// Lines left out of the total because they cannot be priced (a quantity too large).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_priced: Vec<JsonNotPriced>,
}

#[derive(Serialize)]
struct JsonOmitted {
    /// Lines without a figure: no price in the catalog, or a quantity that cannot be priced.
    unpriced_lines: usize,
    /// Lines whose quantity is known only after apply.
    unresolved_lines: usize,
    /// Resources infracheck has no estimator for.
    not_estimated: usize,
}

impl From<Omitted> for JsonOmitted {
    fn from(o: Omitted) -> JsonOmitted {
        JsonOmitted {
            unpriced_lines: o.unpriced,
            unresolved_lines: o.unresolved,
            not_estimated: o.not_estimated,
        }
    }
}

#[derive(Serialize)]
struct JsonNotPriced {
    address: String,
    component: String,
    reason: String,
}

#[derive(Serialize)]
struct JsonCounts {
    estimated: usize,
    free: usize,
    not_estimated: usize,
    missing_price_lines: usize,
    usage_pending_lines: usize,
    unresolved_lines: usize,
    #[serde(skip_serializing_if = "is_zero")]
    not_priced_lines: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct JsonResource {
    address: String,
    #[serde(rename = "type")]
    resource_type: String,
    module: String,
    region: String,
    file: String,
    line: usize,
    monthly_usd: f64,
    components: Vec<JsonComponent>,
}

#[derive(Serialize)]
struct JsonComponent {
    name: String,
    unit: String,
    quantity: Option<f64>,
    unit_price_usd: Option<f64>,
    price_unit: Option<String>,
    monthly_usd: Option<f64>,
    usage_based: bool,
    /// priced, missing_price, depends_on_usage, unresolved, not_priced.
    status: &'static str,
    /// Why a not_priced line has no figure: `quantity too large: write_capacity = 1e+30`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_key: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unresolved_refs: Vec<String>,
    sku: JsonSku,
    price_source: Option<String>,
}

#[derive(Serialize)]
struct JsonSku {
    service: String,
    sku: String,
    region: String,
}

#[derive(Serialize)]
struct JsonRef {
    address: String,
    #[serde(rename = "type")]
    resource_type: String,
    file: String,
    line: usize,
}

#[derive(Serialize)]
struct JsonMissing {
    address: String,
    component: String,
    service: String,
    sku: String,
    region: String,
}

fn json_env(e: &EnvCost, root: &str, sources: &SourceMap) -> JsonEnv {
    let c = counts(e);
    JsonEnv {
        env: e.env.clone(),
        root: root.to_string(),
        region: e.region.clone(),
        catalog_date: e.catalog_date.clone(),
        monthly_usd: money(e.monthly()),
        complete: e.omitted().complete(),
        omitted: e.omitted().into(),
        incomplete_modules: e
            .module_omitted()
            .into_iter()
            .filter(|(_, o)| !o.complete())
            .map(|(m, o)| (module_label(m).to_string(), o.into()))
            .collect(),
        counts: JsonCounts {
            estimated: c.estimated,
            free: c.free,
            not_estimated: c.not_estimated,
            missing_price_lines: c.missing_price,
            usage_pending_lines: c.usage_pending,
            unresolved_lines: c.unresolved,
            not_priced_lines: c.not_priced,
        },
        modules: e
            .module_subtotals()
            .into_iter()
            .map(|(m, v)| (module_label(m).to_string(), money(v)))
            .collect(),
        resources: e
            .resources
            .iter()
            .filter(|r| r.kind == Kind::Estimated)
            .map(|r| {
                let (file, line) = location(r, sources);
                JsonResource {
                    address: r.address.clone(),
                    resource_type: r.resource_type.clone(),
                    module: r.module.clone(),
                    region: r.region.clone(),
                    file,
                    line,
                    monthly_usd: money(r.monthly()),
                    components: r
                        .lines
                        .iter()
                        .map(|l| JsonComponent {
                            name: l.name.clone(),
                            unit: l.unit.to_string(),
                            quantity: l
                                .quantity
                                .filter(|_| !matches!(l.status, LineStatus::Unresolved(_)))
                                .map(number),
                            unit_price_usd: l.unit_price.map(number),
                            price_unit: l.price_unit.clone(),
                            monthly_usd: l.monthly.map(money),
                            usage_based: l.usage_based,
                            status: match l.status {
                                LineStatus::Priced => "priced",
                                LineStatus::MissingPrice => "missing_price",
                                LineStatus::DependsOnUsage { .. } => "depends_on_usage",
                                LineStatus::Unresolved(_) => "unresolved",
                                LineStatus::NotPriced { .. } => "not_priced",
                            },
                            reason: match &l.status {
                                LineStatus::NotPriced { reason } => Some(reason.clone()),
                                _ => None,
                            },
                            usage_key: match &l.status {
                                LineStatus::DependsOnUsage { key } => Some(key.clone()),
                                _ => None,
                            },
                            unresolved_refs: match &l.status {
                                LineStatus::Unresolved(u) => u.refs.clone(),
                                _ => Vec::new(),
                            },
                            sku: JsonSku {
                                service: l.sku.service.to_string(),
                                sku: l.sku.sku.clone(),
                                region: l.sku.region.clone(),
                            },
                            price_source: l.price_source.clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
        free: e
            .resources
            .iter()
            .filter(|r| r.kind == Kind::Free)
            .map(|r| r.address.clone())
            .collect(),
        not_estimated: e
            .resources
            .iter()
            .filter(|r| r.kind == Kind::NotEstimated)
            .map(|r| {
                let (file, line) = location(r, sources);
                JsonRef {
                    address: r.address.clone(),
                    resource_type: r.resource_type.clone(),
                    file,
                    line,
                }
            })
            .collect(),
        missing_prices: e
            .missing_prices()
            .map(|(r, l)| JsonMissing {
                address: r.address.clone(),
                component: l.name.clone(),
                service: l.sku.service.to_string(),
                sku: l.sku.sku.clone(),
                region: l.sku.region.clone(),
            })
            .collect(),
        not_priced: e
            .not_priced()
            .map(|(r, l)| JsonNotPriced {
                address: r.address.clone(),
                component: l.name.clone(),
                reason: match &l.status {
                    LineStatus::NotPriced { reason } => reason.clone(),
                    _ => String::new(),
                },
            })
            .collect(),
    }
}

pub fn json(envs: &[(EnvCost, String)], diags: &[Diagnostic], sources: &SourceMap) -> String {
    let report = JsonReport {
        environments: envs.iter().map(|(e, root)| json_env(e, root, sources)).collect(),
        diagnostics: diags.iter().map(|d| DiagnosticJson::new(d, sources)).collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}

/// One row per component (and one per free or not-estimated resource), for spreadsheets.
pub fn csv(envs: &[(EnvCost, String)], sources: &SourceMap) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "env",
        "address",
        "type",
        "module",
        "region",
        "file",
        "line",
        "kind",
        "component",
        "quantity",
        "unit",
        "unit_price_usd",
        "price_unit",
        "monthly_usd",
        "status",
    ]);
    for (e, _) in envs {
        for r in &e.resources {
            let (file, line) = location(r, sources);
            let kind = match r.kind {
                Kind::Estimated => "estimated",
                Kind::Free => "free",
                Kind::NotEstimated => "not_estimated",
            };
            let base = [
                e.env.clone(),
                r.address.clone(),
                r.resource_type.clone(),
                r.module.clone(),
                r.region.clone(),
                file,
                line.to_string(),
                kind.to_string(),
            ];
            if r.lines.is_empty() {
                let row: Vec<String> = base
                    .iter()
                    .cloned()
                    .chain(std::iter::repeat_n(String::new(), 7))
                    .collect();
                let _ = w.write_record(&row);
            }
            for l in &r.lines {
                let status = match &l.status {
                    LineStatus::Priced => "priced".to_string(),
                    LineStatus::MissingPrice => "missing_price".to_string(),
                    LineStatus::DependsOnUsage { key } => format!("depends_on_usage:{key}"),
                    LineStatus::Unresolved(u) => format!("unresolved:{}", u.refs.join(" ")),
                    LineStatus::NotPriced { reason } => format!("not_priced:{reason}"),
                };
                let row: Vec<String> = base
                    .iter()
                    .cloned()
                    .chain([
                        l.name.clone(),
                        l.quantity.map(|q| q.normalize().to_string()).unwrap_or_default(),
                        l.unit.to_string(),
                        l.unit_price.map(|p| p.normalize().to_string()).unwrap_or_default(),
                        l.price_unit.clone().unwrap_or_default(),
                        l.monthly.map(|m| format!("{:.2}", cents(m))).unwrap_or_default(),
                        status,
                    ])
                    .collect();
                let _ = w.write_record(&row);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A pull-request comment: the totals, then each environment's resources in collapsed details.
pub fn markdown(envs: &[(EnvCost, String)], diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::from("## infracheck cost estimate\n\n");
    super::markdown::incomplete_banner(&mut out, diags);
    out.push_str("| Environment | Region | Monthly | Estimated | Free | Not estimated | No price in catalog | Usage not given |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (e, _) in envs {
        let c = counts(e);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            e.env,
            e.region,
            e.omitted().total(&usd(e.monthly())),
            c.estimated,
            c.free,
            c.not_estimated,
            c.missing_price,
            c.usage_pending
        );
    }
    super::markdown::input_problems(&mut out, diags, sources);
    for (e, root) in envs {
        let _ = writeln!(
            out,
            "\n<details><summary><b>{}</b> ({root}): {} per month</summary>\n",
            e.env,
            e.omitted().total(&usd(e.monthly()))
        );
        out.push_str("| Resource | Component | Quantity | Unit price | Monthly |\n|---|---|---:|---|---:|\n");
        for r in e.resources.iter().filter(|r| r.kind == Kind::Estimated) {
            let (file, line) = location(r, sources);
            for (i, l) in r.lines.iter().enumerate() {
                let res = if i == 0 {
                    format!("`{}` ({file}:{line})", r.address)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "| {res} | {} | {} | {} | {} |",
                    l.name.replace('|', "\\|"),
                    l.quantity
                        .filter(|_| !matches!(l.status, LineStatus::Unresolved(_)))
                        .map(|q| format!("{} {}", quantity(q), l.unit))
                        .unwrap_or_else(|| "-".into()),
                    unit_price(l),
                    monthly_cell(l).replace('|', "\\|")
                );
            }
        }
        let not_priced: Vec<String> = e
            .not_priced()
            .map(|(r, l)| format!("- `{}` {}: {}", r.address, l.name, monthly_cell(l)))
            .collect();
        if !not_priced.is_empty() {
            let _ = writeln!(
                out,
                "\nThe total leaves out the lines not priced:\n{}",
                not_priced.join("\n")
            );
        }
        let _ = writeln!(out, "\nPrices as of {}.\n\n</details>", e.catalog_date);
    }
    out
}

/// `+$1.50`, `-$0.20`, `$0.00`.
fn signed(d: Decimal) -> String {
    let c = cents(d);
    if c.is_zero() || c.is_sign_negative() {
        usd(c)
    } else {
        format!("+{}", usd(c))
    }
}

fn opt_usd(d: Option<Decimal>) -> String {
    d.map(usd).unwrap_or_else(|| "-".into())
}

fn change_mark(c: crate::cost::diff::Change) -> &'static str {
    match c {
        crate::cost::diff::Change::Added => "+",
        crate::cost::diff::Change::Removed => "-",
        crate::cost::diff::Change::Changed => "~",
    }
}

fn totals(diffs: &[crate::cost::diff::EnvDiff]) -> (Decimal, Decimal) {
    (
        crate::cost::num::sum(diffs.iter().filter_map(|d| d.old)),
        crate::cost::num::sum(diffs.iter().filter_map(|d| d.new)),
    )
}

/// The cost difference against `against` (what `--compare-to` named), per environment and resource.
pub fn diff_text(diffs: &[crate::cost::diff::EnvDiff], against: &str) -> String {
    let mut out = format!("Monthly cost change against {against}\n");
    for d in diffs {
        let _ = writeln!(
            out,
            "\n{}: {} → {} ({})",
            d.env,
            opt_usd(d.old),
            opt_usd(d.new),
            signed(d.delta())
        );
        if d.resources.is_empty() {
            let _ = writeln!(out, "  no resource changes cost");
        }
        let width = d.resources.iter().map(|r| r.address.chars().count()).max().unwrap_or(0);
        for r in &d.resources {
            let detail = match r.change {
                crate::cost::diff::Change::Added => format!("(new, {})", opt_usd(r.new)),
                crate::cost::diff::Change::Removed => format!("(removed, was {})", opt_usd(r.old)),
                crate::cost::diff::Change::Changed => format!("({} → {})", opt_usd(r.old), opt_usd(r.new)),
            };
            let _ = writeln!(
                out,
                "  {} {:<width$}  {:>11}  {detail}",
                change_mark(r.change),
                r.address,
                signed(r.delta())
            );
        }
        if d.old_missing != d.new_missing || d.new_missing > 0 {
            let _ = writeln!(
                out,
                "  lines with no price in catalog: {} before, {} after (not in the totals)",
                d.old_missing, d.new_missing
            );
        }
    }
    if diffs.len() > 1 {
        let (old, new) = totals(diffs);
        let _ = writeln!(
            out,
            "\nTotal: {} → {} ({})",
            usd(old),
            usd(new),
            signed(new.saturating_sub(old))
        );
    }
    out
}

/// The cost difference as a pull-request comment.
pub fn diff_markdown(
    diffs: &[crate::cost::diff::EnvDiff],
    against: &str,
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> String {
    let mut out = format!("## infracheck cost change against `{against}`\n\n");
    super::markdown::incomplete_banner(&mut out, diags);
    out.push_str("| Environment | Before | After | Change |\n|---|---:|---:|---:|\n");
    for d in diffs {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            d.env,
            opt_usd(d.old),
            opt_usd(d.new),
            signed(d.delta())
        );
    }
    if diffs.len() > 1 {
        let (old, new) = totals(diffs);
        let _ = writeln!(
            out,
            "| **Total** | {} | {} | {} |",
            usd(old),
            usd(new),
            signed(new.saturating_sub(old))
        );
    }
    super::markdown::input_problems(&mut out, diags, sources);
    for d in diffs.iter().filter(|d| !d.resources.is_empty()) {
        let _ = writeln!(
            out,
            "\n<details><summary><b>{}</b>: {} resource(s) change cost ({})</summary>\n",
            d.env,
            d.resources.len(),
            signed(d.delta())
        );
        out.push_str("| | Resource | Before | After | Change |\n|---|---|---:|---:|---:|\n");
        for r in &d.resources {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                change_mark(r.change),
                r.address,
                opt_usd(r.old),
                opt_usd(r.new),
                signed(r.delta())
            );
        }
        out.push_str("\n</details>\n");
    }
    if diffs.iter().any(|d| d.new_missing > 0) {
        out.push_str("\nLines with no price in the catalog are not in these totals; `infracheck cost` lists them.\n");
    }
    out
}

#[derive(Serialize)]
struct JsonDiffReport {
    compared_to: String,
    old_monthly_usd: f64,
    new_monthly_usd: f64,
    diff_usd: f64,
    environments: Vec<JsonEnvDiff>,
    /// The problems with the input, as `check --format json` gives them.
    diagnostics: Vec<DiagnosticJson>,
}

#[derive(Serialize)]
struct JsonEnvDiff {
    env: String,
    old_monthly_usd: Option<f64>,
    new_monthly_usd: Option<f64>,
    diff_usd: f64,
    old_missing_price_lines: usize,
    new_missing_price_lines: usize,
    resources: Vec<JsonResourceDiff>,
}

#[derive(Serialize)]
struct JsonResourceDiff {
    address: String,
    /// added, removed or changed.
    change: &'static str,
    old_monthly_usd: Option<f64>,
    new_monthly_usd: Option<f64>,
    diff_usd: f64,
}

pub fn diff_json(
    diffs: &[crate::cost::diff::EnvDiff],
    against: &str,
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> String {
    let (old, new) = totals(diffs);
    let report = JsonDiffReport {
        compared_to: against.to_string(),
        old_monthly_usd: money(old),
        new_monthly_usd: money(new),
        diff_usd: money(new.saturating_sub(old)),
        environments: diffs
            .iter()
            .map(|d| JsonEnvDiff {
                env: d.env.clone(),
                old_monthly_usd: d.old.map(money),
                new_monthly_usd: d.new.map(money),
                diff_usd: money(d.delta()),
                old_missing_price_lines: d.old_missing,
                new_missing_price_lines: d.new_missing,
                resources: d
                    .resources
                    .iter()
                    .map(|r| JsonResourceDiff {
                        address: r.address.clone(),
                        change: match r.change {
                            crate::cost::diff::Change::Added => "added",
                            crate::cost::diff::Change::Removed => "removed",
                            crate::cost::diff::Change::Changed => "changed",
                        },
                        old_monthly_usd: r.old.map(money),
                        new_monthly_usd: r.new.map(money),
                        diff_usd: money(r.delta()),
                    })
                    .collect(),
            })
            .collect(),
        diagnostics: diags.iter().map(|d| DiagnosticJson::new(d, sources)).collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}
