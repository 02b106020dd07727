//! What an identifier the weaver looks for is where it stands: a call, a
//! use of its address, a use of a bearing macro, or a name being declared
//! (which is left alone). In function bodies this is read from the tokens;
//! in declarations and heads, from tree-sitter's nodes.

use tree_sitter::Node;

use crate::weave::c::file::CFile;
use crate::weave::c::role_scan::RoleWord;
use crate::weave::c::scan::Kind;
use crate::weave::c::tree;

/// What an identifier of the file may be to the weaver.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Interest {
    pub(super) api: bool,
    /// A macro whose body uses APIs.
    pub(super) bearing: bool,
    pub(super) role: Option<RoleWord>,
}

/// A use of an API or bearing macro the weaver rewrites.
pub(super) struct Use<'t> {
    pub(super) name: &'t str,
    pub(super) at: usize,
    pub(super) kind: UseKind,
    /// The function (or global variable) it is in.
    pub(super) function: Option<&'t str>,
}

pub(super) enum UseKind {
    /// `F(...)`: the `(` and whether nothing is between the parentheses.
    Call { open: usize, empty: bool },
    /// `F` alone: its address is taken.
    Address,
    /// `M(...)` of a bearing macro.
    Macro,
}

/// A use tree-sitter found in a declaration or head.
pub(super) fn parsed_use<'t>(
    file: &CFile<'t>,
    node: Node,
    parent: Node,
    is_api: bool,
    bearing: bool,
) -> Option<Use<'t>> {
    let name = &file.text[node.byte_range()];
    let is_callee = parent.kind() == "call_expression"
        && tree::child(parent, tree::Field::Function) == Some(node);
    let kind = if bearing && is_callee {
        UseKind::Macro
    } else if !is_api || tree::is_declarator(node, parent) {
        return None;
    } else if is_callee {
        let open = tree::child(parent, tree::Field::Arguments)?.start_byte();
        let empty = file
            .scan
            .token_at(open)
            .is_some_and(|paren| file.is(file.next(paren), b')'));
        UseKind::Call { open, empty }
    } else {
        UseKind::Address
    };
    Some(Use {
        name,
        at: node.start_byte(),
        kind,
        function: None,
    })
}

/// What the identifier at `token`, in a function body, is: a call, a use of
/// its address, or neither (a field, a declared name, a label).
pub(super) fn body_use(file: &CFile, token: usize, interest: Interest) -> Option<UseKind> {
    let before = file.previous(token);
    let after = file.next(token);
    if let Some(before) = before {
        let previous = file.tokens()[before];
        if previous.is(b'.') || previous.kind == Kind::Arrow {
            return None;
        }
        if previous.kind == Kind::Identifier
            && matches!(file.word(before), "struct" | "union" | "enum" | "goto")
        {
            return None;
        }
    }
    if file.is(after, b'(') {
        if declares(file, token) {
            return None;
        }
        if interest.bearing {
            return Some(UseKind::Macro);
        }
        let open = after.expect("seen");
        return interest.api.then(|| UseKind::Call {
            open: file.start(open),
            empty: file.is(file.next(open), b')'),
        });
    }
    let label = file.is(after, b':')
        && before.is_none_or(|b| {
            let token = file.tokens()[b];
            token.is(b';') || token.is(b'{') || token.is(b'}')
        });
    (interest.api && !label && !declares(file, token)).then_some(UseKind::Address)
}

/// Words that start or continue an expression or statement: a name after
/// one of them is used, not declared.
fn is_expression_word(word: &str) -> bool {
    matches!(
        word,
        "return"
            | "case"
            | "else"
            | "do"
            | "sizeof"
            | "goto"
            | "default"
            | "_Alignof"
            | "typeof"
            | "__typeof__"
            | "__typeof"
            | "if"
            | "while"
            | "for"
            | "switch"
    )
}

/// Whether the identifier at `token` is the name a declaration declares:
/// `VOID KeFoo(PVOID);` or `PVOID *KeFoo(void);` at the start of a
/// statement, `PFN KeFoo = ...;` (not `return KeFoo(x)` or `a * KeFoo(x)`).
fn declares(file: &CFile, token: usize) -> bool {
    let mut at = token;
    let mut stars = false;
    let specifier = loop {
        let Some(before) = file.previous(at) else {
            return false;
        };
        let previous = file.tokens()[before];
        if previous.is(b'*') {
            stars = true;
        } else if !(previous.kind == Kind::Identifier
            && matches!(
                file.word(before),
                "const" | "volatile" | "restrict" | "__restrict"
            ))
        {
            break before;
        }
        at = before;
    };
    let is_type_word = |index: usize| {
        file.tokens()[index].kind == Kind::Identifier && !is_expression_word(file.word(index))
    };
    if !is_type_word(specifier) {
        return false;
    }
    if !stars {
        return true;
    }
    // `T *F(...)` declares only where a statement starts, or after other
    // specifiers: `x = a * F(b)` multiplies.
    file.previous(specifier).is_none_or(|before| {
        let token = file.tokens()[before];
        token.is(b';') || token.is(b'{') || token.is(b'}') || is_type_word(before)
    })
}
