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
use crate::types::IntType;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/catalog.pest"]
struct CatalogParser;

/// A C type as far as rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: Option<String>,
    /// As written, such as `PKSPIN_LOCK` or `KIRQL *`.
    pub spelling: String,
    pub ty: CType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prototype {
    pub name: String,
    pub returns: CType,
    pub return_spelling: String,
    /// `FASTCALL`, `NTAPI`, ... as written; `None` for the default.
    pub calling_convention: Option<String>,
    pub parameters: Vec<Parameter>,
    pub variadic: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub functions: IndexMap<String, Prototype>,
    typedefs: IndexMap<String, CType>,
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
    parameters: Option<Pair<'a, Rule>>,
    /// The last word, if it is a declared name rather than part of the type.
    name: Option<(&'a str, Span)>,
    span: Span,
}

/// Parses a catalog header. Declarations that fail are reported and left
/// out; the rest of the catalog stays usable.
pub fn parse(file: FileId, text: &str) -> (Catalog, Vec<Diagnostic>) {
    let mut catalog = Catalog::default();
    let mut diagnostics = Vec::new();
    let pairs = match CatalogParser::parse(Rule::catalog, text) {
        Ok(mut pairs) => pairs.next().expect("a catalog").into_inner(),
        Err(error) => {
            let position = match error.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((p, _)) => p,
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::Catalog,
                    Span::new(file, position..position),
                    "the catalog is not a list of plain typedefs and prototypes",
                )
                .with_label("cannot read this part of the catalog")
                .with_note(
                    "write `typedef TYPE NAME;` and `RETURN [CONVENTION] NAME(PARAMETERS);`",
                ),
            );
            return (catalog, diagnostics);
        }
    };
    for pair in pairs {
        let result = match pair.as_rule() {
            Rule::typedef => typedef(&mut catalog, file, pair),
            Rule::prototype => prototype(&mut catalog, file, pair),
            _ => Ok(()),
        };
        if let Err(diagnostic) = result {
            diagnostics.push(diagnostic);
        }
    }
    (catalog, diagnostics)
}

fn span_of(file: FileId, pair: &Pair<Rule>) -> Span {
    Span::new(file, pair.as_span().start()..pair.as_span().end())
}

fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::Catalog, span, message)
}

/// Splits a run into type words, stars, calling convention and name. In a
/// declarator (`named`) the last word is always the declared name; in a
/// parameter it is a name only if it cannot be part of the type.
fn split_run<'a>(
    catalog: &Catalog,
    file: FileId,
    pair: Pair<'a, Rule>,
    named: bool,
) -> Result<Run<'a>, Diagnostic> {
    let span = span_of(file, &pair);
    let mut run = Run {
        words: Vec::new(),
        stars: 0,
        calling_convention: None,
        parameters: None,
        name: None,
        span,
    };
    let mut last_word_span = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::word => {
                let word = part.as_str();
                if CALLING_CONVENTIONS.contains(&word) {
                    run.calling_convention = Some(word);
                } else if !IGNORED_WORDS.contains(&word) {
                    run.words.push(word);
                    last_word_span = Some(span_of(file, &part));
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
        run.name = Some((word, last_word_span.expect("a span for the last word")));
    } else if named {
        return Err(error(
            span,
            "expected a name at the end of this declaration",
        ));
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
            .map_err(|message| error(run.span, message))?,
    };
    for _ in 0..run.stars {
        ty = CType::Pointer(Box::new(ty));
    }
    if run.parameters.is_some() {
        ty = CType::Function;
    }
    Ok(ty)
}

fn typedef(catalog: &mut Catalog, file: FileId, pair: Pair<Rule>) -> Result<(), Diagnostic> {
    let mut base = None;
    for run in pair.into_inner().filter(|p| p.as_rule() == Rule::run) {
        let run = split_run(catalog, file, run, true)?;
        // `typedef UCHAR KIRQL, *PKIRQL;`: later declarators reuse the base.
        if base.is_none() {
            base = Some(
                catalog
                    .resolve(&run.words)
                    .map_err(|message| error(run.span, message))?,
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

fn prototype(catalog: &mut Catalog, file: FileId, pair: Pair<Rule>) -> Result<(), Diagnostic> {
    let run_pair = pair.into_inner().next().expect("a run");
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
        VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, KIRQL *OldIrql);
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
}
