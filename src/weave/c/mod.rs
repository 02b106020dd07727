//! The C-source weaver (tree-sitter-c).
//!
//! `blank` hides attribute-like macros from the parser without moving any
//! byte; `roles` finds role routines; `weave` computes the edits and the
//! generated code. The result compiles wherever the input did, with
//! `#line` directives keeping the compiler and debugger on the user's lines.

pub mod blank;
pub mod roles;
mod tree;
mod weave;

pub use weave::{Input, SourceFile, weave};
