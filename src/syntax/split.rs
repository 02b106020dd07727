//! Cuts a rule file into top-level items before pest sees it.
//!
//! pest stops at the first error. Parsing each top-level item on its own
//! means an error in one handler never hides errors in the next: the
//! splitter only needs to know about comments, strings, braces and line
//! starts, which it can do without understanding the rest of the language.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkKind {
    /// A handler, the state block, a `watch`, or a stray token.
    Item,
    /// A preprocessor line (with its continuation lines).
    Directive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub kind: ChunkKind,
    pub range: Range<usize>,
    /// Opening braces of this chunk that are never closed (it was cut
    /// because the next item began, or the file ended).
    pub unclosed: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Split {
    pub chunks: Vec<Chunk>,
    /// The first `/*++ ... --*/` comment: the rule's metadata header.
    pub header: Option<Range<usize>>,
    /// Block comments that run to the end of the file and strings that run
    /// to the end of their line: where they start, and which it is.
    pub unterminated: Vec<(usize, &'static str)>,
}

struct Splitter<'a> {
    text: &'a [u8],
    pos: usize,
    split: Split,
    chunk_start: Option<usize>,
    open_braces: Vec<usize>,
}

pub fn split(text: &str) -> Split {
    let mut splitter = Splitter {
        text: text.as_bytes(),
        // A UTF-8 byte-order mark, as Windows editors write, is not text.
        pos: if text.starts_with('\u{FEFF}') { 3 } else { 0 },
        split: Split::default(),
        chunk_start: None,
        open_braces: Vec::new(),
    };
    splitter.run();
    splitter.split
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Splitter<'_> {
    fn peek(&self, offset: usize) -> u8 {
        self.text.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn run(&mut self) {
        let mut at_line_start = true;
        while self.pos < self.text.len() {
            let byte = self.text[self.pos];
            match byte {
                b'\n' => {
                    at_line_start = true;
                    self.pos += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\x0C' => {
                    self.pos += 1;
                    continue;
                }
                b'/' if self.peek(1) == b'*' => {
                    self.block_comment();
                    continue;
                }
                b'/' if self.peek(1) == b'/' => {
                    self.line_comment();
                    continue;
                }
                _ => {}
            }
            if at_line_start && self.starts_new_item() {
                self.finish_chunk(self.pos);
            }
            at_line_start = false;
            if byte == b'#' && self.open_braces.is_empty() && self.chunk_start.is_none() {
                self.directive();
                at_line_start = true;
                continue;
            }
            if self.chunk_start.is_none() {
                self.chunk_start = Some(self.pos);
            }
            match byte {
                b'"' | b'\'' => self.quoted(byte),
                b'{' => {
                    self.open_braces.push(self.pos);
                    self.pos += 1;
                }
                b'}' => {
                    self.pos += 1;
                    if self.open_braces.pop().is_some() && self.open_braces.is_empty() {
                        self.finish_chunk(self.pos);
                    } else if self.open_braces.is_empty() {
                        // A stray `}`: let the parser report it on its own.
                        self.finish_chunk(self.pos);
                    }
                }
                b';' if self.open_braces.is_empty() => {
                    self.pos += 1;
                    self.finish_chunk(self.pos);
                }
                _ => self.pos += 1,
            }
        }
        self.finish_chunk(self.text.len());
    }

    /// Whether the line starting here begins a new top-level item. Inside a
    /// handler no statement starts like this, so an unclosed brace is cut
    /// off here instead of swallowing the rest of the file.
    fn starts_new_item(&self) -> bool {
        if self.chunk_start.is_none() {
            return false;
        }
        let rest = &self.text[self.pos..];
        if rest[0] == b'#' {
            return true;
        }
        if rest[0] == b'[' {
            let word = skip_blanks(rest, 1);
            return word < rest.len()
                && is_ident_start(rest[word])
                && !rest[word..].starts_with(b"guard");
        }
        let word_end = rest
            .iter()
            .position(|&b| !is_ident_char(b))
            .unwrap_or(rest.len());
        if word_end == 0 || !is_ident_start(rest[0]) {
            return false;
        }
        let word = &rest[..word_end];
        let next = skip_blanks(rest, word_end);
        match word {
            b"state" => rest.get(next) == Some(&b'{'),
            b"watch" | b"model" => rest.get(next).is_some_and(|&b| is_ident_start(b)),
            _ => {
                rest.get(next) == Some(&b'.') && {
                    let kind = skip_blanks(rest, next + 1);
                    rest.get(kind).is_some_and(|&b| is_ident_start(b))
                }
            }
        }
    }

    fn finish_chunk(&mut self, end: usize) {
        if let Some(start) = self.chunk_start.take() {
            self.split.chunks.push(Chunk {
                kind: ChunkKind::Item,
                range: start..end,
                unclosed: std::mem::take(&mut self.open_braces),
            });
        }
        self.open_braces.clear();
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let is_header = self.text[start..].starts_with(b"/*++");
        match find(&self.text[start + 2..], b"*/") {
            Some(offset) => {
                self.pos = start + 2 + offset + 2;
                if is_header && self.split.header.is_none() {
                    self.split.header = Some(start..self.pos);
                }
            }
            None => {
                self.split.unterminated.push((start, "comment"));
                self.pos = self.text.len();
            }
        }
    }

    fn line_comment(&mut self) {
        while self.pos < self.text.len() && self.text[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn quoted(&mut self, quote: u8) {
        let start = self.pos;
        self.pos += 1;
        while self.pos < self.text.len() {
            match self.text[self.pos] {
                b'\\' => self.pos += 2,
                b'\n' => break,
                b if b == quote => {
                    self.pos += 1;
                    return;
                }
                _ => self.pos += 1,
            }
        }
        self.split.unterminated.push((start, "string"));
        self.pos = self.pos.min(self.text.len());
    }

    /// A preprocessor line runs to the first newline that is neither escaped
    /// by a backslash nor inside a block comment.
    fn directive(&mut self) {
        let start = self.pos;
        while self.pos < self.text.len() {
            match self.text[self.pos] {
                b'\n' => break,
                b'\\' if self.peek(1) == b'\n' => self.pos += 2,
                b'\\' if self.peek(1) == b'\r' && self.peek(2) == b'\n' => self.pos += 3,
                b'/' if self.peek(1) == b'*' => self.block_comment(),
                b'/' if self.peek(1) == b'/' => self.line_comment(),
                b'"' => self.quoted(b'"'),
                _ => self.pos += 1,
            }
        }
        self.split.chunks.push(Chunk {
            kind: ChunkKind::Directive,
            range: start..self.pos,
            unclosed: Vec::new(),
        });
    }
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        split(source)
            .chunks
            .iter()
            .map(|chunk| &source[chunk.range.clone()])
            .collect()
    }

    #[test]
    fn items_end_at_their_closing_brace_or_semicolon() {
        let source = "#include \"a.h\"\nstate{ enum {a} s = a; }\nwatch F.exit.$1;\nF.exit { if(s==a){ s = a; } }\n";
        assert_eq!(
            texts(source),
            [
                "#include \"a.h\"",
                "state{ enum {a} s = a; }",
                "watch F.exit.$1;",
                "F.exit { if(s==a){ s = a; } }"
            ]
        );
    }

    #[test]
    fn an_unclosed_handler_is_cut_where_the_next_one_starts() {
        let source = "F.exit {\n  if (x) {\n}\nG.entry { halt; }\n";
        let split = split(source);
        assert_eq!(split.chunks.len(), 2);
        assert_eq!(split.chunks[0].unclosed, vec![7]);
        assert_eq!(&source[split.chunks[1].range.clone()], "G.entry { halt; }");
    }

    #[test]
    fn a_guard_on_its_own_line_does_not_start_an_item() {
        let source = "F.exit\n[guard $1]\n{ halt; }";
        assert_eq!(texts(source), [source]);
    }

    #[test]
    fn braces_in_comments_and_strings_do_not_count() {
        let source = "F.exit { /* } */ abort \"}\"; // }\n}";
        assert_eq!(texts(source), [source]);
    }

    #[test]
    fn the_first_plus_plus_comment_is_the_header() {
        let source = "/* no */ /*++\nRule Name: X\n--*/ /*++ second --*/";
        assert_eq!(split(source).header, Some(9..31));
    }
}
