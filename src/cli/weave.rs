//! `slic weave`: put the hooks of rules into a C file or LLVM IR module.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use slic::catalog::Prototype;
use slic::hooks::HookSet;
use slic::weave::roles::RoleMap;
use slic::weave::{WeaveError, Woven};

use super::io::{FsLoader, check_output_path, read_text, write_output};
use super::rules::{Compiled, compile};
use super::{CompileOptions, DriverRuleOptions, Failure, diagnostics};

/// Weave rule checks into a driver source file (.c) or LLVM IR module (.ll, .bc)
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic weave driver.c -o woven/driver.c             (the built-in pack)\n  slic weave --rule rules/wdm/SpinLock.slic -I inc driver.c -o woven.c\n  slic weave --roles roles.toml driver.ll -o driver.woven.ll\n\nCompile the woven file with the monitor (`slic monitor -o DIR`, then add DIR to the include path)."
)]
pub struct Args {
    /// The files to weave: `.c`, `.ll` or `.bc`
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Where to write the woven file (`-` for standard output), or a directory for several inputs
    #[arg(short, long, value_name = "FILE|DIR")]
    output: PathBuf,
    /// A rule to weave (repeat for several); the built-in pack when none
    #[arg(long = "rule", value_name = "RULE")]
    rules: Vec<PathBuf>,
    /// A roles file (the TOML `slic roles` prints)
    #[arg(long, value_name = "FILE")]
    roles: Option<PathBuf>,
    /// A routine's role, as KIND=NAME (dispatch, cancel, startio, unload, adddevice, completion, dpc, isr, worker, driverentry)
    #[arg(long = "role", value_name = "KIND=NAME")]
    role: Vec<String>,
    /// Where quoted #includes of the driver are looked for (to find role declarations in headers)
    #[arg(short = 'I', long = "include-dir", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// Another attribute-like macro to hide from the C parser (repeat for several)
    #[arg(long = "blank", value_name = "NAME")]
    blank: Vec<String>,
    /// How reports name the file (default: INPUT as given)
    #[arg(long, value_name = "PATH")]
    name: Option<String>,
    /// Write the binding report here (JSON): for each rule and event, the sites it bound to
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    #[command(flatten)]
    rule_options: DriverRuleOptions,
}

/// The roles given on the command line and in a roles file.
pub fn given_roles(file: Option<&Path>, assignments: &[String]) -> Result<RoleMap, Failure> {
    let mut map = RoleMap::default();
    if let Some(file) = file {
        let text = read_text(file)?;
        map = RoleMap::from_toml(&text).map_err(|problem| {
            Failure::usage(format!(
                "cannot read roles file `{}`: {problem}",
                file.display()
            ))
        })?;
    }
    for assignment in assignments {
        let (role, name) = RoleMap::parse_assignment(assignment)
            .map_err(|problem| Failure::usage(format!("--role {assignment}: {problem}")))?;
        map.add(role, name);
    }
    Ok(map)
}

/// The catalog prototypes of every function the rules name.
pub fn prototypes(compiled: &Compiled, hooks: &HookSet) -> HashMap<String, Prototype> {
    let mut prototypes = HashMap::new();
    for name in hooks.functions() {
        for rule in &compiled.rules {
            if let Some(prototype) = rule.catalog.get(name) {
                prototypes
                    .entry(name.to_string())
                    .or_insert_with(|| prototype.clone());
            }
        }
    }
    prototypes
}

