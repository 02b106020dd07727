//! What wrapping a definition takes from its head, read from tree-sitter's
//! node, or from the head's tokens where they settle it.
//!
//! Most heads of a driver are plain: `NTSTATUS DispatchRead(PDEVICE_OBJECT
//! DeviceObject, PIRP Irp) {`, with the annotations blanked. For those the
//! tokens say all tree-sitter would (the name, the parameters' names, the
//! return type as spelled), and parsing them was most of the weaver's
//! time. A head with anything else (parentheses in a declarator, arrays,
//! K&R declarations, `unsigned long`, a word tree-sitter-c reads as a
//! keyword, a directive) is still given to tree-sitter: [`Head::from_tokens`]
//! reads only the shapes whose reading is not in doubt, and a test checks
//! that it agrees with tree-sitter on the wdk-style fixtures and drivers.

use std::ops::Range;

use tree_sitter::Node;

use super::uses::Interest;
use super::{Read, Weaver};
use crate::weave::c::file::{CFile, Hit};
use crate::weave::c::role_scan;
use crate::weave::c::scan::Kind;
use crate::weave::c::structure::is_keyword;
use crate::weave::c::tree;

/// What wrapping a definition takes from its head.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Head {
    pub(super) start: usize,
    pub(super) name: Range<usize>,
    pub(super) parameters: Result<Vec<String>, String>,
    pub(super) returns_void: bool,
    /// Copied from the file's bytes, like the wrapper's head.
    pub(super) result_type: Vec<u8>,
    pub(super) body: Range<usize>,
}

/// A head read from its tokens, with the bytes of its type specifier (what
/// tree-sitter calls its `type`), which role evidence reads.
pub(super) struct TokenHead {
    pub(super) head: Head,
    pub(super) type_bytes: Range<usize>,
}

impl Head {
    /// `text` is the view of the file the tree was parsed from, `bytes` the
    /// file itself.
    pub(super) fn of(node: Node, text: &str, bytes: &[u8]) -> Option<Head> {
        let declarator = tree::child(node, tree::Field::Declarator)?;
        let name = tree::declared_name(declarator)?;
        let function = tree::function_declarator(declarator)?;
        let body = tree::child(node, tree::Field::Body)?;
        let returns_void = tree::returns_void(node, declarator, text);
        Some(Head {
            start: node.start_byte(),
            name: name.byte_range(),
            parameters: tree::parameter_names(function, text),
            returns_void,
            result_type: if returns_void {
                Vec::new()
            } else {
                tree::result_type(node, declarator, bytes)
            },
            body: body.byte_range(),
        })
    }

    /// The head of the definition `item`, when its tokens are
    /// `SPECIFIERS *... NAME ( PARAMETERS ) {` with every parameter
    /// `SPECIFIERS *... NAME` (or the list empty or `void`), and the
    /// specifiers words only: storage classes, qualifiers and one type (a
    /// name, or `struct`, `union` or `enum` and a tag). `None` for any other
    /// head: tree-sitter reads it. `bytes` is the file itself.
    pub(super) fn from_tokens(file: &CFile, item: usize, bytes: &[u8]) -> Option<TokenHead> {
        if !file.parsable(item) {
            return None;
        }
        let item = &file.structure.items[item];
        let (open, Some(close)) = item.body()? else {
            return None;
        };
        let tokens = file.tokens();
        let mut at = item.tokens.start;
        let specifiers = specifiers(file, &mut at, open)?;
        let stars = stars(file, &mut at, open);
        let name = declared_name(file, at, open)?;
        // `(` right after the name, its `)` right before the body.
        if !tokens[name + 1].is(b'(') || !tokens[open - 1].is(b')') || name + 1 >= open - 1 {
            return None;
        }
        let parameters = parameter_names(file, name + 2..open - 1)?;
        let type_word = &file.text[specifiers.type_bytes.clone()];
        let returns_void = stars == 0 && matches!(type_word, "void" | "VOID");
        let result_type = if returns_void {
            Vec::new()
        } else {
            let mut out = Vec::new();
            for &qualifier in &specifiers.qualifiers {
                if !out.is_empty() {
                    out.push(b' ');
                }
                out.extend_from_slice(&bytes[tokens[qualifier].range()]);
            }
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(&bytes[specifiers.type_bytes.clone()]);
            if stars > 0 {
                out.push(b' ');
                out.extend(std::iter::repeat_n(b'*', stars));
            }
            out
        };
        Some(TokenHead {
            head: Head {
                start: file.start(item.tokens.start),
                name: tokens[name].range(),
                parameters: Ok(parameters),
                returns_void,
                result_type,
                body: file.start(open)..tokens[close].end as usize,
            },
            type_bytes: specifiers.type_bytes,
        })
    }
}

