//! Monthly cost estimates: the price catalog, one estimator per resource family, usage.
//!
//! An estimator turns a resource into cost components (name, unit, monthly quantity, the catalog
//! SKU that prices it) from a small typed input; a separate function of the same family maps model
//! attributes into that input (STYLE.md §7). The engine prices the components from the catalog:
//! a SKU without a price is "no price in catalog", a usage-based component without usage "depends
//! on usage", a quantity known only after apply "unresolved" — never a silent $0.

pub mod catalog;
pub mod diff;
pub mod estimators;
pub mod num;
pub mod refresh;
pub mod usage;

use crate::model::{BudgetEstimate, Mode, Project, Resource, Unknown, Value};
use crate::source::Span;
use catalog::Catalog;
pub use num::Num;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use usage::Usage;

/// Hours in a month, as AWS and Infracost count them.
pub const HOURS_PER_MONTH: i64 = 730;

pub fn hours() -> Decimal {
    Decimal::from(HOURS_PER_MONTH)
}

/// How much of a component a month uses.
#[derive(Debug, Clone, PartialEq)]
pub enum Quantity {
    Known(Decimal),
    /// Usage-based, and the usage file does not give `key`.
    Usage {
        key: String,
    },
    /// Depends on a value known only after apply.
    Unresolved(Unknown),
    /// No usable figure: `quantity too large: write_capacity = 1e+30`.
    Invalid(String),
}

impl Quantity {
    fn of(n: Num) -> Quantity {
        match n {
            Num::Ok(d, _) => Quantity::Known(d),
            Num::Invalid(r) => Quantity::Invalid(r.to_string()),
        }
    }
}

/// Where a component's price is in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    pub service: &'static str,
    pub sku: String,
    /// An AWS region, `global`, or `global (edge: …)`. Empty when the region is not known.
    pub region: String,
}

/// One cost component of a resource, before pricing.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// `Instance usage (Linux, on-demand, t3.micro)`.
    pub name: String,
    /// What the quantity counts, plural: `hours`, `GB`, `requests`.
    pub unit: &'static str,
    pub quantity: Quantity,
    /// How many of `unit` one catalog unit is (1 for hours; 1,000,000 for a price per 1M requests).
    pub per: Decimal,
    pub sku: Sku,
    /// The quantity comes from usage (the usage file), not from the configuration.
    pub usage_based: bool,
}

impl Component {
    /// A component of `quantity` units known from the configuration.
    pub fn fixed(name: impl Into<String>, unit: &'static str, quantity: impl Into<Num>, sku: Sku) -> Component {
        Component {
            name: name.into(),
            unit,
            quantity: Quantity::of(quantity.into()),
            per: Decimal::ONE,
            sku,
            usage_based: false,
        }
    }

    /// A usage-based component: `usage` is the monthly amount when the usage file gives it.
    pub fn usage(
        name: impl Into<String>,
        unit: &'static str,
        key: &str,
        usage: Option<Num>,
        per: Decimal,
        sku: Sku,
    ) -> Component {
        Component {
            name: name.into(),
            unit,
            quantity: match usage {
                Some(q) => Quantity::of(q),
                None => Quantity::Usage { key: key.to_string() },
            },
            per,
            sku,
            usage_based: true,
        }
    }

    /// Sets the quantity to unresolved when `unknown` is some.
    pub fn unresolved_if(mut self, unknown: Option<Unknown>) -> Component {
        if let Some(u) = unknown {
            self.quantity = Quantity::Unresolved(u);
        }
        self
    }
}

/// What an estimator says about a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Estimate {
    Components(Vec<Component>),
    /// AWS does not charge for it (VPCs, subnets, IAM, …), or its cost is priced on another
    /// resource (a launch template on its auto scaling group).
    Free,
    /// infracheck has no estimator for it.
    NotEstimated,
}

