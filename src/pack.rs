//! The built-in WDM rule pack: the files of `rules/`, compiled in.

use std::path::Path;

use crate::load::MemoryLoader;

include!(concat!(env!("OUT_DIR"), "/pack.rs"));

/// The rule files of the pack, as (path, text), in path order.
pub fn rules() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES
        .iter()
        .copied()
        .filter(|(path, _)| path.ends_with(".slic"))
}

/// The text of a pack file, such as `rules/wdm/ddi.h`.
pub fn file(path: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

/// The catalog used for rules that have none of their own.
pub const DEFAULT_CATALOG: &str = "rules/wdm/ddi.h";

/// A loader that reads the pack's files by their paths.
pub fn loader() -> MemoryLoader {
    MemoryLoader::new(FILES.iter().map(|(path, text)| (Path::new(path), *text)))
}
