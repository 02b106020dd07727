//! The toolchain tier: slic's output built, verified and run with real
//! tools (gcc, clang 14/16/19, the LLVM tools, Frama-C, ThreadSanitizer,
//! mingw-w64), one module per area. The hermetic tier is `tests/hermetic/`.

mod bytes;
mod c_backend;
mod c_drivers;
mod cc;
mod concurrency;
mod differential;
mod driver_support;
mod graphviz;
mod ir_drivers;
mod ir_semantics;
mod ir_support;
mod ir_weave;
mod mingw_drivers;
mod sarif;
mod shared_models;
mod static_monitor;
#[path = "../common/support.rs"]
mod support;
mod takeover;
mod third_party;
mod truncated_ir;
mod tutorial;
mod verify;
mod wdk_style;
