//! The HCL front end: discovers Terraform files, parses them with hcl-edit (keeping spans), and
//! evaluates the module tree into the model the way Terraform does before apply.

pub mod config;
pub mod discover;
pub mod eval;
pub mod json;
pub mod nesting;
pub mod parse;
pub mod vars;

pub use discover::{Loader, RootSpec};
