//! What Frama-C's EVA said, from its output.
//!
//! The program's `reach_error` (`c/eva.c`) shows the violation and its site
//! with `Frama_C_show_each_slic_violation`, then asserts false: each abort
//! EVA finds reachable prints its values. EVA evaluates the call once per
//! state it keeps apart (the command line gives it a large `-eva-slevel`),
//! so each print is usually one violation at one site; where states were
//! joined, a value is a set, and the site is left unknown.
//!
//! An alarm is undefined behaviour EVA could not rule out; it goes on as if
//! it did not happen, so a run with alarms proves nothing about the runs
//! that would have had it.

use super::{Outcome, Reached, SiteRef};
use crate::weave::Position;

/// The options that keep the monitor's states apart: merged, the object a
/// rule follows and its state blur, and two locks nested look like one lock
/// taken twice (see `tests/it/static_monitor.rs`).
pub fn options(slevel: u32, bound: u32) -> Vec<String> {
    // Between the routines the harness calls, states that agree on the
    // monitor's state are merged: the driver's data is joined, the rule's
    // state never is. The functions that fill the harness's objects merge
    // too: each nullable pointer is NULL or an object, two states after the
    // call that chooses (returns are split), and a real WDK's IRP has dozens
    // of pointers; joined, each field holds both, which is what it means.
    let merged: Vec<String> = std::iter::once(super::harness::ENTRY.to_string())
        .chain(super::harness::fill_functions(bound))
        .map(|function| format!("{function}:0"))
        .collect();
    [
        "-eva",
        "-main",
        super::harness::ENTRY,
        "-eva-slevel",
        &slevel.to_string(),
        &format!("-eva-slevel-function={}", merged.join(",")),
        "-eva-partition-value",
        super::harness::PARTITION,
        "-eva-split-limit",
        "100000",
        "-eva-split-return",
        "full",
        "-eva-msg-key=-initial-state,-final-states",
        "-kernel-warn-key=typing:implicit-conv-void-ptr=inactive",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The machine model EVA analyses with, for a clang target triple: Windows
/// targets are LLP64 (`long` has 32 bits, which `NT_SUCCESS` depends on).
pub fn machdep(target: &str) -> &'static str {
    if target.contains("windows") || target.contains("mingw") {
        "msvc_x86_64"
    } else {
        "gcc_x86_64"
    }
}

/// The directory (in a rule's program) of the headers that stand in for the
/// compiler's SIMD headers when EVA's input is preprocessed, given with
/// `-isystem` so that it comes before the compiler's own.
pub const SYSTEM_DIRECTORY: &str = "eva_sys";

/// The stand-ins: a real WDK header (mingw-w64's `<wdm.h>` includes
/// `<intrin.h>`) pulls in the compiler's intrinsics, vector types and
/// builtins that Frama-C's C front end cannot read; no rule is about them,
/// so EVA sees the types, opaque, and nothing else.
pub const SYSTEM_HEADERS: &[(&str, &str)] = &[
    ("x86intrin.h", include_str!("c/eva_system/x86intrin.h")),
    ("mmintrin.h", include_str!("c/eva_system/mmintrin.h")),
    ("mm3dnow.h", include_str!("c/eva_system/mm3dnow.h")),
    ("xmmintrin.h", include_str!("c/eva_system/xmmintrin.h")),
    ("emmintrin.h", include_str!("c/eva_system/emmintrin.h")),
    ("pmmintrin.h", include_str!("c/eva_system/pmmintrin.h")),
];

/// What EVA's preprocessing adds to the driver's compile, for what else
/// Frama-C's C front end does not read in a real WDK header:
/// `__restrict__` (it knows `__restrict`), `__builtin_va_list` under the
/// MSVC machine model (where `va_list` is a `char *`), and mingw-w64's
/// inline definitions of MSVC intrinsics (`psdk_inc/intrin-impl.h`: GNU
/// `extern inline` definitions the header defines again, and `__int128`),
/// which `__INTRINSIC_ONLYSPECIAL` leaves out: EVA then havocks the
/// intrinsics a driver calls, as any function without a body.
pub fn preprocessor_arguments(target: &str) -> Vec<String> {
    let mut arguments = vec![
        "-isystem".to_string(),
        SYSTEM_DIRECTORY.to_string(),
        "-D__restrict__=__restrict".to_string(),
        "-D__INTRINSIC_ONLYSPECIAL".to_string(),
    ];
    if machdep(target) == "msvc_x86_64" {
        arguments.push("-D__builtin_va_list=char *".to_string());
    }
    arguments
}

const SHOW: &str = "Frama_C_show_each_slic_violation:";

/// The outcome of a run whose standard output (with standard error after
/// it) is `output` and whose exit status was `success`.
pub fn outcome(output: &str, success: bool) -> Outcome {
    let lines: Vec<&str> = output.lines().collect();
    let done = format!("[eva] done for function {}", super::harness::ENTRY);
    if !success || !lines.iter().any(|l| l.trim() == done) {
        return Outcome::Failed(failure(&lines));
    }
    if let Some(line) = lines.iter().find(|l| l.contains("Degeneration occurred")) {
        return Outcome::Failed(format!("EVA's analysis degenerated: {}", line.trim()));
    }
    let mut reached = Vec::new();
    let mut alarms = Vec::new();
    let mut havocked = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        if line.trim() == SHOW {
            let mut values = String::new();
            index += 1;
            while index < lines.len() && lines[index].starts_with("  ") {
                values.push_str(lines[index].trim());
                values.push(' ');
                index += 1;
            }
            reached.extend(shown(&values));
            continue;
        }
        if let Some(rest) = line.strip_prefix("[eva:alarm] ") {
            let place = rest.trim_end_matches(" Warning: ").trim_end_matches(':');
            let text = lines.get(index + 1).map_or("", |l| l.trim());
            if !text.contains("'slic_violation'") {
                alarms.push(format!("{place}: {text}"));
            }
        }
        if let Some(rest) = line
            .trim()
            .strip_prefix("Neither code nor specification for function ")
        {
            let name = rest.split(',').next().unwrap_or(rest).trim().to_string();
            if !havocked.contains(&name) {
                havocked.push(name);
            }
        }
        index += 1;
    }
    alarms.dedup();
    Outcome::Finished {
        reached: dedup(reached),
        alarms,
        exhaustive: true,
        havocked,
    }
}

