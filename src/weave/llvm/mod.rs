//! The LLVM IR weaver: textual `.ll` in, textual `.ll` out.
//!
//! It works on the text, with a tokenizer of its own, so it reads what
//! clang 14 (typed pointers), 16 and 19 (opaque `ptr`) write for every
//! target, copies types and operands verbatim, and makes every change as
//! an edit of the input (`crate::edit`), which keeps the rest of the file
//! byte for byte. The stages:
//!
//! 1. `module.rs`: the top level: functions, declarations, globals,
//!    metadata lines, target, pointer style; `mentions.rs`: every `!N`,
//!    `#N` and `@name` defined (or the module, cut short, is refused), and
//!    where `@` names something.
//! 2. bindings (here, through `weave::bind`): which symbols are bound APIs
//!    (declared functions some rule names, matched by their undecorated C
//!    names), which are routines (defined functions with events of their
//!    own or of a role given by `--roles` / `--role`), and which are kernel
//!    code left alone.
//! 3. `monitor::llvm`: the monitor as IR, generated from the rules; its
//!    hooks' symbols are what woven code calls.
//! 4. `weaver.rs`: function bodies (calls, invokes, rets, entries), read
//!    by their relevant lines (`targeted.rs`) or walked (`walk.rs`);
//!    `wrappers.rs`: uses of API addresses; `emit.rs`: the hook calls.
//! 5. The monitor, the site constants (`sites.rs`), the wrappers and new
//!    debug locations (`debug_info.rs`) are appended to the module, and a
//!    comment and a named metadata node mark it woven.
//!
//! Sites: a call's position is its `!dbg` location; a routine's entry is
//! its `DISubprogram`'s `scopeLine`, column 1 (IR has no column for it,
//! where the C weaver reports the `{`); an exit is its `ret`'s location
//! (clang puts it at the one final `return` with a value, else at the
//! closing brace, where the C weaver reports it too). Without debug
//! information a site has no position and names the function.

mod debug_info;
mod emit;
mod instruction;
mod lexer;
mod mentions;
mod module;
mod sites;
mod strip;
mod targeted;
mod text;
mod types;
mod walk;
mod weaver;
mod wrappers;

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;

use super::role_map::RoleMap;
use super::{Site, WOVEN_MARKER, Woven};
use crate::automaton::Automaton;
use crate::diagnostic::{Code, Diagnostic};
use crate::edit::{EditBuffer, Unwritten};
use crate::hash::{FnvHashMap, FnvHashSet};
use crate::llvm::names;
use crate::model::Event;
use crate::monitor::abi::{DRIVER_ENTER, DRIVER_EXIT};
use crate::monitor::hooks::{Hook, HookSet};
use crate::monitor::llvm as monitor;
use crate::role_table::Role;
use crate::span::{FileId, Span};
use crate::weave::bind::{self, Binding};
use debug_info::DebugInfo;
use weaver::{ApiBinding, Bindings, RoutineBinding, Weaver};

pub use crate::llvm::target::Pointers;
pub use strip::strip_debug_info;

/// What the IR weaver needs.
pub struct Input<'a> {
    pub text: &'a str,
    /// The module's path as the user named it, for messages.
    pub path: &'a str,
    /// The id under which the caller shows the module in diagnostics.
    pub file: FileId,
    pub rules: &'a [Automaton],
    pub hooks: &'a HookSet,
    pub roles: &'a RoleMap,
    /// Where monitors made before for these rules are kept, if anywhere.
    pub monitors: Option<&'a dyn monitor::MonitorStore>,
}

/// Where the monitor goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorPlacement {
    /// Defined in the woven module (`linkonce_odr`): the module needs
    /// nothing else, and modules woven apart share one copy when linked.
    InModule,
    /// Only declared: the module is linked with the object of
    /// `monitor_module` (as `slic cc` does, to compile the monitor once).
    Declared,
}

pub fn weave(input: &Input) -> Result<Woven, Diagnostic> {
    weave_placing(input, MonitorPlacement::InModule)
}

