//! Any text as an LLVM IR module to weave with the built-in pack: the
//! weaver never panics; it weaves or says why not (with a line number).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use slic::monitor::hooks::HookSet;
use slic::automaton::Automaton;
use slic::weave::role_map::RoleMap;

struct Pack {
    automata: Vec<Automaton>,
    hooks: HookSet,
}

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| {
        let loader = slic::pack::loader();
        let mut session = slic::frontend::Session::new(&loader);
        let (models, _) = slic::frontend::compile_pack(&mut session);
        let automata: Vec<Automaton> = models.iter().map(slic::automaton::lower).collect();
        let hooks = HookSet::new(&automata).expect("the pack's hooks agree");
        Pack { automata, hooks }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let pack = pack();
    let mut roles = RoleMap::default();
    roles.add(slic::role_table::Role::Dispatch, "DispatchRead");
    roles.add(slic::role_table::Role::Cancel, "CancelIrp");
    let input = slic::weave::llvm::Input {
        text,
        path: "fuzz.ll",
        file: Default::default(),
        rules: &pack.automata,
        hooks: &pack.hooks,
        roles: &roles,
    };
    if let Ok(woven) = slic::weave::llvm::weave(&input) {
        assert!(woven.text.contains(slic::weave::WOVEN_MARKER));
        // What the weaver wrote, it must read back as IR it refuses to weave twice.
        assert!(slic::weave::llvm::weave(&slic::weave::llvm::Input { text: &woven.text, ..input }).is_err());
    }
});
