//! What clang's static analyzer said, from its SARIF output.
//!
//! The program's `reach_error` (`c/clang.c`) hands the site of the event to
//! `clang_analyzer_dump` (checker `debug.ExprInspection`), which reports
//! `&Element{slic_sites_0,4 S64b,struct slic_site}`: the fifth site of the
//! first woven file. The analyzer reports one path for each different
//! report, so each site that reaches an abort gets its own, the shortest it
//! found. Which abort the path reached is the last call of `reach_error` on
//! it: a line of the monitor, just after the one that names the violation.
//!
//! The analyzer follows paths within a budget (nodes, inlining, loop
//! unrolling), so that no report proves nothing: it found no violation.

use serde_json::Value;

use super::{Outcome, Reached, SiteRef, Step};
use crate::weave::Position;

/// The analyzer's arguments after `clang-19 --analyze`: the checker, the
/// one function to start from, and budgets large enough for the harness's
/// routines to be inlined into it (the default budgets are for finding
/// bugs in one function at a time).
pub fn options(bound: u32) -> Vec<String> {
    let cc1 = |option: &str| ["-Xclang".to_string(), option.to_string()];
    let config = |setting: &str| {
        [
            "-Xclang".to_string(),
            "-analyzer-config".to_string(),
            "-Xclang".to_string(),
            setting.to_string(),
        ]
    };
    let mut arguments = Vec::new();
    arguments.extend(cc1("-analyzer-checker=debug.ExprInspection"));
    arguments.extend(cc1("-analyzer-opt-analyze-headers"));
    arguments.extend(cc1(&format!("-analyze-function={}", super::harness::ENTRY)));
    arguments.extend(cc1("-analyzer-inline-max-stack-depth=64"));
    // Loops are unrolled this many times; a path that goes round more
    // often is dropped, not replayed with the function left uninlined: a
    // call the analyzer does not inline makes it forget every global
    // variable, the monitor's state with them.
    arguments.extend(cc1("-analyzer-max-loop"));
    arguments.extend(cc1(&(bound + 8).to_string()));
    arguments.extend(cc1("-analyzer-disable-retry-exhausted"));
    arguments.extend(config("widen-loops=true"));
    arguments.extend(config("max-inlinable-size=100000"));
    arguments.extend(config("max-times-inline-large=100000"));
    arguments.extend(config("max-nodes=300000"));
    // Every step of the path: the routines the harness called are not
    // "interesting" to the analyzer, but they are the path.
    arguments.extend(config("prune-paths=false"));
    arguments.extend(cc1("-analyzer-output=sarif"));
    arguments
}

/// The program the analyzer read, as far as its reports need: the static
/// monitor's text, the woven files (the path of each, as the analyzer names
/// it, ends with `name`), and the driver's sources as the woven files'
/// `#line` directives name them.
pub struct Program<'a> {
    pub monitor: &'a str,
    pub woven: Vec<(String, &'a str)>,
    pub sources: &'a [String],
}

