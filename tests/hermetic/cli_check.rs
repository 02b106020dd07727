//! `slic check` as a user runs it: exit codes, messages, JSON.

use std::process::Command;

use crate::support::root;

pub fn slic() -> Command {
    Command::new(env!("CARGO_BIN_EXE_slic"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let output = slic()
        .args(args)
        .current_dir(root())
        .output()
        .expect("slic runs");
    (
        output.status.code().expect("an exit code"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn clean_rule_exits_zero() {
    let (code, _, stderr) = run(&["check", "rules/wdm/QueuedSpinLockRelease.slic"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("checked 1 rule: no problems"), "{stderr}");
}

#[test]
fn the_built_in_pack_checks_clean() {
    let (code, _, stderr) = run(&["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("no problems"), "{stderr}");
}

#[test]
fn errors_exit_one_and_render_with_location() {
    let (code, _, stderr) = run(&["check", "tests/fixtures/check/invalid/unknown_name.slic"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error[E0006]"), "{stderr}");
    assert!(
        stderr.contains("tests/fixtures/check/invalid/unknown_name.slic:"),
        "{stderr}"
    );
}

#[test]
fn warnings_alone_exit_zero() {
    let (code, _, stderr) = run(&["check", "tests/fixtures/check/invalid/pragma.slic"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning[W0001]"), "{stderr}");
}

#[test]
fn unreadable_inputs_are_usage_errors_with_one_line() {
    let directory = tempfile::tempdir().unwrap();
    let binary = directory.path().join("garbage.slic");
    std::fs::write(&binary, [0xFF, 0xFE, 0x00, 0x41]).unwrap();
    let cases = [
        ("no/such/rule.slic".to_string(), "no such file"),
        (directory.path().display().to_string(), "it is a directory"),
        (binary.display().to_string(), "not a text file"),
    ];
    for (path, reason) in cases {
        let (code, stdout, stderr) = run(&["check", &path]);
        assert_eq!(code, 2, "{path}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("slic: error: cannot read"), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
    }
}

#[test]
fn json_prints_one_object_per_diagnostic() {
    let (code, stdout, _) = run(&[
        "check",
        "--message-format",
        "json",
        "tests/fixtures/check/invalid/errors_in_two_handlers.slic",
    ]);
    assert_eq!(code, 1);
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert!(objects.len() >= 2, "{stdout}");
    for object in &objects {
        assert!(object["code"].as_str().unwrap().starts_with('E'));
        assert_eq!(object["severity"], "error");
        assert!(object["primary"]["line"].as_u64().unwrap() > 0);
        assert!(
            object["primary"]["file"]
                .as_str()
                .unwrap()
                .ends_with(".slic")
        );
    }
}

#[test]
fn unknown_options_are_usage_errors() {
    let (code, _, _) = run(&["check", "--no-such-option"]);
    assert_eq!(code, 2);
}
