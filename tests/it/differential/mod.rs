//! A rule means one thing: for every rule of the pack, every event trace of
//! up to six events gets the same verdicts (which abort, at which step, for
//! which object) from the interpreter, from the C monitor woven into a
//! program by the C weaver, and from the IR monitor woven into the same
//! program by the IR weaver.
//!
//! The traces are built from `explore`'s alphabet (two objects for `watch`
//! rules, every constant the rule compares with and one it does not) on
//! two threads. Each step runs on the thread it names, a real thread of
//! the program, so the monitors keep per-thread state and see `$thread`
//! as the interpreter does. Traces no program can produce, such as the
//! exit of a cancel routine that was never entered, are left out. Every
//! trace runs from the initial state in a fresh process
//! (`tests/differential/main.c`).
//!
//! The search is over states, not sequences: a trace is extended only if
//! the state it reaches, taken together in the interpreter and in the C
//! monitor (which prints its whole state under `SLIC_TESTING`) and with
//! the routines it is inside, is new. Equal states behave alike from then
//! on, so this covers every trace up to the depth and costs hundreds of
//! thousands of runs instead of the billions of sequences.
//!
//! Rules that include a shared model (the IRQL model) have the model's
//! events in their alphabet too, some forty of them, and its states times
//! their own: every trace of six events would be tens of thousands of runs
//! per rule. They are searched to `DEPTH_WITH_MODEL` events, which runs
//! each of their handlers at every IRQL the model can reach in two events
//! (all of them: `KeLowerIrql` sets any); the model itself, which is the
//! same code in each of them, is searched to the full depth on its own,
//! with the probe rule of `tests/fixtures/models/`, on one thread (its
//! states on two threads multiply: that search had not ended after 47
//! minutes, at 14 GB), and on two threads to `DEPTH_WITH_MODEL`.

mod program;

