//! The LLVM IR weaver: textual `.ll` in, textual `.ll` out.
//!
//! It works on the text, with a tokenizer of its own, so it reads what
//! clang 14 (typed pointers), 16 and 19 (opaque `ptr`) write for every
//! target, copies types and operands verbatim, and makes every change as
//! an edit of the input (`crate::edit`), which keeps the rest of the file
//! byte for byte. The stages:
//!
//! 1. `module.rs`: the top level: functions, declarations, globals,
//!    metadata lines, target, pointer style.
//! 2. bindings (here): which symbols are bound APIs (declared functions
//!    some rule names, matched by their undecorated C names) and which are
//!    routines (defined functions with events of their own or of a role
//!    given by `--roles` / `--role`).
//! 3. `monitor/`: the monitor as IR, generated from the rules; its hooks'
//!    symbols are what woven code calls.
//! 4. `weaver.rs`: function bodies (calls, invokes, rets, entries);
//!    `wrappers.rs`: uses of API addresses; `emit.rs`: the hook calls.
//! 5. The monitor, the site constants (`sites.rs`), the wrappers and new
//!    debug locations (`debug_info.rs`) are appended to the module, and a
//!    comment and a named metadata node mark it woven.
//!
//! Sites: a call's position is its `!dbg` location; a routine's entry is
//! its `DISubprogram`'s `scopeLine`, column 1 (IR has no column for it,
//! where the C weaver reports the `{`); an exit is its `ret`'s location
//! (clang puts the closing brace there). Without debug information a site
//! has no position and names the function.

mod debug_info;
mod emit;
mod instruction;
mod lexer;
mod module;
mod sites;
mod strip;
mod types;
mod weaver;
mod wrappers;

use std::collections::HashMap;
use std::fmt::Write;

use super::role_map::RoleMap;
use super::{Site, WOVEN_MARKER, WeaveError, WeaveWarning, Woven};
use crate::automaton::Automaton;
use crate::edit::Edited;
use crate::llvm::names;
use crate::model::EventKind;
use crate::model::Target as EventTarget;
use crate::monitor::hooks::HookSet;
use crate::monitor::llvm as monitor;
use debug_info::DebugInfo;
use weaver::{ApiBinding, Bindings, RoutineBinding, Weaver};

pub use crate::llvm::target::Pointers;
pub use strip::strip_debug_info;

/// What the IR weaver needs.
pub struct Input<'a> {
    pub text: &'a str,
    /// The module's path as the user named it, for messages.
    pub path: &'a str,
    pub rules: &'a [Automaton],
    pub hooks: &'a HookSet,
    pub roles: &'a RoleMap,
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

pub fn weave(input: &Input) -> Result<Woven, WeaveError> {
    weave_placing(input, MonitorPlacement::InModule)
}

/// The monitor as a module of its own, for the target of the module
/// `text`: what modules woven with `MonitorPlacement::Declared` link with.
pub fn monitor_module(input: &Input) -> Result<String, WeaveError> {
    let module = module::scan(input.text, input.path)?;
    let monitor = monitor::generate(&module.target, input.rules, input.hooks, &HashMap::new());
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
    text.push_str(&monitor.text.replace(" linkonce_odr ", " weak_odr "));
    Ok(text)
}

pub fn weave_placing(input: &Input, placement: MonitorPlacement) -> Result<Woven, WeaveError> {
    weave_module(input, placement).map(WovenModule::into_woven)
}

/// A woven module before it is written: the input and its edits, which a
/// caller can write out piece by piece (a large module's woven text need
/// never be built whole).
pub struct WovenModule<'a> {
    pub edited: Edited<'a>,
    /// Every site the woven code reports from, in the order of its ids.
    pub sites: Vec<Site>,
    pub warnings: Vec<WeaveWarning>,
}

impl WovenModule<'_> {
    pub fn into_woven(self) -> Woven {
        Woven {
            text: self.edited.to_text(),
            sites: self.sites,
            warnings: self.warnings,
        }
    }
}

