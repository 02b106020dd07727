//! `slic test RULE|DIR...`: run the trace tests kept next to each rule.

use std::path::{Path, PathBuf};

use slic::testing;

use super::rules::{companion, compile};
use super::{CompileOptions, Failure, diagnostics};

/// Run the trace tests of rules (`RULE.traces` beside each `RULE.slic`)
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic test rules/wdm/QueuedSpinLockRelease.slic\n  slic test rules/          (every rule under the directory)\n  slic test                 (the built-in pack)\n  slic test --log rules/wdm/SpinLock.slic"
)]
pub struct Args {
    /// Rule files or directories of rules; the built-in pack when none are given
    #[arg(value_name = "RULE|DIR")]
    inputs: Vec<PathBuf>,
    /// Print every trace's states step by step
    #[arg(long)]
    log: bool,
    #[command(flatten)]
    options: CompileOptions,
}

fn rule_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            collect(input, &mut files).map_err(|error| {
                Failure::usage(format!(
                    "cannot read directory `{}`: {error}",
                    input.display()
                ))
            })?;
        } else {
            files.push(input.clone());
        }
    }
    if !inputs.is_empty() && files.is_empty() {
        let searched: Vec<String> = inputs
            .iter()
            .map(|input| format!("`{}`", input.display()))
            .collect();
        return Err(Failure::usage(format!(
            "no rule files (`.slic`) found in {}",
            searched.join(", ")
        )));
    }
    Ok(files)
}

fn collect(directory: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(directory)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "slic") {
            files.push(path);
        }
    }
    Ok(())
}

pub fn run(args: Args) -> Result<(), Failure> {
    let files = rule_files(&args.inputs)?;
    let compiled = compile(&files, &args.options)?;
    let mut sources = compiled.sources.clone();
    let (mut passed, mut failed) = (0, 0);
    let mut trace_diagnostics = Vec::new();
    for rule in &compiled.rules {
        let Some((trace_path, text)) = companion(&compiled, &rule.path, "traces")? else {
            println!(
                "{}: no trace tests ({} is missing)",
                rule.path.display(),
                rule.path.with_extension("traces").display()
            );
            failed += 1;
            continue;
        };
        let file = sources.add(trace_path.display().to_string(), text.clone());
        let (traces, parse_diagnostics) = slic::trace::parse(file, &text);
        let had_syntax_errors = !parse_diagnostics.is_empty();
        trace_diagnostics.extend(parse_diagnostics);
        let (results, diagnostics) = testing::run(&rule.automaton, &rule.catalog, &traces);
        trace_diagnostics.extend(diagnostics);
        println!("{}: {} traces", trace_path.display(), results.len());
        if had_syntax_errors {
            println!("  FAIL  the trace file does not parse");
            failed += 1;
        }
        for result in &results {
            if result.passed() {
                passed += 1;
                println!("  ok    {}", result.name);
            } else {
                failed += 1;
                println!("  FAIL  {}", result.name);
                for mismatch in &result.mismatches {
                    println!("          {mismatch}");
                }
            }
            if args.log {
                for line in result.log.lines() {
                    println!("        | {line}");
                }
            }
        }
    }
    diagnostics::print(args.options.message_format, &sources, &trace_diagnostics);
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!("test result: {verdict}. {passed} passed; {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure::Errors)
    }
}
