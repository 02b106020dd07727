//! The C back end beyond the driver runs: generated monitors and woven
//! files pinned by snapshots, the kernel flavour, the report contract,
//! `slic roles`, and the errors `slic weave` gives for bad input.

use std::process::Command;

use crate::driver_support::{check_output, require_tool, run_slic};
use crate::support::root;

fn slic(arguments: &[&str]) -> std::process::Output {
    crate::support::run_slic(arguments)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

const SMALL_RULES: &[&str] = &[
    "--rule",
    "rules/wdm/QueuedSpinLockRelease.slic",
    "--rule",
    "tests/fixtures/rules/per_lock.slic",
];

#[test]
fn generated_monitors() {
    for flavour in ["runtime", "static"] {
        let work = tempfile::tempdir().unwrap();
        let output = work.path().display().to_string();
        let mut arguments = vec!["monitor", "--flavour", flavour, "-o", &output];
        arguments.extend_from_slice(SMALL_RULES);
        let result = slic(&arguments);
        assert!(result.status.success(), "{}", text(&result.stderr));
        let header = std::fs::read_to_string(work.path().join("slic_monitor.h")).unwrap();
        let source = std::fs::read_to_string(work.path().join("slic_monitor.c")).unwrap();
        insta::assert_snapshot!(format!("monitor_{flavour}_header"), header);
        insta::assert_snapshot!(format!("monitor_{flavour}_source"), source);
    }
}

#[test]
fn woven_driver() {
    let result = slic(&[
        "weave",
        "--rule",
        "rules/wdm/QueuedSpinLockRelease.slic",
        "-I",
        "tests/drivers/queued",
        "tests/drivers/queued/driver.c",
        "-o",
        "-",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    insta::assert_snapshot!(text(&result.stdout));
}

#[test]
fn weaving_is_deterministic() {
    let arguments = [
        "weave",
        "-I",
        "tests/drivers/queued",
        "tests/drivers/queued/driver.c",
        "-o",
        "-",
    ];
    let first = slic(&arguments);
    let second = slic(&arguments);
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
}

/// With `-DSLIC_KERNEL` the monitor bug-checks like Driver Verifier; it
/// must compile for Windows targets against the kernel's header.
#[test]
fn kernel_flavour_compiles_for_windows() {
    require_tool("clang-19");
    let work = tempfile::tempdir().unwrap();
    run_slic(&[
        "monitor".to_string(),
        "-o".to_string(),
        work.path().display().to_string(),
    ]);
    for target in ["x86_64-pc-windows-msvc", "i686-pc-windows-msvc"] {
        compile_for_the_kernel(work.path(), target);
    }
}

/// Compiles the monitor in `directory` with `-DSLIC_KERNEL` for a Windows
/// target, against the kernel header's stub, warnings as errors.
pub fn compile_for_the_kernel(directory: &std::path::Path, target: &str) {
    let mut command = Command::new("clang-19");
    command
        .args(["-target", target, "-fms-extensions", "-DSLIC_KERNEL"])
        .args(["-Wall", "-Wextra", "-Werror", "-c"])
        .arg(format!(
            "-I{}",
            root().join("tests/fixtures/kernel").display()
        ))
        .arg(format!("-I{}", directory.display()))
        .arg(directory.join("slic_monitor.c"))
        .arg("-o")
        .arg(directory.join(format!("monitor-{target}.obj")));
    check_output(command, &format!("clang-19 -DSLIC_KERNEL for {target}"));
}

/// The program's own `slic_report` replaces the default; with the default,
/// the report goes to stderr in the contract's format, then abort().
#[test]
fn report_contract_and_override() {
    require_tool("gcc");
    let work = tempfile::tempdir().unwrap();
    let monitor = work.path().join("monitor");
    run_slic(&[
        "monitor".to_string(),
        "--rule".to_string(),
        "rules/wdm/QueuedSpinLockRelease.slic".to_string(),
        "-o".to_string(),
        monitor.display().to_string(),
    ]);
    let program = r#"
#include <stdio.h>
#include "slic_monitor.h"
static const struct slic_site site = { "drivers/foo/read.c", 88, 5, "DispatchRead" };
static const struct slic_site nowhere = { 0, 0, 0, "DispatchWrite" };
#ifdef OWN_REPORT
void slic_report(const struct slic_violation *v)
{
    printf("own report: %s at %s:%u\n", v->rule, v->site->file, v->site->line);
}
#endif
int main(void)
{
    slic_hook_KeAcquireInStackQueuedSpinLock_exit(&site, 1, 2);
    slic_hook_role_dispatch_exit(&site, 1, 2, 0);
    slic_hook_role_dispatch_exit(&nowhere, 1, 2, 0);
    puts("after");
    return 0;
}
"#;
    let source = work.path().join("program.c");
    std::fs::write(&source, program).unwrap();
    for own in [false, true] {
        let executable = work.path().join(format!("program-{own}"));
        let mut command = Command::new("gcc");
        command
            .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
            .arg(format!("-I{}", monitor.display()))
            .arg(&source)
            .arg(monitor.join("slic_monitor.c"))
            .arg("-o")
            .arg(&executable);
        if own {
            command.arg("-DOWN_REPORT");
        }
        check_output(command, "gcc on the report program");
        let output = Command::new(&executable).output().unwrap();
        if own {
            assert!(output.status.success());
            assert_eq!(
                text(&output.stdout),
                "own report: QueuedSpinLockRelease at drivers/foo/read.c:88\nafter\n"
            );
            assert!(output.stderr.is_empty());
        } else {
            assert!(!output.status.success(), "the default report aborts");
            assert_eq!(
                text(&output.stderr),
                "slic: violation of QueuedSpinLockRelease (0x00040007): A dispatch or cancel routine returns while still holding an in-stack queued spin lock.\n \
                 --> drivers/foo/read.c:88:5 in DispatchRead (SDV_RunDispatchFunction.exit)\n \
                 rule: rules/wdm/QueuedSpinLockRelease.slic:54:9\n"
            );
            let going_on = Command::new(&executable)
                .env("SLIC_ON_VIOLATION", "continue")
                .output()
                .unwrap();
            assert!(going_on.status.success());
            // One report per bug: the second return while failed is silent.
            assert_eq!(text(&going_on.stderr).matches("slic: violation").count(), 1);
            assert_eq!(text(&going_on.stdout), "after\n");
        }
    }
}

#[test]
fn roles_are_found_in_the_driver_and_its_header() {
    let result = slic(&["roles", "tests/drivers/queued/driver.c"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    insta::assert_snapshot!(text(&result.stdout));
}

#[test]
fn roles_from_the_command_line_and_a_roles_file() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("plain.c");
    std::fs::write(
        &source,
        "void KeEnterCriticalRegion(void);\nvoid Dispatch(void *d, void *i) { KeEnterCriticalRegion(); }\nvoid Cancel(void *d, void *i) { }\n",
    )
    .unwrap();
    let roles = work.path().join("roles.toml");
    std::fs::write(&roles, "[cancel]\nroutines = [\"Cancel\"]\n").unwrap();
    let source_path = source.display().to_string();
    let roles_path = roles.display().to_string();
    let result = slic(&[
        "weave",
        "--rule",
        "rules/wdm/CriticalRegions.slic",
        "--role",
        "dispatch=Dispatch",
        "--roles",
        &roles_path,
        &source_path,
        "-o",
        "-",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let woven = text(&result.stdout);
    assert!(woven.contains("slic_orig_Dispatch("), "{woven}");
    assert!(woven.contains("slic_hook_role_dispatch_exit("), "{woven}");

    let bad = slic(&[
        "weave",
        "--role",
        "dispach=Dispatch",
        &source_path,
        "-o",
        "-",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("`dispach` is not a role"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn bad_weave_inputs_are_refused_with_one_line() {
    let work = tempfile::tempdir().unwrap();
    let woven = work.path().join("woven.c");
    let woven_path = woven.display().to_string();
    let first = slic(&[
        "weave",
        "-I",
        "tests/drivers/queued",
        "tests/drivers/queued/driver.c",
        "-o",
        &woven_path,
    ]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let broken = work.path().join("broken.c");
    std::fs::write(
        &broken,
        "void f(void) {\n    if (x { KeAcquireSpinLock(&lock, &irql); }\n",
    )
    .unwrap();
    let broken_path = broken.display().to_string();
    let other_output = work.path().join("again.c").display().to_string();
    let missing_directory = work.path().join("no/such/dir/out.c").display().to_string();
    // Usage and I/O errors exit with 2 and say so in one line; inputs slic
    // cannot weave exit with 1 and one diagnostic.
    let cases: Vec<(Vec<&str>, &str, i32)> = vec![
        (
            vec!["weave", &woven_path, "-o", &other_output],
            "already woven",
            1,
        ),
        (
            vec!["weave", &woven_path, "-o", &woven_path],
            "would overwrite the input",
            2,
        ),
        (
            vec![
                "weave",
                "tests/drivers/queued/driver.c",
                "-o",
                &missing_directory,
            ],
            "does not exist",
            2,
        ),
        (
            vec!["weave", "rules/wdm/ddi.h", "-o", &other_output],
            "`.c`, `.ll` and `.bc`",
            2,
        ),
        (
            vec!["weave", "no/such/driver.c", "-o", &other_output],
            "no such file",
            2,
        ),
        (
            vec!["weave", &broken_path, "-o", &other_output],
            "could not make sense",
            1,
        ),
    ];
    for (arguments, message, code) in cases {
        let result = slic(&arguments);
        let stderr = text(&result.stderr);
        assert_eq!(result.status.code(), Some(code), "{arguments:?}: {stderr}");
        if code == 2 {
            assert_eq!(stderr.lines().count(), 1, "{arguments:?}: {stderr}");
        } else {
            assert_eq!(
                stderr.matches("error[").count(),
                1,
                "{arguments:?}: {stderr}"
            );
        }
        assert!(stderr.contains(message), "{arguments:?}: {stderr}");
    }
    assert!(
        !work.path().join("again.c").exists(),
        "no output is left behind"
    );
    let after = std::fs::read_to_string(&woven).unwrap();
    assert!(after.contains("woven by slic"), "the input is untouched");
}

/// A named pipe at `path` (`mkfifo`).
fn make_fifo(path: &std::path::Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// Output to a pipe or a device is written in place, never replaced by a
/// renamed file.
#[test]
fn output_to_a_pipe_stays_a_pipe() {
    let work = tempfile::tempdir().unwrap();
    let fifo = work.path().join("out");
    make_fifo(&fifo);
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read_to_string(reader_path).unwrap());
    let fifo_path = fifo.display().to_string();
    let result = slic(&[
        "weave",
        "-I",
        "tests/drivers/queued",
        "tests/drivers/queued/driver.c",
        "-o",
        &fifo_path,
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let woven = reader.join().unwrap();
    assert!(woven.contains("woven by slic"));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// A C file read from a pipe weaves as the same file on disk does: a
/// regular file is mapped, anything else read once (a pipe opened to look
/// at it and closed would lose what its writer wrote).
#[test]
fn input_from_a_pipe_weaves_as_the_file() {
    let work = tempfile::tempdir().unwrap();
    let fifo = work.path().join("driver.c");
    make_fifo(&fifo);
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let source = std::fs::read("tests/drivers/queued/driver.c").unwrap();
        std::fs::write(writer_path, source).unwrap();
    });
    let fifo_path = fifo.display().to_string();
    let from_pipe = slic(&[
        "weave",
        "-I",
        "tests/drivers/queued",
        "--name",
        "tests/drivers/queued/driver.c",
        &fifo_path,
        "-o",
        "-",
    ]);
    writer.join().unwrap();
    assert!(from_pipe.status.success(), "{}", text(&from_pipe.stderr));
    let from_file = slic(&[
        "weave",
        "-I",
        "tests/drivers/queued",
        "tests/drivers/queued/driver.c",
        "-o",
        "-",
    ]);
    assert!(from_file.status.success(), "{}", text(&from_file.stderr));
    assert!(text(&from_file.stdout).contains("woven by slic"));
    assert_eq!(text(&from_pipe.stdout), text(&from_file.stdout));
}

/// `--report` lists, per rule and event, the sites it bound to.
#[test]
fn binding_report() {
    let work = tempfile::tempdir().unwrap();
    let report = work.path().join("report.json");
    let report_path = report.display().to_string();
    let result = slic(&[
        "weave",
        "--rule",
        "rules/wdm/QueuedSpinLockRelease.slic",
        "--rule",
        "rules/wdm/CancelSpinLock.slic",
        "-I",
        "tests/drivers/queued",
        "--report",
        &report_path,
        "tests/drivers/queued/driver.c",
        "-o",
        "/dev/null",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    // CancelSpinLock sees the release of the cancel lock but no acquire.
    assert!(
        text(&result.stderr)
            .contains("warning[W0010]: 1 event of rule `CancelSpinLock` binds to no site")
    );
    insta::assert_snapshot!(std::fs::read_to_string(&report).unwrap());
}

/// Several inputs go into a directory, each under its own name.
#[test]
fn several_inputs_into_a_directory() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().display().to_string();
    let result = slic(&[
        "weave",
        "-I",
        "tests/drivers/queued",
        "tests/drivers/queued/driver.c",
        "examples/driver/queue.c",
        "-o",
        &out,
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    for name in ["driver.c", "queue.c"] {
        let woven = std::fs::read_to_string(work.path().join(name)).unwrap();
        assert!(woven.contains("woven by slic"), "{name}");
    }
    let not_a_directory = work.path().join("driver.c").display().to_string();
    let refused = slic(&[
        "weave",
        "tests/drivers/queued/driver.c",
        "examples/driver/queue.c",
        "-o",
        &not_a_directory,
    ]);
    assert_eq!(refused.status.code(), Some(2));
}

/// Outputs are written through a temporary file and a rename, but they get
/// the permissions a plain write would give: the replaced file's, or those
/// the umask allows (not the temporary file's private 0600).
#[test]
fn outputs_have_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    let monitor = work.path().join("monitor");
    let result = slic(&["monitor", "-o", monitor.to_str().unwrap()]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let plain = work.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    assert_eq!(
        mode(&monitor.join("slic_monitor.c")),
        mode(&plain),
        "as a plain write"
    );
    let woven = work.path().join("woven.c");
    std::fs::write(&woven, "").unwrap();
    std::fs::set_permissions(&woven, std::fs::Permissions::from_mode(0o640)).unwrap();
    let result = slic(&[
        "weave",
        "-I",
        "tests/drivers/queued",
        "tests/drivers/queued/driver.c",
        "-o",
        woven.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert_eq!(
        mode(&woven),
        0o640,
        "the replaced file's permissions are kept"
    );
    let refused = slic(&["monitor", "-o", "-"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("`-o -` is not one"));
    assert!(!root().join("-").exists(), "no directory named `-`");
}

/// A 64-bit integer crosses into the monitor as a 64-bit integer: a 32-bit
/// target's `uintptr_t` would cut it. Pointers stay `uintptr_t`.
#[test]
fn wide_integers_keep_their_width_into_the_monitor() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("ddi.h"),
        "typedef long long LONGLONG;\ntypedef unsigned long long ULONGLONG;\ntypedef void *PVOID;\n\
         void Wide(LONGLONG Signed, ULONGLONG Unsigned, PVOID Pointer);\n",
    )
    .unwrap();
    let rule = work.path().join("Wide.slic");
    std::fs::write(
        &rule,
        "state { int seen = 0; }\nWide.exit { if ($1 + $2 == 0 && $3 == 0) { seen = 1; abort \"zero\"; } }\n",
    )
    .unwrap();
    let monitor = work.path().join("monitor");
    let result = slic(&[
        "monitor",
        "--rule",
        rule.to_str().unwrap(),
        "-o",
        monitor.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let header = std::fs::read_to_string(monitor.join("slic_monitor.h")).unwrap();
    assert!(
        header.contains(
            "void slic_hook_Wide_exit(const struct slic_site *site, int64_t a1, uint64_t a2, uintptr_t a3);"
        ),
        "{header}"
    );
}

/// Every form of `tests/fixtures/c/` (whose woven text the hermetic tier
/// pins) compiles once woven, with gcc and with clang, against the stub WDK
/// and the forms rule's monitor.
#[test]
fn woven_c_forms_compile() {
    let work = tempfile::tempdir().unwrap();
    let rule = root()
        .join("tests/fixtures/c/forms.slic")
        .display()
        .to_string();
    let monitor = work.path().join("monitor");
    run_slic(&[
        "monitor".to_string(),
        "--rule".to_string(),
        rule.clone(),
        "-o".to_string(),
        monitor.display().to_string(),
    ]);
    let mut forms: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/c"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "c"))
        .collect();
    forms.sort();
    assert!(forms.len() >= 8);
    for form in &forms {
        let text = std::fs::read_to_string(form).unwrap();
        let mut arguments = vec!["weave".to_string(), "--rule".to_string(), rule.clone()];
        for line in text.lines() {
            if let Some(roles) = line.strip_prefix("// roles:") {
                for role in roles.split_whitespace() {
                    arguments.extend(["--role".to_string(), role.to_string()]);
                }
            }
        }
        let woven = work.path().join(form.file_name().unwrap());
        arguments.extend([
            form.display().to_string(),
            "-o".to_string(),
            woven.display().to_string(),
        ]);
        run_slic(&arguments);
        for compiler in ["gcc", "clang-19"] {
            require_tool(compiler);
            let mut command = Command::new(compiler);
            command
                .args([
                    "-std=gnu11",
                    "-Wall",
                    "-Werror",
                    "-Wno-unused-function",
                    "-c",
                ])
                // The K&R form is old C, which clang warns about as it is.
                .arg("-Wno-deprecated-non-prototype")
                .arg(format!("-I{}", root().join("tests/drivers/wdk").display()))
                .arg(format!("-I{}", monitor.display()))
                .arg(&woven)
                .arg("-o")
                .arg(work.path().join("form.o"));
            check_output(
                command,
                &format!("{compiler} on the woven {}", form.display()),
            );
        }
    }
}