/// The monitor as a module of its own, for the target of the module
/// `text`: what modules woven with `MonitorPlacement::Declared` link with.
pub fn monitor_module(input: &Input) -> Result<String, Diagnostic> {
    let module = module::scan(input.text, input.path, input.file)?;
    let monitor = monitor::generate_stored(
        input.monitors,
        &module.target,
        input.rules,
        input.hooks,
        &HashMap::new(),
    );
    let mut text = format!(
        "; {WOVEN_MARKER} {}: the monitor of modules woven to link with it.\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(layout) = &module.target.datalayout {
        let _ = writeln!(text, "target datalayout = \"{layout}\"");
    }
    if !module.target.triple.is_empty() {
        let _ = writeln!(text, "target triple = \"{}\"", module.target.triple);
    }
    text.push('\n');
    // Nothing in this module calls the hooks: `linkonce_odr` would let the
    // compiler drop them. `weak_odr` keeps every definition, and the
    // linker still keeps one copy of each.
    let mut monitor_text = monitor.text.replace(" linkonce_odr ", " weak_odr ");
    // Compiled as position-independent as the module it links with: in an
    // executable, its thread-locals are reached directly, not through the
    // general model (a load more at every access).
    let flags: Vec<&str> = ["PIC Level", "PIE Level"]
        .iter()
        .filter_map(|name| module_flag(input.text, name))
        .collect();
    // In an executable (position-independent or not) nothing can preempt
    // the monitor's thread-locals: marked `dso_local` (as clang marks the
    // definitions of such a module), each access is one instruction at a
    // fixed offset from the thread pointer, not an offset loaded first.
    // Not in code for a shared object, whose thread-locals may live in
    // another module's block. After the rules' hashes are taken: modules
    // compiled either way share the rules' state.
    let executable = module_flag(input.text, "PIE Level").is_some()
        || module_flag(input.text, "PIC Level").is_none();
    if executable {
        monitor_text = monitor_text.replace(
            " = weak_odr thread_local global ",
            " = weak_odr dso_local thread_local global ",
        );
    }
    text.push_str(&monitor_text);
    if !flags.is_empty() {
        let numbers: Vec<String> = (0..flags.len()).map(|n| format!("!{n}")).collect();
        let _ = writeln!(text, "\n!llvm.module.flags = !{{{}}}", numbers.join(", "));
        for (number, flag) in flags.iter().enumerate() {
            let _ = writeln!(text, "!{number} = {flag}");
        }
    }
    Ok(text)
}

/// The metadata node of module flag `name` (`!{i32 7, !"PIE Level", i32
/// 2}`) in a module's text, if it has one.
fn module_flag<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let at = text.find(&format!("!\"{name}\", i32 "))?;
    let start = text[..at].rfind("!{")?;
    let end = at + text[at..].find('}')? + 1;
    Some(&text[start..end])
}

pub fn weave_placing(input: &Input, placement: MonitorPlacement) -> Result<Woven, Diagnostic> {
    weave_module(input, placement, Strategy::Targeted).map(|woven| Woven {
        text: woven.text,
        sites: woven.summary.sites,
        warnings: woven.summary.warnings,
    })
}

/// How bodies are read. Both give the same output, byte for byte; the
/// full walk is kept as the reference the targeted reading is tested
/// against, and for bodies the targeted reading cannot weave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Only the lines that name an API, and a routine's entry and `ret`s.
    Targeted,
    /// Every line of every body that has something to weave.
    Full,
}

/// What weaving a module found, besides its woven text.
pub struct Summary {
    /// Every site the woven code reports from, in the order of its ids.
    pub sites: Vec<Site>,
    pub warnings: Vec<Diagnostic>,
    /// How many bodies were walked line by line (`walk.rs`), not read by
    /// their relevant lines alone.
    pub walked: usize,
}

/// A woven module, built whole.
pub struct WovenModule {
    pub text: String,
    pub summary: Summary,
}

/// Why a module was not woven: it was refused, or its woven text could
/// not be written.
#[derive(Debug)]
pub enum Unwoven {
    Refused(Diagnostic),
    Write(std::io::Error),
}

impl From<Diagnostic> for Unwoven {
    fn from(diagnostic: Diagnostic) -> Self {
        Unwoven::Refused(diagnostic)
    }
}

/// Weaves `input` into one string.
pub fn weave_module(
    input: &Input,
    placement: MonitorPlacement,
    strategy: Strategy,
) -> Result<WovenModule, Diagnostic> {
    let mut text = Vec::with_capacity(input.text.len() + input.text.len() / 2);
    let summary =
        weave_into(input, placement, strategy, &mut text).map_err(|error| match error {
            Unwoven::Refused(diagnostic) => diagnostic,
            Unwoven::Write(error) => unreachable!("writing to memory failed: {error}"),
        })?;
    let text = String::from_utf8(text).expect("a module and the text woven into it are UTF-8");
    Ok(WovenModule { text, summary })
}

/// How much woven text is held before it is written: enough that a write
/// carries many pieces, little beside the module.
const HELD_EDITS: usize = 2048;
const HELD_TAIL: usize = 1 << 16;

