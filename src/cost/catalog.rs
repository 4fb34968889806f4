//! The embedded price catalog: AWS on-demand list prices in USD, each with its unit, the sources it
//! was taken from and their date (`aws-prices.tsv`, from the project's price research; see its
//! README in ../shared/prices). Prices are exact decimals, never floats, so totals are right to the
//! cent. A SKU or region without a row has no price: lookups say so instead of guessing.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

const EMBEDDED: &str = include_str!("aws-prices.tsv");

/// Whole generated tables (`bulk/`, with their README): every ElastiCache node type, every
/// OpenSearch instance type in every region, every EC2 instance type in us-east-1. A table's rows
/// share one source and date; they are read on the first lookup the main catalog cannot answer.
struct BulkTable {
    text: &'static str,
    service: &'static str,
    unit: &'static str,
    source: &'static str,
    as_of: &'static str,
    /// The SKU of a row's key columns (all but the region and the price).
    sku: fn(&[&str]) -> Option<String>,
}

const BULK: &[BulkTable] = &[
    BulkTable {
        text: include_str!("bulk/ec2-ondemand-us-east-1.tsv"),
        service: "EC2",
        unit: "hour",
        source: "aws/karpenter-provider-aws@6fc13b52 pkg/providers/pricing/zz_generated.pricing_aws.go (generated 2026-07-20T13:44Z from the AWS Pricing API: Linux, shared tenancy, on-demand)",
        as_of: "2026-07-20",
        sku: |k| Some(format!("{} Linux on-demand, shared tenancy", k[0])),
    },
    BulkTable {
        text: include_str!("bulk/elasticache-ondemand.tsv"),
        service: "ElastiCache",
        unit: "node-hour",
        source: "LeanerCloud/ec2-instances-info@f9eafba8 data/elasticache-instances.json (ec2instances.info scraper output over the AmazonElastiCache Price List offer)",
        as_of: "2025-04-24",
        // The table says `Redis` where AWS (and the catalog) now say `Redis OSS`.
        sku: |k| {
            let engine = match k[1] {
                "Redis" => "Redis OSS",
                e => e,
            };
            Some(format!("{} {engine} on-demand node", k[0]))
        },
    },
    BulkTable {
        text: include_str!("bulk/opensearch-ondemand.tsv"),
        service: "OpenSearch",
        unit: "instance-hour",
        source: "LeanerCloud/ec2-instances-info@f9eafba8 data/opensearch-instances.json (ec2instances.info scraper output over the AmazonES Price List offer)",
        as_of: "2025-04-24",
        sku: |k| Some(format!("{} on-demand instance", k[0])),
    },
];

/// The bulk tables' rows, by (service, SKU, region): read once, on first use.
fn bulk() -> &'static BTreeMap<(String, String, String), Price> {
    static ROWS: std::sync::OnceLock<BTreeMap<(String, String, String), Price>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        let mut out = BTreeMap::new();
        for t in BULK {
            for line in t.text.lines().skip(1) {
                let cols: Vec<&str> = line.split('\t').collect();
                let Some((&[region, usd], keys)) = cols.split_last_chunk::<2>().map(|(k, l)| (l, k)) else {
                    continue;
                };
                let (Some(sku), Ok(usd)) = ((t.sku)(keys), Decimal::from_str(usd)) else {
                    continue;
                };
                let price = Price {
                    service: t.service.to_string(),
                    sku: sku.clone(),
                    region: region.to_string(),
                    unit: t.unit.to_string(),
                    usd,
                    confidence: Confidence::Generated,
                    sources: vec![t.source.to_string()],
                    as_of: t.as_of.to_string(),
                };
                out.insert((t.service.to_string(), sku, region.to_string()), price);
            }
        }
        out
    })
}

