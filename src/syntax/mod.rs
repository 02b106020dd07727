//! Stage 1: rule text to syntax tree.
//!
//! `split` cuts the file into top-level items, `parser` runs the pest grammar
//! (`grammar/slic.pest`) on each, `header` reads the metadata comment, and
//! `pretty` prints a tree back as text.

pub mod ast;
pub(crate) mod errors;
mod header;
mod literal;
mod parser;
pub mod pretty;
mod split;

pub use header::rule_id as parse_rule_id;
pub use literal::{IntegerLiteral, integer as parse_integer, unescape};
pub use parser::{parse as parse_unchecked, parse_expression};

use crate::diagnostic::Diagnostic;
use crate::span::FileId;

/// Parses one rule file (without following its `#include`s).
pub fn parse(file: FileId, text: &str) -> (ast::SourceRule, Vec<Diagnostic>) {
    parser::parse(file, text)
}
