//! infracheck: policy checks and monthly cost estimates for Terraform on AWS.
//!
//! Front ends (HCL, plan JSON, AWS Config) build one [`model::Project`] per environment; engines
//! read the model; reporters print what the engines found.

pub mod cli;
pub mod commands;
pub mod config;
pub mod cost;
pub mod diag;
pub mod hcl;
pub mod live;
pub mod model;
pub mod modules;
pub mod plan;
pub mod report;
pub mod rules;
pub mod source;
pub mod targets;

/// Process exit codes.
pub mod exit {
    /// Nothing at or above the threshold.
    pub const CLEAN: u8 = 0;
    /// Findings at or above the threshold.
    pub const FINDINGS: u8 = 1;
    /// Bad usage, or input that could not be read or evaluated.
    pub const BAD_INPUT: u8 = 2;
}
