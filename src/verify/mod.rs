//! `slic verify`: the compile-time check Static Driver Verifier did.
//!
//! A driver woven with one rule and the rule's static monitor (the SV-COMP
//! flavour of `monitor::c`) is closed into a program an analyzer can read:
//!
//! - `harness`: the environment, from the driver's roles, as SDV's OS model
//!   did: DriverEntry, AddDevice, then dispatch, cancel, DPC, work item,
//!   StartIo and completion routines in a nondeterministic order, up to a
//!   bound, and Unload; each routine gets objects whose fields are any
//!   value of their types (`objects`, from the layouts clang prints,
//!   `layout`);
//! - `kernel_model`: a body for every function the driver calls and the
//!   headers do not define: stubs of the catalog's APIs (any result of the
//!   right type, `_Out_` parameters written), a small model of the I/O
//!   manager (devices, DPCs, work items, packets), and the engines' glue;
//!   any other function is havocked by the engines, with a warning;
//! - two real engines read it: Frama-C's EVA (`eva`), whose analysis is
//!   sound, so that no alarm and no abort reached is a proof for every run
//!   of the harness; and clang's static analyzer (`clang`), which reports a
//!   concrete path to each abort it reaches;
//! - `verdict` turns what they say into SLIC's terms: per rule, a violation
//!   with its place, event, abort and path, or no violation found, or
//!   proved, or unknown and why.
//!
//! Everything here is text to text and value to value; running the engines
//! is the command line's (`src/cli/verify/`).

pub mod clang;
pub mod eva;
pub mod harness;
pub mod kernel_model;
pub mod layout;
pub mod objects;
pub mod verdict;

use crate::weave::Position;

/// An analyzer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Engine {
    Eva,
    Clang,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Eva => "eva",
            Engine::Clang => "clang",
        }
    }
}

/// An abort an engine reached, at a site of the woven driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// "Rule: message (rule location)", as the static monitor names it.
    pub violation: String,
    pub site: Option<SiteRef>,
    /// The path to it, when the engine gives one.
    pub path: Vec<Step>,
}

/// A site of the woven driver, as an engine names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteRef {
    /// Index into the site table of the woven file `file` (its position in
    /// the list of sources).
    Table { file: usize, index: usize },
    /// The site's fields, as EVA shows them; `None` position for a site
    /// without one (a call through a pointer).
    Fields {
        position: Option<Position>,
        function: String,
    },
}

/// One step of a path, in the driver's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The harness calls a routine of the driver.
    Routine(String),
    /// Something at a place of the driver: a call of an API, a branch taken.
    At { position: Position, text: String },
}

/// What one engine said about one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The analysis ran to its end.
    Finished {
        reached: Vec<Reached>,
        /// Alarms of the analysis (EVA): undefined behaviour it could not
        /// rule out, under which it went on as if it did not happen.
        alarms: Vec<String>,
        /// Whether the analysis covers every run of the harness (EVA's) or
        /// only the paths it had the budget for (clang's).
        exhaustive: bool,
        /// Functions the engine found neither code nor a model for.
        havocked: Vec<String>,
    },
    /// The engine did not finish: the reason.
    Failed(String),
}
