//! The monitor as LLVM IR, inside every woven module.
//!
//! It is the C monitor's runtime flavour (`src/monitor/c/`) written as
//! IR, so a woven module needs nothing else: the same state (per thread
//! for rules without `watch`, a table per `watch` rule), the same report
//! text, the same weak `slic_report`. Everything is `linkonce_odr`, so
//! linking several woven modules keeps one copy of each function and one
//! state per rule; the names carry a hash of the code they stand for, so
//! modules woven with different rule sets (or by another version of
//! slic) never merge two different things under one name.
//!
//! - `runtime.rs`: report structures, `slic_format`, `slic_report`;
//! - `rules.rs`: each rule's state, handlers and event functions;
//! - `object_table.rs`: the instances of a `watch` rule, one per object in
//!   a table all threads share (the C monitor's `object_table.h`);
//!   `instances.rs`: the instances each thread holds, and the sweep;
//!   `threads.rs`: the threads' records; `ownership.rs`: the slow path of
//!   the tables' protocol, and the process-wide barrier it uses;
//! - `expr.rs`: expressions, with `eval.rs`'s semantics;
//! - `hooks.rs`: the functions woven code calls.

mod body;
mod expr;
mod hooks;
mod instances;
mod object_table;
mod ownership;
pub mod rules;
mod runtime;
mod threads;

use std::collections::HashMap;
use std::fmt::Write;
use std::hash::Hasher;

use crate::automaton::Automaton;
use crate::hash::fnv;
use crate::llvm::names::escape;
use crate::llvm::target::{Pointers, Target};
use crate::model::Event;
use crate::monitor::abi::{DRIVER_ENTER, DRIVER_EXIT};
use crate::monitor::hooks::HookSet;
use crate::monitor::models::Models;

pub use hooks::parameter_count;

/// A function or global the module already has, which the monitor must
/// use as it is instead of declaring it again.
#[derive(Debug, Clone)]
pub enum Existing {
    /// The function type as written (`i32 (i8*, %struct._IO_FILE*)`),
    /// and whether the module defines it.
    Function { type_text: String, defined: bool },
    /// The value type of a global.
    Global { value_type: String },
}

/// A declaration the monitor needs and the module lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    pub declaration: String,
}

pub struct Context<'a> {
    pub target: &'a Target,
    runtime_prefix: String,
    threads_prefix: String,
    existing: &'a HashMap<String, Existing>,
    /// The attributes every function of the monitor carries besides its
    /// own (the module's sanitizers), each after a space.
    attributes: String,
}

