//! The interface between woven code and the monitor: one hook per event.
//!
//! A woven driver calls `slic_hook_<function>_<kind>` (or, for a role,
//! `slic_hook_role_<role>_<kind>`) with the call site and the event's
//! values; the monitor runs every rule's handlers for that event, in the
//! order the rules were given. The C weaver, the IR weaver and both
//! monitors all derive the hooks from this one description.

use crate::automaton::{Automaton, EventId};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::EventKind;
use crate::model::{Event, Signature, Target};
use crate::role_table::Role;
use crate::types::IntType;

/// How a value crosses into the monitor: as a pointer-sized integer (a
/// 64-bit one for 64-bit integers, which a 32-bit target's `uintptr_t`
/// would cut), then brought to its C type (`normalize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HookValue {
    pub ty: IntType,
    pub pointer: bool,
}

impl HookValue {
    pub fn int(ty: IntType) -> HookValue {
        HookValue { ty, pointer: false }
    }

    /// `uintptr_t` for pointers; `int64_t`/`uint64_t` for 64-bit integers;
    /// `intptr_t` for other signed values, `uintptr_t` for the rest.
    pub fn c_carrier(self) -> &'static str {
        match (self.pointer, self.ty.bits == 64, self.ty.signed) {
            (true, _, _) => "uintptr_t",
            (false, true, true) => "int64_t",
            (false, true, false) => "uint64_t",
            (false, false, true) => "intptr_t",
            (false, false, false) => "uintptr_t",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub event: Event,
    pub name: String,
    /// `$1..$N`, all of them (values no rule reads are still passed, so a
    /// hook's shape depends only on the function).
    pub arguments: Vec<HookValue>,
    /// Argument positions (1-based) whose pointee some rule reads, with the
    /// pointee's type.
    pub pointees: Vec<(u32, HookValue)>,
    /// The return value, for `exit` and `return` of functions that have one.
    pub returns: Option<HookValue>,
    /// Which rules handle the event: index into the rule list, and the
    /// event's id in that rule's automaton.
    pub rules: Vec<(usize, EventId)>,
    /// The function is in the rules' API catalog (a kernel API, not a
    /// function of the driver).
    pub in_catalog: bool,
}

#[derive(Debug, Clone, Default)]
pub struct HookSet {
    pub hooks: Vec<Hook>,
}

/// The C identifier of a hook.
pub fn hook_name(event: &Event) -> String {
    match &event.target {
        Target::Function(name) => format!("slic_hook_{name}_{}", event.kind.as_str()),
        Target::Role(role) => format!("slic_hook_role_{}_{}", role.key(), event.kind.as_str()),
    }
}

impl HookSet {
    /// The hooks for a set of rules. Two rules that disagree on a
    /// function's prototype (from different catalogs) cannot share a hook.
    pub fn new(rules: &[Automaton]) -> Result<HookSet, Diagnostic> {
        let mut set = HookSet::default();
        for (rule_index, automaton) in rules.iter().enumerate() {
            for (event_id, info) in automaton.events.iter().enumerate() {
                let (arguments, returns) =
                    shape(&info.signature, info.event.kind, automaton, event_id);
                let pointees = pointees_read(automaton, event_id, &info.signature);
                match set.hooks.iter_mut().find(|hook| hook.event == info.event) {
                    Some(hook) => {
                        if hook.arguments != arguments || hook.returns != returns {
                            let first = &rules[hook.rules[0].0];
                            return Err(Diagnostic::new(
                                Code::Catalog,
                                automaton
                                    .watch
                                    .as_ref()
                                    .map_or(Default::default(), |w| w.span),
                                format!(
                                    "rules `{}` and `{}` see different prototypes of `{}`",
                                    first.name,
                                    automaton.name,
                                    info.event.target.name()
                                ),
                            )
                            .with_note("rules that run together must use the same API catalog"));
                        }
                        for pointee in pointees {
                            if !hook.pointees.contains(&pointee) {
                                hook.pointees.push(pointee);
                            }
                        }
                        hook.pointees.sort_by_key(|(position, _)| *position);
                        hook.rules.push((rule_index, event_id));
                    }
                    None => set.hooks.push(Hook {
                        name: hook_name(&info.event),
                        event: info.event.clone(),
                        arguments,
                        pointees,
                        returns,
                        rules: vec![(rule_index, event_id)],
                        in_catalog: matches!(info.event.target, Target::Function(_))
                            && info.signature.parameters.is_some(),
                    }),
                }
            }
        }
        Ok(set)
    }

