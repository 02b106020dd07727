//! `slic verify FILE.c...`: each rule checked on the whole driver by real
//! analyzers, with a harness built from the driver's roles (see
//! `slic::verify` for the pieces, and docs/verify.md).
//!
//! `prepare.rs` reads the driver (roles, WDK header, structure layouts,
//! which file defines which routine) and weaves it once per rule;
//! `engines.rs` runs Frama-C and clang on each rule's program, several
//! rules at a time; `output.rs` prints the verdicts.

mod engines;
mod output;
mod prepare;

use std::path::PathBuf;
use std::time::Duration;

use slic::verify::Engine;
use slic::verify::verdict::{self, Verdict};

use super::{DriverRuleOptions, Failure};

/// Check each rule on the whole driver with real analyzers: Frama-C's EVA (a proof) and clang's static analyzer (a path)
#[derive(clap::Args)]
#[command(
    after_help = "The harness calls DriverEntry, AddDevice, then up to --bound routines the I/O manager could call\n(dispatch, cancel, DPC, work item, StartIo, completion) in any order, then Unload, with IRPs whose\nfields hold any value of their types. Verdicts per rule: violation (with the place, the event and\na path), no violation found (bound N), proved (EVA finished without an alarm), or unknown.\n\nExamples:\n  slic verify -I wdk driver.c\n  slic verify --rule rules/wdm/SpinLock.slic --engine eva -I include src/*.c\n  slic verify --format sarif -I wdk driver.c > verify.sarif      (for GitHub code scanning)\n  slic verify --bound 4 --jobs 2 --keep out -I wdk driver.c\n\nNeeds clang-19 and, for EVA, frama-c (Debian packages clang-19 and frama-c-base).\nExit status: 0 no violation, 1 violations, 2 errors (a rule could not be verified, a tool is missing)."
)]
pub struct Args {
    /// The driver's C sources
    #[arg(required = true, value_name = "FILE.c")]
    files: Vec<PathBuf>,
    /// A rule to verify (repeat for several); the built-in pack when none
    #[arg(long = "rule", value_name = "RULE")]
    rules: Vec<PathBuf>,
    /// The driver's include directories (the WDK headers among them)
    #[arg(short = 'I', long = "include-dir", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// A macro for the driver's compile, NAME or NAME=VALUE
    #[arg(short = 'D', long = "define", value_name = "NAME[=VALUE]")]
    defines: Vec<String>,
    /// How many routines the harness calls after DriverEntry and AddDevice, at most
    #[arg(long, default_value_t = 3, value_name = "N")]
    bound: u32,
    /// The analyzers to run
    #[arg(long, value_enum, default_value = "all")]
    engine: EngineArg,
    /// Rules verified at once (default: the machine's cores)
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// How to print the verdicts
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// The target the driver is compiled for (a clang triple; Windows targets are LLP64)
    #[arg(long, default_value = "x86_64-w64-mingw32", value_name = "TRIPLE")]
    target: String,
    /// The WDK header the harness includes (default: the one the driver includes, e.g. `<wdm.h>`)
    #[arg(long, value_name = "HEADER")]
    wdk_header: Option<String>,
    /// A roles file (the TOML `slic roles` prints), added to the roles found in the sources
    #[arg(long, value_name = "FILE")]
    roles: Option<PathBuf>,
    /// A routine's role, as KIND=NAME (dispatch, cancel, startio, unload, adddevice, completion, dpc, isr, worker, driverentry)
    #[arg(long = "role", value_name = "KIND=NAME")]
    role: Vec<String>,
    /// EVA's -eva-slevel: how many states it keeps apart at each statement
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    slevel: u32,
    /// Stop an analyzer after this many seconds (the rule is then unknown)
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    timeout: u64,
    /// Keep each rule's program (woven files, monitor, harness, kernel model) and the analyzers' output here
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Write the verdicts here instead of standard output
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
    #[command(flatten)]
    rule_options: DriverRuleOptions,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EngineArg {
    Eva,
    Clang,
    All,
}

impl EngineArg {
    fn engines(self) -> Vec<Engine> {
        match self {
            EngineArg::Eva => vec![Engine::Eva],
            EngineArg::Clang => vec![Engine::Clang],
            EngineArg::All => vec![Engine::Eva, Engine::Clang],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

/// What every rule's run shares.
pub struct Settings {
    pub engines: Vec<Engine>,
    pub bound: u32,
    pub slevel: u32,
    pub timeout: Duration,
    pub target: String,
    pub defines: Vec<String>,
    pub include_dirs: Vec<PathBuf>,
    /// The directories of the sources: their quoted includes are there.
    pub source_dirs: Vec<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    for engine in args.engine.engines() {
        engines::require(engine)?;
    }
    engines::require_clang()?;
    super::io::check_output_path(&args.output)?;
    let mut source_dirs: Vec<PathBuf> = Vec::new();
    for file in &args.files {
        let directory = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !source_dirs.contains(&directory) {
            source_dirs.push(directory);
        }
    }
    let settings = Settings {
        engines: args.engine.engines(),
        bound: args.bound,
        slevel: args.slevel,
        timeout: Duration::from_secs(args.timeout),
        target: args.target.clone(),
        defines: args.defines.clone(),
        include_dirs: args.include_dirs.clone(),
        source_dirs,
    };
    let prepared = prepare::prepare(&args, &settings)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let runs = engines::run_all(&prepared, &settings, jobs, args.keep.as_deref())?;
    let results: Vec<output::RuleResult> = runs
        .into_iter()
        .map(|run| {
            let job = &prepared.jobs[run.job];
            let automaton = &prepared.compiled.rules[job.rule].automaton;
            let outcomes: Vec<(Engine, slic::verify::Outcome)> = run
                .outcomes
                .iter()
                .map(|(engine, outcome, _)| (*engine, outcome.clone()))
                .collect();
            let mut verdict = verdict::verdict(automaton, &job.sites, &outcomes);
            for name in run.havocked {
                if !verdict.havocked.contains(&name) {
                    verdict.havocked.push(name);
                }
            }
            verdict.havocked.sort();
            output::RuleResult {
                job: run.job,
                verdict,
                times: run
                    .outcomes
                    .iter()
                    .map(|(engine, _, time)| (*engine, *time))
                    .collect(),
                stubs: run.stubs,
            }
        })
        .collect();
    let report = output::Report {
        prepared: &prepared,
        results: &results,
        bound: args.bound,
    };
    let text = match args.format {
        Format::Text => report.text(),
        Format::Json => report.json(),
        Format::Sarif => report.sarif(),
    };
    super::io::write_output(&args.output, text.as_bytes())?;
    let unknown = results
        .iter()
        .any(|r| matches!(r.verdict.verdict, Verdict::Unknown(_)));
    let violations = results
        .iter()
        .any(|r| matches!(r.verdict.verdict, Verdict::Violations(_)));
    if unknown {
        Err(Failure::Exit(2))
    } else if violations {
        Err(Failure::Exit(1))
    } else {
        Ok(())
    }
}
