//! Any text as a rule: the front end, lowering, exploration and drawing
//! never panic, and a rule either checks or says why not.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use slic::frontend::{RuleSource, Session};
use slic::load::MemoryLoader;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loader = MemoryLoader::default();
    let mut session = Session::new(&loader);
    let (model, diagnostics) = session.compile(RuleSource {
        path: Path::new("fuzz.slic"),
        display: "fuzz.slic",
        text,
    });
    let _ = slic::render::to_text(&session.sources, &diagnostics);
    assert_eq!(model.is_some(), !slic::diagnostic::has_errors(&diagnostics));
    if let Some(model) = model {
        let automaton = slic::automaton::lower(&model);
        let options = slic::explore::Options { depth: 3, objects: 2 };
        let _ = slic::explore::explore(&automaton, &options);
        if let Ok(graph) = slic::automaton::explicit::build(&automaton, 3) {
            let _ = slic::graph::to_dot(&automaton, &graph);
        }
        let _ = slic::monitor::Monitor::new(vec![automaton], slic::monitor::Flavour::Runtime).map(|m| m.to_c());
    }
});
