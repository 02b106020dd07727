//! The top-level structure of a scanned C file: its declarations and
//! function definitions (head and body), found from the tokens by their
//! delimiters, with what the preprocessor does to them.
//!
//! C's structure at the top level is simple enough to find without a
//! grammar: an item ends with a `;` or, if it is a function definition,
//! with the `}` that closes its body. A `{` opens a body when what comes
//! before it is a function head: a parenthesised parameter list after a
//! name, maybe attributes, maybe K&R parameter declarations.
//!
//! The preprocessor can make any text of a file conditional, so the scan
//! follows `#if` branches: each branch starts from the state the `#if` left,
//! and after `#endif` the scan goes on from where the first live branch
//! ended (not an `#if 0` one). A file whose branches each open a block
//! (`#if DBG` `if (a) {` `#else` `if (b) {` `#endif`) is thereby read like
//! either of its preprocessed forms. An item whose start and end lie in
//! different branches is marked `crossing`: its shape is chosen by the
//! preprocessor, and the weaver does not rewrite its head.

use std::ops::Range;

use super::scan::{DirectiveKind, Kind, Scan, Token};

pub struct Structure {
    /// Sorted by first token; an item inside another (only a crossing one
    /// can have others inside) comes after it.
    pub items: Vec<Item>,
    /// The start of the line after the last top-level `#include`, or after
    /// the `#endif` of the outermost conditional that holds one; 0 if
    /// there is none.
    pub insertion_point: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    /// Token indices, from the first token to one past the `;` or `}` that
    /// ends it (or the end of the file).
    pub tokens: Range<usize>,
    pub crossing: bool,
    /// The first delimiter that does not balance in it.
    pub imbalance: Option<Imbalance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Declaration,
    Definition {
        /// The token of the body's `{`.
        open: usize,
        /// The token of its `}`; `None` if the file ends first.
        close: Option<usize>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imbalance {
    /// The opening delimiter at this byte is never closed.
    Unclosed { at: usize, delimiter: u8 },
    /// The closing delimiter at this byte closes nothing that is open.
    Unexpected { at: usize, delimiter: u8 },
}

impl Item {
    pub fn body(&self) -> Option<(usize, Option<usize>)> {
        match self.kind {
            ItemKind::Definition { open, close } => Some((open, close)),
            ItemKind::Declaration => None,
        }
    }

    /// The tokens before the body (all of a declaration).
    pub fn head(&self) -> Range<usize> {
        match self.kind {
            ItemKind::Definition { open, .. } => self.tokens.start..open,
            ItemKind::Declaration => self.tokens.clone(),
        }
    }
}

/// What the scan knows at one point of the text; `#if` branches save and
/// restore it.
#[derive(Clone, Default)]
struct State {
    /// Delimiters open inside the current item.
    stack: Vec<Open>,
    item: Option<Pending>,
    /// `extern "C" {` blocks open around the current item.
    linkage: u32,
}

#[derive(Clone, Copy)]
struct Open {
    delimiter: u8,
    token: usize,
    body: bool,
}

#[derive(Clone)]
struct Pending {
    first: usize,
    /// The `#if` branch the item started in.
    branch: u32,
    /// Parenthesised groups outside any other delimiter: (open, close).
    groups: Vec<(usize, usize)>,
    /// An `=` outside any delimiter: an initialiser, no function head.
    assigns: bool,
    /// Inside the parameter declarations of a K&R head.
    knr: bool,
    imbalance: Option<Imbalance>,
}

struct Conditional {
    saved: State,
    /// The state at the end of the first live branch.
    chosen: Option<State>,
    /// The current branch is `#if 0` (or `#elif 0`).
    never: bool,
    holds_include: bool,
}

pub fn structure(scan: &Scan, text: &str) -> Structure {
    let tokens = &scan.tokens;
    let mut state = State::default();
    let mut items = Vec::new();
    let mut conditionals: Vec<Conditional> = Vec::new();
    let mut branches: Vec<u32> = vec![0];
    let mut next_branch = 0;
    let mut insertion_point = 0;
    let mut last_include = 0;
    let line_after = |end: usize| match text.as_bytes().get(end) {
        Some(b'\n') => end + 1,
        _ => end,
    };
    for (index, token) in tokens.iter().enumerate() {
        let branch = *branches.last().expect("the file's own branch stays");
        if token.kind == Kind::Directive {
            let directive = scan.directive(token);
            match &directive.kind {
                DirectiveKind::If { never } => {
                    conditionals.push(Conditional {
                        saved: state.clone(),
                        chosen: None,
                        never: *never,
                        holds_include: false,
                    });
                    next_branch += 1;
                    branches.push(next_branch);
                }
                DirectiveKind::Elif { .. } | DirectiveKind::Else => {
                    if let Some(conditional) = conditionals.last_mut() {
                        if conditional.chosen.is_none() && !conditional.never {
                            conditional.chosen = Some(state.clone());
                        }
                        state = conditional.saved.clone();
                        conditional.never =
                            matches!(directive.kind, DirectiveKind::Elif { never: true });
                        next_branch += 1;
                        *branches.last_mut().expect("a conditional has a branch") = next_branch;
                    }
                }
                DirectiveKind::Endif => {
                    if let Some(conditional) = conditionals.pop() {
                        let ended = std::mem::take(&mut state);
                        state = match conditional.chosen {
                            Some(chosen) => chosen,
                            None if !conditional.never => ended,
                            None => conditional.saved,
                        };
                        branches.pop();
                        if conditional.holds_include {
                            match conditionals.first_mut() {
                                Some(outer) => outer.holds_include = true,
                                None => insertion_point = line_after(directive.range.end),
                            }
                        }
                    }
                }
                DirectiveKind::Include { .. } if state.stack.is_empty() => {
                    last_include = line_after(directive.range.end);
                    match conditionals.first_mut() {
                        Some(outer) => outer.holds_include = true,
                        None => insertion_point = last_include,
                    }
                }
                _ => {}
            }
            continue;
        }
        if state.item.is_none() && state.stack.is_empty() {
            if token.is(b';') {
                continue;
            }
            if token.is(b'}') {
                // The end of an `extern "C"` block, or a stray brace that
                // belongs to nothing.
                state.linkage = state.linkage.saturating_sub(1);
                continue;
            }
            state.item = Some(Pending {
                first: index,
                branch,
                groups: Vec::new(),
                assigns: false,
                knr: false,
                imbalance: None,
            });
        }
        let Some(item) = state.item.as_mut() else {
            continue;
        };
        let finished = match token.kind {
            Kind::Punctuation(delimiter @ (b'(' | b'[')) => {
                state.stack.push(Open {
                    delimiter,
                    token: index,
                    body: false,
                });
                None
            }
            Kind::Punctuation(b'{') => {
                let outside = state.stack.is_empty();
                if outside && is_linkage(tokens, text, item.first, index) {
                    state.item = None;
                    state.linkage += 1;
                    continue;
                }
                let body = outside && is_function_head(tokens, text, item, index);
                state.stack.push(Open {
                    delimiter: b'{',
                    token: index,
                    body,
                });
                None
            }
            Kind::Punctuation(closer @ (b')' | b']')) => {
                let opener = if closer == b')' { b'(' } else { b'[' };
                match state.stack.last() {
                    Some(open) if open.delimiter == opener => {
                        let open = state.stack.pop().expect("just seen");
                        if state.stack.is_empty() && opener == b'(' {
                            item.groups.push((open.token, index));
                        }
                    }
                    _ => note(item, unexpected(token)),
                }
                None
            }
            Kind::Punctuation(b'}') => {
                match state.stack.iter().rposition(|open| open.delimiter == b'{') {
                    Some(position) => {
                        if let Some(inner) = state.stack.get(position + 1) {
                            note(item, unclosed(tokens, inner));
                        }
                        state.stack.truncate(position + 1);
                        let open = state.stack.pop().expect("just found");
                        (open.body && state.stack.is_empty()).then_some(ItemKind::Definition {
                            open: open.token,
                            close: Some(index),
                        })
                    }
                    None => {
                        note(item, unexpected(token));
                        if state.stack.is_empty() && state.linkage > 0 {
                            // It closes the `extern "C"` block the item is
                            // in, which ends the item too.
                            state.linkage -= 1;
                            Some(ItemKind::Declaration)
                        } else {
                            None
                        }
                    }
                }
            }
            Kind::Punctuation(b';') if state.stack.is_empty() => {
                if item.knr || starts_knr_declarations(tokens, text, item, index) {
                    item.knr = true;
                    None
                } else {
                    Some(ItemKind::Declaration)
                }
            }
            Kind::Punctuation(b'=') if state.stack.is_empty() => {
                item.assigns = true;
                None
            }
            _ => None,
        };
        if let Some(kind) = finished {
            let item = state.item.take().expect("an item is being read");
            items.push(Item {
                kind,
                tokens: item.first..index + 1,
                crossing: item.branch != branch,
                imbalance: item.imbalance,
            });
        }
    }
    // A conditional left open at the end still holds its includes.
    if conditionals
        .iter()
        .any(|conditional| conditional.holds_include)
    {
        insertion_point = last_include;
    }
    // The file ends inside an item.
    if let Some(mut item) = state.item.take() {
        let body = state
            .stack
            .iter()
            .find(|open| open.body)
            .map(|open| open.token);
        if let Some(open) = state.stack.last() {
            note(&mut item, unclosed(tokens, open));
        }
        let branch = *branches.last().expect("the file's own branch stays");
        items.push(Item {
            kind: match body {
                Some(open) => ItemKind::Definition { open, close: None },
                None => ItemKind::Declaration,
            },
            tokens: item.first..tokens.len(),
            crossing: item.branch != branch,
            imbalance: item.imbalance,
        });
    }
    items.sort_by_key(|item| (item.tokens.start, std::cmp::Reverse(item.tokens.end)));
    Structure {
        items,
        insertion_point,
    }
}

fn note(item: &mut Pending, imbalance: Imbalance) {
    item.imbalance.get_or_insert(imbalance);
}

fn unexpected(token: &Token) -> Imbalance {
    Imbalance::Unexpected {
        at: token.start as usize,
        delimiter: match token.kind {
            Kind::Punctuation(byte) => byte,
            _ => b'?',
        },
    }
}

fn unclosed(tokens: &[Token], open: &Open) -> Imbalance {
    Imbalance::Unclosed {
        at: tokens[open.token].start as usize,
        delimiter: open.delimiter,
    }
}

fn word<'t>(tokens: &[Token], text: &'t str, index: usize) -> Option<&'t str> {
    let token = tokens.get(index)?;
    (token.kind == Kind::Identifier).then(|| &text[token.range()])
}

