//! A small writer for the bodies of generated functions: fresh value and
//! block names, one instruction per line.

use std::fmt::Write;

/// An `i64` operand: a constant (folded when both sides are) or a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Constant(i64),
    Named(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Constant(value) => write!(f, "{value}"),
            Value::Named(name) => f.write_str(name),
        }
    }
}

#[derive(Default)]
pub struct Body {
    pub text: String,
    next: usize,
}

impl Body {
    /// `%vN = instruction`; returns `%vN`.
    pub fn value(&mut self, instruction: impl std::fmt::Display) -> String {
        let name = format!("%v{}", self.next);
        self.next += 1;
        let _ = writeln!(self.text, "  {name} = {instruction}");
        name
    }

    /// An `i64` result, as a `Value`.
    pub fn i64(&mut self, instruction: impl std::fmt::Display) -> Value {
        Value::Named(self.value(instruction))
    }

    pub fn line(&mut self, instruction: impl std::fmt::Display) {
        let _ = writeln!(self.text, "  {instruction}");
    }

    /// A new block name (`%` not included).
    pub fn block(&mut self, hint: &str) -> String {
        let name = format!("{hint}{}", self.next);
        self.next += 1;
        name
    }

    pub fn label(&mut self, name: &str) {
        let _ = writeln!(self.text, "{name}:");
    }
}
