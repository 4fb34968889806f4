//! Reporters: the only code that knows output formats.

pub mod check;
pub mod cost;
pub mod junit;
pub mod markdown;
pub mod resources;
pub mod rules;
pub mod sarif;
