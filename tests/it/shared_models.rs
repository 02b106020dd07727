//! Shared models in the monitors: rules woven together that include one
//! model get one state of it per thread, and its handlers run once per
//! event, before the rules' (`src/monitor/models.rs`). What they compute is
//! held to the interpreter by the differential tests
//! (`differential::whole_pack`); this pins the shape of the generated code.

use std::process::Command;

use crate::driver_support::{check_output, require_tool};

/// Two rules that include the IRQL model, and one that does not.
const RULES: &[&str] = &[
    "--rule",
    "rules/wdm/IrqlApcLte.slic",
    "--rule",
    "rules/wdm/IrqlKeReleaseSpinLock.slic",
    "--rule",
    "rules/wdm/QueuedSpinLockRelease.slic",
];

fn monitor(flavour: &str, work: &std::path::Path) -> String {
    let output = work.display().to_string();
    let mut arguments = vec!["monitor", "--flavour", flavour, "-o", &output];
    arguments.extend_from_slice(RULES);
    let result = crate::support::run_slic(&arguments);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    std::fs::read_to_string(work.join("slic_monitor.c")).unwrap()
}

/// The parts of a C monitor that say where state lives and what a hook
/// runs: every state structure, and the hooks of a model event some rule
/// handles too (`KeReleaseSpinLock.exit`) and of one only the model handles
/// (`KeAcquireSpinLock.exit`).
fn excerpt(source: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in source.lines() {
        let starts = (line.starts_with("struct slic_") && line.ends_with("_state {"))
            || line.starts_with("SLIC_ENTRY void slic_hook_KeReleaseSpinLock_exit(")
            || line.starts_with("SLIC_ENTRY void slic_hook_KeAcquireSpinLock_exit(")
            || line.starts_with("/* ---- ");
        if starts {
            inside = !line.starts_with("/* ---- ");
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
            if line == "}" || line == "};" {
                inside = false;
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn rules_that_include_a_model_share_one_state_of_it_in_c() {
    for flavour in ["runtime", "static"] {
        let work = tempfile::tempdir().unwrap();
        let source = monitor(flavour, work.path());
        assert_eq!(
            source.matches("struct slic_m0_state {").count(),
            1,
            "one state of the IRQL model"
        );
        assert!(!source.contains("slic_m1"), "no second model state");
        insta::assert_snapshot!(format!("shared_model_{flavour}"), excerpt(&source));
        // It compiles cleanly, in the kernel too.
        require_tool("gcc");
        let mut gcc = Command::new("gcc");
        gcc.args(["-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", "-c"])
            .arg(work.path().join("slic_monitor.c"))
            .arg("-I")
            .arg(work.path())
            .arg("-o")
            .arg(work.path().join("monitor.o"));
        check_output(gcc, &format!("gcc on the {flavour} monitor"));
        if flavour == "runtime" {
            require_tool("clang-19");
            crate::c_backend::compile_for_the_kernel(work.path(), "x86_64-pc-windows-msvc");
        }
    }
}

#[test]
fn rules_that_include_a_model_share_one_state_of_it_in_ir() {
    require_tool("opt-19");
    let work = tempfile::tempdir().unwrap();
    let woven = work.path().join("woven.ll");
    let output = woven.display().to_string();
    let mut arguments = vec!["weave"];
    arguments.extend_from_slice(RULES);
    arguments.extend([
        "tests/fixtures/ir/irql/irql.19.x86_64-linux-gnu.O2.ll",
        "-o",
        &output,
    ]);
    let result = crate::support::run_slic(&arguments);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let text = std::fs::read_to_string(&woven).unwrap();
    let mut verify = Command::new("opt-19");
    verify
        .args(["-passes=verify", "-disable-output"])
        .arg(&woven);
    check_output(verify, "opt-19 -passes=verify on the woven module");
    let states: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(".state = linkonce_odr thread_local global "))
        .collect();
    let model_states: Vec<&&str> = states
        .iter()
        .filter(|line| line.starts_with("@slic.Irql."))
        .collect();
    assert_eq!(model_states.len(), 1, "one state of the model: {states:#?}");
    // Each rule's own state holds only its own variables: IrqlApcLte has
    // none (one placeholder), and no rule holds the model's six.
    assert_eq!(states.len(), 4, "the model and three rules: {states:#?}");
    assert!(
        states
            .iter()
            .all(|line| line.starts_with("@slic.Irql.") || !line.contains("[6 x i64]")),
        "{states:#?}"
    );
    // A hook of an event only the model handles calls the model once and
    // no rule; one the rules handle too calls the model first, then them.
    let calls = |event: &str| -> Vec<String> {
        let hook = text
            .split("\ndefine ")
            .find(|f| f.starts_with(&format!("linkonce_odr void @slic_hook_{event}.")))
            .unwrap_or_else(|| panic!("the hook of {event}"));
        hook.lines()
            .filter(|line| line.trim_start().starts_with("call void @slic."))
            .map(str::to_string)
            .collect()
    };
    let lower = calls("KeLowerIrql_exit");
    assert_eq!(lower.len(), 1, "{lower:#?}");
    assert!(lower[0].contains("@slic.Irql."), "{lower:#?}");
    let acquire = calls("KeAcquireSpinLockRaiseToDpc_exit");
    assert_eq!(acquire.len(), 2, "{acquire:#?}");
    assert!(acquire[0].contains("@slic.Irql."), "{acquire:#?}");
    assert!(
        acquire[1].contains("@slic.IrqlKeReleaseSpinLock."),
        "{acquire:#?}"
    );
}
