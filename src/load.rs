//! Follows `#include`s: one rule made of its file and everything it includes.
//!
//! Reading files is the caller's business (the core does no I/O): it passes
//! a [`SourceLoader`], the file system for the command line, a table of
//! embedded files for the built-in pack, a map in tests.
//!
//! A file that says `model NAME;` is a shared model: everything in it (and
//! in the files it includes) belongs to that model, and the loaded rule
//! records which items those are. The checker enforces what model code may
//! do; here only where models may be declared.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::builtins::SLIC_BASE_NAME;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::ModelId;
use crate::span::{FileId, SourceMap, Span};
use crate::syntax::ast::{Header, Ident, Item};
use crate::syntax::parse;

pub trait SourceLoader {
    /// The text of the file at `path`, or why it cannot be read.
    fn load(&self, path: &Path) -> Result<String, LoadError>;

    /// The bytes of the file at `path`, whatever they are (C headers need
    /// not be UTF-8), or why it cannot be read.
    fn load_bytes(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        self.load(path).map(String::into_bytes)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    NotFound,
    /// The file is there but cannot be used (a directory, no permission,
    /// not UTF-8): the reason, in a few words.
    Unreadable(String),
}

/// A rule with its includes spliced in, in source order.
#[derive(Debug, Clone)]
pub struct LoadedRule {
    /// The rule file.
    pub file: FileId,
    pub path: PathBuf,
    /// Only the rule file's own header counts.
    pub header: Option<Header>,
    /// Every item but the `model NAME;` lines, which are in `models`.
    pub items: Vec<Item>,
    /// For each item, the model it belongs to; `None` for the rule's own.
    pub owners: Vec<Option<ModelId>>,
    /// The models included, in the order of their first items.
    pub models: Vec<LoadedModel>,
    /// Some file did not parse or an include was missing: checks that
    /// reason about the whole rule ("never read") should hold back.
    pub had_syntax_errors: bool,
}

/// A shared model: the name its `model NAME;` line gives.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    pub name: Ident,
    /// The whole `model NAME;` line.
    pub span: Span,
}

/// Included files already parsed, by path: the rules of a pack include the
/// same few files (the IRQL model, shared definitions), and parsing them
/// once per rule was most of the time a pack took to compile. An entry is
/// used again only if the file's text is still what was parsed.
#[derive(Debug, Default)]
pub struct IncludeCache {
    parsed: HashMap<PathBuf, ParsedInclude>,
}

#[derive(Debug)]
struct ParsedInclude {
    text: String,
    items: Vec<Item>,
    diagnostics: Vec<Diagnostic>,
}

/// Parses the rule already in `sources` as `file` (read from `path`) and
/// every file it includes, searched next to the including file and then in
/// `include_path`; included files come from `cache` when they were parsed
/// before.
pub fn load_rule(
    sources: &mut SourceMap,
    loader: &dyn SourceLoader,
    cache: &mut IncludeCache,
    file: FileId,
    path: &Path,
    include_path: &[PathBuf],
) -> (LoadedRule, Vec<Diagnostic>) {
    let mut context = Context {
        sources,
        loader,
        cache,
        include_path,
        stack: vec![normalize(path)],
        once: Vec::new(),
        models: Vec::new(),
        out: Vec::new(),
        diagnostics: Vec::new(),
    };
    let text = context.sources.get(file).text.clone();
    let (rule, diagnostics) = parse(file, &text);
    context.diagnostics.extend(diagnostics);
    for item in &rule.items {
        if let Item::Model(declaration) = item {
            context.diagnostics.push(
                Diagnostic::new(
                    Code::ModelDeclaration,
                    declaration.span,
                    "a rule file cannot be a model",
                )
                .with_label("declares this file a shared model")
                .with_note("put the model in a file of its own and `#include` it from rules"),
            );
        }
    }
    context.splice(rule.items, path, None);
    let (items, owners) = context.out.into_iter().unzip();
    let loaded = LoadedRule {
        file,
        path: path.to_path_buf(),
        header: rule.header,
        items,
        owners,
        models: context.models,
        had_syntax_errors: crate::diagnostic::has_errors(&context.diagnostics),
    };
    (loaded, context.diagnostics)
}

