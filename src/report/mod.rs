//! Reporters: the only code that knows output formats.

/// The project's home page: where a user who installed the binary finds the documentation (the
/// README's sections are its anchors) and the policy catalog.
pub const INFORMATION_URI: &str = "https://github.com/infracheck/infracheck";

pub mod check;
pub mod cost;
pub mod junit;
pub mod markdown;
pub mod resources;
pub mod rules;
pub mod sarif;
