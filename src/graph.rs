//! `slic graph`: the explicit automaton as DOT (for Graphviz) or JSON.

use std::fmt::Write;

use crate::automaton::Automaton;
use crate::automaton::explicit::{Graph, Node};

fn rule_title(automaton: &Automaton) -> String {
    match automaton.rule_id {
        Some(id) => format!("{} (0x{id:08X})", automaton.name),
        None => automaton.name.clone(),
    }
}

/// Quotes a DOT string: backslashes and quotes escaped, newlines as `\n`.
fn dot_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn node_id(index: usize) -> String {
    format!("n{index}")
}

fn node_label(automaton: &Automaton, node: &Node, bound: Option<i64>) -> String {
    match node {
        Node::State(values) => automaton.state_name(values),
        Node::Error(abort) => format!("error: {}", automaton.aborts[*abort].message),
        Node::Halted => "halted".to_string(),
        Node::Beyond => format!("beyond the bound ({})", bound.unwrap_or_default()),
    }
}

pub fn to_dot(automaton: &Automaton, graph: &Graph) -> String {
    let mut title = rule_title(automaton);
    if let Some(watch) = &automaton.watch {
        let event = &automaton.events[watch.event].event;
        let _ = write!(
            title,
            "\\nper object: obj is ${} of {event}",
            watch.argument
        );
    }
    if let Some(bound) = graph.bounded {
        let _ = write!(title, "\\nintegers explored up to {bound}");
    }
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", dot_string(&automaton.name));
    let _ = writeln!(out, "    rankdir=LR;");
    let _ = writeln!(out, "    labelloc=t;");
    // The title may hold `\n` line breaks, which DOT reads as escapes.
    let _ = writeln!(out, "    label=\"{}\";", title.replace('"', "\\\""));
    let _ = writeln!(out, "    node [shape=ellipse, fontname=\"Helvetica\"];");
    let _ = writeln!(out, "    edge [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(out, "    start [shape=point, label=\"\"];");
    for (index, node) in graph.nodes.iter().enumerate() {
        let label = dot_string(&node_label(automaton, node, graph.bounded));
        let style = match node {
            Node::State(_) if index == 0 => ", peripheries=2",
            Node::State(_) => "",
            Node::Error(_) => ", shape=box, color=red, fontcolor=red",
            Node::Halted => ", shape=box, style=dashed",
            Node::Beyond => ", shape=plaintext",
        };
        let _ = writeln!(out, "    {} [label={label}{style}];", node_id(index));
    }
    let _ = writeln!(out, "    start -> {};", node_id(0));
    for edge in &graph.edges {
        let mut label = automaton.events[edge.event].event.to_string();
        if !edge.guard.is_empty() {
            let _ = write!(label, "\n[{}]", automaton.guard_text(&edge.guard));
        }
        let style = if graph.nodes[edge.to] == Node::Beyond {
            ", style=dashed"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {} -> {} [label={}{style}];",
            node_id(edge.from),
            node_id(edge.to),
            dot_string(&label)
        );
    }
    out.push_str("}\n");
    out
}

pub fn to_json(automaton: &Automaton, graph: &Graph) -> String {
    let nodes: Vec<serde_json::Value> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| {
            let mut value = serde_json::json!({
                "id": node_id(index),
                "label": node_label(automaton, node, graph.bounded),
                "initial": index == 0,
            });
            match node {
                Node::State(values) => {
                    value["kind"] = "state".into();
                    let variables: serde_json::Map<String, serde_json::Value> = automaton
                        .variables
                        .iter()
                        .zip(values)
                        .map(|(v, &x)| (v.name.clone(), automaton.value_name(v.ty, x).into()))
                        .collect();
                    value["variables"] = variables.into();
                }
                Node::Error(abort) => {
                    let info = &automaton.aborts[*abort];
                    value["kind"] = "error".into();
                    value["message"] = info.message.clone().into();
                    value["location"] = info.location.clone().into();
                }
                Node::Halted => value["kind"] = "halted".into(),
                Node::Beyond => value["kind"] = "beyond-bound".into(),
            }
            value
        })
        .collect();
    let edges: Vec<serde_json::Value> = graph
        .edges
        .iter()
        .map(|edge| {
            serde_json::json!({
                "from": node_id(edge.from),
                "to": node_id(edge.to),
                "event": automaton.events[edge.event].event.to_string(),
                "guard": (!edge.guard.is_empty()).then(|| automaton.guard_text(&edge.guard)),
            })
        })
        .collect();
    let watch = automaton.watch.as_ref().map(|w| {
        serde_json::json!({
            "event": automaton.events[w.event].event.to_string(),
            "argument": w.argument,
        })
    });
    let value = serde_json::json!({
        "rule": automaton.name,
        "rule_id": automaton.rule_id.map(|id| format!("0x{id:08X}")),
        "watch": watch,
        "bounded": graph.bounded,
        "nodes": nodes,
        "edges": edges,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}
