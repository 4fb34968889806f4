//! Refreshing the catalog from the AWS Price List (`infracheck prices update`): which GetProducts
//! query prices a catalog SKU, and how a GetProducts answer becomes a catalog price. The network
//! part (aws-sdk-pricing) is behind the `aws` feature; the rest is plain code, tested offline.
//!
//! Refreshed are the SKUs whose products the Price List identifies by documented attributes: EC2
//! instances (Linux, shared tenancy), RDS instances, ElastiCache nodes and EBS storage by volume
//! type. Other SKUs keep their embedded price.

use super::catalog::{Catalog, Confidence, Price};
use rust_decimal::Decimal;
use std::str::FromStr;

/// The regions `prices update` refreshes unless told otherwise.
pub const DEFAULT_REGIONS: &[&str] = &[
    "ap-south-1",
    "eu-central-1",
    "eu-west-1",
    "eu-north-1",
    "us-east-1",
    "us-east-2",
];

/// One GetProducts query: the service code and TERM_MATCH filters that select exactly one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The catalog entry it prices.
    pub service: String,
    pub sku: String,
    pub region: String,
    pub unit: String,
    /// The Price List's service code (AmazonEC2, AmazonRDS, AmazonElastiCache).
    pub service_code: &'static str,
    pub filters: Vec<(&'static str, String)>,
}

/// The query for a catalog SKU in a region, when the Price List identifies it by attributes.
pub fn query_for(service: &str, sku: &str, unit: &str, region: &str) -> Option<Query> {
    let q = |service_code: &'static str, mut filters: Vec<(&'static str, String)>| {
        filters.push(("regionCode", region.to_string()));
        Some(Query {
            service: service.to_string(),
            sku: sku.to_string(),
            region: region.to_string(),
            unit: unit.to_string(),
            service_code,
            filters,
        })
    };
    match service {
        "EC2" => {
            let ty = sku.strip_suffix(" Linux on-demand, shared tenancy")?;
            q(
                "AmazonEC2",
                vec![
                    ("instanceType", ty.to_string()),
                    ("operatingSystem", "Linux".into()),
                    ("tenancy", "Shared".into()),
                    ("preInstalledSw", "NA".into()),
                    ("licenseModel", "No License required".into()),
                    ("capacitystatus", "Used".into()),
                ],
            )
        }
        "RDS" => {
            let rest = sku.strip_suffix(" on-demand")?;
            let (rest, deployment) = if let Some(r) = rest.strip_suffix(" Single-AZ") {
                (r, "Single-AZ")
            } else {
                (rest.strip_suffix(" Multi-AZ")?, "Multi-AZ")
            };
            let (class, engine) = rest.split_once(' ')?;
            if !class.starts_with("db.") || !matches!(engine, "MySQL" | "PostgreSQL" | "MariaDB") {
                return None;
            }
            q(
                "AmazonRDS",
                vec![
                    ("instanceType", class.to_string()),
                    ("databaseEngine", engine.to_string()),
                    ("deploymentOption", deployment.into()),
                ],
            )
        }
        "ElastiCache" => {
            let rest = sku.strip_suffix(" on-demand node")?;
            let (node, engine) = rest.split_once(' ')?;
            let engine = match engine {
                "Redis OSS" => "Redis",
                "Valkey" => "Valkey",
                "Memcached" => "Memcached",
                _ => return None,
            };
            q(
                "AmazonElastiCache",
                vec![("instanceType", node.to_string()), ("cacheEngine", engine.into())],
            )
        }
        "EBS" => {
            let volume = sku.strip_suffix(" storage")?;
            if !matches!(volume, "gp2" | "gp3" | "io1" | "io2" | "st1" | "sc1" | "standard") {
                return None;
            }
            q(
                "AmazonEC2",
                vec![
                    ("productFamily", "Storage".into()),
                    ("volumeApiName", volume.to_string()),
                ],
            )
        }
        _ => None,
    }
}

/// Every query `prices update` makes for `regions`: each refreshable SKU of the embedded catalog,
/// in each region (so a region the embedded catalog lacks is filled too).
pub fn queries(embedded: &Catalog, regions: &[String]) -> Vec<Query> {
    let mut skus: Vec<(&str, &str, &str)> = embedded
        .iter()
        .map(|p| (p.service.as_str(), p.sku.as_str(), p.unit.as_str()))
        .collect();
    skus.sort();
    skus.dedup();
    let mut out = Vec::new();
    for region in regions {
        for (service, sku, unit) in &skus {
            if let Some(q) = query_for(service, sku, unit, region) {
                out.push(q);
            }
        }
    }
    out
}

/// What a GetProducts answer says about a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Price(Price),
    NotFound,
    /// Several products with different on-demand prices: the filters do not pin one down.
    Ambiguous(Vec<Decimal>),
}

