//! Cost differences (`infracheck cost --compare-to OLD`): per environment and resource, what the
//! change adds, removes and changes, and the totals.

use super::{EnvCost, LineStatus};
use crate::model::money::cents;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

/// What a diff needs of an estimate: totals per resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub env: String,
    pub monthly: Decimal,
    pub resources: BTreeMap<String, Decimal>,
    pub missing_prices: usize,
}

impl Snapshot {
    pub fn of(e: &EnvCost) -> Snapshot {
        Snapshot {
            env: e.env.clone(),
            monthly: e.monthly(),
            resources: e
                .resources
                .iter()
                .filter(|r| r.kind == super::Kind::Estimated)
                .map(|r| (r.address.clone(), r.monthly()))
                .collect(),
            missing_prices: e
                .resources
                .iter()
                .flat_map(|r| &r.lines)
                .filter(|l| l.status == LineStatus::MissingPrice)
                .count(),
        }
    }

    /// The environments of a `cost --format json` report.
    pub fn from_json(text: &str) -> Result<Vec<Snapshot>, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let envs = v
            .get("environments")
            .and_then(|e| e.as_array())
            .ok_or("not an `infracheck cost --format json` report (no \"environments\")")?;
        let num = |v: &serde_json::Value, what: &str| -> Result<Decimal, String> {
            match v {
                // A figure above the largest total an estimate adds up to is refused, so the
                // differences and sums of a diff stay in range.
                serde_json::Value::Number(n) => Decimal::from_str(&n.to_string())
                    .or_else(|_| Decimal::from_scientific(&n.to_string()))
                    .ok()
                    .filter(|d| d.abs() <= super::largest_total())
                    .ok_or_else(|| format!("{what}: {n} is not a monthly figure infracheck can compare")),
                _ => Err(format!("{what} is missing")),
            }
        };
        envs.iter()
            .map(|e| {
                let env = e
                    .get("env")
                    .and_then(|n| n.as_str())
                    .ok_or("an environment without \"env\"")?;
                let mut resources = BTreeMap::new();
                for r in e.get("resources").and_then(|r| r.as_array()).into_iter().flatten() {
                    let address = r
                        .get("address")
                        .and_then(|a| a.as_str())
                        .ok_or("a resource without \"address\"")?;
                    resources.insert(
                        address.to_string(),
                        num(r.get("monthly_usd").unwrap_or(&serde_json::Value::Null), address)?,
                    );
                }
                Ok(Snapshot {
                    env: env.to_string(),
                    monthly: num(e.get("monthly_usd").unwrap_or(&serde_json::Value::Null), env)?,
                    resources,
                    missing_prices: e.get("missing_prices").and_then(|m| m.as_array()).map_or(0, Vec::len),
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDiff {
    pub address: String,
    pub change: Change,
    pub old: Option<Decimal>,
    pub new: Option<Decimal>,
}

impl ResourceDiff {
    pub fn delta(&self) -> Decimal {
        // Both figures are within `largest_total`, so this never saturates.
        self.new
            .unwrap_or_default()
            .saturating_sub(self.old.unwrap_or_default())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvDiff {
    pub env: String,
    /// `None` when the environment is new (or gone).
    pub old: Option<Decimal>,
    pub new: Option<Decimal>,
    /// Resources whose monthly cost differs, by address.
    pub resources: Vec<ResourceDiff>,
    pub old_missing: usize,
    pub new_missing: usize,
}

impl EnvDiff {
    pub fn delta(&self) -> Decimal {
        // Both figures are within `largest_total`, so this never saturates.
        self.new
            .unwrap_or_default()
            .saturating_sub(self.old.unwrap_or_default())
    }
}

/// The differences between two sets of estimates, matched by environment name (one environment on
/// each side is matched whatever its name: a directory or plan against another).
pub fn diff(old: &[Snapshot], new: &[Snapshot]) -> Vec<EnvDiff> {
    let mut pairs: Vec<(Option<&Snapshot>, Option<&Snapshot>)> = Vec::new();
    if old.len() == 1 && new.len() == 1 {
        pairs.push((Some(&old[0]), Some(&new[0])));
    } else {
        for n in new {
            pairs.push((old.iter().find(|o| o.env == n.env), Some(n)));
        }
        for o in old.iter().filter(|o| !new.iter().any(|n| n.env == o.env)) {
            pairs.push((Some(o), None));
        }
    }
    let mut out: Vec<EnvDiff> = pairs
        .into_iter()
        .map(|(o, n)| {
            let empty = BTreeMap::new();
            let or = o.map_or(&empty, |s| &s.resources);
            let nr = n.map_or(&empty, |s| &s.resources);
            let mut addresses: Vec<&String> = or.keys().chain(nr.keys()).collect();
            addresses.sort();
            addresses.dedup();
            let resources = addresses
                .into_iter()
                .filter_map(|a| {
                    let (ov, nv) = (or.get(a).copied(), nr.get(a).copied());
                    let change = match (ov, nv) {
                        (None, Some(_)) => Change::Added,
                        (Some(_), None) => Change::Removed,
                        (Some(x), Some(y)) if cents(x) != cents(y) => Change::Changed,
                        _ => return None,
                    };
                    Some(ResourceDiff {
                        address: a.clone(),
                        change,
                        old: ov,
                        new: nv,
                    })
                })
                .collect();
            EnvDiff {
                env: n.or(o).map(|s| s.env.clone()).unwrap_or_default(),
                old: o.map(|s| s.monthly),
                new: n.map(|s| s.monthly),
                resources,
                old_missing: o.map_or(0, |s| s.missing_prices),
                new_missing: n.map_or(0, |s| s.missing_prices),
            }
        })
        .collect();
    out.sort_by(|a, b| a.env.cmp(&b.env));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(env: &str, rs: &[(&str, i64)]) -> Snapshot {
        Snapshot {
            env: env.into(),
            monthly: crate::cost::num::sum(rs.iter().map(|(_, v)| Decimal::from(*v))),
            resources: rs.iter().map(|(a, v)| (a.to_string(), Decimal::from(*v))).collect(),
            missing_prices: 0,
        }
    }

    #[test]
    fn added_removed_and_changed_resources_with_totals() {
        let old = [snap("dev", &[("a", 10), ("b", 5), ("c", 1)])];
        let new = [snap("dev", &[("a", 10), ("b", 8), ("d", 40)])];
        let d = diff(&old, &new);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].delta(), Decimal::from(42));
        let changes: Vec<(&str, Change, Decimal)> = d[0]
            .resources
            .iter()
            .map(|r| (r.address.as_str(), r.change, r.delta()))
            .collect();
        assert_eq!(
            changes,
            [
                ("b", Change::Changed, Decimal::from(3)),
                ("c", Change::Removed, Decimal::from(-1)),
                ("d", Change::Added, Decimal::from(40)),
            ]
        );
    }

    #[test]
    fn environments_match_by_name_and_new_or_gone_ones_are_listed() {
        let old = [snap("dev", &[("a", 1)]), snap("qa", &[("a", 2)])];
        let new = [snap("dev", &[("a", 1)]), snap("prod", &[("a", 3)])];
        let d = diff(&old, &new);
        let envs: Vec<(&str, Option<Decimal>, Option<Decimal>)> =
            d.iter().map(|e| (e.env.as_str(), e.old, e.new)).collect();
        assert_eq!(
            envs,
            [
                ("dev", Some(Decimal::from(1)), Some(Decimal::from(1))),
                ("prod", None, Some(Decimal::from(3))),
                ("qa", Some(Decimal::from(2)), None),
            ]
        );
        assert!(d[0].resources.is_empty());
    }

    #[test]
    fn reports_read_back_from_json() {
        let json = r#"{"environments":[{"env":"dev","monthly_usd":12.5,"resources":[{"address":"aws_eip.x","monthly_usd":3.65}],"missing_prices":[{}]}]}"#;
        let s = Snapshot::from_json(json).unwrap();
        assert_eq!(s[0].monthly, Decimal::from_str("12.5").unwrap());
        assert_eq!(s[0].resources["aws_eip.x"], Decimal::from_str("3.65").unwrap());
        assert_eq!(s[0].missing_prices, 1);
        assert!(Snapshot::from_json("{}").unwrap_err().contains("environments"));
    }
}