/// Weaves `input`, with the monitor where `placement` says, and writes the
/// woven module to `out` as it goes: each function's woven text once the
/// function is woven, never the whole module at once. Nothing is written
/// before the module has been read through and not refused as cut short;
/// a later refusal (a line the weaver cannot read) leaves `out` holding
/// part of the module, for the caller to throw away.
pub fn weave_into(
    input: &Input,
    placement: MonitorPlacement,
    strategy: Strategy,
    out: &mut dyn std::io::Write,
) -> Result<Summary, Unwoven> {
    let source = input.text;
    let mut module = module::scan(source, input.path, input.file)?;
    let mentions = mentions::find(&module, input.file)?;
    // Written as soon as the module has been read through: from here on,
    // the writer may let go of the input's pages (see `slic weave`).
    let write = |result: std::io::Result<()>| result.map_err(Unwoven::Write);
    write(
        out.write_all(
            format!(
                "; {WOVEN_MARKER} {}: edit the original, not this file.\n",
                env!("CARGO_PKG_VERSION")
            )
            .as_bytes(),
        ),
    )?;
    let bindings = bind_symbols(input, &module)?;
    // A monitor linked in is the same for every module of a target: it is
    // made without regard to what this module declares.
    let no_existing = HashMap::new();
    let existing = match placement {
        MonitorPlacement::InModule => &module.existing,
        MonitorPlacement::Declared => &no_existing,
    };
    let monitor = monitor::generate_stored(
        input.monitors,
        &module.target,
        input.rules,
        input.hooks,
        existing,
    );
    // Only the monitor needed them (a type's text for each declaration).
    drop(std::mem::take(&mut module.existing));
    let metadata = std::mem::take(&mut module.metadata);
    let debug = DebugInfo::new(source, metadata);
    let mut weaver = Weaver::new(
        source,
        input.file,
        &module,
        input.hooks,
        &monitor.hooks,
        &bindings,
        debug,
    );
    // The monitor defines these; a declaration of its own would clash.
    let in_module = placement == MonitorPlacement::InModule;
    let clashing: Vec<(&str, Range<usize>)> =
        ["slic_report", "slic_format", DRIVER_ENTER, DRIVER_EXIT]
            .into_iter()
            .filter(|_| in_module)
            .filter_map(|name| {
                let declared = module.declared.get(name).filter(|d| !d.defined)?;
                Some((name, declared.text.clone()))
            })
            .collect();
    // Edits are made in the order of the functions, then in globals and
    // those declarations: the text is written as far as the first of
    // those that will be edited, and no further until they are.
    let held_from = clashing
        .iter()
        .map(|(_, range)| range.start)
        .chain(weaver.globals_to_weave(&mentions))
        .min()
        .unwrap_or(source.len());
    let mut written = 0;
    let mut flush = |edits: &mut EditBuffer, to: usize| -> Result<(), Unwoven> {
        edits
            .write_through(source, written, to, out)
            .map_err(|error| match error {
                Unwritten::Overlap(overlap) => Unwoven::Refused(Diagnostic::new(
                    Code::WeaverBug,
                    Span::new(input.file, 0..0),
                    format!("internal error in the IR weaver: {overlap}"),
                )),
                Unwritten::Write(error) => Unwoven::Write(error),
            })?;
        written = to;
        Ok(())
    };
    let mut kernel = Vec::new();
    for function in &module.functions {
        if bindings.kernel.contains(&function.symbol) {
            kernel.push(function);
            continue;
        }
        weaver.weave_function(function, &mentions, strategy)?;
        // Every edit of a function is inside it.
        let end = text::line_end(source.as_bytes(), function.body.end);
        if end <= held_from && weaver.edits.len() >= HELD_EDITS {
            flush(&mut weaver.edits, end)?;
        }
    }
    if let Some(first) = kernel.first() {
        let names: Vec<&str> = kernel
            .iter()
            .map(|f| names::undecorated(&f.symbol))
            .collect();
        let span = Span::new(input.file, text::text_of(source, first.header.clone()));
        weaver
            .warnings
            .push(bind::kernel_definitions_note(&names, span));
    }
    weaver.weave_globals()?;
    for (name, range) in clashing {
        weaver.edits.replace(
            range,
            &format!("; `{name}` is defined by the monitor below\n"),
        );
    }
    flush(&mut weaver.edits, source.len())?;

    // The monitor and the rest go at the end.
    let mut tail = String::with_capacity(HELD_TAIL + HELD_TAIL / 4);
    if !source.is_empty() && !source.ends_with('\n') {
        tail.push('\n');
    }
    let _ = writeln!(
        tail,
        "\n; ---- {WOVEN_MARKER} {}: the monitor, the sites and the wrappers ----\n",
        env!("CARGO_PKG_VERSION")
    );
    write(out.write_all(tail.as_bytes()))?;
    write(
        out.write_all(
            match placement {
                MonitorPlacement::InModule => &monitor.text,
                MonitorPlacement::Declared => &monitor.declarations,
            }
            .as_bytes(),
        ),
    )?;
    tail.clear();
    tail.push_str("\n; Sites.\n");
    let mut strings = sites::Strings::default();
    let mut first = 0;
    for chunk in weaver.sites.sites.chunks(SITES_AT_ONCE) {
        sites::table(&mut tail, &module.target, first, chunk, &mut strings);
        first += chunk.len();
        write(out.write_all(tail.as_bytes()))?;
        tail.clear();
    }
    strings.definitions(&mut tail);
    tail.push_str("@slic.zero = private unnamed_addr constant [8 x i8] zeroinitializer, align 8\n");
    weaver.wrapper_definitions(&mut tail);
    tail.push('\n');
    write(out.write_all(tail.as_bytes()))?;
    tail.clear();
    weaver.debug.created_definitions(&mut tail);
    let marker = weaver.debug.reserve();
    let _ = writeln!(
        tail,
        "!slic.woven = !{{!{marker}}}\n!{marker} = !{{!\"{WOVEN_MARKER} {}\"}}",
        env!("CARGO_PKG_VERSION")
    );
    write(out.write_all(tail.as_bytes()))?;
    Ok(Summary {
        sites: weaver.sites.into_vec(),
        warnings: weaver.warnings,
        walked: weaver.walked,
    })
}

