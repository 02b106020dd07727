//! Typing expressions: names, event values, enums, C's conversions.

use super::Checker;
use super::events::HandlerContext;
use super::scope::Symbol;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{self, Env, Missing};
use crate::model::{ExprKind, TypedExpr, ValueType};
use crate::span::Span;
use crate::syntax::ast::{self, BinaryOp, EventKind, UnaryOp};
use crate::types::{IntType, common_type, literal_type};

/// Where an expression appears: a constant context (initialisers and
/// `#define`s) or a handler with its events.
#[derive(Clone, Copy)]
pub(super) enum Place<'a> {
    Constant { item: usize },
    Handler(&'a HandlerContext),
}

impl Place<'_> {
    fn item(&self) -> usize {
        match self {
            Place::Constant { item } => *item,
            Place::Handler(context) => context.item,
        }
    }
}

/// Constant contexts have no variables and no event values; the checker
/// has already rejected both, so this environment is never asked.
struct NoEnv;

impl Env for NoEnv {
    fn variable(&self, _: usize) -> i64 {
        unreachable!("constant expressions have no variables")
    }
    fn argument(&self, index: u32) -> Result<i64, Missing> {
        Err(Missing::Argument(index))
    }
    fn deref(&self, index: u32) -> Result<i64, Missing> {
        Err(Missing::Deref(index))
    }
    fn return_value(&self) -> Result<i64, Missing> {
        Err(Missing::Return)
    }
}

