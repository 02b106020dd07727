//! The integration tests: one binary, one module per area.

mod bad_input;
mod c_backend;
mod c_drivers;
mod cc;
mod check_fixtures;
mod cli_check;
mod cli_help;
mod concurrency;
mod differential;
mod driver_support;
mod fuzz_regressions;
mod ir_drivers;
mod ir_semantics;
mod ir_support;
mod ir_weave;
mod parse_properties;
mod rule_pack;
mod sarif;
mod semantics;
mod static_monitor;
mod support;
mod tutorial;
mod verify;
mod wdk_style;
