//! `slic explore`: breadth-first search over event sequences for the
//! shortest trace to every `abort`.
//!
//! Event values are drawn from small sets that cover every distinction a
//! rule can make: for a pointer the rule looks at, two (or more) distinct
//! objects, and `NULL` too where the rule compares that argument with
//! `NULL`; for a number, every constant the rule mentions and one value it
//! does not; a value no handler reads gets one fixed value. Configurations
//! already seen are not explored again, so the search is over states, not
//! over the (exponentially many) sequences.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::automaton::rewrite::walk;
use crate::automaton::{Automaton, EventId};
use crate::diagnostic::{Code, Diagnostic};
use crate::interp::{Config, MAIN_THREAD, Occurrence};
use crate::model::{BinaryOp, ExprKind, TypedExpr};
use crate::trace::{self, Expected, Objects, Step, Trace, Value};

pub struct Options {
    pub depth: usize,
    /// Distinct objects for pointer values (at least 2 for `watch` rules).
    pub objects: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            depth: 8,
            objects: 2,
        }
    }
}

pub struct Exploration {
    /// For each abort of the rule, in order: the shortest trace found.
    pub shortest: Vec<Option<Trace>>,
    pub warnings: Vec<Diagnostic>,
    pub states: usize,
    pub steps: usize,
}

/// Which values of an event some handler reads.
#[derive(Default, Clone)]
struct Reads {
    arguments: BTreeSet<u32>,
    /// Pointer arguments some handler compares with `NULL`.
    null_compared: BTreeSet<u32>,
    pointees: BTreeSet<u32>,
    returns: bool,
    thread: bool,
}

/// Every occurrence the search tries at each step: each event of the rule
/// with each combination of the values it distinguishes.
pub fn alphabet(automaton: &Automaton, options: &Options) -> Vec<Occurrence> {
    let inputs = Inputs::new(automaton, options);
    (0..automaton.events.len())
        .flat_map(|event| inputs.choices_for(automaton, event))
        .collect()
}

pub fn explore(automaton: &Automaton, options: &Options) -> Exploration {
    let inputs = Inputs::new(automaton, options);
    let occurrences = alphabet(automaton, options);
    let mut shortest: Vec<Option<Trace>> = vec![None; automaton.aborts.len()];
    let mut effective = vec![false; automaton.handlers.len()];
    // Parent links: configuration index -> (parent index, occurrence index).
    let mut configs: Vec<(Config, Option<(usize, usize)>)> =
        vec![(automaton.initial_config(), None)];
    let mut seen: HashSet<Config> = HashSet::from([automaton.initial_config()]);
    let mut frontier: VecDeque<(usize, usize)> = VecDeque::from([(0, 0)]);
    let mut steps = 0;
    while let Some((index, depth)) = frontier.pop_front() {
        if depth == options.depth {
            continue;
        }
        for (occurrence_index, occurrence) in occurrences.iter().enumerate() {
            let mut config = configs[index].0.clone();
            steps += 1;
            let Ok(outcome) = automaton.step(&mut config, occurrence) else {
                continue;
            };
            for &handler in &outcome.effective_handlers {
                effective[handler] = true;
            }
            for (abort, _) in &outcome.violations {
                if shortest[*abort].is_none() {
                    let mut path = lineage(&configs, index);
                    path.push(occurrence_index);
                    let name = format!("reaches: {}", automaton.aborts[*abort].message);
                    shortest[*abort] = Some(inputs.trace(automaton, &occurrences, &path, name));
                }
            }
            if seen.insert(config.clone()) {
                configs.push((config, Some((index, occurrence_index))));
                frontier.push_back((configs.len() - 1, depth + 1));
            }
        }
    }
    let mut warnings = Vec::new();
    for (abort, found) in shortest.iter().enumerate() {
        if found.is_none() {
            let info = &automaton.aborts[abort];
            warnings.push(
                Diagnostic::new(
                    Code::UnreachableAbort,
                    info.span,
                    format!(
                        "no trace of up to {} events reaches this abort",
                        options.depth
                    ),
                )
                .with_label("never reached")
                .with_note(
                    "a deeper search (`--depth`) may reach it, or its condition can never hold",
                ),
            );
        }
    }
    for (handler, was_effective) in effective.iter().enumerate() {
        if !was_effective {
            warnings.push(
                Diagnostic::new(
                    Code::InertHandler,
                    automaton.handlers[handler].span,
                    format!(
                        "this handler never changes anything in traces of up to {} events",
                        options.depth
                    ),
                )
                .with_label("no effect on any explored trace"),
            );
        }
    }
    Exploration {
        shortest,
        warnings,
        states: configs.len(),
        steps,
    }
}

