//! The graphs `slic graph` draws are ones Graphviz renders: every fixture
//! rule's, and every rule of the pack whose automaton is small enough to
//! lay out in a moment (Graphviz takes minutes over a thousand states).

use std::path::Path;
use std::process::Command;

use slic::automaton::explicit::{self, DEFAULT_BOUND};
use slic::graph;

use crate::support::{compile_file, root};

#[test]
fn every_graph_renders_with_graphviz() {
    let mut rules: Vec<std::path::PathBuf> = Vec::new();
    for directory in ["tests/fixtures/rules", "rules/wdm"] {
        for entry in std::fs::read_dir(root().join(directory)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "slic") {
                rules.push(path);
            }
        }
    }
    rules.sort();
    let mut rendered = 0;
    for rule in &rules {
        let compiled = compile_file(rule);
        let Some(model) = compiled.model else {
            continue;
        };
        let automaton = slic::automaton::lower(&model);
        let Ok(graph) = explicit::build(&automaton, DEFAULT_BOUND) else {
            continue;
        };
        if graph.nodes.len() > 64 {
            continue;
        }
        render_with_graphviz(&graph::to_dot(&automaton, &graph), rule);
        rendered += 1;
    }
    assert!(rendered >= 10, "only {rendered} graphs rendered");
}

fn render_with_graphviz(dot: &str, rule: &Path) {
    use std::io::Write;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("Graphviz `dot` is needed to render graphs: install the `graphviz` package");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "dot rejected the graph of {}:\n{}\n{dot}",
        rule.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("<svg"));
}
