//! A cache of what every command compiles the same way each time: the
//! built-in pack, compiled (rules, catalogs, sources, diagnostics), and
//! what is made from it alone: the C monitor `slic cc` compiles, and the
//! IR monitor of each target (`Monitors`, some 900 KB of IR, 66M
//! instructions to make).
//!
//! Compiling the pack's 45 rules and the catalog costs some 85M
//! instructions (about 20 ms), and `slic cc` did it again for every file
//! of a build. A cache entry is the compiled pack as `postcard` bytes,
//! named by a hash of what made it: this `slic` executable (its path,
//! size, modification time and inode, so that a rebuilt `slic` never reads
//! an older one's entry) and the format's version. Rules named on the
//! command line, `-I` and `--catalog` are compiled every time: their
//! inputs are files whose contents the key would have to cover.
//!
//! The entries are in `$TMPDIR/slic-<uid>/cache/` (`private_directory`),
//! beside `slic cc`'s compiled monitors. An entry that cannot be read or
//! decoded is made again; one is written to a file of its own and renamed
//! into place, so that parallel compiles never read a half-written entry. `SLIC_NO_CACHE=1`
//! turns the cache off (each command compiles, and writes nothing).

use std::path::PathBuf;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use slic::automaton::Automaton;
use slic::catalog::Catalog;
use slic::diagnostic::Diagnostic;
use slic::hash::fnv_words;
use slic::span::SourceMap;

use super::rules::{Compiled, CompiledRule};

/// Bumped whenever the shape of an entry changes in a way the executable's
/// identity would not show (it always does today; this is a second lock).
const FORMAT: &str = "slic-cache-1";

/// The compiled pack as stored: each distinct catalog once, and each rule
/// with the index of its catalog (in memory, rules share one `Rc`).
#[derive(Serialize, Deserialize)]
struct StoredPack {
    rules: Vec<StoredRule>,
    catalogs: Vec<Catalog>,
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Serialize, Deserialize)]
struct StoredRule {
    path: PathBuf,
    automaton: Automaton,
    catalog: usize,
}

/// Where entries of this executable go, or `None` when the cache is off or
/// the executable cannot be identified (then nothing is cached).
fn entry_path(purpose: &str) -> Option<PathBuf> {
    if std::env::var_os("SLIC_NO_CACHE").is_some_and(|v| v != "0") {
        return None;
    }
    let executable = file_identity(&std::env::current_exe().ok()?)?;
    let hash = fnv_words([FORMAT, env!("CARGO_PKG_VERSION"), &executable, purpose]);
    Some(
        private_directory()
            .ok()?
            .join("cache")
            .join(format!("{purpose}-{hash:016x}")),
    )
}

/// What tells one file from another that replaced it: its path, size,
/// modification time and (on Unix) inode. `None` if it cannot be read.
pub fn file_identity(path: &std::path::Path) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    let modified = metadata
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
    #[cfg(not(unix))]
    let inode = 0;
    Some(format!(
        "{} {} {modified} {inode}",
        path.display(),
        metadata.len()
    ))
}

/// slic's own directory in the temporary directory, `slic-<uid>`: made
/// readable and writable by this user alone, and refused (an error saying
/// why) if it exists and someone else could have put files in it. Entries
/// of the cache and compiled monitors go into every build slic instruments;
/// in a shared `/tmp`, a directory anyone can write would let anyone put
/// code there.
pub fn private_directory() -> Result<PathBuf, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = unsafe { libc::geteuid() };
        let path = std::env::temp_dir().join(format!("slic-{user}"));
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&path);
        let metadata = std::fs::symlink_metadata(&path)
            .map_err(|e| format!("cannot create `{}`: {e}", path.display()))?;
        if !metadata.is_dir() || metadata.uid() != user || metadata.mode() & 0o022 != 0 {
            return Err(format!(
                "`{}` is not a directory of this user's that only they can write to; \
                 remove it or set TMPDIR elsewhere",
                path.display()
            ));
        }
        Ok(path)
    }
    #[cfg(not(unix))]
    {
        let path = std::env::temp_dir().join("slic");
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create `{}`: {e}", path.display()))?;
        Ok(path)
    }
}

/// Entries untouched for this long are removed when a new one is written:
/// every rebuilt `slic` makes entries of its own, which nothing reads once
/// it is replaced. One still in use is made again on its next miss.
const STALE: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Writes an entry beside its place and renames it there; a failure only
/// means the next command compiles again, so it is not reported.
fn store(path: &std::path::Path, bytes: &[u8]) {
    let Some(directory) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(directory).is_err() {
        return;
    }
    remove_stale(directory);
    let staged = path.with_extension(format!("{}.tmp", std::process::id()));
    if std::fs::write(&staged, bytes).is_ok() && std::fs::rename(&staged, path).is_err() {
        let _ = std::fs::remove_file(&staged);
    }
}

