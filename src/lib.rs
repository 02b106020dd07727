//! slic: a compiler for driver API rules written in SLIC.
//!
//! The crate is the core: every stage takes values and returns values plus
//! diagnostics, and none of it touches the file system or prints. The
//! binary in `src/main.rs` is the only place that does I/O. See
//! `docs/ARCHITECTURE.md` for the map.

pub mod automaton;
pub mod builtins;
pub mod catalog;
pub mod check;
pub mod diagnostic;
pub mod edit;
pub mod eval;
pub mod explore;
pub mod frontend;
pub mod graph;
pub mod hash;
pub mod interp;
pub mod llvm;
pub mod load;
pub mod model;
pub mod monitor;
pub mod pack;
pub mod render;
pub mod role_table;
pub mod sarif;
pub mod span;
pub mod syntax;
pub mod testing;
pub mod trace;
pub mod types;
pub mod verify;
pub mod weave;
