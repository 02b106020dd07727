//! The runtime monitors under many threads: correct use reports nothing,
//! seeded bugs are each reported exactly once, and ThreadSanitizer finds no
//! race in the generated monitor. `tests/concurrency/stress.c` calls the C
//! monitor's hooks directly; `tests/concurrency/driver` is a driver woven
//! by `slic cc` through each weaver, so the IR monitor is tested too;
//! `tests/concurrency/handover.c` hands objects between two threads through
//! the IR monitor.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver_support::{check_output, require_tool, run_slic};
use crate::support::root;

/// The C monitor of the two rules both programs use, generated once per
/// work directory.
fn monitor(work: &Path) -> PathBuf {
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
    monitor
}

fn build(work: &Path, compiler: &str, sanitize: bool) -> PathBuf {
    require_tool(compiler);
    let monitor = monitor(work);
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

pub(crate) fn run(executable: &Path, seeded: bool, rounds: u32) -> String {
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

/// The driver of `tests/concurrency/driver` woven by `slic cc --via VIA`
/// with the rules `build` uses, linked with its threads and the user-mode
/// WDK.
fn build_woven_driver(work: &Path, via: &str, compiler: &str, sanitize: bool) -> PathBuf {
    require_tool(compiler);
    // main.c reads `struct slic_violation` from the C monitor's header;
    // the IR monitor passes the same structure.
    let monitor = monitor(work);
    let flags: &[&str] = if sanitize {
        &["-O1", "-g", "-fsanitize=thread"]
    } else {
        &["-O2"]
    };
    let driver = root().join("tests/concurrency/driver");
    let wdk = root().join("tests/drivers/wdk");
    let name = format!("driver-{via}-{compiler}-{sanitize}");
    let object = work.join(format!("{name}.o"));
    let mut cc = Command::new(env!("CARGO_BIN_EXE_slic"));
    cc.current_dir(root())
        .args(["cc", "--via", via])
        .args(["--rule", "rules/wdm/SpinLock.slic"])
        .args(["--rule", "rules/wdm/QueuedSpinLockRelease.slic"])
        .arg("--")
        .arg(compiler)
        .args(flags)
        .arg(format!("-I{}", wdk.display()))
        .arg("-c")
        .arg(driver.join("driver.c"))
        .arg("-o")
        .arg(&object);
    check_output(cc, &format!("slic cc --via {via} -- {compiler}"));
    let executable = work.join(name);
    let mut link = Command::new(compiler);
    link.args(flags)
        .arg(format!("-I{}", wdk.display()))
        .arg(format!("-I{}", driver.display()))
        .arg(format!("-I{}", monitor.display()))
        .arg(&object)
        .arg(driver.join("main.c"))
        .arg(wdk.join("wdm_user.c"))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(link, &format!("{compiler} linking the woven driver"));
    executable
}

/// 8 threads, 16 locks each acquired twice (SpinLock), each dispatch
/// routine returning holding a queued lock (QueuedSpinLockRelease).
const SEEDED_DRIVER: &str = "SpinLock 128\nQueuedSpinLockRelease 8\nother 0\n";

#[test]
fn woven_drivers_on_many_threads_through_both_weavers() {
    let work = tempfile::tempdir().unwrap();
    for (via, compiler) in [("c", "gcc"), ("c", "clang-19"), ("ir", "clang-19")] {
        let executable = build_woven_driver(work.path(), via, compiler, false);
        let what = format!("--via {via}, {compiler}");
        assert_eq!(run(&executable, false, 5000), CORRECT, "{what}");
        assert_eq!(run(&executable, true, 5000), SEEDED_DRIVER, "{what}");
    }
}

#[test]
fn thread_sanitizer_finds_no_race_in_woven_drivers() {
    let work = tempfile::tempdir().unwrap();
    for via in ["c", "ir"] {
        let executable = build_woven_driver(work.path(), via, "clang-19", true);
        assert_eq!(run(&executable, false, 300), CORRECT, "--via {via}");
        assert_eq!(run(&executable, true, 300), SEEDED_DRIVER, "--via {via}");
    }
}

/// `tests/concurrency/handover.c` built by `slic cc --via VIA` with its
/// rule, `handover.slic`.
fn build_handover(work: &Path, via: &str, sanitize: bool) -> PathBuf {
    let compiler = "clang-19";
    require_tool(compiler);
    let monitor = work.join("handover-monitor");
    if !monitor.exists() {
        run_slic(&[
            "monitor".to_string(),
            "--rule".to_string(),
            "tests/concurrency/handover.slic".to_string(),
            "-o".to_string(),
            monitor.display().to_string(),
        ]);
    }
    let flags: &[&str] = if sanitize {
        &["-O1", "-g", "-fsanitize=thread"]
    } else {
        &["-O2"]
    };
    let name = format!("handover-{via}-{sanitize}");
    let object = work.join(format!("{name}.o"));
    let mut cc = Command::new(env!("CARGO_BIN_EXE_slic"));
    cc.current_dir(root())
        .args(["cc", "--via", via])
        .args(["--rule", "tests/concurrency/handover.slic"])
        .arg("--")
        .arg(compiler)
        .args(flags)
        .arg("-c")
        .arg(root().join("tests/concurrency/handover.c"))
        .arg("-o")
        .arg(&object);
    check_output(cc, &format!("slic cc --via {via} on handover.c"));
    let executable = work.join(name);
    let mut link = Command::new(compiler);
    link.args(flags)
        .arg(format!("-I{}", monitor.display()))
        .arg(&object)
        .arg(root().join("tests/concurrency/handover_support.c"))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(link, &format!("{compiler} linking handover.c"));
    executable
}

const HANDED_OVER: &str = "takes 0\ngives 0\nchecks 0\nother 0\n";
/// A token nobody holds given back on a new thread; a check on the thread
/// that holds a token.
const HANDED_OVER_SEEDED: &str = "takes 0\ngives 1\nchecks 1\nother 0\n";

/// A `watch` instance is one per object: taken on one thread and given
/// back on another, back and forth, it is taken over at each event (the IR
/// monitor's object table, as the C monitor's), and a handler without a
/// guard runs only on the instances the calling thread changed last; with
/// and without ThreadSanitizer.
#[test]
fn watch_instances_are_handed_between_threads() {
    let work = tempfile::tempdir().unwrap();
    // Through IR only: the C weaver wraps only the APIs of its catalog.
    for (via, sanitize, rounds) in [("ir", false, 2000), ("ir", true, 300)] {
        let executable = build_handover(work.path(), via, sanitize);
        let what = format!("--via {via}, sanitize {sanitize}");
        assert_eq!(run(&executable, false, rounds), HANDED_OVER, "{what}");
        assert_eq!(run(&executable, true, rounds), HANDED_OVER_SEEDED, "{what}");
    }
}
