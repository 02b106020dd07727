//! IR types, as far as the weaver needs them.
//!
//! The weaver copies type text verbatim (so `ptr` and `%struct.X*` both
//! work, and so does any type it does not know); it only needs to know
//! what crosses into a hook: an integer of some width, a pointer, or
//! something else (which the hook sees as 0).

use super::lexer::{Kind, Token, matching};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Void,
    Int(u32),
    Pointer,
    /// A function type: what it returns.
    Function(Box<Shape>),
    /// Floats, vectors, structures, arrays, labels, metadata, tokens.
    Other,
}

impl Shape {
    /// What a call with this type in front of its callee returns: the
    /// type itself, or a function type's return type.
    pub fn returned(&self) -> &Shape {
        match self {
            Shape::Function(returns) => returns,
            other => other,
        }
    }
}

/// A type spelled from token `start` to token `end` (exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Type {
    pub shape: Shape,
    pub start: usize,
    pub end: usize,
}

impl Type {
    /// The type's text, as written.
    pub fn text<'a>(&self, source: &'a str, tokens: &[Token]) -> &'a str {
        &source[tokens[self.start].start as usize..tokens[self.end - 1].end as usize]
    }
}

const OTHER_WORDS: &[&str] = &[
    "half",
    "bfloat",
    "float",
    "double",
    "x86_fp80",
    "fp128",
    "ppc_fp128",
    "label",
    "metadata",
    "token",
    "x86_mmx",
    "x86_amx",
    "opaque",
];

/// Whether a token can begin a type.
pub fn starts_type(source: &str, token: &Token) -> bool {
    match token.kind {
        Kind::Local => true,
        Kind::Word => {
            let word = token.text(source);
            word == "void"
                || word == "ptr"
                || word == "target"
                || integer_width(word).is_some()
                || OTHER_WORDS.contains(&word)
        }
        Kind::Punct => matches!(token.text(source), "[" | "{" | "<"),
        _ => false,
    }
}

fn integer_width(word: &str) -> Option<u32> {
    let digits = word.strip_prefix('i')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Parses the type that starts at token `at`.
pub fn parse(source: &str, tokens: &[Token], at: usize) -> Option<Type> {
    let first = tokens.get(at)?;
    if !starts_type(source, first) {
        return None;
    }
    let mut next = at + 1;
    let mut shape = match first.kind {
        Kind::Local => Shape::Other,
        Kind::Punct => {
            next = matching(source, tokens, at)? + 1;
            Shape::Other
        }
        _ => {
            let word = first.text(source);
            if word == "void" {
                Shape::Void
            } else if word == "ptr" {
                next = skip_address_space(source, tokens, next);
                Shape::Pointer
            } else if word == "target" {
                if tokens.get(next).is_some_and(|t| t.is(source, b'(')) {
                    next = matching(source, tokens, next)? + 1;
                }
                Shape::Other
            } else if let Some(bits) = integer_width(word) {
                Shape::Int(bits)
            } else {
                Shape::Other
            }
        }
    };
    while let Some(token) = tokens.get(next) {
        if token.is(source, b'*') {
            shape = Shape::Pointer;
            next += 1;
        } else if token.is_word(source, "addrspace") {
            let after = skip_address_space(source, tokens, next);
            if tokens.get(after).is_some_and(|t| t.is(source, b'*')) {
                shape = Shape::Pointer;
                next = after + 1;
            } else {
                break;
            }
        } else if token.is(source, b'(') {
            next = matching(source, tokens, next)? + 1;
            shape = Shape::Function(Box::new(shape));
        } else {
            break;
        }
    }
    Some(Type {
        shape,
        start: at,
        end: next,
    })
}

/// Skips `addrspace(N)` at `at`, if it is there.
fn skip_address_space(source: &str, tokens: &[Token], at: usize) -> usize {
    if tokens
        .get(at)
        .is_some_and(|t| t.is_word(source, "addrspace"))
        && tokens.get(at + 1).is_some_and(|t| t.is(source, b'('))
        && let Some(close) = matching(source, tokens, at + 1)
    {
        return close + 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weave::llvm::lexer::tokenize;

    fn shape_of(text: &str) -> (Shape, String) {
        let mut tokens = Vec::new();
        tokenize(text, 0..text.len(), &mut tokens);
        let ty = parse(text, &tokens, 0).unwrap();
        (ty.shape.clone(), ty.text(text, &tokens).to_string())
    }

    #[test]
    fn types_of_both_pointer_eras() {
        assert_eq!(shape_of("ptr %x"), (Shape::Pointer, "ptr".into()));
        assert_eq!(shape_of("i64* %x"), (Shape::Pointer, "i64*".into()));
        assert_eq!(
            shape_of("%struct._KLOCK_QUEUE_HANDLE* inreg"),
            (Shape::Pointer, "%struct._KLOCK_QUEUE_HANDLE*".into())
        );
        assert_eq!(shape_of("i8 zeroext"), (Shape::Int(8), "i8".into()));
        assert_eq!(
            shape_of("void (i64*, %struct.X*)* @F"),
            (Shape::Pointer, "void (i64*, %struct.X*)*".into())
        );
        assert_eq!(
            shape_of("void (ptr, ...) @F"),
            (
                Shape::Function(Box::new(Shape::Void)),
                "void (ptr, ...)".into()
            )
        );
        assert_eq!(
            shape_of("[4 x i8] c\"a\""),
            (Shape::Other, "[4 x i8]".into())
        );
        assert_eq!(
            shape_of("ptr addrspace(1) %p"),
            (Shape::Pointer, "ptr addrspace(1)".into())
        );
        assert_eq!(
            shape_of("i8 addrspace(1)* %p"),
            (Shape::Pointer, "i8 addrspace(1)*".into())
        );
        assert_eq!(shape_of("{ i32, ptr } %s").0, Shape::Other);
    }
}
