//! Running the analyzers: each rule's program written to a directory,
//! preprocessed by clang for the driver's target, closed with the kernel
//! model, then read by Frama-C's EVA and by clang's static analyzer.
//! Several rules run at once (`--jobs`), with a progress bar on a terminal.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use slic::verify::kernel_model::{self, ModelInput};
use slic::verify::{Engine, Outcome, clang, eva, harness};
use slic::weave::c::outline::{outline, reachable};

use super::super::Failure;
use super::Settings;
use super::prepare::{Job, Prepared};

/// The clang that preprocesses for the target, prints structure layouts and
/// analyzes.
const CLANG: &str = "clang-19";
const FRAMA_C: &str = "frama-c";

fn found(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The engine's tool is installed, or a usage error that names its package.
pub fn require(engine: Engine) -> Result<(), Failure> {
    match engine {
        Engine::Eva if !found(FRAMA_C) => Err(Failure::usage(
            "the eva engine needs `frama-c`: install the Debian package frama-c-base (scripts/install-tools does)",
        )),
        _ => require_clang(),
    }
}

pub fn require_clang() -> Result<(), Failure> {
    if found(CLANG) {
        Ok(())
    } else {
        Err(Failure::usage(
            "slic verify needs `clang-19` to read the driver for its target: install the Debian package clang-19 (scripts/install-tools does)",
        ))
    }
}

/// What clang says about the WDK header: its text preprocessed, and the
/// layouts of its structures.
pub struct Probe {
    pub preprocessed: String,
    pub layouts: String,
}

pub fn probe(settings: &Settings, wdk_include: &str) -> Result<Probe, Failure> {
    let directory = tempfile::tempdir()
        .map_err(|error| Failure::usage(format!("cannot make a temporary directory: {error}")))?;
    let probe = directory.path().join("slic_probe.c");
    std::fs::write(&probe, format!("#include {wdk_include}\n"))
        .map_err(|error| Failure::usage(format!("cannot write `{}`: {error}", probe.display())))?;
    let run = |extra: &[&str]| -> Result<String, Failure> {
        let mut command = Command::new(CLANG);
        command.args(preprocessor_arguments(settings, directory.path(), false));
        command.args(extra).arg(&probe);
        let output = command
            .output()
            .map_err(|error| Failure::usage(format!("cannot run {CLANG}: {error}")))?;
        if !output.status.success() {
            return Err(Failure::usage(format!(
                "{CLANG} cannot compile the WDK header {wdk_include} for {}:\n{}",
                settings.target,
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let preprocessed = run(&["-E"])?;
    let layouts = run(&[
        "-fsyntax-only",
        "-Xclang",
        "-fdump-record-layouts-canonical",
        "-Xclang",
        "-fdump-record-layouts-complete",
    ])?;
    Ok(Probe {
        preprocessed,
        layouts,
    })
}

/// Target, include directories and macros of the driver's compile. For the
/// analyzer, the include directories that hold none of the driver's sources
/// (the WDK's) are system directories: a call of a function declared there
/// and defined nowhere then makes the analyzer forget only what its
/// arguments point to, not the monitor's state.
fn preprocessor_arguments(settings: &Settings, program: &Path, analyzer: bool) -> Vec<String> {
    let mut arguments = vec![
        format!("--target={}", settings.target),
        "-ffreestanding".to_string(),
        "-w".to_string(),
        "-DSLIC_VERIFY=1".to_string(),
        format!("-I{}", program.display()),
    ];
    for directory in &settings.source_dirs {
        arguments.push(format!("-I{}", absolute(directory).display()));
    }
    for directory in &settings.include_dirs {
        let system = analyzer
            && !settings
                .source_dirs
                .iter()
                .any(|s| absolute(s) == absolute(directory));
        let flag = if system { "-isystem" } else { "-I" };
        arguments.push(flag.to_string());
        arguments.push(absolute(directory).display().to_string());
    }
    if analyzer {
        arguments.push("-isystem".to_string());
        arguments.push(program.join("sys").display().to_string());
    }
    for define in &settings.defines {
        arguments.push(format!("-D{define}"));
    }
    arguments
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// One rule's outcome from each engine, with the time each took.
pub struct RuleRun {
    pub job: usize,
    pub outcomes: Vec<(Engine, Outcome, Duration)>,
    /// Catalog APIs given a stub, and functions left without a body.
    pub stubs: Vec<String>,
    pub havocked: Vec<String>,
}

/// What the rules' runs share; unlike `Prepared`, it can go to threads.
struct Shared<'p> {
    jobs: &'p [Job],
    harness: &'p str,
    wdk_include: &'p str,
    header_declared: &'p BTreeSet<String>,
    sources: Vec<String>,
}

/// Runs every rule, `parallel` at a time.
pub fn run_all(
    prepared: &Prepared,
    settings: &Settings,
    parallel: usize,
    keep: Option<&Path>,
) -> Result<Vec<RuleRun>, Failure> {
    let shared = Shared {
        jobs: &prepared.jobs,
        harness: &prepared.harness,
        wdk_include: &prepared.wdk_include,
        header_declared: &prepared.header_declared,
        sources: prepared.sources.iter().map(|s| s.display.clone()).collect(),
    };
    if let Some(keep) = keep {
        std::fs::create_dir_all(keep).map_err(|error| {
            Failure::usage(format!("cannot create `{}`: {error}", keep.display()))
        })?;
    }
    let progress = progress_bar(shared.jobs.len());
    let next = Mutex::new(0usize);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..parallel.min(shared.jobs.len()) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().expect("no worker panicked");
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(job) = shared.jobs.get(index) else {
                        break;
                    };
                    progress.set_message(job.name.clone());
                    let run = run_rule(&shared, settings, index, keep);
                    results.lock().expect("no worker panicked").push(run);
                    progress.inc(1);
                }
            });
        }
    });
    progress.finish_and_clear();
    let mut results = results.into_inner().expect("no worker panicked");
    results.sort_by_key(|r| r.job);
    Ok(results)
}

