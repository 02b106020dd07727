//! Stage 3: the automaton IR.
//!
//! A rule lowered to an extended finite-state machine: variables with
//! initial values, an alphabet of events, and each handler flattened into
//! guarded paths (`lower`). When the variables are finite, `explicit`
//! builds the reachable state graph that `slic graph` draws.

pub mod display;
pub mod explicit;
mod lower;
pub mod plan;
pub mod rewrite;

pub use lower::lower;

use crate::model::{
    AbortInfo, EnumDef, Event, ModelId, ModelInfo, Signature, TypedExpr, VarId, Variable,
};
use crate::span::Span;

pub type EventId = usize;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Automaton {
    pub name: String,
    pub rule_id: Option<u32>,
    /// The rule file as reports name it.
    pub path: String,
    pub variables: Vec<Variable>,
    pub enums: Vec<EnumDef>,
    /// Every event some handler or the `watch` names, in order of first
    /// mention.
    pub events: Vec<EventInfo>,
    pub watch: Option<Watch>,
    /// The order in which handlers of one event run: the handlers of the
    /// models the rule includes first, then the rule's own, each in source
    /// order.
    pub handlers: Vec<Handler>,
    /// The shared models the rule includes; `Variable::model`,
    /// `EnumDef::model` and `Handler::model` index this.
    pub models: Vec<ModelInfo>,
    pub aborts: Vec<AbortInfo>,
    /// The summary line of the rule's header, for listings.
    pub description: Option<String>,
    /// The header's `Help Link`, for reports that link to the rule's page.
    pub help_link: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EventInfo {
    pub event: Event,
    pub signature: Signature,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Watch {
    pub event: EventId,
    pub argument: u32,
    pub span: Span,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Handler {
    pub events: Vec<EventId>,
    pub guard: Option<u32>,
    /// Mutually exclusive and together exhaustive: exactly one path runs.
    pub paths: Vec<Path>,
    pub span: Span,
    /// The model the handler comes from; `None` for the rule's own. Its
    /// paths update only that model's variables and always end `Done`.
    pub model: Option<ModelId>,
}

/// One way through a handler body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Path {
    /// All must hold (`true`) or fail (`false`); over the state before the
    /// handler and the event's values.
    pub conditions: Vec<(TypedExpr, bool)>,
    /// New values, all computed from the state before the handler.
    pub updates: Vec<(VarId, TypedExpr)>,
    pub end: End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum End {
    /// The handler finished normally.
    Done,
    Abort(crate::model::AbortId),
    Halt,
}

impl Automaton {
    pub fn event_id(&self, event: &Event) -> Option<EventId> {
        self.events.iter().position(|info| &info.event == event)
    }

    /// The initial values of the variables.
    pub fn initial(&self) -> Vec<i64> {
        self.variables.iter().map(|v| v.init).collect()
    }

    /// Handlers that run on `event`, in order.
    pub fn handlers_of(&self, event: EventId) -> impl Iterator<Item = &Handler> {
        self.handlers
            .iter()
            .filter(move |h| h.events.contains(&event))
    }
}
