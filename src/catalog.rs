//! The API catalog: what the functions a rule names look like.
//!
//! A catalog is a C header of plain typedefs and prototypes (for the WDM
//! pack, `rules/wdm/ddi.h`). The checker uses it for arities and value
//! types; the weavers use the spelled types and calling conventions to
//! write wrappers that have exactly the API's prototype.

use indexmap::IndexMap;
use pest::Parser as _;
use pest::iterators::Pair;

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};
use crate::syntax::errors::with_detail_on_error;
use crate::types::IntType;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/catalog.pest"]
struct CatalogParser;

/// A C type as far as rules care.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CType {
    Void,
    Int(IntType),
    Pointer(Box<CType>),
    /// A structure or union, known only by name.
    Record(String),
    Function,
}

impl CType {
    /// The integer type of a value of this type, as rules see it.
    pub fn value_type(&self) -> Option<IntType> {
        match self {
            CType::Int(ty) => Some(*ty),
            CType::Pointer(_) => Some(IntType::POINTER),
            _ => None,
        }
    }

    pub fn is_void(&self) -> bool {
        matches!(self, CType::Void)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Parameter {
    pub name: Option<String>,
    /// As written, such as `PKSPIN_LOCK` or `KIRQL *`.
    pub spelling: String,
    pub ty: CType,
    /// What the function does with what the parameter points to, from the
    /// SAL annotation written before it (`_Out_ PKIRQL OldIrql`).
    pub direction: Direction,
}

/// The direction a SAL annotation gives a parameter. The kernel model of
/// `slic verify` writes the `Out` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// No annotation.
    #[default]
    Unspecified,
    In,
    /// The function writes what the parameter points to (`_Out_`,
    /// `_Out_opt_`, `_Outptr_`).
    Out,
    InOut,
}

/// SAL annotations a catalog may write before a parameter, and what they say.
const DIRECTIONS: &[(&str, Direction)] = &[
    ("_In_", Direction::In),
    ("_In_opt_", Direction::In),
    ("_Out_", Direction::Out),
    ("_Out_opt_", Direction::Out),
    ("_Outptr_", Direction::Out),
    ("_Inout_", Direction::InOut),
    ("_Inout_opt_", Direction::InOut),
];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prototype {
    pub name: String,
    pub returns: CType,
    pub return_spelling: String,
    /// `FASTCALL`, `NTAPI`, ... as written; `None` for the default.
    pub calling_convention: Option<String>,
    pub parameters: Vec<Parameter>,
    pub variadic: bool,
    /// The IRQLs the function may be called at, from the WDK's SAL
    /// annotations before the prototype; unbounded where none says.
    pub irql: IrqlRange,
    pub span: Span,
}

/// The IRQLs a function may be called at: `_IRQL_requires_min_(MIN)`,
/// `_IRQL_requires_max_(MAX)`, or both from `_IRQL_requires_(LEVEL)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IrqlRange {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl IrqlRange {
    /// Whether the catalog says anything about the IRQL.
    pub fn is_known(&self) -> bool {
        self.min.is_some() || self.max.is_some()
    }

