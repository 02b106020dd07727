//! `docs/ARCHITECTURE.md` tells the truth about where things are: every
//! path it names exists, and every file under `src/` is named in it, so a
//! file moved, renamed or added cannot leave the code map stale unnoticed.
//! `docs/testing.md`'s paths are held to exist too.
//!
//! A path is a code span (`` `...` ``) outside code blocks that contains a
//! `/` or ends in a source extension. One that starts with a directory of
//! the repository (`src/`, `tests/`, ...) is read from the repository's
//! root; any other from the directory of its section, which is the first
//! path in the section's heading (`### `src/weave/c/``, or the parent of a
//! file), or `src/` under a heading without one. A relative `.rs` path
//! must exist there; other relative names may be names of generated files
//! (`slic_monitor.c`) and count only when they exist. A directory's
//! `mod.rs` is named by naming the directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::root;

/// Where a path in the docs is read from when it starts with one of these.
const ROOT_ENTRIES: &[&str] = &[
    "src/",
    "tests/",
    "grammar/",
    "scripts/",
    "benches/",
    "docs/",
    "rules/",
    "fuzz/",
    "examples/",
    ".ci/",
];
const ROOT_FILES: &[&str] = &["build.rs", "Cargo.toml", "README.md"];
const SOURCE_EXTENSIONS: &[&str] = &["rs", "c", "h", "pest", "md", "toml", "ll", "slic"];

/// A path named in a document, with the line it is on.
struct Named {
    line: usize,
    text: String,
    /// Where the text is read from: the root, or its section's directory.
    base: PathBuf,
    from_root: bool,
}

fn looks_like_a_path(text: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
    if text.is_empty()
        || !text.chars().all(allowed)
        || (text.starts_with('.') && !text.contains('/'))
    {
        return false;
    }
    text.contains('/')
        || text
            .rsplit_once('.')
            .is_some_and(|(_, extension)| SOURCE_EXTENSIONS.contains(&extension))
}

fn from_root(text: &str) -> bool {
    ROOT_ENTRIES.iter().any(|entry| text.starts_with(entry)) || ROOT_FILES.contains(&text)
}

/// The code spans of a line of Markdown.
fn code_spans(line: &str) -> impl Iterator<Item = &str> {
    line.split('`').skip(1).step_by(2)
}

/// Every path `document` names, each with the directory it is read from.
fn named_paths(document: &str) -> Vec<Named> {
    let root = root();
    let mut section = root.join("src");
    let mut in_code_block = false;
    let mut named = Vec::new();
    for (index, line) in document.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_code_block = !in_code_block;
            continue;
        }
        if in_code_block {
            continue;
        }
        if line.starts_with('#') {
            section = match code_spans(line).find(|text| from_root(text)) {
                Some(text) if text.ends_with('/') => root.join(text.trim_end_matches('/')),
                Some(text) => root.join(text).parent().unwrap().to_path_buf(),
                None => root.join("src"),
            };
        }
        for text in code_spans(line).filter(|text| looks_like_a_path(text)) {
            let from_root = from_root(text);
            named.push(Named {
                line: index + 1,
                text: text.to_string(),
                base: if from_root {
                    root.clone()
                } else {
                    section.clone()
                },
                from_root,
            });
        }
    }
    named
}

/// Every file under `directory`, recursively.
fn files_under(directory: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_path_the_architecture_names_exists_and_every_source_file_is_named() {
    let document = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    let named = named_paths(&document);
    let mut problems = Vec::new();
    let mut mentioned: BTreeSet<PathBuf> = BTreeSet::new();
    for path in &named {
        let resolved = path.base.join(path.text.trim_end_matches('/'));
        if resolved.exists() {
            mentioned.insert(resolved);
        } else if path.from_root || path.text.ends_with(".rs") {
            problems.push(format!(
                "line {}: `{}` names {}, which does not exist",
                path.line,
                path.text,
                relative(&resolved)
            ));
        }
    }
    let mut sources = Vec::new();
    files_under(&root().join("src"), &mut sources);
    sources.sort();
    for file in &sources {
        let named_by_directory =
            file.file_name().unwrap() == "mod.rs" && mentioned.contains(file.parent().unwrap());
        if !mentioned.contains(file) && !named_by_directory {
            problems.push(format!("{} is not named in the code map", relative(file)));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/ARCHITECTURE.md is stale:\n{}",
        problems.join("\n")
    );
    // The check reads the code map at all: it names most of the sources.
    assert!(mentioned.len() > sources.len(), "{mentioned:?}");
}

#[test]
fn every_path_the_testing_page_names_exists() {
    let document = std::fs::read_to_string(root().join("docs/testing.md")).unwrap();
    let missing: Vec<String> = named_paths(&document)
        .into_iter()
        .filter(|path| path.from_root && !path.base.join(&path.text).exists())
        .map(|path| format!("line {}: `{}`", path.line, path.text))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/testing.md names paths that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn paths_are_read_from_their_sections() {
    let document = "\
# Map\n\
`src/edit.rs` and `syntax/errors.rs`\n\
### `src/weave/c/` — the C weaver\n\
`view.rs`, `weave/wrap.rs`, `slic_monitor.c`, `edit::apply`, `%slic.N`\n\
```\n\
`not/a/path.rs`\n\
```\n\
### `src/span.rs`, `src/render.rs`\n\
`diagnostic.rs` and `tests/hermetic/`\n";
    let named: Vec<(String, String, bool)> = named_paths(document)
        .into_iter()
        .map(|path| (path.text, relative(&path.base), path.from_root))
        .collect();
    let expected = [
        ("src/edit.rs", "", true),
        ("syntax/errors.rs", "src", false),
        ("src/weave/c/", "", true),
        ("view.rs", "src/weave/c", false),
        ("weave/wrap.rs", "src/weave/c", false),
        ("slic_monitor.c", "src/weave/c", false),
        ("src/span.rs", "", true),
        ("src/render.rs", "", true),
        ("diagnostic.rs", "src", false),
        ("tests/hermetic/", "", true),
    ];
    let expected: Vec<(String, String, bool)> = expected
        .iter()
        .map(|(text, base, from_root)| (text.to_string(), base.to_string(), *from_root))
        .collect();
    assert_eq!(named, expected);
}
