//! Every rule under `tests/fixtures/check/` is a test: valid rules are
//! checked clean and snapshot as printed back; invalid rules snapshot their
//! rendered diagnostics and must produce exactly the codes they expect.

use std::collections::BTreeSet;

use slic::diagnostic::{Code, Stage};
use slic::render;
use slic::syntax::{self, pretty};

use crate::support::{compile_file, expected_codes, root};

#[test]
fn valid_rules_check_clean_and_print_back() {
    insta::glob!("../fixtures/check/valid", "**/*.slic", |path| {
        let compiled = compile_file(path);
        let rendered = render::to_text(&compiled.sources, &compiled.diagnostics);
        assert!(
            compiled.model.is_some(),
            "{} should check without errors:\n{rendered}",
            path.display()
        );
        let text = std::fs::read_to_string(path).unwrap();
        let (tree, _) = syntax::parse(Default::default(), &text);
        insta::assert_snapshot!(format!("{}{rendered}", pretty::print(&tree)));
    });
}

#[test]
fn printed_rules_parse_back_to_the_same_tree() {
    let mut count = 0;
    insta::glob!("../fixtures/check/valid", "**/*.slic", |path| {
        round_trip(
            &std::fs::read_to_string(path).unwrap(),
            &path.display().to_string(),
        );
        count += 1;
    });
    for (path, text) in slic::pack::rules() {
        round_trip(text, path);
        count += 1;
    }
    assert!(count > 10, "too few rules to call this a test: {count}");
}

fn round_trip(text: &str, name: &str) {
    let (tree, diagnostics) = syntax::parse(Default::default(), text);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{name} parses");
    let printed = pretty::print(&tree);
    let (reparsed, diagnostics) = syntax::parse(Default::default(), &printed);
    assert!(
        diagnostics.iter().all(|d| !d.is_error()),
        "{name} printed back does not parse:\n{printed}\n{diagnostics:?}"
    );
    assert_eq!(
        pretty::without_spans(&tree),
        pretty::without_spans(&reparsed),
        "{name} printed back parses to a different tree:\n{printed}"
    );
}

#[test]
fn invalid_rules_report_exactly_their_codes() {
    insta::glob!("../fixtures/check/invalid", "**/*.slic", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let compiled = compile_file(path);
        let rendered = render::to_text(&compiled.sources, &compiled.diagnostics);
        let mut found: Vec<String> = compiled
            .diagnostics
            .iter()
            .map(|d| d.code.as_str().to_string())
            .collect();
        found.sort();
        found.dedup();
        assert_eq!(
            found,
            expected_codes(&text),
            "{}:\n{rendered}",
            path.display()
        );
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn every_front_end_code_has_a_fixture_and_documentation() {
    let mut hit = BTreeSet::new();
    for directory in ["valid", "invalid"] {
        let pattern = root().join("tests/fixtures/check").join(directory);
        for entry in walk(&pattern) {
            let text = std::fs::read_to_string(&entry).unwrap();
            if directory == "invalid" {
                hit.extend(expected_codes(&text));
            }
        }
    }
    let documentation = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let mut invalid_fixtures = 0;
    for entry in walk(&root().join("tests/fixtures/check/invalid")) {
        let _ = entry;
        invalid_fixtures += 1;
    }
    assert!(
        invalid_fixtures >= 40,
        "only {invalid_fixtures} invalid fixtures"
    );
    for code in Code::ALL {
        let code_name = code.as_str();
        assert!(
            documentation.contains(&format!("## {code_name}")),
            "docs/diagnostics.md has no section for {code_name}"
        );
        if code.stage() == Stage::Check {
            assert!(
                hit.contains(code_name),
                "no invalid fixture expects {code_name}"
            );
        }
    }
}

fn walk(directory: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "slic") {
            files.push(path);
        }
    }
    files.sort();
    files
}