/// A priced component.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub unit: &'static str,
    pub quantity: Option<Decimal>,
    /// The catalog's unit (`hour`, `1M requests`) and price, when it has one.
    pub price_unit: Option<String>,
    pub unit_price: Option<Decimal>,
    pub per: Decimal,
    pub monthly: Option<Decimal>,
    pub usage_based: bool,
    pub status: LineStatus,
    pub sku: Sku,
    /// The catalog entry's sources and date.
    pub price_source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LineStatus {
    Priced,
    /// The catalog has no price for the SKU in the region.
    MissingPrice,
    /// Usage-based, and no usage was given for `key` (the line's unit price, when the catalog has
    /// one, says what a unit would cost).
    DependsOnUsage {
        key: String,
    },
    /// The quantity is known only after apply.
    Unresolved(Unknown),
    /// The quantity or the monthly figure cannot be computed: `quantity too large:
    /// write_capacity = 1e+30`. Like a missing price, the totals leave it out and say so.
    NotPriced {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Estimated,
    Free,
    NotEstimated,
}

/// The cost of one resource instance.
#[derive(Debug, Clone)]
pub struct ResourceCost {
    pub address: String,
    pub resource_type: String,
    pub region: String,
    /// The module call its subtotal is under: the top-level call (`module.state_backend` for
    /// `module.state_backend.module.bucket.aws_s3_bucket.this`; empty at the root), or, when every
    /// resource is created through one composition module, the call below it
    /// (`module.platform.module.vpc`).
    pub module: String,
    pub span: Span,
    pub kind: Kind,
    pub lines: Vec<Line>,
}

impl ResourceCost {
    /// The sum of the priced lines.
    pub fn monthly(&self) -> Decimal {
        num::sum(self.lines.iter().filter_map(|l| l.monthly))
    }

    pub fn missing_price(&self) -> bool {
        self.lines.iter().any(|l| l.status == LineStatus::MissingPrice)
    }
}

/// The cost of one environment.
#[derive(Debug, Clone)]
pub struct EnvCost {
    pub env: String,
    /// The region of the root module's default AWS provider.
    pub region: String,
    pub catalog_date: String,
    /// Every managed resource, sorted by address.
    pub resources: Vec<ResourceCost>,
}

impl EnvCost {
    pub fn monthly(&self) -> Decimal {
        num::sum(self.resources.iter().map(ResourceCost::monthly))
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.resources.iter().filter(|r| r.kind == kind).count()
    }

    /// Lines that cannot be priced (a quantity too large, …): (address, line).
    pub fn not_priced(&self) -> impl Iterator<Item = (&ResourceCost, &Line)> {
        self.resources
            .iter()
            .flat_map(|r| r.lines.iter().map(move |l| (r, l)))
            .filter(|(_, l)| matches!(l.status, LineStatus::NotPriced { .. }))
    }

    /// Lines without a catalog price: (address, line).
    pub fn missing_prices(&self) -> impl Iterator<Item = (&ResourceCost, &Line)> {
        self.resources
            .iter()
            .flat_map(|r| r.lines.iter().map(move |l| (r, l)))
            .filter(|(_, l)| l.status == LineStatus::MissingPrice)
    }

    /// What a budget is held against: the total, the resources by cost, and what the total
    /// leaves out (lines without a catalog price, or known only after apply).
    pub fn budget_estimate(&self) -> BudgetEstimate {
        let mut by_cost: Vec<(String, Decimal)> = self
            .resources
            .iter()
            .map(|r| (r.address.clone(), r.monthly()))
            .filter(|(_, m)| !m.is_zero())
            .collect();
        by_cost.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut left_out: Vec<String> = Vec::new();
        for r in &self.resources {
            for l in &r.lines {
                match &l.status {
                    LineStatus::MissingPrice => left_out.push(format!(
                        "{}: no price in catalog for {} / {} / {}",
                        r.address, l.sku.service, l.sku.sku, l.sku.region
                    )),
                    LineStatus::Unresolved(u) => left_out.extend(u.refs.iter().cloned()),
                    LineStatus::NotPriced { reason } => {
                        left_out.push(format!("{}: {}: not priced ({reason})", r.address, l.name))
                    }
                    _ => {}
                }
            }
        }
        left_out.sort();
        left_out.dedup();
        BudgetEstimate {
            monthly_usd: self.monthly(),
            by_cost,
            left_out,
        }
    }

    /// What the total leaves out, over every resource.
    pub fn omitted(&self) -> Omitted {
        Omitted::of(self.resources.iter())
    }

    /// What each module's subtotal leaves out (the root is ``), in module order.
    pub fn module_omitted(&self) -> BTreeMap<&str, Omitted> {
        let mut out: BTreeMap<&str, Vec<&ResourceCost>> = BTreeMap::new();
        for r in &self.resources {
            out.entry(r.module.as_str()).or_default().push(r);
        }
        out.into_iter()
            .map(|(m, rs)| (m, Omitted::of(rs.into_iter())))
            .collect()
    }

    /// Subtotals per module (the root is ``), in module order.
    pub fn module_subtotals(&self) -> BTreeMap<&str, Decimal> {
        let mut out: BTreeMap<&str, Decimal> = BTreeMap::new();
        for r in &self.resources {
            let sub = out.entry(r.module.as_str()).or_default();
            *sub = num::sum([*sub, r.monthly()]);
        }
        out
    }
}

/// What a total leaves out: lines without a figure (no catalog price, or a quantity that cannot
/// be priced), lines whose quantity is known only after apply, and resources with no estimator.
/// Usage-based lines without usage are not among them: they cost what the usage given says, and
/// their line says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Omitted {
    pub unpriced: usize,
    pub unresolved: usize,
    pub not_estimated: usize,
}

