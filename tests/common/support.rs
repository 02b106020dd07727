//! Helpers shared by both test tiers (`tests/hermetic`, `tests/it`); each
//! uses a part of them.
#![allow(dead_code)]

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

/// The codes a fixture expects, from its first line: `// expect: E0008
/// W0003` (`; expect: ...` in LLVM IR).
pub fn expected_codes(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or_default();
    let list = first
        .strip_prefix("// expect:")
        .or_else(|| first.strip_prefix("; expect:"))
        .unwrap_or_else(|| {
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

/// `slic weave` run on a fixture of `tests/fixtures/weave/`, with the rules
/// its `rules:` line names (the built-in pack without one), what it
/// printed on stderr, and its exit code.
pub fn weave_fixture(fixture: &Path) -> (String, Option<i32>) {
    let text = std::fs::read_to_string(fixture).unwrap();
    let relative = fixture.strip_prefix(root()).unwrap_or(fixture);
    let relative = relative.display().to_string();
    let rules: Vec<&str> = text
        .lines()
        .take_while(|line| line.starts_with("//") || line.starts_with(';'))
        .filter_map(|line| line.split_once("rules:").map(|(_, rules)| rules))
        .flat_map(str::split_whitespace)
        .collect();
    let out = tempfile::tempdir().unwrap();
    let extension = fixture.extension().unwrap().to_string_lossy().to_string();
    let output = out.path().join(format!("woven.{extension}"));
    let output = output.display().to_string();
    let mut arguments = vec!["weave"];
    for rule in &rules {
        arguments.extend(["--rule", rule]);
    }
    arguments.extend([
        "-I",
        "tests/drivers/queued",
        "-I",
        "tests/drivers/wdk",
        &relative,
        "-o",
        &output,
    ]);
    let result = run_slic(&arguments);
    (
        String::from_utf8_lossy(&result.stderr).into_owned(),
        result.status.code(),
    )
}

/// Diagnostics about a woven input (whose file id is 0), rendered as
/// `slic weave` shows them.
pub fn render_about_input(name: &str, text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    slic::render::to_text(&sources, diagnostics)
}

/// The line (from 1) of a byte of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}
