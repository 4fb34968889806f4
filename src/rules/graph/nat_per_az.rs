//! A NAT gateway in every AZ that has private subnets, each private subnet's default route going
//! to the NAT gateway in its own AZ, so losing one AZ does not cut the others off the internet.

use super::routes::{default_routes, Target};
use super::{subnet_az, GraphCtx, GraphOutcome};
use crate::model::value::to_hcl;
use crate::rules::engine::Outcome;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for route in default_routes(ctx) {
        let Target::Nat(nat_ref) = &route.target else {
            continue;
        };
        let nats = ctx.targets(nat_ref, &["aws_nat_gateway"], "id");
        let Some(&nat) = nats.first() else {
            continue;
        };
        let nat_subnet = ctx
            .resource(nat)
            .attributes
            .get("subnet_id")
            .map(|v| ctx.targets(v, &["aws_subnet"], "id"))
            .unwrap_or_default();
        let nat_az = nat_subnet.first().and_then(|&s| subnet_az(ctx.resource(s)));
        for &subnet in &route.subnets {
            let az = subnet_az(ctx.resource(subnet));
            let finding = |o, d: String| GraphOutcome::on(ctx, route.resource, o, d).at(route.path.clone());
            match (&az, &nat_az) {
                (Some(a), Some(n)) if a.is_wholly_known() && n.is_wholly_known() => {
                    if a == n {
                        out.push(finding(Outcome::Pass, String::new()));
                    } else {
                        out.push(finding(
                            Outcome::Fail,
                            format!(
                                "private subnet {} in {} sends its internet traffic to {} in {}",
                                ctx.resource(subnet).address,
                                to_hcl(a),
                                ctx.resource(nat).address,
                                to_hcl(n)
                            ),
                        ));
                    }
                }
                _ => {
                    let refs: Vec<String> = [&az, &nat_az]
                        .iter()
                        .filter_map(|v| v.as_ref().and_then(super::unknown_refs))
                        .flatten()
                        .collect();
                    out.push(
                        finding(
                            Outcome::Unresolved,
                            "the availability zones of the subnet or the NAT gateway".into(),
                        )
                        .refs(refs),
                    );
                }
            }
        }
    }
    out
}
