//! Debug information: where a call, a `ret` or a routine is in the source,
//! and the `!DILocation`s of inserted calls.
//!
//! Metadata lines are indexed by number while the module is scanned and
//! parsed only when a site needs them. A position is the `DILocation`'s
//! line and column, in the file of its scope (`DILexicalBlock`,
//! `DILexicalBlockFile` or `DISubprogram`), and that file is the
//! `DIFile`'s `filename`, joined to its `directory` only when it is
//! relative and the directory is neither empty nor `.`: so a driver
//! compiled from the repository with `-fdebug-compilation-dir=.` (or
//! with relative paths and no directory) is reported with the path clang
//! was given, as the C weaver reports the path it was given.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::rc::Rc;

use crate::hash::Fnv;
use crate::llvm::names::unescape;
use crate::weave::Position;

/// Metadata definitions by number: where each `!N = ...` line starts.
/// A module has a hundred thousand: one number each (the line's end is
/// found again when it is read), the start plus one, 0 for none.
#[derive(Debug, Default)]
pub struct MetadataIndex {
    starts: Vec<u32>,
}

impl MetadataIndex {
    /// Notes the definition of `!number` on the line `line` (a module is
    /// under 4 GiB: its offsets fit).
    pub fn add(&mut self, number: usize, line: std::ops::Range<usize>) {
        if self.starts.len() <= number {
            self.starts.resize(number + 1, 0);
        }
        self.starts[number] = line.start as u32 + 1;
    }

    pub fn defines(&self, number: usize) -> bool {
        self.starts.get(number).is_some_and(|&start| start != 0)
    }

    /// The first number no definition uses.
    pub fn next_free(&self) -> usize {
        self.starts.len()
    }

    /// The line that defines `!number` in `source`, with its line break.
    pub fn range(&self, number: usize, source: &str) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(number).filter(|&&start| start != 0)? as usize - 1;
        Some(start..super::text::line_end(source.as_bytes(), start))
    }
}

/// One specialized metadata node: its kind and the text of its fields,
/// as text of the module (nothing is copied: a large module has many).
#[derive(Debug, Clone, Default)]
struct Node<'s> {
    kind: &'s str,
    /// `field: value, ...`, between the node's parentheses.
    fields: &'s str,
}

impl<'s> Node<'s> {
    /// `!N = [distinct] !Kind(field: value, ...)`, read from its bytes (a
    /// field's value may hold brackets, and strings, whose quotes LLVM
    /// escapes as `\22`). The fields are read only as far as `get` needs.
    fn read(line: &'s str) -> Option<Node<'s>> {
        // The kind is the second `!` of the line (after `!N = `).
        let kind_start = line.get(1..)?.find('!')? + 2;
        if !line[kind_start..].starts_with("DI") {
            return None;
        }
        let kind_end = kind_start
            + line[kind_start..]
                .bytes()
                .position(|b| !is_name_byte(b))
                .unwrap_or(line.len() - kind_start);
        let fields = line[kind_end..].strip_prefix('(')?;
        Some(Node {
            kind: &line[kind_start..kind_end],
            fields,
        })
    }

    /// The values of the fields `names` (the first of each name), in one
    /// pass over the node that stops when all are found.
    fn get<const N: usize>(&self, names: [&str; N]) -> [Option<&'s str>; N] {
        let mut values = [None; N];
        let mut missing = N;
        let bytes = self.fields.as_bytes();
        let mut at = 0;
        while missing > 0 {
            while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b',') {
                at += 1;
            }
            // The node's closing bracket, or the end of its line.
            if at >= bytes.len() || matches!(bytes[at], b')' | b'\n' | b'\r') {
                break;
            }
            let Some(colon) = memchr::memchr(b':', &bytes[at..]) else {
                break;
            };
            let key = &self.fields[at..at + colon];
            at += colon + 1;
            while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
                at += 1;
            }
            let end = at + group_end(&bytes[at..], true);
            if let Some(index) = names.iter().position(|&name| name == key)
                && values[index].is_none()
            {
                values[index] = Some(self.fields[at..end].trim_end());
                missing -= 1;
            }
            if end == at {
                break;
            }
            at = end;
        }
        values
    }
}

fn as_number(value: Option<&str>) -> Option<u32> {
    value?.parse().ok()
}

fn as_reference(value: Option<&str>) -> Option<usize> {
    metadata_number(value?)
}

fn as_string(value: Option<&str>) -> Option<Rc<str>> {
    value?
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .map(|v| Rc::from(unescape(v)))
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'$' | b'.' | b'_' | b'\\')
}

