//! Reading configuration items from AWS Config with aws-sdk-config: ListDiscoveredResources
//! (paginated) per resource type, then BatchGetResourceConfig in batches of 100 (the API's limit),
//! four at a time, with the SDK's standard retries and backoff on throttling.

use aws_sdk_config::types::{ResourceKey, ResourceType};
use serde_json::{json, Value as J};

/// What one region's AWS Config holds for the asked types, as configuration item JSON.
pub struct Fetched {
    pub region: String,
    pub items: Vec<J>,
    /// Every resource type AWS Config discovered, with counts (GetDiscoveredResourceCounts), when
    /// the service answers it.
    pub counts: Vec<(String, i64)>,
}

pub fn fetch(
    regions: &[String],
    profile: Option<&str>,
    endpoint_url: Option<&str>,
    types: &[String],
) -> Result<Vec<Fetched>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let mut out = Vec::new();
        for region in regions {
            let client = client(region, profile, endpoint_url).await;
            // On a terminal (indicatif draws nothing otherwise): a spinner while listing, then a
            // bar of the configuration items read.
            let bar = indicatif::ProgressBar::new_spinner().with_prefix(region.clone());
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {prefix}: {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            let err = |what: &str, e: String| format!("{region}: {what}: {e}");
            let mut keys: Vec<ResourceKey> = Vec::new();
            for ty in types {
                let mut pages = client
                    .list_discovered_resources()
                    .resource_type(ResourceType::from(ty.as_str()))
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| err("ListDiscoveredResources", brief(e)))?;
                    for r in page.resource_identifiers() {
                        if let (Some(t), Some(id)) = (r.resource_type(), r.resource_id()) {
                            keys.push(
                                ResourceKey::builder()
                                    .resource_type(t.clone())
                                    .resource_id(id)
                                    .build()
                                    .map_err(|e| e.to_string())?,
                            );
                        }
                    }
                }
                bar.set_message(format!("{} resource(s) listed ({ty})", keys.len()));
            }
            let mut items = Vec::new();
            bar.set_length(keys.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix}: [{bar:30}] {pos}/{len} configuration items ({elapsed})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let batches: Vec<Vec<ResourceKey>> = keys.chunks(100).map(<[ResourceKey]>::to_vec).collect();
            for group in batches.chunks(4) {
                let mut set = tokio::task::JoinSet::new();
                for batch in group {
                    let (client, batch) = (client.clone(), batch.clone());
                    set.spawn(async move {
                        let mut pending = batch;
                        let mut got = Vec::new();
                        // Keys AWS Config leaves unprocessed are asked again (a few times).
                        for _ in 0..5 {
                            if pending.is_empty() {
                                break;
                            }
                            let answer = client
                                .batch_get_resource_config()
                                .set_resource_keys(Some(pending.clone()))
                                .send()
                                .await
                                .map_err(brief)?;
                            got.extend(answer.base_configuration_items().iter().map(item_json));
                            pending = answer.unprocessed_resource_keys().to_vec();
                        }
                        Ok::<_, String>(got)
                    });
                }
                for r in set.join_all().await {
                    items.extend(r.map_err(|e| err("BatchGetResourceConfig", e))?);
                }
                bar.set_position(items.len() as u64);
            }
            let counts = match client.get_discovered_resource_counts().send().await {
                Ok(c) => c
                    .resource_counts()
                    .iter()
                    .filter_map(|r| r.resource_type().map(|t| (t.as_str().to_string(), r.count())))
                    .collect(),
                Err(_) => Vec::new(),
            };
            bar.finish_and_clear();
            out.push(Fetched {
                region: region.clone(),
                items,
                counts,
            });
        }
        Ok(out)
    })
}

/// An AWS Config client for `region`: the standard credential chain (or `profile`), standard
/// retries with backoff (six attempts), and `endpoint_url` when given.
async fn client(region: &str, profile: Option<&str>, endpoint_url: Option<&str>) -> aws_sdk_config::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(6));
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    aws_sdk_config::Client::new(&loader.load().await)
}

/// What AWS Config did with the evaluations.
#[derive(Debug, Default)]
pub struct Put {
    pub sent: usize,
    /// Evaluations AWS Config refused: (resource type, resource ID, compliance).
    pub failed: Vec<(String, String, String)>,
}

