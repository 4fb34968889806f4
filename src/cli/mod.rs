//! The command line: parses the arguments (`args`), hands each command to its orchestration in
//! `commands/`, and turns the outcome into the exit code. Knows no input or output format itself.

pub mod args;
pub mod error;

pub use args::*;
pub use error::{usage, UsageError};

use crate::commands;
use crate::exit;
use clap::Parser;
use std::process::ExitCode;

/// The stack of the thread a command runs on and of rayon's workers. The parser and evaluator
/// recurse once per nesting level, and the nesting limits (`hcl::nesting`, the evaluator's depth)
/// are set so that the deepest accepted input needs a few MiB even in a debug build; 64 MiB
/// leaves a wide margin and is only reserved, not touched, by threads that do not need it.
pub const STACK_SIZE: usize = 64 << 20;

pub fn run() -> ExitCode {
    // Every rayon worker gets the same stack as the command's own thread: how deep an input may
    // nest must not depend on which thread reads it. A pool already built (a test harness) stays.
    let _ = rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE).build_global();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::BAD_INPUT } else { exit::CLEAN });
        }
    };
    match execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(exit::BAD_INPUT)
        }
    }
}

/// Runs one command; its exit code, or the usage error that ends the run with exit 2.
pub fn execute(cli: Cli) -> miette::Result<u8> {
    match &cli.command {
        Command::Check(c) => commands::check::check(c),
        Command::Cost(c) => commands::cost::cost(c),
        Command::Live(l) => commands::live::live(l),
        Command::Prices(p) => commands::prices::prices(p),
        Command::Resources(r) => commands::resources::resources(r),
        Command::Rules(r) => commands::rules::rules(r),
        Command::Explain(e) => commands::rules::explain(e),
    }
}
