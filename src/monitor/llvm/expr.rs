//! Rule expressions as IR, computing exactly what `eval.rs` computes.
//!
//! As in the interpreter and the C monitor, every value is an `i64`
//! holding the 64-bit pattern of its C type. Conversions are `trunc` to the
//! type's width and `sext`/`zext` back; arithmetic wraps (IR's `add`,
//! `sub`, `mul` do); what C leaves undefined (division by zero, shift
//! counts) is computed with `select`s so that no instruction ever divides
//! by zero or shifts by its width or more (both are undefined in IR too).
//! Both sides of `&&`, `||` and `?:` are computed: nothing here has an
//! effect or can trap, so the result is the same as C's short circuit.

use super::body::{Body, Value};
use crate::model::{BinaryOp, UnaryOp};
use crate::model::{ExprKind, TypedExpr};
use crate::types::IntType;

/// Where an expression's variables and event values are: `i64` operands.
pub struct Operands<'a> {
    pub variables: &'a [Value],
    pub arguments: &'a [Value],
    pub pointees: &'a [Value],
    pub return_value: Value,
    pub thread: Value,
}

impl Operands<'_> {
    fn argument(&self, index: u32) -> Value {
        self.arguments
            .get(index as usize - 1)
            .cloned()
            .unwrap_or(Value::Constant(0))
    }

    fn pointee(&self, index: u32) -> Value {
        self.pointees
            .get(index as usize - 1)
            .cloned()
            .unwrap_or(Value::Constant(0))
    }
}

/// C's conversion to `ty` of an `i64` pattern.
pub fn convert(body: &mut Body, ty: IntType, value: Value) -> Value {
    if ty.bits >= 64 {
        return value;
    }
    match value {
        Value::Constant(constant) => Value::Constant(ty.normalize(constant)),
        Value::Named(name) => {
            let narrow = body.value(format_args!("trunc i64 {name} to i{}", ty.bits));
            let extend = if ty.signed { "sext" } else { "zext" };
            body.i64(format_args!("{extend} i{} {narrow} to i64", ty.bits))
        }
    }
}

/// An `i1` as an `i64` 0 or 1.
fn widen(body: &mut Body, flag: String) -> Value {
    body.i64(format_args!("zext i1 {flag} to i64"))
}

pub fn expression(body: &mut Body, expr: &TypedExpr, operands: &Operands) -> Value {
    let ty = expr.ty.int;
    match &expr.kind {
        ExprKind::Constant(value) => Value::Constant(ty.normalize(*value)),
        ExprKind::Variable(id) => operands.variables[*id].clone(),
        ExprKind::Argument(index) => convert(body, ty, operands.argument(*index)),
        ExprKind::Deref(index) => convert(body, ty, operands.pointee(*index)),
        ExprKind::Return => convert(body, ty, operands.return_value.clone()),
        ExprKind::Thread => convert(body, ty, operands.thread.clone()),
        ExprKind::Unary(op, operand) => {
            let value = expression(body, operand, operands);
            unary(body, *op, ty, value)
        }
        ExprKind::Binary {
            op: op @ (BinaryOp::And | BinaryOp::Or),
            left,
            right,
            ..
        } => {
            let left = expression(body, left, operands);
            let right = expression(body, right, operands);
            if let (Value::Constant(a), Value::Constant(b)) = (&left, &right) {
                let value = if *op == BinaryOp::And {
                    *a != 0 && *b != 0
                } else {
                    *a != 0 || *b != 0
                };
                return Value::Constant(i64::from(value));
            }
            let a = body.value(format_args!("icmp ne i64 {left}, 0"));
            let b = body.value(format_args!("icmp ne i64 {right}, 0"));
            let word = if *op == BinaryOp::And { "and" } else { "or" };
            let both = body.value(format_args!("{word} i1 {a}, {b}"));
            widen(body, both)
        }
        ExprKind::Binary {
            op,
            operand_type,
            left,
            right,
        } => {
            let left_value = expression(body, left, operands);
            let right_value = expression(body, right, operands);
            binary(
                body,
                *op,
                *operand_type,
                right.ty.int,
                left_value,
                right_value,
                ty,
            )
        }
        ExprKind::Conditional(condition, then_value, else_value) => {
            let condition = expression(body, condition, operands);
            let then_value = expression(body, then_value, operands);
            let then_value = convert(body, ty, then_value);
            let else_value = expression(body, else_value, operands);
            let else_value = convert(body, ty, else_value);
            if let Value::Constant(c) = condition {
                return if c != 0 { then_value } else { else_value };
            }
            let flag = body.value(format_args!("icmp ne i64 {condition}, 0"));
            body.i64(format_args!(
                "select i1 {flag}, i64 {then_value}, i64 {else_value}"
            ))
        }
    }
}

