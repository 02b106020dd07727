//! How a `watch` rule's instance goes from thread to thread in the runtime
//! monitors (`object_table.h`, the IR monitor's `object_table.rs`): a
//! thread that takes a slot over reads nothing that died with the thread
//! it took it from (`tests/concurrency/exited`), and the monitor alone
//! orders the events of threads that nothing else orders, as
//! ThreadSanitizer sees it — it sees the IR monitor's accesses, and finds
//! the race when the monitor's atomic accesses are made relaxed
//! (`tests/concurrency/unordered*`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::concurrency::run;
use crate::driver_support::{check_output, require_tool, run_slic};
use crate::support::root;

/// The rules `tests/concurrency/exited` is woven with: a `watch` rule per
/// kind of object it touches, and `handed_shared.slic`.
const EXITED_RULES: [&str; 4] = [
    "rules/wdm/SpinLock.slic",
    "rules/wdm/QueuedSpinLock.slic",
    "rules/wdm/ExclusiveResourceAccess.slic",
    "tests/concurrency/exited/handed_shared.slic",
];

/// The C monitor of `rules` in `work/name` (for `slic_monitor.h`, which
/// the test programs read `struct slic_violation` from), made once.
fn monitor(work: &Path, name: &str, rules: &[&str]) -> PathBuf {
    let monitor = work.join(name);
    if !monitor.exists() {
        let mut arguments = vec!["monitor".to_string()];
        for rule in rules {
            arguments.extend(["--rule".to_string(), rule.to_string()]);
        }
        arguments.extend(["-o".to_string(), monitor.display().to_string()]);
        run_slic(&arguments);
    }
    monitor
}

/// `tests/concurrency/exited` woven by `slic cc --via VIA` with
/// `EXITED_RULES`, compiled with `-fsanitize=SANITIZER` if given.
fn build_exited(work: &Path, via: &str, compiler: &str, sanitizer: Option<&str>) -> PathBuf {
    require_tool(compiler);
    let monitor = monitor(work, "exited-monitor", &EXITED_RULES);
    let mut flags = vec!["-O1".to_string(), "-g".to_string()];
    if let Some(sanitizer) = sanitizer {
        flags.push(format!("-fsanitize={sanitizer}"));
    }
    let driver = root().join("tests/concurrency/exited");
    let wdk = root().join("tests/drivers/wdk");
    let name = format!("exited-{via}-{compiler}-{}", sanitizer.unwrap_or("none"));
    let object = work.join(format!("{name}.o"));
    let mut cc = Command::new(env!("CARGO_BIN_EXE_slic"));
    cc.current_dir(root()).args(["cc", "--via", via]);
    for rule in EXITED_RULES {
        cc.args(["--rule", rule]);
    }
    cc.arg("--")
        .arg(compiler)
        .args(&flags)
        .arg(format!("-I{}", wdk.display()))
        .arg("-c")
        .arg(driver.join("driver.c"))
        .arg("-o")
        .arg(&object);
    check_output(
        cc,
        &format!("slic cc --via {via} -- {compiler} on the exited driver"),
    );
    let executable = work.join(name);
    let mut link = Command::new(compiler);
    link.args(&flags)
        .arg(format!("-I{}", wdk.display()))
        .arg(format!("-I{}", driver.display()))
        .arg(format!("-I{}", monitor.display()))
        .arg(&object)
        .arg(driver.join("main.c"))
        .arg(wdk.join("wdm_user.c"))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(link, &format!("{compiler} linking the exited driver"));
    executable
}

const EXITED_CORRECT: &str =
    "SpinLock 0\nQueuedSpinLock 0\nExclusiveResourceAccess 0\nhanded_shared 0\nother 0\n";
/// A dispatch routine returns holding a resource it took over from a
/// thread that ended, and after changing another resource's instance that
/// thread held (which is then its own).
const EXITED_SEEDED: &str =
    "SpinLock 0\nQueuedSpinLock 0\nExclusiveResourceAccess 1\nhanded_shared 1\nother 0\n";

