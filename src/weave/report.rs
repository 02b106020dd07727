//! The binding report: for each rule and each of its events, the sites of
//! a woven file it bound to, and the events that bound nowhere.

use std::collections::HashSet;

use crate::automaton::Automaton;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Event;
use crate::span::Span;

use super::Site;

/// The report of one woven file (whose sites are `sites`), as JSON.
pub fn to_json(source: &str, rules: &[Automaton], sites: &[Site]) -> serde_json::Value {
    let rules_json: Vec<serde_json::Value> = rules
        .iter()
        .map(|rule| {
            let events: Vec<serde_json::Value> = rule
                .events
                .iter()
                .map(|info| {
                    let sites: Vec<serde_json::Value> = sites
                        .iter()
                        .filter(|site| site.events.contains(&info.event))
                        .map(|site| match &site.position {
                            Some(position) => serde_json::json!({
                                "file": position.file,
                                "line": position.line,
                                "column": position.column,
                                "function": site.function,
                            }),
                            None => serde_json::json!({
                                "file": null,
                                "line": null,
                                "column": null,
                                "function": site.function,
                            }),
                        })
                        .collect();
                    serde_json::json!({ "event": info.event.to_string(), "sites": sites })
                })
                .collect();
            serde_json::json!({
                "rule": rule.name,
                "rule_id": rule.rule_id.map(|id| format!("0x{id:08X}")),
                "events": events,
            })
        })
        .collect();
    serde_json::json!({ "source": source, "sites": sites.len(), "rules": rules_json })
}

/// For each rule that bound some API event in a file, the API events it
/// did not bind: a rule that sees the acquire but never the release in a
/// file is worth a look. Rules with no API site at all, and routines a file
/// does not have (no DPC routine, say), are normal in a driver of many
/// files; summaries count them.
///
/// The events of one handler are alternatives: the name a C file calls and
/// the function a macro expands to (`KeAcquireSpinLock`,
/// `KeAcquireSpinLockRaiseToDpc`), or the DDIs an IRQL rule checks alike.
/// One of them bound is enough. A handler that changes none of the rule's
/// state (the check of one DDI's IRQL) needs no other to make sense, so
/// its events bound nowhere are no warning. Only the rule's own handlers
/// count: the events of a shared model it includes (the IRQL model follows
/// every spin lock) are there for every rule that includes it.
pub fn unbound(rules: &[Automaton], sites: &[Site]) -> Vec<(usize, Vec<Event>)> {
    let bound_events = bound_events(sites);
    let is_api = |event: &Event| matches!(event.target, crate::model::Target::Function(_));
    let mut result = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let mut any_bound = false;
        let mut unbound_apis: Vec<&Event> = Vec::new();
        for handler in rule.handlers.iter().filter(|h| h.model.is_none()) {
            let apis: Vec<&Event> = (handler.events.iter())
                .map(|&id| &rule.events[id].event)
                .filter(|event| is_api(event))
                .collect();
            let stateful = (handler.paths.iter())
                .flat_map(|path| &path.updates)
                .any(|(variable, _)| rule.variables[*variable].model.is_none());
            if apis.iter().any(|event| bound_events.contains(event)) {
                any_bound = true;
            } else if stateful {
                for event in apis {
                    if !unbound_apis.contains(&event) {
                        unbound_apis.push(event);
                    }
                }
            }
        }
        // An event one handler binds is bound for the rule's others too.
        unbound_apis.retain(|event| !bound_events.contains(event));
        if any_bound && !unbound_apis.is_empty() {
            result.push((index, unbound_apis.into_iter().cloned().collect()));
        }
    }
    result
}

/// One warning per partly bound rule, pointing at the rule's first handler
/// of an unbound event.
/// Which weaver wove the file, for the advice a warning gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weaver {
    C,
    Ir,
}

pub fn unbound_warning(
    rule: &Automaton,
    events: &[Event],
    file: &str,
    weaver: Weaver,
) -> Diagnostic {
    let span = rule
        .handlers
        .iter()
        .find(|handler| {
            handler
                .events
                .iter()
                .any(|&id| events.contains(&rule.events[id].event))
        })
        .map(|handler| handler.span)
        .unwrap_or(Span::default());
    let mut names: Vec<String> = events.iter().take(6).map(|e| format!("`{e}`")).collect();
    if events.len() > 6 {
        names.push(format!("and {} more", events.len() - 6));
    }
    let count = if events.len() == 1 {
        "1 event of rule `{}` binds".to_string()
    } else {
        format!("{} events of rule `{{}}` bind", events.len())
    }
    .replace("{}", &rule.name);
    let advice = match weaver {
        Weaver::C => {
            "other events of the rule are bound in this file; if these calls are made in another file or through a header macro the C weaver cannot see, the IR weaver (`slic cc` with clang) sees them"
        }
        Weaver::Ir => {
            "other events of the rule are bound in this file; these calls may be made in another file, or inlined from another module before weaving"
        }
    };
    Diagnostic::new(
        Code::UnboundEvent,
        span,
        format!("{count} to no site in `{file}`"),
    )
    .with_label("a handler of one of them")
    .with_note(format!("never bound: {}", names.join(", ")))
    .with_note(advice)
}

/// Every event some site reports (a large module has tens of thousands of
/// sites, and few events).
fn bound_events(sites: &[Site]) -> HashSet<&Event> {
    sites.iter().flat_map(|site| &site.events).collect()
}
