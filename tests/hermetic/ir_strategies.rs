//! The IR weaver reads most bodies by their relevant lines alone
//! (`weave/llvm/targeted.rs`) and walks the rest line by line
//! (`walk.rs`). Both must write the same module, byte for byte: every
//! IR fixture (clang 14, 16 and 19; every target; -O0 and -O2; with and
//! without debug information; small hand-written forms) is woven both
//! ways with the whole pack, each defined function a dispatch routine.

use std::path::{Path, PathBuf};

use slic::monitor::hooks::HookSet;
use slic::span::FileId;
use slic::weave::llvm::{Input, MonitorPlacement, Strategy, weave_module};
use slic::weave::role_map::RoleMap;

use crate::support::{compile_file, root};

fn fixtures(directory: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixtures(&path, found);
        } else if path.extension().is_some_and(|e| e == "ll") {
            found.push(path);
        }
    }
}

/// Every function the module defines, as a dispatch routine.
fn every_function_a_routine(text: &str) -> RoleMap {
    let mut roles = RoleMap::default();
    for line in text.lines().filter(|l| l.starts_with("define ")) {
        let Some(at) = line.find(" @") else { continue };
        let name: String = line[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            let (role, name) = RoleMap::parse_assignment(&format!("dispatch={name}")).unwrap();
            roles.add(role, name);
        }
    }
    roles
}

#[test]
fn targeted_and_full_weaving_write_the_same_module() {
    let mut rules = Vec::new();
    for entry in std::fs::read_dir(root().join("rules/wdm")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "slic") {
            let compiled = compile_file(&path);
            let model = compiled.model.expect("the pack checks");
            rules.push(slic::automaton::lower(&model));
        }
    }
    let hooks = HookSet::new(&rules).unwrap();
    let mut paths = Vec::new();
    fixtures(&root().join("tests/fixtures/ir"), &mut paths);
    fixtures(&root().join("tests/fixtures/weave"), &mut paths);
    paths.sort();
    assert!(paths.len() > 100, "{} fixtures", paths.len());
    let (mut compared, mut walked, mut targeted) = (0, 0, 0);
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let roles = every_function_a_routine(&text);
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        let input = Input {
            text: &text,
            path: &name,
            file: FileId(0),
            rules: &rules,
            hooks: &hooks,
            roles: &roles,
            monitors: None,
        };
        let weave = |strategy| {
            weave_module(&input, MonitorPlacement::InModule, strategy)
                .map(|woven| (woven.text, woven.summary.walked))
                .map_err(|error| error.message)
        };
        let (by_lines, full) = (weave(Strategy::Targeted), weave(Strategy::Full));
        match (&by_lines, &full) {
            (Ok((by_lines, walked_here)), Ok((full, _))) => {
                assert!(by_lines == full, "{name}: the two readings differ");
                compared += 1;
                walked += walked_here;
                targeted += usize::from(*walked_here == 0 && text.contains("define "));
            }
            // A fixture of bad input is refused, the same way.
            (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
            _ => panic!("{name}: one reading wove, the other refused: {by_lines:?} / {full:?}"),
        }
    }
    assert!(compared > 100, "{compared} modules compared");
    // Invokes and musttail calls of APIs are among the fixtures...
    assert!(walked > 0, "no body needed the walk");
    // ...and the rest is woven by its lines alone.
    assert!(
        targeted > compared / 2,
        "only {targeted} of {compared} modules read by their lines"
    );
}