/// A slot of a `watch` rule last entered by a thread that has ended is
/// taken over by the threads that touch its object next: they must not
/// read what died with that thread (its thread-local storage, unreadable
/// here once it ends: `exited/main.c`), and an instance that thread held
/// is not the new thread's until the new thread changes it (though the new
/// thread gets the ended thread's stack, and its record in the monitor).
/// Through both weavers, plain and under ThreadSanitizer and
/// AddressSanitizer.
#[test]
fn objects_of_threads_that_ended_are_taken_over() {
    let work = tempfile::tempdir().unwrap();
    let builds = [
        ("c", "gcc", None, 64),
        ("c", "clang-19", None, 64),
        ("ir", "clang-19", None, 64),
        ("c", "clang-19", Some("thread"), 16),
        ("ir", "clang-19", Some("thread"), 16),
        ("c", "clang-19", Some("address"), 16),
        ("ir", "clang-19", Some("address"), 16),
    ];
    for (via, compiler, sanitizer, generations) in builds {
        let executable = build_exited(work.path(), via, compiler, sanitizer);
        let what = format!("--via {via}, {compiler}, sanitizer {sanitizer:?}");
        assert_eq!(
            run(&executable, false, generations),
            EXITED_CORRECT,
            "{what}"
        );
        assert_eq!(run(&executable, true, generations), EXITED_SEEDED, "{what}");
    }
}

const UNORDERED_RULE: &str = "tests/concurrency/unordered.slic";

/// Every entry of the resource left, and one leave more by the main
/// thread: reported once, if no update of the instance was lost.
const UNORDERED: &str = "leaves 1\nother 0\n";

/// The object table's atomic accesses made relaxed: the text of a woven
/// module from the monitor's first line on, or of a C monitor, with every
/// acquire, release and acquire-release ordering relaxed, except in the
/// pieces `keep` says are not the table's (the thread records' code, the
/// spin locks). On x86 the code does the same; only ThreadSanitizer sees
/// the difference.
fn relaxed(text: &str, from: &str, keep: impl Fn(&str) -> bool) -> String {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("the text has `{from}`"));
    let mut out = text[..start].to_string();
    let mut in_kept_function = false;
    for line in text[start..].split_inclusive('\n') {
        if line.starts_with("define ") {
            in_kept_function = keep(line);
        }
        if in_kept_function || keep(line) {
            out.push_str(line);
            continue;
        }
        let mut line = line.to_string();
        for (ordered, relaxed) in [
            (" acq_rel acquire", " monotonic monotonic"),
            (" acquire,", " monotonic,"),
            (" release,", " monotonic,"),
            (" acquire\n", " monotonic\n"),
            ("__ATOMIC_ACQ_REL", "__ATOMIC_RELAXED"),
            ("__ATOMIC_ACQUIRE", "__ATOMIC_RELAXED"),
            ("__ATOMIC_RELEASE", "__ATOMIC_RELAXED"),
        ] {
            line = line.replace(ordered, relaxed);
        }
        out.push_str(&line);
    }
    assert_ne!(out, text, "the monitor has orderings to relax");
    out
}