struct Context<'a> {
    sources: &'a mut SourceMap,
    loader: &'a dyn SourceLoader,
    cache: &'a mut IncludeCache,
    include_path: &'a [PathBuf],
    /// The files being included, outermost first, to catch cycles.
    stack: Vec<PathBuf>,
    /// Files that said `#pragma once`.
    once: Vec<PathBuf>,
    models: Vec<LoadedModel>,
    /// The items so far, with their models.
    out: Vec<(Item, Option<ModelId>)>,
    diagnostics: Vec<Diagnostic>,
}

impl Context<'_> {
    /// Appends `items` (of the file `from`, which belongs to `owner`) to
    /// the output, following includes.
    fn splice(&mut self, items: Vec<Item>, from: &Path, owner: Option<ModelId>) {
        for item in items {
            let Item::Include(include) = &item else {
                if !matches!(item, Item::Model(_)) {
                    self.out.push((item, owner));
                }
                continue;
            };
            if include.path == SLIC_BASE_NAME {
                // Built in; it declares nothing (see `builtins.rs`).
                continue;
            }
            let found = match self.find(&include.path, include.system, from) {
                Ok(found) => found,
                Err((path, reason)) => {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::IncludeNotFound,
                            include.path_span,
                            format!("cannot read `{}`: {reason}", path.display()),
                        )
                        .with_label("included here"),
                    );
                    continue;
                }
            };
            let Some((path, text)) = found else {
                let searched = if include.system {
                    "the include path"
                } else {
                    "next to the including file or on the include path"
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::IncludeNotFound,
                        include.path_span,
                        format!("cannot find `{}`", include.path),
                    )
                    .with_label(format!("searched {searched}"))
                    .with_note("add directories to search with `-I DIR`"),
                );
                continue;
            };
            let key = normalize(&path);
            if self.stack.contains(&key) {
                let chain: Vec<String> = self
                    .stack
                    .iter()
                    .chain([&key])
                    .map(|p| p.display().to_string())
                    .collect();
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::RecursiveInclude,
                        include.path_span,
                        format!(
                            "including `{}` here would include it inside itself",
                            include.path
                        ),
                    )
                    .with_label("this include closes a cycle")
                    .with_note(format!("the includes run {}", chain.join(" -> "))),
                );
                continue;
            }
            if self.once.contains(&key) {
                // `#pragma once`: included before, so nothing to add.
                continue;
            }
            let path = key.clone();
            let (items, diagnostics) = self.parse_include(&path, text);
            self.diagnostics.extend(diagnostics);
            if items.iter().any(is_pragma_once) {
                self.once.push(key.clone());
            }
            let owner = self.model_of(&items, owner);
            self.stack.push(key);
            self.splice(items, &path, owner);
            self.stack.pop();
        }
    }

    /// The items of the included file at `path` and the diagnostics of
    /// parsing it: from the cache if it holds this text, else parsed (and
    /// added to the sources) now.
    fn parse_include(&mut self, path: &Path, text: String) -> (Vec<Item>, Vec<Diagnostic>) {
        if let Some(parsed) = self.cache.parsed.get(path)
            && parsed.text == text
        {
            return (parsed.items.clone(), parsed.diagnostics.clone());
        }
        let file = self.sources.add(path.display().to_string(), text.clone());
        let (rule, diagnostics) = parse(file, &text);
        let parsed = ParsedInclude {
            text,
            items: rule.items,
            diagnostics,
        };
        let result = (parsed.items.clone(), parsed.diagnostics.clone());
        self.cache.parsed.insert(path.to_path_buf(), parsed);
        result
    }

    /// The model the items of an included file belong to: the one it
    /// declares, else the one of the file that includes it.
    fn model_of(&mut self, items: &[Item], includer: Option<ModelId>) -> Option<ModelId> {
        let mut declarations = items.iter().filter_map(|item| match item {
            Item::Model(declaration) => Some(declaration),
            _ => None,
        });
        let Some(first) = declarations.next() else {
            return includer;
        };
        for again in declarations {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::ModelDeclaration,
                    again.span,
                    "a file declares at most one model",
                )
                .with_label("second `model` line")
                .with_secondary(first.span, "the file is this model"),
            );
        }
        if let Some(outer) = includer {
            let outer = &self.models[outer];
            self.diagnostics.push(
                Diagnostic::new(
                    Code::ModelDeclaration,
                    first.span,
                    format!(
                        "model `{}` is included by model `{}`",
                        first.name.name, outer.name.name
                    ),
                )
                .with_label("a model inside a model")
                .with_secondary(outer.span, "the including model")
                .with_note("models do not nest: include both from the rule"),
            );
            return includer;
        }
        if let Some(earlier) = self.models.iter().find(|m| m.name.name == first.name.name) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::ModelDeclaration,
                    first.span,
                    format!("model `{}` is included twice", first.name.name),
                )
                .with_label("included again here")
                .with_secondary(earlier.span, "first included here")
                .with_note("a model file should say `#pragma once`"),
            );
        }
        self.models.push(LoadedModel {
            name: first.name.clone(),
            span: first.span,
        });
        Some(self.models.len() - 1)
    }

    /// The first candidate that exists. One that exists but cannot be read
    /// is an error, not a reason to look further: C compilers do the same.
    #[allow(clippy::type_complexity)]
    fn find(
        &mut self,
        name: &str,
        system: bool,
        from: &Path,
    ) -> Result<Option<(PathBuf, String)>, (PathBuf, String)> {
        let mut candidates = Vec::new();
        if !system {
            candidates.push(from.parent().unwrap_or(Path::new("")).join(name));
        }
        candidates.extend(self.include_path.iter().map(|dir| dir.join(name)));
        for candidate in candidates {
            match self.loader.load(&candidate) {
                Ok(text) => return Ok(Some((candidate, text))),
                Err(LoadError::NotFound) => {}
                Err(LoadError::Unreadable(reason)) => return Err((candidate, reason)),
            }
        }
        Ok(None)
    }
}

