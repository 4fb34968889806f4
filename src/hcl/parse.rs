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

fn next_char_boundary(text: &str, offset: usize) -> usize {
    let mut end = (offset + 1).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end
}
