//! `slic weave`: put the hooks of rules into a C file or LLVM IR module.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use slic::catalog::Prototype;
use slic::diagnostic::Diagnostic;
use slic::monitor::hooks::HookSet;
use slic::span::FileId;
use slic::weave::Woven;
use slic::weave::role_map::RoleMap;

use super::io::{
    FsLoader, Text, check_output_path, map_text, read_bytes, read_text, write_output,
    write_output_with,
};
use super::llvm;
use super::rules::{Compiled, compile};
use super::{CompileOptions, DriverRuleOptions, Failure, diagnostics};

/// Weave rule checks into a driver source file (.c) or LLVM IR module (.ll, .bc)
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic weave driver.c -o woven/driver.c             (the built-in pack)\n  slic weave --rule rules/wdm/SpinLock.slic -I inc driver.c -o woven.c\n  slic weave --roles roles.toml driver.ll -o driver.woven.ll\n  slic weave --roles roles.toml driver.bc -o driver.woven.bc\n\nCompile a woven C file with the monitor (`slic monitor -o DIR`, then add DIR to the include path).\nA woven module has the monitor in it. Bitcode is read and written with the llvm-dis and llvm-as\nof the LLVM version that wrote it (llvm-dis-16 for LLVM 16); see docs/ir-weaving.md."
)]
pub struct Args {
    /// The files to weave: `.c`, `.ll` or `.bc`
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Where to write the woven file (`-` for standard output), or a directory for several inputs; a module is written as bitcode when FILE ends in `.bc`
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
    prototypes_in(&catalogs(compiled), hooks)
}

/// The rules' distinct catalogs, in the order of the rules. Rules share
/// their catalog: each is asked once.
fn catalogs(compiled: &Compiled) -> Vec<std::rc::Rc<slic::catalog::Catalog>> {
    let mut catalogs: Vec<std::rc::Rc<slic::catalog::Catalog>> = Vec::new();
    for rule in &compiled.rules {
        if !catalogs
            .iter()
            .any(|c| std::rc::Rc::ptr_eq(c, &rule.catalog))
        {
            catalogs.push(rule.catalog.clone());
        }
    }
    catalogs
}

