//! How deeply a file nests, measured before any recursive parser sees it. hcl-edit and
//! jsonc-parser descend recursively, and hcl-edit also walks (despans, drops) its trees
//! recursively: a file nested deeply enough overflows the stack whatever its size. A single scan
//! over the bytes — brackets, template interpolations and directives, conditionals, prefix
//! operators and binary-operator chains, skipping strings, comments and heredocs — refuses such a
//! file with a located error, so the parser is only ever handed input it can finish.
//!
//! The scan is deliberately a little stricter than the grammar where the two could disagree (an
//! unterminated string ends at the line's end, a `-` counts as both a binary and a prefix
//! operator): it may count a level the parser would not, never the other way round. It knows no
//! Terraform semantics.

/// The deepest nesting accepted: brackets, `${`/`%{` interpolations, `%{ if }`/`%{ for }`
/// blocks, nested conditionals and prefix operators, each one level. Real configurations nest
/// fewer than 20 levels; 256 leaves room for generated code, and at 256 levels hcl-edit uses a
/// few MiB of stack in a debug build, well inside the stacks the CLI runs on (`cli::STACK_SIZE`).
pub const MAX_NESTING: usize = 256;

/// The most binary operators in one expression, counted along the open brackets (`a + b + …`
/// is a left-deep tree that hcl-edit despans and drops recursively, one frame per operator).
/// hcl-edit also clones such trees recursively, about 2 KiB of stack per operator in a debug
/// build. Terraform accepts long chains: 10,000 terms (a generated sum) still parse, and 20,000
/// operators stay within half of `cli::STACK_SIZE` even in a debug build.
pub const MAX_OPERATORS: usize = 20_000;

/// Where a file nests too deeply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// Byte offset of the first bracket (or operator) past the limit.
    pub offset: usize,
    /// The message, e.g. "nesting too deep (300 levels; at most 256)".
    pub message: String,
    /// What the label under the snippet says.
    pub label: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The body of a file: newlines separate attributes.
    Body,
    /// `{`: a block body or an object constructor; newlines separate items.
    Brace,
    /// `(` or `[`: newlines are insignificant.
    Paren,
    /// `${ … }` inside a template.
    Interp,
    /// `%{ … }` inside a template; `opens` for `if`/`for`, `closes` for `endif`/`endfor`.
    Tag { opens: bool, closes: bool },
    /// A quoted template, up to its closing `"`.
    Str,
    /// A heredoc template; the marker is `text[marker.0..marker.1]`.
    Heredoc { marker: (usize, usize) },
    /// The body of a `%{ if }` or `%{ for }` directive, up to its `%{ end… }`.
    Block,
    /// A whole file that is a template (`templatefile`).
    FileTemplate,
}

impl Kind {
    fn is_template(self) -> bool {
        matches!(
            self,
            Kind::Str | Kind::Heredoc { .. } | Kind::Block | Kind::FileTemplate
        )
    }
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    kind: Kind,
    /// The depth before this frame opened; closing it returns there.
    depth_before: usize,
    /// Levels added inside this frame since its last separator (nested `?`).
    extra: usize,
    /// Binary operators inside this frame since its last separator.
    ops: usize,
}

struct Scan<'a> {
    text: &'a [u8],
    stack: Vec<Frame>,
    depth: usize,
    /// Prefix operators (`-`, `!`) waiting for their operand.
    pending_unary: usize,
    /// Binary operators in all open frames.
    ops_total: usize,
    max_depth: usize,
    max_ops: usize,
    first_deep: Option<usize>,
    first_long: Option<usize>,
    /// At the start of a line of template text (where a heredoc's marker may close it).
    line_start: bool,
}

/// Scans a `.tf` or `.tfvars` file (native syntax).
pub fn check_hcl(text: &str) -> Result<(), TooDeep> {
    Scan::new(text, Kind::Body).run()
}

/// Scans a template file (`templatefile`).
pub fn check_template(text: &str) -> Result<(), TooDeep> {
    Scan::new(text, Kind::FileTemplate).run()
}

