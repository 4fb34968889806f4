//! `infracheck resources`: every resource instance after evaluation (address, type, region,
//! source location, and with `--values` its attributes).

use super::{color_wanted, input_diagnostics, write_out};
use crate::cli::args::{Format, ResourcesArgs};
use crate::cli::error::usage;
use crate::diag;
use crate::exit;
use crate::report;
use crate::targets;

/// `infracheck resources`: every resource instance after evaluation.
pub fn resources(args: &ResourcesArgs) -> miette::Result<u8> {
    let (target, values) = (&args.target, args.values);
    if matches!(
        target.format,
        Format::Sarif | Format::Csv | Format::Junit | Format::Markdown
    ) {
        return Err(usage(
            "resources has only text and JSON output",
            Some("use --format text or json".into()),
        ));
    }
    let (loader, projects) = targets::load(&super::targets(target))?;
    let color = color_wanted(target);
    let diags = input_diagnostics(&projects, &loader);
    let out = match target.format {
        Format::Text => report::resources::text(&projects, &loader.sources, values),
        _ => report::resources::json(&projects, &loader.sources),
    };
    write_out(&out);
    if target.format == Format::Text && !diags.is_empty() {
        eprint!("{}", diag::render_text(&diags, &loader.sources, color));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if target.format == Format::Text {
        let warnings = diags.len() - errors;
        if errors + warnings > 0 {
            eprintln!("{errors} error(s), {warnings} warning(s) in the input");
        }
    }
    // As in `check`: the OS frees it faster.
    std::mem::forget((loader, projects));
    Ok(if errors > 0 { exit::BAD_INPUT } else { exit::CLEAN })
}