fn is_pragma_once(item: &Item) -> bool {
    matches!(item, Item::Pragma(pragma) if pragma.once)
}

/// `a/./b/../c` as `a/c`, so one file reached two ways is one file.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A loader over files held in memory (the built-in pack, tests).
#[derive(Debug, Default, Clone)]
pub struct MemoryLoader {
    pub files: Vec<(PathBuf, String)>,
}

impl MemoryLoader {
    pub fn new(files: impl IntoIterator<Item = (impl Into<PathBuf>, impl Into<String>)>) -> Self {
        MemoryLoader {
            files: files
                .into_iter()
                .map(|(p, t)| (p.into(), t.into()))
                .collect(),
        }
    }
}

impl SourceLoader for MemoryLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        let wanted = normalize(path);
        self.files
            .iter()
            .find(|(p, _)| normalize(p) == wanted)
            .map(|(_, text)| text.clone())
            .ok_or(LoadError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHARED: &str = "#pragma once\nstate { int count = 0; }\n";

    /// Loads `rules/NAME` (which includes `shared.h`) through `cache`: its
    /// items, and how many files the sources hold after.
    fn load(
        sources: &mut SourceMap,
        loader: &MemoryLoader,
        cache: &mut IncludeCache,
        name: &str,
    ) -> (usize, u32) {
        let path = PathBuf::from("rules").join(name);
        let text = loader.load(&path).unwrap();
        let file = sources.add(path.display().to_string(), text);
        let (rule, diagnostics) = load_rule(sources, loader, cache, file, &path, &[]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        (rule.items.len(), sources.next_id().0)
    }

    #[test]
    fn an_include_is_parsed_once_per_cache_while_its_text_is_the_same() {
        let rule = "#include \"shared.h\"\nKeLowerIrql.exit { count = 1; }\n";
        let mut loader = MemoryLoader::new([
            ("rules/a.slic", rule),
            ("rules/b.slic", rule),
            ("rules/shared.h", SHARED),
        ]);
        let mut sources = SourceMap::new();
        let mut cache = IncludeCache::default();
        // a.slic and shared.h; then b.slic alone, with shared.h's items.
        assert_eq!(load(&mut sources, &loader, &mut cache, "a.slic"), (3, 2));
        assert_eq!(load(&mut sources, &loader, &mut cache, "b.slic"), (3, 3));
        // The header changed (another session's files): parsed again.
        loader.files[2].1 = format!("{SHARED}state {{ int more = 0; }}\n");
        assert_eq!(load(&mut sources, &loader, &mut cache, "a.slic"), (4, 5));
    }
}
