//! What a handler does to an instance in its initial state, decided from
//! the automaton before anything runs, so that the monitors can leave out
//! work whose result is known.
//!
//! A `watch` rule's unguarded handler runs on every instance the thread
//! holds, and the instance an event has just created is one of them, still
//! in its initial state. When the handler can do nothing to an instance in
//! that state whatever the event's values (`inert_on_initial`), running it
//! there changes nothing, and a walk of a list that holds only that
//! instance can be left out (`object_table.h`, `SLIC_WALK_NEEDED`).
//!
//! A handler that changes an instance says so to the table, which then
//! notes whether the instance is back in its initial state (it stops
//! existing after the event): a path that gives every variable a constant
//! knows the answer before it runs (`path_outcome`), and the monitors check
//! the values only when it does not.
//!
//! The decisions are conservative: a condition that does not fold to a
//! constant once the variables are their initial values counts as one that
//! may hold, and such a path must then be known to change nothing.

use crate::automaton::rewrite::{constant_value, fold, substitute};
use crate::automaton::{Automaton, End, Handler, Path};
use crate::model::{ExprKind, TypedExpr};

/// What a path that changed its instance left it as, when that is known
/// without looking at the values. The handlers of the monitors return it
/// (`code`; 0 when they changed nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The values must be compared with the initial ones.
    Unknown,
    /// Not in the initial state: a variable holds another constant, or the
    /// instance aborted or halted.
    NotInitial,
    /// Every variable holds its initial value, the instance is live.
    Initial,
}

impl Outcome {
    /// The value a handler returns for it (`SLIC_CHANGED_*` in
    /// `object_table.h`, the same numbers in the IR monitor).
    pub fn code(self) -> u8 {
        match self {
            Outcome::Unknown => 1,
            Outcome::NotInitial => 2,
            Outcome::Initial => 3,
        }
    }
}

/// What `path` leaves its instance as, if it changed it.
pub fn path_outcome(automaton: &Automaton, path: &Path) -> Outcome {
    if path.end != End::Done {
        return Outcome::NotInitial;
    }
    let mut all_initial = true;
    for variable in 0..automaton.variables.len() {
        let update = path.updates.iter().find(|(id, _)| *id == variable);
        let constant = update.and_then(|(_, value)| {
            constant_value(&fold(value)).map(|v| normalized(automaton, variable, v))
        });
        match constant {
            Some(value) if value != automaton.variables[variable].init => {
                return Outcome::NotInitial;
            }
            Some(_) => {}
            None => all_initial = false,
        }
    }
    if all_initial {
        Outcome::Initial
    } else {
        Outcome::Unknown
    }
}

/// Whether `handler`, run on an instance in its initial state, leaves it
/// exactly as it was (values, status) for every value of the event: each
/// path that may be taken from the initial state ends normally and gives
/// every variable it updates its initial value.
pub fn inert_on_initial(automaton: &Automaton, handler: &Handler) -> bool {
    handler
        .paths
        .iter()
        .filter(|path| may_start_from_initial(automaton, path))
        .all(|path| {
            path.end == End::Done
                && path.updates.iter().all(|(id, value)| {
                    initial_constant(automaton, value).map(|v| normalized(automaton, *id, v))
                        == Some(automaton.variables[*id].init)
                })
        })
}

/// Whether no condition of `path` is known false (or, negated, known true)
/// when the variables hold their initial values.
fn may_start_from_initial(automaton: &Automaton, path: &Path) -> bool {
    path.conditions.iter().all(|(condition, polarity)| {
        match initial_constant(automaton, condition) {
            Some(value) => (value != 0) == *polarity,
            None => true,
        }
    })
}

/// The value of `expr` with every variable at its initial value, if that
/// leaves nothing unknown (no event value, no thread).
fn initial_constant(automaton: &Automaton, expr: &TypedExpr) -> Option<i64> {
    let initial = substitute(expr, &|id| {
        let variable = &automaton.variables[id];
        Some(TypedExpr {
            kind: ExprKind::Constant(variable.init),
            ty: variable.ty,
        })
    });
    constant_value(&fold(&initial))
}

/// `value` stored in variable `id`, as the interpreter stores it.
fn normalized(automaton: &Automaton, id: usize, value: i64) -> i64 {
    automaton.variables[id].ty.int.normalize(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automaton::lower;
    use crate::frontend::{Session, compile_pack};

    fn pack_rule(name: &str) -> Automaton {
        let loader = crate::pack::loader();
        let mut session = Session::new(&loader);
        let (models, diagnostics) = compile_pack(&mut session);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let model = models
            .iter()
            .find(|m| m.name == name)
            .expect("the pack has the rule");
        lower(model)
    }

    /// QueuedSpinLock's guarded handlers: the acquisition, then the release.
    fn guarded(rule: &Automaton) -> Vec<&Handler> {
        let guarded: Vec<&Handler> = rule.handlers.iter().filter(|h| h.guard.is_some()).collect();
        assert_eq!(guarded.len(), 2);
        guarded
    }

    #[test]
    fn the_check_of_every_held_handle_is_inert_on_a_released_one() {
        // QueuedSpinLock: the unguarded acquisition handler compares a
        // handle's lock only when the handle holds one; the guarded one
        // acquires.
        let rule = pack_rule("QueuedSpinLock");
        let unguarded: Vec<&Handler> = rule.handlers.iter().filter(|h| h.guard.is_none()).collect();
        assert_eq!(unguarded.len(), 1);
        assert!(inert_on_initial(&rule, unguarded[0]));
        for handler in guarded(&rule) {
            assert!(!inert_on_initial(&rule, handler));
        }
    }

    #[test]
    fn acquiring_leaves_a_handle_acquired_and_releasing_leaves_it_initial() {
        let rule = pack_rule("QueuedSpinLock");
        let guarded = guarded(&rule);
        let outcomes = |handler: &Handler| -> Vec<Outcome> {
            handler
                .paths
                .iter()
                .map(|path| path_outcome(&rule, path))
                .collect()
        };
        // Acquire: abort on a handle that holds a lock, else acquired.
        assert_eq!(
            outcomes(guarded[0]),
            [Outcome::NotInitial, Outcome::NotInitial]
        );
        // Release: two aborts, else back to released, NULL, NULL.
        assert_eq!(
            outcomes(guarded[1]),
            [Outcome::NotInitial, Outcome::NotInitial, Outcome::Initial]
        );
    }

    #[test]
    fn a_path_that_keeps_a_value_it_was_given_is_unknown() {
        let rule = pack_rule("QueuedSpinLock");
        let mut path = guarded(&rule)[0].paths[1].clone();
        // Without the constant state, the lock and owner decide nothing.
        path.updates.retain(|(id, _)| *id != 0);
        assert_eq!(path_outcome(&rule, &path), Outcome::Unknown);
    }

    #[test]
    fn a_handler_that_aborts_from_the_initial_state_is_not_inert() {
        // QueuedSpinLock's release aborts on a handle that holds nothing.
        let rule = pack_rule("QueuedSpinLock");
        assert!(!inert_on_initial(&rule, guarded(&rule)[1]));
    }
}
