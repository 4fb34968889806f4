//! KMS keys and Secrets Manager secrets.

use super::*;
use crate::cost::{region_of, Component, Ctx, Num};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct KmsKeyInput {
    pub region: String,
    pub symmetric: bool,
    pub requests: Option<Num>,
}

pub fn kms_key_input(r: &Resource, ctx: &Ctx) -> KmsKeyInput {
    let spec = str_attr(r, "customer_master_key_spec")
        .known()
        .unwrap_or_else(|| "SYMMETRIC_DEFAULT".into());
    KmsKeyInput {
        region: region_of(r),
        symmetric: spec == "SYMMETRIC_DEFAULT" || spec.starts_with("HMAC"),
        requests: usage(ctx, r, "monthly_requests"),
    }
}

pub fn kms_key(i: &KmsKeyInput, _r: &Resource) -> Vec<Component> {
    let kind = if i.symmetric { "symmetric" } else { "asymmetric" };
    vec![
        Component::fixed(
            "Customer managed key",
            "months",
            Decimal::ONE,
            sku("KMS", "customer managed key", &i.region),
        ),
        Component::usage(
            format!("Requests ({kind})"),
            "requests",
            "monthly_requests",
            i.requests.clone(),
            d(10_000),
            sku("KMS", format!("{kind} requests"), &i.region),
        ),
    ]
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecretInput {
    pub region: String,
    /// The secret and each replica.
    pub copies: Attr<Num>,
    pub requests: Option<Num>,
}

pub fn secret_input(r: &Resource, ctx: &Ctx) -> SecretInput {
    SecretInput {
        region: region_of(r),
        copies: blocks(r, "replica")
            .map(|b| Num::from(d(1 + b.len() as i64)))
            .or(Num::ONE),
        requests: usage(ctx, r, "monthly_requests"),
    }
}

pub fn secret(i: &SecretInput, _r: &Resource) -> Vec<Component> {
    vec![
        Component::fixed(
            "Secret (and replicas)",
            "months",
            i.copies.clone().known().unwrap_or(Num::ONE),
            sku("Secrets Manager", "secret", &i.region),
        )
        .unresolved_if(i.copies.unknown()),
        Component::usage(
            "API requests",
            "requests",
            "monthly_requests",
            i.requests.clone(),
            d(10_000),
            sku("Secrets Manager", "API requests", &i.region),
        ),
    ]
}