/// Weaves `input`, with the monitor where `placement` says.
pub fn weave_module<'a>(
    input: &Input<'a>,
    placement: MonitorPlacement,
) -> Result<WovenModule<'a>, WeaveError> {
    let mut module = module::scan(input.text, input.path)?;
    let bindings = bind(input, &module)?;
    // A monitor linked in is the same for every module of a target: it is
    // made without regard to what this module declares.
    let no_existing = HashMap::new();
    let existing = match placement {
        MonitorPlacement::InModule => &module.existing,
        MonitorPlacement::Declared => &no_existing,
    };
    let monitor = monitor::generate(&module.target, input.rules, input.hooks, existing);
    let metadata = std::mem::take(&mut module.metadata);
    let debug = DebugInfo::new(input.text, metadata);
    let mut weaver = Weaver::new(
        input.text,
        input.path,
        &module,
        input.hooks,
        &monitor.hooks,
        &bindings,
        debug,
    );
    for function in &module.functions {
        weaver.weave_function(function)?;
    }
    weaver.weave_globals()?;
    // The monitor defines these; a declaration of its own would clash.
    let in_module = placement == MonitorPlacement::InModule;
    for name in ["slic_report", "slic_format"]
        .into_iter()
        .filter(|_| in_module)
    {
        if let Some(declared) = module.declared.get(name).filter(|d| !d.defined) {
            weaver.edits.replace(
                declared.text.clone(),
                &format!("; `{name}` is defined by the monitor below\n"),
            );
        }
    }

    // The monitor and the rest go at the end, written straight into the
    // edit buffer.
    let mut tail = std::mem::take(&mut weaver.edits.text);
    let mark = tail.len();
    if !input.text.is_empty() && !input.text.ends_with('\n') {
        tail.push('\n');
    }
    let _ = writeln!(
        tail,
        "\n; ---- {WOVEN_MARKER} {}: the monitor, the sites and the wrappers ----\n",
        env!("CARGO_PKG_VERSION")
    );
    tail.push_str(match placement {
        MonitorPlacement::InModule => &monitor.text,
        MonitorPlacement::Declared => &monitor.declarations,
    });
    tail.push_str("\n; Sites.\n");
    let mut strings = sites::Strings::default();
    sites::table(&mut tail, &module.target, &weaver.sites, &mut strings);
    strings.definitions(&mut tail);
    tail.push_str("@slic.zero = private unnamed_addr constant [8 x i8] zeroinitializer, align 8\n");
    weaver.wrapper_definitions(&mut tail);
    tail.push('\n');
    weaver.debug.created_definitions(&mut tail);
    let marker = weaver.debug.reserve();
    let _ = writeln!(
        tail,
        "!slic.woven = !{{!{marker}}}\n!{marker} = !{{!\"{WOVEN_MARKER} {}\"}}",
        env!("CARGO_PKG_VERSION")
    );
    weaver.edits.text = tail;
    weaver.edits.insert_since(input.text.len(), mark);
    weaver.edits.insert(
        0,
        &format!(
            "; {WOVEN_MARKER} {}: edit the original, not this file.\n",
            env!("CARGO_PKG_VERSION")
        ),
    );
    let edited = std::mem::take(&mut weaver.edits)
        .apply(input.text)
        .map_err(|overlap| WeaveError {
            message: format!("internal error in the IR weaver: {overlap}"),
            position: None,
        })?;
    Ok(WovenModule {
        edited,
        sites: weaver.sites,
        warnings: weaver.warnings,
    })
}

/// Which symbols are APIs and which are routines, and their hooks.
fn bind(input: &Input, module: &module::Module) -> Result<Bindings, WeaveError> {
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
    let mut bindings = Bindings::default();
    let index_of = |event: &crate::model::Event| {
        hooks
            .hooks
            .iter()
            .position(|h| &h.event == event)
            .expect("a hook of the set")
    };
    for name in hooks.functions() {
        for &symbol in symbols.get(name).into_iter().flatten() {
            let of_kind = |kinds: &[EventKind]| -> Vec<usize> {
                kinds
                    .iter()
                    .flat_map(|kind| {
                        hooks
                            .of_function(name)
                            .filter(move |h| h.event.kind == *kind)
                            .map(|h| index_of(&h.event))
                    })
                    .collect()
            };
            if module.declared[symbol].defined {
                if let Some(hook) = hooks
                    .of_function(name)
                    .find(|h| matches!(h.event.kind, EventKind::Call | EventKind::Return))
                {
                    return Err(WeaveError {
                        message: format!(
                            "`{name}` is defined in `{}`; the IR weaver supports `entry` and `exit` events of defined functions, not `{}`",
                            input.path,
                            hook.event.kind.as_str()
                        ),
                        position: None,
                    });
                }
                continue;
            }
            bindings.apis.insert(
                symbol.to_string(),
                ApiBinding {
                    c_name: name.to_string(),
                    before: of_kind(&[EventKind::Call, EventKind::Entry]),
                    after: of_kind(&[EventKind::Exit, EventKind::Return]),
                },
            );
        }
    }
    for function in &module.functions {
        let name = names::undecorated(&function.symbol);
        let mut entry = Vec::new();
        let mut exit = Vec::new();
        for role in input.roles.roles_of(name) {
            for hook in hooks.of_role(role) {
                match hook.event.kind {
                    EventKind::Entry => entry.push(index_of(&hook.event)),
                    EventKind::Exit => exit.push(index_of(&hook.event)),
                    kind => {
                        return Err(WeaveError {
                            message: format!(
                                "the IR weaver cannot place `{}` events of roles ({name} is {}); use `entry` and `exit`",
                                kind.as_str(),
                                role.rule_name()
                            ),
                            position: None,
                        });
                    }
                }
            }
        }
        for hook in hooks.of_function(name) {
            if let EventTarget::Function(_) = &hook.event.target {
                match hook.event.kind {
                    EventKind::Entry => entry.push(index_of(&hook.event)),
                    _ => exit.push(index_of(&hook.event)),
                }
            }
        }
        if !entry.is_empty() || !exit.is_empty() {
            bindings
                .routines
                .insert(function.symbol.clone(), RoutineBinding { entry, exit });
        }
    }
    Ok(bindings)
}