/// Where a field's value ends (at a `,`, with `at_comma`), or the fields
/// of a node: at the closing bracket that is not inside their own brackets
/// or strings (or at the end of the line).
fn group_end(bytes: &[u8], at_comma: bool) -> usize {
    let mut depth = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => match bytes[at + 1..].iter().position(|&b| b == b'"') {
                Some(offset) => at += offset + 1,
                None => return bytes.len(),
            },
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return at,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 && at_comma => return at,
            b'\n' => return at,
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

/// `!12` → 12.
pub fn metadata_number(text: &str) -> Option<usize> {
    text.strip_prefix('!')?.parse().ok()
}

#[derive(Debug, Clone, Default)]
struct Scope {
    file: Option<Rc<str>>,
    function: Option<Rc<str>>,
}

/// A function's `DISubprogram`, as much as sites need.
#[derive(Debug, Clone)]
pub struct Subprogram {
    pub name: Option<Rc<str>>,
    pub file: Option<Rc<str>>,
    pub scope_line: Option<u32>,
    pub line: Option<u32>,
}

type Numbered<T> = HashMap<usize, T, BuildHasherDefault<Fnv>>;

/// Reads the metadata of one module, caching what it has parsed.
pub struct DebugInfo<'a> {
    source: &'a str,
    index: MetadataIndex,
    /// Scopes are shared by many locations: their file and function,
    /// once worked out.
    scopes: Numbered<Scope>,
    files: Numbered<Option<Rc<str>>>,
    subprograms: Numbered<Option<Subprogram>>,
    /// New `DILocation`s: (line, column, scope) → number.
    created: Vec<(u32, u32, usize)>,
    created_numbers: HashMap<(u32, u32, usize), usize, BuildHasherDefault<Fnv>>,
}

impl<'a> DebugInfo<'a> {
    pub fn new(source: &'a str, index: MetadataIndex) -> DebugInfo<'a> {
        DebugInfo {
            source,
            index,
            scopes: Numbered::default(),
            files: Numbered::default(),
            subprograms: Numbered::default(),
            created: Vec::new(),
            created_numbers: HashMap::default(),
        }
    }

    fn node(&self, number: usize) -> Option<Node<'a>> {
        Node::read(&self.source[self.index.range(number, self.source)?])
    }

    /// The file of a `DIFile`, as the report names it.
    fn file(&mut self, number: usize) -> Option<Rc<str>> {
        if let Some(file) = self.files.get(&number) {
            return file.clone();
        }
        let file = self
            .node(number)
            .filter(|n| n.kind == "DIFile")
            .and_then(|node| {
                let [filename, directory] = node.get(["filename", "directory"]);
                let filename = as_string(filename)?;
                let directory = as_string(directory).unwrap_or_else(|| Rc::from(""));
                Some(Rc::from(join(&directory, &filename)))
            });
        self.files.insert(number, file.clone());
        file
    }

    /// The file and the function of a scope (lexical block, block file or
    /// subprogram): its own `file:`, else its parent's; the name of the
    /// subprogram it is in.
    fn scope(&mut self, number: usize) -> Scope {
        if let Some(scope) = self.scopes.get(&number) {
            return scope.clone();
        }
        // Marked first, so that a cycle of scopes ends.
        self.scopes.insert(number, Scope::default());
        let scope = match self.node(number) {
            None => Scope::default(),
            Some(node) if node.kind == "DISubprogram" => match self.subprogram(number) {
                Some(subprogram) => Scope {
                    file: subprogram.file,
                    function: subprogram.name,
                },
                None => Scope::default(),
            },
            Some(node) => {
                let [scope, file] = node.get(["scope", "file"]);
                let parent = as_reference(scope).map(|p| self.scope(p));
                let file = match as_reference(file) {
                    Some(file) => self.file(file),
                    None => parent.as_ref().and_then(|p| p.file.clone()),
                };
                Scope {
                    file,
                    function: parent.and_then(|p| p.function),
                }
            }
        };
        self.scopes.insert(number, scope.clone());
        scope
    }

    /// Where a `DILocation` points, and the name of the source function it
    /// is in (for an inlined call, the function it was written in).
    pub fn location(&mut self, number: usize) -> Option<(Position, Option<Rc<str>>)> {
        let node = self.node(number)?;
        if node.kind != "DILocation" {
            return None;
        }
        let [line, column, scope] = node.get(["line", "column", "scope"]);
        let scope = self.scope(as_reference(scope)?);
        let file = scope.file?;
        Some((
            Position {
                // Not `to_string`, which goes through `Display` (tens of
                // thousands of sites).
                file: String::from(&*file),
                line: as_number(line).unwrap_or(0),
                column: as_number(column).unwrap_or(0),
            },
            scope.function,
        ))
    }

    pub fn subprogram(&mut self, number: usize) -> Option<Subprogram> {
        if let Some(subprogram) = self.subprograms.get(&number) {
            return subprogram.clone();
        }
        let subprogram = self
            .node(number)
            .filter(|node| node.kind == "DISubprogram")
            .map(|node| {
                let [name, file, scope_line, line] =
                    node.get(["name", "file", "scopeLine", "line"]);
                Subprogram {
                    name: as_string(name),
                    file: as_reference(file).and_then(|f| self.file(f)),
                    scope_line: as_number(scope_line),
                    line: as_number(line),
                }
            });
        self.subprograms.insert(number, subprogram.clone());
        subprogram
    }