    pub fn allows(&self, level: i64) -> bool {
        self.min.is_none_or(|min| level >= min) && self.max.is_none_or(|max| level <= max)
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Catalog {
    pub functions: IndexMap<String, Prototype>,
    typedefs: IndexMap<String, CType>,
    /// Some declarations of the catalog did not parse and are missing.
    pub incomplete: bool,
}

const CALLING_CONVENTIONS: &[&str] = &[
    "FASTCALL",
    "NTAPI",
    "WINAPI",
    "CDECL",
    "STDCALL",
    "__fastcall",
    "__stdcall",
    "__cdecl",
];

/// Words that say something about linkage or qualifiers, never the type.
const IGNORED_WORDS: &[&str] = &[
    "extern",
    "NTKERNELAPI",
    "NTHALAPI",
    "NTSYSAPI",
    "NTSYSCALLAPI",
    "DECLSPEC_IMPORT",
    "const",
    "CONST",
    "volatile",
];

fn builtin_type(words: &[&str]) -> Option<CType> {
    let int = |bits, signed| Some(CType::Int(IntType { bits, signed }));
    match words {
        ["void"] | ["VOID"] => Some(CType::Void),
        ["char"] | ["signed", "char"] => int(8, true),
        ["unsigned", "char"] => int(8, false),
        ["short"] | ["short", "int"] | ["signed", "short"] => int(16, true),
        ["unsigned", "short"] | ["unsigned", "short", "int"] => int(16, false),
        ["int"] | ["signed"] | ["signed", "int"] | ["long"] | ["long", "int"] => int(32, true),
        ["unsigned"] | ["unsigned", "int"] | ["unsigned", "long"] | ["unsigned", "long", "int"] => {
            int(32, false)
        }
        ["long", "long"] | ["__int64"] | ["signed", "__int64"] => int(64, true),
        ["unsigned", "long", "long"] | ["unsigned", "__int64"] => int(64, false),
        ["_Bool"] | ["bool"] => int(8, false),
        // Pointer-sized integers: 64 bits in slic's model.
        ["ULONG_PTR"] | ["SIZE_T"] | ["uintptr_t"] | ["size_t"] => int(64, false),
        ["LONG_PTR"] | ["SSIZE_T"] | ["intptr_t"] => int(64, true),
        _ => None,
    }
}

const TYPE_KEYWORDS: &[&str] = &["void", "char", "short", "int", "long", "signed", "unsigned"];

impl Prototype {
    /// The values the function's events carry, as rules see them.
    pub fn signature(&self) -> crate::model::Signature {
        use crate::model::{ParameterType, Signature, ValueType};
        let parameters = self
            .parameters
            .iter()
            .map(|parameter| {
                let ty = match &parameter.ty {
                    CType::Pointer(_) => ValueType::POINTER,
                    other => ValueType::int(other.value_type().unwrap_or(IntType::INT64)),
                };
                let pointee = match &parameter.ty {
                    CType::Pointer(inner) => match inner.as_ref() {
                        CType::Int(int) => Some(*int),
                        CType::Pointer(_) => Some(IntType::POINTER),
                        _ => None,
                    },
                    _ => None,
                };
                ParameterType { ty, pointee }
            })
            .collect();
        Signature {
            parameters: Some(parameters),
            returns: self.returns.value_type(),
            returns_pointer: matches!(self.returns, CType::Pointer(_)),
            returns_void: self.returns.is_void(),
        }
    }
}

impl Catalog {
    pub fn get(&self, name: &str) -> Option<&Prototype> {
        self.functions.get(name)
    }

    fn is_type_word(&self, word: &str) -> bool {
        TYPE_KEYWORDS.contains(&word)
            || self.typedefs.contains_key(word)
            || builtin_type(&[word]).is_some()
    }

    fn resolve(&self, words: &[&str]) -> Result<CType, String> {
        if let Some(ty) = builtin_type(words) {
            return Ok(ty);
        }
        match words {
            [kind, name] if matches!(*kind, "struct" | "union" | "enum") => {
                Ok(if *kind == "enum" {
                    CType::Int(IntType::INT)
                } else {
                    CType::Record(name.to_string())
                })
            }
            [name] => self
                .typedefs
                .get(*name)
                .cloned()
                .ok_or_else(|| format!("unknown type `{name}` in the catalog")),
            [] => Err("a declaration without a type".to_string()),
            _ => Err(format!("unknown type `{}` in the catalog", words.join(" "))),
        }
    }
}

/// A run of words and stars, with the words that are not part of the type
/// already taken out.
struct Run<'a> {
    words: Vec<&'a str>,
    stars: usize,
    calling_convention: Option<&'a str>,
    direction: Direction,
    parameters: Option<Pair<'a, Rule>>,
    /// The last word, if it is a declared name rather than part of the type.
    name: Option<(&'a str, Span)>,
    span: Span,
    /// The words of the type, for messages about it.
    type_span: Option<Span>,
}

/// Parses a catalog header. Declarations that fail are reported and left
/// out; the rest of the catalog stays usable.
pub fn parse(file: FileId, text: &str) -> (Catalog, Vec<Diagnostic>) {
    let mut catalog = Catalog::default();
    let mut diagnostics = Vec::new();
    for range in declarations(text) {
        let piece = &text[range.clone()];
        let pair =
            match with_detail_on_error(|| CatalogParser::parse(Rule::declaration_input, piece)) {
                Ok(mut pairs) => pairs.next().expect("a declaration"),
                Err(error) => {
                    let position = range.start
                        + match error.location {
                            pest::error::InputLocation::Pos(p) => p,
                            pest::error::InputLocation::Span((p, _)) => p,
                        };
                    diagnostics.push(
                    Diagnostic::new(
                        Code::Catalog,
                        Span::new(file, position..(position + 1).min(range.end)),
                        "this declaration of the catalog is not a plain typedef or prototype",
                    )
                    .with_label("cannot read the catalog from here")
                    .with_note(
                        "write `typedef TYPE NAME;` and `RETURN [CONVENTION] NAME(PARAMETERS);`",
                    ),
                );
                    continue;
                }
            };
        let offset_file = Offset {
            file,
            base: range.start,
        };
        let result = match pair.as_rule() {
            Rule::typedef => typedef(&mut catalog, offset_file, pair),
            Rule::prototype => prototype(&mut catalog, offset_file, pair),
            rule => unreachable!("not a declaration: {rule:?}"),
        };
        if let Err(diagnostic) = result {
            diagnostics.push(diagnostic);
        }
    }
    catalog.incomplete = !diagnostics.is_empty();
    (catalog, diagnostics)
}

/// Where a declaration's text lies in its file.
#[derive(Clone, Copy)]
struct Offset {
    file: FileId,
    base: usize,
}

/// The byte ranges of the declarations of a header: each ends at a `;`
/// outside parentheses and braces. Comments and preprocessor lines are
/// skipped.
fn declarations(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = None;
    let mut depth = 0usize;
    let mut at = 0;
    let mut line_start = true;
    while at < bytes.len() {
        // Bytes, not `str` slices: `at` steps through multi-byte characters.
        let rest = &bytes[at..];
        if rest.starts_with(b"/*") {
            at += rest[2..]
                .windows(2)
                .position(|pair| pair == b"*/")
                .map_or(rest.len(), |i| 2 + i + 2);
            continue;
        }
        if rest.starts_with(b"//") || (line_start && rest.starts_with(b"#")) {
            at += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            continue;
        }
        let byte = bytes[at];
        if byte == b'\n' {
            line_start = true;
        } else if !byte.is_ascii_whitespace() {
            line_start = false;
            start.get_or_insert(at);
            match byte {
                b'(' | b'{' => depth += 1,
                b')' | b'}' => depth = depth.saturating_sub(1),
                b';' if depth == 0 => {
                    pieces.push(start.take().expect("a started piece")..at + 1);
                }
                _ => {}
            }
        }
        at += 1;
    }
    if let Some(start) = start {
        pieces.push(start..text.len());
    }
    pieces
}

fn span_of(file: Offset, pair: &Pair<Rule>) -> Span {
    Span::new(
        file.file,
        file.base + pair.as_span().start()..file.base + pair.as_span().end(),
    )
}

fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::Catalog, span, message).with_label("in the API catalog")
}