/// What a run of declaration specifiers holds.
struct Specifiers {
    /// The tokens of the type qualifiers, in order.
    qualifiers: Vec<usize>,
    /// The bytes of the type.
    type_bytes: Range<usize>,
}

/// Reads declaration specifiers from `*at` (before `end`): words only, one
/// type among them; `*at` is left at the first token after them (the
/// identifier after the type is the declared name, not a specifier).
fn specifiers(file: &CFile, at: &mut usize, end: usize) -> Option<Specifiers> {
    let tokens = file.tokens();
    let mut qualifiers = Vec::new();
    let mut type_bytes: Option<Range<usize>> = None;
    while *at < end && tokens[*at].kind == Kind::Identifier {
        let word = file.word(*at);
        match Word::of(word) {
            Word::Storage => {}
            Word::Qualifier => qualifiers.push(*at),
            Word::Tag if type_bytes.is_none() => {
                let tag = *at + 1;
                if tag >= end
                    || tokens[tag].kind != Kind::Identifier
                    || Word::of(file.word(tag)) != Word::Name
                {
                    return None;
                }
                type_bytes = Some(file.start(*at)..tokens[tag].end as usize);
                *at = tag;
            }
            Word::Primitive | Word::Name if type_bytes.is_none() => {
                type_bytes = Some(tokens[*at].range());
            }
            // The declared name.
            Word::Name => break,
            _ => return None,
        }
        *at += 1;
    }
    Some(Specifiers {
        qualifiers,
        type_bytes: type_bytes?,
    })
}

/// Skips the `*`s of a pointer declarator; how many.
fn stars(file: &CFile, at: &mut usize, end: usize) -> usize {
    let start = *at;
    while *at < end && file.tokens()[*at].is(b'*') {
        *at += 1;
    }
    *at - start
}

/// The token at `at` when it is a name tree-sitter reads as an identifier.
fn declared_name(file: &CFile, at: usize, end: usize) -> Option<usize> {
    (at < end
        && file.tokens()[at].kind == Kind::Identifier
        && Word::of(file.word(at)) == Word::Name)
        .then_some(at)
}

/// The names of the parameters between the parentheses (`tokens`): none
/// for `()` and `(void)`, else each parameter's declared name. `None` when
/// a parameter is anything but specifiers, stars and a name.
fn parameter_names(file: &CFile, tokens: Range<usize>) -> Option<Vec<String>> {
    let all = file.tokens();
    if tokens.is_empty() {
        return Some(Vec::new());
    }
    if tokens.len() == 1 && matches!(file.word(tokens.start), "void" | "VOID") {
        return Some(Vec::new());
    }
    let mut names = Vec::new();
    let mut at = tokens.start;
    loop {
        specifiers(file, &mut at, tokens.end)?;
        stars(file, &mut at, tokens.end);
        let name = declared_name(file, at, tokens.end)?;
        names.push(file.word(name).to_string());
        at = name + 1;
        if at == tokens.end {
            return Some(names);
        }
        if !all[at].is(b',') {
            return None;
        }
        at += 1;
    }
}

/// How tree-sitter-c reads a word of a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// `storage_class_specifier`.
    Storage,
    /// `type_qualifier`.
    Qualifier,
    /// `struct`, `union`, `enum`.
    Tag,
    /// `primitive_type`.
    Primitive,
    /// An identifier (a type name or a declared name).
    Name,
    /// Any other word tree-sitter-c or C reserves: a head with one is left
    /// to tree-sitter.
    Other,
}

impl Word {
    fn of(word: &str) -> Word {
        match word {
            "extern" | "static" | "auto" | "register" | "inline" | "__inline" | "__inline__"
            | "__forceinline" | "thread_local" | "__thread" => Word::Storage,
            "const" | "constexpr" | "volatile" | "restrict" | "__restrict__" | "__extension__"
            | "_Atomic" | "_Noreturn" | "noreturn" | "_Nonnull" => Word::Qualifier,
            "struct" | "union" | "enum" => Word::Tag,
            "bool" | "char" | "int" | "float" | "double" | "void" | "size_t" | "ssize_t"
            | "ptrdiff_t" | "intptr_t" | "uintptr_t" | "charptr_t" | "nullptr_t"
            | "max_align_t" | "int8_t" | "int16_t" | "int32_t" | "int64_t" | "uint8_t"
            | "uint16_t" | "uint32_t" | "uint64_t" | "char8_t" | "char16_t" | "char32_t"
            | "char64_t" => Word::Primitive,
            // The rest of tree-sitter-c's words (`grammar.js`).
            "FALSE" | "NULL" | "TRUE" | "_Alignas" | "_Alignof" | "_Generic" | "__alignof"
            | "__alignof__" | "__asm" | "__asm__" | "__attribute" | "__attribute__" | "__based"
            | "__cdecl" | "__clrcall" | "__declspec" | "__except" | "__fastcall" | "__finally"
            | "__leave" | "__restrict" | "__sptr" | "__stdcall" | "__thiscall" | "__try"
            | "__unaligned" | "__uptr" | "__vectorcall" | "__volatile__" | "_alignof"
            | "_unaligned" | "alignas" | "alignof" | "asm" | "break" | "case" | "continue"
            | "default" | "defined" | "do" | "else" | "false" | "for" | "goto" | "if" | "long"
            | "nullptr" | "offsetof" | "return" | "short" | "signed" | "sizeof" | "switch"
            | "true" | "typedef" | "unsigned" | "while" => Word::Other,
            word if is_keyword(word) => Word::Other,
            _ => Word::Name,
        }
    }
}

