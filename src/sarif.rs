//! SARIF 2.1.0, the format code scanning (GitHub's, and others) reads.
//!
//! Three producers share this file: diagnostics of any command
//! (`render::to_sarif`), the verdicts of `slic verify` (`verify_log`), and
//! the monitors at run time (`runtime_head`, with the results the monitor's
//! runtime writes itself: `monitor/c/runtime/`, `monitor/llvm/runtime.rs`).
//! A rule's id is its name; its help link is the `Help Link` of its header.
//! Places are relative to the source root (`%SRCROOT%`) where the path is.

use serde_json::{Value, json};

use crate::automaton::Automaton;
use crate::verify::Step;
use crate::verify::verdict::{RuleVerdict, Verdict, Violation};
use crate::weave::Position;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";

/// A log with one run of slic.
pub fn log(
    rules: Vec<Value>,
    results: Vec<Value>,
    mut run: serde_json::Map<String, Value>,
) -> Value {
    run.insert(
        "tool".to_string(),
        json!({
            "driver": {
                "name": "slic",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        }),
    );
    run.insert("columnKind".to_string(), json!("unicodeCodePoints"));
    run.insert("results".to_string(), Value::Array(results));
    json!({
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [Value::Object(run)],
    })
}

/// Where a file is: relative to the source root when its path is relative.
pub fn artifact(path: &str) -> Value {
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", uri_path(path)) })
    } else {
        json!({ "uri": uri_path(path), "uriBaseId": "%SRCROOT%" })
    }
}

/// A path as a URI's path: bytes outside the unreserved set and `/`
/// percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A place in a file.
pub fn physical(position: &Position) -> Value {
    json!({
        "artifactLocation": artifact(&position.file),
        "region": { "startLine": position.line.max(1), "startColumn": position.column.max(1) }
    })
}

/// A rule of the pack, as a reporting descriptor.
pub fn rule_descriptor(rule: &Automaton) -> Value {
    let mut descriptor = json!({
        "id": rule.name,
        "name": rule.name,
        "shortDescription": { "text": rule.description.clone().unwrap_or_else(|| rule.name.clone()) },
        "defaultConfiguration": { "level": "error" },
        "properties": {
            "ruleId": rule.rule_id.map(|id| format!("0x{id:08X}")),
            "source": rule.path,
        },
    });
    if let Some(link) = &rule.help_link {
        descriptor["helpUri"] = json!(link);
    }
    descriptor
}

/// The start of the SARIF log the runtime monitors write (`SLIC_SARIF`):
/// the run's tool with the monitor's rules, up to the results, which the
/// monitor appends one by one, each time writing `RUNTIME_TAIL` after the
/// last (`monitor/c/runtime/runtime_report.c`).
pub fn runtime_head(rules: &[Automaton]) -> String {
    let tool = json!({
        "driver": {
            "name": "slic",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules.iter().map(rule_descriptor).collect::<Vec<_>>(),
        }
    });
    format!(
        "{{\"$schema\":\"{SCHEMA}\",\"version\":\"{VERSION}\",\"runs\":[{{\"tool\":{tool},\"columnKind\":\"unicodeCodePoints\",\"results\":[\n"
    )
}

/// What follows the last result of a runtime log.
pub const RUNTIME_TAIL: &str = "\n]}]}\n";

/// `slic verify`'s verdicts: a result per violation (its place, and its
/// path as a code flow), the verdict of every rule in the run's
/// properties, and rules that could not be verified as notifications.
pub fn verify_log(verdicts: &[(&Automaton, &RuleVerdict)], bound: u32) -> Value {
    let rules: Vec<Value> = verdicts
        .iter()
        .map(|(rule, _)| rule_descriptor(rule))
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    let mut summary = Vec::new();
    for (index, (rule, verdict)) in verdicts.iter().enumerate() {
        summary.push(json!({
            "rule": rule.name,
            "verdict": verdict.verdict.name(),
            "notes": verdict.notes,
        }));
        match &verdict.verdict {
            Verdict::Violations(found) => {
                for violation in found {
                    results.push(violation_result(rule, index, violation));
                }
            }
            Verdict::Unknown(reason) => notifications.push(json!({
                "level": "error",
                "message": { "text": format!("{}: not verified: {reason}", rule.name) },
                "associatedRule": { "id": rule.name, "index": index },
            })),
            Verdict::Proved | Verdict::NoViolationFound => {}
        }
        // What EVA could not rule out and clang found no path to: for a
        // person to look at.
        for violation in &verdict.possible {
            let mut result = violation_result(rule, index, violation);
            result["level"] = json!("warning");
            result["kind"] = json!("open");
            results.push(result);
        }
    }
    let mut run = serde_json::Map::new();
    run.insert(
        "invocations".to_string(),
        json!([{
            "executionSuccessful": notifications.is_empty(),
            "toolExecutionNotifications": notifications,
        }]),
    );
    run.insert(
        "properties".to_string(),
        json!({ "bound": bound, "verdicts": summary }),
    );
    log(rules, results, run)
}

fn violation_result(rule: &Automaton, index: usize, violation: &Violation) -> Value {
    let mut location = json!({
        "logicalLocations": [{ "name": violation.function, "kind": "function" }],
        "message": { "text": violation.event },
    });
    if let Some(place) = &violation.place {
        location["physicalLocation"] = physical(place);
    }
    let mut result = json!({
        "ruleId": rule.name,
        "ruleIndex": index,
        "level": "error",
        "kind": "fail",
        "message": { "text": violation.message },
        "locations": [location],
        "properties": {
            "event": violation.event,
            "ruleLocation": violation.rule_location,
            "engines": violation.engines.iter().map(|e| e.name()).collect::<Vec<_>>(),
        },
    });
    if !violation.path.is_empty() {
        let mut steps: Vec<Value> = violation.path.iter().map(thread_flow_location).collect();
        let mut last = json!({
            "logicalLocations": [{ "name": violation.function, "kind": "function" }],
            "message": { "text": format!("{}: {}", violation.event, violation.message) },
        });
        if let Some(place) = &violation.place {
            last["physicalLocation"] = physical(place);
        }
        steps.push(json!({ "location": last, "nestingLevel": 1, "importance": "essential" }));
        result["codeFlows"] = json!([{ "threadFlows": [{ "locations": steps }] }]);
    }
    result
}

fn thread_flow_location(step: &Step) -> Value {
    match step {
        Step::Routine(name) => json!({
            "location": {
                "message": { "text": format!("the harness calls {name}") },
                "logicalLocations": [{ "name": name, "kind": "function" }],
            },
            "nestingLevel": 0,
        }),
        Step::At { position, text } => json!({
            "location": {
                "physicalLocation": physical(position),
                "message": { "text": text },
            },
            "nestingLevel": 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifacts_are_relative_to_the_source_root_or_file_uris() {
        assert_eq!(
            artifact("drivers/my driver.c"),
            json!({ "uri": "drivers/my%20driver.c", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(artifact("/src/a.c"), json!({ "uri": "file:///src/a.c" }));
    }
}
