//! The binding report: for each rule and each of its events, the sites of
//! a woven file it bound to, and the events that bound nowhere.

use crate::automaton::Automaton;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Event;
use crate::span::Span;

use super::Site;

/// What one woven file bound: for each rule and each of its events, the
/// sites. `slic weave --report` writes it as JSON, `slic cc --report` one
/// line per compile (with `object`), and `slic cc` reads those lines back at
/// the link. The fields are in the order of their names, as they were when
/// the report was untyped JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingReport {
    /// The object a compile made, for `slic cc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub rules: Vec<RuleBindings>,
    /// How many sites the file has.
    pub sites: usize,
    /// The woven file as reports name it.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleBindings {
    pub events: Vec<EventBindings>,
    pub rule: String,
    /// `0x00040007`, or none.
    pub rule_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBindings {
    /// `KeAcquireSpinLock.exit`.
    pub event: String,
    pub sites: Vec<BoundSite>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundSite {
    pub column: Option<u32>,
    pub file: Option<String>,
    pub function: String,
    pub line: Option<u32>,
}

impl EventBindings {
    /// Whether the event is of an API (a call), not of a role.
    pub fn is_api(&self) -> bool {
        let target = self.event.rsplit_once('.').map_or("", |(target, _)| target);
        crate::role_table::lookup_rule_name(target).is_none()
    }
}

impl BindingReport {
    /// The report of one woven file, whose sites are `sites`.
    pub fn new(source: &str, rules: &[Automaton], sites: &[Site]) -> BindingReport {
        let rules = rules
            .iter()
            .map(|rule| RuleBindings {
                events: rule
                    .events
                    .iter()
                    .map(|info| EventBindings {
                        event: info.event.to_string(),
                        sites: sites
                            .iter()
                            .filter(|site| site.events.contains(&info.event))
                            .map(|site| BoundSite {
                                column: site.position.as_ref().map(|p| p.column),
                                file: site.position.as_ref().map(|p| p.file.clone()),
                                function: site.function.clone(),
                                line: site.position.as_ref().map(|p| p.line),
                            })
                            .collect(),
                    })
                    .collect(),
                rule: rule.name.clone(),
                rule_id: rule.rule_id.map(|id| format!("0x{id:08X}")),
            })
            .collect();
        BindingReport {
            object: None,
            rules,
            sites: sites.len(),
            source: source.to_string(),
        }
    }
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

/// Which weaver wove the file, for the advice a warning gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weaver {
    C,
    Ir,
}

/// The warning for a rule partly bound in `file`, pointing at the rule's
/// first handler of an unbound event.
pub fn unbound_warning(
    rule: &Automaton,
    events: &[Event],
    file: &str,
    weaver: Weaver,
) -> Diagnostic {
    let advice = match weaver {
        Weaver::C => {
            "other events of the rule are bound in this file; if these calls are made in another file or through a header macro the C weaver cannot see, the IR weaver (`slic cc` with clang) sees them"
        }
        Weaver::Ir => {
            "other events of the rule are bound in this file; these calls may be made in another file, or inlined from another module before weaving"
        }
    };
    unbound_diagnostic(rule, events, &format!("`{file}`"), advice)
}

/// The warning, at the link of a build, for a rule that bound some of its
/// API events in the build's woven files (`place`) but never these.
pub fn unbound_in_build(rule: &Automaton, events: &[Event], place: &str) -> Diagnostic {
    unbound_diagnostic(
        rule,
        events,
        place,
        "the driver may never make these calls, or make them in files not built with `slic cc`, or through a header macro the C weaver cannot see",
    )
}

fn unbound_diagnostic(rule: &Automaton, events: &[Event], place: &str, advice: &str) -> Diagnostic {
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
    Diagnostic::new(
        Code::UnboundEvent,
        span,
        format!("{count} to no site in {place}"),
    )
    .with_label("a handler of one of them")
    .with_note(format!("never bound: {}", names.join(", ")))
    .with_note(advice)
}

/// Every event some site reports (a large module has tens of thousands of
/// sites, and few events).
/// (FNV: a large module has tens of thousands of events at its sites.)
fn bound_events(sites: &[Site]) -> crate::hash::FnvHashSet<&Event> {
    sites.iter().flat_map(|site| &site.events).collect()
}
