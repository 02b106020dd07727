//! Building and running the mock drivers of `tests/drivers/`.
//!
//! A mock driver is a directory with the driver's sources (`*.c` other than
//! `main.c`, woven), its headers, and `main.c`, a test program that plays
//! the I/O manager (never woven). Seeded bugs carry the report slic must
//! give, as a comment on the line the report points at:
//!
//! ```c
//! } // expect: QueuedSpinLockRelease in DispatchWrite
//! acquire(&lock, &h); // expect-unknown: QueuedSpinLockRelease in DispatchDeviceControl
//! ```
//!
//! `expect-unknown` is for reports without a position (calls through
//! function pointers). The driver's sources are woven with the roles
//! `slic roles` finds in all of them, as a build of a driver in several
//! files would do. A `rules:` line in a comment of the driver names
//! the rules to weave (paths from the repository root); without one, the
//! built-in pack.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::root;

/// The reports the `expect:` and `expect-unknown:` annotations of a source
/// (a path from the repository's root) ask for, in the order of its lines.
pub fn expectations(source: &Path) -> Vec<Report> {
    let mut reports = Vec::new();
    let text = std::fs::read_to_string(root().join(source)).unwrap();
    for (index, line) in text.lines().enumerate() {
        for (marker, known) in [("// expect: ", true), ("// expect-unknown: ", false)] {
            let Some(rest) = line.split(marker).nth(1) else {
                continue;
            };
            for expectation in rest.split(" ; ") {
                let (rule, function) = expectation
                    .trim()
                    .split_once(" in ")
                    .unwrap_or_else(|| panic!("`{expectation}`: write `RULE in FUNCTION`"));
                reports.push(Report {
                    rule: rule.trim().to_string(),
                    place: known.then(|| format!("{}:{}", source.display(), index + 1)),
                    function: function.trim().to_string(),
                });
            }
        }
    }
    reports
}

/// A report as the tests compare them: rule, place, routine.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Report {
    pub rule: String,
    /// `file:line`, or `None` for `<unknown>`.
    pub place: Option<String>,
    pub function: String,
}

pub struct MockDriver {
    pub directory: PathBuf,
    /// Woven sources, as paths relative to the repository root.
    pub sources: Vec<PathBuf>,
    pub rules: Vec<PathBuf>,
}

impl MockDriver {
    pub fn open(name: &str) -> MockDriver {
        let directory = root().join("tests/drivers").join(name);
        let mut sources: Vec<PathBuf> = std::fs::read_dir(&directory)
            .unwrap_or_else(|error| panic!("{}: {error}", directory.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "c") && !path.ends_with("main.c"))
            .map(|path| path.strip_prefix(root()).unwrap().to_path_buf())
            .collect();
        sources.sort();
        let mut rules = Vec::new();
        for source in &sources {
            let text = std::fs::read_to_string(root().join(source)).unwrap();
            for line in text.lines() {
                if let Some(list) = line
                    .trim_start_matches([' ', '*', '/'])
                    .strip_prefix("rules:")
                {
                    rules.extend(list.split_whitespace().map(PathBuf::from));
                }
            }
        }
        MockDriver {
            directory,
            sources,
            rules,
        }
    }

    /// The reports the annotations ask for, sorted.
    pub fn expected(&self) -> Vec<Report> {
        let mut reports: Vec<Report> = self.sources.iter().flat_map(|s| expectations(s)).collect();
        reports.sort();
        reports
    }

    fn rule_arguments(&self) -> Vec<String> {
        self.rules
            .iter()
            .flat_map(|rule| {
                [
                    "--rule".to_string(),
                    root().join(rule).display().to_string(),
                ]
            })
            .collect()
    }

