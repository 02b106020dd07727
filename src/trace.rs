//! Trace files: parsing, resolving against a rule, and printing.
//!
//! A trace names events with values and says what each step should do.
//! Resolving a trace turns names into events of the rule and values into
//! numbers: a name that is a built-in constant is its value; any other name
//! is an object, and each object of a trace gets its own address.

use pest::Parser as _;
use pest::iterators::Pair;

use crate::automaton::Automaton;
use crate::builtins;
use crate::diagnostic::{Code, Diagnostic};
use crate::interp::{MAIN_THREAD, Occurrence};
use crate::model::EventKind;
use crate::model::{Event, Target};
use crate::role_table::{self, RoleName};
use crate::span::{FileId, Span};
use crate::syntax::errors::syntax_error;
use crate::syntax::errors::with_detail_on_error;
use crate::syntax::pretty::quote;
use crate::syntax::unescape;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/trace.pest"]
struct TraceParser;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub name: String,
    pub span: Span,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The thread, if the step names one (`t2: ...`).
    pub thread: Option<String>,
    pub function: String,
    pub kind: String,
    pub span: Span,
    pub arguments: Vec<Argument>,
    pub returns: Option<Value>,
    pub expected: Vec<Expected>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    pub value: Value,
    pub pointee: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Number(i64),
    Name(String),
    /// `_`: no value given (for values no handler reads).
    Omitted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Abort {
        message: String,
        object: Option<Value>,
        span: Span,
    },
    Halt {
        object: Option<Value>,
        span: Span,
    },
}

fn describe_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::identifier | Rule::event => "a name",
        Rule::integer | Rule::value => "a value",
        Rule::string | Rule::string_body => "a string",
        Rule::trace => "`trace`",
        Rule::step => "a step",
        Rule::outcomes | Rule::abort_outcome | Rule::halt_outcome => "`=>`",
        Rule::arguments => "`(`",
        Rule::argument => "a value",
        Rule::returns => "`returns`",
        _ => return None,
    })
}

pub fn parse(file: FileId, text: &str) -> (Vec<Trace>, Vec<Diagnostic>) {
    let pairs = match with_detail_on_error(|| TraceParser::parse(Rule::file, text)) {
        Ok(mut pairs) => pairs.next().expect("a file").into_inner(),
        Err(error) => {
            let mut diagnostic = syntax_error(file, text, 0..text.len(), &error, describe_rule);
            diagnostic.code = Code::TraceSyntax;
            return (Vec::new(), vec![diagnostic]);
        }
    };
    let span = |pair: &Pair<Rule>| Span::new(file, pair.as_span().start()..pair.as_span().end());
    let string = |pair: Pair<Rule>| {
        let body = pair.into_inner().next().expect("a body").as_str();
        unescape(body).unwrap_or_else(|_| body.to_string())
    };
    let mut traces = Vec::new();
    for trace in pairs.filter(|p| p.as_rule() == Rule::trace) {
        let trace_span = span(&trace);
        let mut inner = trace.into_inner();
        let name = string(inner.next().expect("a name"));
        let mut steps = Vec::new();
        for step in inner {
            let step_span = span(&step);
            let mut parts = step.into_inner().peekable();
            let thread = parts
                .next_if(|part| part.as_rule() == Rule::thread)
                .map(|part| {
                    part.into_inner()
                        .next()
                        .expect("a name")
                        .as_str()
                        .to_string()
                });
            let event = parts.next().expect("an event");
            let mut names = event.into_inner();
            let function = names.next().expect("a function").as_str().to_string();
            let kind = names.next().expect("a kind").as_str().to_string();
            let mut parsed = Step {
                thread,
                function,
                kind,
                span: step_span,
                arguments: Vec::new(),
                returns: None,
                expected: Vec::new(),
            };
            for part in parts {
                match part.as_rule() {
                    Rule::arguments => {
                        for argument in part.into_inner() {
                            let mut values = argument.into_inner();
                            let value = value_of(values.next().expect("a value"));
                            let pointee = values.next().map(value_of);
                            parsed.arguments.push(Argument { value, pointee });
                        }
                    }
                    Rule::returns => {
                        parsed.returns = Some(value_of(part.into_inner().next().expect("a value")));
                    }
                    Rule::outcomes => {
                        for outcome in part.into_inner() {
                            let outcome_span = span(&outcome);
                            let is_abort = outcome.as_rule() == Rule::abort_outcome;
                            let mut message = None;
                            let mut object = None;
                            for piece in outcome.into_inner() {
                                match piece.as_rule() {
                                    Rule::string => message = Some(string(piece)),
                                    _ => {
                                        object = Some(value_of(
                                            piece.into_inner().next().expect("a value"),
                                        ))
                                    }
                                }
                            }
                            parsed.expected.push(if is_abort {
                                Expected::Abort {
                                    message: message.expect("an abort message"),
                                    object,
                                    span: outcome_span,
                                }
                            } else {
                                Expected::Halt {
                                    object,
                                    span: outcome_span,
                                }
                            });
                        }
                    }
                    rule => unreachable!("not part of a step: {rule:?}"),
                }
            }
            steps.push(parsed);
        }
        traces.push(Trace {
            name,
            span: trace_span,
            steps,
        });
    }
    (traces, Vec::new())
}

