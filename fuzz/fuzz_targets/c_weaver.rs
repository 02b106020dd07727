//! Any bytes as a C file to weave with the built-in pack: the weaver never
//! panics; it weaves or says why not, and a woven file has every byte of
//! the input that the weaver never writes itself (outside ASCII, NUL, CR),
//! in order (and maybe more: a wrapper copies its routine's head).
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use slic::catalog::Prototype;
use slic::monitor::hooks::HookSet;
use slic::weave::role_map::RoleMap;

struct Pack {
    hooks: HookSet,
    prototypes: HashMap<String, Prototype>,
}

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| {
        let loader = slic::pack::loader();
        let mut session = slic::frontend::Session::new(&loader);
        let (models, _) = slic::frontend::compile_pack(&mut session);
        let automata: Vec<_> = models.iter().map(slic::automaton::lower).collect();
        let hooks = HookSet::new(&automata).expect("the pack's hooks agree");
        let catalog = slic::catalog::parse(Default::default(), slic::pack::file("rules/wdm/ddi.h").unwrap()).0;
        let prototypes = hooks
            .functions()
            .into_iter()
            .filter_map(|name| catalog.get(name).map(|p| (name.to_string(), p.clone())))
            .collect();
        Pack { hooks, prototypes }
    })
}

/// The bytes the weaver never writes itself.
fn foreign(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|&b| b >= 0x80 || b == 0 || b == b'\r')
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let pack = pack();
    let mut roles = RoleMap::default();
    roles.add(slic::role_table::Role::Dispatch, "Dispatch");
    let result = slic::weave::c::weave(&slic::weave::c::Input {
        text: data,
        path: "fuzz.c",
        file: Default::default(),
        hooks: &pack.hooks,
        prototypes: &pack.prototypes,
        roles: &roles,
        extra_blank: &[],
        source: None,
    });
    if let Ok(woven) = result {
        let marker = slic::weave::WOVEN_MARKER.as_bytes();
        assert!(woven.text.windows(marker.len()).any(|w| w == marker));
        let mut output = foreign(&woven.text).into_iter();
        assert!(foreign(data).into_iter().all(|byte| output.any(|b| b == byte)));
    }
});
