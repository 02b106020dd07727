//! The IR monitor computes what the interpreter computes (`eval.rs`), and
//! reports what the C monitor reports.
//!
//! Expressions: a rule stores many expressions over event values into
//! `ULONG_PTR` state variables (64-bit, so nothing is lost); a small module
//! calls the events with chosen values; after each event the program
//! prints the rule's state, read from the monitor's thread-local state,
//! and every value must be the interpreter's.
//!
//! Tables: a program acquires more spin locks than a `watch` rule's table
//! holds; the C monitor and the IR monitor must print the same reports
//! (the "table full" report once, then the checks on freed slots).

use std::fmt::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use slic::interp::Occurrence;
use slic::model::{Event, Target};
use slic::monitor::abi::TABLE_SLOTS;
use slic::monitor::hooks::HookSet;
use slic::syntax::ast::EventKind;
use slic::weave::role_map::RoleMap;

use crate::driver_support::{check_output, require_tool};
use crate::ir_support::{Match, comparable, run_for_reports, wdk_macros};
use crate::support::{compile_text, root};

/// Expressions of `$1` and `$2` of `F` (not in the catalog: 64-bit signed
/// values), and of the state's `i`, `u` and `k`.
const WIDE: &[&str] = &[
    "$1 + $2",
    "$1 - $2",
    "$1 * $2",
    "$1 / $2",
    "$1 % $2",
    "$1 << $2",
    "$1 >> $2",
    "$1 < $2",
    "$1 >= $2",
    "$1 == $2",
    "$1 & $2",
    "$1 | $2",
    "$1 ^ $2",
    "-$1",
    "~$2",
    "!$1",
    "$1 && $2",
    "$1 || $2",
    "$1 ? $2 : i",
    "$1 < u",
    "i / $2",
    "u % $2",
    "i >> $2",
    "u >> $2",
    "i << $2",
    "k << $2",
    "u + $1",
    "u * u",
    "i * i * i",
    "i < u",
    "(i < 0) ? u : i",
    "0xFFFFFFFF + $1",
    "1u - 2",
    "-2147483647 - 1 + $1",
    "$1 / -1",
    "$1 % -1",
    "i / -1",
    "k * k * k",
    "-k",
    "~u",
];

/// Expressions of `$2` of KeReleaseSpinLock (a KIRQL, unsigned 8 bits).
const IRQL: &[&str] = &[
    "$2", "$2 + 1", "$2 * 300", "$2 - 250", "-$2", "~$2", "$2 << 28", "$2 > 100", "$2 / 0",
    "$2 % 0", "$1 != 0",
];

/// Expressions of `$2` of IoCompleteRequest (a CCHAR, signed 8 bits).
const CHAR: &[&str] = &[
    "$2", "$2 + 1", "$2 >> 1", "$2 >> 9", "$2 < 0", "$2 * $2", "$2 / 3", "$2 % 3", "$2 << 24",
];

const VALUES: &[i64] = &[
    0,
    1,
    -1,
    2,
    7,
    -8,
    31,
    32,
    63,
    64,
    200,
    255,
    -129,
    0x7FFF_FFFF,
    0xFFFF_FFFF,
    -0x8000_0000,
    i64::MAX,
    i64::MIN,
];

fn rule_text() -> String {
    let count = WIDE.len() + IRQL.len() + CHAR.len();
    let mut text = String::from(
        "state {\n    int i = -7;\n    unsigned u = 4000000000;\n    KIRQL k = 200;\n",
    );
    for index in 0..count {
        let _ = writeln!(text, "    ULONG_PTR r{index} = 0;");
    }
    text.push_str("}\n");
    let mut index = 0;
    for (event, list) in [
        ("F", WIDE),
        ("KeReleaseSpinLock", IRQL),
        ("IoCompleteRequest", CHAR),
    ] {
        let _ = writeln!(text, "{event}.exit {{");
        for expression in list {
            let _ = writeln!(text, "    r{index} = {expression};");
            index += 1;
        }
        text.push_str("}\n");
    }
    text
}

const DRIVE: &str = r#"target triple = "x86_64-unknown-linux-gnu"

declare void @F(i64, i64)
declare void @KeReleaseSpinLock(ptr, i8 zeroext)
declare void @IoCompleteRequest(ptr, i8 signext)

