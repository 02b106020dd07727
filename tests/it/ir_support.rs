//! The IR fixtures (`scripts/regenerate-ir-fixtures`) and what the tests
//! do with them: weave, verify, compile, link with the mock WDK, run
//! natively and under `lli`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver_support::{MockDriver, check_output, require_tool};
use crate::support::root;

/// One build of a driver's sources: the fixtures
/// `<source>.<clang>.<target>.<O0|O2>[.g].<ll|bc>` of every source with one
/// suffix.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// One file per source of the driver, sorted.
    pub files: Vec<PathBuf>,
    /// The suffix the files share (`14.x86_64-linux-gnu.O0.g.ll`).
    pub variant: String,
    pub clang: u32,
    pub target: String,
    pub optimised: bool,
    pub debug: bool,
    pub bitcode: bool,
}

impl Fixture {
    pub fn name(&self) -> String {
        self.variant.clone()
    }

    pub fn is_linux(&self) -> bool {
        self.target.contains("linux")
    }
}

/// The fixtures of one directory under `tests/fixtures/ir/` made by one
/// clang, grouped by build, sorted.
pub fn fixtures(directory: &str, clang: u32) -> Vec<Fixture> {
    let directory = root().join("tests/fixtures/ir").join(directory);
    let mut builds: std::collections::BTreeMap<String, Fixture> = Default::default();
    let entries = std::fs::read_dir(&directory).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (run scripts/regenerate-ir-fixtures)",
            directory.display()
        )
    });
    for path in entries.map(|entry| entry.unwrap().path()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (stem, bitcode) = match name.strip_suffix(".ll") {
            Some(stem) => (stem.to_string(), false),
            None => match name.strip_suffix(".bc") {
                Some(stem) => (stem.to_string(), true),
                None => continue,
            },
        };
        let debug = stem.ends_with(".g");
        let rest = stem.strip_suffix(".g").unwrap_or(&stem);
        let Some((rest, level)) = rest.rsplit_once('.') else {
            continue;
        };
        let Some((rest, target)) = rest.rsplit_once('.') else {
            continue;
        };
        let Some((source, version)) = rest.rsplit_once('.') else {
            continue;
        };
        let Ok(version) = version.parse::<u32>() else {
            continue;
        };
        if version != clang {
            continue;
        }
        let variant = name[source.len() + 1..].to_string();
        builds
            .entry(variant.clone())
            .or_insert_with(|| Fixture {
                files: Vec::new(),
                variant,
                clang: version,
                target: target.to_string(),
                optimised: level == "O2",
                debug,
                bitcode,
            })
            .files
            .push(path);
    }
    builds
        .into_values()
        .map(|mut fixture| {
            fixture.files.sort();
            fixture
        })
        .collect()
}

/// The mock drivers that have IR fixtures.
pub fn drivers_with_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/drivers"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        // wdk/ is the user-mode stub WDK; mingw/ holds drivers of real
        // headers, tested by `mingw_drivers.rs`.
        .filter(|name| name != "wdk" && name != "mingw")
        .collect();
    names.sort();
    for name in &names {
        assert!(
            root().join("tests/fixtures/ir").join(name).is_dir(),
            "tests/drivers/{name} has no IR fixtures: run scripts/regenerate-ir-fixtures"
        );
    }
    names
}

pub fn slic(arguments: &[String]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
    command.args(arguments).current_dir(root());
    check_output(command, "slic")
}

/// The roles file `slic roles` finds in a driver's sources.
pub fn roles_file(driver: &MockDriver, work: &Path) -> PathBuf {
    let roles = work.join("roles.toml");
    let mut arguments = vec![
        "roles".to_string(),
        "-I".to_string(),
        driver.directory.display().to_string(),
        "-o".to_string(),
        roles.display().to_string(),
    ];
    arguments.extend(
        driver
            .sources
            .iter()
            .map(|s| root().join(s).display().to_string()),
    );
    slic(&arguments);
    roles
}

pub fn rule_arguments(rules: &[PathBuf]) -> Vec<String> {
    rules
        .iter()
        .flat_map(|rule| {
            [
                "--rule".to_string(),
                root().join(rule).display().to_string(),
            ]
        })
        .collect()
}

/// Weaves one file of a fixture; returns the woven file and slic's
/// standard error.
pub fn weave(
    fixture: &Fixture,
    file: &Path,
    extra: &[String],
    work: &Path,
    extension: &str,
) -> (PathBuf, String) {
    if fixture.bitcode {
        require_tool(&format!("llvm-dis-{}", fixture.clang));
        require_tool(&format!("llvm-as-{}", fixture.clang));
    }
    let woven = work.join(format!(
        "{}.woven.{extension}",
        file.file_name().unwrap().to_string_lossy()
    ));
    let mut arguments = vec![
        "weave".to_string(),
        file.display().to_string(),
        "-o".to_string(),
        woven.display().to_string(),
    ];
    arguments.extend_from_slice(extra);
    let output = slic(&arguments);
    (woven, String::from_utf8_lossy(&output.stderr).into_owned())
}

