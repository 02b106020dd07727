//! The syntax tree of a rule, with a span on everything a diagnostic may
//! point at.

pub use crate::model::{BinaryOp, EventKind, UnaryOp};
use crate::span::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One parsed file, before `#include`s are followed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceRule {
    pub header: Option<Header>,
    pub items: Vec<Item>,
}

/// The `/*++ ... --*/` metadata header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub span: Span,
    /// Every `Field:` in order, known or not; values are trimmed, and lines
    /// of a multi-line value are joined with single spaces.
    pub fields: Vec<HeaderField>,
    pub rule_name: Option<String>,
    pub domain: Option<String>,
    pub rule_id: Option<RuleId>,
    pub description: Option<String>,
    pub help_link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    pub name: String,
    pub value: String,
    /// The field's name.
    pub span: Span,
    /// The value, from its first character to its last, if there is one.
    pub value_span: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleId {
    Number(u32),
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    State(StateBlock),
    Watch(Watch),
    /// `model NAME;`: the file is a shared model (see `load.rs`).
    Model(ModelDeclaration),
    Handler(Handler),
    Define(Define),
    Include(Include),
    /// `#pragma ...`: kept so the checker can warn in place, and so that
    /// `#pragma once` works in included files.
    Pragma(Pragma),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pragma {
    pub span: Span,
    /// `#pragma once`, which slic honours; any other pragma is ignored.
    pub once: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateBlock {
    pub declarations: Vec<Declaration>,
    /// The `state` keyword.
    pub keyword: Span,
}

/// `TYPE declarator, declarator;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub ty: TypeSpec,
    pub declarators: Vec<Declarator>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSpec {
    Enum {
        enumerators: Vec<Ident>,
        span: Span,
    },
    /// The type words as written (`unsigned int`, `BOOLEAN`, `void`); the
    /// checker decides whether they name a supported type.
    Scalar {
        words: Vec<String>,
        span: Span,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declarator {
    pub pointer: bool,
    pub name: Ident,
    pub init: Option<Expr>,
}

/// `watch F.kind.$N;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub function: Ident,
    pub kind: Ident,
    pub argument: ArgRef,
    pub span: Span,
}

/// `model NAME;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDeclaration {
    pub name: Ident,
    pub span: Span,
}

/// `$N` where it names an argument position (in `watch` and `[guard]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgRef {
    pub index: u32,
    pub span: Span,
}

impl ArgRef {
    /// The index of a `$N` whose number does not fit; the parser has
    /// reported it, so later checks stay quiet about it.
    pub const TOO_LARGE: u32 = u32::MAX;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    pub events: Vec<Ident>,
    /// Written as `[F, G]` rather than `F` (kept for printing).
    pub bracketed: bool,
    pub kind: Ident,
    pub guard: Option<ArgRef>,
    pub body: Block,
    /// From the first event name to the end of the kind: what a handler is
    /// called in messages.
    pub header_span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Define {
    pub name: Ident,
    pub value: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub path: String,
    /// `<file>` rather than `"file"`: searched on the include path only.
    pub system: bool,
    pub path_span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub statements: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    If {
        condition: Expr,
        then_branch: Box<Stmt>,
        else_branch: Option<Box<Stmt>>,
        span: Span,
    },
    Block(Block),
    /// `target = value;`, or `target op= value;` with `operator` set;
    /// `x++` is written as `x += 1`.
    Assign {
        target: Expr,
        operator: Option<BinaryOp>,
        value: Expr,
        span: Span,
    },
    Abort {
        message: String,
        span: Span,
    },
    Halt(Span),
    Reset(Span),
    Empty(Span),
}

impl Stmt {
    pub fn span(&self) -> Span {
        match self {
            Stmt::If { span, .. }
            | Stmt::Assign { span, .. }
            | Stmt::Abort { span, .. }
            | Stmt::Halt(span)
            | Stmt::Reset(span)
            | Stmt::Empty(span) => *span,
            Stmt::Block(block) => block.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    Integer(super::literal::IntegerLiteral),
    Name(String),
    /// `$N`, numbered from 1.
    Argument(u32),
    /// `*$N`.
    Deref(u32),
    /// `$return`.
    Return,
    /// `$thread`.
    Thread,
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
}