define void @drive(i32 %which, i64 %a, i64 %b) {
entry:
  switch i32 %which, label %wide [
    i32 1, label %irql
    i32 2, label %char
  ]

wide:
  call void @F(i64 %a, i64 %b)
  ret void

irql:
  %lock = inttoptr i64 %a to ptr
  %new = trunc i64 %b to i8
  call void @KeReleaseSpinLock(ptr %lock, i8 zeroext %new)
  ret void

char:
  %irp = inttoptr i64 %a to ptr
  %boost = trunc i64 %b to i8
  call void @IoCompleteRequest(ptr %irp, i8 signext %boost)
  ret void
}
"#;

const HARNESS: &str = r#"#include <stdint.h>
#include <stdio.h>
void F(int64_t a, int64_t b) { (void)a; (void)b; }
void KeReleaseSpinLock(void *lock, unsigned char irql) { (void)lock; (void)irql; }
void IoCompleteRequest(void *irp, signed char boost) { (void)irp; (void)boost; }
void drive(int which, int64_t a, int64_t b);
int64_t semantics_value(int index);
int main(void)
{
    int which;
    long long a, b;
    while (scanf("%d %lld %lld", &which, &a, &b) == 3) {
        drive(which, a, b);
        for (int i = 0; i < COUNT; i++) printf("%lld ", (long long)semantics_value(i));
        printf("\n");
    }
    return 0;
}
"#;

#[test]
fn expressions_compute_what_the_interpreter_computes() {
    let text = rule_text();
    let compiled = compile_text(Path::new("semantics.slic"), "semantics.slic", &text);
    let model = compiled.model.unwrap_or_else(|| {
        panic!(
            "{}\n{text}",
            slic::render::to_text(&compiled.sources, &compiled.diagnostics)
        )
    });
    let automaton = slic::automaton::lower(&model);
    let rules = [automaton.clone()];
    let hooks = HookSet::new(&rules).unwrap();
    let woven = slic::weave::llvm::weave(&slic::weave::llvm::Input {
        text: DRIVE,
        file: Default::default(),
        path: "drive.ll",
        rules: &rules,
        hooks: &hooks,
        roles: &RoleMap::default(),
        monitors: None,
    })
    .unwrap();
    // Reads the rule's thread-local state, for the harness: `{ { object,
    // owner, status, exists }, [values] }`.
    let state = woven
        .text
        .lines()
        .find(|line| line.contains(".state = linkonce_odr thread_local global "))
        .and_then(|line| line.split(" = ").next())
        .expect("the rule's state")
        .to_string();
    let count = automaton.variables.len();
    let module = format!(
        "{}\ndefine i64 @semantics_value(i32 %index) {{\n  %at = getelementptr inbounds {{ {{ i64, i64, i64, i8, i8 }}, [{count} x i64] }}, ptr {state}, i32 0, i32 1, i32 %index\n  %value = load i64, ptr %at\n  ret i64 %value\n}}\n",
        woven.text
    );
    let work = tempfile::tempdir().unwrap();
    let module_path = work.path().join("drive.ll");
    std::fs::write(&module_path, module).unwrap();
    let harness = work.path().join("harness.c");
    std::fs::write(&harness, HARNESS).unwrap();
    let executable = work.path().join("semantics");
    require_tool("clang-19");
    let mut command = Command::new("clang-19");
    command
        .arg(format!("-DCOUNT={count}"))
        .arg(&module_path)
        .arg(&harness)
        .arg("-o")
        .arg(&executable);
    check_output(command, "clang-19 on the semantics harness");

    // Every pair of values on F; every value on the others.
    let mut cases: Vec<(i32, i64, i64)> = Vec::new();
    for &a in VALUES {
        for &b in VALUES {
            cases.push((0, a, b));
        }
        cases.push((1, a, a));
        cases.push((2, a, a));
    }
    let input: String = cases
        .iter()
        .map(|(w, a, b)| format!("{w} {a} {b}\n"))
        .collect();
    let mut child = Command::new(&executable)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(printed.lines().count(), cases.len());

    let mut config = automaton.initial_config();
    let names = ["F", "KeReleaseSpinLock", "IoCompleteRequest"];
    let mut lines = printed.lines();
    for (which, a, b) in cases {
        let mut occurrence = Occurrence {
            thread: slic::interp::MAIN_THREAD,
            event: Event {
                target: Target::Function(names[which as usize].to_string()),
                kind: EventKind::Exit,
            },
            arguments: vec![Some(a), Some(b)],
            pointees: vec![None, None],
            return_value: None,
        };
        automaton.normalize(&mut occurrence);
        automaton.step(&mut config, &occurrence).unwrap();
        let expected = &config.instances[&None].values;
        let line = lines.next().expect("a line per case");
        let actual: Vec<i64> = line
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(actual.len(), expected.len(), "{line}");
        for (index, (want, got)) in expected.iter().zip(&actual).enumerate() {
            if index < 3 {
                continue;
            }
            let expression = WIDE.iter().chain(IRQL).chain(CHAR).nth(index - 3).unwrap();
            assert_eq!(
                got, want,
                "`{expression}` with {} ({a}, {b}): {line}",
                names[which as usize]
            );
        }
    }
}

