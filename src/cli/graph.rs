//! `slic graph RULE`: the explicit automaton as DOT or JSON.

use std::path::PathBuf;

use slic::automaton::explicit::{self, DEFAULT_BOUND};

use super::io::{check_output_path, write_output};
use super::rules::compile;
use super::{CompileOptions, Failure, diagnostics};

/// Draw a rule's explicit automaton: its reachable states and transitions
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic graph rules/wdm/QueuedSpinLockRelease.slic | dot -Tsvg -o qslr.svg\n  slic graph --format json rules/wdm/SpinLock.slic"
)]
pub struct Args {
    /// The rule file (`.slic`)
    rule: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "dot")]
    format: Format,
    /// How far integer state variables are explored (in absolute value)
    #[arg(long, default_value_t = DEFAULT_BOUND, value_name = "N")]
    bound: i64,
    /// Write here instead of standard output
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
    #[command(flatten)]
    options: CompileOptions,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Dot,
    Json,
}

pub fn run(args: Args) -> Result<(), Failure> {
    check_output_path(&args.output)?;
    let compiled = compile(std::slice::from_ref(&args.rule), &args.options)?;
    let rule = &compiled.rules[0];
    let graph = match explicit::build(&rule.automaton, args.bound) {
        Ok(graph) => graph,
        Err(diagnostic) => {
            diagnostics::print(
                args.options.message_format,
                &compiled.sources,
                &[diagnostic],
            );
            return Err(Failure::Errors);
        }
    };
    let text = match args.format {
        Format::Dot => slic::graph::to_dot(&rule.automaton, &graph),
        Format::Json => slic::graph::to_json(&rule.automaton, &graph),
    };
    write_output(&args.output, text.as_bytes())
}
