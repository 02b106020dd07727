//! What a rule expression computes: the one definition every stage shares.
//!
//! The checker folds constants with it, the interpreter and the explicit
//! automaton run handlers with it, and the generated monitors implement the
//! same rules in C and LLVM IR (differential tests hold them to it).
//!
//! Values are 64-bit patterns of their C type (sign- or zero-extended).
//! Where C leaves behaviour undefined, slic defines it, so that every back
//! end agrees: signed overflow wraps; `x / 0` and `x % 0` are 0; a shift by
//! a negative count or by the type's width or more gives 0 (or -1 for `>>`
//! of a negative value).

use crate::model::{BinaryOp, UnaryOp};
use crate::model::{ExprKind, TypedExpr};
use crate::types::IntType;

/// An event value a handler reads but the event did not provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Argument(u32),
    Deref(u32),
    Return,
    Thread,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Argument(n) => write!(f, "${n}"),
            Missing::Deref(n) => write!(f, "*${n}"),
            Missing::Return => write!(f, "$return"),
            Missing::Thread => write!(f, "$thread"),
        }
    }
}

/// Where an expression's variables and event values come from.
pub trait Env {
    fn variable(&self, id: usize) -> i64;
    fn argument(&self, index: u32) -> Result<i64, Missing>;
    fn deref(&self, index: u32) -> Result<i64, Missing>;
    fn return_value(&self) -> Result<i64, Missing>;
    /// The thread of the event; none where events have no thread (constant
    /// folding, the explicit automaton's symbolic values).
    fn thread(&self) -> Result<i64, Missing> {
        Err(Missing::Thread)
    }
}

pub fn eval(expr: &TypedExpr, env: &dyn Env) -> Result<i64, Missing> {
    let ty = expr.ty.int;
    Ok(match &expr.kind {
        ExprKind::Constant(value) => ty.normalize(*value),
        ExprKind::Variable(id) => env.variable(*id),
        ExprKind::Argument(index) => ty.normalize(env.argument(*index)?),
        ExprKind::Deref(index) => ty.normalize(env.deref(*index)?),
        ExprKind::Return => ty.normalize(env.return_value()?),
        ExprKind::Thread => ty.normalize(env.thread()?),
        ExprKind::Unary(op, operand) => unary(*op, ty, eval(operand, env)?),
        ExprKind::Binary {
            op: BinaryOp::And,
            left,
            right,
            ..
        } => i64::from(eval(left, env)? != 0 && eval(right, env)? != 0),
        ExprKind::Binary {
            op: BinaryOp::Or,
            left,
            right,
            ..
        } => i64::from(eval(left, env)? != 0 || eval(right, env)? != 0),
        ExprKind::Binary {
            op,
            operand_type,
            left,
            right,
        } => {
            let left_value = eval(left, env)?;
            let right_value = eval(right, env)?;
            binary(
                *op,
                *operand_type,
                right.ty.int,
                left_value,
                right_value,
                ty,
            )
        }
        ExprKind::Conditional(condition, then_value, else_value) => {
            let chosen = if eval(condition, env)? != 0 {
                then_value
            } else {
                else_value
            };
            ty.normalize(eval(chosen, env)?)
        }
    })
}

/// A unary operator on a value of the operand's type; `result` is the
/// promoted type (or `int` for `!`).
pub fn unary(op: UnaryOp, result: IntType, value: i64) -> i64 {
    match op {
        UnaryOp::Not => i64::from(value == 0),
        UnaryOp::BitNot => result.normalize(!value),
        UnaryOp::Negate => result.normalize(value.wrapping_neg()),
        UnaryOp::Plus => result.normalize(value),
    }
}

/// A binary operator other than `&&` and `||`. The operands arrive as
/// values of their own types; `operand_type` is what they are converted to
/// (for shifts, the promoted left type; the count keeps `count_type`).
pub fn binary(
    op: BinaryOp,
    operand_type: IntType,
    count_type: IntType,
    left: i64,
    right: i64,
    result: IntType,
) -> i64 {
    use BinaryOp::*;
    let t = operand_type;
    let (a, b) = (t.normalize(left), t.normalize(right));
    let order = if t.signed {
        a.cmp(&b)
    } else {
        (a as u64).cmp(&(b as u64))
    };
    let value = match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Mul => a.wrapping_mul(b),
        Div if b == 0 => 0,
        Rem if b == 0 => 0,
        Div if t.signed => a.wrapping_div(b),
        Rem if t.signed => a.wrapping_rem(b),
        Div => ((a as u64) / (b as u64)) as i64,
        Rem => ((a as u64) % (b as u64)) as i64,
        BitAnd => a & b,
        BitOr => a | b,
        BitXor => a ^ b,
        Shl | Shr => return shift(op == Shl, t, a, count_type.promoted(), right),
        Eq => return i64::from(a == b),
        Ne => return i64::from(a != b),
        Lt => return i64::from(order.is_lt()),
        Gt => return i64::from(order.is_gt()),
        Le => return i64::from(order.is_le()),
        Ge => return i64::from(order.is_ge()),
        And => return i64::from(a != 0 && b != 0),
        Or => return i64::from(a != 0 || b != 0),
    };
    result.normalize(value)
}

fn shift(left_shift: bool, ty: IntType, value: i64, count_type: IntType, count: i64) -> i64 {
    let count = count_type.normalize(count);
    let out_of_range = if count_type.signed {
        count < 0 || count >= i64::from(ty.bits)
    } else {
        (count as u64) >= u64::from(ty.bits)
    };
    if out_of_range {
        return if !left_shift && ty.signed && value < 0 {
            -1
        } else {
            0
        };
    }
    let count = count as u32;
    if left_shift {
        ty.normalize(value.wrapping_shl(count))
    } else if ty.signed {
        ty.normalize(value >> count)
    } else {
        ty.normalize(((value as u64) >> count) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INT: IntType = IntType::INT;
    const UINT: IntType = IntType::UINT;

    #[test]
    fn comparisons_follow_the_operand_type() {
        // -1 < 1 as int, but not as unsigned int.
        assert_eq!(binary(BinaryOp::Lt, INT, INT, -1, 1, INT), 1);
        assert_eq!(binary(BinaryOp::Lt, UINT, INT, -1, 1, INT), 0);
    }

    #[test]
    fn slic_defines_what_c_leaves_undefined() {
        assert_eq!(binary(BinaryOp::Div, INT, INT, 7, 0, INT), 0);
        assert_eq!(binary(BinaryOp::Rem, INT, INT, 7, 0, INT), 0);
        assert_eq!(
            binary(BinaryOp::Add, INT, INT, i32::MAX as i64, 1, INT),
            i32::MIN as i64
        );
        assert_eq!(
            binary(BinaryOp::Div, INT, INT, i32::MIN as i64, -1, INT),
            i32::MIN as i64
        );
        assert_eq!(binary(BinaryOp::Shl, INT, INT, 1, 32, INT), 0);
        assert_eq!(binary(BinaryOp::Shr, INT, INT, -8, 40, INT), -1);
        assert_eq!(binary(BinaryOp::Shr, INT, INT, -8, 1, INT), -4);
        assert_eq!(binary(BinaryOp::Shl, INT, INT, 1, -1, INT), 0);
    }
}
