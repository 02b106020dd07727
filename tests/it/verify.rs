//! `slic verify` on the mock drivers, against what the runtime monitor
//! reports on them (a differential test): each seeded bug of a driver (its
//! `// expect:` comments, which `c_drivers.rs` holds the runtime monitor
//! to) must be found statically, at the same place, in the same routine,
//! by at least one engine; a driver without seeded bugs must give no
//! violation, and EVA must prove QueuedSpinLockRelease on it. The static
//! harness runs routines in every order, so it may find more than a test
//! program does (a lock a seeded bug leaves held breaks the next routine
//! too); those are allowed, and printed.
//!
//! Adding a driver is adding a directory under `tests/drivers/` and a line
//! below. Both engines run: `frama-c` (Debian package frama-c-base) and
//! `clang-19`.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::driver_support::{MockDriver, Report, require_tool};
use crate::sarif::assert_valid_sarif;
use crate::support::root;

/// `slic verify` of a mock driver's sources with the rules, as JSON (or
/// SARIF with `format`); the exit status too.
fn verify(driver: &MockDriver, rules: &[String], format: &str) -> (Value, Option<i32>) {
    verify_with(driver, rules, format, &[])
}

fn verify_with(
    driver: &MockDriver,
    rules: &[String],
    format: &str,
    extra: &[&str],
) -> (Value, Option<i32>) {
    require_tool("frama-c");
    require_tool("clang-19");
    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
    command
        .args(["verify", "--jobs", "2", "--format", format])
        .args(extra)
        .args(["-I", "tests/drivers/wdk", "-I"])
        .arg(driver.directory.strip_prefix(root()).unwrap());
    for rule in rules {
        command.args(["--rule", rule]);
    }
    command.args(&driver.sources).current_dir(root());
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "slic verify wrote no JSON ({error}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (value, output.status.code())
}

/// The rules a driver's expectations name, as pack paths.
fn rules_of(expected: &[Report]) -> Vec<String> {
    let names: BTreeSet<&str> = expected.iter().map(|r| r.rule.as_str()).collect();
    names
        .into_iter()
        .map(|name| format!("rules/wdm/{name}.slic"))
        .collect()
}

/// Every violation of a verdict, confirmed or possible, as a report.
fn found(rule: &Value) -> Vec<Report> {
    let name = rule["rule"].as_str().unwrap();
    ["violations", "possible"]
        .iter()
        .flat_map(|key| rule[*key].as_array().unwrap().iter())
        .map(|violation| Report {
            rule: name.to_string(),
            place: violation["place"]
                .as_str()
                .map(|p| p.rsplit_once(':').unwrap().0.to_string()),
            function: violation["function"].as_str().unwrap().to_string(),
        })
        .collect()
}

fn seeded_bugs_are_found(name: &str) {
    seeded_bugs_are_found_within(name, &[]);
}

/// With `extra` arguments: a bound above the default, for a bug that
/// needs more routines in a row.
fn seeded_bugs_are_found_within(name: &str, extra: &[&str]) {
    let driver = MockDriver::open(name);
    let expected = driver.expected();
    assert!(!expected.is_empty(), "{name} has seeded bugs");
    // A bug behind a condition only the test program makes true (a field
    // it sets, as hardware would) is out of the harness's reach: the line of
    // the condition says `// static: unreachable for RULE`, and that rule's
    // bugs in that routine are left out.
    let unreachable = unreachable_bugs(&driver);
    let expected: Vec<Report> = expected
        .into_iter()
        .filter(|bug| !unreachable.contains(&(bug.rule.clone(), bug.function.clone())))
        .collect();
    let (result, status) = verify_with(&driver, &rules_of(&expected), "json", extra);
    assert_eq!(status, Some(1), "violations: {result:#}");
    let rules = result["rules"].as_array().unwrap();
    let all: Vec<Report> = rules.iter().flat_map(found).collect();
    for bug in &expected {
        assert!(
            all.contains(bug),
            "{name}: the seeded bug {bug:?} was not found statically; found {all:#?}"
        );
    }
    let extra: Vec<&Report> = all.iter().filter(|r| !expected.contains(r)).collect();
    if !extra.is_empty() {
        println!("{name}: found besides the seeded bugs (every order of routines): {extra:#?}");
    }
}

