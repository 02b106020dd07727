//! The automaton IR and the interpreter: trace fixtures, graphs, exploration.
//!
//! Every rule under `tests/fixtures/rules/` and in the built-in pack ships
//! trace tests; all must pass, and the step-by-step states of every trace
//! are pinned by snapshots.

use std::path::Path;
use std::process::Command;

use slic::automaton::explicit::{self, DEFAULT_BOUND};
use slic::automaton::{self, Automaton};
use slic::explore::{self, Options};
use slic::span::FileId;
use slic::{graph, testing, trace};

use crate::support::{compile_file, compile_text, root};

fn automaton(path: &Path) -> (Automaton, std::rc::Rc<slic::catalog::Catalog>) {
    let compiled = compile_file(path);
    let model = compiled.model.unwrap_or_else(|| {
        panic!(
            "{} does not check:\n{}",
            path.display(),
            slic::render::to_text(&compiled.sources, &compiled.diagnostics)
        )
    });
    let catalog = slic::catalog::parse(
        FileId(0),
        slic::pack::file(slic::pack::DEFAULT_CATALOG).unwrap(),
    )
    .0;
    (automaton::lower(&model), std::rc::Rc::new(catalog))
}

fn run_traces(rule: &Path) -> Vec<testing::TraceResult> {
    let (automaton, catalog) = automaton(rule);
    let text = std::fs::read_to_string(rule.with_extension("traces"))
        .expect("a .traces file beside the rule");
    let (traces, diagnostics) = trace::parse(FileId(0), &text);
    assert!(
        diagnostics.is_empty(),
        "{}: {diagnostics:?}",
        rule.display()
    );
    let (results, diagnostics) = testing::run(&automaton, &catalog, &traces);
    assert!(
        diagnostics.is_empty(),
        "{}: {diagnostics:?}",
        rule.display()
    );
    results
}

#[test]
fn fixture_traces_pass_and_their_states_are_pinned() {
    insta::glob!("../fixtures/rules", "*.slic", |path| {
        insta::assert_snapshot!(passing_trace_log(path));
    });
}

/// The shared models of the pack, each with a rule that includes it under
/// `tests/fixtures/models/`: every state of the model along the traces is
/// pinned.
#[test]
fn model_traces_pass_and_their_states_are_pinned() {
    let mut count = 0;
    insta::glob!("../fixtures/models", "*.slic", |path| {
        insta::assert_snapshot!(passing_trace_log(path));
        count += 1;
    });
    assert!(count >= 1, "no model fixtures");
}

/// The log of every trace of a rule, all of which must pass.
fn passing_trace_log(path: &Path) -> String {
    let results = run_traces(path);
    assert!(results.len() >= 2, "{} has too few traces", path.display());
    let mut log = String::new();
    for result in &results {
        assert!(
            result.passed(),
            "{}: {:?}\n{}",
            result.name,
            result.mismatches,
            result.log
        );
        log.push_str(&result.log);
    }
    log
}

