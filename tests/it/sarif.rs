//! SARIF 2.1.0 from every producer, validated against the OASIS schema
//! (`tests/fixtures/sarif/`, see its README for where it comes from) with
//! the `jsonschema` crate: `slic check --message-format sarif`, the runtime
//! monitor's log (`SLIC_SARIF`), written by several processes of several
//! threads at once (`tests/fixtures/sarif/threads.c`, built plain and with
//! ThreadSanitizer), and `slic verify --format sarif` (in `verify.rs`).

use std::process::Command;
use std::sync::LazyLock;

use serde_json::Value;

use crate::driver_support::{MockDriver, check_output, parse_reports, require_tool, run_slic};
use crate::support::root;

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let text = std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema is in tests/fixtures/sarif");
    let mut schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    // The schema's patterns for `language` end in a stray `]`, which
    // ECMAScript regular expressions (the schema's dialect) read as a
    // literal `]` and the crate's engine refuses when it checks the schema.
    // `\]` is the same literal to both; nothing else is touched.
    let patched = escape_stray_bracket(&mut schema);
    assert_eq!(patched, 2, "the two `language` patterns");
    jsonschema::draft4::new(&schema).expect("the SARIF schema compiles")
});

const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn escape_stray_bracket(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => map
            .iter_mut()
            .map(|(key, value)| {
                if key == "pattern" && value == STRAY {
                    *value = Value::from("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                    1
                } else {
                    escape_stray_bracket(value)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
        _ => 0,
    }
}

/// Fails, listing the errors, unless `log` is valid SARIF 2.1.0.
pub fn assert_valid_sarif(log: &Value) {
    let errors: Vec<String> = SCHEMA
        .iter_errors(log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(log).unwrap()
    );
    assert_eq!(log["version"], "2.1.0");
}

/// The ids of the rules a SARIF run describes.
fn rule_ids(run: &Value) -> Vec<&str> {
    run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    // The validator is not one that accepts anything.
    let bad = serde_json::json!({ "version": "2.1.0", "runs": [{ "results": [] }] });
    assert!(
        SCHEMA.iter_errors(&bad).next().is_some(),
        "a run needs a tool"
    );
    let bad = serde_json::json!({ "version": "2.0.0", "runs": [] });
    assert!(
        SCHEMA.iter_errors(&bad).next().is_some(),
        "the version is 2.1.0"
    );
}

/// `slic check --message-format FORMAT FIXTURES...`, run from the repository's root.
fn check(fixtures: &[std::path::PathBuf], format: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_slic"))
        .arg("check")
        .args(["--message-format", format])
        .args(fixtures)
        .current_dir(root())
        .output()
        .unwrap()
}

#[test]
fn check_writes_one_sarif_log_of_its_diagnostics() {
    let directory = root().join("tests/fixtures/check/invalid");
    let mut fixtures: Vec<_> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slic"))
        .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    fixtures.sort();
    let output = check(&fixtures, "sarif");
    assert_eq!(output.status.code(), Some(1), "the fixtures have errors");
    let log: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    // The same diagnostics as the JSON lines of the same run.
    let json = check(&fixtures, "json");
    let lines: Vec<Value> = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), lines.len());
    for (result, line) in results.iter().zip(&lines) {
        assert_eq!(result["ruleId"], line["code"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], line["primary"]["line"]);
        assert_eq!(region["startColumn"], line["primary"]["column"]);
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            line["primary"]["file"]
        );
    }
    // A rule per code used.
    let rules = rule_ids(run);
    for result in results {
        assert!(rules.contains(&result["ruleId"].as_str().unwrap()));
    }
}

