//! Identity policies grant no `*` or `service:*` action on every resource (`*`): the policies of
//! roles, users, groups and managed policies, and the documents that reach them. In a resource
//! policy (a key, bucket, queue or topic policy) `Resource: "*"` means "this resource", so those
//! are left to the resource-policy checks.

use super::statements::{could_be_anything, refs_of, Attachment, Part};
use super::{GraphCtx, GraphOutcome};
use crate::rules::engine::Outcome;

fn is_wild_action(a: &str) -> bool {
    a == "*" || a.ends_with(":*")
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for src in ctx.sources().iter().filter(|s| s.is_identity()) {
        let before = out.len();
        let context = src.context(ctx, Attachment::Identity);
        for st in src.statements.iter().filter(|s| s.may_allow()) {
            let wild: Vec<&str> = st
                .actions
                .iter()
                .filter_map(Part::known)
                .filter(|a| is_wild_action(a))
                .collect();
            let open = |p: &&Part| p.unknown().is_some_and(|u| could_be_anything(ctx, u));
            let maybe_wild: Vec<&Part> = st.actions.iter().filter(open).collect();
            if wild.is_empty() && maybe_wild.is_empty() {
                continue;
            }
            let every = st.resources.iter().any(|r| r.is("*"));
            let maybe_every: Vec<&Part> = st.resources.iter().filter(open).collect();
            if !wild.is_empty() && every && st.allows() {
                out.push(st.outcome(
                    ctx,
                    src.resource,
                    Outcome::Fail,
                    format!("{} allows {} on every resource (*){context}", st.label, wild.join(", ")),
                ));
            } else if every || !maybe_every.is_empty() {
                let unknown: Vec<&Part> = maybe_wild
                    .iter()
                    .chain(&maybe_every)
                    .copied()
                    .chain(st.unknown_effect())
                    .collect();
                out.push(
                    st.outcome(
                        ctx,
                        src.resource,
                        Outcome::Unresolved,
                        format!(
                            "{}: its effect, actions or resources are known only after apply",
                            st.label
                        ),
                    )
                    .refs(refs_of(unknown)),
                );
            }
        }
        src.finish(ctx, &mut out, before, false);
    }
    out
}
