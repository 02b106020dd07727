//! `slic cc`: a drop-in compiler wrapper for instrumented builds.
//!
//! `CC="slic cc -- clang"` in an unchanged Makefile weaves every C source
//! it compiles. With clang the source becomes IR at -O0 (optnone off),
//! the IR is woven, and the woven IR is compiled with the user's own flags
//! and optimisation level. With other compilers the C source is woven
//! and compiled. Either way the monitor travels inside the objects, with
//! weak linkage (the linker keeps one copy), so the link step needs
//! nothing new; it, and anything else that is not a compile of C, passes
//! through unchanged. The monitor is compiled once per compiler and flags
//! into a cache and joined to each object by a relocatable link (`cc -r`);
//! where there is none (LTO, MSVC targets) it is compiled with each file.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use slic::automaton::Automaton;
use slic::diagnostic::{Code, Diagnostic};
use slic::hash::fnv_words;
use slic::model::Event;
use slic::monitor::hooks::HookSet;
use slic::monitor::{Flavour, Monitor};
use slic::span::SourceMap;
use slic::weave::Woven;
use slic::weave::report::{BindingReport, EventBindings};
use slic::weave::role_map::RoleMap;

use super::diagnostics::MessageFormat;
use super::io::{FsLoader, read_bytes, read_text};
use super::rules::{Compiled, compile};
use super::weave::{given_roles, prototypes};
use super::{CompileOptions, DriverRuleOptions, Failure, diagnostics};

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
    /// Weave through LLVM IR (clang only) or through C source; `auto` picks IR for clang
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

/// Options whose value is the next argument.
const TAKES_VALUE: &[&str] = &[
    "-o",
    "-I",
    "-D",
    "-U",
    "-include",
    "-imacros",
    "-isystem",
    "-iquote",
    "-idirafter",
    "-x",
    "-MF",
    "-MT",
    "-MQ",
    "-L",
    "-l",
    "-target",
    "--target",
    "-Xclang",
    "-Xlinker",
    "-Xpreprocessor",
    "-Xassembler",
    "-arch",
    "-aux-info",
    "-isysroot",
    "--sysroot",
    "-iprefix",
    "-iwithprefix",
    "-mllvm",
];

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
        let path = std::env::temp_dir().join(format!("slic-cc-{hash:016x}"));
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

/// Whether objects of this compile can be linked together ahead of the
/// link (`cc -r`): not LTO objects (IR, not code), not MSVC targets (their
/// linker has no relocatable link).
fn links_ahead(flags: &[String]) -> bool {
    !flags.iter().any(|f| {
        f.starts_with("-flto") || f.contains("msvc") || f.contains("windows") || f == "-emit-llvm"
    })
}

/// The flags that choose the target and the linker, for a relocatable link.
fn link_selection_flags(flags: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut index = 0;
    while index < flags.len() {
        let flag = flags[index].as_str();
        if matches!(flag, "-target" | "--target" | "-B" | "--sysroot") {
            kept.extend(flags[index..(index + 2).min(flags.len())].iter().cloned());
            index += 2;
            continue;
        }
        let selects = [
            "-m",
            "--target=",
            "--sysroot=",
            "-B",
            "-fuse-ld=",
            "--ld-path=",
        ]
        .iter()
        .any(|prefix| flag.starts_with(prefix));
        if selects {
            kept.push(flag.to_string());
        }
        index += 1;
    }
    kept
}

/// Whether the compile asks for debug information: the last `-g` option
/// decides (`-g -g0` asks for none).
fn asks_for_debug_info(flags: &[String]) -> bool {
    flags
        .iter()
        .rev()
        .find(|f| f.starts_with("-g") && !f.starts_with("-gcc") && !f.starts_with("-gno-"))
        .is_some_and(|f| f != "-g0")
}

/// Options that mean "this is not a compile to an object".
const NOT_A_COMPILE: &[&str] = &[
    "-E",
    "-M",
    "-MM",
    "-S",
    "-fsyntax-only",
    "--version",
    "-dumpversion",
    "-dumpmachine",
    "-###",
    "-print-search-dirs",
    "-print-libgcc-file-name",
    "-print-prog-name",
    "-print-file-name",
];

/// The compiler's command line, understood as far as the wrapper needs.
struct CompilerCommand {
    /// The compiler, behind any launcher (`ccache gcc`, `distcc clang`).
    compiler: Vec<String>,
    arguments: Vec<String>,
    /// Indexes of C sources among the arguments.
    sources: Vec<usize>,
    /// `-o X`: the index of X.
    output: Option<usize>,
    compile_only: bool,
    include_dirs: Vec<PathBuf>,
    is_clang: bool,
}