/// Scans a JSON document: arrays and objects are levels; strings are skipped.
pub fn check_json(text: &str) -> Result<(), TooDeep> {
    let b = text.as_bytes();
    let (mut depth, mut max_depth, mut first) = (0usize, 0usize, None);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' => {
                depth += 1;
                max_depth = max_depth.max(depth);
                if depth > MAX_NESTING && first.is_none() {
                    first = Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    match first {
        Some(offset) => Err(too_deep(offset, max_depth)),
        None => Ok(()),
    }
}

fn too_deep(offset: usize, depth: usize) -> TooDeep {
    TooDeep {
        offset,
        message: format!("nesting too deep ({depth} levels; at most {MAX_NESTING})"),
        label: "this level is past the limit",
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl<'a> Scan<'a> {
    fn new(text: &'a str, bottom: Kind) -> Self {
        Scan {
            text: text.as_bytes(),
            stack: vec![Frame {
                kind: bottom,
                depth_before: 0,
                extra: 0,
                ops: 0,
            }],
            depth: 0,
            pending_unary: 0,
            ops_total: 0,
            max_depth: 0,
            max_ops: 0,
            first_deep: None,
            first_long: None,
            line_start: true,
        }
    }

    fn top(&self) -> Kind {
        self.stack.last().map_or(Kind::Body, |f| f.kind)
    }

    fn note_depth(&mut self, at: usize, depth: usize) {
        self.max_depth = self.max_depth.max(depth);
        if depth > MAX_NESTING && self.first_deep.is_none() {
            self.first_deep = Some(at);
        }
    }

    fn push(&mut self, kind: Kind, at: usize) {
        let depth_before = self.depth;
        let levels = usize::from(!matches!(kind, Kind::Str | Kind::Heredoc { .. })) + self.pending_unary;
        self.pending_unary = 0;
        self.depth += levels;
        self.note_depth(at, self.depth);
        self.stack.push(Frame {
            kind,
            depth_before,
            extra: 0,
            ops: 0,
        });
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            let f = self.stack.pop().expect("more than one frame");
            self.depth = f.depth_before;
            self.ops_total -= f.ops;
        }
    }

    /// `,`, `=`, a newline in a body: what follows is a sibling, not a child.
    fn separator(&mut self) {
        if let Some(f) = self.stack.last_mut() {
            self.depth -= f.extra;
            self.ops_total -= f.ops;
            f.extra = 0;
            f.ops = 0;
        }
        self.pending_unary = 0;
    }

    /// `:` and `?` start a new operand: binary chains restart, conditional nesting does not.
    fn new_operand(&mut self) {
        if let Some(f) = self.stack.last_mut() {
            self.ops_total -= f.ops;
            f.ops = 0;
        }
        self.pending_unary = 0;
    }

    fn operator(&mut self, at: usize) {
        if let Some(f) = self.stack.last_mut() {
            f.ops += 1;
        }
        self.ops_total += 1;
        self.max_ops = self.max_ops.max(self.ops_total);
        if self.ops_total > MAX_OPERATORS && self.first_long.is_none() {
            self.first_long = Some(at);
        }
    }

    fn run(mut self) -> Result<(), TooDeep> {
        let mut i = 0;
        while i < self.text.len() {
            i = if self.top().is_template() {
                self.template_byte(i)
            } else {
                self.line_start = false;
                self.expr_byte(i)
            };
        }
        if let Some(offset) = self.first_deep {
            return Err(too_deep(offset, self.max_depth));
        }
        if let Some(offset) = self.first_long {
            return Err(TooDeep {
                offset,
                message: format!(
                    "expression too long ({} operators in one expression; at most {MAX_OPERATORS})",
                    self.max_ops
                ),
                label: "this operator is past the limit",
            });
        }
        Ok(())
    }

    /// The template that owns the literal text at the top: the nearest frame that is not a
    /// directive body.
    fn owner(&self) -> Kind {
        self.stack
            .iter()
            .rev()
            .map(|f| f.kind)
            .find(|k| *k != Kind::Block)
            .unwrap_or(Kind::FileTemplate)
    }

    fn pop_template(&mut self) {
        while self.top() == Kind::Block {
            self.pop();
        }
        self.pop();
    }

    /// Whether the line at `at` is the heredoc's closing marker; returns where the marker ends.
    fn closes_heredoc(&self, at: usize, marker: (usize, usize)) -> Option<usize> {
        let t = self.text;
        let mut p = at;
        while p < t.len() && matches!(t[p], b' ' | b'\t') {
            p += 1;
        }
        let m = &t[marker.0..marker.1];
        if !t[p..].starts_with(m) {
            return None;
        }
        let end = p + m.len();
        let mut q = end;
        while q < t.len() && matches!(t[q], b' ' | b'\t' | b'\r') {
            q += 1;
        }
        (q == t.len() || t[q] == b'\n').then_some(end)
    }

    fn template_byte(&mut self, i: usize) -> usize {
        let t = self.text;
        let owner = self.owner();
        if let (Kind::Heredoc { marker }, true) = (owner, self.line_start) {
            self.line_start = false;
            if let Some(end) = self.closes_heredoc(i, marker) {
                self.pop_template();
                return end;
            }
        }
        let next = t.get(i + 1).copied();
        match t[i] {
            b'\n' => {
                self.line_start = true;
                if owner == Kind::Str {
                    // An unterminated string: the parser stops here; so does the string.
                    self.pop_template();
                }
                i + 1
            }
            b'\\' if owner == Kind::Str => i + 2,
            b'"' if owner == Kind::Str => {
                self.pop_template();
                i + 1
            }
            b'$' | b'%' if next == Some(t[i]) && t.get(i + 2) == Some(&b'{') => i + 3,
            b'$' if next == Some(b'{') => {
                self.push(Kind::Interp, i);
                i + 2
            }
            b'%' if next == Some(b'{') => {
                let mut p = i + 2;
                while p < t.len() && matches!(t[p], b' ' | b'\t' | b'~' | b'\r' | b'\n') {
                    p += 1;
                }
                let start = p;
                while p < t.len() && is_ident(t[p]) {
                    p += 1;
                }
                let word = &t[start..p];
                let kind = Kind::Tag {
                    opens: word == b"if" || word == b"for",
                    closes: word == b"endif" || word == b"endfor",
                };
                self.push(kind, i);
                i + 2
            }
            _ => i + 1,
        }
    }

    fn expr_byte(&mut self, i: usize) -> usize {
        let t = self.text;
        let c = t[i];
        let next = t.get(i + 1).copied();
        match c {
            b' ' | b'\t' | b'\r' => i + 1,
            b'\n' => {
                if matches!(self.top(), Kind::Body | Kind::Brace) {
                    self.separator();
                }
                i + 1
            }
            b'#' => self.line_comment(i),
            b'/' if next == Some(b'/') => self.line_comment(i),
            b'/' if next == Some(b'*') => {
                let mut p = i + 2;
                while p < t.len() && !(t[p] == b'*' && t.get(p + 1) == Some(&b'/')) {
                    p += 1;
                }
                (p + 2).min(t.len())
            }
            b'"' => {
                self.push(Kind::Str, i);
                i + 1
            }
            b'<' if next == Some(b'<') => match self.heredoc_start(i) {
                Some((marker, body)) => {
                    self.push(Kind::Heredoc { marker }, i);
                    self.line_start = true;
                    body
                }
                None => {
                    self.operator(i);
                    i + 2
                }
            },
            b'(' | b'[' => {
                self.push(Kind::Paren, i);
                i + 1
            }
            b'{' => {
                self.push(Kind::Brace, i);
                i + 1
            }
            b')' | b']' => {
                if self.top() == Kind::Paren {
                    self.pop();
                }
                i + 1
            }
            b'}' => {
                match self.top() {
                    Kind::Brace | Kind::Interp => self.pop(),
                    Kind::Tag { opens, closes } => {
                        self.pop();
                        if opens {
                            self.push(Kind::Block, i);
                        } else if closes && self.top() == Kind::Block {
                            self.pop();
                        }
                    }
                    _ => {}
                }
                i + 1
            }
            b'?' => {
                self.new_operand();
                if let Some(f) = self.stack.last_mut() {
                    f.extra += 1;
                }
                self.depth += 1;
                self.note_depth(i, self.depth);
                i + 1
            }
            b':' => {
                self.new_operand();
                i + 1
            }
            b',' => {
                self.separator();
                i + 1
            }
            b'=' if next == Some(b'=') => {
                self.operator(i);
                i + 2
            }
            b'=' => {
                self.separator();
                i + if next == Some(b'>') { 2 } else { 1 }
            }
            b'!' if next == Some(b'=') => {
                self.operator(i);
                i + 2
            }
            b'!' | b'-' => {
                if c == b'-' {
                    self.operator(i);
                }
                self.pending_unary += 1;
                self.note_depth(i, self.depth + self.pending_unary);
                i + 1
            }
            b'&' | b'|' if next == Some(c) => {
                self.operator(i);
                i + 2
            }
            b'+' | b'*' | b'/' | b'%' | b'<' | b'>' => {
                self.operator(i);
                i + if next == Some(b'=') { 2 } else { 1 }
            }
            _ => {
                self.pending_unary = 0;
                i + 1
            }
        }
    }

    fn line_comment(&self, i: usize) -> usize {
        let t = self.text;
        let mut p = i;
        while p < t.len() && t[p] != b'\n' {
            p += 1;
        }
        p
    }

    /// `<<EOF` or `<<-EOF` then a newline: the marker's range and where the body starts.
    fn heredoc_start(&self, i: usize) -> Option<((usize, usize), usize)> {
        let t = self.text;
        let mut p = i + 2;
        if t.get(p) == Some(&b'-') {
            p += 1;
        }
        if !t.get(p).copied().is_some_and(is_ident_start) {
            return None;
        }
        let start = p;
        while p < t.len() && is_ident(t[p]) {
            p += 1;
        }
        let end = p;
        if t.get(p) == Some(&b'\r') {
            p += 1;
        }
        (t.get(p) == Some(&b'\n')).then_some(((start, end), p + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_error(text: &str) -> Option<usize> {
        check_hcl(text).err().map(|e| e.offset)
    }

    #[test]
    fn shallow_configurations_pass() {
        let ok = [
            "resource \"a\" \"b\" {\n  x = [for k, v in var.m : k => v if v != null]\n}\n",
            "x = <<-EOT\n  ${var.a} \"((((\n  EOT\ny = (1)\n",
            "x = \"${\"${1}\"}\" # ((((\n/* [[[[ */ y = 1\n",
            "x = \"%{ if a }${b}%{ else }c%{ endif }\"\n",
            "x = a ? b : c ? d : e\n",
        ];
        for text in ok {
            assert_eq!(check_hcl(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn brackets_past_the_limit_point_at_the_first_one_too_many() {
        let text = format!("x = {}1{}\n", "(".repeat(300), ")".repeat(300));
        let e = check_hcl(&text).unwrap_err();
        assert_eq!(e.offset, 4 + MAX_NESTING);
        assert_eq!(e.message, "nesting too deep (300 levels; at most 256)");
    }

    #[test]
    fn every_kind_of_level_counts() {
        let n = MAX_NESTING + 1;
        let interps = format!("x = {}1{}\n", "\"${".repeat(n), "}\"".repeat(n));
        let directives = format!("x = \"{}{}\"\n", "%{ if true }".repeat(n), "%{ endif }".repeat(n));
        let conditionals = format!("x = {}1\n", "true ? 1 : ".repeat(n));
        let prefix = format!("x = {}true\n", "!".repeat(n));
        let blocks = format!("{}{}", "a {\n".repeat(n), "}\n".repeat(n));
        for text in [interps, directives, conditionals, prefix, blocks] {
            assert!(depth_error(&text).is_some(), "{text:.60}");
        }
    }

    #[test]
    fn siblings_do_not_add_up() {
        let many = "x = [".to_string() + &"(1 ? 2 : 3), ".repeat(1000) + "]\n";
        assert_eq!(check_hcl(&many), Ok(()));
        let attrs = "a = !true\n".repeat(1000);
        assert_eq!(check_hcl(&attrs), Ok(()));
    }

    #[test]
    fn brackets_in_strings_comments_and_heredocs_do_not_count() {
        let n = MAX_NESTING + 1;
        let text = format!(
            "a = \"{0}\"\n# {0}\n// {0}\n/* {0} */\nb = <<EOT\n{0}\nEOT\n",
            "(".repeat(n)
        );
        assert_eq!(check_hcl(&text), Ok(()));
    }

    #[test]
    fn long_operator_chains_are_bounded_along_the_open_brackets() {
        let sum = format!("x = {}1\n", "1 + ".repeat(MAX_OPERATORS));
        assert_eq!(check_hcl(&sum), Ok(()));
        let chunk = "1 + ".repeat(MAX_OPERATORS / 4);
        let nested = format!("x = {0}({0}({0}({0}({0}1))))\n", chunk);
        assert!(check_hcl(&nested)
            .unwrap_err()
            .message
            .starts_with("expression too long"));
    }

    #[test]
    fn templates_and_json() {
        let n = MAX_NESTING + 1;
        assert!(check_template(&"${(".repeat(n)).is_err());
        assert_eq!(check_template("%{ for x in y }${x}%{ endfor }"), Ok(()));
        assert!(check_json(&"[".repeat(n)).is_err());
        assert_eq!(check_json(&format!("{{\"a\": \"{}\"}}", "[".repeat(n))), Ok(()));
    }
}
