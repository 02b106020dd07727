//! `slic cc`: a drop-in compiler wrapper for instrumented builds.
//!
//! `CC="slic cc -- clang"` in an unchanged Makefile weaves every C source
//! it compiles. With clang the source becomes IR at -O0 (optnone off),
//! the IR is woven, and the woven IR is compiled with the user's own flags
//! and optimisation level. With other compilers the C source is woven
//! and compiled. Either way the monitor travels inside the objects, with
//! weak linkage (the linker keeps one copy), so the link step needs
//! nothing new; it, and anything else that is not a compile of C, passes
//! through unchanged, and so does the compile of a source in which nothing
//! binds (a library, a test program). The monitor is compiled once per
//! compiler and flags into a cache and joined to each object by a
//! relocatable link (`cc -r`); where there is none (LTO, MSVC targets) it
//! is compiled with each file.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output};

use slic::automaton::Automaton;
use slic::diagnostic::{Code, Diagnostic};
use slic::hash::fnv_words;
use slic::monitor::hooks::HookSet;
use slic::monitor::{Flavour, Monitor};
use slic::weave::role_map::RoleMap;

mod bindings;
mod command;
mod linker;
mod monitor_cache;
mod response;
mod through_c;
mod through_llvm;

use super::io::FsLoader;
use super::rules::{Compiled, compile};
use super::weave::given_roles;
use super::{CompileOptions, DriverRuleOptions, Failure, diagnostics};
use bindings::summarize_build;
use command::{
    CompilerCommand, dependency_arguments, source_arguments, without_dependency_options,
};

