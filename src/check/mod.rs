//! Stage 2: names, types and the catalog. A loaded rule in, a [`Model`] out.
//!
//! Each check is a small function that adds diagnostics; they share one
//! [`Checker`] that holds the scope. The model is only returned when no
//! check found an error.

mod declarations;
mod events;
mod expressions;
mod scope;
mod statements;

use std::collections::HashSet;
use std::path::Path;

use crate::catalog::Catalog;
use crate::diagnostic::{self, Code, Diagnostic};
use crate::load::LoadedRule;
use crate::model::{
    AbortInfo, EnumDef, Event, HandlerModel, Model, ModelId, ModelInfo, Signature, VarId, Variable,
    WatchModel,
};
use crate::span::{SourceMap, Span};
use crate::syntax::ast::{Item, RuleId};

pub use scope::closest;

pub struct Checker<'a> {
    sources: &'a SourceMap,
    catalog: &'a Catalog,
    scope: scope::Scope,
    variables: Vec<Variable>,
    enums: Vec<EnumDef>,
    /// Variables some expression reads.
    reads: HashSet<VarId>,
    aborts: Vec<AbortInfo>,
    watch: Option<WatchModel>,
    /// A `watch` was written, even if it did not check: guards are then
    /// not reported as lacking one.
    watch_written: bool,
    /// Some item did not parse: what it would have read is unknown, so
    /// "never read" warnings would be guesses.
    had_syntax_errors: bool,
    /// Variables whose declaration was rejected.
    rejected: HashSet<VarId>,
    handlers: Vec<HandlerModel>,
    signatures: Vec<(Event, Signature)>,
    /// For each loaded item, the model it belongs to (`None`: the rule).
    owners: Vec<Option<ModelId>>,
    models: Vec<ModelInfo>,
    diagnostics: Vec<Diagnostic>,
}

/// Checks a loaded rule against a catalog. `display_path` is how reports
/// name the rule file.
pub fn check(
    rule: &LoadedRule,
    catalog: &Catalog,
    sources: &SourceMap,
    display_path: &str,
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut checker = Checker {
        sources,
        catalog,
        scope: scope::Scope::default(),
        variables: Vec::new(),
        enums: Vec::new(),
        reads: HashSet::new(),
        aborts: Vec::new(),
        watch: None,
        watch_written: false,
        had_syntax_errors: rule.had_syntax_errors,
        rejected: HashSet::new(),
        handlers: Vec::new(),
        signatures: Vec::new(),
        owners: rule.owners.clone(),
        models: rule
            .models
            .iter()
            .map(|m| ModelInfo {
                name: m.name.name.clone(),
                span: m.span,
            })
            .collect(),
        diagnostics: Vec::new(),
    };
    checker.declarations(&rule.items);
    checker.watch_item(&rule.items);
    for (index, item) in rule.items.iter().enumerate() {
        match item {
            Item::Handler(handler) => checker.handler(handler, index),
            Item::Pragma(pragma) if !pragma.once => checker.diagnostics.push(
                Diagnostic::new(Code::PragmaIgnored, pragma.span, "`#pragma` is ignored")
                    .with_label("has no effect in a rule")
                    .with_note("slic honours only `#pragma once`"),
            ),
            _ => {}
        }
    }
    checker.unused_variables();
    checker.no_handlers(rule);
    // Model handlers run first on every event (each model's in source
    // order, in the order the models were included), then the rule's.
    checker
        .handlers
        .sort_by_key(|handler| handler.model.map_or(usize::MAX, |model| model));
    let name = checker.rule_name(rule);
    let mut diagnostics = checker.diagnostics;
    diagnostic::sort(&mut diagnostics);
    if diagnostic::has_errors(&diagnostics) {
        return (None, diagnostics);
    }
    let rule_id = match rule.header.as_ref().and_then(|h| h.rule_id) {
        Some(RuleId::Number(id)) => Some(id),
        _ => None,
    };
    let model = Model {
        name,
        rule_id,
        header: rule.header.clone(),
        path: display_path.to_string(),
        variables: checker.variables,
        enums: checker.enums,
        watch: checker.watch,
        handlers: checker.handlers,
        models: checker.models,
        aborts: checker.aborts,
        signatures: checker.signatures,
    };
    (Some(model), diagnostics)
}

impl Checker<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The header's `Rule Name`, or the file stem. A header that names a
    /// different rule than the file is probably a copied header.
    fn rule_name(&mut self, rule: &LoadedRule) -> String {
        let stem = rule
            .path
            .file_stem()
            .unwrap_or(Path::new("rule").as_os_str())
            .to_string_lossy()
            .to_string();
        let header = rule.header.as_ref();
        let Some(name) = header.and_then(|h| h.rule_name.clone()) else {
            return stem;
        };
        if name != stem {
            let span = header
                .and_then(|h| h.fields.iter().find(|f| f.name == "Rule Name"))
                .map(|f| f.span)
                .expect("a rule name comes from a field");
            self.diagnostics.push(
                Diagnostic::new(
                    Code::RuleNameMismatch,
                    span,
                    format!("the header names rule `{name}` but the file is `{stem}`"),
                )
                .with_label("names the rule here")
                .with_note(format!("reports will call this rule `{name}`")),
            );
        }
        name
    }

    /// A rule without handlers is legal but checks nothing: an empty file,
    /// or one whose handlers were left in another file.
    fn no_handlers(&mut self, rule: &LoadedRule) {
        let own_handler = (rule.items.iter().zip(&rule.owners))
            .any(|(item, owner)| matches!(item, Item::Handler(_)) && owner.is_none());
        if self.had_syntax_errors || own_handler {
            return;
        }
        let text = &self.sources.get(rule.file).text;
        let message = if text.trim().is_empty() {
            "the rule file is empty: it checks nothing"
        } else {
            "this rule has no event handlers: it checks nothing"
        };
        self.diagnostics.push(
            Diagnostic::new(Code::NoHandlers, Span::new(rule.file, 0..0), message)
                .with_label("no handler in this file or the files it includes")
                .with_note(
                    "a rule reacts to events in handlers such as `KeAcquireSpinLock.exit { ... }`",
                ),
        );
    }

    fn unused_variables(&mut self) {
        if self.had_syntax_errors {
            return;
        }
        // A model's variable may be there for other rules that include it.
        let own = self.variables.iter().enumerate();
        for (id, variable) in own.filter(|(_, v)| v.model.is_none()) {
            if !self.reads.contains(&id) && !self.rejected.contains(&id) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnusedVariable,
                        variable.span,
                        format!("state variable `{}` is never read", variable.name),
                    )
                    .with_label("declared here")
                    .with_note("a variable no condition reads cannot change what the rule reports"),
                );
            }
        }
    }
}