#[test]
fn failing_traces_say_what_went_wrong() {
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args(["test", "tests/fixtures/failing/counter.slic"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    insta::assert_snapshot!(format!("{stdout}\n--- stderr ---\n{stderr}"));
}

#[test]
fn graphs_of_fixture_rules() {
    insta::glob!("../fixtures/rules", "*.slic", |path| {
        let (automaton, _) = automaton(path);
        let graph = explicit::build(&automaton, DEFAULT_BOUND).expect("fixture rules are finite");
        let dot = graph::to_dot(&automaton, &graph);
        insta::assert_snapshot!("dot", dot);
        insta::assert_snapshot!("json", graph::to_json(&automaton, &graph));
    });
}

#[test]
fn graph_follows_the_interpreter_on_the_counter() {
    // Three nested entries, then the fourth aborts: states 0..3 and the
    // error, with the bound never reached.
    let (automaton, _) = automaton(&root().join("tests/fixtures/rules/counter.slic"));
    let graph = explicit::build(&automaton, DEFAULT_BOUND).unwrap();
    let states: Vec<String> = graph
        .nodes
        .iter()
        .filter_map(|node| match node {
            explicit::Node::State(values) => Some(automaton.state_name(values)),
            _ => None,
        })
        .collect();
    assert_eq!(states, ["depth=0", "depth=1", "depth=2", "depth=3"]);
    assert_eq!(graph.bounded, None);
}

#[test]
fn integer_variables_are_explored_up_to_the_bound() {
    let text = "state { int n = 0; }\nKeEnterCriticalRegion.exit { n = n + 1; }\nSDV_RunDispatchFunction.exit { if (n > 100) { abort \"deep\"; } }\n";
    let compiled = compile_text(Path::new("bounded.slic"), "bounded.slic", text);
    let automaton = automaton::lower(&compiled.model.unwrap());
    let graph = explicit::build(&automaton, 4).unwrap();
    assert_eq!(graph.bounded, Some(4));
    assert!(graph.nodes.contains(&explicit::Node::Beyond));
    assert!(graph::to_dot(&automaton, &graph).contains("integers explored up to 4"));
}

#[test]
fn variables_holding_event_values_have_no_graph() {
    let text = "state { void *held = NULL; }\nKeAcquireSpinLock.exit { held = $1; }\nKeReleaseSpinLock.exit { if (held != $1) { abort \"other lock\"; } }\n";
    let compiled = compile_text(Path::new("pointer.slic"), "pointer.slic", text);
    let automaton = automaton::lower(&compiled.model.unwrap());
    let error = explicit::build(&automaton, DEFAULT_BOUND).unwrap_err();
    assert_eq!(error.code, slic::diagnostic::Code::NotFinite);
    assert!(error.message.contains("`held`"));
}

/// Shortest traces found by `explore` have the expected lengths, and each
/// one, run as a trace test, passes.
#[test]
fn explore_finds_shortest_traces_that_pass_as_tests() {
    let cases: &[(&str, &[Option<usize>])] = &[
        (
            "tests/fixtures/rules/per_lock.slic",
            &[Some(2), Some(2), Some(1), Some(2)],
        ),
        (
            "tests/fixtures/rules/counter.slic",
            &[Some(4), Some(1), Some(2)],
        ),
        ("tests/fixtures/rules/unreachable.slic", &[Some(2), None]),
        (
            "rules/wdm/QueuedSpinLockRelease.slic",
            &[Some(2), Some(1), Some(2)],
        ),
    ];
    for (rule, lengths) in cases {
        let (automaton, catalog) = automaton(&root().join(rule));
        let exploration = explore::explore(&automaton, &Options::default());
        let found: Vec<Option<usize>> = exploration
            .shortest
            .iter()
            .map(|t| t.as_ref().map(|t| t.steps.len()))
            .collect();
        assert_eq!(&found, lengths, "{rule}");
        for shortest in exploration.shortest.iter().flatten() {
            let text = trace::print(shortest);
            let (parsed, diagnostics) = trace::parse(FileId(0), &text);
            assert!(diagnostics.is_empty(), "{text}");
            let (results, diagnostics) = testing::run(&automaton, &catalog, &parsed);
            assert!(diagnostics.is_empty(), "{rule}: {diagnostics:?}\n{text}");
            assert!(
                results[0].passed(),
                "{rule}: {:?}\n{text}",
                results[0].mismatches
            );
        }
    }
}

#[test]
fn explore_warns_about_unreachable_aborts_and_inert_handlers() {
    let (automaton, _) = automaton(&root().join("tests/fixtures/rules/unreachable.slic"));
    let exploration = explore::explore(&automaton, &Options::default());
    let codes: Vec<&str> = exploration
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(codes, ["W0008", "W0009"]);
}

#[test]
fn explore_at_depth_eight_on_the_first_rule() {
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args([
            "explore",
            "--depth",
            "8",
            "rules/wdm/QueuedSpinLockRelease.slic",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.matches("trace \"reaches:").count(), 3, "{stdout}");
    insta::assert_snapshot!(stdout);
}
