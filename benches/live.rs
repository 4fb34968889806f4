//! `infracheck live` without the network: configuration items read from JSON, mapped into the
//! model and checked by the bundled policies. The items are the documented fixtures
//! (fixtures/live/items.json and network.json, 20 items) copied 500 times with every resource ID
//! made unique per copy, so references between items (an instance's volumes, a route table's NAT
//! gateway) still hold: 10,000 items. Figures go to BENCHMARKS.md.
//!
//! `INFRACHECK_BENCH_WRITE_ITEMS=FILE` also writes the items there, to time the whole command.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use infracheck::live;
use infracheck::rules::Registry;
use infracheck::source::SourceMap;
use std::path::Path;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const COPIES: usize = 500;

fn items_text() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut originals = Vec::new();
    for f in ["fixtures/live/items.json", "fixtures/live/network.json"] {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        originals.extend(live::items_from_json(&text).unwrap());
    }
    let template = serde_json::to_string(&originals).unwrap();
    let mut ids: Vec<String> = originals
        .iter()
        .filter_map(|i| i.get("resourceId").and_then(|v| v.as_str()).map(String::from))
        .collect();
    // Longest first, so an ID inside another is not rewritten twice.
    ids.sort_by_key(|s| std::cmp::Reverse(s.len()));
    ids.dedup();
    let mut all: Vec<serde_json::Value> = Vec::new();
    for copy in 0..COPIES {
        let mut text = template.clone();
        for (n, id) in ids.iter().enumerate() {
            text = text.replace(id.as_str(), &format!("\u{1}{n}\u{1}"));
        }
        for (n, id) in ids.iter().enumerate() {
            text = text.replace(&format!("\u{1}{n}\u{1}"), &format!("{id}-c{copy}"));
        }
        let items: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        all.extend(items);
    }
    serde_json::to_string(&serde_json::json!({ "baseConfigurationItems": all })).unwrap()
}

fn bench(c: &mut Criterion) {
    let text = items_text();
    if let Some(f) = std::env::var_os("INFRACHECK_BENCH_WRITE_ITEMS") {
        std::fs::write(&f, &text).unwrap();
        eprintln!("wrote {} bytes to {}", text.len(), Path::new(&f).display());
    }
    let items = live::items_from_json(&text).unwrap();
    let n = items.len();
    let registry = Registry::builtin().expect("policies load");
    let mut group = c.benchmark_group("live");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("read + map + check {n} items"), |b| {
        b.iter(|| {
            let items = live::items_from_json(&text).unwrap();
            let sources = SourceMap::default();
            let lp = live::project("aws:111122223333", &items, &sources);
            let projects = vec![lp.project];
            infracheck::commands::live::check(&registry, &projects).len()
        })
    });
    group.bench_function(format!("map {n} items"), |b| {
        b.iter(|| {
            let sources = SourceMap::default();
            live::project("aws:111122223333", &items, &sources)
                .project
                .resources
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