/// Reads the `PriceList` of a GetProducts answer (each item a JSON product document as the Price
/// List API documents it) into the catalog price of `q`. `retrieved` is today's date.
pub fn read_answer(q: &Query, price_list: &[String], endpoint: &str, retrieved: &str) -> Result<Answer, String> {
    let mut found: Vec<(Decimal, String, String)> = Vec::new();
    for item in price_list {
        let doc: serde_json::Value = serde_json::from_str(item).map_err(|e| format!("a product is not JSON: {e}"))?;
        let sku = doc["product"]["sku"].as_str().unwrap_or_default().to_string();
        let published = doc["publicationDate"].as_str().unwrap_or_default().to_string();
        let Some(terms) = doc["terms"]["OnDemand"].as_object() else {
            continue;
        };
        for term in terms.values() {
            let Some(dims) = term["priceDimensions"].as_object() else {
                continue;
            };
            // The first tier (beginRange 0) is the list price of the catalog's unit.
            for dim in dims.values() {
                if dim["beginRange"].as_str().is_some_and(|b| b != "0") {
                    continue;
                }
                let usd = dim["pricePerUnit"]["USD"]
                    .as_str()
                    .ok_or_else(|| format!("product {sku}: no USD price"))?;
                let usd = Decimal::from_str(usd).map_err(|e| format!("product {sku}: price {usd:?}: {e}"))?;
                if usd.is_zero() {
                    continue;
                }
                found.push((usd.normalize(), sku.clone(), published.clone()));
            }
        }
    }
    let mut prices: Vec<Decimal> = found.iter().map(|f| f.0).collect();
    prices.sort();
    prices.dedup();
    Ok(match prices.as_slice() {
        [] => Answer::NotFound,
        [usd] => {
            let (_, sku, published) = found.into_iter().find(|f| f.0 == *usd).expect("found");
            let filters: Vec<String> = q.filters.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let published = published.split('T').next().unwrap_or_default().to_string();
            Answer::Price(Price {
                service: q.service.clone(),
                sku: q.sku.clone(),
                region: q.region.clone(),
                unit: q.unit.clone(),
                usd: *usd,
                confidence: Confidence::Generated,
                sources: vec![format!(
                    "AWS Price List API GetProducts {} ({}) product {sku} via {endpoint}",
                    q.service_code,
                    filters.join(", ")
                )],
                as_of: if published.is_empty() {
                    retrieved.to_string()
                } else {
                    format!("{retrieved} (Price List publication {published})")
                },
            })
        }
        many => Answer::Ambiguous(many.to_vec()),
    })
}

/// The TSV of a catalog (the embedded format), for the local catalog file.
pub fn to_tsv(prices: &[Price]) -> String {
    let mut out = String::from("service\tsku\tregion\tunit\tusd\tconfidence\tsources\tas_of\n");
    let mut sorted: Vec<&Price> = prices.iter().collect();
    sorted.sort_by(|a, b| (&a.service, &a.sku, &a.region).cmp(&(&b.service, &b.sku, &b.region)));
    for p in sorted {
        let confidence = match p.confidence {
            Confidence::Generated => "generated",
            Confidence::TwoSources => "two-sources",
            Confidence::SingleOfficial => "single-official",
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{confidence}\t{}\t{}\n",
            p.service,
            p.sku,
            p.region,
            p.unit,
            p.usd,
            p.sources.join(" ; ").replace(['\t', '\n'], " "),
            p.as_of
        ));
    }
    out
}

/// A query and what the Price List answered (or why it could not).
pub type Fetched = (Query, Result<Answer, String>);

