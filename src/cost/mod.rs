//! Monthly cost estimates: the price catalog, the estimators per resource family, usage.

pub mod catalog;
