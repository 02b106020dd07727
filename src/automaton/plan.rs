//! The dispatch plan: how one event of a rule selects the instances its
//! handlers run on, and in what order.
//!
//! This is the one statement of the instance rules. The interpreter
//! (`interp.rs`) executes it; the C monitor (`monitor::c`, both flavours)
//! and the LLVM monitor (`monitor::llvm`) print it as code. A rule without
//! `watch` has one instance; a `watch` rule has one per object:
//!
//! - the watched event creates the instance of its object first;
//! - then each handler of the event runs, in source order: a handler with
//!   `[guard $N]` on the instance of the object in `$N` (created if it does
//!   not exist, as SDV's model of one arbitrary object starts in the initial
//!   state), an unguarded one on every instance that exists when it starts;
//! - a handler runs only on a live instance (an earlier one may have
//!   aborted or halted it);
//! - after the event, an instance back in the initial state (and live) is
//!   dropped (`sweep`): it is indistinguishable from one never created.

use super::{Automaton, EventId};

/// Which instances a handler runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instances {
    /// The rule's one instance (a rule without `watch`).
    Only,
    /// The instance of the object in argument `$N`, created if needed.
    Object(u32),
    /// Every instance that exists when the handler starts.
    Every,
}

/// One step of an event's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Create the instance of the object in argument `$N` (the watched event).
    Create(u32),
    /// Run handler `handler` (an index into `Automaton::handlers`).
    Run { handler: usize, on: Instances },
}

impl Automaton {
    /// The steps of `event`, in order.
    pub fn plan(&self, event: EventId) -> impl Iterator<Item = Step> + '_ {
        let create = self
            .watch
            .as_ref()
            .filter(|watch| watch.event == event)
            .map(|watch| Step::Create(watch.argument));
        let watched = self.watch.is_some();
        let runs = self
            .handlers
            .iter()
            .enumerate()
            .filter(move |(_, handler)| handler.events.contains(&event))
            .map(move |(index, handler)| Step::Run {
                handler: index,
                on: match (watched, handler.guard) {
                    (false, _) => Instances::Only,
                    (true, Some(argument)) => Instances::Object(argument),
                    (true, None) => Instances::Every,
                },
            });
        create.into_iter().chain(runs)
    }

    /// Whether instances back in their initial state are dropped after each
    /// event (rules with `watch`).
    pub fn sweeps(&self) -> bool {
        self.watch.is_some()
    }
}

/// Whether a step after `steps[index]` runs a handler on every instance of
/// the thread: until there is none, an instance back in its initial state
/// must go on existing (such a step would run on it); after that, it can
/// stop existing at once instead of at the end of the event (a guarded
/// handler on it would create it again as it was).
pub fn walk_follows(steps: &[Step], index: usize) -> bool {
    steps[index + 1..].iter().any(|step| {
        matches!(
            step,
            Step::Run {
                on: Instances::Every,
                ..
            }
        )
    })
}