/// The occurrences from the initial configuration to `index`.
fn lineage(configs: &[(Config, Option<(usize, usize)>)], mut index: usize) -> Vec<usize> {
    let mut path = Vec::new();
    while let Some((parent, occurrence)) = configs[index].1 {
        path.push(occurrence);
        index = parent;
    }
    path.reverse();
    path
}

/// The candidate values of every event, and how to write them in a trace.
struct Inputs {
    objects: Objects,
    /// The main thread, and a second one when the rule reads `$thread`.
    threads: Vec<i64>,
    addresses: Vec<i64>,
    object_count: usize,
    numbers: Vec<i64>,
    reads: HashMap<EventId, Reads>,
}

impl Inputs {
    fn new(automaton: &Automaton, options: &Options) -> Inputs {
        let mut reads: HashMap<EventId, Reads> = HashMap::new();
        let mut constants = BTreeSet::from([0, 1]);
        for handler in &automaton.handlers {
            let mut handler_reads = Reads::default();
            handler_reads.arguments.extend(handler.guard);
            for path in &handler.paths {
                let expressions = path
                    .conditions
                    .iter()
                    .map(|(c, _)| c)
                    .chain(path.updates.iter().map(|(_, v)| v));
                for expression in expressions {
                    collect(expression, &mut handler_reads, &mut constants);
                }
            }
            for &event in &handler.events {
                let entry = reads.entry(event).or_default();
                entry.arguments.extend(&handler_reads.arguments);
                entry.null_compared.extend(&handler_reads.null_compared);
                entry.pointees.extend(&handler_reads.pointees);
                entry.returns |= handler_reads.returns;
                entry.thread |= handler_reads.thread;
            }
        }
        if let Some(watch) = &automaton.watch {
            reads
                .entry(watch.event)
                .or_default()
                .arguments
                .insert(watch.argument);
        }
        // One number the rule does not mention stands for "anything else".
        let other = constants
            .iter()
            .max()
            .copied()
            .unwrap_or(0)
            .saturating_add(1);
        constants.insert(other);
        let mut objects = Objects::default();
        let object_count = options.objects.max(1);
        let addresses = (1..=object_count)
            .map(|i| objects.address(&format!("obj{i}")))
            .collect();
        let mut threads = vec![MAIN_THREAD];
        if reads.values().any(|r| r.thread) {
            threads.push(objects.address("t2"));
        }
        Inputs {
            objects,
            threads,
            addresses,
            object_count,
            numbers: constants.into_iter().collect(),
            reads,
        }
    }

    fn object(&self, index: usize) -> i64 {
        self.addresses[index]
    }

    fn choices_for(&self, automaton: &Automaton, event: EventId) -> Vec<Occurrence> {
        let info = &automaton.events[event];
        let reads = self.reads.get(&event).cloned().unwrap_or_default();
        let parameters = info.signature.parameters.clone().unwrap_or_default();
        // Values no handler reads are left out (`_` in a trace).
        let arity = reads
            .arguments
            .iter()
            .chain(&reads.pointees)
            .copied()
            .max()
            .unwrap_or(0);
        // Each position's candidates; the product is every occurrence.
        let mut positions: Vec<Vec<(Option<i64>, Option<i64>)>> = Vec::new();
        for position in 1..=arity {
            let pointer = parameters
                .get(position as usize - 1)
                .is_none_or(|p| p.ty.pointer);
            let values: Vec<Option<i64>> = if reads.arguments.contains(&position) {
                if pointer {
                    let null = reads.null_compared.contains(&position).then_some(Some(0));
                    (0..self.object_count)
                        .map(|i| Some(self.object(i)))
                        .chain(null)
                        .collect()
                } else {
                    self.numbers.iter().map(|&n| Some(n)).collect()
                }
            } else {
                vec![None]
            };
            let pointees: Vec<Option<i64>> = if reads.pointees.contains(&position) {
                self.numbers.iter().map(|&n| Some(n)).collect()
            } else {
                vec![None]
            };
            let mut candidates = Vec::new();
            for &value in &values {
                for &pointee in &pointees {
                    candidates.push((value, pointee));
                }
            }
            positions.push(candidates);
        }
        let returns: Vec<Option<i64>> = if reads.returns {
            if info.signature.returns == Some(crate::types::IntType::POINTER) {
                (0..self.object_count)
                    .map(|i| Some(self.object(i)))
                    .chain([Some(0)])
                    .collect()
            } else {
                self.numbers.iter().map(|&n| Some(n)).collect()
            }
        } else {
            vec![None]
        };
        let mut occurrences = vec![Occurrence {
            thread: MAIN_THREAD,
            event: info.event.clone(),
            arguments: Vec::new(),
            pointees: Vec::new(),
            return_value: None,
        }];
        for candidates in positions {
            let mut next = Vec::new();
            for occurrence in &occurrences {
                for &(value, pointee) in &candidates {
                    let mut extended = occurrence.clone();
                    extended.arguments.push(value);
                    extended.pointees.push(pointee);
                    next.push(extended);
                }
            }
            occurrences = next;
        }
        let mut with_returns = Vec::new();
        for occurrence in occurrences {
            for &return_value in &returns {
                for &thread in &self.threads {
                    let mut complete = occurrence.clone();
                    complete.return_value = return_value;
                    complete.thread = thread;
                    automaton.normalize(&mut complete);
                    with_returns.push(complete);
                }
            }
        }
        with_returns
    }

