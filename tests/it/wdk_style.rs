//! The C weaver on the WDK-style corpus (`tests/fixtures/wdk-style/`):
//! every file compiles before weaving, and its woven form still compiles,
//! against the stub `wdm.h` and a generated `slic_monitor.h`, with
//! warnings as errors (as WDK builds treat them), in free and checked
//! builds (`DBG` 0 and 1).
//!
//! Files whose first line says `ms-syntax` (structured exception handling,
//! `__pragma`, `#pragma code_seg`) are compiled by clang for the
//! `x86_64-pc-windows-msvc` and `i686-pc-windows-msvc` targets; the others
//! by gcc (`-fsyntax-only`) and by clang for both targets as well.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver_support::{require_tool, run_slic};
use crate::support::root;

const CLANG: &str = "clang-19";
const MS_TARGETS: [&str; 2] = ["x86_64-pc-windows-msvc", "i686-pc-windows-msvc"];

fn corpus() -> Vec<PathBuf> {
    let directory = root().join("tests/fixtures/wdk-style");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "the corpus is in {}", directory.display());
    files
}

/// The compiler command lines a file is checked with, without the file.
fn compilers(ms_syntax: bool) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    for dbg in ["-DDBG=0", "-DDBG=1"] {
        if !ms_syntax {
            lines.push(
                [
                    "gcc",
                    "-std=c11",
                    "-fsyntax-only",
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                    dbg,
                ]
                .map(String::from)
                .to_vec(),
            );
        }
        for target in MS_TARGETS {
            lines.push(
                [
                    CLANG,
                    "-target",
                    target,
                    "-fms-extensions",
                    "-fsyntax-only",
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                    // K&R definitions are part of the corpus on purpose.
                    "-Wno-deprecated-non-prototype",
                    dbg,
                ]
                .map(String::from)
                .to_vec(),
            );
        }
    }
    lines
}

