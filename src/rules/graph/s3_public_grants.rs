//! No bucket has a public canned ACL, inline (`acl`) or in an `aws_s3_bucket_acl`: one finding per
//! ACL that grants it. Bucket policies that allow everyone are IC-IAM-003's, with every other
//! resource policy.

use super::{fields, GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::engine::Outcome;

const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for i in ctx.of_types(&["aws_s3_bucket"]) {
        let r = ctx.resource(i);
        let mut acls: Vec<(String, Value)> = Vec::new();
        if let Some(v) = r.attributes.get("acl") {
            acls.push(("acl".into(), v.clone()));
        }
        for (k, a) in r.joined.get("bucket_acl").into_iter().flatten().enumerate() {
            if let Some(v) = fields(a).get("acl") {
                acls.push((format!("bucket_acl[{k}].acl"), v.clone()));
            }
        }
        let mut public = false;
        for (path, v) in &acls {
            if let Some(acl) = v.as_str().filter(|s| PUBLIC_ACLS.contains(s)) {
                public = true;
                out.push(GraphOutcome::on(ctx, i, Outcome::Fail, format!("canned ACL {acl}")).at(path.clone()));
            }
        }
        if !public {
            out.push(GraphOutcome::pass(ctx, i));
        }
    }
    out
}
