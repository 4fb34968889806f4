//! `infracheck resources`: every resource instance after evaluation (address, type, region,
//! source location, and with `--values` its attributes).

use super::{color, input_diagnostics, write_out};
use crate::cli::args::{ResourcesArgs, ResourcesFormat};
use crate::diag;
use crate::exit;
use crate::report;
use crate::targets;

/// `infracheck resources`: every resource instance after evaluation.
pub fn resources(args: &ResourcesArgs) -> miette::Result<u8> {
    let (target, values) = (&args.target, args.values);
    let (loader, projects) = targets::load(&super::targets(target))?;
    let color = color(&target.color);
    let diags = input_diagnostics(&projects, &loader);
    let out = match args.format {
        ResourcesFormat::Text => report::resources::text(&projects, &loader.sources, values),
        _ => report::resources::json(&projects, &loader.sources),
    };
    write_out(&out);
    if args.format == ResourcesFormat::Text && !diags.is_empty() {
        eprint!("{}", diag::render_text(&diags, &loader.sources, color));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if args.format == ResourcesFormat::Text {
        let warnings = diags.len() - errors;
        if errors + warnings > 0 {
            eprintln!("{errors} error(s), {warnings} warning(s) in the input");
        }
    }
    // As in `check`: the OS frees it faster.
    std::mem::forget((loader, projects));
    Ok(if errors > 0 { exit::BAD_INPUT } else { exit::CLEAN })
}
