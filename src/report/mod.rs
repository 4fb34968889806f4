//! Reporters: the only code that knows output formats.

pub mod resources;
