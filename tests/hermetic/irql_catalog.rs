//! The pack's IRQL rules against the catalog's IRQL facts.
//!
//! `rules/wdm/ddi.h` carries the WDK's SAL annotations of the IRQL each API
//! may be called at (`_IRQL_requires_max_(DISPATCH_LEVEL)`). A rule that
//! reads the IRQL model and checks an API when it is called must report a
//! call at every IRQL the catalog rules out, and, for some arguments, none
//! at an IRQL the catalog allows: the rule and the catalog say the same.

use slic::automaton::{self, Automaton};
use slic::catalog::{Catalog, Prototype};
use slic::model::{EventKind, Target};
use slic::span::FileId;
use slic::{testing, trace};

/// The IRQLs probed, by the names traces use.
const LEVELS: [(&str, i64); 4] = [
    ("PASSIVE_LEVEL", 0),
    ("APC_LEVEL", 1),
    ("DISPATCH_LEVEL", 2),
    ("HIGH_LEVEL", 15),
];

fn pack_catalog() -> Catalog {
    let text = slic::pack::file("rules/wdm/ddi.h").unwrap();
    let (catalog, diagnostics) = slic::catalog::parse(FileId(0), text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    catalog
}

fn pack_automata() -> Vec<Automaton> {
    let loader = slic::pack::loader();
    let mut session = slic::frontend::Session::new(&loader);
    let (models, diagnostics) = slic::frontend::compile_pack(&mut session);
    assert!(!slic::diagnostic::has_errors(&diagnostics));
    models.iter().map(automaton::lower).collect()
}

/// The APIs a rule checks when they are called: the `.entry` events of its
/// own handlers (not the model's).
fn checked_apis(automaton: &Automaton) -> Vec<String> {
    let mut names: Vec<String> = automaton
        .handlers
        .iter()
        .filter(|handler| handler.model.is_none())
        .flat_map(|handler| &handler.events)
        .filter_map(|&id| {
            let event = &automaton.events[id].event;
            match (&event.target, event.kind) {
                (Target::Function(name), EventKind::Entry) => Some(name.clone()),
                _ => None,
            }
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Whether the rule reports a call of `api` made at `level` (raised there
/// from PASSIVE_LEVEL), every argument `value`.
fn reports(
    automaton: &Automaton,
    catalog: &Catalog,
    api: &Prototype,
    level: &str,
    value: u8,
) -> bool {
    let arguments = vec![value.to_string(); api.parameters.len()].join(", ");
    let text = format!(
        "trace \"{level}\" {{\n    KeRaiseIrql.exit({level}, old -> PASSIVE_LEVEL);\n    {}.entry({arguments});\n}}\n",
        api.name
    );
    let (traces, diagnostics) = trace::parse(FileId(0), &text);
    assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
    let (results, diagnostics) = testing::run(automaton, catalog, &traces);
    assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
    !results[0].passed()
}

#[test]
fn irql_rules_report_exactly_the_irqls_the_catalog_rules_out() {
    let catalog = pack_catalog();
    let mut checked = 0;
    for automaton in pack_automata() {
        if automaton.models.is_empty() {
            continue;
        }
        for name in checked_apis(&automaton) {
            let api = catalog.get(&name).unwrap();
            assert!(
                api.irql.is_known(),
                "{}: the catalog says nothing of the IRQL of {name}",
                automaton.name
            );
            for (level, value) in LEVELS {
                let with_zeros = reports(&automaton, &catalog, api, level, 0);
                let with_ones = reports(&automaton, &catalog, api, level, 1);
                if api.irql.allows(value) {
                    assert!(
                        !(with_zeros && with_ones),
                        "{}: {name} at {level}, which the catalog allows ({:?}), is reported",
                        automaton.name,
                        api.irql
                    );
                } else {
                    assert!(
                        with_zeros && with_ones,
                        "{}: {name} at {level}, which the catalog rules out ({:?}), is not reported",
                        automaton.name,
                        api.irql
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} APIs checked");
}

/// Every API of the catalog has its IRQL from the WDK.
#[test]
fn every_api_of_the_catalog_says_its_irql() {
    let catalog = pack_catalog();
    let unknown: Vec<&str> = catalog
        .functions
        .values()
        .filter(|api| !api.irql.is_known())
        .map(|api| api.name.as_str())
        .collect();
    assert!(unknown.is_empty(), "no IRQL for {unknown:?}");
}
