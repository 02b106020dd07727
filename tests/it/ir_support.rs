//! The IR fixtures (`scripts/regenerate-ir-fixtures`) and what the tests
//! do with them: weave, verify, compile, link with the mock WDK, run
//! natively and under `lli`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver_support::{MockDriver, check_output, require_tool};
use crate::support::root;

/// One fixture: `<source>.<clang>.<target>.<O0|O2>[.g].<ll|bc>`.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub path: PathBuf,
    pub clang: u32,
    pub target: String,
    pub optimised: bool,
    pub debug: bool,
    pub bitcode: bool,
}

impl Fixture {
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    pub fn is_linux(&self) -> bool {
        self.target.contains("linux")
    }
}

/// The fixtures of one directory under `tests/fixtures/ir/` made by one
/// clang, sorted.
pub fn fixtures(directory: &str, clang: u32) -> Vec<Fixture> {
    let directory = root().join("tests/fixtures/ir").join(directory);
    let mut list: Vec<Fixture> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| {
            panic!(
                "{}: {error} (run scripts/regenerate-ir-fixtures)",
                directory.display()
            )
        })
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            let (stem, bitcode) = match name.strip_suffix(".ll") {
                Some(stem) => (stem.to_string(), false),
                None => (name.strip_suffix(".bc")?.to_string(), true),
            };
            let debug = stem.ends_with(".g");
            let stem = stem.strip_suffix(".g").unwrap_or(&stem);
            let (rest, level) = stem.rsplit_once('.')?;
            let (rest, target) = rest.rsplit_once('.')?;
            let (_, version) = rest.rsplit_once('.')?;
            Some(Fixture {
                clang: version.parse().ok()?,
                target: target.to_string(),
                optimised: level == "O2",
                debug,
                bitcode,
                path,
            })
        })
        .filter(|fixture| fixture.clang == clang)
        .collect();
    list.sort_by(|a, b| a.path.cmp(&b.path));
    list
}

/// The mock drivers that have IR fixtures.
pub fn drivers_with_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/drivers"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "wdk")
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

/// Weaves a fixture; returns the woven file and slic's standard error.
pub fn weave(
    fixture: &Fixture,
    extra: &[String],
    work: &Path,
    extension: &str,
) -> (PathBuf, String) {
    if fixture.bitcode {
        require_tool(&format!("llvm-dis-{}", fixture.clang));
        require_tool(&format!("llvm-as-{}", fixture.clang));
    }
    let woven = work.join(format!("{}.woven.{extension}", fixture.name()));
    let mut arguments = vec![
        "weave".to_string(),
        fixture.path.display().to_string(),
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

/// Links a woven module with its companions, compiled by the same clang,
/// into a native program.
pub fn link_native(version: u32, woven: &Path, driver: &MockDriver, work: &Path) -> PathBuf {
    let executable = work.join(format!(
        "{}.exe",
        woven.file_name().unwrap().to_string_lossy()
    ));
    let mut command = Command::new(tool("clang", version));
    command
        .args(["-target", "x86_64-linux-gnu", "-g", "-w"])
        .args(include_flags(driver))
        .arg(woven)
        .args(companions(driver))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(
        command,
        &format!("clang-{version} linking {}", woven.display()),
    );
    executable
}

/// Runs a program with `SLIC_ON_VIOLATION=continue`: its standard error.
pub fn run_for_reports(mut command: Command, what: &str) -> String {
    let output = command
        .env("SLIC_ON_VIOLATION", "continue")
        .current_dir(root())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stderr}",
        output.status
    );
    stderr
}

/// Links a woven module with its companions as IR (`llvm-link`) and runs
/// it with `lli`: its standard error.
pub fn run_with_lli(version: u32, woven: &Path, driver: &MockDriver, work: &Path) -> String {
    let mut modules = vec![woven.to_path_buf()];
    for source in companions(driver) {
        let module = work.join(format!(
            "{}.{version}.companion.ll",
            source.file_stem().unwrap().to_string_lossy()
        ));
        if !module.is_file() {
            let mut command = Command::new(tool("clang", version));
            command
                .args([
                    "-target",
                    "x86_64-linux-gnu",
                    "-S",
                    "-emit-llvm",
                    "-O0",
                    "-w",
                ])
                .args(include_flags(driver))
                .arg(&source)
                .arg("-o")
                .arg(&module);
            check_output(command, &format!("clang-{version} on {}", source.display()));
        }
        modules.push(module);
    }
    let linked = work.join(format!(
        "{}.linked.bc",
        woven.file_name().unwrap().to_string_lossy()
    ));
    let mut command = Command::new(tool("llvm-link", version));
    command.args(&modules).arg("-o").arg(&linked);
    check_output(
        command,
        &format!("llvm-link-{version} on {}", woven.display()),
    );
    let mut command = Command::new(tool("lli", version));
    command.arg(&linked);
    run_for_reports(command, &format!("lli-{version} {}", linked.display()))
}

/// The reports of a run, each with its place hidden: what must agree when
/// the module has no debug information or was optimised before weaving
/// (an optimiser may turn a call through a pointer into a direct one, or
/// move a `ret`).
pub fn without_places(stderr: &str) -> String {
    stderr
        .lines()
        .map(|line| match line.strip_prefix(" --> ") {
            Some(rest) => {
                let (_, function) = rest.split_once(" in ").expect("PLACE in FUNCTION");
                format!(" --> <place> in {function}")
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
