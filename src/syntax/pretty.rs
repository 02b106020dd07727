//! Prints a syntax tree back as rule text, in one normal layout.
//!
//! The output parses back to the same tree (spans aside): parentheses are
//! written exactly where C's precedence needs them, and `x++` comes back as
//! `x += 1`, which is what the tree holds.

use std::fmt::Write;

use super::ast::*;
use crate::span::Span;

pub fn print(rule: &SourceRule) -> String {
    let mut out = String::new();
    if let Some(header) = &rule.header {
        out.push_str("/*++\n");
        for field in &header.fields {
            let _ = writeln!(out, "{}:\n    {}", field.name, field.value);
        }
        out.push_str("--*/\n\n");
    }
    for item in &rule.items {
        print_item(&mut out, item);
    }
    out
}

fn print_item(out: &mut String, item: &Item) {
    match item {
        Item::Include(include) => {
            let (open, close) = if include.system {
                ('<', '>')
            } else {
                ('"', '"')
            };
            let _ = writeln!(out, "#include {open}{}{close}", include.path);
        }
        Item::Define(define) => {
            let _ = write!(out, "#define {}", define.name.name);
            if let Some(value) = &define.value {
                // A C reader expects a define's value parenthesised unless
                // it is a single token; slic means the same either way.
                let text = expression(value);
                match value.kind {
                    ExprKind::Integer(_) | ExprKind::Name(_) => {
                        let _ = write!(out, " {text}");
                    }
                    _ => {
                        let _ = write!(out, " ({text})");
                    }
                }
            }
            out.push('\n');
        }
        Item::Pragma(pragma) if pragma.once => out.push_str("#pragma once\n"),
        Item::Pragma(_) => {}
        Item::State(state) => {
            out.push_str("state {\n");
            for declaration in &state.declarations {
                out.push_str("    ");
                match &declaration.ty {
                    TypeSpec::Enum { enumerators, .. } => {
                        let names: Vec<&str> =
                            enumerators.iter().map(|e| e.name.as_str()).collect();
                        let _ = write!(out, "enum {{ {} }}", names.join(", "));
                    }
                    TypeSpec::Scalar { words, .. } => out.push_str(&words.join(" ")),
                }
                for (index, declarator) in declaration.declarators.iter().enumerate() {
                    out.push_str(if index == 0 { " " } else { ", " });
                    if declarator.pointer {
                        out.push('*');
                    }
                    out.push_str(&declarator.name.name);
                    if let Some(init) = &declarator.init {
                        let _ = write!(out, " = {}", expression(init));
                    }
                }
                out.push_str(";\n");
            }
            out.push_str("}\n\n");
        }
        Item::Watch(watch) => {
            let _ = writeln!(
                out,
                "watch {}.{}.${};\n",
                watch.function.name, watch.kind.name, watch.argument.index
            );
        }
        Item::Model(model) => {
            let _ = writeln!(out, "model {};\n", model.name.name);
        }
        Item::Handler(handler) => {
            let names: Vec<&str> = handler.events.iter().map(|e| e.name.as_str()).collect();
            if handler.bracketed {
                let _ = write!(out, "[{}]", names.join(", "));
            } else {
                out.push_str(names[0]);
            }
            let _ = write!(out, ".{}", handler.kind.name);
            if let Some(guard) = handler.guard {
                let _ = write!(out, " [guard ${}]", guard.index);
            }
            out.push(' ');
            print_block(out, &handler.body, 0);
            out.push_str("\n\n");
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn print_block(out: &mut String, block: &Block, depth: usize) {
    out.push_str("{\n");
    for statement in &block.statements {
        indent(out, depth + 1);
        print_statement(out, statement, depth + 1);
        out.push('\n');
    }
    indent(out, depth);
    out.push('}');
}

fn print_statement(out: &mut String, statement: &Stmt, depth: usize) {
    match statement {
        Stmt::If {
            condition,
            then_branch,
            else_branch,
            ..
        } => {
            let _ = write!(out, "if ({})", expression(condition));
            print_branch(out, then_branch, depth);
            if let Some(else_branch) = else_branch {
                if matches!(then_branch.as_ref(), Stmt::Block(_)) {
                    out.push_str(" else");
                } else {
                    out.push('\n');
                    indent(out, depth);
                    out.push_str("else");
                }
                match else_branch.as_ref() {
                    nested @ Stmt::If { .. } => {
                        out.push(' ');
                        print_statement(out, nested, depth);
                    }
                    other => print_branch(out, other, depth),
                }
            }
        }
        Stmt::Block(block) => print_block(out, block, depth),
        Stmt::Assign {
            target,
            operator,
            value,
            ..
        } => {
            let symbol = operator.map_or(String::new(), |op| op.symbol().to_string());
            let _ = write!(
                out,
                "{} {symbol}= {};",
                expression(target),
                expression(value)
            );
        }
        Stmt::Abort { message, .. } => {
            let _ = write!(out, "abort {};", quote(message));
        }
        Stmt::Halt(_) => out.push_str("halt;"),
        Stmt::Reset(_) => out.push_str("reset;"),
        Stmt::Empty(_) => out.push(';'),
    }
}

/// A block branch stays on the `if` line; any other statement goes on its
/// own line, indented, exactly as it was (wrapping it in braces would make
/// a different tree).
fn print_branch(out: &mut String, branch: &Stmt, depth: usize) {
    match branch {
        Stmt::Block(block) => {
            out.push(' ');
            print_block(out, block, depth);
        }
        other => {
            out.push('\n');
            indent(out, depth + 1);
            print_statement(out, other, depth + 1);
        }
    }
}

/// `text` as a C (and SLIC) string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

/// [`quote`], written to `out`.
pub fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    // Most texts (file and function names) need no escape.
    if !text
        .chars()
        .any(|c| c == '"' || c == '\\' || c < ' ' || c == '\x7F')
    {
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7F => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Prints an expression with the parentheses C's precedence requires.
pub fn expression(expr: &Expr) -> String {
    let mut out = String::new();
    write_expression(&mut out, expr, 0);
    out
}

/// Precedence of what may appear here without parentheses: 0 accepts
/// anything, 11 only unary and primary expressions.
fn write_expression(out: &mut String, expr: &Expr, min_precedence: u8) {
    let own = match &expr.kind {
        ExprKind::Conditional(..) => 0,
        ExprKind::Binary(op, ..) => op.precedence(),
        _ => 11,
    };
    if own < min_precedence {
        out.push('(');
        write_expression(out, expr, 0);
        out.push(')');
        return;
    }
    match &expr.kind {
        ExprKind::Integer(literal) => {
            let _ = match literal.base {
                16 => write!(out, "{:#x}", literal.value),
                8 if literal.value != 0 => write!(out, "0{:o}", literal.value),
                _ => write!(out, "{}", literal.value),
            };
            if literal.unsigned {
                out.push('u');
            }
        }
        ExprKind::Name(name) => out.push_str(name),
        ExprKind::Argument(index) => {
            let _ = write!(out, "${index}");
        }
        ExprKind::Deref(index) => {
            let _ = write!(out, "*${index}");
        }
        ExprKind::Return => out.push_str("$return"),
        ExprKind::Thread => out.push_str("$thread"),
        ExprKind::Unary(op, operand) => {
            out.push_str(op.symbol());
            // `- -x` must not print as `--x`.
            let nested_sign = matches!(
                operand.kind,
                ExprKind::Unary(UnaryOp::Negate | UnaryOp::Plus, _)
            );
            if nested_sign {
                out.push('(');
                write_expression(out, operand, 0);
                out.push(')');
            } else {
                write_expression(out, operand, 11);
            }
        }
        ExprKind::Binary(op, left, right) => {
            let precedence = op.precedence();
            write_expression(out, left, precedence);
            let _ = write!(out, " {} ", op.symbol());
            write_expression(out, right, precedence + 1);
        }
        ExprKind::Conditional(condition, then_value, else_value) => {
            write_expression(out, condition, 1);
            out.push_str(" ? ");
            write_expression(out, then_value, 0);
            out.push_str(" : ");
            write_expression(out, else_value, 0);
        }
    }
}

/// The same tree with every span zeroed, for comparing trees by structure.
pub fn without_spans(rule: &SourceRule) -> SourceRule {
    let mut rule = rule.clone();
    if let Some(header) = &mut rule.header {
        header.span = Span::default();
        for field in &mut header.fields {
            field.span = Span::default();
            field.value_span = field.value_span.map(|_| Span::default());
        }
    }
    for item in &mut rule.items {
        match item {
            Item::State(state) => {
                state.keyword = Span::default();
                for declaration in &mut state.declarations {
                    match &mut declaration.ty {
                        TypeSpec::Enum { enumerators, span } => {
                            *span = Span::default();
                            enumerators
                                .iter_mut()
                                .for_each(|e| e.span = Span::default());
                        }
                        TypeSpec::Scalar { span, .. } => *span = Span::default(),
                    }
                    for declarator in &mut declaration.declarators {
                        declarator.name.span = Span::default();
                        declarator.init.iter_mut().for_each(erase_expr);
                    }
                }
            }
            Item::Watch(watch) => {
                watch.function.span = Span::default();
                watch.kind.span = Span::default();
                watch.argument.span = Span::default();
                watch.span = Span::default();
            }
            Item::Model(model) => {
                model.name.span = Span::default();
                model.span = Span::default();
            }
            Item::Handler(handler) => {
                handler
                    .events
                    .iter_mut()
                    .for_each(|e| e.span = Span::default());
                handler.kind.span = Span::default();
                handler.header_span = Span::default();
                if let Some(guard) = &mut handler.guard {
                    guard.span = Span::default();
                }
                erase_block(&mut handler.body);
            }
            Item::Define(define) => {
                define.name.span = Span::default();
                define.span = Span::default();
                define.value.iter_mut().for_each(erase_expr);
            }
            Item::Include(include) => include.path_span = Span::default(),
            Item::Pragma(pragma) => pragma.span = Span::default(),
        }
    }
    rule
}

fn erase_block(block: &mut Block) {
    block.span = Span::default();
    block.statements.iter_mut().for_each(erase_statement);
}

fn erase_statement(statement: &mut Stmt) {
    match statement {
        Stmt::If {
            condition,
            then_branch,
            else_branch,
            span,
        } => {
            *span = Span::default();
            erase_expr(condition);
            erase_statement(then_branch);
            if let Some(else_branch) = else_branch {
                erase_statement(else_branch);
            }
        }
        Stmt::Block(block) => erase_block(block),
        Stmt::Assign {
            target,
            value,
            span,
            ..
        } => {
            *span = Span::default();
            erase_expr(target);
            erase_expr(value);
        }
        Stmt::Abort { span, .. } | Stmt::Halt(span) | Stmt::Reset(span) | Stmt::Empty(span) => {
            *span = Span::default()
        }
    }
}

fn erase_expr(expr: &mut Expr) {
    expr.span = Span::default();
    match &mut expr.kind {
        ExprKind::Unary(_, operand) => erase_expr(operand),
        ExprKind::Binary(_, left, right) => {
            erase_expr(left);
            erase_expr(right);
        }
        ExprKind::Conditional(a, b, c) => {
            erase_expr(a);
            erase_expr(b);
            erase_expr(c);
        }
        _ => {}
    }
}
