//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use slic::diagnostic::Diagnostic;
use slic::frontend::{RuleSource, Session};
use slic::load::{LoadError, SourceLoader};
use slic::model::Model;
use slic::span::SourceMap;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads files from disk for the front end; relative paths are relative to
/// the repository, whatever directory the tests run in.
pub struct Disk;

impl SourceLoader for Disk {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        std::fs::read_to_string(root().join(path)).map_err(|_| LoadError::NotFound)
    }
}

pub struct Compiled {
    pub sources: SourceMap,
    pub model: Option<Model>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles a rule file by its path relative to the repository, so that
/// snapshots do not depend on where the checkout is: not only the rule but
/// the files it includes and its catalog are named that way in diagnostics.
pub fn compile_file(path: &Path) -> Compiled {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let relative = path.strip_prefix(root()).unwrap_or(path);
    let display = relative.display().to_string();
    compile_text(relative, &display, &text)
}

pub fn compile_text(path: &Path, display: &str, text: &str) -> Compiled {
    let loader = Disk;
    let mut session = Session::new(&loader);
    let (model, diagnostics) = session.compile(RuleSource {
        path,
        display,
        text,
    });
    Compiled {
        sources: session.sources,
        model,
        diagnostics,
    }
}

/// The codes a fixture expects, from its first line: `// expect: E0008 W0003`.
pub fn expected_codes(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or_default();
    let list = first.strip_prefix("// expect:").unwrap_or_else(|| {
        panic!("an invalid fixture starts with `// expect: CODE...`, not {first:?}")
    });
    let mut codes: Vec<String> = list
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// Runs the slic binary in the repository's root and returns what it did.
pub fn run_slic(arguments: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_slic"))
        .args(arguments)
        .current_dir(root())
        .output()
        .expect("the slic binary runs")
}
