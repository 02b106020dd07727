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
//! A trace is one thread. At run time, with several threads, the monitors
//! keep rules without `watch` per thread, and instances of `watch` rules per
//! object and thread: a thread sees its own lock discipline, and a handler
//! without a guard runs on the current thread's instances only. On a single
//! thread that is exactly the above.

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
}

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
}

/// All instances. Rules without `watch` have one, under the key `None`.
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
}

impl Automaton {
    pub fn initial_config(&self) -> Config {
        let mut instances = BTreeMap::new();
        if self.watch.is_none() {
            instances.insert(
                None,
                Instance {
                    values: self.initial(),
                    status: Status::Live,
                },
            );
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
                    self.materialize(config, object_in(argument)?);
                    continue;
                }
                Step::Run { handler, on } => (handler, on),
            };
            let keys: Vec<Option<i64>> = match on {
                Instances::Only => vec![None],
                Instances::Object(argument) => {
                    let object = object_in(argument)?;
                    self.materialize(config, object);
                    vec![Some(object)]
                }
                Instances::Every => config.instances.keys().copied().collect(),
            };
            let handler = &self.handlers[index];
            for key in keys {
                let instance = config.instances.get_mut(&key).expect("a listed instance");
                if instance.status != Status::Live {
                    continue;
                }
                if self.run(handler, instance, occurrence, key, &mut outcome)? {
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

    fn materialize(&self, config: &mut Config, object: i64) {
        config
            .instances
            .entry(Some(object))
            .or_insert_with(|| Instance {
                values: self.initial(),
                status: Status::Live,
            });
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
