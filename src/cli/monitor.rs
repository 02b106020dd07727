//! `slic monitor`: generate the C monitor for a set of rules.

use std::path::PathBuf;

use slic::monitor::{Flavour, Monitor};

use super::io::write_output;
use super::rules::compile;
use super::{CompileOptions, DriverRuleOptions, Failure, diagnostics};

/// Generate the C monitor (slic_monitor.h and slic_monitor.c) for rules
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic monitor -o build/slic                       (the built-in pack, runtime flavour)\n  slic monitor --rule rules/wdm/SpinLock.slic -o out\n  slic monitor --flavour static -o harness          (for model checkers)\n\nCompile slic_monitor.c into the instrumented build (with -DSLIC_KERNEL for a kernel driver)."
)]
pub struct Args {
    /// A rule to monitor (repeat for several); the built-in pack when none
    #[arg(long = "rule", value_name = "RULE")]
    rules: Vec<PathBuf>,
    /// Runtime monitor for instrumented builds, or static harness for model checkers
    #[arg(long, value_enum, default_value = "runtime")]
    flavour: FlavourArg,
    /// Directory to write slic_monitor.h and slic_monitor.c into (created if missing)
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    #[command(flatten)]
    rule_options: DriverRuleOptions,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FlavourArg {
    Runtime,
    Static,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.output == std::path::Path::new("-") {
        return Err(Failure::usage(
            "`slic monitor` writes two files (slic_monitor.h and slic_monitor.c) into a directory: \
             `-o -` is not one",
        ));
    }
    let options: CompileOptions = args.rule_options.clone().into();
    let compiled = compile(&args.rules, &options)?;
    let flavour = match args.flavour {
        FlavourArg::Runtime => Flavour::Runtime,
        FlavourArg::Static => Flavour::Static,
    };
    let automata = compiled.rules.iter().map(|r| r.automaton.clone()).collect();
    let monitor = match Monitor::new(automata, flavour) {
        Ok(monitor) => monitor,
        Err(diagnostic) => {
            diagnostics::print(options.message_format, &compiled.sources, &[diagnostic]);
            return Err(Failure::Errors);
        }
    };
    if args.output.exists() && !args.output.is_dir() {
        return Err(Failure::usage(format!(
            "`{}` is not a directory",
            args.output.display()
        )));
    }
    std::fs::create_dir_all(&args.output).map_err(|error| {
        Failure::usage(format!(
            "cannot create `{}`: {error}",
            args.output.display()
        ))
    })?;
    let files = monitor.to_c();
    write_output(&args.output.join("slic_monitor.h"), files.header.as_bytes())?;
    write_output(&args.output.join("slic_monitor.c"), files.source.as_bytes())?;
    Ok(())
}
