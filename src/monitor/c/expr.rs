//! Rule expressions as C, computing exactly what `eval.rs` computes.
//!
//! Every value is an `int64_t` holding the 64-bit pattern of its C type
//! (sign- or zero-extended), as in the interpreter. Arithmetic is done on
//! `uint64_t` so nothing overflows in C's sense, and conversions go through
//! the `SLIC_AS_*` macros of the generated monitor. What C leaves undefined
//! (division by zero, shift counts) goes through helpers that implement
//! slic's definitions.

use crate::model::{BinaryOp, UnaryOp};
use crate::model::{ExprKind, TypedExpr};
use crate::types::IntType;

/// How the generated code names the values an expression reads.
pub trait Names {
    fn variable(&self, id: usize) -> String;
    fn argument(&self, index: u32) -> String;
    fn pointee(&self, index: u32) -> String;
    fn return_value(&self) -> String;
    fn thread(&self) -> String;
}

/// The macro that converts an `int64_t` to a type's pattern.
pub fn convert(ty: IntType, value: &str) -> String {
    if ty.bits >= 64 {
        return format!("({value})");
    }
    format!(
        "SLIC_AS_{}{}({value})",
        if ty.signed { "I" } else { "U" },
        ty.bits
    )
}

pub fn constant(value: i64) -> String {
    if value == i64::MIN {
        "(-INT64_C(9223372036854775807) - 1)".to_string()
    } else {
        format!("INT64_C({value})")
    }
}

pub fn expression(expr: &TypedExpr, names: &dyn Names) -> String {
    let ty = expr.ty.int;
    match &expr.kind {
        ExprKind::Constant(value) => constant(*value),
        ExprKind::Variable(id) => names.variable(*id),
        ExprKind::Argument(index) => convert(ty, &names.argument(*index)),
        ExprKind::Deref(index) => convert(ty, &names.pointee(*index)),
        ExprKind::Return => convert(ty, &names.return_value()),
        ExprKind::Thread => convert(ty, &names.thread()),
        ExprKind::Unary(op, operand) => {
            let value = expression(operand, names);
            match op {
                UnaryOp::Not => format!("(int64_t)({value} == 0)"),
                UnaryOp::BitNot => convert(ty, &format!("~{value}")),
                UnaryOp::Negate => {
                    convert(ty, &format!("(int64_t)(UINT64_C(0) - (uint64_t){value})"))
                }
                UnaryOp::Plus => convert(ty, &value),
            }
        }
        ExprKind::Binary {
            op, left, right, ..
        } if op.is_logical() => {
            let symbol = if *op == BinaryOp::And { "&&" } else { "||" };
            format!(
                "(int64_t)({} != 0 {symbol} {} != 0)",
                expression(left, names),
                expression(right, names)
            )
        }
        ExprKind::Binary {
            op,
            operand_type,
            left,
            right,
        } => binary(*op, *operand_type, left, right, ty, names),
        ExprKind::Conditional(condition, then_value, else_value) => format!(
            "({} != 0 ? {} : {})",
            expression(condition, names),
            convert(ty, &expression(then_value, names)),
            convert(ty, &expression(else_value, names))
        ),
    }
}

fn binary(
    op: BinaryOp,
    t: IntType,
    left: &TypedExpr,
    right: &TypedExpr,
    result: IntType,
    names: &dyn Names,
) -> String {
    use BinaryOp::*;
    let a = convert(t, &expression(left, names));
    if matches!(op, Shl | Shr) {
        let count_type = right.ty.int.promoted();
        let count = convert(count_type, &expression(right, names));
        let function = if op == Shl { "slic_shl" } else { "slic_shr" };
        return format!(
            "{function}({a}, {count}, {}, {}, {})",
            t.bits,
            u8::from(t.signed),
            u8::from(count_type.signed)
        );
    }
    let b = convert(t, &expression(right, names));
    let unsigned = |symbol: &str| format!("(int64_t)((uint64_t){a} {symbol} (uint64_t){b})");
    let compare = |symbol: &str| {
        if t.signed {
            format!("(int64_t)({a} {symbol} {b})")
        } else {
            format!("(int64_t)((uint64_t){a} {symbol} (uint64_t){b})")
        }
    };
    let sign = if t.signed { "s" } else { "u" };
    match op {
        Add => convert(result, &unsigned("+")),
        Sub => convert(result, &unsigned("-")),
        Mul => convert(result, &unsigned("*")),
        BitAnd => convert(result, &unsigned("&")),
        BitOr => convert(result, &unsigned("|")),
        BitXor => convert(result, &unsigned("^")),
        Div => convert(result, &format!("slic_div_{sign}({a}, {b})")),
        Rem => convert(result, &format!("slic_rem_{sign}({a}, {b})")),
        Eq => compare("=="),
        Ne => compare("!="),
        Lt => compare("<"),
        Gt => compare(">"),
        Le => compare("<="),
        Ge => compare(">="),
        Shl | Shr | And | Or => unreachable!("handled above"),
    }
}

/// The helpers and macros the expressions above rely on, for the top of a
/// generated monitor.
pub const PRELUDE: &str = include_str!("runtime/prelude.h");