/// Splits a run into type words, stars, calling convention and name. In a
/// declarator (`named`) the last word is always the declared name; in a
/// parameter it is a name only if it cannot be part of the type.
fn split_run<'a>(
    catalog: &Catalog,
    file: Offset,
    pair: Pair<'a, Rule>,
    named: bool,
) -> Result<Run<'a>, Diagnostic> {
    let span = span_of(file, &pair);
    let mut run = Run {
        words: Vec::new(),
        stars: 0,
        calling_convention: None,
        direction: Direction::Unspecified,
        parameters: None,
        name: None,
        span,
        type_span: None,
    };
    let mut word_spans = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::word => {
                let word = part.as_str();
                if CALLING_CONVENTIONS.contains(&word) {
                    run.calling_convention = Some(word);
                } else if let Some(&(_, direction)) = DIRECTIONS.iter().find(|(w, _)| *w == word) {
                    run.direction = direction;
                } else if !IGNORED_WORDS.contains(&word) {
                    run.words.push(word);
                    word_spans.push(span_of(file, &part));
                }
            }
            Rule::star => run.stars += 1,
            Rule::ellipsis => {}
            Rule::parameters => run.parameters = Some(part),
            rule => unreachable!("not part of a run: {rule:?}"),
        }
    }
    let last_is_name = match run.words.last() {
        Some(_) if named => true,
        Some(word) => run.words.len() > 1 && !catalog.is_type_word(word),
        None => false,
    };
    if last_is_name {
        let word = run.words.pop().expect("a last word");
        run.name = Some((word, word_spans.pop().expect("a span for the last word")));
    } else if named {
        return Err(error(
            span,
            "expected a name at the end of this declaration",
        ));
    }
    if let (Some(first), Some(last)) = (word_spans.first(), word_spans.last()) {
        run.type_span = Some(first.to(*last));
    }
    Ok(run)
}

