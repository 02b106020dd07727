//! Inputs the fuzzers (`fuzz/`) found crashing slic, kept so that the bugs
//! stay fixed. Each must be answered with a result or a diagnostic, never a
//! panic: exit status 0 or 1, and no "panicked" on stderr.

use std::path::PathBuf;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::root;

/// Runs slic, killing it if it takes longer than any input here should:
/// some of these inputs made the weaver loop forever.
fn run_slic(arguments: &[&str]) -> Output {
    // Files, not pipes: a full pipe would stall slic and look like a hang.
    let mut stdout = tempfile::tempfile().unwrap();
    let mut stderr = tempfile::tempfile().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args(arguments)
        .current_dir(root())
        .stdout(Stdio::from(stdout.try_clone().unwrap()))
        .stderr(Stdio::from(stderr.try_clone().unwrap()))
        .spawn()
        .expect("the slic binary runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("slic {} did not finish in a minute", arguments.join(" "));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = child.wait().unwrap();
    let read = |file: &mut std::fs::File| {
        use std::io::{Read, Seek};
        let mut bytes = Vec::new();
        file.rewind().unwrap();
        file.read_to_end(&mut bytes).unwrap();
        bytes
    };
    Output {
        status,
        stdout: read(&mut stdout),
        stderr: read(&mut stderr),
    }
}

fn inputs(kind: &str) -> Vec<PathBuf> {
    let directory = root().join("tests/fixtures/fuzz").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("{}: {error}", directory.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", directory.display());
    files
}

fn assert_answered(input: &std::path::Path, output: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)) && !stderr.contains("panicked"),
        "{}: {:?}\n{stderr}",
        input.display(),
        output.status
    );
}

#[test]
fn c_weaver_inputs() {
    let work = tempfile::tempdir().unwrap();
    for input in inputs("c") {
        let woven = work.path().join("woven.c");
        let output = run_slic(&[
            "weave",
            input.to_str().unwrap(),
            "--role",
            "dispatch=Dispatch",
            "-o",
            woven.to_str().unwrap(),
        ]);
        assert_answered(&input, &output);
    }
}

#[test]
fn catalog_inputs() {
    for input in inputs("catalog") {
        let text = std::fs::read_to_string(&input).unwrap();
        let (catalog, _) = slic::catalog::parse(Default::default(), &text);
        assert!(
            catalog.get("KeAcquireSpinLock").is_some(),
            "{}: the declaration after the bad one is lost",
            input.display()
        );
    }
}
