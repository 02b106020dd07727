//! `slic explore RULE`: the shortest trace to every abort.

use std::path::PathBuf;

use slic::explore::{self, Options};
use slic::syntax::pretty::quote;

use super::rules::compile;
use super::{CompileOptions, Failure, diagnostics};

/// Find the shortest event trace to every abort of a rule, and what no trace reaches
#[derive(clap::Args)]
#[command(
    after_help = "Each trace is printed in the trace-file syntax, ready to paste into the rule's .traces file.\n\nExamples:\n  slic explore rules/wdm/QueuedSpinLockRelease.slic\n  slic explore --depth 12 --objects 3 rules/wdm/SpinLock.slic"
)]
pub struct Args {
    /// The rule file (`.slic`)
    rule: PathBuf,
    /// The longest event sequence to try
    #[arg(long, default_value_t = 8, value_name = "N")]
    depth: usize,
    /// How many distinct objects pointer values range over
    #[arg(long, default_value_t = 2, value_name = "K", value_parser = clap::value_parser!(u32).range(1..=8))]
    objects: u32,
    #[command(flatten)]
    options: CompileOptions,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let compiled = compile(std::slice::from_ref(&args.rule), &args.options)?;
    let automaton = &compiled.rules[0].automaton;
    let options = Options {
        depth: args.depth,
        objects: args.objects as usize,
    };
    let exploration = explore::explore(automaton, &options);
    for (abort, trace) in automaton.aborts.iter().zip(&exploration.shortest) {
        let Some(trace) = trace else { continue };
        let length = trace.steps.len();
        println!(
            "// abort {} ({}): {length} event{}",
            quote(&abort.message),
            abort.location,
            if length == 1 { "" } else { "s" }
        );
        println!("{}", slic::trace::print(trace));
    }
    diagnostics::print(
        args.options.message_format,
        &compiled.sources,
        &exploration.warnings,
    );
    let reached = exploration.shortest.iter().filter(|t| t.is_some()).count();
    eprintln!(
        "slic: {reached} of {} aborts reached; explored {} states with {} steps up to depth {}",
        automaton.aborts.len(),
        exploration.states,
        exploration.steps,
        args.depth
    );
    Ok(())
}
