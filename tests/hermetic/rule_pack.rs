//! The built-in WDM rule pack: every rule checks clean, has a doc page and
//! trace tests that reach every abort, is built in, and explores clean.

use std::collections::BTreeSet;

use slic::automaton;
use slic::explore::{self, Options};
use slic::span::FileId;
use slic::{testing, trace};

use crate::support::{compile_file, root};

fn pack_rules() -> Vec<std::path::PathBuf> {
    let mut rules: Vec<_> = std::fs::read_dir(root().join("rules/wdm"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slic"))
        .collect();
    rules.sort();
    rules
}

#[test]
fn every_rule_is_complete() {
    let rules = pack_rules();
    assert!(rules.len() >= 45, "the pack has {} rules", rules.len());
    let index = std::fs::read_to_string(root().join("docs/rules/README.md")).unwrap();
    let built_in: BTreeSet<&str> = slic::pack::rules().map(|(path, _)| path).collect();
    for rule in &rules {
        let name = rule.file_stem().unwrap().to_str().unwrap();
        let compiled = compile_file(rule);
        assert!(
            compiled.diagnostics.is_empty(),
            "{name} has diagnostics:\n{}",
            slic::render::to_text(&compiled.sources, &compiled.diagnostics)
        );
        let automaton = automaton::lower(&compiled.model.unwrap());
        assert_eq!(
            automaton.name, name,
            "the header names the rule as its file does"
        );

        assert!(
            root().join(format!("docs/rules/{name}.md")).is_file(),
            "{name} has no doc page"
        );
        assert!(
            index.contains(&format!("[{name}]({name}.md)")),
            "docs/rules/README.md does not list {name}"
        );
        assert!(
            built_in.contains(format!("rules/wdm/{name}.slic").as_str()),
            "{name} is not built in"
        );

        // Every abort is reached by some trace, and all traces pass.
        let catalog =
            slic::catalog::parse(FileId(0), slic::pack::file("rules/wdm/ddi.h").unwrap()).0;
        let text = std::fs::read_to_string(rule.with_extension("traces")).expect("a .traces file");
        let (traces, diagnostics) = trace::parse(FileId(0), &text);
        assert!(diagnostics.is_empty(), "{name}.traces: {diagnostics:?}");
        let (results, diagnostics) = testing::run(&automaton, &catalog, &traces);
        assert!(diagnostics.is_empty(), "{name}.traces: {diagnostics:?}");
        let clean = results
            .iter()
            .filter(|r| r.passed() && !r.log.contains(" abort "))
            .count();
        assert!(
            clean >= 2,
            "{name} has {clean} traces without a violation; it needs two"
        );
        for result in &results {
            assert!(
                result.passed(),
                "{name}: {}: {:?}",
                result.name,
                result.mismatches
            );
        }
        for abort in &automaton.aborts {
            let reached = results
                .iter()
                .any(|r| r.log.contains(&format!("({})", abort.location)));
            assert!(
                reached,
                "{name}: no trace reaches the abort at {}",
                abort.location
            );
        }

        let exploration = explore::explore(&automaton, &Options::default());
        assert!(
            exploration.warnings.is_empty(),
            "{name}: explore warns: {:?}",
            exploration
                .warnings
                .iter()
                .map(|w| &w.message)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn slic_test_on_the_pack_passes() {
    for arguments in [&["test", "rules"][..], &["test"][..], &["check"][..]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_slic"))
            .args(arguments)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "slic {arguments:?}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn slic_rules_lists_the_pack() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_slic"))
        .arg("rules")
        .current_dir(root())
        .output()
        .unwrap();
    let listing = String::from_utf8(output.stdout).unwrap();
    for rule in pack_rules() {
        let name = rule.file_stem().unwrap().to_str().unwrap();
        assert!(
            listing.lines().any(|l| l.starts_with(name)),
            "{name} missing from:\n{listing}"
        );
    }
    assert!(
        listing.contains("QueuedSpinLockRelease         0x00040007  "),
        "{listing}"
    );
}
