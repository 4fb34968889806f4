//! `infracheck prices`: which price catalog is in use and its prices (`show`), and refreshing it
//! from the AWS Price List (`update`, with the `aws` feature).

use super::write_out;
use crate::cli::args::PricesCommand;
use crate::cli::error::usage;
use crate::exit;
#[cfg(feature = "aws")]
use std::io::IsTerminal;

/// `infracheck prices show` and `prices update`.
pub fn prices(cmd: &PricesCommand) -> miette::Result<u8> {
    use crate::cost::catalog::{Catalog, Source};
    match cmd {
        PricesCommand::Show {
            regions,
            service,
            summary,
        } => {
            let (catalog, source) =
                Catalog::load().map_err(|m| usage(format!("the local price catalog does not read: {m}"), None))?;
            let embedded = Catalog::embedded();
            let mut out = match &source {
                Source::Embedded => format!(
                    "catalog: embedded ({} prices, dated {})\n",
                    embedded.len(),
                    embedded.date_label()
                ),
                Source::Local { path, prices } => format!(
                    "catalog: local {} ({prices} prices from `prices update`) over the embedded one ({} prices, dated {}); in use: {} prices, dated {}\n",
                    path.display(),
                    embedded.len(),
                    embedded.date_label(),
                    catalog.len(),
                    catalog.date_label()
                ),
            };
            if !*summary {
                let rows: Vec<&crate::cost::catalog::Price> = catalog
                    .iter()
                    .filter(|p| regions.is_empty() || regions.contains(&p.region))
                    .filter(|p| service.as_ref().is_none_or(|s| s.eq_ignore_ascii_case(&p.service)))
                    .collect();
                let w =
                    |f: &dyn Fn(&crate::cost::catalog::Price) -> usize| rows.iter().map(|p| f(p)).max().unwrap_or(0);
                let (ws, wk, wr, wu) = (
                    w(&|p| p.service.len()),
                    w(&|p| p.sku.chars().count()),
                    w(&|p| p.region.len()),
                    w(&|p| p.unit.len()),
                );
                for p in rows {
                    out.push_str(&format!(
                        "{:<ws$}  {:<wk$}  {:<wr$}  {:>10}  per {:<wu$}  {}\n",
                        p.service,
                        p.sku,
                        p.region,
                        crate::model::money::unit_usd(p.usd),
                        p.unit,
                        p.as_of
                    ));
                }
            }
            write_out(&out);
            Ok(exit::CLEAN)
        }
        PricesCommand::Update { regions, endpoint_url } => prices_update(regions, endpoint_url.as_deref()),
    }
}

#[cfg(not(feature = "aws"))]
fn prices_update(_regions: &[String], _endpoint_url: Option<&str>) -> miette::Result<u8> {
    Err(usage(
        "this infracheck was built without the `aws` feature, which `prices update` needs",
        Some("cargo install --path . --features aws (or cargo run --features aws -- prices update)".into()),
    ))
}

#[cfg(feature = "aws")]
fn prices_update(regions: &[String], endpoint_url: Option<&str>) -> miette::Result<u8> {
    use crate::cost::catalog::Catalog;
    use crate::cost::refresh::{self, Answer};
    let regions: Vec<String> = if regions.is_empty() {
        refresh::DEFAULT_REGIONS.iter().map(|r| r.to_string()).collect()
    } else {
        regions.to_vec()
    };
    let path = crate::cost::catalog::local_path()
        .ok_or_else(|| usage("no place for the local catalog: set INFRACHECK_PRICES or HOME", None))?;
    let queries = refresh::queries(&Catalog::embedded(), &regions);
    let today = chrono::Utc::now().date_naive().to_string();
    let tty = std::io::stderr().is_terminal();
    let results = refresh::fetch(&queries, endpoint_url, &today, &|done, all| {
        if tty {
            eprint!("\rGetProducts {done}/{all}");
        }
    })
    .map_err(|m| usage(format!("the AWS Price List could not be read: {m}"), None))?;
    if tty {
        eprintln!();
    }
    // Keep what an earlier update found for other regions.
    let mut kept: Vec<crate::cost::catalog::Price> = match std::fs::read_to_string(&path) {
        Ok(text) => Catalog::parse(&text)
            .map(|c| c.iter().filter(|p| !regions.contains(&p.region)).cloned().collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let (mut found, mut missing, mut errors) = (0, Vec::new(), Vec::new());
    for (q, answer) in results {
        match answer {
            Ok(Answer::Price(p)) => {
                kept.push(p);
                found += 1;
            }
            Ok(Answer::NotFound) => missing.push(format!("{} / {} / {}", q.service, q.sku, q.region)),
            Ok(Answer::Ambiguous(prices)) => errors.push(format!(
                "{} / {} / {}: several products with different prices ({}); kept the embedded price",
                q.service,
                q.sku,
                q.region,
                prices.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
            )),
            Err(e) => errors.push(format!("{} / {} / {}: {e}", q.service, q.sku, q.region)),
        }
    }
    if found == 0 {
        for e in &errors {
            eprintln!("  {e}");
        }
        return Err(usage(
            format!(
                "no price was refreshed ({} queries); the local catalog is unchanged",
                queries.len()
            ),
            None,
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| usage(format!("cannot create {}: {e}", dir.display()), None))?;
    }
    std::fs::write(&path, refresh::to_tsv(&kept))
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?;
    eprintln!(
        "refreshed {found} of {} prices ({}) into {}, dated {today}",
        queries.len(),
        regions.join(", "),
        path.display()
    );
    if !missing.is_empty() {
        eprintln!(
            "{} not offered by AWS in these regions (no product matched):",
            missing.len()
        );
        for m in &missing {
            eprintln!("  {m}");
        }
    }
    for e in &errors {
        eprintln!("  {e}");
    }
    Ok(exit::CLEAN)
}