pub fn run(args: Args) -> Result<(), Failure> {
    let options: CompileOptions = args.rule_options.clone().into();
    // Every input and output is checked before any work starts.
    let mut jobs = Vec::new();
    let into_directory = args.inputs.len() > 1 || args.output.is_dir();
    if args.inputs.len() > 1 && !args.output.is_dir() {
        return Err(Failure::usage(format!(
            "with several inputs, -o names a directory, and `{}` is not one",
            args.output.display()
        )));
    }
    for input in &args.inputs {
        let kind = match input.extension().and_then(|e| e.to_str()) {
            Some("c") => Kind::C,
            Some("ll") => Kind::Ir,
            Some("bc") => Kind::Bitcode,
            _ => {
                return Err(Failure::usage(format!(
                    "cannot weave `{}`: slic weaves `.c`, `.ll` and `.bc` files",
                    input.display()
                )));
            }
        };
        let output = if into_directory {
            args.output
                .join(input.file_name().expect("an input names a file"))
        } else {
            args.output.clone()
        };
        if output != Path::new("-") && same_file(input, &output) {
            return Err(Failure::usage(format!(
                "the output would overwrite the input `{}`; choose another output",
                input.display()
            )));
        }
        check_output_path(&output)?;
        jobs.push((input, output, kind));
    }
    if let Some(report) = &args.report {
        check_output_path(report)?;
    }
    let compiled = compile(&args.rules, &options)?;
    let automata: Vec<_> = compiled.rules.iter().map(|r| r.automaton.clone()).collect();
    let hooks = match HookSet::new(&automata) {
        Ok(hooks) => hooks,
        Err(diagnostic) => {
            diagnostics::print(options.message_format, &compiled.sources, &[diagnostic]);
            return Err(Failure::Errors);
        }
    };
    let roles = given_roles(args.roles.as_deref(), &args.role)?;
    let progress = progress_bar(jobs.len());
    let mut reports = Vec::new();
    for (input, output, kind) in jobs {
        progress.set_message(input.display().to_string());
        let name = match (&args.name, args.inputs.len()) {
            (Some(name), 1) => name.clone(),
            _ => input.display().to_string(),
        };
        let woven = weave_file(
            &args, &compiled, &automata, &hooks, &roles, input, &name, kind,
        );
        let woven = woven.inspect_err(|_| progress.finish_and_clear())?;
        progress.suspend(|| {
            report_warnings(&woven);
            let warnings: Vec<_> = slic::weave::report::unbound(&automata, &woven)
                .into_iter()
                .map(|(rule, events)| {
                    slic::weave::report::unbound_warning(&automata[rule], &events, &name)
                })
                .collect();
            diagnostics::print(options.message_format, &compiled.sources, &warnings);
        });
        // The report has an entry per site and event: built only if asked.
        if args.report.is_some() {
            reports.push(slic::weave::report::to_json(&name, &automata, &woven));
        }
        write_output(&output, woven.text.as_bytes())?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    if let Some(report) = &args.report {
        let json = if reports.len() == 1 {
            reports.pop().expect("one report")
        } else {
            serde_json::Value::Array(reports)
        };
        let mut text = serde_json::to_string_pretty(&json).expect("JSON values serialize");
        text.push('\n');
        write_output(report, text.as_bytes())?;
    }
    Ok(())
}

/// A bar on stderr when it is a terminal and there are several files;
/// nothing otherwise, so logs and pipes stay clean.
fn progress_bar(count: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if count < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(count as u64);
    let style = indicatif::ProgressStyle::with_template("weaving [{bar:30}] {pos}/{len} {msg}")
        .expect("a valid template")
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}

#[allow(clippy::too_many_arguments)]
fn weave_file(
    args: &Args,
    compiled: &Compiled,
    automata: &[slic::ir::Automaton],
    hooks: &HookSet,
    roles: &RoleMap,
    input: &Path,
    name: &str,
    kind: Kind,
) -> Result<Woven, Failure> {
    let woven = match kind {
        Kind::C => {
            let text = read_text(input)?;
            let prototypes = prototypes(compiled, hooks);
            slic::weave::c::weave(&slic::weave::c::Input {
                text: &text,
                path: name,
                hooks,
                prototypes: &prototypes,
                roles,
                extra_blank: &args.blank,
                source: Some(slic::weave::c::SourceFile {
                    path: input,
                    loader: &FsLoader,
                    include_dirs: &args.include_dirs,
                }),
            })
        }
        Kind::Ir | Kind::Bitcode => {
            let text = read_text(input)?;
            slic::weave::ir::weave(&slic::weave::ir::Input {
                text: &text,
                path: name,
                rules: automata,
                hooks,
                roles,
            })
        }
    };
    woven.map_err(|error| Failure::Refused(format!("cannot weave: {error}")))
}

enum Kind {
    C,
    Ir,
    Bitcode,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

pub fn report_warnings(woven: &Woven) {
    for warning in &woven.warnings {
        let error = WeaveError {
            message: warning.message.clone(),
            position: warning.position.clone(),
        };
        eprintln!("slic: warning: {error}");
    }
}
