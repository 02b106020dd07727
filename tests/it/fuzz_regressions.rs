//! Inputs the fuzzers (`fuzz/`) found crashing slic, kept so that the bugs
//! stay fixed. Each must be answered with a result or a diagnostic, never a
//! panic: exit status 0 or 1, and no "panicked" on stderr.

use std::path::{Path, PathBuf};

use crate::support::{root, run_slic};

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

fn assert_answered(input: &Path, output: &std::process::Output) {
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
