//! The interpreter: the reference semantics every back end must match.
//!
//! A configuration is the state of every instance of a rule: one without
//! `watch`, one per object with it. Which instances an event's handlers
//! run on is the event's dispatch plan (`automaton::plan`), which the
//! interpreter executes here and the monitors print as code.
//!
//! Handlers of one event run in source order. `abort` puts the instance in
//! the error state: it reports once and checks nothing more. `halt` stops
//! checking it. Other instances go on.
//!
//! Every event happens on a thread (`Occurrence::thread`; a trace step
//! names one as `t2: ...`, or runs on the main thread). A rule without
//! `watch` keeps one instance per thread: its state is the state of what a
//! thread does (the routine it runs, the locks it holds). A `watch` rule
//! keeps one instance per object, whatever thread touches it: a resource
//! acquired on one thread and released for it on another is one instance.
//! Each instance belongs to the thread that created it or last changed it
//! (acquired it, released it; a failed attempt to acquire it changes
//! nothing): a handler without a guard runs on the instances of the event's
//! thread, so that a dispatch routine
//! returning on one thread checks the locks that thread took, not those of
//! another thread. On one thread this is all the instances.

use std::collections::BTreeMap;

use crate::automaton::plan::{Instances, Step};
use crate::automaton::{Automaton, End, Handler};
use crate::eval::{self, Env, Missing};
use crate::model::{AbortId, Event};

/// One event with its values. Index 0 holds `$1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Occurrence {
    pub event: Event,
    pub arguments: Vec<Option<i64>>,
    /// `*$N`: what argument N points to, where the event gives it.
    pub pointees: Vec<Option<i64>>,
    pub return_value: Option<i64>,
    /// The thread the event happens on (`$thread`).
    pub thread: i64,
}

/// The thread of a trace step that names none, and of every event that
/// `slic explore` and the explicit automaton consider: one thread.
pub const MAIN_THREAD: i64 = 0x7FEF_FF00;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Live,
    Halted,
    Failed(AbortId),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instance {
    pub values: Vec<i64>,
    pub status: Status,
    /// The thread that created the instance or last changed it.
    pub owner: i64,
}

/// All instances. Rules without `watch` have one per thread, the main
/// thread's under the key `None`, another's under its thread; `watch`
/// rules one per object, under the object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Config {
    pub instances: BTreeMap<Option<i64>, Instance>,
}

/// What one step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Each abort, with the object of the instance (for `watch` rules).
    pub violations: Vec<(AbortId, Option<i64>)>,
    pub halts: Vec<Option<i64>>,
    /// Handlers that ran and changed something (state, abort or halt): by
    /// index in the automaton.
    pub effective_handlers: Vec<usize>,
}

struct StepEnv<'a> {
    values: &'a [i64],
    occurrence: &'a Occurrence,
}

impl Env for StepEnv<'_> {
    fn variable(&self, id: usize) -> i64 {
        self.values[id]
    }

    fn argument(&self, index: u32) -> Result<i64, Missing> {
        let value = self
            .occurrence
            .arguments
            .get(index as usize - 1)
            .copied()
            .flatten();
        value.ok_or(Missing::Argument(index))
    }

    fn deref(&self, index: u32) -> Result<i64, Missing> {
        let value = self
            .occurrence
            .pointees
            .get(index as usize - 1)
            .copied()
            .flatten();
        value.ok_or(Missing::Deref(index))
    }

    fn return_value(&self) -> Result<i64, Missing> {
        self.occurrence.return_value.ok_or(Missing::Return)
    }

    fn thread(&self) -> Result<i64, Missing> {
        Ok(self.occurrence.thread)
    }
}

impl Automaton {
    pub fn initial_config(&self) -> Config {
        let mut instances = BTreeMap::new();
        if self.watch.is_none() {
            instances.insert(None, self.fresh(MAIN_THREAD));
        }
        Config { instances }
    }

    /// Brings an occurrence's values into the types of the event's
    /// signature, as the C conversions at a call site would.
    pub fn normalize(&self, occurrence: &mut Occurrence) {
        let Some(id) = self.event_id(&occurrence.event) else {
            return;
        };
        let signature = &self.events[id].signature;
        if let Some(parameters) = &signature.parameters {
            for (value, parameter) in occurrence.arguments.iter_mut().zip(parameters) {
                *value = value.map(|v| parameter.ty.int.normalize(v));
            }
            for (value, parameter) in occurrence.pointees.iter_mut().zip(parameters) {
                if let Some(pointee) = parameter.pointee {
                    *value = value.map(|v| pointee.normalize(v));
                }
            }
        }
        if let Some(returns) = signature.returns {
            occurrence.return_value = occurrence.return_value.map(|v| returns.normalize(v));
        }
    }

