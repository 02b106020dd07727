//! Embeds the rule pack (`rules/`) into the binary: every file under it,
//! so a rule added there is built in without touching any code.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    collect(&rules, &mut files);
    let mut out = String::from(
        "/// Every file of the built-in rule pack: (path, text).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file.strip_prefix(&root).expect("under the package");
        let name = relative.to_string_lossy().replace('\\', "/");
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .expect("writing a string");
    }
    out.push_str("];\n");
    let destination =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("pack.rs");
    std::fs::write(destination, out).expect("writing the pack index");
}
