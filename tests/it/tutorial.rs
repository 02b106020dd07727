//! `docs/tutorial.md` runs: each command it shows, from the repository
//! root, prints what the tutorial says.

use std::process::Command;

use crate::driver_support::require_tool;
use crate::support::root;

fn run(program: &str, arguments: &[&str]) -> (i32, String, String) {
    let output = Command::new(program)
        .args(arguments)
        .current_dir(root())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[test]
fn the_tutorial_runs_as_written() {
    let slic = env!("CARGO_BIN_EXE_slic");
    let tutorial = std::fs::read_to_string(root().join("docs/tutorial.md")).unwrap();

    let (code, _, stderr) = run(slic, &["check", "docs/tutorial/GuardedMutex.slic"]);
    assert_eq!(code, 0);
    assert!(tutorial.contains(stderr.trim()), "{stderr}");

    let (code, stdout, _) = run(slic, &["test", "docs/tutorial/GuardedMutex.slic"]);
    assert_eq!(code, 0);
    assert!(tutorial.contains(stdout.trim()), "{stdout}");

    let (code, stdout, stderr) = run(slic, &["explore", "docs/tutorial/GuardedMutex.slic"]);
    assert_eq!(code, 0);
    let first = stdout
        .split("\n\n")
        .find(|t| t.contains("does not hold"))
        .unwrap();
    assert!(tutorial.contains(first.trim()), "{first}");
    assert!(tutorial.contains(stderr.trim()), "{stderr}");

    let (code, stdout, _) = run(slic, &["graph", "docs/tutorial/GuardedMutex.slic"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("[$1 == obj]"));

    require_tool("gcc");
    let work = tempfile::tempdir().unwrap();
    let object = work.path().join("driver.o").display().to_string();
    let (code, _, stderr) = run(
        slic,
        &[
            "cc",
            "--rule",
            "docs/tutorial/GuardedMutex.slic",
            "--",
            "gcc",
            "-I",
            "tests/drivers/wdk",
            "-c",
            "docs/tutorial/driver.c",
            "-o",
            &object,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let program = work.path().join("tutorial").display().to_string();
    let (code, _, stderr) = run(
        "gcc",
        &[
            "-I",
            "tests/drivers/wdk",
            "docs/tutorial/main.c",
            "tests/drivers/wdk/wdm_user.c",
            &object,
            "-o",
            &program,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&program, &[]);
    assert_ne!(code, 0, "the default report aborts");
    assert!(
        tutorial.contains(stderr.trim()),
        "the tutorial shows:\n{stderr}"
    );
}
