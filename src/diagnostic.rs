//! The one diagnostic type every stage returns.
//!
//! Stages never print. They return `Vec<Diagnostic>` next to their result, and
//! the command line renders them once, at the edge (see `render.rs`).

use crate::span::Span;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $summary:literal;)*) => {
        /// Every kind of diagnostic, with a stable code.
        ///
        /// Codes are never reused or renumbered: tools and editors match on
        /// them. `docs/diagnostics.md` shows an input that triggers each one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, `E0001` or `W0001`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// A one-line description of the kind, for documentation.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }
        }
    };
}

codes! {
    Syntax = "E0001", Error, "syntax error";
    Unclosed = "E0002", Error, "unclosed brace, comment or string";
    UnsupportedDirective = "E0003", Error, "unsupported preprocessor directive";
    IncludeNotFound = "E0004", Error, "included file cannot be read";
    RecursiveInclude = "E0005", Error, "file includes itself";
    UnknownName = "E0006", Error, "unknown name";
    UnknownEventKind = "E0007", Error, "unknown event kind";
    EnumMismatch = "E0008", Error, "enum value compared or assigned across enums";
    NotAssignable = "E0009", Error, "assignment to something that is not a state variable";
    ArgumentOutOfRange = "E0010", Error, "argument number beyond the function's parameters";
    ReturnOfVoid = "E0011", Error, "`$return` of a function that returns nothing";
    ReturnBeforeCall = "E0012", Error, "`$return` in an `entry` or `call` handler";
    Duplicate = "E0013", Error, "duplicate declaration";
    SecondState = "E0014", Error, "more than one `state` block";
    SecondWatch = "E0015", Error, "more than one `watch`";
    NotConstant = "E0016", Error, "initialiser or `#define` value is not constant";
    GuardWithoutWatch = "E0017", Error, "`[guard $N]` in a rule without `watch`";
    BadDereference = "E0018", Error, "`*$N` of an argument that does not point to a number";
    BadLiteral = "E0019", Error, "malformed literal";
    BadStateType = "E0020", Error, "unsupported state variable type";
    DivisionByZero = "E0021", Error, "division by zero in a constant expression";
    Catalog = "E0022", Error, "error in the API catalog";
    EnumArithmetic = "E0023", Error, "enum value used as a number";
    TraceSyntax = "E0024", Error, "syntax error in a trace file";
    TraceUnknownEvent = "E0025", Error, "trace event that is neither in the rule, the catalog nor a role";
    TraceBadValue = "E0026", Error, "trace value that does not fit its parameter";
    TraceMissingValue = "E0027", Error, "trace step lacks a value a handler reads";
    TraceUnknownAbort = "E0028", Error, "expected abort message that the rule does not have";
    NotFinite = "E0029", Error, "the rule has no finite automaton to draw";
    AlreadyWoven = "E0030", Error, "the input is already woven";
    InputTooLarge = "E0031", Error, "the input is too large to weave";
    UnreadableCode = "E0032", Error, "a use or routine in C code the weaver cannot read";
    UnplaceableEvent = "E0033", Error, "an event the weaver cannot place in this input";
    NoPrototype = "E0034", Error, "a use of a function the API catalog does not declare";
    UseBeforeIncludes = "E0035", Error, "a use of a bound function before the file's last `#include`";
    MalformedIr = "E0036", Error, "LLVM IR the weaver cannot read";
    WeaverBug = "E0037", Error, "internal error in a weaver";
    ModelAssigned = "E0038", Error, "a rule assigns a variable of a model it includes";
    ModelReadsOutside = "E0039", Error, "model code names something its model does not declare";
    ModelStatement = "E0040", Error, "`abort`, `halt` or `reset` in a model handler";
    ModelWithWatch = "E0041", Error, "a model in a rule with `watch`, or `watch` in a model";
    ModelDeclaration = "E0042", Error, "misplaced or repeated `model` declaration";
    PragmaIgnored = "W0001", Warning, "`#pragma` is ignored";
    UnknownFunction = "W0002", Warning, "function is neither in the API catalog nor a role";
    UnusedVariable = "W0003", Warning, "state variable is never read";
    Unreachable = "W0004", Warning, "statement after `abort` or `halt` never runs";
    MalformedHeader = "W0005", Warning, "malformed metadata header";
    DuplicateEvent = "W0006", Warning, "the same event is listed twice in one handler";
    RuleNameMismatch = "W0007", Warning, "rule name in the header differs from the file name";
    UnreachableAbort = "W0008", Warning, "no explored trace reaches this `abort`";
    InertHandler = "W0009", Warning, "handler never changes anything on any explored trace";
    UnboundEvent = "W0010", Warning, "an event of a rule binds to no site in a woven file";
    NoHandlers = "W0011", Warning, "the rule has no event handlers: it checks nothing";
    PastedName = "W0012", Warning, "an API name pasted with `##` in a macro is not woven";
    MusttailExit = "W0013", Warning, "exit events of a `musttail` call are reported before the call";
    UnnamedResult = "W0014", Warning, "the result of a call has no name: `$return` reads as 0";
    UnwrappableAddress = "W0015", Warning, "calls through the address of a variadic API are not seen";
    KernelDefinition = "W0016", Warning, "definitions of catalog APIs are left alone: their callers report their events";
}

/// Which command reports a code: `slic check` (and every command that
/// compiles rules), `slic test`, `slic explore`, `slic graph`, or `slic
/// weave` and `slic cc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Stage {
    Check,
    Trace,
    Explore,
    Graph,
    Weave,
}

impl Code {
    pub fn stage(self) -> Stage {
        use Code::*;
        match self {
            TraceSyntax | TraceUnknownEvent | TraceBadValue | TraceMissingValue
            | TraceUnknownAbort => Stage::Trace,
            UnreachableAbort | InertHandler => Stage::Explore,
            UnboundEvent | AlreadyWoven | InputTooLarge | UnreadableCode | UnplaceableEvent
            | NoPrototype | UseBeforeIncludes | MalformedIr | WeaverBug | PastedName
            | MusttailExit | UnnamedResult | UnwrappableAddress | KernelDefinition => Stage::Weave,
            NotFinite => Stage::Graph,
            _ => Stage::Check,
        }
    }
}

/// A secondary span with its own message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    /// Lower case, no trailing period.
    pub message: String,
    pub primary: Span,
    /// Text under the primary span; empty for none.
    pub primary_label: String,
    pub secondary: Vec<Label>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(code: Code, primary: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            primary,
            primary_label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.primary_label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// Sorts by file and position, then code, so output does not depend on the
/// order in which checks ran.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.file, a.primary.start, a.code).cmp(&(b.primary.file, b.primary.start, b.code))
    });
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}
