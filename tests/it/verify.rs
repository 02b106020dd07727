//! `slic verify` on the drivers of `tests/drivers/`.
//!
//! - A differential test on each mock driver: its test program is built
//!   with the runtime monitor and run, and every report the runtime gives
//!   must be found statically, at the same place, in the same routine, by
//!   at least one engine; a driver on which the runtime reports nothing must
//!   give no violation statically either, and EVA must prove
//!   QueuedSpinLockRelease on the correct drivers that take queued spin
//!   locks. The static harness runs routines in every order, so it may find
//!   more than a test program does (a lock a seeded bug leaves held breaks
//!   the next routine too; a protocol that crosses threads looks wrong on
//!   one); those are allowed, and printed.
//! - The drivers on mingw-w64's real DDK headers, which cannot run: every
//!   seeded bug of their `// expect:` annotations is found.
//! - Exit status, `--jobs`, SARIF.
//!
//! A bug behind a condition the harness never makes true is marked on the
//! line of the condition: `// static: unreachable for RULE ; RULE (why)`;
//! those rules' bugs in that routine are left out.
//!
//! Adding a mock driver is adding a directory under `tests/drivers/` and a
//! line below; adding a real-header driver is adding a file to
//! `tests/drivers/mingw/`. Both engines run: `frama-c` (Debian package
//! frama-c-base) and `clang-19`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::driver_support::{MockDriver, Report, expectations, require_tool, run_driver_with};
use crate::sarif::assert_valid_sarif;
use crate::support::root;

const MINGW_INCLUDE: &str = "/usr/x86_64-w64-mingw32/include";

/// `slic verify ARGUMENTS` from the repository's root: its output, parsed
/// as JSON (or SARIF), and its exit status.
fn slic_verify(arguments: &[String]) -> (Value, Option<i32>) {
    require_tool("frama-c");
    require_tool("clang-19");
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .arg("verify")
        .args(arguments)
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "slic verify wrote no JSON ({error}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (value, output.status.code())
}

/// The arguments that verify `sources` with `rules` (the pack when none),
/// two rules at a time, printing `format`.
fn arguments(
    sources: &[PathBuf],
    include: &[&Path],
    rules: &[String],
    format: &str,
    extra: &[&str],
) -> Vec<String> {
    let mut words: Vec<String> = ["--format", format]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
    if !extra.contains(&"--jobs") {
        words.extend(["--jobs".to_string(), "2".to_string()]);
    }
    for directory in include {
        words.push("-I".to_string());
        words.push(directory.display().to_string());
    }
    for rule in rules {
        words.push("--rule".to_string());
        words.push(rule.clone());
    }
    words.extend(sources.iter().map(|s| s.display().to_string()));
    words
}

/// `slic verify` of a mock driver's sources, with the mock WDK.
fn verify_mock(
    driver: &MockDriver,
    rules: &[String],
    format: &str,
    extra: &[&str],
) -> (Value, Option<i32>) {
    let directory = driver.directory.strip_prefix(root()).unwrap();
    slic_verify(&arguments(
        &driver.sources,
        &[Path::new("tests/drivers/wdk"), directory],
        rules,
        format,
        extra,
    ))
}

/// The rules reports name, as pack paths.
fn rules_of(reports: &[Report]) -> Vec<String> {
    let names: BTreeSet<&str> = reports.iter().map(|r| r.rule.as_str()).collect();
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

/// What the runtime monitor reports when the driver's test program runs
/// (built with gcc and the C weaver).
fn runtime_reports(driver: &MockDriver) -> Vec<Report> {
    let work = tempfile::tempdir().unwrap();
    let executable = driver.build_with_c_weaver("gcc", work.path());
    run_driver_with(&executable, &[]).0
}

/// Each report must be among what `slic verify` found, but those the
/// sources mark out of the harness's reach; `verify` runs it with the rules
/// the reports name. What it found besides is printed.
fn all_are_found(
    name: &str,
    sources: &[PathBuf],
    reports: &[Report],
    verify: impl Fn(&[String]) -> (Value, Option<i32>),
) {
    let unreachable = unreachable_bugs(sources);
    let expected: Vec<&Report> = reports
        .iter()
        .filter(|bug| !unreachable.contains(&(bug.rule.clone(), bug.function.clone())))
        .collect();
    let (result, status) = verify(&rules_of(reports));
    let all: Vec<Report> = result["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(found)
        .collect();
    for bug in &expected {
        assert!(
            all.contains(bug),
            "{name}: the bug {bug:?} was not found statically; found {all:#?}"
        );
    }
    assert_eq!(
        status,
        Some(if all.is_empty() { 0 } else { 1 }),
        "{result:#}"
    );
    let besides: Vec<&Report> = all.iter().filter(|r| !expected.contains(r)).collect();
    if !besides.is_empty() {
        println!("{name}: found besides (every order of routines, on one thread): {besides:#?}");
    }
}

/// The runtime's reports on a mock driver are found statically. `extra`:
/// arguments such as a bound above the default, for a bug that needs more
/// routines in a row.
fn static_agrees_with_runtime(name: &str, extra: &[&str]) {
    let driver = MockDriver::open(name);
    let runtime = runtime_reports(&driver);
    assert!(
        !runtime.is_empty(),
        "{name}: the runtime reports its seeded bugs"
    );
    all_are_found(name, &driver.sources, &runtime, |rules| {
        verify_mock(&driver, rules, "json", extra)
    });
}

/// The (rule, routine) of each `// static: unreachable for RULE ; RULE`.
fn unreachable_bugs(sources: &[PathBuf]) -> Vec<(String, String)> {
    let mut bugs = Vec::new();
    for source in sources {
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
                let rules = rest.split(" (").next().unwrap();
                for rule in rules.split(" ; ") {
                    bugs.push((rule.trim().to_string(), routine.clone()));
                }
            }
        }
    }
    bugs
}