    /// A `DILocation` for an inserted instruction: an existing node's
    /// number is reused by the caller; this makes a new one.
    pub fn new_location(&mut self, line: u32, column: u32, scope: usize) -> usize {
        let key = (line, column, scope);
        if let Some(&number) = self.created_numbers.get(&key) {
            return number;
        }
        let number = self.index.next_free() + self.created.len();
        self.created.push(key);
        self.created_numbers.insert(key, number);
        number
    }

    /// A number for one more node after those `new_location` made.
    pub fn reserve(&mut self) -> usize {
        let number = self.index.next_free() + self.created.len();
        self.created.push((u32::MAX, 0, 0));
        number
    }

    /// The definitions of the nodes `new_location` made (reserved numbers
    /// are the caller's to define).
    pub fn created_definitions(&self, out: &mut String) {
        let first = self.index.next_free();
        for (offset, (line, column, scope)) in self.created.iter().enumerate() {
            if *line == u32::MAX {
                continue;
            }
            // Written piece by piece: a module has thousands.
            out.push('!');
            out.push_str(itoa::Buffer::new().format(first + offset));
            out.push_str(" = !DILocation(line: ");
            out.push_str(itoa::Buffer::new().format(*line));
            out.push_str(", column: ");
            out.push_str(itoa::Buffer::new().format(*column));
            out.push_str(", scope: !");
            out.push_str(itoa::Buffer::new().format(*scope));
            out.push_str(")\n");
        }
    }
}

/// A `DIFile`'s path: the filename, behind its directory only when it is
/// relative and the directory says something.
pub fn join(directory: &str, filename: &str) -> String {
    let absolute = filename.starts_with('/')
        || filename.starts_with('\\')
        || filename.as_bytes().get(1) == Some(&b':');
    if absolute || directory.is_empty() || directory == "." {
        return filename.to_string();
    }
    let separator = if directory.contains('\\') && !directory.contains('/') {
        '\\'
    } else {
        '/'
    };
    format!(
        "{}{separator}{filename}",
        directory.trim_end_matches(['/', '\\'])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(text: &str) -> DebugInfo<'_> {
        let mut index = MetadataIndex::default();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let number = metadata_number(line.split_whitespace().next().unwrap()).unwrap();
            index.add(number, at..at + line.len());
            at += line.len();
        }
        DebugInfo::new(text, index)
    }

    const MODULE: &str = r#"!1 = !DIFile(filename: "tests/drivers/queued/driver.c", directory: ".")
!2 = !DIFile(filename: "driver.c", directory: "/src/drv")
!3 = distinct !DISubprogram(name: "DispatchRead", scope: !1, file: !1, line: 28, type: !9, scopeLine: 29, flags: DIFlagPrototyped, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !{})
!4 = distinct !DILexicalBlock(scope: !3, file: !2, line: 35, column: 29)
!5 = !DILocation(line: 36, column: 9, scope: !4)
!6 = !DILocation(line: 44, scope: !3)
!7 = !DILocation(line: 1, column: 2, scope: !8, inlinedAt: !6)
!8 = distinct !DISubprogram(name: "helper\22x", scope: !2, file: !2, line: 1, scopeLine: 1, unit: !0)
"#;

    #[test]
    fn locations_follow_their_scopes() {
        let mut info = info(MODULE);
        let (position, function) = info.location(5).unwrap();
        assert_eq!(position.to_string(), "/src/drv/driver.c:36:9");
        assert_eq!(function.as_deref(), Some("DispatchRead"));
        // CodeView locations have no column.
        let (position, _) = info.location(6).unwrap();
        assert_eq!(position.to_string(), "tests/drivers/queued/driver.c:44:0");
        // An inlined location is in the function it was written in.
        assert_eq!(info.location(7).unwrap().1.as_deref(), Some("helper\"x"));
        assert!(info.location(3).is_none());
        let subprogram = info.subprogram(3).unwrap();
        assert_eq!(subprogram.scope_line, Some(29));
        assert_eq!(
            subprogram.file.as_deref(),
            Some("tests/drivers/queued/driver.c")
        );
    }

    #[test]
    fn new_locations_are_numbered_after_the_module() {
        let mut info = info(MODULE);
        assert_eq!(info.new_location(29, 1, 3), 9);
        assert_eq!(info.new_location(29, 1, 3), 9);
        assert_eq!(info.new_location(0, 0, 8), 10);
        let mut definitions = String::new();
        info.created_definitions(&mut definitions);
        assert_eq!(
            definitions,
            "!9 = !DILocation(line: 29, column: 1, scope: !3)\n!10 = !DILocation(line: 0, column: 0, scope: !8)\n"
        );
    }

    #[test]
    fn paths_join_like_clang_wrote_them() {
        assert_eq!(join("/work", "a/b.c"), "/work/a/b.c");
        assert_eq!(join("", "a/b.c"), "a/b.c");
        assert_eq!(join(".", "a/b.c"), "a/b.c");
        assert_eq!(join("/x", "/abs/b.c"), "/abs/b.c");
        assert_eq!(join("C:\\src", "b.c"), "C:\\src\\b.c");
        assert_eq!(join("/x", "C:\\abs\\b.c"), "C:\\abs\\b.c");
    }
}