/// `extern "C" {`.
fn is_linkage(tokens: &[Token], text: &str, first: usize, brace: usize) -> bool {
    brace == first + 2
        && word(tokens, text, first) == Some("extern")
        && tokens[first + 1].kind == Kind::Literal
}

/// Words that are part of C's syntax, never the name of what is declared.
pub fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "auto"
            | "break"
            | "case"
            | "char"
            | "const"
            | "continue"
            | "default"
            | "do"
            | "double"
            | "else"
            | "enum"
            | "extern"
            | "float"
            | "for"
            | "goto"
            | "if"
            | "inline"
            | "int"
            | "long"
            | "register"
            | "restrict"
            | "return"
            | "short"
            | "signed"
            | "sizeof"
            | "static"
            | "struct"
            | "switch"
            | "typedef"
            | "union"
            | "unsigned"
            | "void"
            | "volatile"
            | "while"
            | "_Alignas"
            | "_Alignof"
            | "_Atomic"
            | "_Bool"
            | "_Complex"
            | "_Noreturn"
            | "_Static_assert"
            | "_Thread_local"
            | "__attribute__"
            | "__attribute"
            | "__asm__"
            | "__asm"
            | "asm"
            | "__extension__"
            | "__inline__"
            | "__restrict"
            | "__restrict__"
            | "__volatile__"
            | "__typeof__"
            | "__typeof"
            | "typeof"
            | "_Pragma"
            | "__pragma"
    )
}

