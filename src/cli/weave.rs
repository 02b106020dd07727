//! `slic weave`: put the hooks of rules into a C file or LLVM IR module.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use slic::catalog::Prototype;
use slic::hooks::HookSet;
use slic::weave::roles::RoleMap;
use slic::weave::{WeaveError, Woven};

use super::io::{FsLoader, read_bytes, read_text, write_output};
use super::llvm;
use super::rules::{Compiled, compile};
use super::{CompileOptions, DriverRuleOptions, Failure, diagnostics};

/// Weave rule checks into a driver source file (.c) or LLVM IR module (.ll, .bc)
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic weave driver.c -o woven/driver.c             (the built-in pack)\n  slic weave --rule rules/wdm/SpinLock.slic -I inc driver.c -o woven.c\n  slic weave --roles roles.toml driver.ll -o driver.woven.ll\n  slic weave --roles roles.toml driver.bc -o driver.woven.bc\n\nCompile a woven C file with the monitor (`slic monitor -o DIR`, then add DIR to the include path).\nA woven module has the monitor in it. Bitcode is read and written with the llvm-dis and llvm-as\nof the LLVM version that wrote it (llvm-dis-16 for LLVM 16); see docs/ir-weaving.md."
)]
pub struct Args {
    /// The file to weave: `.c`, `.ll` or `.bc`
    input: PathBuf,
    /// Where to write the woven file (`-` for standard output); a module is written as bitcode when FILE ends in `.bc`
    #[arg(short, long, value_name = "FILE")]
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
    let kind = match args.input.extension().and_then(|e| e.to_str()) {
        Some("c") => Kind::C,
        Some("ll") => Kind::Ir,
        Some("bc") => Kind::Bitcode,
        _ => {
            return Err(Failure::usage(format!(
                "cannot weave `{}`: slic weaves `.c`, `.ll` and `.bc` files",
                args.input.display()
            )));
        }
    };
    if args.output != Path::new("-") && same_file(&args.input, &args.output) {
        return Err(Failure::usage(
            "the output would overwrite the input; choose another output file",
        ));
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
    let mut roles = given_roles(args.roles.as_deref(), &args.role)?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| args.input.display().to_string());
    let woven = match kind {
        Kind::C => {
            let text = read_text(&args.input)?;
            let (found, _) = slic::weave::c::roles::scan_with_headers(
                &FsLoader,
                &args.input,
                &text,
                &args.include_dirs,
                &args.blank,
            );
            roles.merge(&found);
            let prototypes = prototypes(&compiled, &hooks);
            slic::weave::c::weave(&slic::weave::c::Input {
                text: &text,
                path: &name,
                hooks: &hooks,
                prototypes: &prototypes,
                roles: &roles,
                extra_blank: &args.blank,
            })
        }
        Kind::Ir | Kind::Bitcode => {
            let (text, version) = match kind {
                Kind::Bitcode => {
                    let bytes = read_bytes(&args.input)?;
                    let version = llvm::bitcode_version(&args.input, &bytes)?;
                    (llvm::disassemble(&args.input, version)?, Some(version))
                }
                _ => (read_text(&args.input)?, None),
            };
            let woven = slic::weave::ir::weave(&slic::weave::ir::Input {
                text: &text,
                path: &name,
                rules: &automata,
                hooks: &hooks,
                roles: &roles,
            })
            .map_err(|error| Failure::usage(format!("cannot weave: {error}")))?;
            report_warnings(&woven);
            if args.output.extension().is_some_and(|e| e == "bc") {
                let version = version.or_else(|| llvm::text_version(&text)).ok_or_else(|| {
                    Failure::usage(format!(
                        "cannot write `{}` as bitcode: `{}` does not say which LLVM wrote it (no `!llvm.ident`); write a `.ll` and assemble it with your `llvm-as`",
                        args.output.display(),
                        args.input.display()
                    ))
                })?;
                let bytes = llvm::assemble(&woven.text, version, &args.output)?;
                return write_output(&args.output, &bytes);
            }
            let written = write_output(&args.output, woven.text.as_bytes());
            // A large module's text and its woven copy are freed by the
            // exit, not one allocation at a time.
            std::mem::forget(woven);
            std::mem::forget(text);
            return written;
        }
    };
    let woven = woven.map_err(|error| Failure::usage(format!("cannot weave: {error}")))?;
    report_warnings(&woven);
    write_output(&args.output, woven.text.as_bytes())
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
