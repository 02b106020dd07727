//! The C-source weaver.
//!
//! It takes a file's bytes, whatever they are, and reads them through
//! `view` (UTF-8 text of the same length); its edits go to the bytes.
//!
//! `scan` reads a file's tokens, directives and attribute-like macros
//! (`blank`) in one pass; `structure` finds its top-level declarations and
//! function definitions; `file` holds both and hands tree-sitter (`tree`)
//! only the pieces where C's grammar matters. `role_scan` finds role routines;
//! `macros` the driver's macros that use APIs; `weave` computes the edits,
//! `generate` the code it adds. The result compiles wherever the input did,
//! with `#line` directives keeping the compiler and debugger on the user's
//! lines.

pub mod blank;
mod file;
mod generate;
mod macros;
pub mod outline;
pub mod role_scan;
mod scan;
mod structure;
mod tree;
mod view;
mod weave;

pub use weave::{Edited, Input, SourceFile, weave, weave_edits};
