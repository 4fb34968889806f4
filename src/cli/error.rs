//! The usage error: what the user asked for cannot be done (an unknown environment, a missing
//! file, a flag that needs another). Reported, and the run exits 2. Raised wherever the command
//! line's request is read (commands, target resolution), so it depends on nothing of theirs.

/// A usage problem: reported and the run exits 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(usage))]
pub struct UsageError {
    message: String,
    #[help]
    help: Option<String>,
}

pub fn usage(message: impl Into<String>, help: Option<String>) -> miette::Report {
    miette::Report::new(UsageError {
        message: message.into(),
        help,
    })
}