fn unary(body: &mut Body, op: UnaryOp, ty: IntType, value: Value) -> Value {
    if let Value::Constant(constant) = value {
        return Value::Constant(crate::eval::unary(op, ty, constant));
    }
    match op {
        UnaryOp::Not => {
            let flag = body.value(format_args!("icmp eq i64 {value}, 0"));
            widen(body, flag)
        }
        UnaryOp::BitNot => {
            let flipped = body.i64(format_args!("xor i64 {value}, -1"));
            convert(body, ty, flipped)
        }
        UnaryOp::Negate => {
            let negated = body.i64(format_args!("sub i64 0, {value}"));
            convert(body, ty, negated)
        }
        UnaryOp::Plus => convert(body, ty, value),
    }
}

fn binary(
    body: &mut Body,
    op: BinaryOp,
    t: IntType,
    count_type: IntType,
    left: Value,
    right: Value,
    result: IntType,
) -> Value {
    use BinaryOp::*;
    if let (Value::Constant(a), Value::Constant(b)) = (&left, &right) {
        return Value::Constant(crate::eval::binary(op, t, count_type, *a, *b, result));
    }
    let a = convert(body, t, left);
    if matches!(op, Shl | Shr) {
        let count = convert(body, count_type.promoted(), right);
        return shift(body, op == Shl, t, a, count);
    }
    let b = convert(body, t, right);
    let arithmetic = |body: &mut Body, word: &str| {
        let value = body.i64(format_args!("{word} i64 {a}, {b}"));
        convert(body, result, value)
    };
    let compare = |body: &mut Body, signed: &str, unsigned: &str| {
        let predicate = if t.signed { signed } else { unsigned };
        let flag = body.value(format_args!("icmp {predicate} i64 {a}, {b}"));
        widen(body, flag)
    };
    match op {
        Add => arithmetic(body, "add"),
        Sub => arithmetic(body, "sub"),
        Mul => arithmetic(body, "mul"),
        BitAnd => arithmetic(body, "and"),
        BitOr => arithmetic(body, "or"),
        BitXor => arithmetic(body, "xor"),
        Div | Rem => {
            let quotient = divide(body, op == Div, t.signed, &a, &b);
            convert(body, result, quotient)
        }
        Eq => compare(body, "eq", "eq"),
        Ne => compare(body, "ne", "ne"),
        Lt => compare(body, "slt", "ult"),
        Gt => compare(body, "sgt", "ugt"),
        Le => compare(body, "sle", "ule"),
        Ge => compare(body, "sge", "uge"),
        Shl | Shr | And | Or => unreachable!("handled above"),
    }
}

/// `a / b` or `a % b` with slic's definitions: by zero gives 0, and a
/// signed division by -1 is a negation (never the trapping `INT64_MIN /
/// -1`). The divisor actually used is 1 in those cases.
fn divide(body: &mut Body, quotient: bool, signed: bool, a: &Value, b: &Value) -> Value {
    let zero = body.value(format_args!("icmp eq i64 {b}, 0"));
    let (unsafe_divisor, minus_one) = if signed {
        let minus_one = body.value(format_args!("icmp eq i64 {b}, -1"));
        let either = body.value(format_args!("or i1 {zero}, {minus_one}"));
        (either, Some(minus_one))
    } else {
        (zero.clone(), None)
    };
    let divisor = body.value(format_args!("select i1 {unsafe_divisor}, i64 1, i64 {b}"));
    let word = match (quotient, signed) {
        (true, true) => "sdiv",
        (true, false) => "udiv",
        (false, true) => "srem",
        (false, false) => "urem",
    };
    // A remainder by 1 is already 0, so only quotients need the fix-ups.
    let raw = body.i64(format_args!("{word} i64 {a}, {divisor}"));
    if !quotient {
        return raw;
    }
    let raw = match minus_one {
        Some(minus_one) => {
            let negated = body.i64(format_args!("sub i64 0, {a}"));
            body.i64(format_args!(
                "select i1 {minus_one}, i64 {negated}, i64 {raw}"
            ))
        }
        None => raw,
    };
    body.i64(format_args!("select i1 {zero}, i64 0, i64 {raw}"))
}

/// Shifts with slic's definitions: a count that is negative or not less
/// than the width gives 0 (or -1 for `>>` of a negative signed value).
/// Both arrive converted: `a` to the promoted left type, `count` to the
/// promoted count type, so a negative count is a huge unsigned one.
fn shift(body: &mut Body, left: bool, ty: IntType, a: Value, count: Value) -> Value {
    let out_of_range = body.value(format_args!("icmp uge i64 {count}, {}", ty.bits));
    let safe = body.value(format_args!("select i1 {out_of_range}, i64 0, i64 {count}"));
    let word = match (left, ty.signed) {
        (true, _) => "shl",
        (false, true) => "ashr",
        (false, false) => "lshr",
    };
    let shifted = body.i64(format_args!("{word} i64 {a}, {safe}"));
    let shifted = convert(body, ty, shifted);
    let fill = if !left && ty.signed {
        let negative = body.value(format_args!("icmp slt i64 {a}, 0"));
        body.i64(format_args!("select i1 {negative}, i64 -1, i64 0"))
    } else {
        Value::Constant(0)
    };
    body.i64(format_args!(
        "select i1 {out_of_range}, i64 {fill}, i64 {shifted}"
    ))
}
