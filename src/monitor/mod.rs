//! Stage 4a: monitors, the code that runs a rule next to the driver.
//!
//! A monitor is generated from the automata of a set of rules and the
//! hooks they need (`hooks.rs`), with the constants and texts of `abi.rs`.
//! `c/` writes it as C; `llvm/` writes the runtime flavour as LLVM IR, for
//! the IR weaver.

pub mod abi;
pub mod c;
pub mod hooks;
pub mod initial;
pub mod llvm;
pub mod models;

use crate::automaton::Automaton;
use crate::diagnostic::Diagnostic;
use crate::monitor::hooks::HookSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// For instrumented builds: per-thread and per-object state, reports.
    Runtime,
    /// For model checkers: one global state, SV-COMP error calls.
    Static,
}

impl Flavour {
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Runtime => "runtime",
            Flavour::Static => "static",
        }
    }
}

pub struct Monitor {
    pub rules: Vec<Automaton>,
    pub hooks: HookSet,
    pub flavour: Flavour,
}

/// The two files of a C monitor.
pub struct CMonitor {
    pub header: String,
    pub source: String,
}

impl Monitor {
    pub fn new(rules: Vec<Automaton>, flavour: Flavour) -> Result<Monitor, Diagnostic> {
        let hooks = HookSet::new(&rules)?;
        Ok(Monitor {
            rules,
            hooks,
            flavour,
        })
    }

    pub fn rule_names(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.name.as_str()).collect()
    }

    pub fn to_c(&self) -> CMonitor {
        CMonitor {
            header: c::header(self),
            source: c::source(self),
        }
    }
}