/// Reports `evaluations` to AWS Config rule `rule` in `region` (PutEvaluations, 100 a call, the
/// API's limit), after checking that the rule exists (DescribeConfigRules). `result_token` is the
/// one AWS Config gave the rule's invocation; with `test_mode`, AWS Config validates the
/// evaluations without recording them (and any token is accepted).
#[allow(clippy::too_many_arguments)]
pub fn put_evaluations(
    region: &str,
    profile: Option<&str>,
    endpoint_url: Option<&str>,
    rule: &str,
    result_token: &str,
    test_mode: bool,
    evaluations: &[super::evaluations::Evaluation],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Put, String> {
    use aws_sdk_config::types::{ComplianceType, Evaluation};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let client = client(region, profile, endpoint_url).await;
        let rules = client
            .describe_config_rules()
            .config_rule_names(rule)
            .send()
            .await
            .map_err(|e| format!("DescribeConfigRules: {}", brief(e)))?;
        if !rules.config_rules().iter().any(|r| r.config_rule_name() == Some(rule)) {
            return Err(format!("there is no AWS Config rule named {rule:?} in {region}"));
        }
        let stamp = aws_sdk_config::primitives::DateTime::from_millis(at.timestamp_millis());
        let mut put = Put::default();
        for batch in evaluations.chunks(100) {
            let items = batch
                .iter()
                .map(|e| {
                    Evaluation::builder()
                        .compliance_resource_type(&e.resource_type)
                        .compliance_resource_id(&e.resource_id)
                        .compliance_type(ComplianceType::from(e.compliance.as_str()))
                        .annotation(&e.annotation)
                        .ordering_timestamp(stamp)
                        .build()
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, _>>()?;
            let answer = client
                .put_evaluations()
                .result_token(result_token)
                .test_mode(test_mode)
                .set_evaluations(Some(items))
                .send()
                .await
                .map_err(|e| format!("PutEvaluations: {}", brief(e)))?;
            put.sent += batch.len();
            put.failed.extend(answer.failed_evaluations().iter().map(|f| {
                (
                    f.compliance_resource_type().to_string(),
                    f.compliance_resource_id().to_string(),
                    f.compliance_type().as_str().to_string(),
                )
            }));
        }
        Ok(put)
    })
}

/// An SDK error as one line: the service's code and message when it answered with one, else the
/// HTTP status, else the SDK's own account (a connection that failed, a timeout).
fn brief<E>(e: aws_sdk_config::error::SdkError<E, aws_sdk_config::config::http::HttpResponse>) -> String
where
    E: aws_sdk_config::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_config::error::ProvideErrorMetadata;
    match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => match e.raw_response() {
            Some(r) if !r.status().is_success() => format!("HTTP {} from AWS Config", r.status().as_u16()),
            _ => {
                // The chain of causes, each once (`dispatch failure: io error: … Connection refused`).
                let mut parts: Vec<String> = vec![e.to_string()];
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    let text = c.to_string();
                    if !parts.iter().any(|p| p.contains(&text)) {
                        parts.push(text);
                    }
                    cause = c.source();
                }
                parts.join(": ")
            }
        },
    }
}

/// A configuration item as the JSON AWS documents (and `aws configservice` prints).
fn item_json(i: &aws_sdk_config::types::BaseConfigurationItem) -> J {
    let sup: serde_json::Map<String, J> = i
        .supplementary_configuration()
        .map(|m| {
            let mut v: Vec<(&String, &String)> = m.iter().collect();
            v.sort();
            v.into_iter().map(|(k, v)| (k.clone(), J::String(v.clone()))).collect()
        })
        .unwrap_or_default();
    json!({
        "version": i.version(),
        "accountId": i.account_id(),
        "configurationItemStatus": i.configuration_item_status().map(|s| s.as_str()),
        "arn": i.arn(),
        "resourceType": i.resource_type().map(|t| t.as_str()),
        "resourceId": i.resource_id(),
        "resourceName": i.resource_name(),
        "awsRegion": i.aws_region(),
        "availabilityZone": i.availability_zone(),
        "configuration": i.configuration(),
        "supplementaryConfiguration": sup,
    })
}