    /// Weaves with the C back end, compiles with `compiler` and links the
    /// test program. Returns the executable.
    pub fn build_with_c_weaver(&self, compiler: &str, work: &Path) -> PathBuf {
        require_tool(compiler);
        let monitor = work.join("monitor");
        run_slic(
            &[
                &[
                    "monitor".to_string(),
                    "-o".to_string(),
                    monitor.display().to_string(),
                ][..],
                &self.rule_arguments(),
            ]
            .concat(),
        );
        // As a build of a driver in several files does: the roles of all
        // its sources first (a routine may be registered in another file
        // than the one that defines it), then each source woven with them.
        let roles = work.join("roles.toml");
        let mut arguments = vec![
            "roles".to_string(),
            "-I".to_string(),
            self.directory.display().to_string(),
            "-o".to_string(),
            roles.display().to_string(),
        ];
        arguments.extend(
            self.sources
                .iter()
                .map(|s| root().join(s).display().to_string()),
        );
        run_slic(&arguments);
        let mut objects = Vec::new();
        for source in &self.sources {
            let woven = work.join(source.file_name().unwrap());
            run_slic(
                &[
                    &[
                        "weave".to_string(),
                        "-I".to_string(),
                        self.directory.display().to_string(),
                        "--name".to_string(),
                        source.display().to_string(),
                        "--roles".to_string(),
                        roles.display().to_string(),
                        root().join(source).display().to_string(),
                        "-o".to_string(),
                        woven.display().to_string(),
                    ][..],
                    &self.rule_arguments(),
                ]
                .concat(),
            );
            objects.push(woven);
        }
        let executable = work.join(format!("driver-{compiler}"));
        let wdk = root().join("tests/drivers/wdk");
        let mut command = Command::new(compiler);
        command
            .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"])
            .arg(format!("-I{}", wdk.display()))
            .arg(format!("-I{}", self.directory.display()))
            .arg(format!("-I{}", monitor.display()))
            .args(&objects)
            .arg(monitor.join("slic_monitor.c"))
            .arg(wdk.join("wdm_user.c"))
            .arg(wdk.join("io_manager.c"))
            .arg(self.directory.join("main.c"))
            .args(["-lpthread", "-o"])
            .arg(&executable);
        check_output(command, &format!("{compiler} on the woven driver"));
        executable
    }
}

/// Runs a built driver with `SLIC_ON_VIOLATION=continue` and the given
/// environment; its reports and its standard output.
pub fn run_driver_with(executable: &Path, environment: &[(&str, &str)]) -> (Vec<Report>, String) {
    let output = Command::new(executable)
        .env("SLIC_ON_VIOLATION", "continue")
        .envs(environment.iter().copied())
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({}):\n{stderr}",
        executable.display(),
        output.status
    );
    (
        parse_reports(&stderr),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Reads the reports in a program's standard error (the first two lines of
/// each are the contract).
pub fn parse_reports(stderr: &str) -> Vec<Report> {
    let mut reports = Vec::new();
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("slic: violation of ") else {
            continue;
        };
        let rule = rest.split(" (").next().unwrap().to_string();
        let location = lines.next().expect("a report has a location line");
        let location = location
            .strip_prefix(" --> ")
            .expect("the second line starts with ` --> `");
        let (place, rest) = location
            .split_once(" in ")
            .expect("`PLACE in FUNCTION (EVENT)`");
        let function = rest.rsplit_once(" (").expect("an event").0.to_string();
        let place = (place != "<unknown>")
            .then(|| place.rsplit_once(':').expect("file:line:col").0.to_string());
        reports.push(Report {
            rule,
            place,
            function,
        });
    }
    reports.sort();
    reports
}

pub fn run_slic(arguments: &[String]) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
    command.args(arguments).current_dir(root());
    check_output(command, "slic");
}

pub fn check_output(mut command: Command, what: &str) -> std::process::Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed: {command:?}\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Tests never skip: a missing tool is a failure that says how to get it.
pub fn require_tool(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{tool}` is needed by this test: run scripts/install-tools (or apt-get install the package)"
    );
}