fn remove_stale(directory: &std::path::Path) {
    let Ok(listing) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in listing.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The built-in pack, from the cache or compiled by `compile` (and then
/// stored).
pub fn pack<E>(compile: impl FnOnce() -> Result<Compiled, E>) -> Result<Compiled, E> {
    let Some(path) = entry_path("pack") else {
        return compile();
    };
    if let Some(compiled) = std::fs::read(&path).ok().and_then(|b| decode(&b)) {
        return Ok(compiled);
    }
    let mut compiled = compile()?;
    compiled.cacheable = true;
    if let Some(bytes) = encode(&compiled) {
        store(&path, &bytes);
    }
    Ok(compiled)
}

/// Something made from the built-in pack alone (a monitor's text), named by
/// `purpose`, which must say everything else it depends on; from the cache,
/// or made by `make` (and then stored). Always made for `compiled` rules
/// that did not come from the pack's cache.
pub fn derived<T, E>(
    compiled: &Compiled,
    purpose: &str,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<T, E>
where
    T: Serialize + for<'de> Deserialize<'de>,
{
    let path = compiled.cacheable.then(|| entry_path(purpose)).flatten();
    through(path, make)
}

/// Something that does not depend on the rules, named by `words` (which
/// must say everything it depends on); from the cache, or made by `make`
/// (and then stored). `None` when `make` gives nothing.
pub fn keyed<T>(words: &[&str], make: impl FnOnce() -> Option<T>) -> Option<T>
where
    T: Serialize + for<'de> Deserialize<'de>,
{
    let purpose = format!("keyed-{:016x}", fnv_words(words.iter().copied()));
    through(entry_path(&purpose), || make().ok_or(())).ok()
}

/// The value at `path`, or the one `make` gives (then stored there).
fn through<T, E>(path: Option<PathBuf>, make: impl FnOnce() -> Result<T, E>) -> Result<T, E>
where
    T: Serialize + for<'de> Deserialize<'de>,
{
    let Some(path) = path else {
        return make();
    };
    if let Some(value) = load(&path) {
        return Ok(value);
    }
    let value = make()?;
    save(&path, &value);
    Ok(value)
}

fn load<T: for<'de> Deserialize<'de>>(path: &std::path::Path) -> Option<T> {
    postcard::from_bytes(&std::fs::read(path).ok()?).ok()
}

fn save<T: Serialize>(path: &std::path::Path, value: &T) {
    if let Ok(bytes) = postcard::to_allocvec(value) {
        store(path, &bytes);
    }
}

/// The IR weaver's monitors, kept beside the pack they were made from.
pub struct Monitors;

impl Monitors {
    /// A store for monitors of `compiled`, when they are the cached pack.
    pub fn of(compiled: &Compiled) -> Option<Monitors> {
        compiled.cacheable.then_some(Monitors)
    }
}

impl slic::monitor::llvm::MonitorStore for Monitors {
    fn get(&self, key: &str) -> Option<slic::monitor::llvm::Monitor> {
        load(&entry_path(key)?)
    }

    fn put(&self, key: &str, monitor: &slic::monitor::llvm::Monitor) {
        if let Some(path) = entry_path(key) {
            save(&path, monitor);
        }
    }
}

fn encode(compiled: &Compiled) -> Option<Vec<u8>> {
    let mut catalogs: Vec<Rc<Catalog>> = Vec::new();
    let mut rules = Vec::new();
    for rule in &compiled.rules {
        let index = match catalogs.iter().position(|c| Rc::ptr_eq(c, &rule.catalog)) {
            Some(index) => index,
            None => {
                catalogs.push(rule.catalog.clone());
                catalogs.len() - 1
            }
        };
        rules.push(StoredRule {
            path: rule.path.clone(),
            automaton: rule.automaton.clone(),
            catalog: index,
        });
    }
    let stored = StoredPack {
        rules,
        catalogs: catalogs.iter().map(|c| (**c).clone()).collect(),
        sources: compiled.sources.clone(),
        diagnostics: compiled.diagnostics.clone(),
    };
    postcard::to_allocvec(&stored).ok()
}

fn decode(bytes: &[u8]) -> Option<Compiled> {
    let stored: StoredPack = postcard::from_bytes(bytes).ok()?;
    let catalogs: Vec<Rc<Catalog>> = stored.catalogs.into_iter().map(Rc::new).collect();
    let rules = stored
        .rules
        .into_iter()
        .map(|rule| {
            Some(CompiledRule {
                path: rule.path,
                automaton: rule.automaton,
                catalog: catalogs.get(rule.catalog)?.clone(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Compiled {
        rules,
        sources: stored.sources,
        diagnostics: stored.diagnostics,
        built_in: true,
        cacheable: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the cache gives back is what was compiled: the same rules in
    /// the same order, sharing one catalog as before, the same sources and
    /// diagnostics (compared through their `Debug` forms, which show every
    /// field).
    #[test]
    fn the_pack_survives_a_round_trip() {
        let options = crate::cli::CompileOptions {
            include_path: Vec::new(),
            catalog: None,
            message_format: crate::cli::diagnostics::MessageFormat::Human,
        };
        let Ok(compiled) = super::super::rules::compile_fresh(&[], &options) else {
            panic!("the built-in pack compiles");
        };
        assert!(compiled.rules.len() >= 45);
        let bytes = encode(&compiled).unwrap();
        let back = decode(&bytes).unwrap();
        assert_eq!(back.rules.len(), compiled.rules.len());
        for (a, b) in compiled.rules.iter().zip(&back.rules) {
            assert_eq!(a.path, b.path);
            assert_eq!(format!("{:?}", a.automaton), format!("{:?}", b.automaton));
            assert_eq!(format!("{:?}", a.catalog), format!("{:?}", b.catalog));
        }
        let shared = |c: &Compiled| {
            c.rules
                .windows(2)
                .filter(|w| Rc::ptr_eq(&w[0].catalog, &w[1].catalog))
                .count()
        };
        assert_eq!(shared(&compiled), shared(&back));
        assert_eq!(
            format!("{:?}", compiled.sources),
            format!("{:?}", back.sources)
        );
        assert_eq!(compiled.diagnostics, back.diagnostics);
        // Bytes cut short are refused, not half-read.
        assert!(decode(&bytes[..bytes.len() / 2]).is_none());
    }
}
