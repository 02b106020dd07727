//! The whole pack woven at once means what each rule means alone: one
//! program with all 45 rules woven in by each weaver, run on random traces
//! over every rule's alphabet on two threads, reports at each step exactly
//! the violations the interpreter finds running each rule by itself.
//!
//! The monitors keep one state per thread for each shared model (the IRQL
//! model), however many rules include it, and run its handlers once per
//! event; the interpreter gives every rule its own copy. A shared state
//! that were updated twice, or not at all, for some rule, or that another
//! thread's events reached, gives another IRQL to the rules that read it,
//! and their verdicts differ here. The traces are random (a fixed seed):
//! the pack's alphabet is too large to search as `check_rule` does. A
//! third of the steps are events of the model, chosen event by event (the
//! locks that keep the IRQL to go back to are a few letters among
//! hundreds), and a step often returns from the innermost open call of a
//! thread, so that the calls the model follows complete.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use slic::automaton::{Automaton, EventInfo};
use slic::interp::{Config, MAIN_THREAD, Occurrence};
use slic::model::EventKind;

use super::program::{self, Program, Threads};
use super::{CLANG, Harness, SECOND_THREAD, Verdicts, build, describe, pack};
use crate::driver_support::{check_output, require_tool};
use crate::support::root;

const TRACES: usize = 2000;
const LENGTH: usize = 12;
/// An interpreter value of the first object (`obj1`).
const FIRST_OBJECT: i64 = 0x7FF0_0000;

/// xorshift64*: a fixed sequence, so a failure can be run again.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % bound
    }
}

/// Gives every value the event has (the values one rule's alphabet leaves
/// out may be read by another rule): a pointer the first object, a number
/// 0, as the harness would pass them anyway; and puts a step on another
/// thread on the one second thread.
fn complete(mut letter: Occurrence, events: &[EventInfo]) -> Occurrence {
    let info = events
        .iter()
        .find(|info| info.event == letter.event)
        .expect("an event of the pack");
    if let Some(parameters) = &info.signature.parameters {
        letter.arguments.resize(parameters.len(), None);
        for (value, parameter) in letter.arguments.iter_mut().zip(parameters) {
            if value.is_none() {
                *value = Some(if parameter.ty.pointer {
                    FIRST_OBJECT
                } else {
                    0
                });
            }
        }
    }
    let exit = matches!(letter.event.kind, EventKind::Exit | EventKind::Return);
    if exit && info.signature.returns.is_some() && letter.return_value.is_none() {
        letter.return_value = Some(0);
    }
    if letter.thread != MAIN_THREAD {
        letter.thread = SECOND_THREAD;
    }
    letter
}

/// The violations of one step: abort location, object index or -1.
type StepVerdicts = BTreeSet<(String, i64)>;

/// One interpreter step of every rule; `None` if some rule needs a value
/// the step does not give (a pointee).
fn interpret_all(
    automata: &[Automaton],
    configs: &[Config],
    letter: &Occurrence,
) -> Option<(Vec<Config>, StepVerdicts)> {
    let mut next = Vec::new();
    let mut verdicts = BTreeSet::new();
    for (automaton, config) in automata.iter().zip(configs) {
        let mut config = config.clone();
        let outcome = automaton.step(&mut config, letter).ok()?;
        for (abort, object) in outcome.violations {
            verdicts.insert((
                automaton.aborts[abort].location.clone(),
                object.and_then(program::object_of).unwrap_or(-1),
            ));
        }
        next.push(config);
    }
    Some((next, verdicts))
}