impl Checker<'_> {
    /// Checks and evaluates a constant expression.
    pub(super) fn constant(&mut self, expr: &ast::Expr, item: usize) -> Option<(i64, ValueType)> {
        let typed = self.expression(expr, Place::Constant { item })?;
        if let Some(span) = division_by_zero(expr, &typed) {
            self.error(
                Diagnostic::new(
                    Code::DivisionByZero,
                    span,
                    "division by zero in a constant expression",
                )
                .with_label("this divisor is zero"),
            );
            return None;
        }
        let value = eval::eval(&typed, &NoEnv).expect("constants need no event values");
        Some((value, typed.ty))
    }

    pub(super) fn describe(&self, ty: ValueType) -> String {
        match ty.enumeration {
            Some(id) => {
                let names = &self.enums[id].enumerators;
                let mut shown = names.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
                if names.len() > 4 {
                    shown.push_str(", ...");
                }
                format!("`enum {{ {shown} }}`")
            }
            None if ty.pointer => "a pointer".to_string(),
            None => "a number".to_string(),
        }
    }

    pub(super) fn enum_mismatch(
        &self,
        span: Span,
        message: &str,
        expected: ValueType,
        found: ValueType,
    ) -> Diagnostic {
        Diagnostic::new(Code::EnumMismatch, span, message.to_string()).with_label(format!(
            "this is {}, expected {}",
            self.describe(found),
            self.describe(expected)
        ))
    }

    /// Code of a model names only what its model declares (and built-in
    /// constants): every rule that includes the model must see it compute
    /// the same. `None` (and an error) when `name` is out of its reach.
    fn check_model_reach(&mut self, name: &str, span: Span, place: Place) -> Option<()> {
        let Some(model) = self.owners[place.item()] else {
            return Some(());
        };
        let (owner, declared) = self.scope.owner(name).expect("a declared name");
        if owner == Some(model) {
            return Some(());
        }
        let model = &self.models[model];
        let whose = match owner {
            Some(other) => format!("model `{}`", self.models[other].name),
            None => "the rule".to_string(),
        };
        let diagnostic = Diagnostic::new(
            Code::ModelReadsOutside,
            span,
            format!(
                "model `{}` cannot use `{name}`, which {whose} declares",
                model.name
            ),
        )
        .with_label("outside the model")
        .with_secondary(declared, format!("declared by {whose}"))
        .with_note(
            "a model is shared by every rule that includes it: it reads only its own \
             variables, constants and the event's values",
        );
        self.error(diagnostic);
        None
    }

    pub(super) fn expression(&mut self, expr: &ast::Expr, place: Place) -> Option<TypedExpr> {
        use ast::ExprKind as E;
        let typed = |kind, ty| Some(TypedExpr { kind, ty });
        match &expr.kind {
            E::Integer(literal) => {
                let ty = literal_type(literal.value, literal.base == 10, literal.unsigned);
                typed(
                    ExprKind::Constant(ty.normalize(literal.value as i64)),
                    ValueType::int(ty),
                )
            }
            E::Name(name) => self.name(name, expr.span, place),
            E::Argument(index) => {
                let context = self.handler_context(place, expr.span, &format!("`${index}`"))?;
                let types = self.argument_types(*index, expr.span, context, false)?;
                typed(ExprKind::Argument(*index), types)
            }
            E::Deref(index) => {
                let context = self.handler_context(place, expr.span, &format!("`*${index}`"))?;
                let types = self.argument_types(*index, expr.span, context, true)?;
                typed(ExprKind::Deref(*index), types)
            }
            E::Return => {
                let context = self.handler_context(place, expr.span, "`$return`")?;
                let ty = self.return_type(expr.span, context)?;
                typed(ExprKind::Return, ty)
            }
            E::Thread => {
                self.handler_context(place, expr.span, "`$thread`")?;
                typed(ExprKind::Thread, ValueType::POINTER)
            }
            E::Unary(op, operand) => {
                let operand_typed = self.expression(operand, place)?;
                let ty = match op {
                    UnaryOp::Not => ValueType::int(IntType::INT),
                    _ => {
                        if operand_typed.ty.enumeration.is_some() {
                            self.enum_arithmetic(operand.span, op.symbol());
                            return None;
                        }
                        ValueType::int(operand_typed.ty.int.promoted())
                    }
                };
                typed(ExprKind::Unary(*op, Box::new(operand_typed)), ty)
            }
            E::Binary(op, left, right) => {
                let left_typed = self.expression(left, place);
                let right_typed = self.expression(right, place);
                let (left_typed, right_typed) = (left_typed?, right_typed?);
                self.binary(*op, left_typed, right_typed, left.span, right.span)
            }
            E::Conditional(condition, then_value, else_value) => {
                let condition = self.expression(condition, place);
                let then_typed = self.expression(then_value, place);
                let else_typed = self.expression(else_value, place);
                let (condition, then_typed, else_typed) = (condition?, then_typed?, else_typed?);
                if then_typed.ty.enumeration != else_typed.ty.enumeration {
                    let diagnostic = self.enum_mismatch(
                        else_value.span,
                        "the two results of `?:` have different types",
                        then_typed.ty,
                        else_typed.ty,
                    );
                    self.error(diagnostic);
                    return None;
                }
                let ty = if then_typed.ty.enumeration.is_some() {
                    then_typed.ty
                } else if then_typed.ty.pointer && else_typed.ty.pointer {
                    ValueType::POINTER
                } else {
                    ValueType::int(common_type(then_typed.ty.int, else_typed.ty.int))
                };
                typed(
                    ExprKind::Conditional(
                        Box::new(condition),
                        Box::new(then_typed),
                        Box::new(else_typed),
                    ),
                    ty,
                )
            }
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        left: TypedExpr,
        right: TypedExpr,
        left_span: Span,
        right_span: Span,
    ) -> Option<TypedExpr> {
        let (ty, operand_type) = if op.is_logical() {
            (ValueType::int(IntType::INT), IntType::INT)
        } else if op.is_comparison() {
            if left.ty.enumeration != right.ty.enumeration {
                let (span, expected, found) = if left.ty.enumeration.is_some() {
                    (right_span, left.ty, right.ty)
                } else {
                    (left_span, right.ty, left.ty)
                };
                let other = if span == right_span {
                    left_span
                } else {
                    right_span
                };
                let diagnostic = Diagnostic::new(
                    Code::EnumMismatch,
                    span,
                    format!("`{}` compares values of different types", op.symbol()),
                )
                .with_label(format!("this is {}", self.describe(found)))
                .with_secondary(other, format!("this is {}", self.describe(expected)));
                self.error(diagnostic);
                return None;
            }
            (
                ValueType::int(IntType::INT),
                common_type(left.ty.int, right.ty.int),
            )
        } else {
            for (side, span) in [(&left, left_span), (&right, right_span)] {
                if side.ty.enumeration.is_some() {
                    self.enum_arithmetic(span, op.symbol());
                    return None;
                }
            }
            let operand_type = match op {
                BinaryOp::Shl | BinaryOp::Shr => left.ty.int.promoted(),
                _ => common_type(left.ty.int, right.ty.int),
            };
            (ValueType::int(operand_type), operand_type)
        };
        Some(TypedExpr {
            kind: ExprKind::Binary {
                op,
                operand_type,
                left: Box::new(left),
                right: Box::new(right),
            },
            ty,
        })
    }

    fn enum_arithmetic(&mut self, span: Span, operator: &str) {
        self.error(
            Diagnostic::new(
                Code::EnumArithmetic,
                span,
                format!("an enum value cannot be an operand of `{operator}`"),
            )
            .with_label("enum value")
            .with_note("enums only compare (`==`, `!=`, `<`, ...) with values of the same enum"),
        );
    }

    fn name(&mut self, name: &str, span: Span, place: Place) -> Option<TypedExpr> {
        let constant = |value: i64, ty: ValueType| {
            Some(TypedExpr {
                kind: ExprKind::Constant(ty.int.normalize(value)),
                ty,
            })
        };
        let symbol = self.scope.lookup(name, place.item());
        if symbol.is_some_and(|s| !matches!(s, Symbol::Builtin(_))) {
            self.check_model_reach(name, span, place)?;
        }
        match symbol {
            Some(Symbol::Variable(id)) => {
                if let Place::Constant { .. } = place {
                    self.error(
                        Diagnostic::new(
                            Code::NotConstant,
                            span,
                            format!("`{name}` is a state variable, not a constant"),
                        )
                        .with_label("not constant")
                        .with_note("initialisers and `#define` values must be constant"),
                    );
                    return None;
                }
                self.reads.insert(id);
                Some(TypedExpr {
                    kind: ExprKind::Variable(id),
                    ty: self.variables[id].ty,
                })
            }
            Some(Symbol::Enumerator { enumeration, value }) => {
                constant(value, ValueType::enumeration(enumeration))
            }
            Some(Symbol::Define { index, .. }) => match self.scope.defines[index].value {
                Some((value, ty)) => constant(value, ty),
                None => {
                    let define = &self.scope.defines[index];
                    let (define_span, define_name) = (define.span, define.name.clone());
                    self.error(
                        Diagnostic::new(
                            Code::NotConstant,
                            span,
                            format!("`{define_name}` has no usable value"),
                        )
                        .with_label("used here")
                        .with_secondary(define_span, "defined here without a constant value"),
                    );
                    None
                }
            },
            Some(Symbol::Builtin(builtin)) => {
                let ty = if builtin.name == "NULL" {
                    ValueType::POINTER
                } else {
                    ValueType::int(builtin.ty)
                };
                constant(builtin.value, ty)
            }
            None => {
                let mut diagnostic =
                    Diagnostic::new(Code::UnknownName, span, format!("unknown name `{name}`"));
                diagnostic = match self.scope.similar(name) {
                    Some(similar) => diagnostic.with_label(format!("did you mean `{similar}`?")),
                    None => diagnostic.with_label("not declared"),
                };
                self.error(diagnostic);
                None
            }
        }
    }

    fn handler_context<'p>(
        &mut self,
        place: Place<'p>,
        span: Span,
        what: &str,
    ) -> Option<&'p HandlerContext> {
        match place {
            Place::Handler(context) => Some(context),
            Place::Constant { .. } => {
                self.error(
                    Diagnostic::new(
                        Code::NotConstant,
                        span,
                        format!("{what} is an event value, not a constant"),
                    )
                    .with_label("only available inside a handler"),
                );
                None
            }
        }
    }

    /// The type of `$index` (or `*$index`) across the handler's events.
    fn argument_types(
        &mut self,
        index: u32,
        span: Span,
        context: &HandlerContext,
        dereference: bool,
    ) -> Option<ValueType> {
        if !self.check_argument_in_range(index, span, &context.events) {
            return None;
        }
        let mut types = Vec::new();
        for resolved in &context.events {
            let Some(parameters) = &resolved.signature.parameters else {
                continue;
            };
            let parameter = &parameters[index as usize - 1];
            if !dereference {
                types.push(parameter.ty);
                continue;
            }
            match parameter.pointee {
                Some(pointee) => types.push(ValueType::int(pointee)),
                None => {
                    let what = if parameter.ty.pointer {
                        "does not point to a number"
                    } else {
                        "is not a pointer"
                    };
                    self.error(
                        Diagnostic::new(
                            Code::BadDereference,
                            span,
                            format!("`*${index}` cannot be read: argument {index} of `{}` {what}", resolved.written),
                        )
                        .with_label("cannot read through this argument")
                        .with_note("`*$N` reads a number an argument points to, such as the `PKIRQL` of `KeAcquireSpinLock`"),
                    );
                    return None;
                }
            }
        }
        Some(combine(&types))
    }

    fn return_type(&mut self, span: Span, context: &HandlerContext) -> Option<ValueType> {
        if let Some(kind @ (EventKind::Entry | EventKind::Call)) = context.kind {
            self.error(
                Diagnostic::new(
                    Code::ReturnBeforeCall,
                    span,
                    format!("`$return` has no value at `{}`", kind.as_str()),
                )
                .with_label("the function has not returned yet")
                .with_note("use `$return` in an `exit` or `return` handler"),
            );
            return None;
        }
        let mut types = Vec::new();
        for resolved in &context.events {
            let signature = &resolved.signature;
            if signature.returns_void {
                self.error(
                    Diagnostic::new(
                        Code::ReturnOfVoid,
                        span,
                        format!(
                            "`{}` returns nothing, so `$return` has no value",
                            resolved.written
                        ),
                    )
                    .with_label("no return value"),
                );
                return None;
            }
            types.extend(signature.returns.map(ValueType::int));
        }
        Some(combine(&types))
    }
}