pub fn tool(name: &str, version: u32) -> String {
    let tool = format!("{name}-{version}");
    require_tool(&tool);
    tool
}

/// `opt -passes=verify` with the producer's version.
pub fn verify(version: u32, module: &Path) {
    let mut command = Command::new(tool("opt", version));
    command
        .args(["-passes=verify", "-disable-output"])
        .arg(module);
    check_output(
        command,
        &format!("opt-{version} -passes=verify on {}", module.display()),
    );
}

/// `llc` to an object file.
pub fn compile_object(version: u32, module: &Path, work: &Path) {
    let object = work.join(format!(
        "{}.o",
        module.file_name().unwrap().to_string_lossy()
    ));
    let mut command = Command::new(tool("llc", version));
    command
        .args(["-filetype=obj", "-o"])
        .arg(&object)
        .arg(module);
    check_output(command, &format!("llc-{version} on {}", module.display()));
    assert!(object.is_file());
}

/// `opt -O2` of a woven module.
pub fn optimise(version: u32, module: &Path, work: &Path) -> PathBuf {
    let out = work.join(format!(
        "{}.O2.ll",
        module.file_name().unwrap().to_string_lossy()
    ));
    let mut command = Command::new(tool("opt", version));
    command.args(["-O2", "-S", "-o"]).arg(&out).arg(module);
    check_output(
        command,
        &format!("opt-{version} -O2 on {}", module.display()),
    );
    out
}

/// The sources a woven driver module is linked with: the mock WDK and the
/// driver's test program, never woven.
fn companions(driver: &MockDriver) -> Vec<PathBuf> {
    let wdk = root().join("tests/drivers/wdk");
    vec![
        wdk.join("wdm_user.c"),
        wdk.join("io_manager.c"),
        driver.directory.join("main.c"),
    ]
}

fn include_flags(driver: &MockDriver) -> Vec<String> {
    vec![
        format!("-I{}", root().join("tests/drivers/wdk").display()),
        format!("-I{}", driver.directory.display()),
    ]
}

/// The companions compiled once by one clang, as objects (`native`) or as
/// IR for `llvm-link`.
fn companion_builds(version: u32, driver: &MockDriver, work: &Path, native: bool) -> Vec<PathBuf> {
    companions(driver)
        .into_iter()
        .map(|source| {
            let built = work.join(format!(
                "{}.{version}.companion.{}",
                source.file_stem().unwrap().to_string_lossy(),
                if native { "o" } else { "ll" }
            ));
            if !built.is_file() {
                let mut command = Command::new(tool("clang", version));
                command
                    .args(["-target", "x86_64-linux-gnu", "-O0", "-g", "-w"])
                    .args(if native {
                        vec!["-c"]
                    } else {
                        vec!["-S", "-emit-llvm"]
                    })
                    .args(include_flags(driver))
                    .arg(&source)
                    .arg("-o")
                    .arg(&built);
                check_output(command, &format!("clang-{version} on {}", source.display()));
            }
            built
        })
        .collect()
}

/// Links woven modules with their companions, compiled by the same clang,
/// into a native program.
pub fn link_native(version: u32, woven: &[PathBuf], driver: &MockDriver, work: &Path) -> PathBuf {
    let executable = work.join(format!(
        "{}.exe",
        woven[0].file_name().unwrap().to_string_lossy()
    ));
    let mut command = Command::new(tool("clang", version));
    command
        .args(["-target", "x86_64-linux-gnu", "-g", "-w"])
        .args(woven)
        .args(companion_builds(version, driver, work, true))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(
        command,
        &format!("clang-{version} linking {}", woven[0].display()),
    );
    executable
}

/// Runs a program with `SLIC_ON_VIOLATION=continue`: its standard error.
/// A test program that checks the driver's results prints `failed: ...`
/// on standard output when one is wrong.
pub fn run_for_reports(mut command: Command, what: &str) -> String {
    let output = command
        .env("SLIC_ON_VIOLATION", "continue")
        .current_dir(root())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stderr}",
        output.status
    );
    assert!(
        !stdout.lines().any(|line| line.starts_with("failed")),
        "{what}: the test program finds the driver's results wrong:\n{stdout}"
    );
    stderr
}

