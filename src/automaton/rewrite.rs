//! Substituting into expressions and folding what became constant.

use crate::eval::{self, Env, Missing};
use crate::model::{BinaryOp, UnaryOp};
use crate::model::{ExprKind, TypedExpr, ValueType, VarId};

/// Replaces variables for which `value` gives an expression.
pub fn substitute(expr: &TypedExpr, value: &dyn Fn(VarId) -> Option<TypedExpr>) -> TypedExpr {
    transform(expr, &|id, _| value(id), &|ty| ty)
}

/// Replaces variables for which `value` gives an expression (given the
/// variable and its node's type), and gives every other node the type `ty`
/// makes of its own.
pub fn transform(
    expr: &TypedExpr,
    value: &dyn Fn(VarId, ValueType) -> Option<TypedExpr>,
    ty: &dyn Fn(ValueType) -> ValueType,
) -> TypedExpr {
    let again = |e: &TypedExpr| Box::new(transform(e, value, ty));
    let kind = match &expr.kind {
        ExprKind::Variable(id) => match value(*id, expr.ty) {
            Some(replacement) => return replacement,
            None => ExprKind::Variable(*id),
        },
        ExprKind::Unary(op, operand) => ExprKind::Unary(*op, again(operand)),
        ExprKind::Binary {
            op,
            operand_type,
            left,
            right,
        } => ExprKind::Binary {
            op: *op,
            operand_type: *operand_type,
            left: again(left),
            right: again(right),
        },
        ExprKind::Conditional(c, a, b) => ExprKind::Conditional(again(c), again(a), again(b)),
        other => other.clone(),
    };
    TypedExpr {
        kind,
        ty: ty(expr.ty),
    }
}

pub fn constant_value(expr: &TypedExpr) -> Option<i64> {
    match expr.kind {
        ExprKind::Constant(value) => Some(value),
        _ => None,
    }
}

/// Whether the expression only ever yields 0 or 1.
fn is_boolean(expr: &TypedExpr) -> bool {
    match &expr.kind {
        ExprKind::Unary(UnaryOp::Not, _) => true,
        ExprKind::Binary { op, .. } => op.is_comparison() || op.is_logical(),
        ExprKind::Constant(value) => *value == 0 || *value == 1,
        _ => false,
    }
}

struct Nothing;

impl Env for Nothing {
    fn variable(&self, _: usize) -> i64 {
        unreachable!("folding only evaluates closed expressions")
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

/// Evaluates every subexpression that no longer depends on anything, and
/// simplifies `&&`, `||` and `?:` with a constant side the way C's
/// short-circuit evaluation would.
pub fn fold(expr: &TypedExpr) -> TypedExpr {
    let constant = |value: i64| TypedExpr {
        kind: ExprKind::Constant(expr.ty.int.normalize(value)),
        ty: expr.ty,
    };
    match &expr.kind {
        ExprKind::Unary(op, operand) => {
            let operand = fold(operand);
            let folded = TypedExpr {
                kind: ExprKind::Unary(*op, Box::new(operand)),
                ty: expr.ty,
            };
            closed(&folded).map_or(folded, constant)
        }
        ExprKind::Binary {
            op,
            operand_type,
            left,
            right,
        } => {
            let (left, right) = (fold(left), fold(right));
            if op.is_logical() {
                let is_and = *op == BinaryOp::And;
                for (this, other) in [(&left, &right), (&right, &left)] {
                    if let Some(value) = constant_value(this) {
                        let decides = (value != 0) != is_and;
                        if decides {
                            return constant(i64::from(!is_and));
                        }
                        if is_boolean(other) {
                            return other.clone();
                        }
                    }
                }
            }
            let folded = TypedExpr {
                kind: ExprKind::Binary {
                    op: *op,
                    operand_type: *operand_type,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                ty: expr.ty,
            };
            closed(&folded).map_or(folded, constant)
        }
        ExprKind::Conditional(condition, then_value, else_value) => {
            let condition = fold(condition);
            match constant_value(&condition) {
                Some(value) => {
                    let chosen = fold(if value != 0 { then_value } else { else_value });
                    match constant_value(&chosen) {
                        Some(value) => constant(value),
                        None => TypedExpr {
                            kind: chosen.kind,
                            ty: expr.ty,
                        },
                    }
                }
                None => TypedExpr {
                    kind: ExprKind::Conditional(
                        Box::new(condition),
                        Box::new(fold(then_value)),
                        Box::new(fold(else_value)),
                    ),
                    ty: expr.ty,
                },
            }
        }
        _ => expr.clone(),
    }
}

/// The value of an expression with no variables and no event values.
fn closed(expr: &TypedExpr) -> Option<i64> {
    if mentions_anything(expr) {
        return None;
    }
    eval::eval(expr, &Nothing).ok()
}

fn mentions_anything(expr: &TypedExpr) -> bool {
    match &expr.kind {
        ExprKind::Constant(_) => false,
        ExprKind::Variable(_)
        | ExprKind::Argument(_)
        | ExprKind::Deref(_)
        | ExprKind::Return
        | ExprKind::Thread => true,
        ExprKind::Unary(_, operand) => mentions_anything(operand),
        ExprKind::Binary { left, right, .. } => mentions_anything(left) || mentions_anything(right),
        ExprKind::Conditional(c, a, b) => {
            mentions_anything(c) || mentions_anything(a) || mentions_anything(b)
        }
    }
}

/// Calls `visit` on every node, outermost first.
pub fn walk(expr: &TypedExpr, visit: &mut dyn FnMut(&TypedExpr)) {
    visit(expr);
    match &expr.kind {
        ExprKind::Unary(_, operand) => walk(operand, visit),
        ExprKind::Binary { left, right, .. } => {
            walk(left, visit);
            walk(right, visit);
        }
        ExprKind::Conditional(c, a, b) => {
            walk(c, visit);
            walk(a, visit);
            walk(b, visit);
        }
        _ => {}
    }
}