fn dedup(mut reached: Vec<Reached>) -> Vec<Reached> {
    let mut kept: Vec<Reached> = Vec::new();
    for one in reached.drain(..) {
        if !kept.contains(&one) {
            kept.push(one);
        }
    }
    kept
}

/// Why EVA did not finish: its errors, or the end of its output.
fn failure(lines: &[&str]) -> String {
    let errors: Vec<&str> = lines
        .iter()
        .filter(|l| {
            l.contains("User Error")
                || l.contains("Frama-C aborted")
                || l.contains("[kernel] Failure")
        })
        .map(|l| l.trim())
        .collect();
    if !errors.is_empty() {
        return format!("frama-c failed: {}", errors.join("; "));
    }
    let tail: Vec<&str> = lines.iter().rev().take(3).rev().map(|l| l.trim()).collect();
    format!("frama-c did not finish the analysis: {}", tail.join(" "))
}

/// One show: the violation, the site's file, line, column and function.
/// A site whose values are sets (states joined) is left unknown.
fn shown(values: &str) -> Vec<Reached> {
    let arguments = split_arguments(values);
    let [violation, file, line, column, function] = arguments.as_slice() else {
        return Vec::new();
    };
    let violations = strings(violation);
    let functions = strings(function);
    let site = match functions.as_slice() {
        [function] if violations.len() == 1 => {
            if is_null(file) {
                Some(SiteRef::Fields {
                    position: None,
                    function: function.clone(),
                })
            } else {
                match (
                    strings(file).as_slice(),
                    single_number(line),
                    single_number(column),
                ) {
                    ([file], Some(line), Some(column)) => Some(SiteRef::Fields {
                        position: Some(Position {
                            file: file.clone(),
                            line,
                            column,
                        }),
                        function: function.clone(),
                    }),
                    _ => None,
                }
            }
        }
        _ => None,
    };
    violations
        .into_iter()
        .map(|violation| Reached {
            violation,
            site: site.clone(),
            path: Vec::new(),
        })
        .collect()
}

