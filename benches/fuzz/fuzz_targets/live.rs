//! AWS Config items: the bytes as an items file (`infracheck live --items FILE`), mapped to a
//! project per account, then checked and reported.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // the CLI reads the file with read_to_string: not UTF-8 is an error before this
    };
    let Ok(items) = infracheck::live::items_from_json(text) else {
        return;
    };
    let by_account = infracheck::live::by_account(items);
    let sources = infracheck::source::SourceMap::default();
    let mut projects = Vec::new();
    for (name, group) in &by_account {
        let lp = infracheck::live::project(name, group, &sources);
        std::hint::black_box((&lp.unmapped, &lp.skipped, lp.items.len()));
        projects.push(lp.project);
    }
    std::hint::black_box(infracheck::rules::engine::run(infracheck_fuzz::registry(), &projects));
    for p in &projects {
        std::hint::black_box(infracheck::diag::render_text(&p.diagnostics, &sources, false));
    }
});