/// More spin locks than a `watch` rule tracks: the same reports from the
/// C monitor and the IR monitor.
#[test]
fn full_tables_report_as_the_c_monitor_does() {
    let work = tempfile::tempdir().unwrap();
    let source = "tests/fixtures/ir/monitor/many_locks.c";
    let rule = root().join("rules/wdm/SpinLock.slic").display().to_string();
    let wdk = root().join("tests/drivers/wdk");
    // The table's slots and six more: six untracked locks.
    let untracked = 6;
    let locks = format!("-DLOCKS={}", TABLE_SLOTS + untracked);
    let slic = |arguments: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
        command.args(arguments).current_dir(root());
        check_output(command, "slic");
    };
    require_tool("clang-19");
    // C back end.
    let monitor = work.path().join("monitor");
    let woven_c = work.path().join("many_locks.c");
    slic(&["monitor", "--rule", &rule, "-o", monitor.to_str().unwrap()]);
    slic(&[
        "weave",
        "--rule",
        &rule,
        source,
        "-o",
        woven_c.to_str().unwrap(),
    ]);
    let c_program = work.path().join("c");
    let mut command = Command::new("clang-19");
    command
        .arg(&locks)
        .arg(format!("-I{}", wdk.display()))
        .arg(format!("-I{}", monitor.display()))
        .arg(&woven_c)
        .arg(monitor.join("slic_monitor.c"))
        .arg(wdk.join("wdm_user.c"))
        .arg("-o")
        .arg(&c_program)
        .current_dir(root());
    check_output(command, "clang-19 on the C-woven program");
    // IR back end.
    let module = work.path().join("many_locks.ll");
    let mut command = Command::new("clang-19");
    command
        .args([
            "-S",
            "-emit-llvm",
            "-O0",
            "-Xclang",
            "-disable-O0-optnone",
            "-g",
        ])
        .arg("-fdebug-compilation-dir=.")
        .arg(&locks)
        .arg(format!("-I{}", wdk.display()))
        .arg(source)
        .arg("-o")
        .arg(&module)
        .current_dir(root());
    check_output(command, "clang-19 -emit-llvm");
    let woven_ir = work.path().join("many_locks.woven.ll");
    slic(&[
        "weave",
        "--rule",
        &rule,
        module.to_str().unwrap(),
        "-o",
        woven_ir.to_str().unwrap(),
    ]);
    let ir_program = work.path().join("ir");
    let mut command = Command::new("clang-19");
    command
        .arg(&woven_ir)
        .arg(wdk.join("wdm_user.c"))
        .arg(format!("-I{}", wdk.display()))
        .arg("-o")
        .arg(&ir_program);
    check_output(command, "clang-19 on the IR-woven program");

    let c_reports = run_for_reports(Command::new(&c_program), "the C-woven program");
    let ir_reports = run_for_reports(Command::new(&ir_program), "the IR-woven program");
    assert_eq!(
        c_reports
            .matches("slic: monitor table full for SpinLock: ")
            .count(),
        1,
        "{c_reports}"
    );
    assert_eq!(
        c_reports
            .matches("The driver releases a spin lock that it does not hold.")
            .count(),
        untracked,
        "{c_reports}"
    );
    assert_eq!(
        c_reports
            .matches("The driver acquires a spin lock that it already holds.")
            .count(),
        1,
        "{c_reports}"
    );
    // `KeAcquireSpinLock` is a macro of the mock WDK: the C weaver reports
    // its name, the IR weaver the function it calls.
    let macros = wdk_macros();
    assert_eq!(
        comparable(&ir_reports, Match::Exact, &macros),
        comparable(&c_reports, Match::Exact, &macros)
    );
}

