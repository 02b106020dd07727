//! The integration tests: one binary, one module per area.

mod c_drivers;
mod check_fixtures;
mod cli_check;
mod driver_support;
mod ir_drivers;
mod ir_semantics;
mod ir_support;
mod ir_weave;
mod parse_properties;
mod rule_pack;
mod semantics;
mod support;
