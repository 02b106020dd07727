//! The integration tests: one binary, one module per area.

mod check_fixtures;
mod cli_check;
mod parse_properties;
mod semantics;
mod support;
