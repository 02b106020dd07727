//! Every C file under `tests/fixtures/c/` is a form the C weaver must
//! handle: it is woven with the rule `tests/fixtures/c/forms.slic` (and the
//! roles its `// roles:` lines give), and the woven text and the warnings
//! are pinned. A new form is a new file. (`tests/it/c_backend.rs` compiles
//! the same woven forms.)

use std::collections::HashMap;

use slic::monitor::hooks::HookSet;
use slic::span::FileId;
use slic::weave::role_map::RoleMap;

use crate::support::{compile_file, render_about_input, root};

/// The woven text of a form and its rendered warnings.
pub fn weave_form(path: &std::path::Path) -> (String, String) {
    let compiled = compile_file(&root().join("tests/fixtures/c/forms.slic"));
    let model = compiled.model.expect("forms.slic checks");
    let rules = [slic::automaton::lower(&model)];
    let hooks = HookSet::new(&rules).unwrap();
    let catalog = slic::catalog::parse(
        FileId(0),
        slic::pack::file(slic::pack::DEFAULT_CATALOG).unwrap(),
    )
    .0;
    let prototypes: HashMap<String, slic::catalog::Prototype> = hooks
        .functions()
        .into_iter()
        .filter_map(|name| Some((name.to_string(), catalog.get(name)?.clone())))
        .collect();
    let text = std::fs::read(path).unwrap();
    let mut roles = RoleMap::default();
    for line in String::from_utf8_lossy(&text).lines() {
        if let Some(list) = line.strip_prefix("// roles:") {
            for assignment in list.split_whitespace() {
                let (role, name) = RoleMap::parse_assignment(assignment).unwrap();
                roles.add(role, name);
            }
        }
    }
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let woven = slic::weave::c::weave(&slic::weave::c::Input {
        text: &text,
        path: &name,
        file: FileId(0),
        hooks: &hooks,
        prototypes: &prototypes,
        roles: &roles,
        extra_blank: &[],
        source: None,
    })
    .unwrap_or_else(|error| {
        panic!(
            "{name} does not weave:\n{}",
            render_about_input(&name, &String::from_utf8_lossy(&text), &[error])
        )
    });
    let warnings = render_about_input(&name, &String::from_utf8_lossy(&text), &woven.warnings);
    (String::from_utf8(woven.text).unwrap(), warnings)
}

#[test]
fn c_forms_woven() {
    let mut count = 0;
    insta::glob!("../fixtures/c", "*.c", |path| {
        let (woven, warnings) = weave_form(path);
        insta::assert_snapshot!(format!("{woven}\n--- warnings ---\n{warnings}"));
        count += 1;
    });
    assert!(count >= 8, "only {count} C forms");
}