    /// Runs one event on a configuration. An event the rule does not name
    /// changes nothing. A value a handler needs but the occurrence lacks is
    /// an error of the caller's trace.
    pub fn step(&self, config: &mut Config, occurrence: &Occurrence) -> Result<Outcome, Missing> {
        let mut outcome = Outcome::default();
        let Some(event) = self.event_id(&occurrence.event) else {
            return Ok(outcome);
        };
        let object_in = |index: u32| {
            occurrence
                .arguments
                .get(index as usize - 1)
                .copied()
                .flatten()
                .ok_or(Missing::Argument(index))
        };
        for step in self.plan(event) {
            let (index, on) = match step {
                Step::Create(argument) => {
                    self.materialize(config, object_in(argument)?, occurrence.thread);
                    continue;
                }
                Step::Run { handler, on } => (handler, on),
            };
            let thread = occurrence.thread;
            let keys: Vec<Option<i64>> = match on {
                Instances::Only => {
                    let key = (thread != MAIN_THREAD).then_some(thread);
                    config
                        .instances
                        .entry(key)
                        .or_insert_with(|| self.fresh(thread));
                    vec![key]
                }
                Instances::Object(argument) => {
                    let object = object_in(argument)?;
                    self.materialize(config, object, thread);
                    vec![Some(object)]
                }
                Instances::Every => config
                    .instances
                    .iter()
                    .filter(|(_, instance)| instance.owner == thread)
                    .map(|(key, _)| *key)
                    .collect(),
            };
            let handler = &self.handlers[index];
            for key in keys {
                let instance = config.instances.get_mut(&key).expect("a listed instance");
                if instance.status != Status::Live {
                    continue;
                }
                // Reports name the object of a `watch` rule's instance.
                let object = key.filter(|_| self.watch.is_some());
                if self.run(handler, instance, occurrence, object, &mut outcome)? {
                    instance.owner = thread;
                    outcome.effective_handlers.push(index);
                }
            }
        }
        let initial = self.initial();
        if self.sweeps() {
            config.instances.retain(|_, instance| {
                instance.status != Status::Live || instance.values != initial
            });
        }
        Ok(outcome)
    }

    /// The instance of an object, created (as `thread`'s) if it does not
    /// exist.
    fn materialize(&self, config: &mut Config, object: i64, thread: i64) {
        config
            .instances
            .entry(Some(object))
            .or_insert_with(|| self.fresh(thread));
    }

    /// An instance in the initial state, of `thread`.
    fn fresh(&self, thread: i64) -> Instance {
        Instance {
            values: self.initial(),
            status: Status::Live,
            owner: thread,
        }
    }

    /// Runs one handler on one instance; whether it changed anything.
    fn run(
        &self,
        handler: &Handler,
        instance: &mut Instance,
        occurrence: &Occurrence,
        key: Option<i64>,
        outcome: &mut Outcome,
    ) -> Result<bool, Missing> {
        let env = StepEnv {
            values: &instance.values,
            occurrence,
        };
        for path in &handler.paths {
            let mut taken = true;
            for (condition, polarity) in &path.conditions {
                if (eval::eval(condition, &env)? != 0) != *polarity {
                    taken = false;
                    break;
                }
            }
            if !taken {
                continue;
            }
            let mut values = instance.values.clone();
            for (id, value) in &path.updates {
                values[*id] = self.variables[*id]
                    .ty
                    .int
                    .normalize(eval::eval(value, &env)?);
            }
            let changed = values != instance.values || path.end != End::Done;
            instance.values = values;
            match path.end {
                End::Done => {}
                End::Abort(abort) => {
                    instance.status = Status::Failed(abort);
                    outcome.violations.push((abort, key));
                }
                End::Halt => {
                    instance.status = Status::Halted;
                    outcome.halts.push(key);
                }
            }
            return Ok(changed);
        }
        unreachable!("the paths of a handler are exhaustive")
    }
}
