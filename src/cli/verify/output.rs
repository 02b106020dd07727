//! The verdicts, as text for people, JSON for tools, SARIF for code
//! scanning.

use std::fmt::Write;
use std::time::Duration;

use slic::verify::Engine;
use slic::verify::verdict::{self, RuleVerdict, Verdict};

use super::prepare::Prepared;

pub struct RuleResult {
    pub job: usize,
    pub verdict: RuleVerdict,
    pub times: Vec<(Engine, Duration)>,
    pub stubs: Vec<String>,
}

pub struct Report<'a> {
    pub prepared: &'a Prepared,
    pub results: &'a [RuleResult],
    pub bound: u32,
}

impl Report<'_> {
    fn automaton(&self, result: &RuleResult) -> &slic::automaton::Automaton {
        let rule = self.prepared.jobs[result.job].rule;
        &self.prepared.compiled.rules[rule].automaton
    }

    /// One line per rule with its verdict; each violation as the runtime
    /// report gives it, with its path; then what qualifies the verdict.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for result in self.results {
            let automaton = self.automaton(result);
            let times: Vec<String> = result
                .times
                .iter()
                .map(|(engine, time)| format!("{} {:.1} s", engine.name(), time.as_secs_f64()))
                .collect();
            let headline = match &result.verdict.verdict {
                Verdict::Violations(found) => format!(
                    "violation{}",
                    if found.len() == 1 {
                        String::new()
                    } else {
                        format!("s ({})", found.len())
                    }
                ),
                Verdict::NoViolationFound => format!("no violation found (bound {})", self.bound),
                Verdict::Proved => format!("proved (bound {})", self.bound),
                Verdict::Unknown(reason) => format!("unknown: {reason}"),
            };
            let _ = writeln!(
                out,
                "{}: {headline} [{}]",
                result.verdict.rule,
                times.join(", ")
            );
            if let Verdict::Violations(found) = &result.verdict.verdict {
                for violation in found {
                    out.push_str(&verdict::report(automaton, violation));
                }
            }
            for note in &result.verdict.notes {
                let _ = writeln!(out, " note: {note}");
            }
        }
        let havocked: std::collections::BTreeSet<&String> = self
            .results
            .iter()
            .flat_map(|r| r.verdict.havocked.iter())
            .collect();
        if !havocked.is_empty() {
            let names: Vec<&str> = havocked.iter().map(|s| s.as_str()).collect();
            let _ = writeln!(
                out,
                "note: no model of {}: the analyzers assumed each may return anything and write through its pointer arguments",
                names.join(", ")
            );
        }
        let count = |name: &str| {
            self.results
                .iter()
                .filter(|r| r.verdict.verdict.name() == name)
                .count()
        };
        let _ = writeln!(
            out,
            "slic verify: {} rule{}, bound {}: {} with violations, {} proved, {} with no violation found, {} unknown",
            self.results.len(),
            if self.results.len() == 1 { "" } else { "s" },
            self.bound,
            count("violation"),
            count("proved"),
            count("no violation found"),
            count("unknown")
        );
        out
    }

    pub fn json(&self) -> String {
        let rules: Vec<serde_json::Value> = self
            .results
            .iter()
            .map(|result| {
                let automaton = self.automaton(result);
                let violations: Vec<serde_json::Value> = match &result.verdict.verdict {
                    Verdict::Violations(found) => found.iter().map(violation_json).collect(),
                    _ => Vec::new(),
                };
                let possible: Vec<serde_json::Value> =
                    result.verdict.possible.iter().map(violation_json).collect();
                let times: serde_json::Map<String, serde_json::Value> = result
                    .times
                    .iter()
                    .map(|(engine, time)| (engine.name().to_string(), time.as_secs_f64().into()))
                    .collect();
                serde_json::json!({
                    "rule": automaton.name,
                    "rule_id": automaton.rule_id.map(|id| format!("0x{id:08X}")),
                    "verdict": result.verdict.verdict.name(),
                    "reason": match &result.verdict.verdict {
                        Verdict::Unknown(reason) => Some(reason.clone()),
                        _ => None,
                    },
                    "violations": violations,
                    "possible": possible,
                    "notes": result.verdict.notes,
                    "havocked": result.verdict.havocked,
                    "stubs": result.stubs,
                    "seconds": times,
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&serde_json::json!({
            "bound": self.bound,
            "rules": rules,
        }))
        .expect("JSON values serialize");
        text.push('\n');
        text
    }

    pub fn sarif(&self) -> String {
        let verdicts: Vec<(&slic::automaton::Automaton, &RuleVerdict)> = self
            .results
            .iter()
            .map(|r| (self.automaton(r), &r.verdict))
            .collect();
        let mut text =
            serde_json::to_string_pretty(&slic::sarif::verify_log(&verdicts, self.bound))
                .expect("JSON values serialize");
        text.push('\n');
        text
    }
}

fn violation_json(v: &slic::verify::verdict::Violation) -> serde_json::Value {
    serde_json::json!({
        "message": v.message,
        "rule_location": v.rule_location,
        "place": v.place.as_ref().map(ToString::to_string),
        "function": v.function,
        "event": v.event,
        "engines": v.engines.iter().map(|e| e.name()).collect::<Vec<_>>(),
        "path": v.path.iter().map(step_json).collect::<Vec<_>>(),
    })
}

fn step_json(step: &slic::verify::Step) -> serde_json::Value {
    match step {
        slic::verify::Step::Routine(name) => serde_json::json!({ "routine": name }),
        slic::verify::Step::At { position, text } => {
            serde_json::json!({ "place": position.to_string(), "text": text })
        }
    }
}