/// The (rule, routine) of each `// static: unreachable for RULE` line.
fn unreachable_bugs(driver: &MockDriver) -> Vec<(String, String)> {
    let mut bugs = Vec::new();
    for source in &driver.sources {
        let text = std::fs::read_to_string(root().join(source)).unwrap();
        let mut routine = String::new();
        for line in text.lines() {
            if let Some((name, _)) = line.split_once('(')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_uppercase())
            {
                routine = name.to_string();
            }
            if let Some(rest) = line.split("// static: unreachable for ").nth(1) {
                let rule = rest.split_whitespace().next().unwrap().to_string();
                bugs.push((rule, routine.clone()));
            }
        }
    }
    bugs
}

fn correct_driver_has_no_violation(name: &str) {
    let driver = MockDriver::open(name);
    assert!(driver.expected().is_empty(), "{name} has no seeded bugs");
    let (result, status) = verify(&driver, &[], "json");
    for rule in result["rules"].as_array().unwrap() {
        assert!(
            matches!(
                rule["verdict"].as_str().unwrap(),
                "proved" | "no violation found"
            ),
            "{name}: {rule:#}"
        );
        if rule["rule"] == "QueuedSpinLockRelease" {
            assert_eq!(rule["verdict"], "proved", "{name}: {rule:#}");
        }
    }
    assert_eq!(status, Some(0));
}

#[test]
fn queued_driver_seeded_bugs_are_found_statically() {
    seeded_bugs_are_found("queued");
}

#[test]
fn serial_driver_seeded_bugs_are_found_statically() {
    seeded_bugs_are_found("serial");
}

#[test]
fn legacy_driver_seeded_bugs_are_found_statically() {
    seeded_bugs_are_found("legacy");
}

/// Bound 4: the work item's bugs need four routines in a row (a refresh
/// queues it, it runs and updates the cache, a second refresh, and the
/// second run finds the cache up to date), as the test program runs them.
#[test]
fn config_driver_seeded_bugs_are_found_statically() {
    seeded_bugs_are_found_within("config", &["--bound", "4"]);
}

#[test]
fn tables_driver_seeded_bugs_are_found_statically() {
    seeded_bugs_are_found("tables");
}

#[test]
fn ringbuf_driver_has_no_violation_statically() {
    correct_driver_has_no_violation("ringbuf");
}

#[test]
fn mailbox_driver_has_no_violation_statically() {
    correct_driver_has_no_violation("mailbox");
}

/// The SARIF of a run with violations, paths and possible violations is
/// valid, and names the rules with their help links.
#[test]
fn verify_sarif_is_valid() {
    let driver = MockDriver::open("queued");
    let (log, status) = verify(
        &driver,
        &["rules/wdm/QueuedSpinLockRelease.slic".to_string()],
        "sarif",
    );
    assert_eq!(status, Some(1));
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let rule = &run["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "QueuedSpinLockRelease");
    assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    let results = run["results"].as_array().unwrap();
    let at_exit = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"] == 76
                && r["level"] == "error"
        })
        .unwrap_or_else(|| panic!("the seeded bug at line 76: {log:#}"));
    assert_eq!(
        at_exit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/drivers/queued/driver.c"
    );
    let flow = at_exit["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap();
    let routines: Vec<&str> = flow
        .iter()
        .filter_map(|l| l["location"]["logicalLocations"][0]["name"].as_str())
        .collect();
    assert!(routines.contains(&"DriverEntry"), "{routines:?}");
    assert!(routines.contains(&"DispatchWrite"), "{routines:?}");
}

/// The static harness of `tests/static/`, whose scenario files the
/// exhaustive-search and Frama-C tests of `static_monitor.rs` run by hand:
/// slic verify finds the lock taken twice on its own.
#[test]
fn the_static_driver_lock_taken_twice() {
    require_tool("frama-c");
    require_tool("clang-19");
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args([
            "verify",
            "--format",
            "json",
            "--rule",
            "rules/wdm/SpinLock.slic",
        ])
        .args(["-I", "tests/drivers/wdk", "tests/static/driver.c"])
        .current_dir(root())
        .output()
        .unwrap();
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rule = &result["rules"][0];
    assert_eq!(rule["verdict"], "violation", "{rule:#}");
    let found = found(rule);
    assert!(
        found.contains(&Report {
            rule: "SpinLock".to_string(),
            place: Some("tests/static/driver.c:31".to_string()),
            function: "Flush".to_string(),
        }),
        "{found:#?}"
    );
}
