//! Every rule under `tests/fixtures/check/` is a test: valid rules are
//! checked clean and snapshot as printed back; invalid rules snapshot their
//! rendered diagnostics and must produce exactly the codes they expect.

use std::collections::BTreeSet;

use slic::diagnostic::{Code, Stage};
use slic::render;
use slic::syntax::{self, pretty};

use crate::support::{compile_file, expected_codes, root, weave_fixture};

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
    // The pack's shared model is a rule file too.
    let model = "rules/wdm/irql_model.h";
    round_trip(slic::pack::file(model).expect("a pack file"), model);
    count += 1;
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

/// Weave codes no input of a reasonable size can trigger: a file over
/// 4 GiB, and an internal error of a weaver.
const WEAVE_CODES_WITHOUT_FIXTURE: &[Code] = &[Code::InputTooLarge, Code::WeaverBug];

#[test]
fn every_code_has_a_fixture_and_documentation() {
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
    let mut woven = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("tests/fixtures/weave")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "c" || e == "ll") {
            woven.extend(expected_codes(&std::fs::read_to_string(&path).unwrap()));
        }
    }
    for code in Code::ALL {
        let code_name = code.as_str();
        if code.stage() == Stage::Weave
            && *code != Code::UnboundEvent
            && !WEAVE_CODES_WITHOUT_FIXTURE.contains(code)
        {
            assert!(
                woven.contains(code_name),
                "no fixture of tests/fixtures/weave expects {code_name}"
            );
        }
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

/// `docs/diagnostics.md` shows, for each code, a fixture and what slic
/// prints for it. Both must be what the fixture holds and what slic prints
/// today. With `SLIC_BLESS=1` the test rewrites the page instead.
#[test]
fn diagnostics_page_shows_what_slic_prints() {
    let page_path = root().join("docs/diagnostics.md");
    let page = std::fs::read_to_string(&page_path).unwrap();
    let mut out = String::new();
    let mut lines = page.lines().peekable();
    let mut checked = 0;
    let mut current_fixture: Option<String> = None;
    let mut stale = Vec::new();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if let Some(path) = line
            .strip_prefix("**Example** (`")
            .and_then(|l| l.strip_suffix("`):"))
        {
            current_fixture = (path.starts_with("tests/fixtures/check/")
                || path.starts_with("tests/fixtures/weave/"))
            .then(|| path.to_string());
            continue;
        }
        let Some(fixture) = &current_fixture else {
            continue;
        };
        let expected = match line {
            "```c" | "```llvm" => std::fs::read_to_string(root().join(fixture)).unwrap(),
            "```text" if fixture.starts_with("tests/fixtures/weave/") => {
                weave_fixture(&root().join(fixture)).0
            }
            "```text" => {
                let compiled = compile_file(&root().join(fixture));
                render::to_text(&compiled.sources, &compiled.diagnostics)
            }
            _ => continue,
        };
        let mut shown = String::new();
        for block_line in lines.by_ref() {
            if block_line == "```" {
                break;
            }
            shown.push_str(block_line);
            shown.push('\n');
        }
        if shown.trim_end() != expected.trim_end() {
            stale.push(format!("{fixture} ({line})"));
        }
        out.push_str(expected.trim_end());
        out.push_str("\n```\n");
        checked += 1;
        if line == "```text" {
            current_fixture = None;
        }
    }
    assert!(checked >= 60, "only {checked} example blocks found");
    if std::env::var_os("SLIC_BLESS").is_some() {
        std::fs::write(&page_path, out).unwrap();
    } else {
        assert!(
            stale.is_empty(),
            "docs/diagnostics.md is out of date (run with SLIC_BLESS=1): {stale:#?}"
        );
    }
}