#[test]
fn check_of_a_clean_pack_is_an_empty_sarif_log() {
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args(["check", "--message-format", "sarif"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success());
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

/// The queued mock driver, built with the runtime monitor, run by several
/// processes at once (each runs its scenarios on threads), all appending to
/// one SARIF log: the log is valid, and holds every report of every run,
/// as the report on standard error gives it.
#[test]
fn runtime_monitor_appends_to_one_sarif_log_from_threads_and_processes() {
    let driver = MockDriver::open("queued");
    let work = tempfile::tempdir().unwrap();
    let executable = driver.build_with_c_weaver("gcc", work.path());
    let log_path = work.path().join("violations.sarif");
    let runs = 8;
    let children: Vec<_> = (0..runs)
        .map(|_| {
            Command::new(&executable)
                .env("SLIC_ON_VIOLATION", "continue")
                .env("SLIC_SARIF", &log_path)
                .current_dir(root())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut expected = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        expected.extend(parse_reports(&String::from_utf8_lossy(&output.stderr)));
    }
    assert_eq!(expected.len(), runs * driver.expected().len());
    let text = std::fs::read_to_string(&log_path).unwrap();
    let log: Value = serde_json::from_str(&text).expect("the log is one JSON document");
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let rules = rule_ids(run);
    assert!(rules.contains(&"QueuedSpinLockRelease"), "{rules:?}");
    let mut found: Vec<(String, Option<String>, String)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            let location = &result["locations"][0];
            let place = location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .map(|uri| {
                    format!(
                        "{uri}:{}",
                        location["physicalLocation"]["region"]["startLine"]
                    )
                });
            (
                result["ruleId"].as_str().unwrap().to_string(),
                place,
                location["logicalLocations"][0]["name"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, Option<String>, String)> = expected
        .into_iter()
        .map(|r| (r.rule, r.place, r.function))
        .collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
}

/// A file that is not a log slic wrote is left alone.
#[test]
fn runtime_monitor_leaves_a_foreign_file_alone() {
    let driver = MockDriver::open("queued");
    let work = tempfile::tempdir().unwrap();
    let executable = driver.build_with_c_weaver("gcc", work.path());
    let log_path = work.path().join("notes.txt");
    std::fs::write(&log_path, "my notes\n").unwrap();
    let output = Command::new(&executable)
        .env("SLIC_ON_VIOLATION", "continue")
        .env("SLIC_SARIF", &log_path)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(std::fs::read_to_string(&log_path).unwrap(), "my notes\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a SARIF log slic wrote"), "{stderr}");
    // The report on standard error is unchanged.
    assert_eq!(parse_reports(&stderr), driver.expected());
}

/// `tests/fixtures/sarif/threads.c` with the runtime monitor of one rule,
/// built by `compiler` with `flags`.
fn build_threads(work: &std::path::Path, compiler: &str, flags: &[&str]) -> std::path::PathBuf {
    require_tool(compiler);
    let monitor = work.join("monitor");
    if !monitor.join("slic_monitor.c").exists() {
        run_slic(&[
            "monitor".to_string(),
            "-o".to_string(),
            monitor.display().to_string(),
            "--rule".to_string(),
            "rules/wdm/QueuedSpinLockRelease.slic".to_string(),
        ]);
    }
    let executable = work.join(format!("threads-{compiler}"));
    let mut command = Command::new(compiler);
    command
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"])
        .args(flags)
        .arg(format!("-I{}", monitor.display()))
        .arg(root().join("tests/fixtures/sarif/threads.c"))
        .arg(monitor.join("slic_monitor.c"))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(command, &format!("{compiler} on threads.c"));
    executable
}

/// Runs `processes` copies of the threads program at once, each with
/// `threads` threads reporting `reports` violations, all into the SARIF log
/// `log`; their standard errors.
fn report_at_once(
    executable: &std::path::Path,
    log: &std::path::Path,
    processes: usize,
    threads: usize,
    reports: usize,
) -> Vec<String> {
    let children: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(executable)
                .args([threads.to_string(), reports.to_string()])
                .env("SLIC_ON_VIOLATION", "continue")
                .env("SLIC_SARIF", log)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(output.status.success(), "{stderr}");
            stderr
        })
        .collect()
}

/// Many threads of many processes report at once: the log is valid, holds
/// every report once (each thread's at its own line), and the message's
/// quotes, backslash and tab come back as written. Built with
/// ThreadSanitizer too, which must find no data race in the reporting.
#[test]
fn runtime_monitor_sarif_log_takes_reports_from_threads_at_once() {
    let work = tempfile::tempdir().unwrap();
    let (processes, threads, reports) = (4, 8, 25);
    let plain = build_threads(work.path(), "gcc", &[]);
    let log = work.path().join("threads.sarif");
    report_at_once(&plain, &log, processes, threads, reports);
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap())
        .expect("the log is one JSON document");
    assert_valid_sarif(&value);
    let results = value["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), processes * threads * reports);
    for thread in 1..=threads {
        let at_line = results
            .iter()
            .filter(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"] == thread)
            .count();
        assert_eq!(at_line, processes * reports, "thread {thread}");
    }
    assert_eq!(
        results[0]["message"]["text"],
        "A message with \"quotes\", a \\ and a\ttab."
    );

    let sanitized = build_threads(work.path(), "clang-19", &["-fsanitize=thread"]);
    let log = work.path().join("sanitized.sarif");
    for stderr in report_at_once(&sanitized, &log, 2, threads, 5) {
        assert!(!stderr.contains("ThreadSanitizer"), "{stderr}");
    }
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    assert_valid_sarif(&value);
    assert_eq!(
        value["runs"][0]["results"].as_array().unwrap().len(),
        2 * threads * 5
    );
}
