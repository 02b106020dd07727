//! Any text as a catalog header: the catalog reader never panics; what it
//! cannot read it reports, and it keeps the declarations it could read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (catalog, diagnostics) = slic::catalog::parse(Default::default(), text);
    assert_eq!(catalog.incomplete, !diagnostics.is_empty());
});