    pub fn get(&self, event: &Event) -> Option<&Hook> {
        self.hooks.iter().find(|hook| &hook.event == event)
    }

    /// The hooks of one function (API or defined function), by kind.
    pub fn of_function<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a Hook> + use<'a, 'n> {
        self.hooks
            .iter()
            .filter(move |hook| matches!(&hook.event.target, Target::Function(n) if n == name))
    }

    pub fn of_role(&self, role: Role) -> impl Iterator<Item = &Hook> + '_ {
        self.hooks
            .iter()
            .filter(move |hook| hook.event.target == Target::Role(role))
    }

    /// The functions some rule names, in first-mention order.
    pub fn functions(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for hook in &self.hooks {
            if let Target::Function(name) = &hook.event.target
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }

    /// Whether `name` is a function of the API catalog some rule names.
    pub fn in_catalog(&self, name: &str) -> bool {
        self.of_function(name).any(|hook| hook.in_catalog)
    }

    /// The position of a hook in the set.
    pub fn index(&self, hook: &Hook) -> usize {
        self.hooks
            .iter()
            .position(|h| h.event == hook.event)
            .expect("a hook of the set")
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = Vec::new();
        for hook in &self.hooks {
            if let Target::Role(role) = hook.event.target
                && !roles.contains(&role)
            {
                roles.push(role);
            }
        }
        roles
    }
}

fn shape(
    signature: &Signature,
    kind: EventKind,
    automaton: &Automaton,
    event: EventId,
) -> (Vec<HookValue>, Option<HookValue>) {
    let arguments = match &signature.parameters {
        Some(parameters) => parameters
            .iter()
            .map(|p| HookValue {
                ty: p.ty.int,
                pointer: p.ty.pointer,
            })
            .collect(),
        // A function outside the catalog: as many values as rules read,
        // carried as signed pointer-sized integers.
        None => {
            let highest = highest_argument_read(automaton, event);
            vec![HookValue::int(IntType::INT64); highest as usize]
        }
    };
    let returns = if kind.is_after() && !signature.returns_void {
        Some(HookValue {
            ty: signature.returns.unwrap_or(IntType::INT64),
            pointer: signature.returns_pointer,
        })
    } else {
        None
    };
    (arguments, returns)
}

fn highest_argument_read(automaton: &Automaton, event: EventId) -> u32 {
    let mut highest = 0;
    if let Some(watch) = automaton.watch.as_ref().filter(|w| w.event == event) {
        highest = watch.argument;
    }
    for handler in automaton.handlers_of(event) {
        highest = highest.max(handler.guard.unwrap_or(0));
        for path in &handler.paths {
            let expressions = path
                .conditions
                .iter()
                .map(|(c, _)| c)
                .chain(path.updates.iter().map(|(_, v)| v));
            for expression in expressions {
                crate::automaton::rewrite::walk(expression, &mut |node| {
                    if let crate::model::ExprKind::Argument(n) | crate::model::ExprKind::Deref(n) =
                        node.kind
                    {
                        highest = highest.max(n);
                    }
                });
            }
        }
    }
    highest
}

fn pointees_read(
    automaton: &Automaton,
    event: EventId,
    signature: &Signature,
) -> Vec<(u32, HookValue)> {
    let mut positions = Vec::new();
    for handler in automaton.handlers_of(event) {
        for path in &handler.paths {
            let expressions = path
                .conditions
                .iter()
                .map(|(c, _)| c)
                .chain(path.updates.iter().map(|(_, v)| v));
            for expression in expressions {
                crate::automaton::rewrite::walk(expression, &mut |node| {
                    if let crate::model::ExprKind::Deref(n) = node.kind
                        && !positions.contains(&n)
                    {
                        positions.push(n);
                    }
                });
            }
        }
    }
    positions.sort();
    positions
        .into_iter()
        .map(|position| {
            let ty = signature
                .parameters
                .as_ref()
                .and_then(|p| p.get(position as usize - 1))
                .and_then(|p| p.pointee)
                .unwrap_or(IntType::INT64);
            // A pointer read through a pointer: the catalog says only
            // that it is pointer-sized.
            (
                position,
                HookValue {
                    ty,
                    pointer: ty == IntType::POINTER,
                },
            )
        })
        .collect()
}
