//! ECS container definitions: `require = ["not_privileged", "awslogs"]` — no privileged
//! container, and every container's logs sent to CloudWatch with the awslogs driver.

use super::{json_view, GraphCtx, GraphOutcome, UNKNOWN_JSON};
use crate::rules::engine::Outcome;

pub fn validate(params: &toml::Table) -> Result<(), String> {
    let list = params
        .get("require")
        .and_then(|v| v.as_array())
        .ok_or("ecs_containers needs require = [\"not_privileged\" | \"awslogs\", …]")?;
    for r in list {
        match r.as_str() {
            Some("not_privileged" | "awslogs") => {}
            _ => return Err(format!("ecs_containers cannot require {r}")),
        }
    }
    Ok(())
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let require = ctx.param_strings("require");
    let mut out = Vec::new();
    for i in ctx.of_types(&["aws_ecs_task_definition"]) {
        let r = ctx.resource(i);
        let Some(defs) = r.attributes.get("container_definitions") else {
            continue;
        };
        let refs = super::unknown_refs(defs).unwrap_or_default();
        let Some(serde_json::Value::Array(containers)) = json_view(defs) else {
            if !refs.is_empty() {
                out.push(
                    GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Unresolved,
                        "container_definitions is known only after apply",
                    )
                    .at("container_definitions")
                    .refs(refs),
                );
            }
            continue;
        };
        let mut problems = Vec::new();
        let mut unknown = Vec::new();
        for c in &containers {
            let name = c.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            if require.iter().any(|r| r == "not_privileged") {
                match c.get("privileged") {
                    Some(serde_json::Value::Bool(true)) => problems.push(format!("container {name} is privileged")),
                    Some(serde_json::Value::String(s)) if s == UNKNOWN_JSON => {
                        unknown.push(format!("whether container {name} is privileged"))
                    }
                    _ => {}
                }
            }
            if require.iter().any(|r| r == "awslogs") {
                match c.pointer("/logConfiguration/logDriver").and_then(|d| d.as_str()) {
                    Some("awslogs") => {}
                    Some(UNKNOWN_JSON) => unknown.push(format!("the log driver of container {name}")),
                    driver => problems.push(format!(
                        "container {name} logs with {}",
                        driver.map_or("no log driver".to_string(), |d| format!("the {d} driver"))
                    )),
                }
            }
        }
        out.push(if !problems.is_empty() {
            GraphOutcome::on(ctx, i, Outcome::Fail, problems.join("; ")).at("container_definitions")
        } else if !unknown.is_empty() {
            GraphOutcome::on(
                ctx,
                i,
                Outcome::Unresolved,
                format!("{} known only after apply", unknown.join(", ")),
            )
            .at("container_definitions")
            .refs(refs)
        } else {
            GraphOutcome::pass(ctx, i)
        });
    }
    out
}
