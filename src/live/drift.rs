//! Drift (`infracheck live --compare-to DIR|plan.json`): what the account holds that the code does
//! not declare, what the code declares that the account lacks, and attributes whose known values
//! differ. Resources are matched by the name the code gives them (a bucket's `bucket`, a role's
//! `name`, a database's `identifier`, …); a code resource whose name is known only after apply
//! cannot be matched and is counted as such.

use crate::model::{Mode, Project, Resource, Value};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The attribute that names a resource, by type, for the types `live` maps.
pub fn key_attribute(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "aws_s3_bucket" => "bucket",
        "aws_iam_role" | "aws_iam_policy" | "aws_security_group" | "aws_lb" | "aws_cloudtrail" => "name",
        "aws_db_instance" => "identifier",
        "aws_rds_cluster" => "cluster_identifier",
        "aws_vpc" | "aws_subnet" => "cidr_block",
        _ => return None,
    })
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Difference {
    pub attribute: String,
    pub code: String,
    pub account: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changed {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    /// The code's address and the account's ARN.
    pub address: String,
    pub arn: String,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Drift {
    /// In the account, not declared by the code: (type, name, ARN).
    pub not_in_code: Vec<(String, String, String)>,
    /// Declared by the code, not in the account: (type, name, address).
    pub not_in_account: Vec<(String, String, String)>,
    pub changed: Vec<Changed>,
    /// Code resources of the compared types whose name is known only after apply.
    pub unmatched_unknown_names: Vec<String>,
}

fn key_of(r: &Resource) -> Option<Result<String, ()>> {
    let attr = key_attribute(&r.resource_type)?;
    match r.attributes.get(attr) {
        Some(Value::String(s)) => Some(Ok(s.clone())),
        Some(v) if v.is_unknown() => Some(Err(())),
        _ => None,
    }
}

fn shown(v: &Value) -> String {
    crate::model::value::to_hcl(v)
}

/// Compares the account's resources with the code's, for the resource types the account was read for.
pub fn drift(account: &[&Project], code: &[Project], arn_of: &dyn Fn(&Resource) -> String) -> Drift {
    let live: Vec<&Resource> = account
        .iter()
        .flat_map(|p| p.resources.iter())
        .filter(|r| key_attribute(&r.resource_type).is_some())
        .collect();
    let types: BTreeSet<&str> = live.iter().map(|r| r.resource_type.as_str()).collect();
    let mut by_key: BTreeMap<(&str, String), &Resource> = BTreeMap::new();
    let mut out = Drift::default();
    for p in code {
        for r in p
            .resources
            .iter()
            .filter(|r| r.mode == Mode::Managed && types.contains(r.resource_type.as_str()))
        {
            match key_of(r) {
                Some(Ok(k)) => {
                    by_key.insert((r.resource_type.as_str(), k), r);
                }
                Some(Err(())) => out.unmatched_unknown_names.push(r.address.clone()),
                None => {}
            }
        }
    }
    let mut seen = BTreeSet::new();
    for l in &live {
        let Some(Ok(k)) = key_of(l) else { continue };
        match by_key.get(&(l.resource_type.as_str(), k.clone())) {
            None => out.not_in_code.push((l.resource_type.clone(), k, arn_of(l))),
            Some(c) => {
                seen.insert((l.resource_type.clone(), k.clone()));
                let mut differences = Vec::new();
                for (attr, lv) in &l.attributes {
                    if matches!(attr.as_str(), "id" | "arn") || !lv.is_wholly_known() {
                        continue;
                    }
                    let Some(cv) = c.attributes.get(attr) else { continue };
                    if cv.is_null() || lv.is_null() || matches!(cv, Value::Unknown(_)) {
                        continue;
                    }
                    if !same(cv, lv) {
                        differences.push(Difference {
                            attribute: attr.clone(),
                            code: shown(cv),
                            account: shown(lv),
                        });
                    }
                }
                if !differences.is_empty() {
                    out.changed.push(Changed {
                        resource_type: l.resource_type.clone(),
                        name: k,
                        address: c.address.clone(),
                        arn: arn_of(l),
                        differences,
                    });
                }
            }
        }
    }
    for ((t, k), r) in &by_key {
        if !seen.contains(&(t.to_string(), k.clone())) {
            out.not_in_account.push((t.to_string(), k.clone(), r.address.clone()));
        }
    }
    out.not_in_code.sort();
    out.not_in_account.sort();
    out.changed
        .sort_by(|a, b| (&a.resource_type, &a.name).cmp(&(&b.resource_type, &b.name)));
    out.unmatched_unknown_names.sort();
    out
}

/// Known values equal as Terraform compares them (numbers by value, lists and sets in order); the
/// parts the code leaves to the provider (unknown, or attributes a block does not write) match
/// anything.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => true,
        (Value::Open(o), other) => same(&Value::Map(o.attrs.clone()), other),
        (other, Value::Open(o)) => same(other, &Value::Map(o.attrs.clone())),
        (Value::Number(x), Value::Number(y)) => (x - y).abs() < 1e-9,
        (Value::List(x) | Value::Set(x), Value::List(y) | Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            // Compare what both sides state.
            x.iter()
                .all(|(k, v)| y.get(k).is_none_or(|w| v.is_null() || same(v, w)))
        }
        _ => a == b,
    }
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.not_in_code.is_empty() && self.not_in_account.is_empty() && self.changed.is_empty()
    }

    pub fn text(&self, against: &str) -> String {
        let mut out = format!("\nDrift against {against}\n");
        if self.is_empty() {
            out.push_str("  none: every compared resource is declared, and no known attribute differs\n");
        }
        if !self.not_in_code.is_empty() {
            out.push_str(&format!(
                "  In the account, not in the code ({}):\n",
                self.not_in_code.len()
            ));
            for (t, k, arn) in &self.not_in_code {
                out.push_str(&format!("    + {t} {k:?}  {arn}\n"));
            }
        }
        if !self.not_in_account.is_empty() {
            out.push_str(&format!(
                "  In the code, not in the account ({}):\n",
                self.not_in_account.len()
            ));
            for (t, k, a) in &self.not_in_account {
                out.push_str(&format!("    - {t} {k:?}  {a}\n"));
            }
        }
        if !self.changed.is_empty() {
            out.push_str(&format!(
                "  Attributes that differ ({} resource(s)):\n",
                self.changed.len()
            ));
            for c in &self.changed {
                out.push_str(&format!(
                    "    ~ {} {:?}  {}  {}\n",
                    c.resource_type, c.name, c.address, c.arn
                ));
                for d in &c.differences {
                    out.push_str(&format!(
                        "        {}: code {} ≠ account {}\n",
                        d.attribute, d.code, d.account
                    ));
                }
            }
        }
        if !self.unmatched_unknown_names.is_empty() {
            out.push_str(&format!(
                "  Not compared, their names are known only after apply: {}\n",
                self.unmatched_unknown_names.join(", ")
            ));
        }
        out
    }
}