/// Compile with rule checks woven in: a drop-in compiler wrapper
#[derive(clap::Args)]
#[command(
    after_help = "Examples, as the C compiler of an unchanged build:\n  make CC=\"slic cc -- gcc\"\n  make CC=\"slic cc --rule rules/wdm/SpinLock.slic -- clang\"\n  slic cc -- clang -O2 -g -c driver.c -o driver.o\n\nCompiles of C sources are woven (through LLVM IR with clang, through C with other\ncompilers); links and everything else pass through. The monitor is compiled into\nevery object, so the link needs nothing new. Behind ccache or distcc, put slic cc\nfirst: CC=\"slic cc -- ccache gcc\" caches the woven compiles."
)]
pub struct Args {
    /// A rule to weave (repeat for several); the built-in pack when none
    #[arg(long = "rule", value_name = "RULE")]
    rules: Vec<PathBuf>,
    /// A roles file (the TOML `slic roles` prints); roles declared in the sources are found anyway
    #[arg(long, value_name = "FILE")]
    roles: Option<PathBuf>,
    /// A routine's role, as KIND=NAME
    #[arg(long = "role", value_name = "KIND=NAME")]
    role: Vec<String>,
    /// Append a binding report (one JSON object per line, one line per woven source) to this file
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Weave through LLVM IR (clang only) or through C source; `auto` picks IR for clang, C for
    /// kernel builds (-DSLIC_KERNEL)
    #[arg(long, value_enum, default_value = "auto")]
    via: Via,
    /// Keep the intermediate files (woven sources, IR) in this directory
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Print, for each woven file, the events of rules that bind to no site in it (W0010);
    /// with --report, the link prints those that bind nowhere in the whole build anyway
    #[arg(long)]
    verbose: bool,
    #[command(flatten)]
    rule_options: DriverRuleOptions,
    /// The compiler and its arguments
    #[arg(last = true, required = true, value_name = "COMPILER ARGS")]
    command: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Via {
    Auto,
    Ir,
    C,
}

/// Where the woven files of one compile go. The path is the same every time
/// the same command runs in the same directory, so that a compiler cache
/// behind `slic cc` (ccache hashes the input's path and the `-I` options)
/// finds the woven compile again; it is removed afterwards.
struct WorkDirectory {
    path: PathBuf,
}

impl WorkDirectory {
    fn for_command(command: &CompilerCommand) -> Result<WorkDirectory, Failure> {
        // A hash of the working directory and the command line.
        let directory = std::env::current_dir()
            .unwrap_or_default()
            .display()
            .to_string();
        let hash = fnv_words(
            std::iter::once(directory.as_str())
                .chain(command.compiler.iter().map(String::as_str))
                .chain(command.arguments.iter().map(String::as_str)),
        );
        let path = super::cache::private_directory()
            .map_err(Failure::usage)?
            .join(format!("cc-{hash:016x}"));
        // Left over by a compile that was killed: start afresh.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|e| Failure::usage(format!("cannot create `{}`: {e}", path.display())))?;
        Ok(WorkDirectory { path })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDirectory {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn run_command(program: &[String], arguments: &[String]) -> Result<ExitStatus, Failure> {
    Command::new(&program[0])
        .args(&program[1..])
        .args(arguments)
        .status()
        .map_err(|error| Failure::usage(format!("cannot run `{}`: {error}", program.join(" "))))
}

/// Runs a command, keeping what it writes to standard error.
fn run_capturing(program: &[String], arguments: &[String]) -> Result<Output, Failure> {
    Command::new(&program[0])
        .args(&program[1..])
        .args(arguments)
        .output()
        .map_err(|error| Failure::usage(format!("cannot run `{}`: {error}", program.join(" "))))
}

/// Runs the wrapped compiler's failure or success on as the wrapper's.
fn exit_with(status: ExitStatus) -> Result<(), Failure> {
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(Failure::Exit(code)),
        None => Err(Failure::Exit(1)),
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.command.is_empty() {
        return Err(Failure::usage("no compiler given after `--`"));
    }
    let read = |path: &Path| {
        let bytes = std::fs::read(path).ok()?;
        Some(String::from_utf8(bytes).map_err(|_| {
            format!(
                "response file `{}` is not UTF-8: slic reads command lines as UTF-8",
                path.display()
            )
        }))
    };
    let expanded = response::expand(&args.command, &read).map_err(Failure::usage)?;
    let command = CompilerCommand::parse(&expanded);
    if !command.weaves() {
        // As the user wrote it, response files and all.
        let original = CompilerCommand::parse(&args.command);
        let status = run_command(&original.compiler, &original.arguments)?;
        if status.success()
            && command.links()
            && let Some(report) = &args.report
        {
            let options: CompileOptions = args.rule_options.clone().into();
            let compiled = compile(&args.rules, &options)?;
            let automata: Vec<Automaton> =
                compiled.rules.iter().map(|r| r.automaton.clone()).collect();
            summarize_build(report, &automata, &compiled.sources, options.message_format);
        }
        return exit_with(status);
    }
    let options: CompileOptions = args.rule_options.clone().into();
    let mut compiled = compile(&args.rules, &options)?;
    // Taken, not copied: from here on `compiled` serves for its sources,
    // the rules' catalogs (the prototypes of APIs) and whether it is the
    // cached pack.
    let automata: Vec<Automaton> = compiled
        .rules
        .iter_mut()
        .map(|rule| std::mem::take(&mut rule.automaton))
        .collect();
    let hooks = HookSet::new(&automata).map_err(|diagnostic| {
        diagnostics::print(options.message_format, &compiled.sources, &[diagnostic]);
        Failure::Errors
    })?;
    let given = given_roles(args.roles.as_deref(), &args.role)?;
    // The IR monitor is made for user mode (thread-locals, stdio); a kernel
    // build's monitor is the C monitor's kernel flavour.
    let kernel = command.defines("SLIC_KERNEL");
    let via_ir = match args.via {
        Via::Ir if kernel => {
            return Err(Failure::usage(
                "`--via ir` cannot weave a kernel build (`-DSLIC_KERNEL`): the IR monitor is made \
                 for user mode; weave it through C (`--via c`, which `auto` picks for kernel builds)",
            ));
        }
        Via::Ir => true,
        Via::C => false,
        Via::Auto => command.is_clang && !kernel,
    };
    let temporary = WorkDirectory::for_command(&command)?;
    let work = match &args.keep {
        Some(directory) => {
            std::fs::create_dir_all(directory).map_err(|e| {
                Failure::usage(format!("cannot create `{}`: {e}", directory.display()))
            })?;
            directory.clone()
        }
        None => temporary.path().to_path_buf(),
    };
    let mut monitor_source = String::new();
    if !via_ir {
        // Made from the rules alone: the same for every compile of a build.
        let (header, source) = super::cache::derived(&compiled, "c-runtime-monitor", || {
            Monitor::new(automata.clone(), Flavour::Runtime).map(|monitor| {
                let files = monitor.to_c();
                (files.header, files.source)
            })
        })
        .map_err(|d| {
            diagnostics::print(options.message_format, &compiled.sources, &[d]);
            Failure::Errors
        })?;
        write(&work.join("slic_monitor.h"), &header)?;
        // The source is written where it is compiled (`monitor_cache`,
        // `through_c`), and kept with `--keep`: 480 KB for the whole pack.
        if args.keep.is_some() {
            write(&work.join("slic_monitor.c"), &source)?;
        }
        monitor_source = source;
    }
    let context = Context {
        command: &command,
        compiled: &compiled,
        automata: &automata,
        hooks: &hooks,
        given: &given,
        work: &work,
        args: &args,
        options: &options,
        monitor_source: &monitor_source,
    };
    let mut objects = Vec::new();
    for (number, &index) in command.sources.iter().enumerate() {
        let source = PathBuf::from(&command.arguments[index]);
        let object = match (command.compile_only, command.output) {
            (true, Some(output)) if command.sources.len() == 1 => {
                PathBuf::from(&command.arguments[output])
            }
            (true, _) => PathBuf::from(
                source
                    .with_extension("o")
                    .file_name()
                    .expect("a source has a name"),
            ),
            (false, _) => work.join(format!(
                "{number}-{}",
                source
                    .with_extension("o")
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
            )),
        };
        let status = if via_ir {
            context.compile_through_ir(&source, &object, number)?
        } else {
            context.compile_through_c(&source, &object, number)?
        };
        if let Some(code) = status {
            return Err(Failure::Exit(code));
        }
        objects.push((index, object));
    }
    if command.compile_only {
        if command.inputs.len() == command.sources.len() {
            return Ok(());
        }
        // The other inputs (C++, assembly, ...) compiled as the user asked:
        // the command without its C sources.
        let rest: Vec<String> = (0..command.arguments.len())
            .filter(|index| !command.sources.contains(index))
            .map(|index| command.arguments[index].clone())
            .collect();
        return exit_with(run_command(&command.compiler, &rest)?);
    }
    exit_with(run_command(
        &command.compiler,
        &command.with_objects(&objects),
    )?)
}

struct Context<'a> {
    command: &'a CompilerCommand,
    compiled: &'a Compiled,
    automata: &'a [Automaton],
    hooks: &'a HookSet,
    given: &'a RoleMap,
    work: &'a Path,
    /// The C monitor's source (through C only).
    monitor_source: &'a str,
    args: &'a Args,
    options: &'a CompileOptions,
}

fn write(path: &Path, text: impl AsRef<[u8]>) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", path.display())))
}

impl Context<'_> {
    /// Roles declared in the source (its bytes) and its headers, and those
    /// given.
    fn roles(&self, source: &Path, text: &[u8]) -> RoleMap {
        let (mut found, _) = slic::weave::c::role_scan::scan_with_headers(
            &FsLoader,
            source,
            text,
            &self.command.include_dirs,
            &[],
        );
        found.merge(self.given);
        found
    }