impl CompilerCommand {
    fn parse(command: &[String]) -> CompilerCommand {
        let launcher = |word: &String| {
            let name = Path::new(word)
                .file_name()
                .and_then(OsStr::to_str)
                .unwrap_or("");
            matches!(name, "ccache" | "distcc" | "sccache" | "icecc")
        };
        let launchers = command.iter().take_while(|w| launcher(w)).count();
        let split = (launchers + 1).min(command.len());
        let compiler = command[..split].to_vec();
        let arguments: Vec<String> = command[split..].to_vec();
        let mut sources = Vec::new();
        let mut output = None;
        let mut include_dirs = Vec::new();
        let mut compile_only = false;
        let mut index = 0;
        while index < arguments.len() {
            let argument = arguments[index].as_str();
            if TAKES_VALUE.contains(&argument) {
                match argument {
                    "-o" => output = Some(index + 1),
                    "-I" | "-iquote" => {
                        include_dirs.extend(arguments.get(index + 1).map(PathBuf::from))
                    }
                    _ => {}
                }
                index += 2;
                continue;
            }
            if argument == "-c" {
                compile_only = true;
            } else if let Some(directory) = argument.strip_prefix("-I").filter(|d| !d.is_empty()) {
                include_dirs.push(PathBuf::from(directory));
            } else if !argument.starts_with('-') && argument.ends_with(".c") {
                sources.push(index);
            }
            index += 1;
        }
        let is_clang = compiler
            .last()
            .and_then(|c| Path::new(c).file_name())
            .and_then(OsStr::to_str)
            .is_some_and(|name| name.contains("clang"));
        CompilerCommand {
            compiler,
            arguments,
            sources,
            output,
            compile_only,
            include_dirs,
            is_clang,
        }
    }

    /// A link: no compile-only or preprocessing option, and object inputs.
    fn links(&self) -> bool {
        !self.compile_only
            && !self
                .arguments
                .iter()
                .any(|a| NOT_A_COMPILE.contains(&a.as_str()))
            && self
                .arguments
                .iter()
                .any(|a| a.ends_with(".o") || a.ends_with(".a"))
    }

    fn weaves(&self) -> bool {
        !self.sources.is_empty()
            && !self
                .arguments
                .iter()
                .any(|a| NOT_A_COMPILE.contains(&a.as_str()))
    }

    /// The arguments without the sources and without `-c` and `-o X`.
    fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        let mut index = 0;
        while index < self.arguments.len() {
            if self.sources.contains(&index) || self.arguments[index] == "-c" {
                index += 1;
                continue;
            }
            if Some(index + 1) == self.output {
                index += 2;
                continue;
            }
            flags.push(self.arguments[index].clone());
            index += 1;
        }
        flags
    }
}

/// Dependency-file options (`-MD`, `-MMD`, `-MF X`, `-MT X`, `-MQ X`, `-MP`).
fn without_dependency_options(flags: &[String]) -> (Vec<String>, Vec<String>) {
    let mut kept = Vec::new();
    let mut dependency = Vec::new();
    let mut index = 0;
    while index < flags.len() {
        let flag = flags[index].as_str();
        if matches!(flag, "-MF" | "-MT" | "-MQ") {
            dependency.extend(flags[index..(index + 2).min(flags.len())].iter().cloned());
            index += 2;
            continue;
        }
        if matches!(flag, "-MD" | "-MMD" | "-MP") {
            dependency.push(flag.to_string());
        } else {
            kept.push(flag.to_string());
        }
        index += 1;
    }
    (kept, dependency)
}

/// What compiling IR needs of the user's flags: code generation, not the
/// preprocessor or C diagnostics (which clang would call unused).
fn code_generation_flags(flags: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut index = 0;
    while index < flags.len() {
        let flag = flags[index].as_str();
        if matches!(
            flag,
            "-I" | "-D"
                | "-U"
                | "-include"
                | "-imacros"
                | "-isystem"
                | "-iquote"
                | "-idirafter"
                | "-x"
        ) {
            index += 2;
            continue;
        }
        let preprocessor = ["-I", "-D", "-U", "-std=", "-W", "-pedantic", "-ansi"]
            .iter()
            .any(|prefix| flag.starts_with(prefix));
        if !preprocessor {
            kept.push(flag.to_string());
        }
        index += 1;
    }
    kept
}

