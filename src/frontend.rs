//! The front end as one call: rule text in, checked [`Model`] out.
//!
//! A [`Session`] holds the sources of everything it compiled (so
//! diagnostics can be rendered at the end) and the catalogs it has read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::catalog::{self, Catalog};
use crate::check;
use crate::diagnostic::{Code, Diagnostic};
use crate::load::{self, LoadError, SourceLoader};
use crate::model::Model;
use crate::pack;
use crate::span::{FileId, SourceMap, Span};

pub struct Session<'a> {
    pub sources: SourceMap,
    loader: &'a dyn SourceLoader,
    pub include_path: Vec<PathBuf>,
    /// `--catalog`: one catalog for every rule.
    pub catalog_override: Option<PathBuf>,
    catalogs: HashMap<PathBuf, Rc<Catalog>>,
    includes: load::IncludeCache,
}

/// A rule to compile: where it is (for `#include` and its `ddi.h`), how
/// reports name it, and its text.
pub struct RuleSource<'t> {
    pub path: &'t Path,
    pub display: &'t str,
    pub text: &'t str,
}

impl<'a> Session<'a> {
    pub fn new(loader: &'a dyn SourceLoader) -> Session<'a> {
        Session {
            sources: SourceMap::new(),
            loader,
            include_path: Vec::new(),
            catalog_override: None,
            catalogs: HashMap::new(),
            includes: load::IncludeCache::default(),
        }
    }

    /// Parses, loads includes, reads the catalog and checks. The model is
    /// `None` when there were errors.
    pub fn compile(&mut self, rule: RuleSource) -> (Option<Model>, Vec<Diagnostic>) {
        let (model, _, diagnostics) = self.compile_with_catalog(rule);
        (model, diagnostics)
    }

    /// Like [`Session::compile`], also returning the catalog the rule was
    /// checked against (trace tests resolve their events with it).
    pub fn compile_with_catalog(
        &mut self,
        rule: RuleSource,
    ) -> (Option<Model>, Rc<Catalog>, Vec<Diagnostic>) {
        let file = self.sources.add(rule.display, rule.text);
        let (loaded, mut diagnostics) = load::load_rule(
            &mut self.sources,
            self.loader,
            &mut self.includes,
            file,
            rule.path,
            &self.include_path,
        );
        let (catalog, catalog_diagnostics) = self.catalog_for(rule.path, file);
        diagnostics.extend(catalog_diagnostics);
        let (model, check_diagnostics) =
            check::check(&loaded, &catalog, &self.sources, rule.display);
        diagnostics.extend(check_diagnostics);
        crate::diagnostic::sort(&mut diagnostics);
        let model = model.filter(|_| !crate::diagnostic::has_errors(&diagnostics));
        (model, catalog, diagnostics)
    }

    /// The catalog for a rule: `--catalog`, else `ddi.h` beside the rule,
    /// else the built-in WDM catalog. Each is read once per session; its
    /// diagnostics come with the first rule that uses it.
    pub fn catalog_for(
        &mut self,
        rule: &Path,
        rule_file: FileId,
    ) -> (Rc<Catalog>, Vec<Diagnostic>) {
        let beside = rule.parent().unwrap_or(Path::new("")).join("ddi.h");
        let candidates = self.catalog_override.iter().cloned().chain([beside]);
        let mut chosen = None;
        for candidate in candidates {
            if let Some(catalog) = self.catalogs.get(&candidate) {
                return (catalog.clone(), Vec::new());
            }
            match self.loader.load(&candidate) {
                Ok(text) => {
                    chosen = Some((candidate, text));
                    break;
                }
                Err(LoadError::NotFound) if Some(&candidate) != self.catalog_override.as_ref() => {
                    continue;
                }
                Err(LoadError::NotFound) => {
                    let diagnostic = Diagnostic::new(
                        Code::Catalog,
                        Span::new(rule_file, 0..0),
                        format!(
                            "cannot read the catalog `{}`: no such file",
                            candidate.display()
                        ),
                    );
                    return (Rc::new(Catalog::default()), vec![diagnostic]);
                }
                Err(LoadError::Unreadable(reason)) => {
                    let diagnostic = Diagnostic::new(
                        Code::Catalog,
                        Span::new(rule_file, 0..0),
                        format!(
                            "cannot read the catalog `{}`: {reason}",
                            candidate.display()
                        ),
                    );
                    return (Rc::new(Catalog::default()), vec![diagnostic]);
                }
            }
        }
        let (path, text, name) = match chosen {
            Some((path, text)) => {
                let name = path.display().to_string();
                (path, text, name)
            }
            None => {
                let path = PathBuf::from(pack::DEFAULT_CATALOG);
                if let Some(catalog) = self.catalogs.get(&path) {
                    return (catalog.clone(), Vec::new());
                }
                let text = pack::file(pack::DEFAULT_CATALOG).expect("the pack has a catalog");
                (
                    path,
                    text.to_string(),
                    format!("{} (built in)", pack::DEFAULT_CATALOG),
                )
            }
        };
        let file = self.sources.add(name, text.clone());
        let (catalog, diagnostics) = catalog::parse(file, &text);
        let catalog = Rc::new(catalog);
        self.catalogs.insert(path, catalog.clone());
        (catalog, diagnostics)
    }
}

/// Compiles every rule of the built-in pack.
pub fn compile_pack(session: &mut Session) -> (Vec<Model>, Vec<Diagnostic>) {
    let mut models = Vec::new();
    let mut diagnostics = Vec::new();
    for (path, text) in pack::rules() {
        let (model, rule_diagnostics) = session.compile(RuleSource {
            path: Path::new(path),
            display: path,
            text,
        });
        models.extend(model);
        diagnostics.extend(rule_diagnostics);
    }
    (models, diagnostics)
}