    /// Compiles the original source as the user asked (without writing an
    /// object); when that fails, its output is what the user must see.
    fn original_diagnostics(&self, source: &Path) -> Result<Option<i32>, Failure> {
        let (flags, _) = without_dependency_options(&self.command.flags());
        let mut arguments = flags;
        arguments.push("-fsyntax-only".to_string());
        arguments.extend(source_arguments(source));
        let status = run_command(&self.command.compiler, &arguments)?;
        Ok((!status.success()).then(|| status.code().unwrap_or(1)))
    }

    /// When a woven compile fails: the compile as the user wrote it, whose
    /// failure (an output that cannot be written, an error only code
    /// generation finds) is the user's to see, as the compiler says it.
    /// `None` when it succeeds (its object removed): the failure was
    /// slic's.
    fn original_fails(&self, source: &Path, object: &Path) -> Result<Option<i32>, Failure> {
        let status = self.compile_unchanged(source, object)?;
        if status.is_none() {
            let _ = std::fs::remove_file(object);
        }
        Ok(status)
    }

    /// A source in which nothing binds (no call of a rule's API, no routine
    /// of a role) is compiled as the user wrote it: its object is the one
    /// the build makes without slic, with no monitor in it. A library or a
    /// test program built through `slic cc` with the driver is left alone.
    fn compile_unchanged(&self, source: &Path, object: &Path) -> Result<Option<i32>, Failure> {
        let arguments = if self.command.compile_only && self.command.inputs.len() == 1 {
            self.command.arguments.clone()
        } else {
            let (mut arguments, dependency) = without_dependency_options(&self.command.flags());
            arguments.extend(dependency_arguments(&dependency, object));
            arguments.push("-c".to_string());
            arguments.extend(source_arguments(source));
            arguments.extend(["-o".to_string(), object.display().to_string()]);
            arguments
        };
        let status = run_command(&self.command.compiler, &arguments)?;
        Ok((!status.success()).then(|| status.code().unwrap_or(1)))
    }

    /// The warnings of a weave a build shows: the note that a mock kernel's
    /// definitions are left alone is said for every file of it, so only
    /// with `--verbose`.
    fn worth_showing(&self, warnings: &[Diagnostic]) -> Vec<Diagnostic> {
        warnings
            .iter()
            .filter(|w| self.args.verbose || w.code != Code::KernelDefinition)
            .cloned()
            .collect()
    }

    /// Diagnostics about the input being woven (`name`, `text`).
    fn show(&self, name: &str, text: &[u8], diagnostics: &[Diagnostic]) {
        diagnostics::print_about_input(
            self.options.message_format,
            &self.compiled.sources,
            name,
            text,
            diagnostics,
        );
    }
}