/// Runs a ThreadSanitizer build of an unordered program, its threads
/// running at once (`free`) or taking turns (`turns`): its output if
/// ThreadSanitizer found nothing, or its reports (the first, if `halt`).
fn run_sanitized(executable: &Path, mode: &str, rounds: u32, halt: bool) -> Result<String, String> {
    let options = format!("halt_on_error={} exitcode=66", u8::from(halt));
    let output = Command::new(executable)
        .env("TSAN_OPTIONS", options)
        .args([mode, &rounds.to_string()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    match output.status.code() {
        Some(0) => Ok(String::from_utf8(output.stdout).unwrap()),
        Some(66) => Err(stderr),
        _ => panic!(
            "{} failed ({}):\n{stderr}",
            executable.display(),
            output.status
        ),
    }
}

/// A race ThreadSanitizer reports in the monitor's own code: a data race
/// one of whose accesses is a plain (not atomic) read or write made in a
/// function of the monitor (its name starts with `slic`). ThreadSanitizer
/// sees atomic accesses in every function, plain ones only in functions
/// built for it.
fn assert_race_in_monitor(report: Result<String, String>, what: &str) {
    let report = match report {
        Ok(output) => panic!("{what}: ThreadSanitizer found no race (output {output:?})"),
        Err(report) => report,
    };
    assert!(
        report.contains("WARNING: ThreadSanitizer: data race"),
        "{what}:\n{report}"
    );
    let lines: Vec<&str> = report.lines().map(str::trim_start).collect();
    let plain_in_monitor = lines.windows(2).any(|pair| {
        let access = pair[0].strip_prefix("Previous ").unwrap_or(pair[0]);
        let plain = [
            "Read of size",
            "Write of size",
            "read of size",
            "write of size",
        ]
        .iter()
        .any(|kind| access.starts_with(kind));
        plain && pair[1].starts_with("#0 slic")
    });
    assert!(
        plain_in_monitor,
        "{what}: no plain access in the monitor's code in the report:\n{report}"
    );
}

/// A monitor that orders the unordered threads: no race, no update lost,
/// the threads taking turns, in the chain of three takeovers, and running
/// at once (several times: a race shows only when they interleave so).
fn assert_orders(executable: &Path) {
    let runs = [("turns", 500), ("chain", 0), ("free", 2000), ("free", 2000)];
    for (mode, rounds) in runs {
        match run_sanitized(executable, mode, rounds, true) {
            Ok(output) => assert_eq!(output, UNORDERED, "{} {mode}", executable.display()),
            Err(report) => panic!("{} {mode}:\n{report}", executable.display()),
        }
    }
}

/// `tests/concurrency/unordered.c`, its IR from clang-19 built for
/// ThreadSanitizer, woven by `slic weave` (the monitor in the module);
/// compiled as woven, and with the monitor's orderings relaxed.
fn build_unordered_ir(work: &Path) -> (PathBuf, PathBuf) {
    let compiler = "clang-19";
    require_tool(compiler);
    let monitor = monitor(work, "unordered-monitor", &[UNORDERED_RULE]);
    let ir = work.join("unordered.ll");
    let mut emit = Command::new(compiler);
    emit.args(["-fsanitize=thread", "-g", "-O0", "-S", "-emit-llvm"])
        .args([
            "-Xclang",
            "-disable-O0-optnone",
            "-Xclang",
            "-disable-llvm-passes",
        ])
        .arg(root().join("tests/concurrency/unordered.c"))
        .arg("-o")
        .arg(&ir);
    check_output(emit, "clang-19 -emit-llvm on unordered.c");
    let woven = work.join("unordered.woven.ll");
    run_slic(&[
        "weave".to_string(),
        "--rule".to_string(),
        UNORDERED_RULE.to_string(),
        ir.display().to_string(),
        "-o".to_string(),
        woven.display().to_string(),
    ]);
    let text = std::fs::read_to_string(&woven).unwrap();
    let racy = work.join("unordered.racy.ll");
    std::fs::write(
        &racy,
        relaxed(
            &text,
            "; The monitor (slic's runtime flavour, as IR).",
            |line| line.starts_with("define ") && line.contains("@slic.threads."),
        ),
    )
    .unwrap();
    let link = |module: &Path, name: &str| {
        let executable = work.join(name);
        let mut command = Command::new(compiler);
        command
            .args(["-fsanitize=thread", "-O1", "-g", "-Wno-override-module"])
            .arg(format!("-I{}", monitor.display()))
            .arg(module)
            .arg(root().join("tests/concurrency/unordered_support.c"))
            .args(["-lpthread", "-o"])
            .arg(&executable);
        check_output(command, &format!("clang-19 building {name}"));
        executable
    };
    (
        link(&woven, "unordered-ir"),
        link(&racy, "unordered-ir-racy"),
    )
}

/// The same program woven by `slic cc --via ir` for ThreadSanitizer: the
/// monitor compiled apart and linked in, as a build gets it.
fn build_unordered_cc(work: &Path) -> PathBuf {
    let monitor = monitor(work, "unordered-monitor", &[UNORDERED_RULE]);
    let flags = ["-fsanitize=thread", "-O1", "-g"];
    let object = work.join("unordered-cc.o");
    let mut cc = Command::new(env!("CARGO_BIN_EXE_slic"));
    cc.current_dir(root())
        .args([
            "cc",
            "--via",
            "ir",
            "--rule",
            UNORDERED_RULE,
            "--",
            "clang-19",
        ])
        .args(flags)
        .arg("-c")
        .arg(root().join("tests/concurrency/unordered.c"))
        .arg("-o")
        .arg(&object);
    check_output(cc, "slic cc --via ir on unordered.c");
    let executable = work.join("unordered-cc");
    let mut link = Command::new("clang-19");
    link.args(flags)
        .arg(format!("-I{}", monitor.display()))
        .arg(&object)
        .arg(root().join("tests/concurrency/unordered_support.c"))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(link, "clang-19 linking unordered.c");
    executable
}

/// Threads that nothing orders enter and leave one resource; the IR
/// monitor's functions are built for ThreadSanitizer with the module
/// (they carry its `sanitize_thread`), so it sees their accesses: none
/// races, through `slic weave` (the monitor in the module) and `slic cc`
/// (the monitor apart), and no update is lost. With the monitor's
/// orderings relaxed, it reports the race, in the monitor.
#[test]
fn thread_sanitizer_sees_the_ir_monitor_order_unordered_threads() {
    let work = tempfile::tempdir().unwrap();
    let (woven, racy) = build_unordered_ir(work.path());
    let through_cc = build_unordered_cc(work.path());
    for executable in [&woven, &through_cc] {
        assert_orders(executable);
    }
    assert_race_in_monitor(
        run_sanitized(&racy, "turns", 200, false),
        "the IR monitor relaxed",
    );
}

/// The C monitor under the same threads, its hooks called directly
/// (`unordered_hooks.c`): ThreadSanitizer finds no race, and no update is
/// lost; with the monitor's orderings relaxed, it reports the race.
#[test]
fn thread_sanitizer_sees_the_c_monitor_order_unordered_threads() {
    let compiler = "clang-19";
    require_tool(compiler);
    let work = tempfile::tempdir().unwrap();
    let monitor = monitor(work.path(), "unordered-monitor", &[UNORDERED_RULE]);
    let source = std::fs::read_to_string(monitor.join("slic_monitor.c")).unwrap();
    let racy = work.path().join("slic_monitor.racy.c");
    std::fs::write(
        &racy,
        relaxed(&source, "#include", |line| line.contains("SLIC_SPIN_")),
    )
    .unwrap();
    let build = |monitor_source: &Path, name: &str| {
        let executable = work.path().join(name);
        let mut command = Command::new(compiler);
        command
            .args(["-fsanitize=thread", "-O1", "-g"])
            .arg(format!("-I{}", monitor.display()))
            .arg(root().join("tests/concurrency/unordered_hooks.c"))
            .arg(monitor_source)
            .args(["-lpthread", "-o"])
            .arg(&executable);
        check_output(command, &format!("clang-19 building {name}"));
        executable
    };
    let ordered = build(&monitor.join("slic_monitor.c"), "unordered-c");
    let relaxed = build(&racy, "unordered-c-racy");
    assert_orders(&ordered);
    assert_race_in_monitor(
        run_sanitized(&relaxed, "turns", 200, false),
        "the C monitor relaxed",
    );
}
