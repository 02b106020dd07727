//! The hermetic tier: tests that need nothing but slic itself (no compiler,
//! no LLVM tools, no model checker). The front end, the automaton and its
//! interpreter, the diagnostics and their documentation, and what the
//! weavers write, as text. It runs in seconds: `cargo test --test hermetic`.
//! The toolchain tier (`tests/it/`) builds and runs what slic writes.

mod architecture;
mod bad_input;
mod c_forms;
mod check_fixtures;
mod cli_check;
mod cli_help;
mod fuzz_regressions;
mod ir_strategies;
mod irql_catalog;
mod pack_cache;
mod parse_properties;
mod rule_pack;
mod semantics;
#[path = "../common/support.rs"]
mod support;
mod weave_diagnostics;
