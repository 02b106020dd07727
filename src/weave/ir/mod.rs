//! The LLVM IR weaver: textual `.ll` in, textual `.ll` out.
//!
//! Not written yet: `weave` refuses every input with a clear error.

use super::roles::RoleMap;
use super::{WeaveError, Woven};
use crate::hooks::HookSet;
use crate::ir::Automaton;

/// What the IR weaver needs.
pub struct Input<'a> {
    pub text: &'a str,
    /// The module's path as the user named it, for messages.
    pub path: &'a str,
    pub rules: &'a [Automaton],
    pub hooks: &'a HookSet,
    pub roles: &'a RoleMap,
}

pub fn weave(input: &Input) -> Result<Woven, WeaveError> {
    let _ = (input.text, input.rules, input.hooks, input.roles);
    Err(WeaveError {
        message: format!(
            "cannot weave `{}`: the LLVM IR weaver is not written yet",
            input.path
        ),
        position: None,
    })
}
