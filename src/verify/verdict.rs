//! Verdicts in SLIC's terms, from what the engines said.
//!
//! Per rule: the violations found (each with the abort, the place and event
//! of the driver where it happens, as the runtime report names them, the
//! engines that found it, and a path when an engine gave one); or, with
//! none found, `proved` when EVA finished without an alarm (its analysis
//! covers every run of the harness), `no violation found` otherwise; or
//! `unknown` when no engine finished.

use super::{Engine, Outcome, Reached, SiteRef, Step};
use crate::automaton::{Automaton, End};
use crate::weave::{Position, Site};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub abort: usize,
    pub message: String,
    /// `file:line:col` of the `abort` in the rule.
    pub rule_location: String,
    /// Where in the driver; `None` for a site without one.
    pub place: Option<Position>,
    pub function: String,
    /// The event, as the runtime report names it.
    pub event: String,
    pub engines: Vec<Engine>,
    pub path: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Violations(Vec<Violation>),
    NoViolationFound,
    Proved,
    Unknown(String),
}

impl Verdict {
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Violations(_) => "violation",
            Verdict::NoViolationFound => "no violation found",
            Verdict::Proved => "proved",
            Verdict::Unknown(_) => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleVerdict {
    pub rule: String,
    pub verdict: Verdict,
    /// What qualifies the verdict: alarms, an engine that failed, engines
    /// that disagree.
    pub notes: Vec<String>,
    /// Functions the driver calls that got no body (havocked).
    pub havocked: Vec<String>,
    /// Aborts EVA reached that clang, which ran, found no path to: EVA
    /// over-approximates, so these may or may not happen.
    pub possible: Vec<Violation>,
}

/// The verdict for one rule. `sites` are the site tables of the woven
/// files, in the order of the sources.
pub fn verdict(
    automaton: &Automaton,
    sites: &[Vec<Site>],
    outcomes: &[(Engine, Outcome)],
) -> RuleVerdict {
    let mut violations: Vec<Violation> = Vec::new();
    let mut notes = Vec::new();
    let mut havocked: Vec<String> = Vec::new();
    let mut failures = Vec::new();
    let mut proved = false;
    let mut finished = false;
    for (engine, outcome) in outcomes {
        match outcome {
            Outcome::Failed(reason) => {
                failures.push(format!("{}: {reason}", engine.name()));
            }
            Outcome::Finished {
                reached,
                alarms,
                exhaustive,
                havocked: engine_havocked,
            } => {
                finished = true;
                for name in engine_havocked {
                    if !havocked.contains(name) {
                        havocked.push(name.clone());
                    }
                }
                if !alarms.is_empty() {
                    notes.push(format!(
                        "{}: {} alarm{} (undefined behaviour the analysis could not rule out; it went on as if it did not happen), the first: {}",
                        engine.name(),
                        alarms.len(),
                        if alarms.len() == 1 { "" } else { "s" },
                        alarms[0]
                    ));
                }
                if reached.is_empty() && alarms.is_empty() && *exhaustive {
                    proved = true;
                }
                for one in reached {
                    match resolve(automaton, sites, one, *engine) {
                        Some(found) => merge(&mut violations, found),
                        None => notes.push(format!(
                            "{}: reached `{}`, which is no abort of this rule",
                            engine.name(),
                            one.violation
                        )),
                    }
                }
            }
        }
    }
    for failure in &failures {
        notes.push(failure.clone());
    }
    // EVA over-approximates (states merged between routines): an abort it
    // reaches that clang, which gives concrete paths, does not reach is a
    // possible violation, not a found one, when clang ran and finished.
    let clang_finished = outcomes.iter().any(|(engine, outcome)| {
        *engine == Engine::Clang && matches!(outcome, Outcome::Finished { .. })
    });
    let mut possible = Vec::new();
    if clang_finished {
        let (confirmed, unconfirmed): (Vec<Violation>, Vec<Violation>) = violations
            .into_iter()
            .partition(|v| v.engines.contains(&Engine::Clang));
        violations = confirmed;
        possible = unconfirmed;
    }
    for v in &possible {
        notes.push(format!(
            "eva could not rule out `{}` at {} in {} ({}); clang found no path to it",
            v.message,
            v.place
                .as_ref()
                .map_or("<unknown>".to_string(), ToString::to_string),
            v.function,
            v.event
        ));
    }
    violations
        .sort_by(|a, b| (&a.place, &a.function, a.abort).cmp(&(&b.place, &b.function, b.abort)));
    let verdict = if !violations.is_empty() {
        if proved {
            notes.push(
                "eva proved the rule, yet another engine reached an abort: the engines disagree"
                    .to_string(),
            );
        }
        Verdict::Violations(violations)
    } else if proved {
        Verdict::Proved
    } else if finished {
        // An abort only EVA reached is in `possible` (and its note), not a
        // reason for `unknown`: clang finished its bounded search without a
        // path to it, which is what "no violation found" says; `unknown`
        // is for a search that could not be made.
        Verdict::NoViolationFound
    } else {
        Verdict::Unknown(failures.join("; "))
    };
    RuleVerdict {
        rule: automaton.name.clone(),
        verdict,
        notes,
        havocked,
        possible,
    }
}

/// One violation per abort and place: the engines that found it, the
/// first path given.
fn merge(violations: &mut Vec<Violation>, found: Violation) {
    match violations
        .iter_mut()
        .find(|v| v.abort == found.abort && v.place == found.place && v.function == found.function)
    {
        Some(existing) => {
            for engine in found.engines {
                if !existing.engines.contains(&engine) {
                    existing.engines.push(engine);
                }
            }
            existing.engines.sort();
            if existing.path.is_empty() {
                existing.path = found.path;
            }
        }
        None => violations.push(found),
    }
}

fn resolve(
    automaton: &Automaton,
    sites: &[Vec<Site>],
    reached: &Reached,
    engine: Engine,
) -> Option<Violation> {
    let abort = automaton.aborts.iter().position(|info| {
        format!("{}: {} ({})", automaton.name, info.message, info.location) == reached.violation
    })?;
    let info = &automaton.aborts[abort];
    let site: Option<&Site> = match &reached.site {
        Some(SiteRef::Table { file, index }) => sites.get(*file).and_then(|s| s.get(*index)),
        Some(SiteRef::Fields { position, function }) => sites
            .iter()
            .flatten()
            .find(|site| &site.position == position && &site.function == function),
        None => None,
    };
    let (place, function) = match (&reached.site, site) {
        (_, Some(site)) => (site.position.clone(), site.function.clone()),
        (Some(SiteRef::Fields { position, function }), None) => {
            (position.clone(), function.clone())
        }
        _ => (None, "<unknown>".to_string()),
    };
    Some(Violation {
        abort,
        message: info.message.clone(),
        rule_location: info.location.clone(),
        place,
        function,
        event: event(automaton, abort, site),
        engines: vec![engine],
        path: reached.path.clone(),
    })
}

/// The event at which the abort happened: of the events whose handlers can
/// reach it, the one the site reports.
fn event(automaton: &Automaton, abort: usize, site: Option<&Site>) -> String {
    let candidates: Vec<String> = automaton
        .handlers
        .iter()
        .filter(|h| h.paths.iter().any(|p| p.end == End::Abort(abort)))
        .flat_map(|h| h.events.iter())
        .map(|&e| automaton.events[e].event.to_string())
        .collect();
    if let Some(site) = site
        && let Some(found) = site
            .events
            .iter()
            .map(ToString::to_string)
            .find(|e| candidates.contains(e))
    {
        return found;
    }
    candidates
        .into_iter()
        .next()
        .unwrap_or_else(|| "<unknown>".to_string())
}

/// The report of a violation, in the runtime monitor's format (its first
/// two lines are the same contract), then the path.
pub fn report(rule: &Automaton, violation: &Violation) -> String {
    let id = rule
        .rule_id
        .map_or("n/a".to_string(), |id| format!("0x{id:08X}"));
    let place = violation
        .place
        .as_ref()
        .map_or("<unknown>".to_string(), ToString::to_string);
    let engines: Vec<&str> = violation.engines.iter().map(|e| e.name()).collect();
    let mut out = format!(
        "slic: violation of {} ({id}): {}\n --> {place} in {} ({})\n rule: {}\n found by: {}\n",
        rule.name,
        violation.message,
        violation.function,
        violation.event,
        violation.rule_location,
        engines.join(", ")
    );
    if !violation.path.is_empty() {
        out.push_str(" path:\n");
        for step in &violation.path {
            match step {
                Step::Routine(name) => out.push_str(&format!("   {name}\n")),
                Step::At { position, text } => out.push_str(&format!("     {position}: {text}\n")),
            }
        }
    }
    out
}
