//! Source files and spans. Owns the text of every file infracheck read and turns byte offsets into
//! line and column; knows nothing about HCL, JSON or what the files mean.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Identifies a file inside a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start,
            end: range.end,
        }
    }
}

/// Bytes between two character-count checkpoints of a [`SourceFile`].
const CHAR_STRIDE: usize = 4096;

/// The characters in UTF-8 bytes: the bytes that do not continue a character.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// One file as read from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user should see it (relative to the working directory where possible).
    pub path: PathBuf,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
    /// For text that is not all ASCII: the number of characters before every
    /// [`CHAR_STRIDE`]-th byte, so that a column on a long line (a plan is one line of hundreds of
    /// megabytes) is counted from the nearest checkpoint, not from the line's start. Empty for
    /// ASCII text, where a column is a byte difference.
    char_checkpoints: Vec<usize>,
    /// For a file that was translated before parsing (`.tf.json` into native syntax): which byte
    /// ranges of the translation came from which ranges of `text`, sorted by translation offset.
    remap: Vec<Segment>,
}

/// A range of translated text and the range of the original text it came from.
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub translated: (usize, usize),
    pub original: (usize, usize),
}

/// 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let char_checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            let mut chars = 0;
            let mut checkpoints = Vec::with_capacity(text.len() / CHAR_STRIDE + 1);
            for chunk in text.as_bytes().chunks(CHAR_STRIDE) {
                checkpoints.push(chars);
                chars += count_chars(chunk);
            }
            checkpoints
        };
        SourceFile {
            path,
            text,
            line_starts,
            char_checkpoints,
            remap: Vec::new(),
        }
    }

    /// The number of characters in `text[..offset]`, for an offset on a character boundary.
    fn chars_before(&self, offset: usize) -> usize {
        if self.char_checkpoints.is_empty() {
            return offset;
        }
        let k = offset / CHAR_STRIDE;
        self.char_checkpoints[k] + count_chars(&self.text.as_bytes()[k * CHAR_STRIDE..offset])
    }

    /// The offset in the original text of an offset in the parsed text (the same, unless the file
    /// was translated before parsing).
    pub fn original_offset(&self, offset: usize) -> usize {
        if self.remap.is_empty() {
            return offset;
        }
        let i = self.remap.partition_point(|s| s.translated.0 <= offset);
        match i.checked_sub(1).map(|i| self.remap[i]) {
            Some(seg) if offset <= seg.translated.1 => {
                (seg.original.0 + (offset - seg.translated.0)).min(seg.original.1)
            }
            Some(seg) => seg.original.1,
            None => 0,
        }
    }

    /// The 0-based line of an offset in the original text.
    pub fn line_index(&self, original: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= original).saturating_sub(1)
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.original_offset(offset).min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = if self.text.is_char_boundary(offset) {
            self.chars_before(offset) - self.chars_before(start)
        } else {
            offset - start
        };
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }
}

/// Every file read during a run. Files are added from many threads while loading; readers get
/// cheap shared handles.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
}

impl SourceMap {
    pub fn add(&self, path: PathBuf, text: impl Into<Arc<str>>) -> FileId {
        let file = Arc::new(SourceFile::new(display_path(&path), text));
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        files.push(file);
        FileId((files.len() - 1) as u32)
    }

    /// Adds a file whose parsed form is a translation of `text`, with the map between the two.
    pub fn add_translated(&self, path: PathBuf, text: impl Into<Arc<str>>, mut remap: Vec<Segment>) -> FileId {
        remap.sort_by_key(|s| s.translated.0);
        let mut file = SourceFile::new(display_path(&path), text);
        file.remap = remap;
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        files.push(Arc::new(file));
        FileId((files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        Arc::clone(&files[id.0 as usize])
    }

    /// How many files were read.
    pub fn len(&self) -> usize {
        self.files.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn path(&self, id: FileId) -> PathBuf {
        self.get(id).path.clone()
    }

    pub fn start(&self, span: Span) -> LineCol {
        self.get(span.file).line_col(span.start)
    }

    pub fn end(&self, span: Span) -> LineCol {
        self.get(span.file).line_col(span.end)
    }
}

/// The path relative to the working directory when it lies below it, else as given.
pub fn display_path(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else if let Some(cwd) = &cwd {
        cwd.join(path)
    } else {
        path.to_path_buf()
    };
    let abs = normalize(&abs);
    match cwd.as_deref().and_then(|c| abs.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        Some(_) => PathBuf::from("."),
        None => abs,
    }
}

/// Lexically removes `.` and `..` components (no symlink resolution, like Terraform's path handling).
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let f = SourceFile::new("a.tf".into(), "ab\nçd = 1\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'ç' is two bytes: the byte after it is the second character.
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
    }

    #[test]
    fn columns_on_a_long_line_count_characters_across_checkpoints() {
        // One line much longer than the checkpoint stride, with multi-byte characters on both
        // sides of several checkpoints: every column equals a plain count from the line's start.
        let mut text = String::from("x\n");
        for i in 0..3 * CHAR_STRIDE {
            text.push(if i % 7 == 0 {
                'é'
            } else if i % 11 == 0 {
                '€'
            } else {
                'a'
            });
        }
        let f = SourceFile::new("plan.json".into(), text.clone());
        for (offset, _) in text.char_indices().step_by(97) {
            let expected = text[2..offset.max(2)].chars().count() + 1;
            let lc = f.line_col(offset);
            if offset >= 2 {
                assert_eq!((lc.line, lc.column), (2, expected), "offset {offset}");
            }
        }
        let end = f.line_col(text.len());
        assert_eq!(end.column, text[2..].chars().count() + 1);
    }
}
