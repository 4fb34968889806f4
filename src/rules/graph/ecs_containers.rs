//! ECS container definitions: `require = ["not_privileged", "awslogs"]` — no privileged
//! container, and every container's logs sent to CloudWatch with the awslogs driver.

use super::{GraphCtx, GraphOutcome};
use crate::model::Value;
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
        let defs = match r.attributes.get("container_definitions") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Unknown(u)) => {
                out.push(
                    GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Unresolved,
                        "container_definitions is known only after apply",
                    )
                    .at("container_definitions")
                    .refs(u.refs.clone()),
                );
                continue;
            }
            _ => continue,
        };
        let Ok(serde_json::Value::Array(containers)) = serde_json::from_str::<serde_json::Value>(&defs) else {
            continue;
        };
        let mut problems = Vec::new();
        for c in &containers {
            let name = c.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            if require.iter().any(|r| r == "not_privileged")
                && c.get("privileged").and_then(|p| p.as_bool()) == Some(true)
            {
                problems.push(format!("container {name} is privileged"));
            }
            if require.iter().any(|r| r == "awslogs") {
                let driver = c.pointer("/logConfiguration/logDriver").and_then(|d| d.as_str());
                if driver != Some("awslogs") {
                    problems.push(format!(
                        "container {name} logs with {}",
                        driver.map_or("no log driver".to_string(), |d| format!("the {d} driver"))
                    ));
                }
            }
        }
        out.push(if problems.is_empty() {
            GraphOutcome::pass(ctx, i)
        } else {
            GraphOutcome::on(ctx, i, Outcome::Fail, problems.join("; ")).at("container_definitions")
        });
    }
    out
}
