//! `slic rules`: the rules of the built-in pack (or the given files).

use std::path::PathBuf;

use super::rules::compile;
use super::{CompileOptions, Failure};

/// List rules: name, Rule ID and a one-line summary
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic rules                (the built-in pack)\n  slic rules my-rules/*.slic"
)]
pub struct Args {
    /// Rule files; the built-in pack when none are given
    #[arg(value_name = "RULE")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    options: CompileOptions,
}

/// The first sentence of a description: what fits on one line of a listing.
pub fn summary(description: Option<&str>) -> String {
    let Some(description) = description else {
        return String::new();
    };
    match description.find(". ") {
        Some(end) => description[..=end].to_string(),
        None => description.to_string(),
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let compiled = compile(&args.rules, &args.options)?;
    let width = compiled
        .rules
        .iter()
        .map(|r| r.automaton.name.len())
        .max()
        .unwrap_or(4);
    for rule in &compiled.rules {
        let automaton = &rule.automaton;
        let id = automaton
            .rule_id
            .map_or("n/a".to_string(), |id| format!("0x{id:08X}"));
        println!(
            "{:width$}  {id:10}  {}",
            automaton.name,
            summary(automaton.description.as_deref())
        );
    }
    Ok(())
}