/// The outcome of a run that wrote `sarif`.
pub fn outcome(sarif: &str, program: &Program) -> Outcome {
    let log: Value = match serde_json::from_str(sarif) {
        Ok(log) => log,
        Err(error) => return Outcome::Failed(format!("clang wrote no readable SARIF: {error}")),
    };
    let empty = Vec::new();
    let run = &log["runs"][0];
    let artifacts = run["artifacts"].as_array().unwrap_or(&empty);
    let mut reached = Vec::new();
    for result in run["results"].as_array().unwrap_or(&empty) {
        if result["ruleId"] != "debug.ExprInspection" {
            continue;
        }
        let Some(site) = result["message"]["text"].as_str().and_then(site_of) else {
            continue;
        };
        let locations = result["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap_or(&empty);
        let places: Vec<Place> = locations
            .iter()
            .filter_map(|location| place(&location["location"], artifacts))
            .collect();
        let Some(violation) = places
            .iter()
            .rev()
            .find(|p| p.message == "Calling 'reach_error'")
            .and_then(|p| violation_before(program.monitor, p.line))
        else {
            continue;
        };
        reached.push(Reached {
            violation,
            site: Some(site),
            path: steps(&places, program),
        });
    }
    Outcome::Finished {
        reached,
        alarms: Vec::new(),
        exhaustive: false,
        havocked: Vec::new(),
    }
}

/// A step of the analyzer's path.
struct Place {
    uri: String,
    line: u32,
    column: u32,
    message: String,
}

fn place(location: &Value, artifacts: &[Value]) -> Option<Place> {
    let physical = &location["physicalLocation"];
    let artifact = &physical["artifactLocation"];
    let uri = match artifact["uri"].as_str() {
        Some(uri) => uri.to_string(),
        None => artifacts.get(artifact["index"].as_u64()? as usize)?["location"]["uri"]
            .as_str()?
            .to_string(),
    };
    Some(Place {
        uri: percent_decoded(uri.strip_prefix("file://").unwrap_or(&uri)),
        line: physical["region"]["startLine"].as_u64()? as u32,
        column: physical["region"]["startColumn"].as_u64().unwrap_or(1) as u32,
        message: location["message"]["text"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    })
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%'
            && let Some(value) = text
                .get(at + 1..at + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(value);
            at += 3;
            continue;
        }
        out.push(bytes[at]);
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `&Element{slic_sites_1,4 S64b,struct slic_site}`, or
/// `&slic_site_in_macro_0` (a use of a driver's macro whose place is
/// unknown).
fn site_of(text: &str) -> Option<SiteRef> {
    if let Some(rest) = text.strip_prefix("&Element{slic_sites_") {
        let (file, rest) = rest.split_once(',')?;
        let index = rest.split_whitespace().next()?;
        return Some(SiteRef::Table {
            file: file.parse().ok()?,
            index: index.parse().ok()?,
        });
    }
    if text.starts_with("&slic_site_in_macro_") {
        return Some(SiteRef::Fields {
            position: None,
            function: "(a macro)".to_string(),
        });
    }
    None
}

/// The violation the monitor names on the lines before `line` (1-based),
/// where an abort calls `reach_error`: `slic_static_violation = "...";`.
fn violation_before(monitor: &str, line: u32) -> Option<String> {
    let lines: Vec<&str> = monitor.lines().collect();
    let last = (line as usize).checked_sub(1)?.min(lines.len());
    lines[..last].iter().rev().take(4).find_map(|text| {
        let literal = text
            .trim()
            .strip_prefix("slic_static_violation = ")?
            .strip_suffix(';')?;
        let body = literal.strip_prefix('"')?.strip_suffix('"')?;
        crate::syntax::unescape(body).ok()
    })
}

/// The path in the driver's terms: the routines the harness called, and
/// what happened at places in the driver's sources (calls of APIs, the
/// branches the analyzer assumed). The analyzer names places in the woven
/// files; their `#line` directives give the places in the sources.
fn steps(places: &[Place], program: &Program) -> Vec<Step> {
    let mut steps = Vec::new();
    for place in places {
        let called = place
            .message
            .strip_prefix("Calling '")
            .and_then(|r| r.strip_suffix('\''));
        // The functions that give a routine's address call nothing.
        if called.is_some_and(|name| name.starts_with(super::harness::ADDRESS_PREFIX)) {
            continue;
        }
        if let Some(routine) =
            called.and_then(|name| name.strip_prefix(super::harness::SHIM_PREFIX))
        {
            steps.push(Step::Routine(routine.to_string()));
            continue;
        }
        let Some(text) = program
            .woven
            .iter()
            .find(|(name, _)| place.uri.ends_with(&format!("/{name}")) || &place.uri == name)
            .map(|(_, text)| *text)
        else {
            continue;
        };
        let Some((file, line)) = presumed(text, place.line) else {
            continue;
        };
        if !program.sources.contains(&file) {
            continue;
        }
        let text = match place.message.strip_prefix("Calling '") {
            Some(callee) => {
                let callee = callee.trim_end_matches('\'');
                // The isolated wrappers end in the file's number.
                let callee = callee
                    .rsplit_once('_')
                    .filter(|(_, n)| n.parse::<u32>().is_ok())
                    .map_or(callee, |(a, _)| a);
                // `slic_wp8_F` is the wrapper a pointer to F points to.
                let through_pointer = callee
                    .strip_prefix("slic_wp")
                    .and_then(|rest| rest.split_once('_'))
                    .filter(|(digits, _)| digits.chars().all(|c| c.is_ascii_digit()))
                    .map(|(_, api)| api);
                match through_pointer {
                    Some(api) => format!("calls {api} through a pointer"),
                    None => {
                        let api = callee
                            .strip_prefix("slic_w_")
                            .or_else(|| callee.strip_prefix("slic_orig_"))
                            .unwrap_or(callee);
                        format!("calls {api}")
                    }
                }
            }
            None if is_control_flow(&place.message) => continue,
            None => place.message.clone(),
        };
        steps.push(Step::At {
            position: Position {
                file,
                line,
                column: place.column,
            },
            text,
        });
    }
    steps
}

/// The file and line a `#line` directive (or a `# N "file"` marker) makes
/// of line `line` (1-based) of `text`.
fn presumed(text: &str, line: u32) -> Option<(String, u32)> {
    let mut file: Option<String> = None;
    let mut next = 1u32;
    for (index, content) in text.lines().enumerate() {
        let physical = index as u32 + 1;
        if physical == line {
            return file.map(|f| (f, next));
        }
        let directive = content
            .trim_start()
            .strip_prefix('#')
            .map(|rest| rest.trim_start())
            .map(|rest| rest.strip_prefix("line").unwrap_or(rest).trim_start());
        match directive.and_then(line_directive) {
            Some((number, name)) => {
                next = number;
                file = Some(name);
            }
            None => next += 1,
        }
    }
    None
}

/// `N "file"` of a line directive.
fn line_directive(rest: &str) -> Option<(u32, String)> {
    let (number, name) = rest.split_once(char::is_whitespace)?;
    let number = number.parse().ok()?;
    let name = name.trim().strip_prefix('"')?;
    let end = name.find('"')?;
    Some((number, name[..end].to_string()))
}

/// Notes that only say which way control went.
fn is_control_flow(message: &str) -> bool {
    [
        "Taking ",
        "Loop condition",
        "Entering loop",
        "Left side of",
        "Returning",
        "Execution continues",
        "Control jumps",
        "Field '",
        "'?' condition",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONITOR: &str = "static void slic_r0_h2(void)\n{\n    if (1) {\n        slic_static_violation = \"R: A routine returns holding the lock. (r.slic:5:9)\";\n        slic_static_site = c->site;\n        reach_error();\n";

    fn location(uri: &str, line: u32, column: u32, message: &str) -> Value {
        serde_json::json!({
            "location": {
                "message": { "text": message },
                "physicalLocation": {
                    "artifactLocation": { "uri": uri },
                    "region": { "startLine": line, "startColumn": column }
                }
            }
        })
    }

    #[test]
    fn a_report_becomes_a_violation_at_a_site_with_its_path() {
        let log = serde_json::json!({
            "runs": [{
                "artifacts": [],
                "results": [
                    {
                        "ruleId": "debug.ExprInspection",
                        "message": { "text": "&Element{slic_sites_1,4 S64b,struct slic_site}" },
                        "codeFlows": [{ "threadFlows": [{ "locations": [
                            location("file:///tmp/w/slic_harness.c", 40, 9, "Calling 'slic_verify_DriverEntry'"),
                            location("file:///tmp/w/slic_harness.c", 41, 5, "Calling 'slic_verify_address_MyDpc'"),
                            location("file:///tmp/w/slic_harness.c", 41, 9, "Calling 'slic_verify_DispatchWrite'"),
                            location("file:///tmp/w/woven/slic_driver_1.c", 4, 5, "Calling 'slic_w_KeAcquireSpinLock_1'"),
                            location("file:///tmp/w/woven/slic_driver_1.c", 5, 9, "Assuming field 'Context' is equal to NULL"),
                            location("file:///tmp/w/woven/slic_driver_1.c", 5, 5, "Taking true branch"),
                            location("file:///tmp/w/woven/slic_driver_1.c", 8, 1, "Calling 'slic_hook_x'"),
                            location("file:///tmp/w/slic_monitor.c", 6, 9, "Calling 'reach_error'"),
                        ]}]}]
                    },
                    { "ruleId": "unix.Malloc", "message": { "text": "leak" } }
                ]
            }]
        });
        let woven = "#define x y\n#line 68 \"drivers/my driver.c\"\nint a;\n  acquire();\n  if (c) {}\n#line 1 \"<slic generated>\"\n\nhook();\n";
        let sources = ["drivers/my driver.c".to_string()];
        let program = Program {
            monitor: MONITOR,
            woven: vec![("woven/slic_driver_1.c".to_string(), woven)],
            sources: &sources,
        };
        let Outcome::Finished {
            reached,
            exhaustive,
            ..
        } = outcome(&log.to_string(), &program)
        else {
            panic!("finished");
        };
        assert!(!exhaustive);
        assert_eq!(reached.len(), 1);
        assert_eq!(
            reached[0].violation,
            "R: A routine returns holding the lock. (r.slic:5:9)"
        );
        assert_eq!(reached[0].site, Some(SiteRef::Table { file: 1, index: 4 }));
        let at = |line, column, text: &str| Step::At {
            position: Position {
                file: "drivers/my driver.c".into(),
                line,
                column,
            },
            text: text.into(),
        };
        assert_eq!(
            reached[0].path,
            [
                Step::Routine("DriverEntry".into()),
                Step::Routine("DispatchWrite".into()),
                at(69, 5, "calls KeAcquireSpinLock"),
                at(70, 9, "Assuming field 'Context' is equal to NULL"),
            ]
        );
    }

    #[test]
    fn unreadable_output_is_a_failure() {
        let program = Program {
            monitor: MONITOR,
            woven: Vec::new(),
            sources: &[],
        };
        assert!(matches!(outcome("not json", &program), Outcome::Failed(_)));
    }
}