impl Omitted {
    fn of<'a>(resources: impl Iterator<Item = &'a ResourceCost>) -> Omitted {
        let mut o = Omitted::default();
        for r in resources {
            if r.kind == Kind::NotEstimated {
                o.not_estimated += 1;
            }
            for l in &r.lines {
                match l.status {
                    LineStatus::MissingPrice | LineStatus::NotPriced { .. } => o.unpriced += 1,
                    LineStatus::Unresolved(_) => o.unresolved += 1,
                    _ => {}
                }
            }
        }
        o
    }

    /// Nothing is left out.
    pub fn complete(&self) -> bool {
        *self == Omitted::default()
    }

    /// What the total leaves out, as the total line says it: `2 unpriced lines, 1 resource not
    /// estimated`; empty when complete.
    pub fn describe(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = Vec::new();
        if self.unpriced > 0 {
            parts.push(plural(self.unpriced, "unpriced line", "unpriced lines"));
        }
        if self.unresolved > 0 {
            parts.push(plural(
                self.unresolved,
                "line known after apply",
                "lines known after apply",
            ));
        }
        if self.not_estimated > 0 {
            parts.push(plural(
                self.not_estimated,
                "resource not estimated",
                "resources not estimated",
            ));
        }
        parts.join(", ")
    }

    /// `$12.00`, or `$12.00 + 2 unpriced lines` when something is left out.
    pub fn total(&self, usd: &str) -> String {
        if self.complete() {
            usd.to_string()
        } else {
            format!("{usd} + {}", self.describe())
        }
    }
}

/// What estimators read besides the resource: the project (for references between resources)
/// and the usage.
pub struct Ctx<'a> {
    pub project: &'a Project,
    pub index: crate::model::join::Index<'a>,
    pub usage: &'a Usage,
}

impl<'a> Ctx<'a> {
    pub fn new(project: &'a Project, usage: &'a Usage) -> Ctx<'a> {
        Ctx {
            project,
            index: crate::model::join::Index::new(&project.resources),
            usage,
        }
    }

    /// The resources of `types` that `value` refers to (`aws_launch_template.app.id`).
    pub fn targets(&self, value: &Value, types: &[&str]) -> Vec<&'a Resource> {
        crate::model::join::link_targets(value, &self.index, types, "")
            .into_iter()
            .map(|i| &self.project.resources[i])
            .collect()
    }
}

/// The region of a resource as the catalog names it; empty when not known.
pub fn region_of(r: &Resource) -> String {
    r.region.as_str().unwrap_or_default().to_string()
}

/// How many module calls deep subtotals group: one (the top-level calls), plus one for each
/// module call that every managed resource is created through (a root that is a thin wrapper of
/// one composition module groups by the calls inside it).
fn subtotal_depth(project: &Project) -> usize {
    let paths: Vec<&[(String, crate::model::InstanceKey)]> = project
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Managed)
        .map(|r| r.module.0.as_slice())
        .collect();
    let Some(first) = paths.first() else {
        return 1;
    };
    let mut shared = 0;
    while shared < first.len() && paths.iter().all(|p| p.len() > shared && p[shared] == first[shared]) {
        shared += 1;
    }
    shared + 1
}

