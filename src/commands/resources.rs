//! `infracheck resources`: every resource instance after evaluation (address, type, region,
//! source location, and with `--values` its attributes).

use super::{color, input_diagnostics, print_diagnostics, write_out};
use crate::cli::args::{ResourcesArgs, ResourcesFormat};
use crate::exit;
use crate::report;
use crate::targets;

/// `infracheck resources`: every resource instance after evaluation.
pub fn resources(args: &ResourcesArgs) -> miette::Result<u8> {
    let (target, values) = (&args.target, args.values);
    let (loader, projects) = targets::load(&super::targets(target))?;
    let color = color(&target.color);
    let diags = input_diagnostics(&projects, &loader);
    match args.format {
        ResourcesFormat::Text => write_out(&report::resources::text(&projects, &loader.sources, values)),
        _ => {
            // Streamed: the JSON of a large tree is never one string. A closed pipe ends it quietly.
            let _ = report::resources::write_json(&projects, &loader.sources, &mut std::io::stdout().lock());
        }
    }
    print_diagnostics(&diags, &loader.sources, color);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    // As in `check`: the OS frees it faster.
    std::mem::forget((loader, projects));
    Ok(if errors > 0 { exit::BAD_INPUT } else { exit::CLEAN })
}
