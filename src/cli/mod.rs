//! Command-line parsing and the commands.

mod cache;
mod cc;
mod check;
mod completions;
mod diagnostics;
mod explore;
mod graph;
mod io;
mod llvm;
mod monitor;
mod roles;
mod rules;
mod rules_list;
mod test;
mod verify;
mod weave;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// slic compiles driver API rules written in SLIC, the rule language of
/// Static Driver Verifier, into checks for driver builds.
#[derive(Parser)]
#[command(
    name = "slic",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  slic check my-rule.slic                 check a rule\n  slic test rules/                        run the trace tests of rules\n  slic explore rules/wdm/SpinLock.slic    the shortest trace to each violation\n  slic graph rules/wdm/SpinLock.slic | dot -Tsvg > spinlock.svg\n  make CC=\"slic cc -- clang\"              build a driver with the checks woven in\n\nWithout --rule, commands use the built-in WDM rule pack (`slic rules` lists it).\nExit status: 0 success, 1 errors in the input (a rule, a trace, a file that cannot be woven) or a failing test, 2 usage or I/O errors."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Graph(graph::Args),
    Test(test::Args),
    Explore(explore::Args),
    Monitor(monitor::Args),
    Weave(weave::Args),
    Roles(roles::Args),
    Rules(rules_list::Args),
    Cc(cc::Args),
    Verify(verify::Args),
    Completions(completions::Args),
}

/// Why a command stopped without doing its job.
pub enum Failure {
    /// Usage or I/O error: a one-line message, exit code 2.
    Usage(String),
    /// Diagnostics with errors were printed: exit code 1.
    Errors,
    /// A wrapped program failed and said why: exit with its code.
    Exit(i32),
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Usage(message.into())
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Test(args) => test::run(args),
        Command::Explore(args) => explore::run(args),
        Command::Monitor(args) => monitor::run(args),
        Command::Weave(args) => weave::run(args),
        Command::Roles(args) => roles::run(args),
        Command::Rules(args) => rules_list::run(args),
        Command::Cc(args) => cc::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Completions(args) => completions::run(args),
    };
    diagnostics::finish();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Errors) => ExitCode::from(1),
        Err(Failure::Exit(code)) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(Failure::Usage(message)) => {
            eprintln!("slic: error: {message}");
            ExitCode::from(2)
        }
    }
}

impl CompileOptions {
    /// Inputs named by options are checked before any work starts, like
    /// the files named on the command line.
    pub fn validate(&self) -> Result<(), Failure> {
        if let Some(catalog) = &self.catalog {
            io::read_text(catalog)?;
        }
        for directory in &self.include_path {
            if !directory.is_dir() {
                return Err(Failure::usage(format!(
                    "include directory `{}` does not exist",
                    directory.display()
                )));
            }
        }
        Ok(())
    }
}

/// The rule options of commands that work on drivers (`weave`, `monitor`,
/// `cc`), where `-I` belongs to the driver's include path.
#[derive(clap::Args, Clone, Default)]
pub struct DriverRuleOptions {
    /// Search this directory for files the rules `#include`
    #[arg(long = "rule-include", value_name = "DIR")]
    pub include_path: Vec<PathBuf>,
    /// Use this API catalog for every rule instead of the `ddi.h` beside each rule
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value = "human")]
    pub message_format: diagnostics::MessageFormat,
}

impl From<DriverRuleOptions> for CompileOptions {
    fn from(options: DriverRuleOptions) -> CompileOptions {
        CompileOptions {
            include_path: options.include_path,
            catalog: options.catalog,
            message_format: options.message_format,
        }
    }
}

/// Options every command that compiles rules shares.
#[derive(clap::Args, Clone, Default)]
pub struct CompileOptions {
    /// Search this directory for `#include`d files (after the including file's directory)
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    pub include_path: Vec<PathBuf>,
    /// Use this API catalog for every rule instead of the `ddi.h` beside each rule
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value = "human")]
    pub message_format: diagnostics::MessageFormat,
}
