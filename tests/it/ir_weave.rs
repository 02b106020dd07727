//! The IR weaver on small modules: snapshots of what it inserts, and its
//! errors.
//!
//! Every `.ll` under `tests/fixtures/ir/small/` is woven with
//! `events.slic` (every event kind) and the roles its first lines name
//! (`; roles: dispatch=Name`), checked with the `opt` its header names
//! (`; verify: 19`), and snapshotted: the module up to the monitor, then
//! the sites, wrappers and debug locations (the monitor is pinned once, in
//! `monitor_of_the_events_rule`).

use std::path::Path;
use std::process::Command;

use slic::automaton::Automaton;
use slic::diagnostic::{Code, Diagnostic};
use slic::monitor::hooks::HookSet;
use slic::weave::Woven;
use slic::weave::role_map::RoleMap;

use crate::driver_support::{check_output, require_tool};
use crate::support::{compile_file, line_of, render_about_input, root};

fn automaton(rule: &str) -> Automaton {
    let compiled = compile_file(&root().join(rule));
    slic::automaton::lower(&compiled.model.expect("the rule checks"))
}

fn weave_with(text: &str, rules: &[Automaton], roles: &RoleMap) -> Result<Woven, Diagnostic> {
    let hooks = HookSet::new(rules).unwrap();
    slic::weave::llvm::weave(&slic::weave::llvm::Input {
        text,
        path: "module.ll",
        file: Default::default(),
        rules,
        hooks: &hooks,
        roles,
        monitors: None,
    })
}

fn header_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|line| line.starts_with(';'))
        .find_map(|line| line.strip_prefix(&format!("; {key}:")))
        .map(str::trim)
}

fn roles_of(text: &str) -> RoleMap {
    let mut roles = RoleMap::default();
    for assignment in header_value(text, "roles").unwrap_or("").split_whitespace() {
        let (role, name) = RoleMap::parse_assignment(assignment).unwrap();
        roles.add(role, name);
    }
    roles
}

fn verify(version: &str, text: &str) {
    let tool = format!("opt-{version}");
    require_tool(&tool);
    let file = tempfile::Builder::new().suffix(".ll").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let mut command = Command::new(&tool);
    command
        .args(["-passes=verify", "-disable-output"])
        .arg(file.path());
    check_output(command, &tool);
}

/// The woven module without the monitor: what the weaver put in the
/// functions, and the sites, wrappers and metadata it appended.
fn without_monitor(text: &str) -> String {
    let start = text
        .find("\n; ---- woven by slic")
        .expect("the monitor's heading");
    let sites = text.find("\n; Sites.").expect("the sites' heading");
    format!(
        "{}\n[... the monitor ...]\n{}",
        &text[..start],
        &text[sites + 1..]
    )
}

#[test]
fn small_modules_woven() {
    let rules = [automaton("tests/fixtures/ir/small/events.slic")];
    insta::glob!("../fixtures/ir/small", "*.ll", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let woven = weave_with(&text, &rules, &roles_of(&text)).unwrap();
        let version = header_value(&text, "verify").expect("a `; verify: N` line");
        verify(version, &woven.text);
        let name = path.file_name().unwrap().to_string_lossy();
        let warnings = render_about_input(&name, &text, &woven.warnings);
        insta::assert_snapshot!(format!(
            "{}\n--- warnings ---\n{}",
            without_monitor(&woven.text),
            warnings
        ));
    });
}

#[test]
fn monitor_of_the_events_rule() {
    let rules = [automaton("tests/fixtures/ir/small/events.slic")];
    let text = std::fs::read_to_string(root().join("tests/fixtures/ir/small/musttail.ll")).unwrap();
    let woven = weave_with(&text, &rules, &RoleMap::default()).unwrap();
    let start = woven.text.find("; The monitor").unwrap();
    let end = woven.text.find("\n; Sites.").unwrap();
    insta::assert_snapshot!(&woven.text[start..end]);
}