impl<'a> Weaver<'a> {
    /// Reads from their tokens the heads of the `items` to parse that the
    /// tokens settle, with the role evidence tree-sitter would find there;
    /// returns the items left to parse. A head that holds a use of an API
    /// or bearing macro is parsed: tree-sitter says what the use is.
    pub(super) fn read_heads_from_tokens(
        &self,
        items: Vec<usize>,
        hits: &[Hit<Interest>],
        read: &mut Read<'a>,
    ) -> Vec<usize> {
        let file = self.file;
        let uses_in_head = self.uses_in_heads(hits);
        items
            .into_iter()
            .filter(|&item| {
                if uses_in_head[item] {
                    return true;
                }
                let Some(TokenHead { head, type_bytes }) =
                    Head::from_tokens(file, item, self.input.text)
                else {
                    return true;
                };
                read.found.extend(role_scan::declaration_evidence(
                    file,
                    head.start,
                    &[&file.text[head.name.clone()]],
                    Some(&file.text[type_bytes]),
                    self.input.path,
                ));
                read.heads.insert(head.body.start, head);
                false
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use super::*;

    /// Every C file and header of the tests, and mingw-w64's DDK headers
    /// (installed by `scripts/install-tools`): drivers, the wdk-style
    /// fixtures, and real headers full of inline definitions.
    fn corpus() -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
                .map(|e| e.unwrap().path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "c" || e == "h") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
            &mut files,
        );
        let ddk = Path::new("/usr/x86_64-w64-mingw32/include/ddk");
        assert!(
            ddk.join("wdm.h").exists(),
            "mingw-w64's DDK headers are missing: install mingw-w64-x86-64-dev (scripts/install-tools)"
        );
        walk(ddk, &mut files);
        for header in ["winnt.h", "winbase.h", "intrin.h", "psdk_inc/intrin-impl.h"] {
            files.push(ddk.parent().unwrap().join(header));
        }
        files
    }

    /// Wherever the tokens settle a head, they say what tree-sitter says:
    /// the same head and the same type.
    #[test]
    fn heads_read_from_tokens_agree_with_tree_sitter() {
        let (mut agreed, mut parsed_only) = (0, 0);
        for path in corpus() {
            let bytes = std::fs::read(&path).unwrap();
            let text = crate::weave::c::view::view(&bytes);
            let file = CFile::read(&text, &[]);
            let definitions: Vec<usize> = (0..file.structure.items.len())
                .filter(|&item| file.structure.items[item].body().is_some())
                .collect();
            let mut by_tree: HashMap<usize, (Head, Option<String>)> = HashMap::new();
            file.parse(&definitions, |parsed| {
                let mut cursor = parsed.tree.root_node().walk();
                for node in parsed.tree.root_node().children(&mut cursor) {
                    if node.kind() != "function_definition" || node.has_error() {
                        continue;
                    }
                    let Some(head) = Head::of(node, &text, &bytes) else {
                        continue;
                    };
                    let ty = tree::child(node, tree::Field::Type)
                        .map(|t| tree::text(t, &text).to_string());
                    by_tree.insert(head.body.start, (head, ty));
                }
            });
            for &item in &definitions {
                let Some(TokenHead { head, type_bytes }) = Head::from_tokens(&file, item, &bytes)
                else {
                    parsed_only += 1;
                    continue;
                };
                let at = format!("{}:{}", path.display(), file.scan.line(head.start));
                let (tree_head, ty) = by_tree
                    .get(&head.body.start)
                    .unwrap_or_else(|| panic!("{at}: tree-sitter reads no definition there"));
                assert_eq!(&head, tree_head, "{at}");
                assert_eq!(ty.as_deref(), Some(&text[type_bytes]), "{at}");
                agreed += 1;
            }
        }
        // Both kinds are there: the check compares something, and the
        // fallback is exercised.
        eprintln!("{agreed} heads read from tokens, {parsed_only} left to tree-sitter");
        assert!(agreed > 400, "{agreed} heads read from tokens");
        assert!(parsed_only > 100, "{parsed_only} heads left to tree-sitter");
    }
}