/// The type a run declares: its words (or `base`, for the later
/// declarators of a typedef), then its stars.
fn run_type(catalog: &Catalog, run: &Run, base: Option<&CType>) -> Result<CType, Diagnostic> {
    let mut ty = match base {
        Some(base) if run.words.is_empty() => base.clone(),
        Some(_) => return Err(error(run.span, "expected only `*` and a name after `,`")),
        None => catalog
            .resolve(&run.words)
            .map_err(|message| error(run.type_span.unwrap_or(run.span), message))?,
    };
    for _ in 0..run.stars {
        ty = CType::Pointer(Box::new(ty));
    }
    if run.parameters.is_some() {
        ty = CType::Function;
    }
    Ok(ty)
}

fn typedef(catalog: &mut Catalog, file: Offset, pair: Pair<Rule>) -> Result<(), Diagnostic> {
    let mut base = None;
    for run in pair.into_inner().filter(|p| p.as_rule() == Rule::run) {
        let run = split_run(catalog, file, run, true)?;
        // `typedef UCHAR KIRQL, *PKIRQL;`: later declarators reuse the base.
        if base.is_none() {
            base = Some(
                catalog
                    .resolve(&run.words)
                    .map_err(|message| error(run.type_span.unwrap_or(run.span), message))?,
            );
        }
        let stars_only = Run {
            words: Vec::new(),
            ..run
        };
        let ty = run_type(catalog, &stars_only, base.as_ref())?;
        let (name, _) = stars_only.name.expect("a named run");
        catalog.typedefs.insert(name.to_string(), ty);
    }
    Ok(())
}

fn prototype(catalog: &mut Catalog, file: Offset, pair: Pair<Rule>) -> Result<(), Diagnostic> {
    let mut inner = pair.into_inner().peekable();
    let mut irql = IrqlRange::default();
    while let Some(annotation) = inner.next_if(|p| p.as_rule() == Rule::irql_annotation) {
        irql_annotation(&mut irql, file, annotation)?;
    }
    let run_pair = inner.next().expect("a run");
    let mut run = split_run(catalog, file, run_pair, true)?;
    let Some(parameters) = run.parameters.take() else {
        return Err(error(
            run.span,
            "expected a prototype with a parameter list",
        ));
    };
    let (name, name_span) = run.name.expect("a named run");
    let returns = run_type(catalog, &run, None)?;
    let mut prototype = Prototype {
        name: name.to_string(),
        returns,
        return_spelling: spell(&run.words, run.stars),
        calling_convention: run.calling_convention.map(str::to_string),
        parameters: Vec::new(),
        variadic: false,
        irql,
        span: name_span,
    };
    for parameter in parameters.into_inner() {
        if parameter.as_str() == "..." {
            prototype.variadic = true;
            continue;
        }
        let parameter_run = split_run(catalog, file, parameter, false)?;
        let ty = run_type(catalog, &parameter_run, None)?;
        if ty.is_void() && parameter_run.name.is_none() {
            // `f(VOID)` declares no parameters.
            continue;
        }
        prototype.parameters.push(Parameter {
            name: parameter_run.name.map(|(name, _)| name.to_string()),
            spelling: spell(&parameter_run.words, parameter_run.stars),
            ty,
            direction: parameter_run.direction,
        });
    }
    if let Some(previous) = catalog.functions.get(name) {
        return Err(error(
            name_span,
            format!("`{name}` is declared twice in the catalog"),
        )
        .with_secondary(previous.span, "first declared here"));
    }
    catalog.functions.insert(name.to_string(), prototype);
    Ok(())
}

/// Adds what one `_IRQL_requires..._(LEVEL)` says; the level is one of
/// the built-in IRQL constants, and each bound is said once.
fn irql_annotation(
    range: &mut IrqlRange,
    file: Offset,
    pair: Pair<Rule>,
) -> Result<(), Diagnostic> {
    let span = span_of(file, &pair);
    let mut parts = pair.into_inner();
    let kind = parts.next().expect("an annotation").as_str();
    let level_pair = parts.next().expect("a level");
    let level = crate::builtins::constant_named(level_pair.as_str())
        .filter(|constant| constant.name.ends_with("_LEVEL"))
        .map(|constant| constant.value)
        .ok_or_else(|| {
            error(
                span_of(file, &level_pair),
                format!("`{}` is not an IRQL", level_pair.as_str()),
            )
        })?;
    let bounds: &mut [&mut Option<i64>] = match kind {
        "_IRQL_requires_min_" => &mut [&mut range.min],
        "_IRQL_requires_max_" => &mut [&mut range.max],
        _ => &mut [&mut range.min, &mut range.max],
    };
    for bound in bounds.iter_mut() {
        if bound.is_some() {
            return Err(error(span, "the IRQL is annotated twice"));
        }
        **bound = Some(level);
    }
    Ok(())
}

