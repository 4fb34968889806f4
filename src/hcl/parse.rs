//! Parsing one file with hcl-edit. A parse error becomes a located diagnostic; the caller carries on
//! with the other files.

use crate::diag::Diagnostic;
use crate::source::{FileId, SourceMap, Span};
use hcl_edit::structure::Body;
use std::path::Path;

/// A parsed `.tf` file.
#[derive(Debug)]
pub struct ParsedFile {
    pub file: FileId,
    pub body: Body,
}

/// Reads and parses `path`. On failure returns the diagnostics (unreadable file or syntax error).
pub fn parse_file(path: &Path, sources: &SourceMap) -> Result<ParsedFile, Box<Diagnostic>> {
    let text = std::fs::read(path).map_err(|e| {
        Box::new(Diagnostic::error(
            "io::read",
            format!("cannot read {}: {e}", crate::source::display_path(path).display()),
            None,
        ))
    })?;
    let text = decode_text(&text);
    let file = sources.add(path.to_path_buf(), text.as_str());
    parse_text(file, &text)
}

/// Decodes UTF-8 (with or without BOM) or UTF-16 with BOM; invalid bytes are replaced.
pub fn decode_text(bytes: &[u8]) -> String {
    let (cow, _, _) = encoding_rs::UTF_8.decode(bytes);
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (cow, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return cow.into_owned();
    }
    cow.into_owned()
}

pub fn parse_text(file: FileId, text: &str) -> Result<ParsedFile, Box<Diagnostic>> {
    // hcl-edit descends recursively: a file nested past the limit is refused before it is parsed.
    super::nesting::check_hcl(text).map_err(|e| Box::new(nesting_diagnostic(file, text, e)))?;
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(ParsedFile { file, body }),
        Err(err) => {
            let offset = err.location().offset().min(text.len());
            let end = next_char_boundary(text, offset);
            let reason = err.message().to_string();
            Err(Box::new(
                Diagnostic::error(
                    "hcl::parse",
                    format!("invalid HCL: {reason}"),
                    Some(Span::new(file, offset..end)),
                )
                .with_label(reason),
            ))
        }
    }
}

/// The located `parse::nesting` error for a file (or template) nested past the limits.
pub fn nesting_diagnostic(file: FileId, text: &str, e: super::nesting::TooDeep) -> Diagnostic {
    let offset = e.offset.min(text.len());
    Diagnostic::error(
        "parse::nesting",
        e.message,
        Some(Span::new(file, offset..next_char_boundary(text, offset))),
    )
    .with_label(e.label)
    .with_help("infracheck does not read configurations nested this deeply; split the expression into locals")
}

fn next_char_boundary(text: &str, offset: usize) -> usize {
    let mut end = (offset + 1).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end
}