/// Two modules woven apart, one with more rules than the other, linked
/// into one program: a lock acquired in one and released in the other is
/// one rule state (the monitor's `linkonce_odr` state is shared), and a
/// second acquisition is caught once.
#[test]
fn modules_woven_apart_share_the_state_of_a_rule() {
    let work = tempfile::tempdir().unwrap();
    let wdk = root().join("tests/drivers/wdk");
    let acquire = "#include \"wdm.h\"\nvoid acquire(PKSPIN_LOCK lock, PKLOCK_QUEUE_HANDLE handle)\n{\n    KeAcquireInStackQueuedSpinLock(lock, handle);\n}\n";
    let release = "#include \"wdm.h\"\nvoid release(PKLOCK_QUEUE_HANDLE handle)\n{\n    KeReleaseInStackQueuedSpinLock(handle);\n}\n";
    let main = "#include \"wdm.h\"\nvoid acquire(PKSPIN_LOCK, PKLOCK_QUEUE_HANDLE);\nvoid release(PKLOCK_QUEUE_HANDLE);\nint main(void)\n{\n    KSPIN_LOCK lock = 0;\n    KLOCK_QUEUE_HANDLE handle;\n    acquire(&lock, &handle);\n    release(&handle);\n    acquire(&lock, &handle);\n    release(&handle);\n    acquire(&lock, &handle);\n    lock = 0;\n    acquire(&lock, &handle);\n    return 0;\n}\n";
    let rules = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .flat_map(|n| {
                [
                    "--rule".to_string(),
                    root()
                        .join(format!("rules/wdm/{n}.slic"))
                        .display()
                        .to_string(),
                ]
            })
            .collect()
    };
    require_tool("clang-19");
    let mut woven = Vec::new();
    for (name, text, rule_set) in [
        ("acquire", acquire, rules(&["QueuedSpinLockRelease"])),
        (
            "release",
            release,
            rules(&["SpinLock", "QueuedSpinLockRelease"]),
        ),
    ] {
        let source = work.path().join(format!("{name}.c"));
        std::fs::write(&source, text).unwrap();
        let module = work.path().join(format!("{name}.ll"));
        let mut command = Command::new("clang-19");
        command
            .args(["-S", "-emit-llvm", "-O0", "-Xclang", "-disable-O0-optnone"])
            .arg(format!("-I{}", wdk.display()))
            .arg(&source)
            .arg("-o")
            .arg(&module);
        check_output(command, "clang-19 -emit-llvm");
        let output = work.path().join(format!("{name}.woven.ll"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
        command
            .arg("weave")
            .args(&rule_set)
            .arg(&module)
            .arg("-o")
            .arg(&output);
        check_output(command, "slic weave");
        woven.push(output);
    }
    let main_source = work.path().join("main.c");
    std::fs::write(&main_source, main).unwrap();
    let program = work.path().join("program");
    let mut command = Command::new("clang-19");
    command
        .arg(format!("-I{}", wdk.display()))
        .args(&woven)
        .arg(&main_source)
        .arg(wdk.join("wdm_user.c"))
        .arg("-o")
        .arg(&program);
    check_output(command, "clang-19 linking two woven modules");
    let reports = run_for_reports(Command::new(&program), "two woven modules");
    assert_eq!(
        reports
            .matches("slic: violation of QueuedSpinLockRelease")
            .count(),
        1,
        "{reports}"
    );
    assert!(
        reports.contains("acquires an in-stack queued spin lock while it already holds one"),
        "{reports}"
    );
}

/// The report contract, from a woven module: without
/// `SLIC_ON_VIOLATION=continue` the default `slic_report` prints one report
/// and aborts; a program's own `slic_report` (compiled against the C
/// monitor's header) replaces the weak default and reads the same
/// `struct slic_violation` and `struct slic_site` the C monitor fills.
#[test]
fn report_contract_of_woven_modules() {
    let work = tempfile::tempdir().unwrap();
    let wdk = root().join("tests/drivers/wdk");
    require_tool("clang-19");
    let rule = root().join("rules/wdm/QueuedSpinLockRelease.slic");
    let source = work.path().join("twice.c");
    std::fs::write(
        &source,
        "#include \"wdm.h\"\nint main(void)\n{\n    KSPIN_LOCK lock = 0;\n    KLOCK_QUEUE_HANDLE handle;\n    KeAcquireInStackQueuedSpinLock(&lock, &handle);\n    lock = 0;\n    KeAcquireInStackQueuedSpinLock(&lock, &handle);\n    return 0;\n}\n",
    )
    .unwrap();
    let module = work.path().join("twice.ll");
    let mut command = Command::new("clang-19");
    command
        .args([
            "-S",
            "-emit-llvm",
            "-O0",
            "-Xclang",
            "-disable-O0-optnone",
            "-g",
        ])
        .arg("-fdebug-compilation-dir=.")
        .arg(format!("-I{}", wdk.display()))
        .arg("twice.c")
        .arg("-o")
        .arg(&module)
        .current_dir(work.path());
    check_output(command, "clang-19 -emit-llvm");
    let woven = work.path().join("twice.woven.ll");
    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
    command
        .args(["weave", "--rule"])
        .arg(&rule)
        .arg(&module)
        .arg("-o")
        .arg(&woven);
    check_output(command, "slic weave");
    let link = |extra: &[&Path], name: &str| {
        let program = work.path().join(name);
        let mut command = Command::new("clang-19");
        command
            .arg(&woven)
            .args(extra)
            .arg(wdk.join("wdm_user.c"))
            .arg(format!("-I{}", wdk.display()))
            .arg("-o")
            .arg(&program);
        check_output(command, "clang-19 linking the woven module");
        program
    };

    // The default: one report, then abort().
    let default = link(&[], "default");
    let output = Command::new(&default)
        .env_remove("SLIC_ON_VIOLATION")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("slic: violation of ").count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("slic: violation of QueuedSpinLockRelease (0x00040007): The driver acquires an in-stack queued spin lock while it already holds one.\n --> twice.c:8:5 in main (KeAcquireInStackQueuedSpinLock.exit)\n rule: "),
        "{stderr}"
    );

    // A program's own slic_report, reading the structures.
    let monitor = work.path().join("monitor");
    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
    command
        .args(["monitor", "--rule"])
        .arg(&rule)
        .arg("-o")
        .arg(&monitor);
    check_output(command, "slic monitor");
    let own = work.path().join("own_report.c");
    std::fs::write(
        &own,
        "#include <stdio.h>\n#include \"slic_monitor.h\"\nvoid slic_report(const struct slic_violation *v)\n{\n    char text[512];\n    slic_format(v, text, sizeof text);\n    printf(\"own: kind %d rule %s id %d:%#x at %s:%u:%u in %s event %s object %s\\n%s\", v->kind, v->rule, v->has_rule_id, (unsigned)v->rule_id, v->site->file, v->site->line, v->site->column, v->site->function, v->event, v->object ? \"set\" : \"null\", text);\n}\n",
    )
    .unwrap();
    let mut command = Command::new("clang-19");
    command
        .arg("-c")
        .arg(format!("-I{}", monitor.display()))
        .arg(&own)
        .arg("-o")
        .arg(work.path().join("own_report.o"));
    check_output(command, "clang-19 on the program's slic_report");
    let overridden = link(&[&work.path().join("own_report.o")], "overridden");
    let output = Command::new(&overridden)
        .env_remove("SLIC_ON_VIOLATION")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "its own slic_report does not abort"
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("own: kind 1 rule QueuedSpinLockRelease id 1:0x40007 at twice.c:8:5 in main event KeAcquireInStackQueuedSpinLock.exit object null\nslic: violation of QueuedSpinLockRelease (0x00040007): "),
        "{stdout}"
    );
}