/// The type of an event value that several events of one handler provide:
/// C's common type of theirs, a pointer if all are pointers. With no known
/// type (functions outside the catalog), a 64-bit signed integer.
fn combine(types: &[ValueType]) -> ValueType {
    if !types.is_empty() && types.iter().all(|t| t.pointer) {
        return ValueType::POINTER;
    }
    match types.iter().map(|t| t.int).reduce(common_type) {
        Some(int) => ValueType::int(int),
        None => ValueType::int(IntType::INT64),
    }
}

/// The divisor of a `/` or `%` in a constant expression that is zero.
fn division_by_zero(syntax: &ast::Expr, typed: &TypedExpr) -> Option<Span> {
    let ast::ExprKind::Binary(_, syntax_left, syntax_right) = &syntax.kind else {
        return match (&syntax.kind, &typed.kind) {
            (ast::ExprKind::Unary(_, inner), ExprKind::Unary(_, typed_inner)) => {
                division_by_zero(inner, typed_inner)
            }
            (ast::ExprKind::Conditional(a, b, c), ExprKind::Conditional(ta, tb, tc)) => {
                division_by_zero(a, ta)
                    .or_else(|| division_by_zero(b, tb))
                    .or_else(|| division_by_zero(c, tc))
            }
            _ => None,
        };
    };
    let ExprKind::Binary {
        op, left, right, ..
    } = &typed.kind
    else {
        return None;
    };
    division_by_zero(syntax_left, left)
        .or_else(|| division_by_zero(syntax_right, right))
        .or_else(|| {
            let zero = eval::eval(right, &NoEnv).ok() == Some(0);
            (matches!(op, BinaryOp::Div | BinaryOp::Rem) && zero).then_some(syntax_right.span)
        })
}
