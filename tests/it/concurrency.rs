//! The runtime monitor under many threads: correct use reports nothing,
//! seeded bugs are each reported exactly once, and ThreadSanitizer finds no
//! race in the generated monitor (`tests/concurrency/stress.c`).

use std::process::Command;

use crate::driver_support::{check_output, require_tool, run_slic};
use crate::support::root;

fn build(work: &std::path::Path, compiler: &str, sanitize: bool) -> std::path::PathBuf {
    require_tool(compiler);
    let monitor = work.join("monitor");
    if !monitor.exists() {
        run_slic(&[
            "monitor".to_string(),
            "--rule".to_string(),
            "rules/wdm/SpinLock.slic".to_string(),
            "--rule".to_string(),
            "rules/wdm/QueuedSpinLockRelease.slic".to_string(),
            "-o".to_string(),
            monitor.display().to_string(),
        ]);
    }
    let executable = work.join(format!("stress-{compiler}-{sanitize}"));
    let mut command = Command::new(compiler);
    command.args(["-O1", "-g", "-std=c11", "-Wall", "-Wextra", "-Werror"]);
    if sanitize {
        command.arg("-fsanitize=thread");
    }
    command
        .arg(format!("-I{}", monitor.display()))
        .arg(root().join("tests/concurrency/stress.c"))
        .arg(monitor.join("slic_monitor.c"))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(command, &format!("{compiler} on the stress program"));
    executable
}

fn run(executable: &std::path::Path, seeded: bool, rounds: u32) -> String {
    let mut command = Command::new(executable);
    command.env("TSAN_OPTIONS", "halt_on_error=1 exitcode=66");
    command.args([
        if seeded { "seeded" } else { "correct" },
        &rounds.to_string(),
    ]);
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{} failed ({}):\n{}",
        executable.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

const CORRECT: &str = "SpinLock 0\nQueuedSpinLockRelease 0\nother 0\n";
/// 8 threads, 16 locks each taken twice (SpinLock), 1 dispatch routine each
/// returning holding a queued lock (QueuedSpinLockRelease).
const SEEDED: &str = "SpinLock 128\nQueuedSpinLockRelease 8\nother 0\n";

#[test]
fn many_threads_no_false_reports_no_lost_reports() {
    let work = tempfile::tempdir().unwrap();
    for compiler in ["gcc", "clang-19"] {
        let executable = build(work.path(), compiler, false);
        assert_eq!(run(&executable, false, 2000), CORRECT, "{compiler}");
        assert_eq!(run(&executable, true, 2000), SEEDED, "{compiler}");
    }
}

#[test]
fn thread_sanitizer_finds_no_race_in_the_monitor() {
    let work = tempfile::tempdir().unwrap();
    let executable = build(work.path(), "clang-19", true);
    // Fewer rounds: ThreadSanitizer makes every access dozens of times
    // slower, and a few hundred rounds of 8 threads already interleave.
    assert_eq!(run(&executable, false, 200), CORRECT);
    assert_eq!(run(&executable, true, 200), SEEDED);
}
