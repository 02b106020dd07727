//! The static flavour finds seeded bugs: a harness in the SV-COMP style is
//! explored exhaustively (`tests/static/enumerate.c` tries every sequence
//! of nondeterministic choices, as a model checker would), and every abort
//! it reaches is printed.

use std::process::Command;

use crate::driver_support::{check_output, require_tool, run_slic};
use crate::support::root;

/// Weaves `tests/static/driver.c` with `rules`, builds the harness with the
/// given scenario, runs it; the violations it reached.
fn explore(scenario: &str, rules: &[&str]) -> Vec<String> {
    require_tool("gcc");
    let work = tempfile::tempdir().unwrap();
    let rule_arguments: Vec<String> = rules
        .iter()
        .flat_map(|r| ["--rule".to_string(), r.to_string()])
        .collect();
    let woven = work.path().join("driver.c");
    run_slic(
        &[
            &[
                "weave".to_string(),
                "--name".to_string(),
                "tests/static/driver.c".to_string(),
                root().join("tests/static/driver.c").display().to_string(),
                "-o".to_string(),
                woven.display().to_string(),
            ][..],
            &rule_arguments,
        ]
        .concat(),
    );
    let monitor = work.path().join("monitor");
    run_slic(
        &[
            &[
                "monitor".to_string(),
                "--flavour".to_string(),
                "static".to_string(),
                "-o".to_string(),
                monitor.display().to_string(),
            ][..],
            &rule_arguments,
        ]
        .concat(),
    );
    let executable = work.path().join("harness");
    let wdk = root().join("tests/drivers/wdk");
    let mut command = Command::new("gcc");
    command
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg(format!("-I{}", wdk.display()))
        .arg(format!("-I{}", monitor.display()))
        .arg(&woven)
        .arg(monitor.join("slic_monitor.c"))
        .arg(root().join("tests/static/enumerate.c"))
        .arg(root().join("tests/static").join(scenario))
        .arg(wdk.join("wdm_user.c"))
        .arg("-o")
        .arg(&executable);
    check_output(command, "gcc on the static harness");
    let output = check_output(Command::new(&executable), "the harness");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("explored "), "{stdout}");
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("reached: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn exhaustive_search_finds_the_lock_taken_twice() {
    let reached = explore("scenario.c", &["rules/wdm/SpinLock.slic"]);
    assert_eq!(
        reached,
        [
            "SpinLock: The driver acquires a spin lock that it already holds. (rules/wdm/SpinLock.slic:50:9)"
        ]
    );
}

#[test]
fn exhaustive_search_finds_nothing_in_a_correct_harness() {
    assert!(explore("correct_scenario.c", &["rules/wdm/SpinLock.slic"]).is_empty());
}

#[test]
fn every_rule_of_the_pack_builds_in_the_static_flavour() {
    // The whole pack on the buggy scenario: the per-lock rule and the
    // strict-alternation rules each find what they should.
    let reached = explore("scenario.c", &[]);
    let rules: Vec<&str> = reached
        .iter()
        .map(|r| r.split(':').next().unwrap())
        .collect();
    assert!(rules.contains(&"SpinLock"), "{reached:?}");
    assert!(rules.contains(&"SpinlockRelease"), "{reached:?}");
}