/// The C-woven program again, with the kernel flavour of the monitor
/// (`-DSLIC_KERNEL`: per-thread state in tables keyed by the thread, each
/// behind a spin lock, a model's table locked while the rules read it), on
/// the user-mode kernel functions of `tests/differential/kernel/`. In the
/// kernel every call counts, as in the interpreter.
fn kernel_harness(work: &Path) -> Harness {
    let differential = root().join("tests/differential");
    let executable = work.join("harness-kernel");
    let mut gcc = Command::new("gcc");
    gcc.args(["-O1", "-pthread", "-DSLIC_KERNEL", "-I"])
        .arg(differential.join("kernel"))
        .arg("-I")
        .arg(&differential)
        .arg("-I")
        .arg(work.join("monitor"))
        .arg(work.join("woven.c"))
        .arg(work.join("stubs.c"))
        .arg(differential.join("main.c"))
        .arg(work.join("monitor/slic_monitor.c"))
        .arg("-o")
        .arg(&executable);
    check_output(gcc, "gcc on the C-woven harness, kernel flavour");
    Harness { executable }
}

#[test]
fn the_whole_pack_woven_at_once_agrees_with_each_rule_alone() {
    require_tool("gcc");
    require_tool(CLANG);
    let (models, catalog) = pack();
    assert_eq!(models.len(), 45, "the whole pack");
    let automata: Vec<Automaton> = models.iter().map(slic::automaton::lower).collect();
    assert!(
        automata.iter().filter(|a| !a.models.is_empty()).count() >= 2,
        "rules that share a model"
    );

    let mut events: Vec<EventInfo> = Vec::new();
    for automaton in &automata {
        for info in &automaton.events {
            if !events.iter().any(|e| e.event == info.event) {
                events.push(info.clone());
            }
        }
    }
    let options = slic::explore::Options {
        depth: 1,
        objects: 2,
    };
    let mut alphabet: Vec<Occurrence> = Vec::new();
    for automaton in &automata {
        for letter in slic::explore::alphabet(automaton, &options) {
            for thread in [MAIN_THREAD, SECOND_THREAD] {
                let letter = complete(
                    Occurrence {
                        thread,
                        ..letter.clone()
                    },
                    &events,
                );
                if !alphabet.contains(&letter) {
                    alphabet.push(letter);
                }
            }
        }
    }
    let threads = Threads::of(&alphabet);
    let functions = program::functions_of(&events, &catalog);
    // A third of the steps are events of the model (raising, lowering, locks,
    // routines' entries), so that traces change the IRQL, and change it
    // back, before the calls the rules check.
    let mut model_events: BTreeSet<String> = BTreeSet::new();
    for automaton in &automata {
        for handler in automaton.handlers.iter().filter(|h| h.model.is_some()) {
            for &event in &handler.events {
                model_events.insert(automaton.events[event].event.to_string());
            }
        }
    }
    // Grouped by event, each event as likely as another.
    let mut model_letters: std::collections::BTreeMap<String, Vec<&Occurrence>> =
        Default::default();
    for letter in &alphabet {
        // The entry of a call whose exit the model handles: the exit
        // needs it first.
        let exit = slic::model::Event {
            kind: EventKind::Exit,
            ..letter.event.clone()
        };
        if model_events.contains(&letter.event.to_string())
            || model_events.contains(&exit.to_string())
        {
            model_letters
                .entry(letter.event.to_string())
                .or_default()
                .push(letter);
        }
    }
    let model_events: Vec<String> = model_letters.keys().cloned().collect();
    assert!(!model_letters.is_empty());
    // And many steps return from a call: a call of the driver's stays open
    // until its exit, and the calls opened after it must return first.
    let exits: Vec<&Occurrence> = alphabet
        .iter()
        .filter(|letter| matches!(letter.event.kind, EventKind::Exit | EventKind::Return))
        .collect();

    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut traces: Vec<(Vec<Occurrence>, Program, Verdicts)> = Vec::new();
    let initial: Vec<Config> = automata.iter().map(Automaton::initial_config).collect();
    let framed = |letter: &Occurrence| {
        functions
            .iter()
            .any(|f| f.target == letter.event.target && f.frames)
    };
    for _ in 0..TRACES {
        let mut trace: Vec<Occurrence> = Vec::new();
        let mut configs = initial.clone();
        let mut expected = Verdicts::new();
        let mut program = None;
        // The calls open on each thread, innermost last.
        let mut open: Vec<&Occurrence> = Vec::new();
        for _ in 0..LENGTH {
            // The exits that may close the innermost open call of a thread.
            let closing: Vec<&Occurrence> = exits
                .iter()
                .copied()
                .filter(|exit| {
                    open.iter()
                        .rev()
                        .find(|call| call.thread == exit.thread)
                        .is_some_and(|call| call.event.target == exit.event.target)
                })
                .collect();
            // A letter some program can run after the trace (not the exit
            // of a routine the thread is not in) and every rule can take.
            for _ in 0..64 {
                let letter = match random.below(10) {
                    0..4 if !closing.is_empty() => closing[random.below(closing.len())],
                    0..7 => {
                        let event = &model_events[random.below(model_events.len())];
                        let letters = &model_letters[event];
                        letters[random.below(letters.len())]
                    }
                    _ => &alphabet[random.below(alphabet.len())],
                };
                let mut longer = trace.clone();
                longer.push(letter.clone());
                let Some(translated) = program::translate(&functions, &threads, &longer) else {
                    continue;
                };
                let Some((next, verdicts)) = interpret_all(&automata, &configs, letter) else {
                    continue;
                };
                if framed(letter) {
                    if matches!(letter.event.kind, EventKind::Entry | EventKind::Call) {
                        open.push(letter);
                    } else {
                        let innermost = open
                            .iter()
                            .rposition(|call| call.thread == letter.thread)
                            .expect("an exit closes an open call");
                        open.remove(innermost);
                    }
                }
                trace = longer;
                configs = next;
                expected.push(verdicts);
                program = Some(translated);
                break;
            }
        }
        if let Some(program) = program {
            traces.push((trace, program, expected));
        }
    }
    assert!(traces.len() > TRACES / 2, "the traces run");
    let reported: usize = traces
        .iter()
        .map(|(_, _, expected)| expected.iter().filter(|v| !v.is_empty()).count())
        .sum();
    assert!(reported > 0, "some traces reach violations");
    // Of them, violations of rules that read the IRQL model after steps
    // that changed it: what a wrong shared state would change.
    let model_locations: BTreeSet<&str> = automata
        .iter()
        .filter(|a| !a.models.is_empty())
        .flat_map(|a| a.aborts.iter().map(|abort| abort.location.as_str()))
        .collect();
    let model_reported = traces
        .iter()
        .flat_map(|(_, _, expected)| expected.iter().flatten())
        .filter(|(location, _)| model_locations.contains(location.as_str()))
        .count();
    assert!(
        model_reported >= 100,
        "the traces reach violations of the rules that read the model: {model_reported}"
    );
    println!(
        "{} traces, {reported} steps with violations, {model_reported} violations of rules that read the model",
        traces.len()
    );

    let work = tempfile::tempdir().unwrap();
    let paths: Vec<&str> = automata.iter().map(|a| a.path.as_str()).collect();
    let mut harnesses = build(&paths, &functions, work.path());
    harnesses.push(("C kernel", kernel_harness(work.path())));
    let texts: Vec<String> = traces.iter().map(|(_, p, _)| p.text()).collect();
    let mut problems = Vec::new();
    for (name, harness) in &harnesses {
        let runs = harness.run(&texts);
        for ((trace, program, expected), run) in traces.iter().zip(runs) {
            if run.failure.is_some() || &run.verdicts != expected {
                problems.push(format!(
                    "{name} monitor: {}\n  trace: {}\n  program: {}\n  interpreter: {expected:?}\n  monitor: {:?}",
                    run.failure.as_deref().unwrap_or("different verdicts"),
                    describe(&threads, trace),
                    program.text(),
                    run.verdicts
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} traces differ:\n{}",
        problems.len(),
        traces.len() * harnesses.len(),
        problems[..problems.len().min(10)].join("\n\n")
    );
}