/// Prices every managed resource of `project`.
pub fn estimate_project(project: &Project, usage: &Usage, catalog: &Catalog) -> EnvCost {
    let ctx = Ctx::new(project, usage);
    let depth = subtotal_depth(project);
    let mut resources: Vec<ResourceCost> = project
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Managed)
        .map(|r| {
            let (kind, components) = match estimators::estimate(r, &ctx) {
                Estimate::Components(c) => (Kind::Estimated, c),
                Estimate::Free => (Kind::Free, Vec::new()),
                Estimate::NotEstimated => (Kind::NotEstimated, Vec::new()),
            };
            ResourceCost {
                address: r.address.clone(),
                resource_type: r.resource_type.clone(),
                region: region_of(r),
                module: r.module.0[..r.module.0.len().min(depth)]
                    .iter()
                    .map(|(n, k)| format!("module.{n}{k}"))
                    .collect::<Vec<_>>()
                    .join("."),
                span: r.span,
                kind,
                lines: components.into_iter().map(|c| price(c, catalog)).collect(),
            }
        })
        .collect();
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    cap_totals(&mut resources);
    let region = project
        .providers
        .iter()
        .find(|p| p.name == "aws" && p.module.is_root())
        .and_then(|p| p.region.as_str().map(str::to_string))
        .or_else(|| resources.iter().map(|r| r.region.clone()).find(|r| !r.is_empty()))
        .unwrap_or_default();
    EnvCost {
        env: project.env.clone(),
        region,
        catalog_date: catalog.date_label(),
        resources,
    }
}

/// The largest monthly figure an environment adds up to: $1e+24 (in absolute value, line by line).
/// Under it no total, subtotal, sum over environments (up to 79,000 of them) or difference of two
/// totals can overflow a `Decimal` (7.9e+28).
pub fn largest_total() -> Decimal {
    Decimal::from(1_000_000_000_000_000_000_000_000i128)
}

/// Turns the lines that would take the environment past [`largest_total`] into lines not priced,
/// so every sum of priced lines is in range.
fn cap_totals(resources: &mut [ResourceCost]) {
    let limit = largest_total();
    let mut running = Decimal::ZERO;
    for l in resources.iter_mut().flat_map(|r| r.lines.iter_mut()) {
        let Some(m) = l.monthly else { continue };
        match num::add(running, m.abs()).filter(|s| *s <= limit) {
            Some(s) => running = s,
            None => {
                l.monthly = None;
                l.status = LineStatus::NotPriced {
                    reason: format!(
                        "monthly cost too large: ${} takes the total past ${}",
                        num::sci(m),
                        num::sci(limit)
                    ),
                };
            }
        }
    }
}

/// Prices one component from the catalog.
pub fn price(c: Component, catalog: &Catalog) -> Line {
    let entry = catalog.get(c.sku.service, &c.sku.sku, &c.sku.region);
    let quantity = match &c.quantity {
        Quantity::Known(q) => Some(*q),
        _ => None,
    };
    // A usage-based line without usage costs nothing known either way: it says what usage it
    // needs (and that the catalog has no price for it) rather than counting as a missing price.
    let mut status = match (&c.quantity, entry) {
        (Quantity::Unresolved(u), _) => LineStatus::Unresolved(u.clone()),
        (Quantity::Invalid(reason), _) => LineStatus::NotPriced { reason: reason.clone() },
        (Quantity::Usage { key }, _) => LineStatus::DependsOnUsage { key: key.clone() },
        (Quantity::Known(_), None) => LineStatus::MissingPrice,
        (Quantity::Known(_), Some(_)) => LineStatus::Priced,
    };
    let monthly = match (&status, quantity, entry) {
        (LineStatus::Priced, Some(q), Some(p)) => {
            let m = q.checked_div(c.per).and_then(|units| num::mul(units, p.usd));
            if m.is_none() {
                status = LineStatus::NotPriced {
                    reason: format!(
                        "monthly cost too large: {} {} at ${} per {}",
                        num::sci(q),
                        c.unit,
                        p.usd,
                        p.unit
                    ),
                };
            }
            m
        }
        _ => None,
    };
    Line {
        name: c.name,
        unit: c.unit,
        quantity,
        price_unit: entry.map(|p| p.unit.clone()),
        unit_price: entry.map(|p| p.usd),
        per: c.per,
        monthly,
        usage_based: c.usage_based,
        status,
        price_source: entry.map(|p| format!("{} (as of {})", p.sources.join(" ; "), p.as_of)),
        sku: c.sku,
    }
}