/// Nothing at run time, nothing statically: every rule of the driver (the
/// pack, unless it names its rules) is proved or has no violation found;
/// with `proves_queued`, EVA proves QueuedSpinLockRelease.
fn correct_driver_agrees_with_runtime(name: &str, proves_queued: bool) {
    let driver = MockDriver::open(name);
    assert_eq!(
        runtime_reports(&driver),
        [],
        "{name}: the runtime reports nothing"
    );
    let rules: Vec<String> = driver
        .rules
        .iter()
        .map(|r| r.display().to_string())
        .collect();
    let (result, status) = verify_mock(&driver, &rules, "json", &[]);
    let mut queued = None;
    for rule in result["rules"].as_array().unwrap() {
        assert!(
            matches!(
                rule["verdict"].as_str().unwrap(),
                "proved" | "no violation found"
            ),
            "{name}: {rule:#}"
        );
        if rule["rule"] == "QueuedSpinLockRelease" {
            queued = Some(rule["verdict"].clone());
        }
    }
    if proves_queued {
        assert_eq!(queued, Some(Value::from("proved")), "{name}: {result:#}");
    }
    assert_eq!(status, Some(0));
}

#[test]
fn queued_driver_static_verdict_agrees_with_runtime() {
    static_agrees_with_runtime("queued", &[]);
}

#[test]
fn serial_driver_static_verdict_agrees_with_runtime() {
    static_agrees_with_runtime("serial", &[]);
}

#[test]
fn legacy_driver_static_verdict_agrees_with_runtime() {
    static_agrees_with_runtime("legacy", &[]);
}

/// Bound 4: the work item's bugs need four routines in a row (a refresh
/// queues it, it runs and updates the cache, a second refresh, and the
/// second run finds the cache up to date), as the test program runs them.
#[test]
fn config_driver_static_verdict_agrees_with_runtime() {
    static_agrees_with_runtime("config", &["--bound", "4"]);
}

/// The IRQL rules' driver: each seeded bug breaks a rule at the IRQL the
/// routine runs at (the harness enters each routine at its system IRQL).
#[test]
fn irql_driver_static_verdict_agrees_with_runtime() {
    static_agrees_with_runtime("irql", &[]);
}

#[test]
fn tables_driver_static_verdict_agrees_with_runtime() {
    static_agrees_with_runtime("tables", &[]);
}

/// Its test program runs pairs of routines on two threads; the harness
/// runs them on one, and finds each wrong release too (and, besides, takes
/// the legal release for another thread's owner for a wrong one).
#[test]
fn crossthread_driver_static_verdict_agrees_with_runtime() {
    static_agrees_with_runtime("crossthread", &[]);
}

#[test]
fn ringbuf_driver_static_verdict_agrees_with_runtime() {
    correct_driver_agrees_with_runtime("ringbuf", true);
}

#[test]
fn mailbox_driver_static_verdict_agrees_with_runtime() {
    correct_driver_agrees_with_runtime("mailbox", true);
}

/// Correct when another thread sets the flag its first routine waits for;
/// on the harness's one thread, that routine never gets past the wait.
#[test]
fn handoff_driver_static_verdict_agrees_with_runtime() {
    correct_driver_agrees_with_runtime("handoff", false);
}

