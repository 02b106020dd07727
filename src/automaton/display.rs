//! Writing IR expressions and states the way a rule author wrote them.

use super::Automaton;
use crate::model::{ExprKind, TypedExpr, ValueType};

impl Automaton {
    /// A value as the rule would write it: an enumerator name for enums.
    pub fn value_name(&self, ty: ValueType, value: i64) -> String {
        match ty.enumeration {
            Some(id) => self.enums[id]
                .enumerators
                .get(value as usize)
                .cloned()
                .unwrap_or_else(|| value.to_string()),
            None if ty.pointer && value != 0 => format!("{value:#x}"),
            None if ty.pointer => "NULL".to_string(),
            None => value.to_string(),
        }
    }

    /// `s=locked, n=2`: a valuation of every variable.
    pub fn state_name(&self, values: &[i64]) -> String {
        self.state_name_with(values, &|value| {
            (value == crate::interp::MAIN_THREAD).then(|| "main".to_string())
        })
    }

    /// Like [`Automaton::state_name`], with names for pointer values (the
    /// objects of a trace).
    pub fn state_name_with(
        &self,
        values: &[i64],
        pointer_name: &dyn Fn(i64) -> Option<String>,
    ) -> String {
        if self.variables.is_empty() {
            return "initial".to_string();
        }
        self.variables
            .iter()
            .zip(values)
            .map(|(variable, &value)| {
                let named = variable.ty.pointer.then(|| pointer_name(value)).flatten();
                let shown = named.unwrap_or_else(|| self.value_name(variable.ty, value));
                format!("{}={shown}", variable.name)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An expression in C syntax, with the rule's names.
    pub fn expression(&self, expr: &TypedExpr) -> String {
        let mut out = String::new();
        self.write(&mut out, expr, 0);
        out
    }

    fn write(&self, out: &mut String, expr: &TypedExpr, min_precedence: u8) {
        let own = match &expr.kind {
            ExprKind::Conditional(..) => 0,
            ExprKind::Binary { op, .. } => op.precedence(),
            _ => 11,
        };
        if own < min_precedence {
            out.push('(');
            self.write(out, expr, 0);
            out.push(')');
            return;
        }
        match &expr.kind {
            ExprKind::Constant(value) => out.push_str(&self.value_name(expr.ty, *value)),
            ExprKind::Variable(id) => out.push_str(&self.variables[*id].name),
            ExprKind::Argument(n) => out.push_str(&format!("${n}")),
            ExprKind::Deref(n) => out.push_str(&format!("*${n}")),
            ExprKind::Return => out.push_str("$return"),
            ExprKind::Thread => out.push_str("$thread"),
            ExprKind::Unary(op, operand) => {
                out.push_str(op.symbol());
                self.write(out, operand, 11);
            }
            ExprKind::Binary {
                op, left, right, ..
            } => {
                self.write(out, left, op.precedence());
                out.push_str(&format!(" {} ", op.symbol()));
                self.write(out, right, op.precedence() + 1);
            }
            ExprKind::Conditional(c, a, b) => {
                self.write(out, c, 1);
                out.push_str(" ? ");
                self.write(out, a, 0);
                out.push_str(" : ");
                self.write(out, b, 0);
            }
        }
    }
}