fn spell(words: &[&str], stars: usize) -> String {
    let mut spelling = words.join(" ");
    if stars > 0 {
        spelling.push(' ');
        spelling.push_str(&"*".repeat(stars));
    }
    spelling
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "
        #pragma once
        typedef unsigned char UCHAR;
        typedef UCHAR KIRQL, *PKIRQL;
        typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
        typedef struct _KLOCK_QUEUE_HANDLE KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
        typedef long NTSTATUS;
        NTKERNELAPI VOID FASTCALL KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
        VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ KIRQL *OldIrql);
        KIRQL KeRaiseIrqlToDpcLevel(VOID);
        NTSTATUS IoCallDriver(void *, PVOIDX p);
    ";

    #[test]
    fn typedefs_prototypes_and_conventions() {
        let (catalog, diagnostics) = parse(FileId(0), HEADER);
        let acquire = catalog.get("KeAcquireInStackQueuedSpinLock").unwrap();
        assert_eq!(acquire.calling_convention.as_deref(), Some("FASTCALL"));
        assert_eq!(acquire.return_spelling, "VOID");
        assert_eq!(acquire.parameters.len(), 2);
        assert_eq!(acquire.parameters[0].spelling, "PKSPIN_LOCK");
        assert_eq!(
            acquire.parameters[0].ty,
            CType::Pointer(Box::new(CType::Int(IntType::UINT64)))
        );
        assert_eq!(
            acquire.parameters[1].ty,
            CType::Pointer(Box::new(CType::Record("_KLOCK_QUEUE_HANDLE".into())))
        );
        let spin = catalog.get("KeAcquireSpinLock").unwrap();
        assert_eq!(spin.parameters[1].spelling, "KIRQL *");
        assert_eq!(spin.parameters[1].name.as_deref(), Some("OldIrql"));
        assert_eq!(spin.parameters[0].direction, Direction::InOut);
        assert_eq!(spin.parameters[1].direction, Direction::Out);
        assert_eq!(acquire.parameters[0].direction, Direction::Unspecified);
        assert_eq!(
            spin.parameters[1].ty,
            CType::Pointer(Box::new(CType::Int(IntType::UCHAR)))
        );
        let raise = catalog.get("KeRaiseIrqlToDpcLevel").unwrap();
        assert!(raise.parameters.is_empty());
        assert_eq!(raise.returns, CType::Int(IntType::UCHAR));
        // The last prototype names an unknown type and is reported.
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].message.contains("PVOIDX"));
        assert!(catalog.get("IoCallDriver").is_none());
    }

    #[test]
    fn irql_annotations() {
        let text = "
            typedef unsigned char UCHAR;
            typedef UCHAR KIRQL;
            _IRQL_requires_max_(DISPATCH_LEVEL) KIRQL KeRaiseIrqlToDpcLevel(VOID);
            _IRQL_requires_(DISPATCH_LEVEL) VOID KeReleaseSpinLockFromDpcLevel(VOID);
            _IRQL_requires_min_(APC_LEVEL) _IRQL_requires_max_(HIGH_LEVEL) VOID Raised(VOID);
            VOID Anywhere(VOID);
            _IRQL_requires_max_(TWO) VOID NotALevel(VOID);
            _IRQL_requires_(APC_LEVEL) _IRQL_requires_max_(APC_LEVEL) VOID Twice(VOID);
        ";
        let (catalog, diagnostics) = parse(FileId(0), text);
        let range = |name: &str| catalog.get(name).unwrap().irql;
        assert_eq!(
            range("KeRaiseIrqlToDpcLevel"),
            IrqlRange {
                min: None,
                max: Some(2)
            }
        );
        assert_eq!(
            range("KeReleaseSpinLockFromDpcLevel"),
            IrqlRange {
                min: Some(2),
                max: Some(2)
            }
        );
        assert!(range("Raised").allows(1) && range("Raised").allows(15));
        assert!(!range("Raised").allows(0));
        assert!(!range("Anywhere").is_known() && range("Anywhere").allows(15));
        // The spelling of the return type leaves the annotations out.
        assert_eq!(
            catalog
                .get("KeRaiseIrqlToDpcLevel")
                .unwrap()
                .return_spelling,
            "KIRQL"
        );
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            ["`TWO` is not an IRQL", "the IRQL is annotated twice"]
        );
    }
}
