//! The state block, its variables and enums, `#define`s and `watch`.

use super::Checker;
use super::scope::{DefineValue, Symbol};
use crate::builtins;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{EnumDef, ModelId, ValueType, Variable, WatchModel};
use crate::span::Span;
use crate::syntax::ast::{Declaration, Item, TypeSpec};
use crate::types::IntType;

impl Checker<'_> {
    /// Declares every name first (so a `#define` may name an enumerator of
    /// a later state block), then evaluates defines and initialisers in
    /// source order.
    pub(super) fn declarations(&mut self, items: &[Item]) {
        // The first state block of the rule and of each model it includes:
        // (item, the id of its first variable).
        let mut state_items: Vec<(usize, usize)> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let owner = self.owners[index];
            match item {
                Item::State(state) => {
                    let first = state_items
                        .iter()
                        .find(|(at, _)| self.owners[*at] == owner)
                        .map(|(at, _)| *at);
                    match first {
                        None => {
                            state_items.push((index, self.variables.len()));
                            for declaration in &state.declarations {
                                self.declare_state(declaration, owner);
                            }
                        }
                        Some(first) => {
                            let Item::State(first_state) = &items[first] else {
                                unreachable!()
                            };
                            let (message, note) = match owner {
                                None => (
                                    "a rule has at most one `state` block",
                                    "declare all state variables in one block",
                                ),
                                Some(_) => (
                                    "a model has at most one `state` block",
                                    "declare all the model's variables in one block",
                                ),
                            };
                            self.error(
                                Diagnostic::new(Code::SecondState, state.keyword, message)
                                    .with_label("second `state` block")
                                    .with_secondary(first_state.keyword, "first `state` block")
                                    .with_note(note),
                            );
                        }
                    }
                }
                Item::Define(define) => {
                    let index_in_defines = self.scope.defines.len();
                    self.scope.defines.push(DefineValue {
                        name: define.name.name.clone(),
                        value: None,
                        span: define.name.span,
                    });
                    if builtins::constant_named(&define.name.name).is_none() {
                        let symbol = Symbol::Define {
                            index: index_in_defines,
                            item: index,
                        };
                        let _ = self.declare(&define.name.name, symbol, define.name.span, owner);
                    }
                }
                _ => {}
            }
        }
        let mut define_index = 0;
        for (index, item) in items.iter().enumerate() {
            match item {
                Item::Define(define) => {
                    let value = define
                        .value
                        .as_ref()
                        .and_then(|value| self.constant(value, index));
                    if let (Some(builtin), Some((value, _))) =
                        (builtins::constant_named(&define.name.name), value)
                        && builtin.ty.normalize(value) != builtin.value
                    {
                        self.error(
                            Diagnostic::new(
                                Code::Duplicate,
                                define.name.span,
                                format!(
                                    "`{}` is a built-in constant with the value {}",
                                    builtin.name, builtin.value
                                ),
                            )
                            .with_label("redefined with a different value"),
                        );
                    }
                    self.scope.defines[define_index].value = value;
                    define_index += 1;
                }
                Item::State(state) => {
                    // Only the first block of each owner declared variables,
                    // numbered in declaration order from its first.
                    let Some(&(_, first)) = state_items.iter().find(|(at, _)| *at == index) else {
                        continue;
                    };
                    let declarators = state.declarations.iter().flat_map(|d| &d.declarators);
                    for (offset, declarator) in declarators.enumerate() {
                        if let Some(init) = &declarator.init {
                            self.initialize(first + offset, init, index);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Declares a name; whether it was accepted.
    fn declare(&mut self, name: &str, symbol: Symbol, span: Span, owner: Option<ModelId>) -> bool {
        if builtins::constant_named(name).is_some() {
            self.error(
                Diagnostic::new(
                    Code::Duplicate,
                    span,
                    format!("`{name}` is a built-in constant"),
                )
                .with_label("cannot be declared again")
                .with_note("choose another name"),
            );
            return false;
        }
        if let Err(earlier) = self.scope.declare(name, symbol, span, owner) {
            self.error(
                Diagnostic::new(Code::Duplicate, span, format!("`{name}` is declared twice"))
                    .with_label("declared again here")
                    .with_secondary(earlier, "first declared here"),
            );
            return false;
        }
        true
    }

    /// Declares the enumerators and variables of one declaration. Initial
    /// values are zero until `initialize` evaluates the initialisers.
    fn declare_state(&mut self, declaration: &Declaration, owner: Option<ModelId>) {
        let ty = match &declaration.ty {
            TypeSpec::Enum { enumerators, .. } => {
                let enumeration = self.enums.len();
                self.enums.push(EnumDef {
                    enumerators: enumerators.iter().map(|e| e.name.clone()).collect(),
                    model: owner,
                });
                for (value, enumerator) in enumerators.iter().enumerate() {
                    let symbol = Symbol::Enumerator {
                        enumeration,
                        value: value as i64,
                    };
                    let _ = self.declare(&enumerator.name, symbol, enumerator.span, owner);
                }
                Some(ValueType::enumeration(enumeration))
            }
            TypeSpec::Scalar { words, span } => self.scalar_type(words, *span, declaration),
        };
        for declarator in &declaration.declarators {
            let ty = match ty {
                Some(_) if declarator.pointer => Some(ValueType::POINTER),
                other => other,
            };
            let id = self.variables.len();
            self.variables.push(Variable {
                name: declarator.name.name.clone(),
                ty: ty.unwrap_or(ValueType::int(IntType::INT)),
                init: 0,
                span: declarator.name.span,
                model: owner,
            });
            let accepted = self.declare(
                &declarator.name.name,
                Symbol::Variable(id),
                declarator.name.span,
                owner,
            );
            if !accepted || ty.is_none() {
                self.rejected.insert(id);
            }
        }
    }

    fn scalar_type(
        &mut self,
        words: &[String],
        span: Span,
        declaration: &Declaration,
    ) -> Option<ValueType> {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let all_pointers = declaration.declarators.iter().all(|d| d.pointer);
        let int = |ty| Some(ValueType::int(ty));
        match words.as_slice() {
            ["int"] | ["signed"] | ["signed", "int"] | ["long"] | ["LONG"] | ["NTSTATUS"] => {
                int(IntType::INT)
            }
            ["unsigned"] | ["unsigned", "int"] | ["unsigned", "long"] | ["ULONG"] => {
                int(IntType::UINT)
            }
            ["BOOLEAN"] | ["bool"] | ["UCHAR"] | ["KIRQL"] => int(IntType::UCHAR),
            ["ULONG_PTR"] => int(IntType::UINT64),
            ["PVOID"] => Some(ValueType::POINTER),
            ["void"] | ["VOID"] if all_pointers => Some(ValueType::POINTER),
            ["void"] | ["VOID"] => {
                self.error(
                    Diagnostic::new(
                        Code::BadStateType,
                        span,
                        "a state variable cannot be `void`",
                    )
                    .with_label("did you mean `void *`?"),
                );
                None
            }
            _ => {
                self.error(
                    Diagnostic::new(
                        Code::BadStateType,
                        span,
                        format!(
                            "`{}` is not a supported state variable type",
                            words.join(" ")
                        ),
                    )
                    .with_label("unsupported type")
                    .with_note(
                        "state variables are enums, `int` (`long`, `LONG`, `NTSTATUS`), `unsigned` \
                         (`ULONG`), `BOOLEAN` (`bool`, `UCHAR`), `KIRQL`, `ULONG_PTR`, \
                         and pointers (`void *`, `PVOID`)",
                    ),
                );
                None
            }
        }
    }

    fn initialize(&mut self, variable: usize, init: &crate::syntax::ast::Expr, item: usize) {
        let var_ty = self.variables[variable].ty;
        let Some((value, ty)) = self.constant(init, item) else {
            return;
        };
        if var_ty.enumeration != ty.enumeration {
            let name = self.variables[variable].name.clone();
            let diagnostic = self
                .enum_mismatch(
                    init.span,
                    &format!("`{name}` is initialised with a value of another type"),
                    var_ty,
                    ty,
                )
                .with_secondary(
                    self.variables[variable].span,
                    format!("`{name}` is declared here"),
                );
            self.error(diagnostic);
        }
        self.variables[variable].init = var_ty.int.normalize(value);
    }

    pub(super) fn watch_item(&mut self, items: &[Item]) {
        let mut first: Option<Span> = None;
        for (index, item) in items.iter().enumerate() {
            let Item::Watch(watch) = item else { continue };
            if let Some(model) = self.owners[index] {
                let declaration = self.models[model].span;
                self.error(
                    Diagnostic::new(
                        Code::ModelWithWatch,
                        watch.span,
                        "a model cannot `watch` objects",
                    )
                    .with_label("`watch` in a model")
                    .with_secondary(declaration, "the model")
                    .with_note(
                        "a model's state belongs to the thread; per-object state belongs in a rule",
                    ),
                );
                continue;
            }
            if let Some(model) = self.models.first() {
                let diagnostic = Diagnostic::new(
                    Code::ModelWithWatch,
                    watch.span,
                    format!("a rule with `watch` cannot include model `{}`", model.name),
                )
                .with_label("per-object state")
                .with_secondary(model.span, "per-thread model included here")
                .with_note(
                    "each object would get its own copy of the model, which starts over when \
                     the object is first seen; write the check as a rule without `watch`",
                );
                self.error(diagnostic);
            }
            if let Some(first) = first {
                self.error(
                    Diagnostic::new(
                        Code::SecondWatch,
                        watch.span,
                        "a rule has at most one `watch`",
                    )
                    .with_label("second `watch`")
                    .with_secondary(first, "first `watch`"),
                );
                continue;
            }
            first = Some(watch.span);
            self.watch_written = true;
            let Some(kind) = self.event_kind(&watch.kind) else {
                continue;
            };
            let Some(resolved) = self.resolve_event(&watch.function, kind) else {
                continue;
            };
            let event = resolved.event.clone();
            if self.check_argument_in_range(watch.argument.index, watch.argument.span, &[resolved])
            {
                self.watch = Some(WatchModel {
                    event,
                    argument: watch.argument.index,
                    span: watch.span,
                });
            }
        }
    }
}
