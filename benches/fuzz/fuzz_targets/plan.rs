//! The plan reader: the bytes as a `terraform show -json` file, read as `infracheck check
//! plan.json` does, then checked and reported.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = infracheck_fuzz::scratch("plan");
    let path = dir.join("plan.json");
    std::fs::write(&path, data).expect("write");
    let loader =
        infracheck::hcl::Loader::new(dir.to_path_buf()).with_remote(infracheck::modules::Resolver::new(None, false));
    let spec = infracheck::plan::PlanSpec {
        path,
        name: "plan.json".into(),
        source_dir: None,
        profile: "default".into(),
        workspace: "default".into(),
    };
    match infracheck::plan::read(&loader, &spec) {
        Ok(project) => infracheck_fuzz::check(&loader, &[project], &Default::default()),
        Err(d) => {
            std::hint::black_box(infracheck::diag::render_text(&[*d], &loader.sources, false));
        }
    }
});