/// Whether the group at `open` follows a name, as a parameter list does.
fn follows_name(tokens: &[Token], text: &str, open: usize) -> bool {
    open.checked_sub(1)
        .and_then(|before| word(tokens, text, before))
        .is_some_and(|name| !is_keyword(name))
}

/// Whether the `{` at `brace` opens the body of a function: a group follows
/// a name (`f(...)`) or a parenthesised declarator (`(*f(...))(...)`), and
/// only attribute words and their arguments come after it; or the item is
/// a K&R head whose parameter declarations just ended.
fn is_function_head(tokens: &[Token], text: &str, item: &Pending, brace: usize) -> bool {
    if item.assigns {
        return false;
    }
    if item.knr {
        return tokens[brace - 1].is(b';');
    }
    let Some(&(_, close)) = item.groups.iter().rev().find(|&&(open, _)| {
        follows_name(tokens, text, open) || open.checked_sub(1).is_some_and(|b| tokens[b].is(b')'))
    }) else {
        return false;
    };
    let mut depth = 0usize;
    for token in &tokens[close + 1..brace] {
        match token.kind {
            Kind::Directive => {}
            Kind::Punctuation(b'(') => depth += 1,
            Kind::Punctuation(b')') => depth = depth.saturating_sub(1),
            Kind::Identifier => {}
            _ if depth > 0 => {}
            _ => return false,
        }
    }
    // `struct S { ... }` has no group; a group and then `struct` is no head.
    // (A `struct` inside the group is a parameter's type: `f(struct S *s) {`.)
    !tokens[close + 1..brace].iter().any(|t| {
        t.kind == Kind::Identifier && matches!(&text[t.range()], "struct" | "union" | "enum")
    })
}