/// Site constants written at once (a few hundred kilobytes of text).
const SITES_AT_ONCE: usize = 1024;

/// Which symbols are APIs, which are routines, and which are kernel code
/// (`weave::bind` decides), with their hooks.
fn bind_symbols(input: &Input, module: &module::Module) -> Result<Bindings, Diagnostic> {
    let hooks = input.hooks;
    let mut symbols: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut all: Vec<&String> = module.declared.keys().collect();
    all.sort();
    for symbol in all {
        symbols
            .entry(names::undecorated(symbol))
            .or_default()
            .push(symbol);
    }
    let indexes = |list: &[&Hook]| -> Vec<usize> { list.iter().map(|h| hooks.index(h)).collect() };
    let events = |lists: &[&[usize]]| -> Vec<Event> {
        lists
            .iter()
            .flat_map(|list| list.iter().map(|&h| hooks.hooks[h].event.clone()))
            .collect()
    };
    let mut bindings = Bindings::default();
    for name in hooks.functions() {
        for &symbol in symbols.get(name).into_iter().flatten() {
            let defined = module.declared[symbol].defined;
            match bind::binding(hooks, name, defined) {
                Binding::Routine => continue,
                Binding::Kernel => {
                    bindings.kernel.insert(symbol.to_string());
                }
                Binding::Api => {}
            }
            let around = bind::call_hooks(hooks, name);
            let (before, after) = (indexes(&around.before), indexes(&around.after));
            bindings.apis.insert(
                symbol.to_string(),
                ApiBinding {
                    c_name: name.to_string(),
                    events: events(&[&before, &after]),
                    before,
                    after,
                },
            );
        }
    }
    // A function without hooks of its own has its roles' hooks: the same
    // for every function of the same roles, worked out once for them.
    let hooked: FnvHashSet<&str> = hooks.functions().into_iter().collect();
    let roles_of = roles_by_routine(input.roles);
    let mut of_roles: HashMap<Vec<Role>, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for function in &module.functions {
        if bindings.kernel.contains(&function.symbol) {
            continue;
        }
        let name = names::undecorated(&function.symbol);
        let roles = roles_of.get(name).cloned().unwrap_or_default();
        let own = hooked.contains(name);
        if roles.is_empty() && !own {
            continue;
        }
        let known = if own { None } else { of_roles.get(&roles) };
        let (entry, exit) = match known {
            Some(known) => known.clone(),
            None => {
                let span = Span::new(input.file, function.header.clone());
                let routine = bind::routine_hooks(hooks, name, &roles, input.path, span)?;
                let found = (indexes(&routine.entry), indexes(&routine.exit));
                if !own {
                    of_roles.insert(roles.clone(), found.clone());
                }
                found
            }
        };
        // Every routine of a role, with events or not: the driver runs
        // inside it.
        if !entry.is_empty() || !exit.is_empty() || !roles.is_empty() {
            bindings.routines.insert(
                function.symbol.clone(),
                RoutineBinding {
                    entry,
                    exit,
                    driver: !roles.is_empty(),
                },
            );
        }
    }
    Ok(bindings)
}

/// The roles of every routine the map names, in the order
/// `RoleMap::roles_of` gives them: looked up once per function instead of
/// searching every role's routines for each of thousands of functions.
fn roles_by_routine(map: &RoleMap) -> FnvHashMap<&str, Vec<Role>> {
    let mut roles: Vec<Role> = crate::role_table::ROLES.iter().map(|r| r.role).collect();
    roles.sort();
    roles.dedup();
    let mut by_routine: FnvHashMap<&str, Vec<Role>> = FnvHashMap::default();
    for role in roles {
        for routine in map.routines(role) {
            by_routine.entry(routine).or_default().push(role);
        }
    }
    by_routine
}