fn value_of(pair: Pair<Rule>) -> Value {
    let inner = pair.into_inner().next().expect("a value");
    match inner.as_rule() {
        Rule::integer => {
            let text = inner.as_str();
            let (negative, digits) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text),
            };
            let magnitude = crate::syntax::parse_integer(digits).map_or(0, |l| l.value as i64);
            Value::Number(if negative {
                magnitude.wrapping_neg()
            } else {
                magnitude
            })
        }
        Rule::omitted => Value::Omitted,
        _ => Value::Name(inner.as_str().to_string()),
    }
}

/// The numbering of a trace's objects: each name gets an address.
#[derive(Debug, Default, Clone)]
pub struct Objects {
    names: Vec<String>,
}

/// Objects live at distinct addresses well away from small numbers, so an
/// object never equals a constant a rule compares with.
const FIRST_OBJECT: i64 = 0x7FF0_0000;
const OBJECT_STRIDE: i64 = 0x100;

impl Objects {
    pub fn address(&mut self, name: &str) -> i64 {
        let index = match self.names.iter().position(|n| n == name) {
            Some(index) => index,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        };
        FIRST_OBJECT + OBJECT_STRIDE * index as i64
    }

    /// The name of an object's address, if it is one (the main thread is
    /// `main`).
    pub fn name(&self, address: i64) -> Option<&str> {
        if address == MAIN_THREAD {
            return Some("main");
        }
        let offset = address.checked_sub(FIRST_OBJECT)?;
        if offset % OBJECT_STRIDE != 0 {
            return None;
        }
        self.names
            .get((offset / OBJECT_STRIDE) as usize)
            .map(String::as_str)
    }

    /// How to write a value back into a trace.
    pub fn write(&self, value: i64) -> String {
        self.name(value)
            .map_or_else(|| value.to_string(), str::to_string)
    }
}

/// The event a step names, resolved like a rule's event names.
pub fn resolve_event(function: &str, kind: &str) -> Option<Event> {
    let kind = EventKind::parse(kind)?;
    Some(match role_table::lookup_rule_name(function) {
        Some(RoleName::Role(role)) => Event {
            target: Target::Role(role),
            kind,
        },
        Some(RoleName::Stub(role, stub_kind)) => Event {
            target: Target::Role(role),
            kind: stub_kind,
        },
        None => Event {
            target: Target::Function(function.to_string()),
            kind,
        },
    })
}

/// Turns a step into an occurrence of the rule's automaton. Steps on
/// functions the rule does not name are allowed (they change nothing), but
/// only if the catalog or the role table knows them: anything else is
/// likely a typo.
pub fn occurrence(
    automaton: &Automaton,
    catalog: &crate::catalog::Catalog,
    step: &Step,
    objects: &mut Objects,
) -> Result<Occurrence, Diagnostic> {
    let Some(event) = resolve_event(&step.function, &step.kind) else {
        return Err(Diagnostic::new(
            Code::TraceUnknownEvent,
            step.span,
            format!("`{}` is not an event kind", step.kind),
        )
        .with_note("the event kinds are `entry`, `exit`, `call` and `return`"));
    };
    let known = automaton.event_id(&event).is_some()
        || matches!(event.target, Target::Role(_))
        || catalog.get(&step.function).is_some();
    if !known {
        let candidates = automaton.events.iter().map(|info| info.event.target.name());
        let mut diagnostic = Diagnostic::new(
            Code::TraceUnknownEvent,
            step.span,
            format!(
                "`{}` is not an event of rule `{}`, an API of the catalog or a role",
                step.function, automaton.name
            ),
        );
        if let Some(similar) = crate::check::closest(&step.function, candidates) {
            diagnostic = diagnostic.with_label(format!("did you mean `{similar}`?"));
        }
        return Err(diagnostic);
    }
    // The rule's view of the event, or the catalog's for an API the rule
    // does not name (its values still have types).
    let catalog_signature = catalog.get(&step.function).map(|p| p.signature());
    let signature = automaton
        .event_id(&event)
        .map(|id| &automaton.events[id].signature)
        .or(catalog_signature.as_ref());
    if let Some(signature) = signature {
        check_shape(step, signature)?;
    }
    let parameter_is_pointer = |index: usize| {
        signature
            .and_then(|s| s.parameters.as_ref())
            .and_then(|p| p.get(index))
            .is_none_or(|p| p.ty.pointer)
    };
    let resolve = |value: &Value,
                   pointer: bool,
                   objects: &mut Objects|
     -> Result<Option<i64>, Diagnostic> {
        match value {
            Value::Omitted => Ok(None),
            Value::Number(n) => Ok(Some(*n)),
            Value::Name(name) => {
                if let Some(constant) = builtins::constant_named(name) {
                    return Ok(Some(constant.value));
                }
                if !pointer {
                    return Err(Diagnostic::new(
                        Code::TraceBadValue,
                        step.span,
                        format!("`{name}` is not a constant, and this parameter is a number"),
                    )
                    .with_note("names stand for objects; give numbers or constants such as DISPATCH_LEVEL for numbers"));
                }
                Ok(Some(objects.address(name)))
            }
        }
    };
    let thread = step
        .thread
        .as_ref()
        .map_or(MAIN_THREAD, |name| objects.address(name));
    let mut occurrence = Occurrence {
        thread,
        event,
        arguments: Vec::new(),
        pointees: Vec::new(),
        return_value: None,
    };
    for (index, argument) in step.arguments.iter().enumerate() {
        let pointer = parameter_is_pointer(index);
        occurrence
            .arguments
            .push(resolve(&argument.value, pointer, objects)?);
        let pointee = match &argument.pointee {
            Some(value) => resolve(value, false, objects)?,
            None => None,
        };
        occurrence.pointees.push(pointee);
    }
    if let Some(value) = &step.returns {
        let pointer = signature.is_none_or(|s| s.returns == Some(crate::types::IntType::POINTER));
        occurrence.return_value = resolve(value, pointer, objects)?;
    }
    automaton.normalize(&mut occurrence);
    Ok(occurrence)
}