/// At a `;` outside delimiters: whether it ends the first parameter
/// declaration of a K&R head, `f(a, b) int a;`. The last group after a name
/// holds only names, something follows it, and one of the names is
/// declared there.
fn starts_knr_declarations(tokens: &[Token], text: &str, item: &Pending, semicolon: usize) -> bool {
    if item.assigns {
        return false;
    }
    let Some(&(open, close)) = item
        .groups
        .iter()
        .rev()
        .find(|&&(open, _)| follows_name(tokens, text, open))
    else {
        return false;
    };
    let inside = &tokens[open + 1..close];
    let only_names = !inside.is_empty()
        && inside
            .iter()
            .all(|t| t.kind == Kind::Identifier || t.is(b',') || t.kind == Kind::Directive);
    if !only_names || close + 1 >= semicolon {
        return false;
    }
    let names: Vec<&str> = inside
        .iter()
        .filter(|t| t.kind == Kind::Identifier)
        .map(|t| &text[t.range()])
        .collect();
    tokens[close + 1..semicolon]
        .iter()
        .any(|t| t.kind == Kind::Identifier && names.contains(&&text[t.range()]))
}

/// The name a function definition's head declares: the name before its
/// parameter list (the last group that follows a name, before any K&R
/// parameter declarations), or the name inside a parenthesised declarator
/// (`int (*f(void))(void)`).
pub fn definition_name(tokens: &[Token], text: &str, head: Range<usize>) -> Option<usize> {
    name_in(tokens, text, head, 0)
}

/// Declarators nest only a few parentheses deep; past this, text is no
/// head the weaver can wrap.
const DECLARATOR_DEPTH: usize = 16;

fn name_in(tokens: &[Token], text: &str, head: Range<usize>, depth: usize) -> Option<usize> {
    if depth > DECLARATOR_DEPTH {
        return None;
    }
    let mut groups = Vec::new();
    let mut level = 0usize;
    let mut open = 0;
    for index in head.clone() {
        match tokens[index].kind {
            Kind::Punctuation(b'(' | b'[' | b'{') => {
                if level == 0 {
                    open = index;
                }
                level += 1;
            }
            // A closer with nothing open belongs to no group.
            Kind::Punctuation(b')' | b']' | b'}') if level > 0 => {
                level -= 1;
                if level == 0 && tokens[index].is(b')') && tokens[open].is(b'(') {
                    groups.push((open, index));
                }
            }
            Kind::Punctuation(b';') if level == 0 => break,
            _ => {}
        }
    }
    let mut name = None;
    for (position, &(open, close)) in groups.iter().enumerate() {
        let followed_by_group = groups.get(position + 1).is_some_and(|&(next, _)| {
            tokens[close + 1..next]
                .iter()
                .all(|t| t.kind == Kind::Directive)
        });
        if !followed_by_group && follows_name(tokens, text, open) {
            name = Some(open - 1);
        } else if let Some(inner) = name_in(tokens, text, open + 1..close, depth + 1) {
            name = Some(inner);
        } else if followed_by_group {
            // `(*f)(...)`, `(f)(...)`: the declarator's last name.
            name = (open + 1..close)
                .rev()
                .find(|&t| {
                    tokens[t].kind == Kind::Identifier && !is_keyword(&text[tokens[t].range()])
                })
                .or(name);
        }
    }
    name
}

/// Walks the tokens in order and says which item each is in (the innermost
/// one, for a crossing item with others inside).
pub struct Owners<'s> {
    items: &'s [Item],
    next: usize,
    open: Vec<usize>,
}

