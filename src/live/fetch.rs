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
    progress: &dyn Fn(&str),
) -> Result<Vec<Fetched>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let mut out = Vec::new();
        for region in regions {
            let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(region.clone()))
                .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(6));
            if let Some(p) = profile {
                loader = loader.profile_name(p);
            }
            if let Some(url) = endpoint_url {
                loader = loader.endpoint_url(url);
            }
            let config = loader.load().await;
            let client = aws_sdk_config::Client::new(&config);
            let err = |what: &str, e: String| format!("{region}: {what}: {e}");
            let mut keys: Vec<ResourceKey> = Vec::new();
            for ty in types {
                let mut pages = client
                    .list_discovered_resources()
                    .resource_type(ResourceType::from(ty.as_str()))
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| {
                        err(
                            "ListDiscoveredResources",
                            aws_sdk_config::error::DisplayErrorContext(e).to_string(),
                        )
                    })?;
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
                progress(&format!("{region}: {} resource(s) listed", keys.len()));
            }
            let mut items = Vec::new();
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
                                .map_err(|e| aws_sdk_config::error::DisplayErrorContext(e).to_string())?;
                            got.extend(answer.base_configuration_items().iter().map(item_json));
                            pending = answer.unprocessed_resource_keys().to_vec();
                        }
                        Ok::<_, String>(got)
                    });
                }
                for r in set.join_all().await {
                    items.extend(r.map_err(|e| err("BatchGetResourceConfig", e))?);
                }
                progress(&format!(
                    "{region}: {}/{} configuration item(s) read",
                    items.len(),
                    keys.len()
                ));
            }
            let counts = match client.get_discovered_resource_counts().send().await {
                Ok(c) => c
                    .resource_counts()
                    .iter()
                    .filter_map(|r| r.resource_type().map(|t| (t.as_str().to_string(), r.count())))
                    .collect(),
                Err(_) => Vec::new(),
            };
            out.push(Fetched {
                region: region.clone(),
                items,
                counts,
            });
        }
        Ok(out)
    })
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