#[test]
fn weaving_is_deterministic_and_refuses_woven_modules() {
    let rules = [
        automaton("rules/wdm/QueuedSpinLock.slic"),
        automaton("rules/wdm/IrqlKeRaiseLower.slic"),
    ];
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/ir/small/invoke_phi.ll")).unwrap();
    let roles = roles_of(&text);
    let first = weave_with(&text, &rules, &roles).unwrap();
    let second = weave_with(&text, &rules, &roles).unwrap();
    assert_eq!(first.text, second.text);
    let again = weave_with(&first.text, &rules, &roles).unwrap_err();
    assert!(again.message.contains("already woven"), "{again:?}");
    // Without the comment (llvm-dis drops comments), the named metadata
    // still says so.
    let stripped: String = first
        .text
        .lines()
        .filter(|line| !line.starts_with(';'))
        .map(|line| format!("{line}\n"))
        .collect();
    let again = weave_with(&stripped, &rules, &roles).unwrap_err();
    assert!(again.message.contains("already woven"), "{again:?}");
}

#[test]
fn malformed_modules_are_refused_with_their_line() {
    let rules = [automaton("rules/wdm/SpinLock.slic")];
    let declare = "declare void @KeAcquireSpinLock(ptr, ptr)\n";
    let cases: &[(&str, u32, &str)] = &[
        (
            "define void @f() {\n  ret void\n",
            1,
            "never closed by a `}` line",
        ),
        ("garbage here\n", 1, "expected a top-level item"),
        (
            "define void @f(ptr %l) {\n  call void @KeAcquireSpinLock(ptr %l, ptr %l\n  ret void\n}\n",
            2,
            "never closed",
        ),
        (
            "define void @f(ptr %l) {\n  call void @KeAcquireSpinLock(ptr %l, ptr %l) [ \"x\n}\n",
            2,
            "unterminated",
        ),
        (
            "define void @f(ptr %l) {\n  call void @KeAcquireSpinLock(ptr %l, ptr)\n  ret void\n}\n",
            2,
            "cannot read this call of `@KeAcquireSpinLock`",
        ),
        (
            "define void @f(ptr %l {\n}\n",
            1,
            "cannot read this function header",
        ),
    ];
    for (body, line, message) in cases {
        let text = format!("{declare}{body}");
        let error = weave_with(&text, &rules, &RoleMap::default()).unwrap_err();
        assert!(error.message.contains(message), "{body}: {error:?}");
        assert_eq!(error.code, Code::MalformedIr, "{body}: {error:?}");
        assert_eq!(
            line_of(&text, error.primary.start as usize),
            *line as usize + 1,
            "{body}: {error:?}"
        );
    }
}

#[test]
fn a_failed_weave_leaves_no_output_file() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("bad.ll");
    std::fs::write(&input, "define void @f() {\n  ret void\n").unwrap();
    let output = work.path().join("out.ll");
    let result = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args(["weave"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    // An input slic cannot weave is refused (exit 1), like a rule with errors.
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("error[E0036]: the body of `f` is never closed")
            && stderr.contains("bad.ll:1:1"),
        "{stderr}"
    );
    assert!(!output.exists());
    assert_eq!(
        std::fs::read_dir(work.path()).unwrap().count(),
        1,
        "a temporary file is left"
    );
}