/// How a price was established (the research's acceptance rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Generated from the AWS Price List by a program.
    Generated,
    /// At least two independent sources give the same figure.
    TwoSources,
    /// One official AWS page, for region-independent prices only.
    SingleOfficial,
}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub service: String,
    pub sku: String,
    /// An AWS region, `global`, or `global (edge: …)`.
    pub region: String,
    /// What one unit is: `hour`, `GB-month`, `1M requests`, …
    pub unit: String,
    pub usd: Decimal,
    pub confidence: Confidence,
    /// Where the figure comes from (repositories at a commit, or pages).
    pub sources: Vec<String>,
    /// The date the sources state: ISO 8601, as precise as the source (`2026-07`, `2024-07-01`),
    /// sometimes with a note (`2021-08-03 (snapshot)`); for sources that state no date, the
    /// version read (`commit 001367d2 …`, `page as stored`). See [`Price::date`].
    pub as_of: String,
}

impl Price {
    /// The ISO date at the start of `as_of`, when the source states one.
    pub fn date(&self) -> Option<&str> {
        let s = self.as_of.as_str();
        let end = s.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(s.len());
        (end >= 4).then(|| &s[..end])
    }
}

/// A catalog line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("price catalog line {line}: {message}")]
pub struct CatalogError {
    pub line: usize,
    pub message: String,
}

/// Prices by (service, SKU, region).
#[derive(Debug, Clone)]
pub struct Catalog {
    prices: BTreeMap<(String, String, String), Price>,
}

/// Which catalog is in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    /// A local catalog written by `prices update`, over the embedded one.
    Local {
        path: std::path::PathBuf,
        prices: usize,
    },
}

/// Where `prices update` writes the local catalog and where it is read: `$INFRACHECK_PRICES`, else
/// `$XDG_DATA_HOME/infracheck/aws-prices.tsv`, else `~/.local/share/infracheck/aws-prices.tsv`.
pub fn local_path() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("INFRACHECK_PRICES") {
        return Some(p.into());
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share")))?;
    Some(data.join("infracheck").join("aws-prices.tsv"))
}

static ACTIVE: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();

impl Catalog {
    /// The catalog in use: the local one (when `prices update` wrote one) over the embedded one.
    pub fn load() -> Result<(Catalog, Source), String> {
        let mut catalog = Catalog::embedded();
        let Some(path) = local_path().filter(|p| p.is_file()) else {
            return Ok((catalog, Source::Embedded));
        };
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let local = Catalog::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let prices = local.len();
        catalog.overlay(local);
        Ok((catalog, Source::Local { path, prices }))
    }

