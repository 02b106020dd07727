//! Handler bodies: assignments, `abort`, `halt`, `reset`, and what follows
//! an `abort`.

use super::Checker;
use super::events::HandlerContext;
use super::expressions::Place;
use super::scope::Symbol;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AbortInfo, ExprKind, Statement, TypedExpr};
use crate::span::Span;
use crate::syntax::ast::{self, Stmt};

impl Checker<'_> {
    /// Checks a sequence of statements; warns once about the first
    /// statement that follows one that always ends the handler.
    pub(super) fn block(
        &mut self,
        statements: &[Stmt],
        context: &HandlerContext,
    ) -> Vec<Statement> {
        let mut out = Vec::new();
        let mut ended_by = None;
        let mut warned = false;
        for statement in statements {
            if let Some(end) = ended_by {
                if !warned && !matches!(statement, Stmt::Empty(_)) {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::Unreachable,
                            statement.span(),
                            "this statement never runs",
                        )
                        .with_label("unreachable")
                        .with_secondary(end, "the handler always ends here"),
                    );
                    warned = true;
                }
                // Still checked for errors, but left out of the model.
                self.statement(statement, context, &mut Vec::new());
                continue;
            }
            self.statement(statement, context, &mut out);
            ended_by = always_ends(statement);
        }
        out
    }

    fn statement(&mut self, statement: &Stmt, context: &HandlerContext, out: &mut Vec<Statement>) {
        let place = Place::Handler(context);
        match statement {
            Stmt::If {
                condition,
                then_branch,
                else_branch,
                ..
            } => {
                let condition = self.expression(condition, place);
                let then_body = self.block(std::slice::from_ref(then_branch.as_ref()), context);
                let else_body = match else_branch {
                    Some(branch) => self.block(std::slice::from_ref(branch.as_ref()), context),
                    None => Vec::new(),
                };
                if let Some(condition) = condition {
                    out.push(Statement::If(condition, then_body, else_body));
                }
            }
            Stmt::Block(block) => out.extend(self.block(&block.statements, context)),
            Stmt::Assign {
                target,
                operator,
                value,
                span,
            } => {
                let variable = self.assignment_target(target, place);
                // A variable read only to compute its own next value (`n++`)
                // is still unused: nothing else ever depends on it.
                let read_before = variable.map(|v| self.reads.contains(&v));
                let value_span = value.span;
                let value = self.expression(value, place);
                if let (Some(variable), Some(false)) = (variable, read_before) {
                    self.reads.remove(&variable);
                }
                let (Some(variable), Some(value)) = (variable, value) else {
                    return;
                };
                let var_ty = self.variables[variable].ty;
                let value = match operator {
                    None => value,
                    Some(op) => {
                        // `x op= v` means `x = x op v`; check it as written out.
                        let current = TypedExpr {
                            kind: ExprKind::Variable(variable),
                            ty: var_ty,
                        };
                        let Some(combined) = self.binary(*op, current, value, target.span, *span)
                        else {
                            return;
                        };
                        combined
                    }
                };
                if var_ty.enumeration != value.ty.enumeration {
                    let name = self.variables[variable].name.clone();
                    let diagnostic = self
                        .enum_mismatch(
                            value_span,
                            &format!("`{name}` is assigned a value of another type"),
                            var_ty,
                            value.ty,
                        )
                        .with_secondary(
                            self.variables[variable].span,
                            format!("`{name}` is declared here"),
                        );
                    self.error(diagnostic);
                    return;
                }
                out.push(Statement::Assign(variable, value));
            }
            Stmt::Abort { span, .. } | Stmt::Halt(span) | Stmt::Reset(span)
                if context.model.is_some() =>
            {
                self.model_statement(statement, *span, context);
            }
            Stmt::Abort { message, span } => {
                let id = self.aborts.len();
                self.aborts.push(AbortInfo {
                    message: message.clone(),
                    span: *span,
                    location: self.sources.location(*span),
                });
                out.push(Statement::Abort(id));
            }
            Stmt::Halt(_) => out.push(Statement::Halt),
            Stmt::Reset(_) => out.push(Statement::Reset),
            Stmt::Empty(_) => {}
        }
    }

    /// `abort`, `halt` and `reset` belong to rules: a model only describes
    /// what happens, for every rule that includes it.
    fn model_statement(&mut self, statement: &Stmt, span: Span, context: &HandlerContext) {
        let word = match statement {
            Stmt::Abort { .. } => "abort",
            Stmt::Halt(_) => "halt",
            _ => "reset",
        };
        let model = &self.models[context.model.expect("a model handler")];
        let diagnostic = Diagnostic::new(
            Code::ModelStatement,
            span,
            format!("a model handler cannot `{word}`"),
        )
        .with_label(format!("in a handler of model `{}`", model.name))
        .with_secondary(model.span, "the model")
        .with_note(
            "a model only tracks state; the rules that include it decide what is a violation",
        );
        self.error(diagnostic);
    }

    fn assignment_target(&mut self, target: &ast::Expr, place: Place) -> Option<usize> {
        let what = match &target.kind {
            ast::ExprKind::Name(name) => match self.scope.lookup(name, place_item(place)) {
                Some(Symbol::Variable(id)) => {
                    self.check_model_assignment(id, target.span, place);
                    return Some(id);
                }
                Some(Symbol::Enumerator { .. }) => format!("`{name}` is an enumerator"),
                Some(Symbol::Define { .. }) => format!("`{name}` is a `#define`d constant"),
                Some(Symbol::Builtin(_)) => format!("`{name}` is a built-in constant"),
                None => {
                    // Reports the unknown name, with a suggestion.
                    self.expression(target, place);
                    return None;
                }
            },
            ast::ExprKind::Argument(n) => format!("`${n}` is an argument of the event"),
            ast::ExprKind::Deref(n) => format!("`*${n}` is memory of the driver"),
            ast::ExprKind::Return => "`$return` is the event's return value".to_string(),
            ast::ExprKind::Thread => "`$thread` is the thread the event happens on".to_string(),
            _ => "this is an expression".to_string(),
        };
        self.error(
            Diagnostic::new(
                Code::NotAssignable,
                target.span,
                "only state variables can be assigned",
            )
            .with_label(what)
            .with_note("a rule observes the driver; it changes nothing but its own state"),
        );
        None
    }
}