fn is_null(text: &str) -> bool {
    text.trim() == "{0}"
}

fn single_number(text: &str) -> Option<u32> {
    text.trim()
        .strip_prefix('{')?
        .strip_suffix('}')?
        .trim()
        .parse()
        .ok()
}

/// The strings of `{{ "a" ; "b" }}`.
fn strings(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(escaped) = chars.next() {
                        value.push(match escaped {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                '"' => break,
                other => value.push(other),
            }
        }
        found.push(value);
    }
    found
}

/// Splits `a, b, c` at the commas outside braces and strings.
fn split_arguments(text: &str) -> Vec<String> {
    let mut arguments = vec![String::new()];
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            arguments.last_mut().expect("an argument").push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                arguments.push(String::new());
                continue;
            }
            _ => {}
        }
        arguments.last_mut().expect("an argument").push(c);
    }
    arguments
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = r#"[kernel] Parsing driver.i (no preprocessing)
[kernel:annot:missing-spec] tests/drivers/queued/driver.c:112: Warning: 
  Neither code nor specification for function IofCompleteRequest, generating default assigns from the prototype
[eva] slic_eva.c:40: 
  Frama_C_show_each_slic_violation:
  {{ "QueuedSpinLockRelease: A dispatch or cancel routine returns while still holding an in-stack queued spin lock. (rules/wdm/QueuedSpinLockRelease.slic:54:9)" }},
  {{ "tests/drivers/queued/driver.c" }}, {76}, {1}, {{ "DispatchWrite" }}
[eva:alarm] slic_eva.c:41: Warning: 
  assertion 'slic_violation' got status invalid (stopping propagation).
[eva] slic_eva.c:40: 
  Frama_C_show_each_slic_violation:
  {{ "QueuedSpinLockRelease: The driver acquires an in-stack queued spin lock while it already holds one. (rules/wdm/QueuedSpinLockRelease.slic:36:9)" }},
  {0}, {0}, {0}, {{ "DispatchDeviceControl" }}
[eva:alarm] tests/drivers/queued/driver.c:105: Warning: 
  out of bounds read. assert \valid_read(&Irp->CancelIrql);
[eva] done for function slic_harness
"#;

    #[test]
    fn violations_sites_alarms_and_havocked_functions() {
        let Outcome::Finished {
            reached,
            alarms,
            havocked,
            ..
        } = outcome(OUTPUT, true)
        else {
            panic!("finished");
        };
        assert_eq!(reached.len(), 2);
        assert!(
            reached[0]
                .violation
                .starts_with("QueuedSpinLockRelease: A dispatch")
        );
        assert_eq!(
            reached[0].site,
            Some(SiteRef::Fields {
                position: Some(Position {
                    file: "tests/drivers/queued/driver.c".into(),
                    line: 76,
                    column: 1
                }),
                function: "DispatchWrite".into()
            })
        );
        assert_eq!(
            reached[1].site,
            Some(SiteRef::Fields {
                position: None,
                function: "DispatchDeviceControl".into()
            })
        );
        assert_eq!(
            alarms,
            [
                "tests/drivers/queued/driver.c:105: out of bounds read. assert \\valid_read(&Irp->CancelIrql);"
            ]
        );
        assert_eq!(havocked, ["IofCompleteRequest"]);
    }

    #[test]
    fn joined_states_leave_the_site_unknown() {
        let output = "  Frama_C_show_each_slic_violation:\n  {{ \"R: m (r.slic:1:1)\" }}, {{ \"a.c\" }}, {3; 7}, {1}, {{ \"F\" }}\n[eva] done for function slic_harness\n";
        let Outcome::Finished { reached, .. } = outcome(output, true) else {
            panic!("finished");
        };
        assert_eq!(reached.len(), 1);
        assert_eq!(reached[0].site, None);
    }

    #[test]
    fn an_unfinished_run_says_why() {
        let Outcome::Failed(reason) = outcome("[kernel] User Error: no such file\n", false) else {
            panic!("failed");
        };
        assert!(reason.contains("no such file"), "{reason}");
    }
}