/// The prototypes of the functions `hooks` name, from `catalogs` (the
/// first that has a name gives its prototype).
fn prototypes_in(
    catalogs: &[std::rc::Rc<slic::catalog::Catalog>],
    hooks: &HookSet,
) -> HashMap<String, Prototype> {
    let mut prototypes = HashMap::new();
    for name in hooks.functions() {
        if let Some(prototype) = catalogs.iter().find_map(|catalog| catalog.get(name)) {
            prototypes.insert(name.to_string(), prototype.clone());
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
    let mut compiled = compile(&args.rules, &options)?;
    // Only the C weaver reads the rules' catalogs (prototypes): weaving
    // modules alone, they are let go of (memory beside a large module).
    // The automata are moved out, not cloned.
    let catalogs = if jobs.iter().any(|(_, _, kind)| matches!(kind, Kind::C)) {
        catalogs(&compiled)
    } else {
        Vec::new()
    };
    let automata: Vec<_> = std::mem::take(&mut compiled.rules)
        .into_iter()
        .map(|r| r.automaton)
        .collect();
    let hooks = match HookSet::new(&automata) {
        Ok(hooks) => hooks,
        Err(diagnostic) => {
            diagnostics::print(options.message_format, &compiled.sources, &[diagnostic]);
            return Err(Failure::Errors);
        }
    };
    let roles = given_roles(args.roles.as_deref(), &args.role)?;
    let prototypes = prototypes_in(&catalogs, &hooks);
    let progress = progress_bar(jobs.len());
    let mut reports: Vec<slic::weave::report::BindingReport> = Vec::new();
    let count = jobs.len();
    for (job, (input, output, kind)) in jobs.into_iter().enumerate() {
        progress.set_message(input.display().to_string());
        let name = match (&args.name, args.inputs.len()) {
            (Some(name), 1) => name.clone(),
            _ => input.display().to_string(),
        };
        let weaver = match kind {
            Kind::C => slic::weave::report::Weaver::C,
            Kind::Ir | Kind::Bitcode => slic::weave::report::Weaver::Ir,
        };
        let finish = |failure: Failure| {
            progress.finish_and_clear();
            failure
        };
        // A module's text is mapped, and woven straight into the output
        // (see `streams`).
        let module = match kind {
            Kind::C => None,
            Kind::Ir | Kind::Bitcode => Some(read_module(input, kind).map_err(finish)?),
        };
        let c_text = match kind {
            // Any bytes: C files need not be UTF-8 (see `weave::c`'s `view.rs`).
            Kind::C => Some(map_bytes(input).map_err(finish)?),
            Kind::Ir | Kind::Bitcode => None,
        };
        let input_text: &[u8] = match (&c_text, &module) {
            (Some(text), _) => text,
            (None, Some((text, _))) => text.as_bytes(),
            (None, None) => unreachable!("every input is C or a module"),
        };
        let monitors = crate::cli::cache::Monitors::of(&compiled);
        let file = compiled.sources.next_id();
        let show = |diagnostics: &[Diagnostic]| {
            progress.suspend(|| {
                diagnostics::print_about_input(
                    options.message_format,
                    &compiled.sources,
                    &name,
                    input_text,
                    diagnostics,
                )
            })
        };
        let woven = match &module {
            None => weave_c(
                &args,
                &prototypes,
                &hooks,
                &roles,
                input,
                &name,
                input_text,
                file,
            )
            .map(Output::C),
            Some((module_text, _)) => {
                let input = slic::weave::llvm::Input {
                    text: module_text,
                    path: &name,
                    file,
                    rules: &automata,
                    hooks: &hooks,
                    roles: &roles,
                    monitors: monitors
                        .as_ref()
                        .map(|m| m as &dyn slic::monitor::llvm::MonitorStore),
                };
                if streams(&output) {
                    weave_ir_into(&input, module_text, &output)
                        .map_err(&finish)?
                        .map(Output::Written)
                } else {
                    slic::weave::llvm::weave_module(
                        &input,
                        slic::weave::llvm::MonitorPlacement::InModule,
                        slic::weave::llvm::Strategy::Targeted,
                    )
                    .map(Output::Module)
                }
            }
        };
        let woven = woven.map_err(|error| {
            show(&[error]);
            finish(Failure::Errors)
        })?;
        let (sites, warnings) = match &woven {
            Output::C(woven) => (&woven.sites, &woven.warnings),
            Output::Module(woven) => (&woven.summary.sites, &woven.summary.warnings),
            Output::Written(summary) => (&summary.sites, &summary.warnings),
        };
        let mut shown = warnings.clone();
        shown.extend(
            slic::weave::report::unbound(&automata, sites)
                .into_iter()
                .map(|(rule, events)| {
                    slic::weave::report::unbound_warning(&automata[rule], &events, &name, weaver)
                }),
        );
        show(&shown);
        // Only when asked for: for a large module it is large.
        if args.report.is_some() {
            reports.push(slic::weave::report::BindingReport::new(
                &name, &automata, sites,
            ));
        }
        match (&woven, &module) {
            (Output::Module(woven), Some((text, version)))
                if output.extension().is_some_and(|e| e == "bc") =>
            {
                // The bitcode of the LLVM that wrote the input (for a
                // `.ll`, the version its `!llvm.ident` names).
                let version = version.or_else(|| llvm::text_version(text)).ok_or_else(|| {
                    Failure::usage(format!(
                        "cannot write `{}` as bitcode: `{}` does not say which LLVM wrote it (no `!llvm.ident`); write a `.ll` and assemble it with your `llvm-as`",
                        output.display(),
                        input.display()
                    ))
                })?;
                write_output(&output, &llvm::assemble(&woven.text, version, &output)?)?;
            }
            (Output::Module(woven), _) => write_output(&output, woven.text.as_bytes())?,
            (Output::Written(_), _) => {}
            // Written in pieces, never built whole.
            (Output::C(woven), _) => write_output_with(&output, |out| woven.text.write_to(out))?,
        }
        progress.inc(1);
        if job + 1 == count {
            // The last file's sites and edits are not freed one by one:
            // the process ends now (for a large module, tens of
            // thousands of small allocations).
            std::mem::forget(woven);
        }
    }
    progress.finish_and_clear();
    if let Some(report) = &args.report {
        // One file's report alone, several as a list.
        let mut text = if reports.len() == 1 {
            serde_json::to_string_pretty(&reports[0])
        } else {
            serde_json::to_string_pretty(&reports)
        }
        .expect("reports serialize");
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

/// A woven file: C text, a module's text, or a module already written.
enum Output<'t> {
    C(Woven<slic::weave::c::Edited<'t>>),
    Module(slic::weave::llvm::WovenModule),
    Written(slic::weave::llvm::Summary),
}

/// Whether a module is woven straight into its output file as the weaver
/// goes (a large module's woven text is never held whole). Not for bitcode
/// (assembled from the whole text), nor for standard output or a device,
/// which a refusal part-way would leave holding part of a module.
fn streams(output: &Path) -> bool {
    // A regular file, or one not there yet.
    let a_file = !output.exists() || output.metadata().is_ok_and(|m| m.is_file());
    output != Path::new("-") && output.extension().is_none_or(|e| e != "bc") && a_file
}

/// Weaves a module into `output`, written as it is woven: the summary, or
/// the refusal (and nothing written).
fn weave_ir_into(
    input: &slic::weave::llvm::Input,
    text: &Text,
    output: &Path,
) -> Result<Result<slic::weave::llvm::Summary, Diagnostic>, Failure> {
    use slic::weave::llvm::{MonitorPlacement, Strategy, Unwoven, weave_into};
    let mut outcome = None;
    let written = write_output_with(output, |out| {
        // The module's pages are let go of as they are written.
        let mut out = text.releasing(out);
        match weave_into(
            input,
            MonitorPlacement::InModule,
            Strategy::Targeted,
            &mut out,
        ) {
            Ok(summary) => {
                outcome = Some(Ok(summary));
                Ok(())
            }
            Err(Unwoven::Write(error)) => Err(error),
            Err(Unwoven::Refused(diagnostic)) => {
                outcome = Some(Err(diagnostic));
                // The temporary file is dropped, not renamed.
                Err(std::io::Error::other("refused"))
            }
        }
    });
    match (outcome, written) {
        (Some(Err(diagnostic)), _) => Ok(Err(diagnostic)),
        (Some(Ok(summary)), Ok(())) => Ok(Ok(summary)),
        (_, Err(failure)) => Err(failure),
        (None, Ok(())) => unreachable!("the weave ran"),
    }
}

#[allow(clippy::too_many_arguments)]
fn weave_c<'t>(
    args: &Args,
    prototypes: &HashMap<String, Prototype>,
    hooks: &HookSet,
    roles: &RoleMap,
    input: &Path,
    name: &str,
    text: &'t [u8],
    file: FileId,
) -> Result<Woven<slic::weave::c::Edited<'t>>, Diagnostic> {
    slic::weave::c::weave_edits(&slic::weave::c::Input {
        text,
        path: name,
        file,
        hooks,
        prototypes,
        roles,
        extra_blank: &args.blank,
        source: Some(slic::weave::c::SourceFile {
            path: input,
            loader: &FsLoader,
            include_dirs: &args.include_dirs,
        }),
    })
}

/// A C file's bytes: mapped when it is a regular file, read otherwise.
/// Mapped, they are not copied into fresh memory (the file's pages are
/// the page cache's, a page fault maps several at a time): the woven file
/// is written from them too (`Edited::write_to`).
enum Bytes {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Read(bytes) => bytes,
            Bytes::Mapped(map) => map,
        }
    }
}

fn map_bytes(path: &Path) -> Result<Bytes, Failure> {
    // Only a regular file is opened here: a pipe opened and closed would
    // lose what its writer wrote.
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0)
        && let Ok(file) = std::fs::File::open(path)
        // SAFETY: the map is read only, and slic does not write its
        // inputs (see `map_text`).
        && let Ok(map) = unsafe { memmap2::Mmap::map(&file) }
    {
        return Ok(Bytes::Mapped(map));
    }
    // Directories, pipes, empty files and errors: the ordinary reader
    // gives each its message.
    read_bytes(path).map(Bytes::Read)
}

/// The text of a module, and the LLVM version that wrote it when it came
/// as bitcode.
fn read_module(input: &Path, kind: Kind) -> Result<(Text, Option<u32>), Failure> {
    match kind {
        Kind::Bitcode => {
            let bytes = read_bytes(input)?;
            let version = llvm::bitcode_version(input, &bytes)?;
            Ok((
                Text::Read(llvm::disassemble(input, version)?),
                Some(version),
            ))
        }
        _ => Ok((map_text(input)?, None)),
    }
}

#[derive(Clone, Copy)]
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
