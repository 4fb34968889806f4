//! Terraform's JSON syntax (`*.tf.json`).

use super::parse::ParsedFile;
use crate::diag::Diagnostic;
use crate::source::SourceMap;
use std::path::Path;

pub fn parse_json_file(path: &Path, _sources: &SourceMap) -> Result<ParsedFile, Box<Diagnostic>> {
    Err(Box::new(Diagnostic::error(
        "hcl::json",
        format!("{}: JSON syntax is not read yet", path.display()),
        None,
    )))
}