    /// A trace for a path of occurrence indexes, with every outcome of
    /// every step written in, so it passes as a test.
    fn trace(
        &self,
        automaton: &Automaton,
        occurrences: &[Occurrence],
        path: &[usize],
        name: String,
    ) -> Trace {
        let mut config = automaton.initial_config();
        let mut steps = Vec::new();
        for &index in path {
            let occurrence = &occurrences[index];
            let outcome = automaton
                .step(&mut config, occurrence)
                .expect("explored steps run");
            let object = |o: &Option<i64>| o.map(|o| Value::Name(self.objects.write(o)));
            let mut expected: Vec<Expected> = outcome
                .violations
                .iter()
                .map(|(abort, o)| Expected::Abort {
                    message: automaton.aborts[*abort].message.clone(),
                    object: object(o),
                    span: Default::default(),
                })
                .collect();
            expected.extend(outcome.halts.iter().map(|o| Expected::Halt {
                object: object(o),
                span: Default::default(),
            }));
            steps.push(self.step(automaton, occurrence, expected));
        }
        Trace {
            name,
            span: Default::default(),
            steps,
        }
    }

    fn step(
        &self,
        automaton: &Automaton,
        occurrence: &Occurrence,
        expected: Vec<Expected>,
    ) -> Step {
        let event = &occurrence.event;
        let value = |v: i64, pointer: bool| {
            if pointer {
                Value::Name(self.objects.write(v))
            } else {
                Value::Number(v)
            }
        };
        let signature = automaton
            .event_id(event)
            .map(|id| &automaton.events[id].signature);
        let is_pointer = |index: usize| {
            signature
                .and_then(|s| s.parameters.as_ref())
                .and_then(|p| p.get(index))
                .is_none_or(|p| p.ty.pointer)
        };
        let arguments = occurrence
            .arguments
            .iter()
            .zip(&occurrence.pointees)
            .enumerate()
            .map(|(index, (argument, pointee))| trace::Argument {
                value: argument.map_or(Value::Omitted, |a| value(a, is_pointer(index))),
                pointee: pointee.map(Value::Number),
            })
            .collect();
        let returns_pointer =
            signature.is_some_and(|s| s.returns == Some(crate::types::IntType::POINTER));
        Step {
            thread: (occurrence.thread != MAIN_THREAD)
                .then(|| self.objects.write(occurrence.thread)),
            function: event.target.name().to_string(),
            kind: event.kind.as_str().to_string(),
            span: Default::default(),
            arguments,
            returns: occurrence.return_value.map(|v| value(v, returns_pointer)),
            expected,
        }
    }
}

/// Records the event values an expression reads and the constants it
/// compares with.
fn collect(expr: &TypedExpr, reads: &mut Reads, constants: &mut BTreeSet<i64>) {
    walk(expr, &mut |node| {
        if let ExprKind::Binary {
            op: BinaryOp::Eq | BinaryOp::Ne,
            left,
            right,
            ..
        } = &node.kind
        {
            for (a, b) in [(left, right), (right, left)] {
                if let (ExprKind::Argument(n), ExprKind::Constant(_)) = (&a.kind, &b.kind)
                    && a.ty.pointer
                    && b.ty.pointer
                {
                    reads.null_compared.insert(*n);
                }
            }
        }
    });
    walk(expr, &mut |node| match node.kind {
        ExprKind::Argument(n) => {
            reads.arguments.insert(n);
        }
        ExprKind::Deref(n) => {
            reads.pointees.insert(n);
        }
        ExprKind::Return => reads.returns = true,
        ExprKind::Thread => reads.thread = true,
        ExprKind::Constant(value) if !node.ty.pointer => {
            constants.insert(value);
        }
        _ => {}
    });
}
