//! `infracheck rules` (the policies, listed) and `infracheck explain ID` (one policy, in full).

use super::{registry, write_out};
use crate::cli::args::{ExplainArgs, RulesArgs, RulesFormat};
use crate::cli::error::usage;
use crate::exit;
use crate::report;

/// `infracheck rules`.
pub fn rules(args: &RulesArgs) -> miette::Result<u8> {
    let reg = registry(&args.policies)?;
    write_out(&match args.format {
        RulesFormat::Text => report::rules::text(&reg),
        RulesFormat::Json => report::rules::json(&reg),
        RulesFormat::Markdown => report::rules::markdown(&reg),
    });
    Ok(exit::CLEAN)
}

/// `infracheck explain ID`.
pub fn explain(args: &ExplainArgs) -> miette::Result<u8> {
    let reg = registry(&args.policies)?;
    match reg.get(&args.id) {
        Some(p) => {
            write_out(&report::rules::explain(p));
            Ok(exit::CLEAN)
        }
        None => Err(usage(
            format!("no policy {:?}", args.id),
            Some("`infracheck rules` lists them".into()),
        )),
    }
}