/// The reports of a run, whole (three lines each), in a fixed order: the
/// threads of a test program may report in any order.
pub fn report_blocks(stderr: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("slic: ") {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks.sort();
    blocks
}

/// Links woven modules with their companions as IR (`llvm-link`) and runs
/// the result with `lli`: its standard error.
pub fn run_with_lli(version: u32, woven: &[PathBuf], driver: &MockDriver, work: &Path) -> String {
    let linked = work.join(format!(
        "{}.linked.bc",
        woven[0].file_name().unwrap().to_string_lossy()
    ));
    let mut command = Command::new(tool("llvm-link", version));
    command
        .args(woven)
        .args(companion_builds(version, driver, work, false))
        .arg("-o")
        .arg(&linked);
    check_output(
        command,
        &format!("llvm-link-{version} on {}", woven[0].display()),
    );
    let mut command = Command::new(tool("lli", version));
    command.arg(&linked);
    run_for_reports(command, &format!("lli-{version} {}", linked.display()))
}

/// How closely the IR back end's reports must match the C back end's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// -O0 with debug information: the same reports, place and all.
    Exact,
    /// Without debug information the IR back end knows no place.
    WithoutPlaces,
    /// Optimised before weaving: routines are inlined (without debug
    /// information their calls are in their callers) and calls through
    /// pointers may have become direct; the same violations are reported.
    Optimised,
}

/// The function-like macros of the mock `wdm.h` that call an API under
/// another name (`KeAcquireSpinLock` calls `KeAcquireSpinLockRaiseToDpc`),
/// as in the WDK. The C weaver sees the macro's name; the IR weaver sees
/// the call the macro expands to.
pub fn wdk_macros() -> Vec<(String, String)> {
    let header = std::fs::read_to_string(root().join("tests/drivers/wdk/wdm.h")).unwrap();
    let joined = header.replace("\\\n", " ");
    let declared = |name: &str| {
        joined.lines().any(|line| {
            (line.starts_with("NTKERNELAPI") || line.starts_with("NTHALAPI"))
                && line.contains(&format!(" {name}("))
        })
    };
    let mut macros = Vec::new();
    for line in joined.lines() {
        let Some(rest) = line.strip_prefix("#define ") else {
            continue;
        };
        let Some((name, body)) = rest.split_once('(') else {
            continue;
        };
        if name.contains(' ') {
            continue;
        }
        let body = body.split_once(')').map_or("", |(_, b)| b);
        let mut words = body
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '('))
            .filter_map(|word| word.split_once('(').map(|(w, _)| w))
            .filter(|word| !word.is_empty());
        if let Some(callee) = words.find(|word| *word != name && declared(word)) {
            macros.push((name.to_string(), callee.to_string()));
        }
    }
    macros
}

/// The reports of a run, whole, as far as `level` compares them, with the
/// C weaver's macro events named as the IR weaver names them: the event of
/// the function the macro calls; the rule may handle that function in
/// another handler, so the rule location of those is not compared.
pub fn comparable(stderr: &str, level: Match, macros: &[(String, String)]) -> Vec<String> {
    let mut blocks: Vec<String> = report_blocks(stderr)
        .into_iter()
        .map(|block| {
            let lines: Vec<&str> = block.lines().collect();
            if lines.len() != 3 {
                return block;
            }
            let (place, rest) = lines[1]
                .strip_prefix(" --> ")
                .and_then(|l| l.split_once(" in "))
                .expect("` --> PLACE in FUNCTION (EVENT)`");
            let (function, event) = rest.rsplit_once(" (").expect("an event");
            let event = event.trim_end_matches(')');
            let (target, kind) = event.rsplit_once('.').expect("FUNCTION.KIND");
            let mut location = lines[2].to_string();
            let target = match macros.iter().find(|(name, _)| name == target) {
                Some((_, callee)) => callee.as_str(),
                None => target,
            };
            if macros.iter().any(|(_, callee)| callee == target) {
                location = " rule: (the handler of a macro's call)".to_string();
            }
            let place = if level == Match::Exact {
                place
            } else {
                "<place>"
            };
            let function = if level == Match::Optimised {
                "<function>"
            } else {
                function
            };
            format!(
                "{}\n --> {place} in {function} ({target}.{kind})\n{location}\n",
                lines[0]
            )
        })
        .collect();
    blocks.sort();
    blocks
}

/// Two lists of report blocks are equal; else a message with what only one
/// of them has.
pub fn assert_same_reports(ir: &[String], c: &[String], context: &str) {
    if ir == c {
        return;
    }
    let only = |a: &[String], b: &[String]| -> String {
        let mut rest: Vec<&String> = b.iter().collect();
        let mut out = String::new();
        for block in a {
            match rest.iter().position(|other| *other == block) {
                Some(index) => {
                    rest.remove(index);
                }
                None => out.push_str(block),
            }
        }
        out
    };
    panic!(
        "{context}: the IR back end reports differently.\n--- only from the IR back end:\n{}--- only from the C back end:\n{}",
        only(ir, c),
        only(c, ir)
    );
}