    /// The catalog in use, loaded once (the embedded one when the local one does not read; the
    /// commands that price report that error themselves).
    pub fn active() -> &'static Catalog {
        ACTIVE.get_or_init(|| Catalog::load().map(|(c, _)| c).unwrap_or_else(|_| Catalog::embedded()))
    }

    /// Adds `other`'s prices, replacing the same SKUs.
    pub fn overlay(&mut self, other: Catalog) {
        self.prices.extend(other.prices);
    }

    /// The catalog compiled into the binary.
    pub fn embedded() -> Catalog {
        Catalog::parse(EMBEDDED).unwrap_or_else(|e| panic!("the embedded catalog is checked by the test suite: {e}"))
    }

    /// Reads a catalog in the TSV format of the embedded one (header line first).
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let mut prices = BTreeMap::new();
        let mut lines = text.lines().enumerate();
        let header = lines.next().map(|(_, h)| h).unwrap_or_default();
        let want = "service\tsku\tregion\tunit\tusd\tconfidence\tsources\tas_of";
        if header != want {
            return Err(CatalogError {
                line: 1,
                message: format!("the header must be {want:?}"),
            });
        }
        for (i, line) in lines {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let err = |message: String| CatalogError { line: n, message };
            let cols: Vec<&str> = line.split('\t').collect();
            let [service, sku, region, unit, usd, confidence, sources, as_of] = cols[..] else {
                return Err(err(format!("{} columns, expected 8", cols.len())));
            };
            let usd = Decimal::from_str(usd).map_err(|e| err(format!("price {usd:?}: {e}")))?;
            if usd.is_sign_negative() {
                return Err(err(format!("negative price {usd}")));
            }
            let confidence = match confidence {
                "generated" => Confidence::Generated,
                "two-sources" => Confidence::TwoSources,
                "single-official" => Confidence::SingleOfficial,
                other => return Err(err(format!("unknown confidence {other:?}"))),
            };
            let sources: Vec<String> = sources
                .split(" ; ")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if sources.is_empty() {
                return Err(err("a price needs its sources".into()));
            }
            // The research records dates as its sources state them ("2024-07-01", "2026-07",
            // "2021-08-03 (snapshot)"), or, where a source states none, what identifies the
            // version that was read ("commit 001367d2 …", "page as stored"). Never blank.
            if as_of.trim().is_empty() {
                return Err(err(
                    "a price needs its as-of date (or the source version when undated)".into()
                ));
            }
            let key = (service.to_string(), sku.to_string(), region.to_string());
            let price = Price {
                service: service.to_string(),
                sku: sku.to_string(),
                region: region.to_string(),
                unit: unit.to_string(),
                usd,
                confidence,
                sources,
                as_of: as_of.to_string(),
            };
            if prices.insert(key, price).is_some() {
                return Err(err(format!("{service} / {sku} / {region} is listed twice")));
            }
        }
        Ok(Catalog { prices })
    }

    /// The price of `sku` of `service` in `region`, if the catalog has one.
    /// The catalog's own rows (and a local catalog's, over them) come first; then the bulk tables.
    pub fn get(&self, service: &str, sku: &str, region: &str) -> Option<&Price> {
        let key = (service.to_string(), sku.to_string(), region.to_string());
        self.prices.get(&key).or_else(|| bulk().get(&key))
    }

    /// The bulk tables' rows ([`Catalog::get`] falls back to them), for `prices` listings and tests.
    pub fn bulk_rows() -> impl Iterator<Item = &'static Price> {
        bulk().values()
    }

    pub fn len(&self) -> usize {
        self.prices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// Every price, ordered by service, SKU and region.
    pub fn iter(&self) -> impl Iterator<Item = &Price> {
        self.prices.values()
    }

    /// `2021-08-03 … 2026-10-09`: the range of the catalog's dates.
    pub fn date_label(&self) -> String {
        match self.dates() {
            Some((a, b)) if a == b => a.to_string(),
            Some((a, b)) => format!("{a} … {b}"),
            None => "undated".into(),
        }
    }

    /// The oldest and newest dates of the dated prices.
    pub fn dates(&self) -> Option<(&str, &str)> {
        let min = self.prices.values().filter_map(Price::date).min()?;
        let max = self.prices.values().filter_map(Price::date).max()?;
        Some((min, max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_reads_with_a_source_and_date_for_every_price() {
        let c = Catalog::embedded();
        assert_eq!(c.len(), 305);
        for p in c.iter() {
            assert!(!p.sources.is_empty() && !p.as_of.is_empty(), "{p:?}");
        }
        assert_eq!(c.dates(), Some(("2021-08-03", "2026-10-09")));
        let regions: std::collections::BTreeSet<&str> = c.iter().map(|p| p.region.as_str()).collect();
        for r in ["ap-south-1", "eu-central-1", "eu-west-1", "eu-north-1", "us-east-1"] {
            assert!(regions.contains(r), "{r}");
        }
    }

    #[test]
    fn prices_are_exact_decimals_and_missing_ones_are_none() {
        let c = Catalog::embedded();
        let t3 = c
            .get("EC2", "t3.micro Linux on-demand, shared tenancy", "ap-south-1")
            .expect("t3.micro in Mumbai");
        assert_eq!(t3.usd, Decimal::from_str("0.0112").unwrap());
        assert_eq!(t3.unit, "hour");
        assert_eq!(t3.confidence, Confidence::Generated);
        // 730 hours a month, to the cent.
        assert_eq!(
            (t3.usd * Decimal::from(730)).round_dp(2),
            Decimal::from_str("8.18").unwrap()
        );
        assert!(c
            .get("EC2", "t3.micro Linux on-demand, shared tenancy", "sa-east-1")
            .is_none());
    }

    #[test]
    fn malformed_catalogs_are_located_errors() {
        let header = "service\tsku\tregion\tunit\tusd\tconfidence\tsources\tas_of\n";
        for (body, message) in [
            ("EC2\tx\tus-east-1\thour\tabc\tgenerated\tsrc\t2024-01-01\n", "price"),
            ("EC2\tx\tus-east-1\thour\t0.1\tguessed\tsrc\t2024-01-01\n", "confidence"),
            ("EC2\tx\tus-east-1\thour\t0.1\tgenerated\t\t2024-01-01\n", "sources"),
            ("EC2\tx\tus-east-1\thour\t0.1\tgenerated\tsrc\t \n", "as-of"),
            ("EC2\tx\tus-east-1\thour\t0.1\n", "columns"),
        ] {
            let e = Catalog::parse(&format!("{header}{body}")).unwrap_err();
            assert_eq!(e.line, 2);
            assert!(e.message.contains(message), "{e}");
        }
        let dup = format!(
            "{header}EC2\tx\tus-east-1\thour\t0.1\tgenerated\tsrc\t2024-01-01\nEC2\tx\tus-east-1\thour\t0.2\tgenerated\tsrc\t2024-01-01\n"
        );
        assert!(Catalog::parse(&dup).unwrap_err().message.contains("twice"));
    }

    #[test]
    fn the_bulk_tables_price_every_type_they_list_with_their_source_and_date() {
        assert_eq!(Catalog::bulk_rows().count(), 1367 + 5033 + 3662);
        let c = Catalog::embedded();
        let m5 = c
            .get("ElastiCache", "cache.m5.large Redis OSS on-demand node", "eu-west-1")
            .unwrap();
        assert_eq!(
            (m5.usd, m5.unit.as_str()),
            (Decimal::from_str("0.172").unwrap(), "node-hour")
        );
        assert_eq!(m5.as_of, "2025-04-24");
        assert!(m5.sources[0].starts_with("LeanerCloud/ec2-instances-info@f9eafba8"));
        let m7i = c
            .get("EC2", "m7i.large Linux on-demand, shared tenancy", "us-east-1")
            .unwrap();
        assert_eq!(m7i.usd, Decimal::from_str("0.1008").unwrap());
        assert_eq!(m7i.as_of, "2026-07-20");
        let search = c
            .get("OpenSearch", "r6g.large.search on-demand instance", "eu-west-1")
            .unwrap();
        assert_eq!(search.usd, Decimal::from_str("0.187").unwrap());
        // The EC2 table is us-east-1's only.
        assert!(c
            .get("EC2", "m7i.large Linux on-demand, shared tenancy", "eu-west-1")
            .is_none());
        for p in Catalog::bulk_rows() {
            assert!(
                p.confidence == Confidence::Generated && !p.sources.is_empty() && p.date().is_some(),
                "{p:?}"
            );
        }
    }

    /// The bulk tables' README: every ElastiCache and us-east-1 EC2 row of the main catalog
    /// equals the bulk table's figure. A row the two disagree on would make the price depend on
    /// which one is read.
    #[test]
    fn the_bulk_tables_agree_with_every_catalog_row_they_overlap() {
        let c = Catalog::embedded();
        let mut overlapping = 0;
        for p in Catalog::bulk_rows() {
            if let Some(own) = c.prices.get(&(p.service.clone(), p.sku.clone(), p.region.clone())) {
                assert_eq!(
                    (own.usd, &own.unit),
                    (p.usd, &p.unit),
                    "{} / {} / {}",
                    p.service,
                    p.sku,
                    p.region
                );
                overlapping += 1;
            }
        }
        assert!(overlapping >= 40, "only {overlapping} rows overlap");
    }
}