/// Compiles; the error output if it fails.
fn compile(line: &[String], includes: &[&Path], file: &Path) -> Result<(), String> {
    let mut command = Command::new(&line[0]);
    command.args(&line[1..]);
    for include in includes {
        command.arg(format!("-I{}", include.display()));
    }
    let output = command.arg(file).output().unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn wdk_style_files_compile_before_and_after_weaving() {
    require_tool("gcc");
    require_tool(CLANG);
    let work = tempfile::tempdir().unwrap();
    let monitor = work.path().join("monitor");
    run_slic(&[
        "monitor".to_string(),
        "-o".to_string(),
        monitor.display().to_string(),
    ]);
    let wdk = root().join("tests/drivers/wdk");
    let mut failures = Vec::new();
    for file in corpus() {
        let name = file.strip_prefix(root()).unwrap().to_path_buf();
        let text = std::fs::read_to_string(&file).unwrap();
        let ms_syntax = text.lines().next().is_some_and(|l| l.contains("ms-syntax"));
        let woven = work.path().join(file.file_name().unwrap());
        run_slic(&[
            "weave".to_string(),
            "-I".to_string(),
            wdk.display().to_string(),
            "--name".to_string(),
            name.display().to_string(),
            file.display().to_string(),
            "-o".to_string(),
            woven.display().to_string(),
        ]);
        let woven_text = std::fs::read_to_string(&woven).unwrap();
        assert!(
            woven_text.contains("slic_w_"),
            "{}: nothing was woven",
            name.display()
        );
        for line in compilers(ms_syntax) {
            let what = format!("{} with `{}`", name.display(), line.join(" "));
            if let Err(errors) = compile(&line, &[&wdk], &file) {
                panic!("the corpus file does not compile before weaving: {what}\n{errors}");
            }
            if let Err(errors) = compile(&line, &[&wdk, &monitor], &woven) {
                failures.push(format!("{what}: the woven file does not compile\n{errors}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `KeAcquireInStackQueuedSpinLock##Kind` builds another name: the weaver
/// leaves it alone (the woven file compiles, see above) and says that the
/// calls through it are not checked.
#[test]
fn api_names_pasted_in_macros_are_left_alone_with_a_warning() {
    let work = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .current_dir(root())
        .args(["weave", "-I", "tests/drivers/wdk"])
        .arg("tests/fixtures/wdk-style/macros.c")
        .arg("-o")
        .arg(work.path().join("macros.c"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "`KeAcquireInStackQueuedSpinLock` is pasted with `##` in the body of the macro `MAC_QUEUED`"
        ),
        "{stderr}"
    );
    let woven = std::fs::read_to_string(work.path().join("macros.c")).unwrap();
    assert!(
        woven.contains("KeAcquireInStackQueuedSpinLock##Kind((Lock), (Handle))"),
        "the pasted name is kept"
    );
}

/// A dispatch routine whose head is chosen by `#if` parses as two heads
/// and a body: the weaver refuses it instead of leaving it unwrapped.
#[test]
fn a_routine_head_split_by_the_preprocessor_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .current_dir(root())
        .args(["weave", "-I", "tests/drivers/wdk"])
        .arg("tests/fixtures/wdk-style/refused/split_head.c")
        .arg("-o")
        .arg(work.path().join("split_head.c"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "weaving must fail: {stderr}");
    assert!(
        stderr.contains("cannot wrap `SplitRead`"),
        "the error names the routine: {stderr}"
    );
    assert!(
        !work.path().join("split_head.c").exists(),
        "no partial output"
    );
}

/// The weaver defines its wrappers at the end of the file, after the
/// file's own declarations; a file that ends in the pageable section
/// (`#pragma code_seg("PAGE")`) must not take them there, since a lock
/// wrapper runs at DISPATCH_LEVEL.
#[test]
fn wrappers_stay_in_the_default_code_section() {
    require_tool(CLANG);
    require_tool("llvm-objdump-19");
    let work = tempfile::tempdir().unwrap();
    let monitor = work.path().join("monitor");
    let woven = work.path().join("paged_end.c");
    let object = work.path().join("paged_end.obj");
    run_slic(&[
        "monitor".to_string(),
        "-o".to_string(),
        monitor.display().to_string(),
    ]);
    run_slic(&[
        "weave".to_string(),
        "-I".to_string(),
        "tests/drivers/wdk".to_string(),
        "tests/fixtures/wdk-style/paged_end.c".to_string(),
        "-o".to_string(),
        woven.display().to_string(),
    ]);
    let compiled = Command::new(CLANG)
        .args(["-target", "x86_64-pc-windows-msvc", "-fms-extensions", "-c"])
        .arg(format!("-I{}", root().join("tests/drivers/wdk").display()))
        .arg(format!("-I{}", monitor.display()))
        .arg(&woven)
        .arg("-o")
        .arg(&object)
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let symbols = Command::new("llvm-objdump-19")
        .arg("-t")
        .arg(&object)
        .output()
        .unwrap();
    let symbols = String::from_utf8_lossy(&symbols.stdout);
    // `[ 0](sec  1)(...) 0x00000000 .text`: section numbers by name.
    let section_of = |symbol: &str| -> String {
        let line = symbols
            .lines()
            .find(|line| line.ends_with(&format!(" {symbol}")))
            .unwrap_or_else(|| panic!("no symbol {symbol} in\n{symbols}"));
        let number = line
            .split("(sec")
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap()
            .trim();
        symbols
            .lines()
            .filter(|l| l.contains("(nx 1)"))
            .find(|l| {
                l.split("(sec")
                    .nth(1)
                    .unwrap()
                    .split(')')
                    .next()
                    .unwrap()
                    .trim()
                    == number
            })
            .and_then(|l| l.split_whitespace().last())
            .unwrap()
            .to_string()
    };
    assert_eq!(section_of("slic_orig_PagedUnload"), "PAGE", "{symbols}");
    assert_eq!(section_of("slic_w_KeAcquireSpinLock"), ".text", "{symbols}");
    assert_eq!(section_of("slic_w_KeReleaseSpinLock"), ".text", "{symbols}");
}