impl Context<'_> {
    /// `slic.rt.<hash>`.
    pub fn runtime_prefix(&self) -> &str {
        &self.runtime_prefix
    }

    /// `@slic.rt.<hash>.name`.
    pub fn runtime(&self, name: &str) -> String {
        format!("@{}.{name}", self.runtime_prefix)
    }

    /// `@slic.threads.<hash>.name`: the thread records (`threads.rs`),
    /// named after their code as it is without the module's declarations,
    /// so that every module and every rule woven by this slic for this
    /// target uses the same records.
    pub fn threads(&self, name: &str) -> String {
        format!("@{}.{name}", self.threads_prefix)
    }

    /// `text` with the context's attributes added to each function it
    /// defines (every `define` line of the monitor ends with ` {`).
    pub fn with_attributes(&self, text: String) -> String {
        if self.attributes.is_empty() {
            return text;
        }
        let mut out = String::with_capacity(text.len() + 1024);
        for line in text.split_inclusive('\n') {
            match line.strip_suffix(" {\n") {
                Some(head) if line.starts_with("define ") => {
                    out.push_str(head);
                    out.push_str(&self.attributes);
                    out.push_str(" {\n");
                }
                _ => out.push_str(line),
            }
        }
        out
    }

    pub fn site_pointer(&self) -> String {
        self.target.ptr("%slic.site")
    }

    /// `ptr @s` or `i8* getelementptr (...)`: an operand for a string
    /// constant `symbol` holding `text`.
    pub fn string_operand(&self, symbol: &str, text: &str) -> String {
        format!(
            "{} {}",
            self.target.ptr("i8"),
            self.target.string_ref(symbol, text.len() + 1)
        )
    }

    /// Whether the module itself defines `name` (a program's own
    /// `slic_report`).
    pub fn user_defines(&self, name: &str) -> bool {
        matches!(
            self.existing.get(name),
            Some(Existing::Function { defined: true, .. })
        )
    }

    /// How to call `@name` as `returns (parameters)`: directly, or, in a
    /// typed module that declares it with another type, through a
    /// `bitcast`.
    pub fn function_ref(&self, name: &str, returns: &str, parameters: &[&str]) -> String {
        let wanted = format!("{returns} ({})", parameters.join(", "));
        let symbol = format!("@{}", crate::llvm::names::quote(name));
        match self.existing.get(name) {
            Some(Existing::Function { type_text, .. })
                if self.target.pointers == Pointers::Typed && *type_text != wanted =>
            {
                format!("bitcast ({type_text}* {symbol} to {wanted}*)")
            }
            _ => symbol,
        }
    }

    /// A C library function: referenced as the module has it, or declared.
    pub fn external(
        &self,
        externals: &mut Vec<External>,
        name: &str,
        returns: &str,
        parameters: &[&str],
    ) -> String {
        self.external_with(externals, name, returns, parameters, "")
    }

    /// A system function whose declaration needs more than `external`'s
    /// (`attributes` such as `dllimport x86_stdcallcc `, a name that must
    /// be quoted): referenced as the module has it, or declared.
    pub fn external_with(
        &self,
        externals: &mut Vec<External>,
        name: &str,
        returns: &str,
        parameters: &[&str],
        attributes: &str,
    ) -> String {
        if !self.existing.contains_key(name) {
            let declaration = format!(
                "declare {attributes}{returns} @{}({})",
                crate::llvm::names::quote(name),
                parameters.join(", ")
            );
            if !externals.iter().any(|e| e.declaration == declaration) {
                externals.push(External { declaration });
            }
        }
        self.function_ref(name, returns, parameters)
    }

    /// A C library global of type `value_type`, as a pointer to it.
    pub fn external_global(
        &self,
        externals: &mut Vec<External>,
        name: &str,
        value_type: &str,
    ) -> String {
        match self.existing.get(name) {
            Some(Existing::Global { value_type: theirs })
                if self.target.pointers == Pointers::Typed && theirs != value_type =>
            {
                format!(
                    "bitcast ({theirs}* @{name} to {})",
                    self.target.ptr(value_type)
                )
            }
            Some(_) => format!("@{name}"),
            None => {
                externals.push(External {
                    declaration: format!("@{name} = external global {value_type}"),
                });
                format!("@{name}")
            }
        }
    }
}

/// A string constant: `@name = <linkage> unnamed_addr constant [N x i8] c"..\00"`.
pub fn string_constant(symbol: &str, text: &str, linkage: &str) -> String {
    format!(
        "{symbol} = {linkage} unnamed_addr constant [{} x i8] c\"{}\\00\"",
        text.len() + 1,
        escape(text)
    )
}

/// The generated monitor of one module.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Monitor {
    /// Types, runtime, rules and hooks, ready to append to the module.
    pub text: String,
    /// The types and the hooks' declarations: what a module needs to call
    /// a monitor it does not hold.
    pub declarations: String,
    /// The symbol of each event's hook.
    pub hooks: HashMap<Event, String>,
}

/// A place to keep monitors between processes (the command line's cache):
/// a monitor of the whole built-in pack is some 900 KB of IR, made in
/// about 15 ms, the same for every module of a build.
pub trait MonitorStore {
    /// The monitor stored under `key`, if there is one.
    fn get(&self, key: &str) -> Option<Monitor>;
    fn put(&self, key: &str, monitor: &Monitor);
}

/// `generate`, through `store` when there is one. The store must hold only
/// monitors of these `rules` (its owner's concern); the key says the rest
/// a monitor depends on: the target and what the module declares.
pub fn generate_stored(
    store: Option<&dyn MonitorStore>,
    target: &Target,
    rules: &[Automaton],
    hooks: &HookSet,
    existing: &HashMap<String, Existing>,
) -> Monitor {
    let Some(store) = store else {
        return generate(target, rules, hooks, existing);
    };
    // Every name the module declares, with its type, in the order of the
    // names: a module declares thousands, hashed as they are (not
    // formatted), each text after its length so that no two lists give
    // the same bytes.
    let mut declared: Vec<(&String, &Existing)> = existing.iter().collect();
    declared.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut hash = crate::hash::Fnv::default();
    hash.write(format!("{target:?}").as_bytes());
    for (name, what) in declared {
        let (kind, text, defined) = existing_words(what);
        for word in [name.as_str(), kind, text, defined] {
            hash.write(&(word.len() as u64).to_le_bytes());
            hash.write(word.as_bytes());
        }
    }
    let key = format!("ir-monitor-{:016x}", hash.finish());
    if let Some(monitor) = store.get(&key) {
        return monitor;
    }
    let monitor = generate(target, rules, hooks, existing);
    store.put(&key, &monitor);
    monitor
}