use std::collections::{BTreeSet, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use slic::automaton::Automaton;
use slic::interp::{Config, MAIN_THREAD, Occurrence};
use slic::model::Target;

use crate::driver_support::{check_output, require_tool};
use crate::support::root;
use program::{Function, Program, Threads};

const DEPTH: usize = 6;
/// The interpreter's name of the second thread of rules that do not read
/// `$thread` (any value other than the main thread's).
const SECOND_THREAD: i64 = MAIN_THREAD - 0x100;
/// The depth for the pack's rules that include a shared model (see the
/// module comment).
const DEPTH_WITH_MODEL: usize = 3;
const CLANG: &str = "clang-19";

/// The verdicts of one trace: for each step, the violations reported
/// (abort location, object index or -1).
type Verdicts = Vec<BTreeSet<(String, i64)>>;

struct Run {
    verdicts: Verdicts,
    /// The monitor's state at the end, if it printed it: its instances as
    /// each thread sees them (`tN` and the `S` line). A set: the table
    /// prints instances in slot order, which follows the objects'
    /// addresses, and those move from one run of the harness to the next.
    state: BTreeSet<String>,
    failure: Option<String>,
}

/// A compiled harness: one program for one rule and one weaver.
struct Harness {
    executable: PathBuf,
}

impl Harness {
    /// Runs each program in a fresh process; one result per program.
    fn run(&self, programs: &[String]) -> Vec<Run> {
        let mut child = Command::new(&self.executable)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the harness runs");
        let input: String = programs.iter().map(|p| format!("{p}\n")).collect();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap().expect("the harness reads its input");
        assert!(
            output.status.success(),
            "{}: {}",
            self.executable.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        let mut runs = Vec::new();
        let mut current = Run {
            verdicts: Vec::new(),
            state: BTreeSet::new(),
            failure: None,
        };
        let mut viewer = String::new();
        for line in text.lines() {
            if line == "end" {
                runs.push(std::mem::replace(
                    &mut current,
                    Run {
                        verdicts: Vec::new(),
                        state: BTreeSet::new(),
                        failure: None,
                    },
                ));
            } else if line.starts_with('@') {
                current.verdicts.push(BTreeSet::new());
            } else if let Some(report) = line.strip_prefix("V ") {
                let (location, object) = report.rsplit_once(' ').unwrap();
                let step = current
                    .verdicts
                    .last_mut()
                    .expect("reports come after a step");
                step.insert((location.to_string(), object.parse().unwrap()));
            } else if let Some(thread) = line.strip_prefix("W ") {
                viewer = thread.to_string();
            } else if line.starts_with("S ") {
                current.state.insert(format!("{viewer} {line}"));
            } else {
                current.failure = Some(line.to_string());
            }
        }
        assert_eq!(runs.len(), programs.len(), "one result per trace");
        runs
    }
}

/// The interpreter's verdicts, and the configuration at the end.
fn interpret(
    automaton: &Automaton,
    start: &Config,
    step: &Occurrence,
) -> (Config, BTreeSet<(String, i64)>) {
    let mut config = start.clone();
    let outcome = automaton
        .step(&mut config, step)
        .unwrap_or_else(|missing| panic!("{}: {step:?}: {missing:?}", automaton.name));
    let verdicts = outcome
        .violations
        .iter()
        .map(|(abort, object)| {
            (
                automaton.aborts[*abort].location.clone(),
                object.and_then(program::object_of).unwrap_or(-1),
            )
        })
        .collect();
    (config, verdicts)
}

fn slic(arguments: &[&str]) {
    let output = crate::support::run_slic(arguments);
    assert!(
        output.status.success(),
        "slic {}: {}",
        arguments.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Builds the program of a rule woven by both weavers.
fn build(rule: &str, functions: &[Function], work: &Path) -> Vec<(&'static str, Harness)> {
    let differential = root().join("tests/differential");
    std::fs::write(work.join("harness.c"), program::harness_source(functions)).unwrap();
    std::fs::write(work.join("stubs.c"), program::stubs_source(functions)).unwrap();
    let mut weave: Vec<String> = vec!["weave".into(), "--rule".into(), rule.into()];
    for function in functions {
        if let Target::Role(role) = function.target {
            weave.push("--role".into());
            weave.push(format!("{}={}", role.key(), Function::routine(role)));
        }
    }
    let path = |name: &str| work.join(name).display().to_string();
    let monitor = path("monitor");
    slic(&["monitor", "--rule", rule, "-o", &monitor]);

    // The C weaver, and the C monitor with its state printer.
    let mut c_weave: Vec<&str> = weave.iter().map(String::as_str).collect();
    let (harness_c, woven_c) = (path("harness.c"), path("woven.c"));
    c_weave.extend([
        "-I",
        differential.to_str().unwrap(),
        &harness_c,
        "-o",
        &woven_c,
    ]);
    slic(&c_weave);
    let c_executable = work.join("harness-c");
    let mut gcc = Command::new("gcc");
    // With SLIC_SHARED_STATE (as `slic cc` builds it) the monitor's state
    // is global, so main.c can read each thread's `$thread` and print
    // states with thread numbers.
    gcc.args([
        "-O1",
        "-pthread",
        "-DSLIC_TESTING",
        "-DSLIC_SHARED_STATE",
        "-I",
    ])
    .arg(&differential)
    .arg("-I")
    .arg(&monitor)
    .arg(&woven_c)
    .arg(work.join("stubs.c"))
    .arg(differential.join("main.c"))
    .arg(work.join("monitor/slic_monitor.c"))
    .arg("-o")
    .arg(&c_executable);
    check_output(gcc, "gcc on the C-woven harness");

    let mut harnesses = vec![(
        "C",
        Harness {
            executable: c_executable,
        },
    )];
    // The IR weaver: clang's IR of the same program.
    let (harness_ll, woven_ll) = (path("harness.ll"), path("woven.ll"));
    let mut emit = Command::new(CLANG);
    // As `slic cc` does: IR at -O0 (optnone off), so that nothing is
    // inlined before weaving; the optimiser runs on the woven module.
    emit.args([
        "-O0",
        "-Xclang",
        "-disable-O0-optnone",
        "-S",
        "-emit-llvm",
        "-I",
    ])
    .arg(&differential)
    .arg(&harness_c)
    .arg("-o")
    .arg(&harness_ll);
    check_output(emit, "clang on the harness");
    let mut ir_weave: Vec<&str> = weave.iter().map(String::as_str).collect();
    ir_weave.extend([harness_ll.as_str(), "-o", &woven_ll]);
    slic(&ir_weave);
    let ir_executable = work.join("harness-ir");
    let mut link = Command::new(CLANG);
    link.args(["-O1", "-pthread", "-I"])
        .arg(&differential)
        .arg("-I")
        .arg(&monitor)
        .arg(&woven_ll)
        .arg(work.join("stubs.c"))
        .arg(differential.join("main.c"))
        .arg("-o")
        .arg(&ir_executable);
    check_output(link, "clang on the IR-woven harness");
    harnesses.push((
        "IR",
        Harness {
            executable: ir_executable,
        },
    ));
    harnesses
}

/// A trace the search reached, with what the interpreter holds after it.
struct Node {
    trace: Vec<Occurrence>,
    config: Config,
    expected: Verdicts,
}

/// How many threads the traces of a search run on.
#[derive(Clone, Copy)]
enum Threading {
    /// Those `explore` gives: a second thread only for rules that read
    /// `$thread`.
    AsExplored,
    /// A second thread for every rule (see [`with_second_thread`]).
    Two,
}

/// Checks one rule; returns how many traces ran, or the disagreements.
fn check_rule(
    automaton: &Automaton,
    catalog: &slic::catalog::Catalog,
    depth: usize,
    threading: Threading,
) -> Result<usize, Vec<String>> {
    let work = tempfile::tempdir().unwrap();
    let functions = program::functions(automaton, catalog);
    let harnesses = build(&automaton.path, &functions, work.path());
    let options = slic::explore::Options { depth, objects: 2 };
    let alphabet = slic::explore::alphabet(automaton, &options);
    let alphabet = match threading {
        Threading::AsExplored => alphabet,
        Threading::Two => with_second_thread(alphabet),
    };
    let threads = Threads::of(&alphabet);
    let mut frontier = vec![Node {
        trace: Vec::new(),
        config: automaton.initial_config(),
        expected: Vec::new(),
    }];
    let mut seen: HashSet<(Config, Vec<String>, BTreeSet<String>)> = HashSet::new();
    let mut problems = Vec::new();
    let mut runs = 0;
    for _ in 0..depth {
        let mut nodes = Vec::new();
        let mut programs: Vec<Program> = Vec::new();
        for node in &frontier {
            for letter in &alphabet {
                let mut trace = node.trace.clone();
                trace.push(letter.clone());
                let Some(program) = program::translate(&functions, &threads, &trace) else {
                    continue;
                };
                let (config, verdict) = interpret(automaton, &node.config, letter);
                let mut expected = node.expected.clone();
                expected.push(verdict);
                nodes.push(Node {
                    trace,
                    config,
                    expected,
                });
                programs.push(program);
            }
        }
        let texts: Vec<String> = programs.iter().map(Program::text).collect();
        // The two programs at once: each runs its traces one by one.
        let mut results: Vec<std::vec::IntoIter<Run>> = std::thread::scope(|scope| {
            let running: Vec<_> = harnesses
                .iter()
                .map(|(_, harness)| scope.spawn(|| harness.run(&texts)))
                .collect();
            running
                .into_iter()
                .map(|handle| handle.join().unwrap().into_iter())
                .collect()
        });
        runs += texts.len();
        let mut next = Vec::new();
        for (node, program) in nodes.into_iter().zip(&programs) {
            let node_runs: Vec<Run> = results.iter_mut().map(|r| r.next().unwrap()).collect();
            for ((name, _), run) in harnesses.iter().zip(&node_runs) {
                if run.failure.is_some() || run.verdicts != node.expected {
                    problems.push(format!(
                        "{}: {name} monitor: {}\n  trace: {}\n  program: {}\n  interpreter: {:?}\n  monitor: {:?}",
                        automaton.name,
                        run.failure.as_deref().unwrap_or("different verdicts"),
                        describe(&threads, &node.trace),
                        program.text(),
                        node.expected,
                        run.verdicts
                    ));
                }
            }
            if problems.len() > 10 {
                return Err(problems);
            }
            // The C monitor prints its state (the first harness).
            let state = node_runs[0].state.clone();
            if seen.insert((node.config.clone(), program.open_calls(), state)) {
                next.push(node);
            }
        }
        frontier = next;
    }
    if problems.is_empty() {
        Ok(runs)
    } else {
        Err(problems)
    }
}

/// `explore` adds a second thread only for rules that read `$thread`; but
/// every rule's state depends on threads (per thread without `watch`,
/// instances that belong to a thread with it), so the others get one here.
fn with_second_thread(mut alphabet: Vec<Occurrence>) -> Vec<Occurrence> {
    if alphabet.iter().all(|o| o.thread == MAIN_THREAD) {
        let second: Vec<Occurrence> = alphabet
            .iter()
            .map(|o| Occurrence {
                thread: SECOND_THREAD,
                ..o.clone()
            })
            .collect();
        alphabet.extend(second);
    }
    alphabet
}

/// How deep the search over a rule's traces goes.
fn depth_for(automaton: &Automaton) -> usize {
    if automaton.models.is_empty() {
        DEPTH
    } else {
        DEPTH_WITH_MODEL
    }
}

fn describe(threads: &Threads, trace: &[Occurrence]) -> String {
    trace
        .iter()
        .map(|o| {
            let values: Vec<String> = o
                .arguments
                .iter()
                .map(|a| {
                    a.map_or("_".to_string(), |v| {
                        program::object_of(v).map_or(v.to_string(), |i| format!("obj{}", i + 1))
                    })
                })
                .collect();
            let mut text = format!(
                "{}{}({})",
                threads.prefix(o.thread),
                o.event,
                values.join(", ")
            );
            if let Some(r) = o.return_value {
                text.push_str(&format!(" -> {r}"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn every_pack_rule_agrees_in_interpreter_c_and_ir() {
    require_tool("gcc");
    require_tool(CLANG);
    let loader = slic::pack::loader();
    let mut session = slic::frontend::Session::new(&loader);
    let (models, diagnostics) = slic::frontend::compile_pack(&mut session);
    assert!(!slic::diagnostic::has_errors(&diagnostics));
    let catalog_text = std::fs::read_to_string(root().join("rules/wdm/ddi.h")).unwrap();
    let (catalog, _) = slic::catalog::parse(Default::default(), &catalog_text);
    let mut problems = Vec::new();
    let mut summary = Vec::new();
    for model in &models {
        let automaton = slic::automaton::lower(model);
        match check_rule(&automaton, &catalog, depth_for(&automaton), Threading::Two) {
            Ok(runs) => summary.push(format!("{}: {runs} traces", automaton.name)),
            Err(found) => problems.extend(found),
        }
    }
    assert_eq!(models.len(), 45, "the whole pack");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    println!("{}", summary.join("\n"));
}

/// The shared models of the pack, each under `tests/fixtures/models/` with
/// a rule that includes it, at the full depth on one thread (and on two to
/// `DEPTH_WITH_MODEL`): the pack's rules that include a model are searched
/// to `DEPTH_WITH_MODEL` only, so the long traces through the model's own
/// handlers are run here.
#[test]
fn every_model_agrees_in_interpreter_c_and_ir_at_full_depth() {
    require_tool("gcc");
    require_tool(CLANG);
    let catalog_text = std::fs::read_to_string(root().join("rules/wdm/ddi.h")).unwrap();
    let (catalog, _) = slic::catalog::parse(Default::default(), &catalog_text);
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("tests/fixtures/models")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "slic") {
            continue;
        }
        let compiled = crate::support::compile_file(&path);
        let model = compiled.model.expect("the model fixtures check");
        let automaton = slic::automaton::lower(&model);
        assert!(
            !automaton.models.is_empty(),
            "{} includes a model",
            path.display()
        );
        // On one thread at the full depth; on two, where the model's states
        // on each thread multiply (the search at the full depth had not ended
        // after 47 minutes, at 14 GB), at the depth of the pack's rules.
        for (depth, threading) in [
            (DEPTH, Threading::AsExplored),
            (DEPTH_WITH_MODEL, Threading::Two),
        ] {
            if let Err(problems) = check_rule(&automaton, &catalog, depth, threading) {
                panic!("{}", problems.join("\n\n"));
            }
        }
        checked += 1;
    }
    assert!(checked >= 1, "no model fixtures");
}
