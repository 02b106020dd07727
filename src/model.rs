//! A checked rule: every name resolved, every expression typed.
//!
//! This is what the checker hands to the later stages. It has no syntax
//! left in it (no defines, no includes, no stub aliases), only the spans a
//! report or a later diagnostic needs.

use crate::role_table::Role;
use crate::span::Span;
use crate::syntax::ast::Header;
use crate::types::IntType;

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    /// Driver Verifier's bug check 0xC4 parameter 1, if the rule has one.
    pub rule_id: Option<u32>,
    pub header: Option<Header>,
    /// The rule file as named in reports (`rules/wdm/QueuedSpinLockRelease.slic`).
    pub path: String,
    pub variables: Vec<Variable>,
    pub enums: Vec<EnumDef>,
    pub watch: Option<WatchModel>,
    /// Model handlers first (each model's in source order, models in the
    /// order they were included), then the rule's own in source order: the
    /// order in which the handlers of one event run.
    pub handlers: Vec<HandlerModel>,
    /// The shared models the rule includes (`model NAME;` files). The
    /// variables, enums and handlers that come from one say which.
    pub models: Vec<ModelInfo>,
    pub aborts: Vec<AbortInfo>,
    /// The values of every event the rule names, in order of first mention.
    pub signatures: Vec<(Event, Signature)>,
}

pub type VarId = usize;
pub type EnumId = usize;
pub type AbortId = usize;
/// An index into [`Model::models`].
pub type ModelId = usize;

/// A shared model a rule includes: its name (the same in every rule that
/// includes it) and where it is declared.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelInfo {
    pub name: String,
    /// The `model NAME;` line.
    pub span: Span,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Variable {
    pub name: String,
    pub ty: ValueType,
    /// Already converted to `ty`.
    pub init: i64,
    pub span: Span,
    /// The model that declares it; `None` for the rule's own variables.
    /// Only that model's handlers assign it, and `reset` leaves it alone.
    pub model: Option<ModelId>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EnumDef {
    /// Enumerator `i` has the value `i`.
    pub enumerators: Vec<String>,
    /// The model that declares it; `None` for the rule's own enums.
    pub model: Option<ModelId>,
}

/// The type of a value: a C integer type, and for enum values which enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ValueType {
    pub int: IntType,
    pub enumeration: Option<EnumId>,
    pub pointer: bool,
}

impl ValueType {
    pub const fn int(int: IntType) -> ValueType {
        ValueType {
            int,
            enumeration: None,
            pointer: false,
        }
    }

    pub const POINTER: ValueType = ValueType {
        int: IntType::POINTER,
        enumeration: None,
        pointer: true,
    };

    pub const fn enumeration(id: EnumId) -> ValueType {
        ValueType {
            int: IntType::INT,
            enumeration: Some(id),
            pointer: false,
        }
    }
}

/// What an event name refers to.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Target {
    /// An API or any other function, by name.
    Function(String),
    Role(Role),
}

impl Target {
    /// The name a rule or a report uses for it.
    pub fn name(&self) -> &str {
        match self {
            Target::Function(name) => name,
            Target::Role(role) => role.rule_name(),
        }
    }
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Event {
    pub target: Target,
    pub kind: EventKind,
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.target.name(), self.kind.as_str())
    }
}

/// The shape of an event's values, from the catalog or the role table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    /// `None` for a function the catalog does not know: any `$N` is allowed.
    pub parameters: Option<Vec<ParameterType>>,
    pub returns: Option<IntType>,
    /// The return value is a pointer (`returns` is then pointer-sized).
    pub returns_pointer: bool,
    /// The function returns nothing (`VOID`).
    pub returns_void: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParameterType {
    pub ty: ValueType,
    /// The integer type `*$N` reads, when the parameter points to one.
    pub pointee: Option<IntType>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WatchModel {
    pub event: Event,
    /// 1-based argument whose value names the object.
    pub argument: u32,
    pub span: Span,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct HandlerModel {
    pub events: Vec<Event>,
    /// `[guard $N]`: runs only on the instance of the object in `$N`.
    pub guard: Option<u32>,
    pub body: Vec<Statement>,
    pub span: Span,
    /// The model the handler belongs to; `None` for the rule's own. A model
    /// handler reads only its model's variables and the event's values,
    /// and never aborts, halts or resets.
    pub model: Option<ModelId>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AbortInfo {
    pub message: String,
    pub span: Span,
    /// `file:line:col` of the `abort`, as reports print it.
    pub location: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Statement {
    If(TypedExpr, Vec<Statement>, Vec<Statement>),
    Assign(VarId, TypedExpr),
    Abort(AbortId),
    Halt,
    Reset,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TypedExpr {
    pub kind: ExprKind,
    pub ty: ValueType,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ExprKind {
    Constant(i64),
    Variable(VarId),
    /// `$N`, already converted to the expression's type.
    Argument(u32),
    /// `*$N`, read as the pointee type.
    Deref(u32),
    Return,
    /// `$thread`: the thread the event happens on.
    Thread,
    Unary(UnaryOp, Box<TypedExpr>),
    /// Operands are converted to `operand_type` (C's usual arithmetic
    /// conversions; for shifts, the promoted left type) before the operation.
    Binary {
        op: BinaryOp,
        operand_type: IntType,
        left: Box<TypedExpr>,
        right: Box<TypedExpr>,
    },
    Conditional(Box<TypedExpr>, Box<TypedExpr>, Box<TypedExpr>),
}

// The vocabulary of events and operators. The parser builds the syntax tree
// with these too: a rule names the same event kinds and operators in both.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum UnaryOp {
    Not,
    BitNot,
    Negate,
    Plus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BinaryOp {
    Or,
    And,
    BitOr,
    BitXor,
    BitAnd,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Not => "!",
            UnaryOp::BitNot => "~",
            UnaryOp::Negate => "-",
            UnaryOp::Plus => "+",
        }
    }
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "||",
            And => "&&",
            BitOr => "|",
            BitXor => "^",
            BitAnd => "&",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            Shl => "<<",
            Shr => ">>",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
        }
    }

    /// C's binding strength: higher binds tighter. The conditional operator
    /// is below all of these.
    pub fn precedence(self) -> u8 {
        use BinaryOp::*;
        match self {
            Or => 1,
            And => 2,
            BitOr => 3,
            BitXor => 4,
            BitAnd => 5,
            Eq | Ne => 6,
            Lt | Gt | Le | Ge => 7,
            Shl | Shr => 8,
            Add | Sub => 9,
            Mul | Div | Rem => 10,
        }
    }

    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Gt | Le | Ge)
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::Or | BinaryOp::And)
    }
}

/// The four event kinds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EventKind {
    Entry,
    Exit,
    Call,
    Return,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::Entry,
        EventKind::Exit,
        EventKind::Call,
        EventKind::Return,
    ];

    pub fn parse(word: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == word)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Entry => "entry",
            EventKind::Exit => "exit",
            EventKind::Call => "call",
            EventKind::Return => "return",
        }
    }

    /// Whether the event happens after the function returned, so that
    /// `$return` has a value.
    pub fn is_after(self) -> bool {
        matches!(self, EventKind::Exit | EventKind::Return)
    }
}