/// What the monitor's key says of a name the module has: its kind, its
/// type, and whether it is defined.
fn existing_words(what: &Existing) -> (&'static str, &str, &'static str) {
    match what {
        Existing::Function { type_text, defined } => (
            "function",
            type_text,
            if *defined { "defined" } else { "declared" },
        ),
        Existing::Global { value_type } => ("global", value_type, ""),
    }
}

pub fn generate(
    target: &Target,
    rules: &[Automaton],
    hooks: &HookSet,
    existing: &HashMap<String, Existing>,
) -> Monitor {
    // The runtime is written with a placeholder prefix, hashed, and the
    // placeholder replaced by `slic.rt.<hash>`; the thread records' prefix
    // is the hash of their code written for a module that declares nothing.
    const DRAFT: &str = "slic.RUNTIME.PREFIX";
    const THREADS_DRAFT: &str = "slic.THREADS.PREFIX";
    let attributes: String = target
        .sanitizers
        .iter()
        .map(|attribute| format!(" {attribute}"))
        .collect();
    let declares_nothing = HashMap::new();
    let canonical = Context {
        target,
        runtime_prefix: DRAFT.to_string(),
        threads_prefix: THREADS_DRAFT.to_string(),
        existing: &declares_nothing,
        attributes: attributes.clone(),
    };
    let threads_code = canonical.with_attributes(threads::functions(&canonical, &mut Vec::new()));
    let threads_prefix = format!("slic.threads.{:016x}", fnv(&threads_code));
    let draft_context = Context {
        target,
        runtime_prefix: DRAFT.to_string(),
        threads_prefix: threads_prefix.clone(),
        existing,
        attributes: attributes.clone(),
    };
    let mut externals = Vec::new();
    let tables = rules.iter().any(|rule| rule.watch.is_some());
    let draft =
        draft_context.with_attributes(runtime::functions(&draft_context, &mut externals, tables));
    let context = Context {
        target,
        runtime_prefix: format!("slic.rt.{:016x}", fnv(&draft)),
        threads_prefix,
        existing,
        attributes,
    };
    let runtime_text = draft.replace(DRAFT, &context.runtime_prefix);
    let mut text = String::new();
    text.push_str("; The monitor (slic's runtime flavour, as IR).\n");
    text.push_str(&runtime::types(&context));
    let mut declarations = format!(
        "; The monitor is linked in: its hooks.\n{}declare void @{DRIVER_ENTER}() nounwind\ndeclare void @{DRIVER_EXIT}() nounwind\n",
        runtime::types(&context)
    );
    text.push_str(&runtime_text);
    // Each shared model once, then the rules, which read the models' state.
    let models = Models::new(rules);
    let model_codes: Vec<rules::RuleCode> = models
        .models
        .iter()
        .map(|model| rules::rule(&context, model, hooks, None))
        .collect();
    let states: Vec<rules::ModelState> = models
        .models
        .iter()
        .zip(&model_codes)
        .map(|(model, code)| rules::ModelState {
            symbol: format!("@{}.state", code.prefix),
            ty: rules::state_type(target, model.variables.len()),
        })
        .collect();
    let codes: Vec<rules::RuleCode> = rules
        .iter()
        .zip(&models.layouts)
        .map(|(rule, layout)| {
            let placement = rules::Placement {
                layout,
                models: &states,
            };
            rules::rule(&context, rule, hooks, Some(placement))
        })
        .collect();
    for code in model_codes.iter().chain(&codes) {
        text.push('\n');
        text.push_str(&code.text);
    }
    let mut symbols = HashMap::new();
    for hook in &hooks.hooks {
        let units = hooks::Units {
            automata: rules,
            models: &models,
            model_codes: &model_codes,
            rule_codes: &codes,
        };
        let code = hooks::hook(&context, hook, &units);
        text.push('\n');
        text.push_str(&code.text);
        let _ = writeln!(declarations, "{}", code.declaration);
        symbols.insert(hook.event.clone(), code.symbol);
    }
    if !externals.is_empty() {
        text.push('\n');
        for external in &externals {
            let _ = writeln!(text, "{}", external.declaration);
        }
    }
    Monitor {
        text,
        declarations,
        hooks: symbols,
    }
}