fn run_command(program: &[String], arguments: &[String]) -> Result<ExitStatus, Failure> {
    Command::new(&program[0])
        .args(&program[1..])
        .args(arguments)
        .status()
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
    let command = CompilerCommand::parse(&args.command);
    if !command.weaves() {
        let status = run_command(&command.compiler, &command.arguments)?;
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
    let compiled = compile(&args.rules, &options)?;
    let automata: Vec<Automaton> = compiled.rules.iter().map(|r| r.automaton.clone()).collect();
    let hooks = HookSet::new(&automata).map_err(|diagnostic| {
        diagnostics::print(options.message_format, &compiled.sources, &[diagnostic]);
        Failure::Errors
    })?;
    let given = given_roles(args.roles.as_deref(), &args.role)?;
    let via_ir = match args.via {
        Via::Ir => true,
        Via::C => false,
        Via::Auto => command.is_clang,
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
        let monitor = Monitor::new(automata.clone(), Flavour::Runtime).map_err(|d| {
            diagnostics::print(options.message_format, &compiled.sources, &[d]);
            Failure::Errors
        })?;
        let files = monitor.to_c();
        write(&work.join("slic_monitor.h"), &files.header)?;
        write(&work.join("slic_monitor.c"), &files.source)?;
        monitor_source = files.source;
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
        return Ok(());
    }
    // Compile and link in one command: link the woven objects instead of
    // the sources, with everything else as the user wrote it.
    let mut arguments = command.arguments.clone();
    for (index, object) in objects {
        arguments[index] = object.display().to_string();
    }
    exit_with(run_command(&command.compiler, &arguments)?)
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

    /// clang: the source to IR at -O0 (the user's errors come out here, as
    /// clang writes them), the IR woven, the woven IR compiled with the
    /// user's flags.
    fn compile_through_ir(
        &self,
        source: &Path,
        object: &Path,
        number: usize,
    ) -> Result<Option<i32>, Failure> {
        let stem = source.file_stem().unwrap().to_string_lossy().to_string();
        let ir = self.work.join(format!("{number}-{stem}.ll"));
        let (flags, dependency) = without_dependency_options(&self.command.flags());
        let mut first: Vec<String> = flags
            .iter()
            .filter(|f| !f.starts_with("-O"))
            .cloned()
            .collect();
        first.extend(dependency_arguments(&dependency, object));
        first.extend(
            ["-S", "-emit-llvm", "-O0", "-Xclang", "-disable-O0-optnone"].map(String::from),
        );
        // Reports need line tables to say where; a build without debug
        // information gets them for weaving only (stripped below).
        let debug = asks_for_debug_info(&flags);
        if !debug {
            first.push("-gline-tables-only".to_string());
        }
        first.push(source.display().to_string());
        first.extend(["-o".to_string(), ir.display().to_string()]);
        let status = run_command(&self.command.compiler, &first)?;
        if !status.success() {
            return Ok(Some(status.code().unwrap_or(1)));
        }
        let text = read_text(&ir)?;
        let c_text = read_bytes(source)?;
        let roles = self.roles(source, &c_text);
        let name = source.display().to_string();
        let input = slic::weave::llvm::Input {
            text: &text,
            path: &name,
            file: self.compiled.sources.next_id(),
            rules: self.automata,
            hooks: self.hooks,
            roles: &roles,
        };
        let ir_name = ir.display().to_string();
        let refused = |error: Diagnostic| {
            self.show(&ir_name, text.as_bytes(), &[error]);
            Failure::Errors
        };
        // The monitor compiled once and linked in where the toolchain can
        // (as through C), defined in the module where it cannot.
        let monitor = if links_ahead(&flags) {
            let module = slic::weave::llvm::monitor_module(&input).map_err(refused)?;
            let mut extra = vec!["-x", "ir", "-Wno-override-module"];
            if !debug {
                extra.push("-g0");
            }
            self.cached_monitor(&flags, &module, "slic_monitor.ll", &extra)?
        } else {
            None
        };
        let placement = match monitor {
            Some(_) => slic::weave::llvm::MonitorPlacement::Declared,
            None => slic::weave::llvm::MonitorPlacement::InModule,
        };
        let woven = slic::weave::llvm::weave_placing(&input, placement).map_err(refused)?;
        self.show(
            &ir_name,
            text.as_bytes(),
            &self.worth_showing(&woven.warnings),
        );
        self.after_weaving(&name, object, &woven, slic::weave::report::Weaver::Ir)?;
        let woven_ir = self.work.join(format!("{number}-{stem}.woven.ll"));
        if debug {
            write(&woven_ir, &woven.text)?;
        } else {
            write(&woven_ir, slic::weave::llvm::strip_debug_info(&woven.text))?;
        }
        let mut second = code_generation_flags(&flags);
        second.extend([
            "-Wno-override-module".to_string(),
            "-c".to_string(),
            "-x".to_string(),
            "ir".to_string(),
        ]);
        second.push(woven_ir.display().to_string());
        let compiled_object = match &monitor {
            Some(_) => self.work.join(format!("{number}-{stem}.woven.o")),
            None => object.to_path_buf(),
        };
        second.extend(["-o".to_string(), compiled_object.display().to_string()]);
        let status = run_command(&self.command.compiler, &second)?;
        if !status.success() {
            return Err(Failure::usage(format!(
                "the woven IR of `{name}` does not compile: this is a bug in slic (kept in {})",
                self.work.display()
            )));
        }
        if let Some(monitor) = &monitor {
            self.link_monitor(&flags, &compiled_object, monitor, object, &name)?;
        }
        Ok(None)
    }

    /// Other compilers: the C source woven (with the monitor, weak, at the
    /// end) and compiled with the user's flags; `#line` keeps the user's
    /// file names and lines.
    fn compile_through_c(
        &self,
        source: &Path,
        object: &Path,
        number: usize,
    ) -> Result<Option<i32>, Failure> {
        let text = read_bytes(source)?;
        let name = source.display().to_string();
        let roles = self.roles(source, &text);
        let prototypes = prototypes(self.compiled, self.hooks);
        let woven = slic::weave::c::weave(&slic::weave::c::Input {
            text: &text,
            path: &name,
            file: self.compiled.sources.next_id(),
            hooks: self.hooks,
            prototypes: &prototypes,
            roles: &roles,
            extra_blank: &[],
            source: Some(slic::weave::c::SourceFile {
                path: source,
                loader: &FsLoader,
                include_dirs: &self.command.include_dirs,
            }),
        });
        let woven = match woven {
            Ok(woven) => woven,
            // A file slic cannot weave may be one the compiler rejects too:
            // let the compiler say so first, in its words.
            Err(error) => {
                if let Some(code) = self.original_diagnostics(source)? {
                    return Ok(Some(code));
                }
                self.show(&name, &text, &[error]);
                return Err(Failure::Errors);
            }
        };
        self.show(&name, &text, &self.worth_showing(&woven.warnings));
        let stem = source.file_stem().unwrap().to_string_lossy().to_string();
        let woven_source = self.work.join(format!("{number}-{stem}.c"));
        let (flags, dependency) = without_dependency_options(&self.command.flags());
        // The monitor goes into the object: compiled once and linked in
        // (`cc -r`) where the toolchain can, compiled with the file where
        // it cannot.
        let monitor = self.monitor_object(&flags)?;
        let mut text = woven.text.clone();
        if monitor.is_none() {
            text.extend_from_slice(b"\n#define SLIC_SHARED_STATE 1\n#include \"slic_monitor.c\"\n");
        }
        write(&woven_source, &text)?;
        if !dependency.is_empty() {
            // The dependency file names the user's source, not the woven
            // one: the preprocessor makes it from the original.
            let mut depend: Vec<String> = flags.clone();
            depend.extend(dependency_arguments(&dependency, object));
            depend.extend([
                "-E".to_string(),
                source.display().to_string(),
                "-o".to_string(),
                null_device(),
            ]);
            run_command(&self.command.compiler, &depend)?;
        }
        let directory = source
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut arguments = flags.clone();
        arguments.extend(["-iquote".to_string(), directory.display().to_string()]);
        arguments.push(format!("-I{}", self.work.display()));
        arguments.extend(["-c".to_string(), woven_source.display().to_string()]);
        let compiled_object = match &monitor {
            Some(_) => self.work.join(format!("{number}-{stem}.woven.o")),
            None => object.to_path_buf(),
        };
        arguments.extend(["-o".to_string(), compiled_object.display().to_string()]);
        let output = Command::new(&self.command.compiler[0])
            .args(&self.command.compiler[1..])
            .args(&arguments)
            .output()
            .map_err(|error| {
                Failure::usage(format!(
                    "cannot run `{}`: {error}",
                    self.command.compiler.join(" ")
                ))
            })?;
        if !output.status.success() {
            if let Some(code) = self.original_diagnostics(source)? {
                return Ok(Some(code));
            }
            let _ = std::io::stderr().write_all(&output.stderr);
            return Err(Failure::usage(format!(
                "`{name}` compiles, but its woven form does not: this is a bug in slic (kept in {})",
                self.work.display()
            )));
        }
        // Warnings about the user's code, on the user's lines (`#line`),
        // then slic's own about what bound where.
        let _ = std::io::stderr().write_all(&output.stderr);
        if let Some(monitor) = &monitor {
            self.link_monitor(&flags, &compiled_object, monitor, object, &name)?;
        }
        self.after_weaving(&name, object, &woven, slic::weave::report::Weaver::C)?;
        Ok(None)
    }

    /// The C monitor compiled for these flags (see `cached_monitor`).
    fn monitor_object(&self, flags: &[String]) -> Result<Option<PathBuf>, Failure> {
        self.cached_monitor(
            flags,
            self.monitor_source,
            "slic_monitor.c",
            &["-DSLIC_SHARED_STATE=1"],
        )
    }

    /// A monitor compiled for these flags, from the cache of compiled
    /// monitors (made if missing); `None` where objects cannot be linked
    /// together ahead of the link (`cc -r`): LTO objects, MSVC targets.
    /// Compiling the monitor into every file instead costs more than the
    /// file itself (the whole pack's monitor is some 3,700 lines of C).
    fn cached_monitor(
        &self,
        flags: &[String],
        text: &str,
        file_name: &str,
        extra: &[&str],
    ) -> Result<Option<PathBuf>, Failure> {
        if !links_ahead(flags) {
            return Ok(None);
        }
        let mut arguments = code_generation_flags(flags);
        arguments.push("-w".to_string());
        arguments.extend(extra.iter().map(|a| a.to_string()));
        arguments.push("-c".to_string());
        // A hash of what makes the object: the monitor, the compiler and
        // its code-generation flags.
        let hash = fnv_words(
            std::iter::once(text)
                .chain(self.command.compiler.iter().map(String::as_str))
                .chain(arguments.iter().map(String::as_str)),
        );
        let cache = std::env::temp_dir().join("slic-cc-monitors");
        let cached = cache.join(format!("slic_monitor-{hash:016x}.o"));
        if cached.is_file() {
            return Ok(Some(cached));
        }
        std::fs::create_dir_all(&cache)
            .map_err(|e| Failure::usage(format!("cannot create `{}`: {e}", cache.display())))?;
        let source = self.work.join(file_name);
        write(&source, text)?;
        // Made aside and renamed: parallel compiles may race to make it.
        let made = self.work.join("slic_monitor.o");
        arguments.push(source.display().to_string());
        arguments.extend(["-o".to_string(), made.display().to_string()]);
        let status = run_command(&self.command.compiler, &arguments)?;
        if !status.success() {
            return Err(Failure::usage(format!(
                "the monitor does not compile with `{}`: this is a bug in slic (kept in {})",
                self.command.compiler.join(" "),
                self.work.display()
            )));
        }
        let staged = cache.join(format!("slic_monitor-{hash:016x}.{}.o", std::process::id()));
        std::fs::copy(&made, &staged)
            .and_then(|_| std::fs::rename(&staged, &cached))
            .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", cached.display())))?;
        Ok(Some(cached))
    }

    /// `cc -r`: the compiled file and the monitor, as one object.
    fn link_monitor(
        &self,
        flags: &[String],
        compiled: &Path,
        monitor: &Path,
        object: &Path,
        name: &str,
    ) -> Result<(), Failure> {
        let mut link = link_selection_flags(flags);
        link.extend(["-r".to_string(), "-nostdlib".to_string()]);
        link.push(compiled.display().to_string());
        link.push(monitor.display().to_string());
        link.extend(["-o".to_string(), object.display().to_string()]);
        let output = Command::new(&self.command.compiler[0])
            .args(&self.command.compiler[1..])
            .args(&link)
            .output()
            .map_err(|error| {
                Failure::usage(format!(
                    "cannot run `{}`: {error}",
                    self.command.compiler.join(" ")
                ))
            })?;
        if !output.status.success() {
            let _ = std::io::stderr().write_all(&output.stderr);
            return Err(Failure::usage(format!(
                "cannot link the monitor into the object of `{name}` (`{} {}`)",
                self.command.compiler.join(" "),
                link.join(" ")
            )));
        }
        Ok(())
    }

    /// Compiles the original source as the user asked (without writing an
    /// object); when that fails, its output is what the user must see.
    fn original_diagnostics(&self, source: &Path) -> Result<Option<i32>, Failure> {
        let (flags, _) = without_dependency_options(&self.command.flags());
        let mut arguments = flags;
        arguments.extend(["-fsyntax-only".to_string(), source.display().to_string()]);
        let status = run_command(&self.command.compiler, &arguments)?;
        Ok((!status.success()).then(|| status.code().unwrap_or(1)))
    }

    /// Warnings about unbound events, and the binding report.
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

    fn after_weaving<Text>(
        &self,
        name: &str,
        object: &Path,
        woven: &Woven<Text>,
        weaver: slic::weave::report::Weaver,
    ) -> Result<(), Failure> {
        let unbound = slic::weave::report::unbound(self.automata, &woven.sites);
        if self.args.verbose {
            let warnings: Vec<_> = unbound
                .iter()
                .map(|(rule, events)| {
                    slic::weave::report::unbound_warning(
                        &self.automata[*rule],
                        events,
                        name,
                        weaver,
                    )
                })
                .collect();
            diagnostics::print(
                self.options.message_format,
                &self.compiled.sources,
                &warnings,
            );
        }
        if let Some(report) = &self.args.report {
            let mut bindings = BindingReport::new(name, self.automata, &woven.sites);
            bindings.object = Some(object.display().to_string());
            let mut line = serde_json::to_string(&bindings).expect("a report serializes");
            line.push('\n');
            // One write per source, appended: parallel builds interleave
            // whole lines.
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(report)
                .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", report.display())))?;
            file.write_all(line.as_bytes())
                .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", report.display())))?;
        }
        Ok(())
    }
}

/// At the link, with a binding report: the events of each rule that bound
/// in no file of the build, for the rules that bound somewhere. A driver
/// of many files binds most events in few of them, so the build as a whole
/// is what tells whether something was missed.
fn summarize_build(
    report: &Path,
    automata: &[Automaton],
    sources: &SourceMap,
    format: MessageFormat,
) {
    let Ok(text) = std::fs::read_to_string(report) else {
        return;
    };
    let files: Vec<BindingReport> = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    // rule -> event -> sites over all files, in first-seen order.
    let mut rules: Vec<(&str, Vec<(&EventBindings, usize)>)> = Vec::new();
    for file in &files {
        for rule in &file.rules {
            let position = match rules.iter().position(|(n, _)| *n == rule.rule) {
                Some(position) => position,
                None => {
                    rules.push((&rule.rule, Vec::new()));
                    rules.len() - 1
                }
            };
            for event in &rule.events {
                let events = &mut rules[position].1;
                match events.iter_mut().find(|(e, _)| e.event == event.event) {
                    Some((_, total)) => *total += event.sites.len(),
                    None => events.push((event, event.sites.len())),
                }
            }
        }
    }
    let mut warnings = Vec::new();
    for (rule, events) in &rules {
        let bound = events.iter().any(|(e, n)| e.is_api() && *n > 0);
        let nowhere: Vec<&str> = events
            .iter()
            .filter(|(e, n)| e.is_api() && *n == 0)
            .map(|(e, _)| e.event.as_str())
            .collect();
        if !bound || nowhere.is_empty() {
            continue;
        }
        if let Some(automaton) = automata.iter().find(|a| a.name == *rule) {
            let events: Vec<Event> = automaton
                .events
                .iter()
                .map(|info| info.event.clone())
                .filter(|event| nowhere.contains(&event.to_string().as_str()))
                .collect();
            let place = format!("the {} woven files of this build", files.len());
            warnings.push(slic::weave::report::unbound_in_build(
                automaton, &events, &place,
            ));
        }
    }
    diagnostics::print(format, sources, &warnings);
}

/// The dependency options for a compile that writes `object`, with the
/// target and file names the user's build expects.
fn dependency_arguments(dependency: &[String], object: &Path) -> Vec<String> {
    if dependency.is_empty() {
        return Vec::new();
    }
    let mut arguments: Vec<String> = dependency.to_vec();
    if !dependency.iter().any(|d| d == "-MT" || d == "-MQ") {
        arguments.extend(["-MT".to_string(), object.display().to_string()]);
    }
    if !dependency.iter().any(|d| d == "-MF") {
        arguments.extend([
            "-MF".to_string(),
            object.with_extension("d").display().to_string(),
        ]);
    }
    arguments
}

fn null_device() -> String {
    if cfg!(windows) {
        "NUL".to_string()
    } else {
        "/dev/null".to_string()
    }
}