/// The drivers on mingw-w64's DDK headers (`<wdm.h>`, `<ntddk.h>`): each
/// file a driver, its seeded bugs found by at least one engine; EVA reads
/// the real headers too.
#[test]
fn real_header_drivers_seeded_bugs_are_found_statically() {
    let include = PathBuf::from(MINGW_INCLUDE);
    assert!(
        include.join("ddk/wdm.h").is_file(),
        "mingw-w64's DDK headers are needed by this test: run scripts/install-tools (Debian package mingw-w64-x86-64-dev)"
    );
    let ddk = include.join("ddk");
    let mut drivers: Vec<PathBuf> = std::fs::read_dir(root().join("tests/drivers/mingw"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    drivers.sort();
    assert!(!drivers.is_empty());
    for driver in drivers {
        let bugs = expectations(&driver);
        assert!(!bugs.is_empty(), "{}: seeded bugs", driver.display());
        let sources = vec![driver.clone()];
        all_are_found(&driver.display().to_string(), &sources, &bugs, |rules| {
            let (result, status) =
                slic_verify(&arguments(&sources, &[&ddk, &include], rules, "json", &[]));
            for rule in result["rules"].as_array().unwrap() {
                let notes = rule["notes"].to_string();
                assert!(
                    !notes.contains("eva: frama-c failed"),
                    "{}: EVA reads the headers: {notes}",
                    driver.display()
                );
            }
            (result, status)
        });
    }
}

/// The SARIF of a run with violations, paths and possible violations is
/// valid, and names the rules with their help links.
#[test]
fn verify_sarif_is_valid() {
    let driver = MockDriver::open("queued");
    let (log, status) = verify_mock(
        &driver,
        &["rules/wdm/QueuedSpinLockRelease.slic".to_string()],
        "sarif",
        &[],
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
    let (result, status) = verify_static_driver(&["rules/wdm/SpinLock.slic"], &[]);
    assert_eq!(status, Some(1));
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

/// `slic verify` of `tests/static/driver.c` with `rules`, as JSON unless
/// `extra` says otherwise.
fn verify_static_driver(rules: &[&str], extra: &[&str]) -> (Value, Option<i32>) {
    let mut words: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    if !extra.contains(&"--format") {
        words.extend(["--format".to_string(), "json".to_string()]);
    }
    for rule in rules {
        words.extend(["--rule".to_string(), rule.to_string()]);
    }
    words.extend(["-I", "tests/drivers/wdk", "tests/static/driver.c"].map(String::from));
    slic_verify(&words)
}

/// The verdicts without the time each engine took.
fn without_times(mut result: Value) -> Value {
    for rule in result["rules"].as_array_mut().unwrap() {
        rule.as_object_mut().unwrap().remove("seconds");
    }
    result
}

/// Rules verified three at a time give what they give one at a time, in
/// the same order.
#[test]
fn jobs_change_nothing_but_the_time() {
    let rules = [
        "rules/wdm/SpinLock.slic",
        "rules/wdm/SpinlockRelease.slic",
        "rules/wdm/QueuedSpinLockRelease.slic",
    ];
    let (one, status_one) = verify_static_driver(&rules, &["--jobs", "1"]);
    let (three, status_three) = verify_static_driver(&rules, &["--jobs", "3"]);
    assert_eq!(status_one, status_three);
    let names: Vec<&str> = one["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["SpinLock", "SpinlockRelease", "QueuedSpinLockRelease"]
    );
    assert_eq!(without_times(one), without_times(three));
}

/// A rule no engine could finish (here each is stopped at once, `--timeout
/// 0`) is unknown, with the reason: exit status 2, and in SARIF a tool
/// notification of a run that did not succeed.
#[test]
fn a_rule_not_verified_is_unknown_and_exits_2() {
    let (result, status) = verify_static_driver(&["rules/wdm/SpinLock.slic"], &["--timeout", "0"]);
    assert_eq!(status, Some(2), "{result:#}");
    let rule = &result["rules"][0];
    assert_eq!(rule["verdict"], "unknown", "{rule:#}");
    assert!(!rule["reason"].as_str().unwrap().is_empty(), "{rule:#}");
    let (log, status) = verify_static_driver(
        &["rules/wdm/SpinLock.slic"],
        &["--timeout", "0", "--format", "sarif"],
    );
    assert_eq!(status, Some(2));
    assert_valid_sarif(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1, "{invocation:#}");
    assert!(
        notifications[0].to_string().contains("SpinLock"),
        "{invocation:#}"
    );
}

/// Without `frama-c` on the PATH, the EVA engine is refused with exit
/// status 2 and the package to install; clang alone still runs.
#[test]
fn a_missing_analyzer_exits_2_naming_its_package() {
    let bin = tempfile::tempdir().unwrap();
    for tool in ["sh", "clang-19"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        let path = String::from_utf8(found.stdout).unwrap();
        assert!(!path.trim().is_empty(), "`{tool}` is needed by this test");
        std::os::unix::fs::symlink(path.trim(), bin.path().join(tool)).unwrap();
    }
    let run = |engine: &str| {
        Command::new(env!("CARGO_BIN_EXE_slic"))
            .args(["verify", "--engine", engine, "--format", "json"])
            .args(["--rule", "rules/wdm/SpinLock.slic"])
            .args(["-I", "tests/drivers/wdk", "tests/static/driver.c"])
            .env("PATH", bin.path())
            .current_dir(root())
            .output()
            .unwrap()
    };
    let output = run("all");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("frama-c-base"), "{stderr}");
    let output = run("clang");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
