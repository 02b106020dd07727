//! The cache of the compiled built-in pack (`src/cli/cache.rs`): a command
//! that finds an entry gives what one that compiles gives, a damaged entry
//! is made again, and `SLIC_NO_CACHE=1` writes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::root;

/// `slic` with its temporary directory (where the cache lives) in `tmp`.
fn slic(tmp: &Path, environment: &[(&str, &str)], arguments: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args(arguments)
        .current_dir(root())
        .env("TMPDIR", tmp)
        .env_remove("SLIC_NO_CACHE")
        .envs(environment.iter().copied())
        .output()
        .expect("slic runs");
    assert!(
        output.status.success(),
        "slic {}: {}",
        arguments.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// slic's cache directory under `tmp`: `slic-<uid>/cache`.
fn cache_directory(tmp: &Path) -> PathBuf {
    let mine = std::fs::read_dir(tmp)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("slic-"))
        });
    mine.unwrap_or_else(|| tmp.join("slic-none")).join("cache")
}

/// The pack's entries in the cache directory under `tmp`.
fn entries(tmp: &Path) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(cache_directory(tmp)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = listing
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("pack-"))
        })
        .collect();
    paths.sort();
    paths
}

/// What one run gives: the queued mock driver woven as C and as IR for
/// two targets (the IR monitor is cached per target), and the pack's
/// rules listed.
fn outputs(tmp: &Path, environment: &[(&str, &str)]) -> Vec<Vec<u8>> {
    let mut outputs = Vec::new();
    for input in [
        "tests/drivers/queued/driver.c",
        "tests/fixtures/ir/queued/driver.14.x86_64-linux-gnu.O0.g.ll",
        "tests/fixtures/ir/queued/driver.14.i686-pc-windows-msvc.O0.ll",
    ] {
        let extension = Path::new(input).extension().unwrap().to_str().unwrap();
        let woven = tmp.join(format!("woven.{extension}"));
        let weave = slic(
            tmp,
            environment,
            &["weave", input, "-o", woven.to_str().unwrap()],
        );
        outputs.push(std::fs::read(&woven).unwrap());
        outputs.push(weave.stderr);
    }
    outputs.push(slic(tmp, environment, &["rules"]).stdout);
    outputs
}

#[test]
fn a_cached_pack_gives_what_a_compiled_one_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let compiled = outputs(tmp.path(), &[("SLIC_NO_CACHE", "1")]);
    assert!(
        entries(tmp.path()).is_empty(),
        "SLIC_NO_CACHE=1 wrote an entry"
    );
    // The first run makes the entry, the second reads it.
    let first = outputs(tmp.path(), &[]);
    let made = entries(tmp.path());
    assert_eq!(made.len(), 1, "one entry for this slic: {made:?}");
    let stamp = std::fs::metadata(&made[0]).unwrap().modified().unwrap();
    let second = outputs(tmp.path(), &[]);
    assert_eq!(
        std::fs::metadata(&made[0]).unwrap().modified().unwrap(),
        stamp,
        "a good entry is read, not made again"
    );
    assert!(
        String::from_utf8_lossy(compiled.last().unwrap())
            .lines()
            .count()
            >= 45,
        "`slic rules` lists the pack"
    );
    let monitors = std::fs::read_dir(cache_directory(tmp.path()))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with("ir-monitor-")
        })
        .count();
    assert_eq!(monitors, 2, "one IR monitor per target");
    for (run, name) in [(&first, "first"), (&second, "second")] {
        assert_eq!(run.len(), compiled.len());
        for (index, (a, b)) in run.iter().zip(&compiled).enumerate() {
            assert!(a == b, "output {index} of the {name} run differs");
        }
    }
}

#[test]
fn a_damaged_entry_is_made_again() {
    let tmp = tempfile::tempdir().unwrap();
    let compiled = outputs(tmp.path(), &[("SLIC_NO_CACHE", "1")]);
    outputs(tmp.path(), &[]);
    let entry = entries(tmp.path()).pop().expect("an entry");
    let good = std::fs::read(&entry).unwrap();
    for damage in [good[..good.len() / 3].to_vec(), b"not a pack".to_vec()] {
        std::fs::write(&entry, &damage).unwrap();
        let run = outputs(tmp.path(), &[]);
        assert!(run == compiled, "a damaged entry changed what slic gives");
        assert_eq!(
            std::fs::read(&entry).unwrap(),
            good,
            "the damaged entry was not made again"
        );
    }
}

/// A directory of slic's that others can write to is not used: the cache
/// could hand a build someone else's code.
#[cfg(unix)]
#[test]
fn a_directory_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    outputs(tmp.path(), &[]);
    let directory = cache_directory(tmp.path()).parent().unwrap().to_path_buf();
    std::fs::set_permissions(&directory, std::fs::Permissions::from_mode(0o777)).unwrap();
    // Weaving still works, without the cache; nothing new is written.
    for entry in entries(tmp.path()) {
        std::fs::remove_file(entry).unwrap();
    }
    let compiled = outputs(tmp.path(), &[("SLIC_NO_CACHE", "1")]);
    assert!(outputs(tmp.path(), &[]) == compiled);
    assert!(entries(tmp.path()).is_empty(), "an entry was written");
    // `slic cc` keeps its monitors there: it says why it cannot.
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args([
            "cc",
            "--via",
            "c",
            "--",
            "gcc",
            "-c",
            "tests/drivers/queued/driver.c",
        ])
        .arg("-o")
        .arg(tmp.path().join("driver.o"))
        .current_dir(root())
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("only they can write to"), "{stderr}");
}