fn progress_bar(count: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(count as u64);
    let style =
        indicatif::ProgressStyle::with_template("verifying [{bar:30}] {pos}/{len} {elapsed} {msg}")
            .expect("a valid template")
            .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// One rule: the program written, closed and analyzed.
fn run_rule(shared: &Shared, settings: &Settings, index: usize, keep: Option<&Path>) -> RuleRun {
    let job = &shared.jobs[index];
    let temporary;
    let directory = match keep {
        Some(keep) => {
            let directory = keep.join(&job.name);
            let _ = std::fs::remove_dir_all(&directory);
            directory
        }
        None => match tempfile::tempdir() {
            Ok(created) => {
                temporary = created;
                temporary.path().to_path_buf()
            }
            Err(error) => {
                return failed(index, settings, format!("no temporary directory: {error}"));
            }
        },
    };
    match build_and_analyze(shared, settings, job, &directory) {
        Ok(mut run) => {
            run.job = index;
            run
        }
        Err(reason) => failed(index, settings, reason),
    }
}

fn failed(index: usize, settings: &Settings, reason: String) -> RuleRun {
    RuleRun {
        job: index,
        outcomes: settings
            .engines
            .iter()
            .map(|&engine| (engine, Outcome::Failed(reason.clone()), Duration::ZERO))
            .collect(),
        stubs: Vec::new(),
        havocked: Vec::new(),
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create `{}`: {error}", parent.display()))?;
    }
    std::fs::write(path, text)
        .map_err(|error| format!("cannot write `{}`: {error}", path.display()))
}

fn woven_name(file: usize) -> String {
    format!("woven/slic_driver_{file}.c")
}

fn build_and_analyze(
    shared: &Shared,
    settings: &Settings,
    job: &Job,
    directory: &Path,
) -> Result<RuleRun, String> {
    for (file, text) in job.woven.iter().enumerate() {
        write(&directory.join(woven_name(file)), text)?;
    }
    write(&directory.join("slic_monitor.h"), &job.monitor_header)?;
    write(&directory.join("slic_monitor.c"), &job.monitor_source)?;
    write(
        &directory.join("slic_verify.h"),
        kernel_model::VERIFY_HEADER,
    )?;
    write(&directory.join("slic_harness.c"), shared.harness)?;
    write(&directory.join("slic_eva.c"), kernel_model::EVA_GLUE)?;
    write(&directory.join("slic_clang.c"), kernel_model::CLANG_GLUE)?;
    write(
        &directory.join("sys/slic_clang_system.h"),
        kernel_model::CLANG_SYSTEM_HEADER,
    )?;
    // What the woven driver defines, and what the routines the harness
    // calls (through their shims) and the driver's tables of functions
    // reach and call, macros expanded.
    let mut definitions = Vec::new();
    let mut roots = Vec::new();
    for file in 0..job.woven.len() {
        let name = woven_name(file);
        let output = format!("slic_driver_{file}.i");
        preprocess(settings, directory, &name, &output, &[])?;
        let text = std::fs::read_to_string(directory.join(&output))
            .map_err(|error| format!("cannot read `{output}`: {error}"))?;
        let found = outline(&text);
        definitions.extend(found.defined);
        roots.extend(found.initializers);
    }
    let defined: BTreeSet<String> = definitions.iter().map(|d| d.name.clone()).collect();
    roots.extend(
        defined
            .iter()
            .filter(|name| name.starts_with(harness::SHIM_PREFIX))
            .cloned(),
    );
    let (called, used) = reachable(&definitions, roots);
    let model = kernel_model::kernel_model(&ModelInput {
        wdk_include: shared.wdk_include,
        catalog: &job.catalog,
        called: &called,
        used: &used,
        defined: &defined,
        declared: shared.header_declared,
    });
    write(&directory.join("slic_kernel.c"), &model.source)?;
    let mut outcomes = Vec::new();
    for &engine in &settings.engines {
        let started = Instant::now();
        let outcome = match engine {
            Engine::Eva => run_eva(settings, directory, job.woven.len()),
            Engine::Clang => run_clang(shared, settings, job, directory),
        };
        let mut outcome = outcome.unwrap_or_else(Outcome::Failed);
        // Frama-C names every function without a body that some body calls,
        // reached or not (the header's inline functions call many); the
        // ones that matter are those the driver's routines reach.
        if let Outcome::Finished { havocked, .. } = &mut outcome {
            havocked.retain(|name| called.contains(name));
        }
        outcomes.push((engine, outcome, started.elapsed()));
    }
    Ok(RuleRun {
        job: 0,
        outcomes,
        stubs: model.stubs,
        havocked: model.havocked,
    })
}

fn preprocess(
    settings: &Settings,
    directory: &Path,
    input: &str,
    output: &str,
    extra: &[String],
) -> Result<(), String> {
    let mut command = Command::new(CLANG);
    command
        .args(preprocessor_arguments(settings, directory, false))
        .args(extra)
        .args(["-E", input, "-o", output])
        .current_dir(directory);
    let result = run(command, settings.timeout, directory, "preprocess")?;
    if !result.success {
        return Err(format!(
            "{CLANG} cannot compile `{input}` of the rule's program for {}: {}",
            settings.target,
            first_lines(&result.stderr, 6)
        ));
    }
    Ok(())
}

/// EVA on the rule's program, preprocessed again for what Frama-C's C front
/// end reads (`eva::preprocessor_arguments`).
fn run_eva(settings: &Settings, directory: &Path, woven: usize) -> Result<Outcome, String> {
    for (name, text) in eva::SYSTEM_HEADERS {
        write(&directory.join(eva::SYSTEM_DIRECTORY).join(name), text)?;
    }
    let extra = eva::preprocessor_arguments(&settings.target);
    let mut inputs: Vec<String> = Vec::new();
    for file in 0..woven {
        let output = format!("slic_driver_{file}.eva.i");
        preprocess(settings, directory, &woven_name(file), &output, &extra)?;
        inputs.push(output);
    }
    for part in ["slic_monitor", "slic_harness", "slic_kernel"] {
        let output = format!("{part}.i");
        preprocess(settings, directory, &format!("{part}.c"), &output, &extra)?;
        inputs.push(output);
    }
    let mut command = Command::new(FRAMA_C);
    command
        .args(["-c11", "-machdep", eva::machdep(&settings.target)])
        .arg(format!("-cpp-extra-args=-I{}", directory.display()))
        .args(&inputs)
        .arg("slic_eva.c")
        .args(eva::options(settings.slevel, settings.bound))
        // Frama-C finds relative paths from `$PWD`, not from the directory
        // it runs in.
        .env("PWD", directory)
        .current_dir(directory);
    let result = run(command, settings.timeout, directory, "eva")?;
    if result.timed_out {
        return Ok(unfinished("EVA", settings));
    }
    Ok(eva::outcome(
        &format!("{}\n{}", result.stdout, result.stderr),
        result.success,
    ))
}

fn run_clang(
    shared: &Shared,
    settings: &Settings,
    job: &Job,
    directory: &Path,
) -> Result<Outcome, String> {
    let mut unity = String::from(
        "/* slic_clang_unity.c: the rule's program as one translation unit, for clang's analyzer. */\n#include <slic_clang_system.h>\n",
    );
    for file in 0..job.woven.len() {
        unity.push_str(&format!("#include \"{}\"\n", woven_name(file)));
    }
    unity.push_str(
        "#include \"slic_monitor.c\"\n#include \"slic_kernel.c\"\n#include \"slic_harness.c\"\n#include \"slic_clang.c\"\n",
    );
    write(&directory.join("slic_clang_unity.c"), &unity)?;
    let mut command = Command::new(CLANG);
    command
        .arg("--analyze")
        .args(preprocessor_arguments(settings, directory, true))
        .args(clang::options(settings.bound))
        .args(["slic_clang_unity.c", "-o", "clang.sarif"])
        .current_dir(directory);
    let result = run(command, settings.timeout, directory, "clang")?;
    if result.timed_out {
        return Ok(unfinished("clang's analyzer", settings));
    }
    let sarif = std::fs::read_to_string(directory.join("clang.sarif")).unwrap_or_default();
    if !result.success || sarif.is_empty() {
        return Ok(Outcome::Failed(format!(
            "clang's analyzer failed: {}",
            first_lines(&result.stderr, 6)
        )));
    }
    let program = clang::Program {
        monitor: &job.monitor_source,
        woven: job
            .woven
            .iter()
            .enumerate()
            .map(|(file, text)| (woven_name(file), text.as_str()))
            .collect(),
        sources: &shared.sources,
    };
    Ok(clang::outcome(&sarif, &program))
}

/// An engine stopped at the time limit.
fn unfinished(engine: &str, settings: &Settings) -> Outcome {
    Outcome::Failed(format!(
        "{engine} did not finish in {} s (--timeout)",
        settings.timeout.as_secs()
    ))
}

fn first_lines(text: &str, count: usize) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(count)
        .collect::<Vec<_>>()
        .join(" | ")
}

struct Ran {
    success: bool,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

/// Runs a command with a time limit; its output is kept in the program's
/// directory (`NAME.out`, `NAME.err`).
fn run(
    mut command: Command,
    timeout: Duration,
    directory: &Path,
    name: &str,
) -> Result<Ran, String> {
    let out_path = directory.join(format!("{name}.out"));
    let err_path = directory.join(format!("{name}.err"));
    let out = std::fs::File::create(&out_path).map_err(|e| format!("cannot write output: {e}"))?;
    let err = std::fs::File::create(&err_path).map_err(|e| format!("cannot write output: {e}"))?;
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|error| format!("cannot run {program}: {error}"))?;
    let started = Instant::now();
    let (status, timed_out) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (Some(status), false),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break (None, true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => return Err(format!("cannot wait for {program}: {error}")),
        }
    };
    Ok(Ran {
        success: status.is_some_and(|s| s.success()),
        timed_out,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    })
}
