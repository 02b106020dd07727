//! Compiling the rules a command works on: files named on the command
//! line, or the built-in pack.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::LazyLock;

use slic::automaton::{self, Automaton};
use slic::catalog::Catalog;
use slic::diagnostic::{Diagnostic, has_errors};
use slic::frontend::{RuleSource, Session};
use slic::load::MemoryLoader;
use slic::span::SourceMap;

use super::diagnostics::{self, MessageFormat};
use super::io::{FsLoader, read_text};
use super::{CompileOptions, Failure};

static FILES: FsLoader = FsLoader;
static PACK: LazyLock<MemoryLoader> = LazyLock::new(slic::pack::loader);

pub struct CompiledRule {
    /// Where the rule is: on disk, or its path in the pack.
    pub path: PathBuf,
    pub automaton: Automaton,
    pub catalog: Rc<Catalog>,
}

pub struct Compiled {
    pub rules: Vec<CompiledRule>,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the rules came from the built-in pack.
    pub built_in: bool,
    /// Whether they are the pack as the cache keeps it (no `-I`, no
    /// `--catalog`), so that what is made from them alone can be cached
    /// too (`cache::derived`).
    pub cacheable: bool,
}

/// Compiles the given rule files, or the built-in pack when there are
/// none. Diagnostics are printed; any error stops the command (exit 1).
pub fn compile(paths: &[PathBuf], options: &CompileOptions) -> Result<Compiled, Failure> {
    let compiled = compile_quietly(paths, options)?;
    diagnostics::print(
        options.message_format,
        &compiled.sources,
        &compiled.diagnostics,
    );
    if has_errors(&compiled.diagnostics) {
        if let MessageFormat::Human = options.message_format {
            eprintln!("slic: {}", diagnostics::summary(&compiled.diagnostics));
        }
        return Err(Failure::Errors);
    }
    Ok(compiled)
}

/// Like [`compile`], without printing. The built-in pack with no `-I` or
/// `--catalog` comes from the cache (`cache.rs`) when it is there.
pub fn compile_quietly(paths: &[PathBuf], options: &CompileOptions) -> Result<Compiled, Failure> {
    options.validate()?;
    if paths.is_empty() && options.include_path.is_empty() && options.catalog.is_none() {
        return super::cache::pack(|| compile_fresh(paths, options));
    }
    compile_fresh(paths, options)
}

/// Compiles the rules, never from the cache.
pub fn compile_fresh(paths: &[PathBuf], options: &CompileOptions) -> Result<Compiled, Failure> {
    let built_in = paths.is_empty();
    let inputs: Vec<(PathBuf, String, String)> = if built_in {
        slic::pack::rules()
            .map(|(path, text)| (PathBuf::from(path), path.to_string(), text.to_string()))
            .collect()
    } else {
        paths
            .iter()
            .map(|path| Ok((path.clone(), path.display().to_string(), read_text(path)?)))
            .collect::<Result<_, Failure>>()?
    };
    let mut session = if built_in {
        Session::new(&*PACK)
    } else {
        Session::new(&FILES)
    };
    session.include_path = options.include_path.clone();
    session.catalog_override = options.catalog.clone();
    let mut rules = Vec::new();
    let mut all = Vec::new();
    for (path, display, text) in &inputs {
        let (model, catalog, diagnostics) = session.compile_with_catalog(RuleSource {
            path,
            display,
            text,
        });
        all.extend(diagnostics);
        if let Some(model) = model {
            rules.push(CompiledRule {
                path: path.clone(),
                automaton: automaton::lower(&model),
                catalog,
            });
        }
    }
    Ok(Compiled {
        rules,
        sources: session.sources,
        diagnostics: all,
        built_in,
        cacheable: false,
    })
}

/// The text of a file beside a rule (its traces): from disk, or from the
/// pack for built-in rules. `None` when there is none.
pub fn companion(
    compiled: &Compiled,
    rule: &Path,
    extension: &str,
) -> Result<Option<(PathBuf, String)>, Failure> {
    let path = rule.with_extension(extension);
    if compiled.built_in {
        let key = path.to_string_lossy().replace('\\', "/");
        return Ok(slic::pack::file(&key).map(|text| (path, text.to_string())));
    }
    if !path.exists() {
        return Ok(None);
    }
    read_text(&path).map(|text| Some((path, text)))
}