/// A step must fit the function: no more arguments than it has, `->` only
/// on pointers to numbers, `returns` only if it returns something.
fn check_shape(step: &Step, signature: &crate::model::Signature) -> Result<(), Diagnostic> {
    let bad = |message: String| Err(Diagnostic::new(Code::TraceBadValue, step.span, message));
    let name = format!("{}.{}", step.function, step.kind);
    if let Some(parameters) = &signature.parameters {
        if step.arguments.len() > parameters.len() {
            return bad(format!(
                "`{name}` is given {} values, but `{}` takes {}",
                step.arguments.len(),
                step.function,
                parameters.len()
            ));
        }
        for (index, (argument, parameter)) in step.arguments.iter().zip(parameters).enumerate() {
            if argument.pointee.is_some() && parameter.pointee.is_none() {
                return bad(format!(
                    "argument {} of `{}` does not point to a number, so it takes no `->` value",
                    index + 1,
                    step.function
                ));
            }
        }
    }
    if step.returns.is_some() && signature.returns_void {
        return bad(format!(
            "`{}` returns nothing, so `{name}` takes no `returns`",
            step.function
        ));
    }
    let kind = EventKind::parse(&step.kind);
    if step.returns.is_some() && kind.is_some_and(|k| !k.is_after()) {
        return bad(format!(
            "`{name}` happens before the call returns, so it takes no `returns`"
        ));
    }
    Ok(())
}

/// Writes a trace in the syntax `parse` reads.
pub fn print(trace: &Trace) -> String {
    let mut out = format!("trace {} {{\n", quote(&trace.name));
    for step in &trace.steps {
        out.push_str("    ");
        if let Some(thread) = &step.thread {
            out.push_str(&format!("{thread}: "));
        }
        out.push_str(&format!("{}.{}", step.function, step.kind));
        if !step.arguments.is_empty() {
            let arguments: Vec<String> = step
                .arguments
                .iter()
                .map(|a| match &a.pointee {
                    Some(pointee) => format!("{} -> {}", value_text(&a.value), value_text(pointee)),
                    None => value_text(&a.value),
                })
                .collect();
            out.push_str(&format!("({})", arguments.join(", ")));
        }
        if let Some(value) = &step.returns {
            out.push_str(&format!(" returns {}", value_text(value)));
        }
        let outcomes: Vec<String> = step
            .expected
            .iter()
            .map(|expected| match expected {
                Expected::Abort {
                    message, object, ..
                } => {
                    format!("abort {}{}", quote(message), object_text(object))
                }
                Expected::Halt { object, .. } => format!("halt{}", object_text(object)),
            })
            .collect();
        if !outcomes.is_empty() {
            out.push_str(&format!(" => {}", outcomes.join(", ")));
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::Name(name) => name.clone(),
        Value::Omitted => "_".to_string(),
    }
}

fn object_text(object: &Option<Value>) -> String {
    object
        .as_ref()
        .map_or(String::new(), |o| format!(" on {}", value_text(o)))
}
