//! Facts about textual LLVM IR that the weaver (`weave::llvm`) and the
//! monitor generator (`monitor::llvm`) share: how names are quoted and
//! decorated, what a module's target makes of pointers, and which LLVM
//! wrote a bitcode file.

pub mod bitcode;
pub mod names;
pub mod target;