impl Checker<'_> {
    /// A rule reads a model's variables but never assigns them (the model
    /// is the thread's, shared by every rule that includes it); a model
    /// assigns only its own.
    fn check_model_assignment(&mut self, id: usize, span: Span, place: Place) {
        let Place::Handler(context) = place else {
            return;
        };
        let variable = &self.variables[id];
        if variable.model == context.model {
            return;
        }
        let name = variable.name.clone();
        let declared = variable.span;
        let diagnostic = match (context.model, variable.model) {
            (None, Some(model)) => Diagnostic::new(
                Code::ModelAssigned,
                span,
                format!(
                    "`{name}` belongs to model `{}`: a rule cannot assign it",
                    self.models[model].name
                ),
            )
            .with_label("assigned by the rule")
            .with_secondary(declared, "declared by the model")
            .with_note("rules read a model's variables; only the model's handlers change them"),
            (Some(model), _) => Diagnostic::new(
                Code::ModelReadsOutside,
                span,
                format!(
                    "model `{}` cannot assign `{name}`, which it does not declare",
                    self.models[model].name
                ),
            )
            .with_label("assigned by a model handler")
            .with_secondary(declared, "declared outside the model"),
            (None, None) => return,
        };
        self.error(diagnostic);
    }
}

fn place_item(place: Place) -> usize {
    match place {
        Place::Constant { item } => item,
        Place::Handler(context) => context.item,
    }
}

/// The `abort` or `halt` that ends every path through `statement`.
fn always_ends(statement: &Stmt) -> Option<crate::span::Span> {
    match statement {
        Stmt::Abort { span, .. } | Stmt::Halt(span) => Some(*span),
        Stmt::Block(block) => block.statements.iter().find_map(always_ends),
        Stmt::If {
            then_branch,
            else_branch: Some(else_branch),
            span,
            ..
        } => {
            always_ends(then_branch)?;
            always_ends(else_branch)?;
            Some(*span)
        }
        _ => None,
    }
}