/// `slic weave` writes a module as it weaves it: a refusal after much of
/// it was written (here, a call it cannot read after 2,500 woven
/// ones: more edits than are held before writing) still leaves the output
/// as it was, and no temporary file.
#[test]
fn a_weave_refused_part_way_leaves_the_output_as_it_was() {
    let work = tempfile::tempdir().unwrap();
    let mut text = String::from("declare void @KeAcquireSpinLock(ptr, ptr)\n");
    for n in 0..2500 {
        text.push_str(&format!(
            "define void @f{n}(ptr %l) {{\n  call void @KeAcquireSpinLock(ptr %l, ptr %l)\n  ret void\n}}\n"
        ));
    }
    text.push_str(
        "define void @bad(ptr %l) {\n  call void @KeAcquireSpinLock(ptr %l, ptr)\n  ret void\n}\n",
    );
    let input = work.path().join("long.ll");
    std::fs::write(&input, &text).unwrap();
    let output = work.path().join("out.ll");
    std::fs::write(&output, "the previous output\n").unwrap();
    let weave = |input: &Path| {
        Command::new(env!("CARGO_BIN_EXE_slic"))
            .args(["weave"])
            .arg(input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap()
    };
    let result = weave(&input);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("cannot read this call of `@KeAcquireSpinLock`"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "the previous output\n"
    );
    assert_eq!(
        std::fs::read_dir(work.path()).unwrap().count(),
        2,
        "a temporary file is left"
    );
    // Without the bad function, the same module is woven, every call.
    let good = work.path().join("good.ll");
    std::fs::write(&good, text.split("define void @bad").next().unwrap()).unwrap();
    let result = weave(&good);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let woven = std::fs::read_to_string(&output).unwrap();
    assert_eq!(woven.matches("call void @KeAcquireSpinLock(").count(), 2500);
    assert!(woven.contains("\n@slic.site.2499 = "), "a site a call");
    assert!(!woven.contains("\n@slic.site.2500 = "), "a site a call");
}

#[test]
fn bitcode_is_woven_with_the_tools_of_its_producer() {
    let work = tempfile::tempdir().unwrap();
    for version in [14, 16, 19] {
        let input = root().join(format!(
            "tests/fixtures/ir/queued/driver.{version}.x86_64-linux-gnu.O0.g.bc"
        ));
        let output = work.path().join(format!("woven.{version}.bc"));
        let result = Command::new(env!("CARGO_BIN_EXE_slic"))
            .arg("weave")
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        let bytes = std::fs::read(&output).unwrap();
        let producer = slic::llvm::bitcode::producer(&bytes).unwrap();
        assert!(
            producer.starts_with(&format!("LLVM{version}.")),
            "{producer}"
        );
        let input_producer =
            slic::llvm::bitcode::producer(&std::fs::read(&input).unwrap()).unwrap();
        assert_eq!(producer, input_producer);
        verify(&version.to_string(), &disassemble(version, &output));
    }
}

fn disassemble(version: u32, path: &Path) -> String {
    let tool = format!("llvm-dis-{version}");
    require_tool(&tool);
    let mut command = Command::new(&tool);
    command.arg(path).args(["-o", "-"]);
    String::from_utf8(check_output(command, &tool).stdout).unwrap()
}

/// The monitor compiled apart (`slic cc`, `weave::llvm::monitor_module`)
/// for a module of an executable marks its thread-locals `dso_local`, so
/// that each access is one instruction at a fixed offset from the thread
/// pointer; for a module of a shared object (`PIC Level` alone) it leaves
/// them preemptible. Either way the module verifies and the rules' symbols
/// are the same (modules compiled either way share their state).
#[test]
fn the_linked_monitor_reaches_its_thread_locals_directly_in_executables() {
    let rules = [automaton("rules/wdm/QueuedSpinLock.slic")];
    let hooks = HookSet::new(&rules).unwrap();
    let module = |flags: &[&str]| {
        let mut text = String::from(
            "target datalayout = \"e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128\"\n\
             target triple = \"x86_64-pc-linux-gnu\"\n\n\
             define i32 @f() {\n  ret i32 0\n}\n",
        );
        if !flags.is_empty() {
            let numbers: Vec<String> = (0..flags.len()).map(|n| format!("!{n}")).collect();
            text.push_str(&format!(
                "\n!llvm.module.flags = !{{{}}}\n",
                numbers.join(", ")
            ));
            for (number, flag) in flags.iter().enumerate() {
                text.push_str(&format!("!{number} = !{{{flag}}}\n"));
            }
        }
        let input = slic::weave::llvm::Input {
            text: &text,
            path: "module.ll",
            file: Default::default(),
            rules: &rules,
            hooks: &hooks,
            roles: &RoleMap::default(),
            monitors: None,
        };
        let monitor = slic::weave::llvm::monitor_module(&input).unwrap();
        verify("19", &monitor);
        monitor
    };
    let thread_locals = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| line.contains(" thread_local global "))
            .map(|line| line.split(" = ").next().unwrap().to_string())
            .collect()
    };
    let pic = "i32 8, !\"PIC Level\", i32 2";
    let pie = "i32 7, !\"PIE Level\", i32 2";
    let executable = module(&[pic, pie]);
    let not_relocatable = module(&[]);
    let shared = module(&[pic]);
    // The table's list of the thread's slots, the thread records, the
    // driver depth: some of each.
    let names = thread_locals(&shared);
    assert!(names.len() >= 4, "{names:?}");
    assert_eq!(thread_locals(&executable), names);
    assert_eq!(thread_locals(&not_relocatable), names);
    for text in [&executable, &not_relocatable] {
        for line in text.lines().filter(|l| l.contains(" thread_local global ")) {
            assert!(
                line.contains(" = weak_odr dso_local thread_local global "),
                "{line}"
            );
        }
    }
    for line in shared
        .lines()
        .filter(|l| l.contains(" thread_local global "))
    {
        assert!(line.contains(" = weak_odr thread_local global "), "{line}");
    }
}
