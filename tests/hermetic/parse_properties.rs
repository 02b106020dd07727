//! Whatever bytes come in, the front end never panics, and it either
//! produces a model or says why not with at least one error. Rendering
//! every diagnostic checks that their spans lie inside their files.

use std::path::Path;

use proptest::prelude::*;
use slic::diagnostic::has_errors;
use slic::render;

use crate::support::compile_text;

fn front_end_holds_up(text: &str) {
    let compiled = compile_text(Path::new("fuzz/rule.slic"), "fuzz/rule.slic", text);
    let _ = render::to_text(&compiled.sources, &compiled.diagnostics);
    let _ = render::to_json_lines(&compiled.sources, &compiled.diagnostics);
    assert!(
        compiled.model.is_some() != has_errors(&compiled.diagnostics),
        "a rule either checks or has errors"
    );
}

fn valid_rules() -> Vec<String> {
    slic::pack::rules()
        .map(|(_, text)| text.to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text(text in "\\PC{0,200}") {
        front_end_holds_up(&text);
    }

    #[test]
    fn arbitrary_rule_shaped_text(text in "[ a-z{}()\\[\\];.$=!<>&|*+\"#\n0-9_]{0,300}") {
        front_end_holds_up(&text);
    }

    #[test]
    fn mutated_valid_rules(
        rule in prop::sample::select(valid_rules()),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), 0usize..12, "[ {}()\\[\\];.$=!\"#a-z0-9\n]{0,4}"), 1..4),
    ) {
        let mut text = rule.into_bytes();
        for (at, remove, insert) in cuts {
            let start = at.index(text.len() + 1);
            let end = (start + remove).min(text.len());
            text.splice(start..end, insert.into_bytes());
        }
        // Mutations may split a UTF-8 character; the command line rejects
        // such files before parsing, so only valid text reaches the parser.
        if let Ok(text) = String::from_utf8(text) {
            front_end_holds_up(&text);
        }
    }
}
