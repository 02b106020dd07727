//! Event names, kinds, `[guard $N]`, and what values each event carries.

use super::Checker;
use super::scope::closest;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Event, HandlerModel, ParameterType, Signature, Target, ValueType};
use crate::role_table::{self, RoleName, RoleValue};
use crate::span::Span;
use crate::syntax::ast::{ArgRef, EventKind, Handler, Ident};

/// An event name of a rule, resolved.
#[derive(Clone)]
pub(super) struct Resolved {
    pub event: Event,
    pub signature: Signature,
    /// The name as the rule wrote it (a stub alias, say), for messages.
    pub written: String,
}

/// A handler being checked: the events it runs on, with their signatures.
pub(super) struct HandlerContext {
    pub events: Vec<Resolved>,
    /// `None` when the kind word was not valid (already reported).
    pub kind: Option<EventKind>,
    /// The item index, for `#define` visibility.
    pub item: usize,
    /// The model the handler belongs to; `None` for the rule's own.
    pub model: Option<crate::model::ModelId>,
}

impl Checker<'_> {
    pub(super) fn event_kind(&mut self, word: &Ident) -> Option<EventKind> {
        if let Some(kind) = EventKind::parse(&word.name) {
            return Some(kind);
        }
        let suggestion = closest(&word.name, EventKind::ALL.iter().map(|k| k.as_str()));
        let mut diagnostic = Diagnostic::new(
            Code::UnknownEventKind,
            word.span,
            format!("unknown event kind `{}`", word.name),
        )
        .with_note("the event kinds are `entry`, `exit`, `call` and `return`");
        diagnostic = match suggestion {
            Some(kind) => diagnostic.with_label(format!("did you mean `{kind}`?")),
            None => diagnostic.with_label("not an event kind"),
        };
        self.error(diagnostic);
        None
    }

    /// What `name.kind` refers to: a role, an SDV stub alias (whose kind
    /// replaces the handler's), or a function of the catalog or not.
    pub(super) fn resolve_event(&mut self, name: &Ident, kind: EventKind) -> Option<Resolved> {
        let (event, signature) = self.resolve_event_name(name, kind)?;
        if !self.signatures.iter().any(|(known, _)| *known == event) {
            self.signatures.push((event.clone(), signature.clone()));
        }
        Some(Resolved {
            event,
            signature,
            written: name.name.clone(),
        })
    }

    fn resolve_event_name(&mut self, name: &Ident, kind: EventKind) -> Option<(Event, Signature)> {
        match role_table::lookup_rule_name(&name.name) {
            Some(RoleName::Role(role)) => {
                let info = role.info();
                let value = |value: &RoleValue| match value {
                    RoleValue::Pointer => ValueType::POINTER,
                    RoleValue::Int(int) => ValueType::int(*int),
                };
                let signature = Signature {
                    parameters: Some(
                        info.parameters
                            .iter()
                            .map(|p| ParameterType {
                                ty: value(p),
                                pointee: None,
                            })
                            .collect(),
                    ),
                    returns: info.returns.map(|r| value(&r).int),
                    returns_pointer: matches!(info.returns, Some(RoleValue::Pointer)),
                    returns_void: info.returns.is_none(),
                };
                let event = Event {
                    target: Target::Role(role),
                    kind,
                };
                return Some((event, signature));
            }
            Some(RoleName::Stub(role, stub_kind)) => {
                let signature = Signature {
                    parameters: Some(Vec::new()),
                    returns: None,
                    returns_pointer: false,
                    returns_void: true,
                };
                let event = Event {
                    target: Target::Role(role),
                    kind: stub_kind,
                };
                return Some((event, signature));
            }
            None => {}
        }
        let event = Event {
            target: Target::Function(name.name.clone()),
            kind,
        };
        if let Some(prototype) = self.catalog.get(&name.name) {
            return Some((event, prototype.signature()));
        }
        let catalog = self.catalog;
        let candidates = catalog
            .functions
            .keys()
            .map(String::as_str)
            .chain(role_table::all_rule_names().map(|name| -> &str { name }));
        let mut diagnostic = Diagnostic::new(
            Code::UnknownFunction,
            name.span,
            format!("`{}` is neither in the API catalog nor a role", name.name),
        )
        .with_note("the event still binds by name, but its arguments cannot be checked");
        if self.catalog.incomplete {
            diagnostic = diagnostic.with_note(
                "the API catalog has errors (reported above), so it may be missing here",
            );
        }
        diagnostic = match closest(&name.name, candidates) {
            Some(similar) => diagnostic.with_label(format!("did you mean `{similar}`?")),
            None => diagnostic.with_label("unknown function"),
        };
        self.diagnostics.push(diagnostic);
        Some((
            event,
            Signature {
                parameters: None,
                returns: None,
                returns_pointer: false,
                returns_void: false,
            },
        ))
    }

    /// Whether `$index` exists for every event; reports those it does not.
    pub(super) fn check_argument_in_range(
        &mut self,
        index: u32,
        span: Span,
        events: &[Resolved],
    ) -> bool {
        if index == ArgRef::TOO_LARGE {
            return false;
        }
        if index == 0 {
            self.error(
                Diagnostic::new(
                    Code::ArgumentOutOfRange,
                    span,
                    "arguments are numbered from `$1`",
                )
                .with_label("there is no `$0`"),
            );
            return false;
        }
        let mut in_range = true;
        for resolved in events {
            let Some(parameters) = &resolved.signature.parameters else {
                continue;
            };
            let name = &resolved.written;
            if index as usize > parameters.len() {
                let count = match parameters.len() {
                    0 => "no arguments".to_string(),
                    1 => "1 argument".to_string(),
                    n => format!("{n} arguments"),
                };
                self.error(
                    Diagnostic::new(
                        Code::ArgumentOutOfRange,
                        span,
                        format!("`${index}` is beyond the arguments of `{name}`"),
                    )
                    .with_label(format!("`{name}` takes {count}")),
                );
                in_range = false;
            }
        }
        in_range
    }

    pub(super) fn handler(&mut self, handler: &Handler, item: usize) {
        let kind = self.event_kind(&handler.kind);
        let mut events: Vec<Resolved> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        for name in &handler.events {
            let Some(resolved) = self.resolve_event(name, kind.unwrap_or(EventKind::Exit)) else {
                continue;
            };
            if let Some(at) = events
                .iter()
                .position(|known| known.event == resolved.event)
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateEvent,
                        name.span,
                        format!("`{}` is listed twice in this handler", resolved.event),
                    )
                    .with_label("listed again here")
                    .with_secondary(spans[at], "first listed here"),
                );
                continue;
            }
            events.push(resolved);
            spans.push(name.span);
        }
        if let Some(guard) = handler.guard {
            if !self.watch_written {
                self.error(
                    Diagnostic::new(
                        Code::GuardWithoutWatch,
                        guard.span,
                        "`[guard $N]` needs a `watch` declaration",
                    )
                    .with_label("guard on the object in this argument")
                    .with_note("`watch F.exit.$N;` says which objects the rule follows"),
                );
            } else if self.watch.is_some() {
                self.check_argument_in_range(guard.index, guard.span, &events);
            }
        }
        let model = self.owners[item];
        let context = HandlerContext {
            events,
            kind,
            item,
            model,
        };
        let body = self.block(&handler.body.statements, &context);
        self.handlers.push(HandlerModel {
            events: context
                .events
                .into_iter()
                .map(|resolved| resolved.event)
                .collect(),
            guard: handler.guard.map(|g| g.index),
            body,
            span: handler.header_span,
            model,
        });
    }
}
