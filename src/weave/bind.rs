//! What both weavers decide the same way: which functions of an input the
//! rules bind and how, which hooks run at a site and in what order, the
//! refusals that follow from where an event can be placed, and the site
//! table.
//!
//! A function some rule names is, in one input:
//!
//! - an **API call** where the input calls it and does not define it, or
//!   where it is in the API catalog: its events are placed around each call
//!   (`call`, `entry` before; `exit`, `return` after);
//! - a **routine** where the input defines it and it is not in the catalog:
//!   its `entry` and `exit` events are placed in its definition;
//! - **kernel code** where the input defines a function of the catalog (a
//!   stub kernel, a mock of the WDK): the definition is left alone, calls
//!   made inside it too. Its callers report its events, so a build that
//!   weaves both the driver and its mock kernel reports each call once.
//!
//! Role routines (dispatch, cancel, ...) are routines of their roles'
//! events.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Event, EventKind, Target};
use crate::monitor::hooks::{Hook, HookSet};
use crate::role_table::Role;
use crate::span::Span;

use super::{Position, Site};

/// What a weaver does with a function a rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Events around each call of it.
    Api,
    /// Events at the entry and exit of its definition here.
    Routine,
    /// A definition of a catalog API: left alone, body and all.
    Kernel,
}

/// How the function `name`, which some rule names, binds in an input that
/// defines it (`defined`) or not.
pub fn binding(hooks: &HookSet, name: &str, defined: bool) -> Binding {
    match (defined, hooks.in_catalog(name)) {
        (false, _) => Binding::Api,
        (true, true) => Binding::Kernel,
        (true, false) => Binding::Routine,
    }
}

/// The note that a file's definitions of catalog APIs (`names`, the first
/// at `span`) are left alone.
pub fn kernel_definitions_note(names: &[&str], span: Span) -> Diagnostic {
    let mut shown: Vec<String> = names.iter().take(6).map(|n| format!("`{n}`")).collect();
    if names.len() > 6 {
        shown.push(format!("and {} more", names.len() - 6));
    }
    let what = if names.len() == 1 {
        "1 definition of a catalog API is".to_string()
    } else {
        format!("{} definitions of catalog APIs are", names.len())
    };
    Diagnostic::new(
        Code::KernelDefinition,
        span,
        format!("{what} left alone: {}", shown.join(", ")),
    )
    .with_label("kernel code, not woven")
    .with_note("each call of these APIs reports its events at the call, in the woven caller")
}

/// The hooks around a call, in the order they run.
#[derive(Debug, Default)]
pub struct CallHooks<'h> {
    /// `call`, then `entry` events.
    pub before: Vec<&'h Hook>,
    /// `exit`, then `return` events.
    pub after: Vec<&'h Hook>,
}

/// The hooks around every call of the API `name`.
pub fn call_hooks<'h>(hooks: &'h HookSet, name: &str) -> CallHooks<'h> {
    let of = |kind: EventKind| {
        hooks
            .of_function(name)
            .filter(move |h| h.event.kind == kind)
    };
    CallHooks {
        before: of(EventKind::Call).chain(of(EventKind::Entry)).collect(),
        after: of(EventKind::Exit).chain(of(EventKind::Return)).collect(),
    }
}

/// The hooks at the entry and at the exits of a routine.
#[derive(Debug, Default)]
pub struct RoutineHooks<'h> {
    pub entry: Vec<&'h Hook>,
    pub exit: Vec<&'h Hook>,
}

impl RoutineHooks<'_> {
    pub fn is_empty(&self) -> bool {
        self.entry.is_empty() && self.exit.is_empty()
    }
}

/// The hooks of the routine `name` that an input defines, with the roles
/// it has: its roles' events first, then its own. `call` and `return`
/// events happen at callers the weaver of the definition does not see:
/// they are refused, with a diagnostic at `span` (the routine's head).
pub fn routine_hooks<'h>(
    hooks: &'h HookSet,
    name: &str,
    roles: &[Role],
    path: &str,
    span: Span,
) -> Result<RoutineHooks<'h>, Diagnostic> {
    let mut routine = RoutineHooks::default();
    let own = if hooks.in_catalog(name) {
        None
    } else {
        Some(name)
    };
    let role_hooks = roles.iter().flat_map(|&role| hooks.of_role(role));
    let own_hooks = own.into_iter().flat_map(|name| hooks.of_function(name));
    for hook in role_hooks.chain(own_hooks) {
        match hook.event.kind {
            EventKind::Entry => routine.entry.push(hook),
            EventKind::Exit => routine.exit.push(hook),
            kind => return Err(unplaceable(&hook.event, kind, name, path, span)),
        }
    }
    Ok(routine)
}

fn unplaceable(event: &Event, kind: EventKind, name: &str, path: &str, span: Span) -> Diagnostic {
    let message = match &event.target {
        Target::Role(role) => format!(
            "`{}` events of roles cannot be placed: `{name}` is {}, and its callers are not in `{path}`",
            kind.as_str(),
            role.rule_name()
        ),
        Target::Function(_) => format!(
            "`{name}` is defined in `{path}`; `{}` events of a defined function cannot be placed, its callers are elsewhere",
            kind.as_str()
        ),
    };
    Diagnostic::new(Code::UnplaceableEvent, span, message)
        .with_label("defined here")
        .with_note("use `entry` and `exit` events for routines and functions the driver defines")
}

/// Where the first of `markers` (what slic writes into a woven file) is in
/// `text`, if anywhere.
pub fn woven_marker(text: &str, markers: &[&str]) -> Option<std::ops::Range<usize>> {
    markers
        .iter()
        .filter_map(|marker| {
            // memmem: a woven file is refused after one look at every byte
            // of the input, which a plain `find` makes slow.
            let at = memchr::memmem::find(text.as_bytes(), marker.as_bytes())?;
            Some(at..at + marker.len())
        })
        .min_by_key(|range| range.start)
}

/// The refusal of a woven input (`at` is its marker): weaving it again
/// would check every call twice.
pub fn already_woven(path: &str, at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::AlreadyWoven,
        at,
        format!("`{path}` is already woven; weave the original instead"),
    )
    .with_label("slic wrote this")
}

/// The site table of a woven file: every place that reports events, in the
/// order of its ids.
#[derive(Debug, Default)]
pub struct Sites {
    pub sites: Vec<Site>,
}

impl Sites {
    /// A new site of `events`, in `function`; its id.
    pub fn add(
        &mut self,
        events: Vec<Event>,
        position: Option<Position>,
        function: String,
    ) -> usize {
        self.sites.push(Site {
            events,
            position,
            function,
        });
        self.sites.len() - 1
    }

    pub fn into_vec(self) -> Vec<Site> {
        self.sites
    }
}
