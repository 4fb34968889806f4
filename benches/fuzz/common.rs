//! What the fuzz targets share: a scratch directory per process, and one scan of a root module
//! the way `infracheck check DIR` does it (load, evaluate, rules, text diagnostics).

use infracheck::commands::Selection;
use infracheck::config::Settings;
use infracheck::hcl::eval::module::evaluate_root;
use infracheck::hcl::{Loader, RootSpec};
use infracheck::model::Project;
use infracheck::rules::Registry;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A directory of this process's own, emptied on first use, for the files a target writes.
pub fn scratch(target: &str) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir()
            .join("infracheck-fuzz")
            .join(format!("{target}-{}", std::process::id()))
            .join("root");
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    })
}

/// The bundled policies, loaded once.
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| Registry::load(&[]).unwrap_or_else(|_| panic!("bundled policies load")))
}

/// Evaluates the root module in `dir` and checks it as `infracheck check DIR` does: the bundled
/// rules, suppressions (inline comments and `settings`' ignores), the check selection, and the
/// input diagnostics rendered as text.
pub fn scan(dir: &Path, settings: &Settings) {
    let loader = Loader::new(dir.to_path_buf()).with_remote(infracheck::modules::Resolver::new(None, false));
    let spec = RootSpec {
        name: "fuzz".into(),
        dir: dir.to_path_buf(),
        var_files: Vec::new(),
        vars: Vec::new(),
        workspace: "default".into(),
        profile: "default".into(),
        example: None,
        deployment: false,
    };
    let projects = vec![evaluate_root(&loader, &spec)];
    check(&loader, &projects, settings);
}

/// The rules, suppressions, selection and diagnostics of `check` on evaluated projects.
pub fn check(loader: &Loader, projects: &[Project], settings: &Settings) {
    let reg = registry();
    let Ok(selection) = Selection::resolve(reg, settings, &[], &[]) else {
        return; // a usage error, reported before anything is evaluated
    };
    let mut findings = infracheck::rules::engine::run(reg, projects);
    infracheck::rules::suppress::apply(
        reg,
        projects,
        &mut findings,
        &loader.sources,
        &settings.ignores,
        settings.path.as_deref().and_then(|p| p.parent()),
        true,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("date"),
    );
    selection.apply(&mut findings);
    std::hint::black_box(&findings);
    let diags = infracheck::commands::input_diagnostics(projects, loader);
    std::hint::black_box(infracheck::diag::render_text(&diags, &loader.sources, false));
}