/// Fetches every query's answer with aws-sdk-pricing (GetProducts), at most four at a time.
#[cfg(feature = "aws")]
pub fn fetch(
    queries: &[Query],
    endpoint_url: Option<&str>,
    retrieved: &str,
    progress: &dyn Fn(usize, usize),
) -> Result<Vec<Fetched>, String> {
    use aws_sdk_pricing::types::{Filter, FilterType};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        // The Price List API is served from us-east-1 (also ap-south-1 and eu-central-1).
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).region("us-east-1");
        if let Some(url) = endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let client = aws_sdk_pricing::Client::new(&config);
        let endpoint = endpoint_url
            .unwrap_or("api.pricing.us-east-1.amazonaws.com")
            .to_string();
        let mut out = Vec::with_capacity(queries.len());
        for (i, chunk) in queries.chunks(4).enumerate() {
            let mut set = tokio::task::JoinSet::new();
            for (k, q) in chunk.iter().enumerate() {
                let (client, endpoint, retrieved, q) =
                    (client.clone(), endpoint.clone(), retrieved.to_string(), q.clone());
                set.spawn(async move {
                    let mut req = client
                        .get_products()
                        .service_code(q.service_code)
                        .format_version("aws_v1")
                        .max_results(100);
                    for (field, value) in &q.filters {
                        let f = Filter::builder()
                            .r#type(FilterType::TermMatch)
                            .field(*field)
                            .value(value)
                            .build()
                            .map_err(|e| e.to_string());
                        match f {
                            Ok(f) => req = req.filters(f),
                            Err(e) => return (k, Err(e)),
                        }
                    }
                    let mut items: Vec<String> = Vec::new();
                    let mut pages = req.into_paginator().send();
                    while let Some(page) = pages.next().await {
                        match page {
                            Ok(page) => items.extend(page.price_list().iter().cloned()),
                            Err(e) => {
                                return (
                                    k,
                                    Err(format!(
                                        "GetProducts {}: {}",
                                        q.service_code,
                                        aws_sdk_pricing::error::DisplayErrorContext(e)
                                    )),
                                )
                            }
                        }
                    }
                    (k, read_answer(&q, &items, &endpoint, &retrieved))
                });
            }
            let mut answers: Vec<(usize, Result<Answer, String>)> = set.join_all().await;
            answers.sort_by_key(|(k, _)| *k);
            for (k, a) in answers {
                out.push((chunk[k].clone(), a));
            }
            progress((i * 4 + chunk.len()).min(queries.len()), queries.len());
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_skus_map_to_documented_price_list_attributes() {
        let q = query_for("EC2", "t3.micro Linux on-demand, shared tenancy", "hour", "ap-south-1").unwrap();
        assert_eq!(q.service_code, "AmazonEC2");
        assert!(q.filters.contains(&("instanceType", "t3.micro".into())));
        assert!(q.filters.contains(&("regionCode", "ap-south-1".into())));
        let q = query_for(
            "RDS",
            "db.t3.small MySQL Multi-AZ on-demand",
            "instance-hour",
            "ap-south-1",
        )
        .unwrap();
        assert_eq!(
            q.filters,
            [
                ("instanceType", "db.t3.small".to_string()),
                ("databaseEngine", "MySQL".into()),
                ("deploymentOption", "Multi-AZ".into()),
                ("regionCode", "ap-south-1".into()),
            ]
        );
        let q = query_for(
            "ElastiCache",
            "cache.t3.micro Redis OSS on-demand node",
            "node-hour",
            "us-east-1",
        )
        .unwrap();
        assert!(q.filters.contains(&("cacheEngine", "Redis".into())));
        assert!(query_for("EBS", "gp3 storage", "GB-month", "us-east-1").is_some());
        assert!(query_for("EBS", "gp3 IOPS above 3,000", "IOPS-month", "us-east-1").is_none());
        assert!(query_for("WAF", "web ACL", "ACL-month", "us-east-1").is_none());
        let n = queries(&Catalog::embedded(), &["us-east-2".to_string()]).len();
        assert!(n >= 30, "{n}");
    }

    fn product(sku: &str, usd: &str) -> String {
        format!(
            r#"{{"product":{{"productFamily":"Compute Instance","attributes":{{"instanceType":"t3.micro","regionCode":"us-east-2"}},"sku":"{sku}"}},"serviceCode":"AmazonEC2","terms":{{"OnDemand":{{"{sku}.JRTCKXETXF":{{"priceDimensions":{{"{sku}.JRTCKXETXF.6YS6EN2CT7":{{"unit":"Hrs","endRange":"Inf","beginRange":"0","pricePerUnit":{{"USD":"{usd}"}}}}}},"sku":"{sku}","offerTermCode":"JRTCKXETXF"}}}}}},"version":"20261101000000","publicationDate":"2026-11-01T00:00:00Z"}}"#
        )
    }

    #[test]
    fn answers_become_dated_sourced_prices_or_say_why_not() {
        let q = query_for("EC2", "t3.micro Linux on-demand, shared tenancy", "hour", "us-east-2").unwrap();
        let a = read_answer(
            &q,
            &[product("ABC", "0.0104000000")],
            "http://127.0.0.1:1",
            "2026-11-30",
        )
        .unwrap();
        let Answer::Price(p) = a else { panic!("{a:?}") };
        assert_eq!(p.usd, Decimal::from_str("0.0104").unwrap());
        assert_eq!(p.as_of, "2026-11-30 (Price List publication 2026-11-01)");
        assert!(p.sources[0].contains("GetProducts AmazonEC2") && p.sources[0].contains("product ABC"));
        assert_eq!(read_answer(&q, &[], "e", "2026-11-30").unwrap(), Answer::NotFound);
        let two = [product("A", "0.0104"), product("B", "0.0208")];
        assert!(matches!(read_answer(&q, &two, "e", "d").unwrap(), Answer::Ambiguous(v) if v.len() == 2));
        assert!(read_answer(&q, &["{".to_string()], "e", "d").is_err());
        // The TSV reads back as a catalog.
        let tsv = to_tsv(&[p]);
        assert_eq!(Catalog::parse(&tsv).unwrap().len(), 1);
    }
}