impl<'s> Owners<'s> {
    pub fn new(items: &'s [Item]) -> Owners<'s> {
        Owners {
            items,
            next: 0,
            open: Vec::new(),
        }
    }

    /// The item the token at `index` is in; `index` must not decrease
    /// from one call to the next.
    pub fn of(&mut self, index: usize) -> Option<usize> {
        while let Some(item) = self.items.get(self.next)
            && item.tokens.start <= index
        {
            self.open
                .retain(|&open| self.items[open].tokens.end > item.tokens.start);
            self.open.push(self.next);
            self.next += 1;
        }
        while let Some(&last) = self.open.last()
            && self.items[last].tokens.end <= index
        {
            self.open.pop();
        }
        self.open
            .iter()
            .rev()
            .copied()
            .find(|&open| self.items[open].tokens.contains(&index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weave::c::scan::scan;

    /// Each item as its kind and its text, and the name of each definition.
    fn items(text: &str) -> Vec<String> {
        let scanned = scan(text, &[]);
        let structure = structure(&scanned, text);
        let tokens = &scanned.tokens;
        structure
            .items
            .iter()
            .map(|item| {
                let start = tokens[item.tokens.start].start as usize;
                let end = tokens[item.tokens.end - 1].end as usize;
                let mut out = match item.kind {
                    ItemKind::Declaration => "declaration".to_string(),
                    ItemKind::Definition { .. } => {
                        let name = definition_name(tokens, text, item.head())
                            .map_or("?", |n| &text[tokens[n].range()]);
                        format!("definition {name}")
                    }
                };
                if item.crossing {
                    out.push_str(" (crossing)");
                }
                if item.imbalance.is_some() {
                    out.push_str(" (imbalance)");
                }
                format!("{out}: {}", &text[start..end])
            })
            .collect()
    }

    #[test]
    fn declarations_and_definitions() {
        let text = "typedef struct S { int a; } S;\nint x = { 1 };\nstatic int f(int a) { return a; }\n\
                    int (*g(void))(void) { return 0; }\nstruct T h(void) __attribute__((unused)) { }\n\
                    static long k(const struct S *s, union U u) { return 0; }\n";
        assert_eq!(
            items(text),
            [
                "declaration: typedef struct S { int a; } S;",
                "declaration: int x = { 1 };",
                "definition f: static int f(int a) { return a; }",
                "definition g: int (*g(void))(void) { return 0; }",
                "definition h: struct T h(void) __attribute__((unused)) { }",
                "definition k: static long k(const struct S *s, union U u) { return 0; }",
            ]
        );
    }

    #[test]
    fn knr_heads_and_linkage_blocks() {
        let text = "extern \"C\" {\nint f(a, b) int a; char *b; { return a; }\nint p(A, B);\n}\n";
        assert_eq!(
            items(text),
            [
                "definition f: int f(a, b) int a; char *b; { return a; }",
                "declaration: int p(A, B);"
            ]
        );
    }

    #[test]
    fn branches_that_each_open_a_block_read_as_one() {
        let text =
            "void f(void)\n{\n#if DBG\n  if (a) {\n#else\n  if (b) {\n#endif\n  }\n}\nint after;\n";
        assert_eq!(items(text)[1], "declaration: int after;");
        assert!(items(text)[0].starts_with("definition f: void f(void)"));
    }

    #[test]
    fn a_head_chosen_by_the_preprocessor_is_crossing() {
        let text = "#if DBG\nint f(int a)\n#else\nint f(long a)\n#endif\n{ return 0; }\n";
        let found = items(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("definition f (crossing)"), "{found:?}");
    }

    #[test]
    fn imbalance_is_kept_to_the_item() {
        let text = "void g(void) { }\nvoid f(void) { int a = (1 + ]; }\nvoid h(void) { }\n";
        assert_eq!(
            items(text),
            [
                "definition g: void g(void) { }",
                "definition f (imbalance): void f(void) { int a = (1 + ]; }",
                "definition h: void h(void) { }",
            ]
        );
        let unclosed = "void f(void) {\n if (x { y(); }\n";
        assert_eq!(items(unclosed).len(), 1);
        assert!(items(unclosed)[0].contains("(imbalance)"));
    }

    #[test]
    fn includes_at_the_top_level_set_the_insertion_point() {
        let text = "#include <a.h>\n#if X\n#include \"b.h\"\n#endif\nvoid f(void) {\n#include \"c.inc\"\n}\n";
        let scanned = scan(text, &[]);
        assert_eq!(
            structure(&scanned, text).insertion_point,
            text.find("void f").unwrap()
        );
        // An `#if` never closed still holds its includes.
        let open = "#include <a.h>\n#if X\n#include \"b.h\"\nint x;\n";
        let scanned = scan(open, &[]);
        assert_eq!(
            structure(&scanned, open).insertion_point,
            open.find("int x").unwrap()
        );
    }
}
