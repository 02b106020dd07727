//! Stage 4b: weaving, putting the hooks into a driver.
//!
//! Both weavers are text-to-text functions: C source in `c/`, LLVM IR in
//! `llvm/`. What they share lives here: what binds how and the site table
//! (`bind`), the binding report (`report`), the role map (`role_map`),
//! and what a weaver returns (`Site`, `Woven`). Both make their changes as
//! edits (`crate::edit`) and report problems as `Diagnostic`s.

pub mod bind;
pub mod c;
pub mod llvm;
pub mod report;
pub mod role_map;

use crate::diagnostic::Diagnostic;
use crate::model::Event;

/// A place in the woven driver that reports events: a call of an API, the
/// entry or the exit of a routine.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    /// The events the rules see here (`KeAcquireSpinLock.exit`,
    /// `SDV_RunDispatchFunction.exit`).
    pub events: Vec<Event>,
    /// `None` when the place is unknown (no debug information, a call
    /// through a function pointer).
    pub position: Option<Position>,
    /// The function the event happens in: the caller for API calls, the
    /// routine itself for its entry and exit, the function or global that
    /// took an API's address for calls through pointers.
    pub function: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A woven file and what was bound where: its text (a module's), or its
/// bytes (a C file's, which need not be UTF-8).
#[derive(Debug, Clone)]
pub struct Woven<Text = String> {
    pub text: Text,
    /// Every site the woven code reports from, in the order of its ids.
    pub sites: Vec<Site>,
    /// Warnings about the input (their spans are in the input's file).
    pub warnings: Vec<Diagnostic>,
}

/// The marker every woven file carries, so weaving twice is refused.
pub const WOVEN_MARKER: &str = "woven by slic";
