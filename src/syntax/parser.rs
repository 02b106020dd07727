//! pest pairs to the syntax tree, one top-level item at a time.

use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::errors::{describe_rule, syntax_error, with_detail_on_error};
use super::header;
use super::literal::{self, IntegerLiteral};
use super::split::{ChunkKind, split};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/slic.pest"]
pub struct SlicParser;

/// Parses one file. Every item that parses is kept; every item that does
/// not gives one diagnostic, and parsing goes on with the next item.
pub fn parse(file: FileId, text: &str) -> (SourceRule, Vec<Diagnostic>) {
    let pieces = split(text);
    let mut converter = Converter {
        file,
        base: 0,
        diagnostics: Vec::new(),
    };
    let mut rule = SourceRule::default();
    if let Some(range) = pieces.header.clone() {
        let (header, diagnostics) = header::parse(file, text, range);
        rule.header = Some(header);
        converter.diagnostics.extend(diagnostics);
    }
    for &(start, what) in &pieces.unterminated {
        let (length, label) = match what {
            "comment" => (2, "this comment never ends"),
            _ => (1, "this string has no closing `\"` on its line"),
        };
        converter.diagnostics.push(
            Diagnostic::new(
                Code::Unclosed,
                Span::new(file, start..start + length),
                format!("unterminated {what}"),
            )
            .with_label(label),
        );
    }
    for chunk in &pieces.chunks {
        let source = &text[chunk.range.clone()];
        converter.base = chunk.range.start;
        let rule_kind = match chunk.kind {
            ChunkKind::Item => Rule::item_input,
            ChunkKind::Directive => Rule::directive_input,
        };
        if source.trim() == "}" {
            converter.diagnostics.push(
                Diagnostic::new(
                    Code::Syntax,
                    Span::new(file, chunk.range.clone()),
                    "unexpected `}`",
                )
                .with_label("no `{` opens this"),
            );
            continue;
        }
        match with_detail_on_error(|| SlicParser::parse(rule_kind, source)) {
            Ok(pairs) => {
                for pair in pairs {
                    if let Some(item) = converter.item(pair) {
                        rule.items.push(item);
                    }
                }
            }
            Err(_)
                if pieces
                    .unterminated
                    .iter()
                    .any(|(at, _)| chunk.range.contains(at)) =>
            {
                // Already reported: the unterminated string or comment is
                // the cause, and pest's complaint about it would be noise.
            }
            Err(error) => {
                let diagnostic = match chunk.unclosed.first() {
                    Some(&open) if error_at_end(&error, source) => Diagnostic::new(
                        Code::Unclosed,
                        Span::new(file, open..open + 1),
                        "unclosed brace",
                    )
                    .with_label("this `{` is never closed"),
                    _ => syntax_error(file, text, chunk.range.clone(), &error, describe_rule),
                };
                converter.diagnostics.push(diagnostic);
            }
        }
    }
    (rule, converter.diagnostics)
}

/// Whether pest gave up only because the item ended early, which for an
/// item with an unclosed brace means the brace is the problem.
fn error_at_end(error: &pest::error::Error<Rule>, source: &str) -> bool {
    let position = match error.location {
        pest::error::InputLocation::Pos(position) => position,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    source[position..].trim().is_empty()
}

/// Parses a standalone expression (used by trace files and tests).
pub fn parse_expression(file: FileId, text: &str) -> Result<Expr, Diagnostic> {
    let mut pairs =
        with_detail_on_error(|| SlicParser::parse(Rule::expression, text.trim_end()))
            .map_err(|error| syntax_error(file, text, 0..text.len(), &error, describe_rule))?;
    let pair = pairs.next().expect("an expression pair");
    if pair.as_str().len() != text.trim_end().len() {
        return Err(Diagnostic::new(
            Code::Syntax,
            Span::new(file, pair.as_str().len()..text.len()),
            "unexpected text after the expression",
        ));
    }
    let mut converter = Converter {
        file,
        base: 0,
        diagnostics: Vec::new(),
    };
    let expr = converter.expression(pair);
    match converter.diagnostics.into_iter().next() {
        Some(diagnostic) => Err(diagnostic),
        None => Ok(expr),
    }
}

struct Converter {
    file: FileId,
    base: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Converter {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let span = pair.as_span();
        Span::new(self.file, self.base + span.start()..self.base + span.end())
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn item(&mut self, pair: Pair<Rule>) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::state_block => Item::State(self.state_block(pair)),
            Rule::watch => Item::Watch(self.watch(pair)),
            Rule::model_declaration => {
                let span = self.span(&pair);
                let name = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::identifier)
                    .expect("a model name");
                let name = self.ident(name);
                Item::Model(ModelDeclaration { name, span })
            }
            Rule::handler => Item::Handler(self.handler(pair)),
            Rule::include => Item::Include(self.include(pair)),
            Rule::define => self.define(pair)?,
            Rule::pragma => Item::Pragma(Pragma {
                span: self.span(&pair),
                once: pair.as_str()["pragma".len()..].trim() == "once",
            }),
            Rule::unsupported_directive => {
                let word = pair.into_inner().next().expect("a directive word");
                let span = self.span(&word);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnsupportedDirective,
                        span,
                        format!("unsupported preprocessor directive `#{}`", word.as_str()),
                    )
                    .with_label("not supported in rules")
                    .with_note("rules support `#include`, object-like `#define` and `#pragma`"),
                );
                return None;
            }
            Rule::empty_item | Rule::EOI => return None,
            rule => unreachable!("not an item: {rule:?}"),
        })
    }

    fn state_block(&mut self, pair: Pair<Rule>) -> StateBlock {
        let keyword = {
            let span = self.span(&pair);
            Span::new(self.file, span.start as usize..span.start as usize + 5)
        };
        let declarations = pair
            .into_inner()
            .map(|declaration| self.declaration(declaration))
            .collect();
        StateBlock {
            declarations,
            keyword,
        }
    }

    fn declaration(&mut self, pair: Pair<Rule>) -> Declaration {
        let mut inner = pair.into_inner();
        let type_pair = inner
            .next()
            .expect("a type")
            .into_inner()
            .next()
            .expect("a type");
        let span = self.span(&type_pair);
        let ty = match type_pair.as_rule() {
            Rule::enum_type => TypeSpec::Enum {
                enumerators: type_pair.into_inner().map(|p| self.ident(p)).collect(),
                span,
            },
            Rule::scalar_type => {
                // The pair's span ends after the whitespace before the
                // declarator; the words themselves are the type.
                let words: Vec<Pair<Rule>> = type_pair.into_inner().collect();
                let first = self.span(words.first().expect("a type word"));
                let last = self.span(words.last().expect("a type word"));
                TypeSpec::Scalar {
                    words: words.iter().map(|p| p.as_str().to_string()).collect(),
                    span: first.to(last),
                }
            }
            rule => unreachable!("not a type: {rule:?}"),
        };
        let declarators = inner
            .map(|declarator| {
                let mut pointer = false;
                let mut name = None;
                let mut init = None;
                for part in declarator.into_inner() {
                    match part.as_rule() {
                        Rule::pointer => pointer = true,
                        Rule::identifier => name = Some(self.ident(part)),
                        Rule::expression => init = Some(self.expression(part)),
                        rule => unreachable!("not part of a declarator: {rule:?}"),
                    }
                }
                Declarator {
                    pointer,
                    name: name.expect("a declarator has a name"),
                    init,
                }
            })
            .collect();
        Declaration { ty, declarators }
    }

    fn argument_number(&mut self, pair: Pair<Rule>) -> ArgRef {
        let span = self.span(&pair);
        let digits = pair.into_inner().next().expect("digits").as_str();
        let index = digits.parse::<u32>().unwrap_or_else(|_| {
            self.diagnostics.push(Diagnostic::new(
                Code::BadLiteral,
                span,
                "argument number is too large",
            ));
            ArgRef::TOO_LARGE
        });
        ArgRef { index, span }
    }

    fn watch(&mut self, pair: Pair<Rule>) -> Watch {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let function = self.ident(inner.next().expect("a function"));
        let kind = self.ident(inner.next().expect("a kind"));
        let argument = self.argument_number(inner.next().expect("an argument"));
        Watch {
            function,
            kind,
            argument,
            span,
        }
    }

    fn handler(&mut self, pair: Pair<Rule>) -> Handler {
        let mut inner = pair.into_inner();
        let list = inner.next().expect("an event list");
        let bracketed = list.as_str().starts_with('[');
        let events: Vec<Ident> = list.into_inner().map(|p| self.ident(p)).collect();
        let kind_pair = inner.next().expect("an event kind");
        let kind = self.ident(kind_pair.into_inner().next().expect("a kind word"));
        let mut guard = None;
        let mut body = None;
        for part in inner {
            match part.as_rule() {
                Rule::guard => {
                    guard = Some(self.argument_number(part.into_inner().next().expect("$N")))
                }
                Rule::block => body = Some(self.block(part)),
                rule => unreachable!("not part of a handler: {rule:?}"),
            }
        }
        let first = events.first().expect("at least one event").span;
        let header_start = if bracketed {
            first.start - 1
        } else {
            first.start
        };
        Handler {
            header_span: Span {
                start: header_start,
                ..first.to(kind.span)
            },
            events,
            bracketed,
            kind,
            guard,
            body: body.expect("a handler has a body"),
        }
    }

    fn include(&mut self, pair: Pair<Rule>) -> Include {
        let target = pair.into_inner().next().expect("a path");
        let path_span = self.span(&target);
        match target.as_rule() {
            Rule::string => Include {
                path: target
                    .into_inner()
                    .next()
                    .expect("a body")
                    .as_str()
                    .to_string(),
                system: false,
                path_span,
            },
            _ => {
                let text = target.as_str();
                Include {
                    path: text[1..text.len() - 1].to_string(),
                    system: true,
                    path_span,
                }
            }
        }
    }

    fn define(&mut self, pair: Pair<Rule>) -> Option<Item> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let macro_name = inner.next().expect("a macro name");
        let mut name_parts = macro_name.into_inner();
        let name = self.ident(name_parts.next().expect("a name"));
        if let Some(parameters) = name_parts.next() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnsupportedDirective,
                    self.span(&parameters),
                    format!("function-like macro `{}` is not supported", name.name),
                )
                .with_label("macro parameters")
                .with_note("only object-like `#define NAME value` is supported"),
            );
            return None;
        }
        let value = inner.next().map(|expr| self.expression(expr));
        Some(Item::Define(Define { name, value, span }))
    }

    fn block(&mut self, pair: Pair<Rule>) -> Block {
        let span = self.span(&pair);
        Block {
            statements: pair.into_inner().map(|s| self.statement(s)).collect(),
            span,
        }
    }

    fn statement(&mut self, pair: Pair<Rule>) -> Stmt {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::if_statement => {
                let mut inner = pair.into_inner();
                let condition = self.expression(inner.next().expect("a condition"));
                let then_branch = Box::new(self.statement(inner.next().expect("a statement")));
                let else_branch = inner.next().map(|s| Box::new(self.statement(s)));
                Stmt::If {
                    condition,
                    then_branch,
                    else_branch,
                    span,
                }
            }
            Rule::block => Stmt::Block(self.block(pair)),
            Rule::abort_statement => {
                let mut message = String::new();
                for string in pair.into_inner() {
                    message.push_str(&self.string(string));
                }
                Stmt::Abort { message, span }
            }
            Rule::halt_statement => Stmt::Halt(span),
            Rule::reset_statement => Stmt::Reset(span),
            Rule::empty_statement => Stmt::Empty(span),
            Rule::assignment => {
                let mut inner = pair.into_inner();
                let target = self.unary(inner.next().expect("a target"));
                let operator = match inner.next().expect("an operator").as_str() {
                    "=" => None,
                    compound => Some(binary_operator_named(&compound[..compound.len() - 1])),
                };
                let value = self.expression(inner.next().expect("a value"));
                Stmt::Assign {
                    target,
                    operator,
                    value,
                    span,
                }
            }
            Rule::increment => {
                let mut operator = BinaryOp::Add;
                let mut target = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::step_operator if part.as_str() == "--" => operator = BinaryOp::Sub,
                        Rule::step_operator => {}
                        _ => target = Some(self.unary(part)),
                    }
                }
                let value = Expr {
                    kind: ExprKind::Integer(IntegerLiteral {
                        value: 1,
                        base: 10,
                        unsigned: false,
                    }),
                    span,
                };
                Stmt::Assign {
                    target: target.expect("a target"),
                    operator: Some(operator),
                    value,
                    span,
                }
            }
            rule => unreachable!("not a statement: {rule:?}"),
        }
    }

    fn string(&mut self, pair: Pair<Rule>) -> String {
        let body_pair = pair.into_inner().next().expect("a string body");
        let body_start = self.span(&body_pair).start as usize;
        let body = body_pair.as_str();
        match literal::unescape(body) {
            Ok(text) => text,
            Err(problem) => {
                let range = body_start + problem.range.start..body_start + problem.range.end;
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::BadLiteral,
                        Span::new(self.file, range),
                        problem.message,
                    )
                    .with_label("this escape"),
                );
                body.to_string()
            }
        }
    }

    fn expression(&mut self, pair: Pair<Rule>) -> Expr {
        let pratt = PrattParser::new()
            .op(Op::infix(Rule::conditional, Assoc::Right))
            .op(Op::infix(Rule::or, Assoc::Left))
            .op(Op::infix(Rule::and, Assoc::Left))
            .op(Op::infix(Rule::bit_or, Assoc::Left))
            .op(Op::infix(Rule::bit_xor, Assoc::Left))
            .op(Op::infix(Rule::bit_and, Assoc::Left))
            .op(Op::infix(Rule::eq, Assoc::Left) | Op::infix(Rule::ne, Assoc::Left))
            .op(Op::infix(Rule::lt, Assoc::Left)
                | Op::infix(Rule::gt, Assoc::Left)
                | Op::infix(Rule::le, Assoc::Left)
                | Op::infix(Rule::ge, Assoc::Left))
            .op(Op::infix(Rule::shl, Assoc::Left) | Op::infix(Rule::shr, Assoc::Left))
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left)
                | Op::infix(Rule::div, Assoc::Left)
                | Op::infix(Rule::rem, Assoc::Left));
        // The closures both need the converter; a RefCell keeps the borrow
        // checker out of a Pratt parser that calls back into us.
        let this = std::cell::RefCell::new(self);
        pratt
            .map_primary(|unary| this.borrow_mut().unary(unary))
            .map_infix(|left, operator, right| {
                let span = left.span.to(right.span);
                let kind = match operator.as_rule() {
                    Rule::conditional => {
                        let middle = operator.into_inner().next().expect("a middle expression");
                        let middle = this.borrow_mut().expression(middle);
                        ExprKind::Conditional(Box::new(left), Box::new(middle), Box::new(right))
                    }
                    _ => ExprKind::Binary(
                        binary_operator_named(operator.as_str()),
                        Box::new(left),
                        Box::new(right),
                    ),
                };
                Expr { kind, span }
            })
            .parse(pair.into_inner())
    }

    fn unary(&mut self, pair: Pair<Rule>) -> Expr {
        let mut operators = Vec::new();
        let mut operand = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::prefix_operator => operators.push((self.span(&part), part.as_str())),
                _ => operand = Some(self.primary(part)),
            }
        }
        let mut expr = operand.expect("a unary expression has an operand");
        for (span, symbol) in operators.into_iter().rev() {
            let operator = match symbol {
                "!" => UnaryOp::Not,
                "~" => UnaryOp::BitNot,
                "-" => UnaryOp::Negate,
                _ => UnaryOp::Plus,
            };
            expr = Expr {
                span: span.to(expr.span),
                kind: ExprKind::Unary(operator, Box::new(expr)),
            };
        }
        expr
    }

    fn primary(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::parenthesized => {
                let mut inner = self.expression(pair.into_inner().next().expect("an expression"));
                inner.span = span;
                return inner;
            }
            Rule::dereference => {
                let argument = self.argument_number(pair.into_inner().next().expect("$N"));
                ExprKind::Deref(argument.index)
            }
            Rule::argument => ExprKind::Argument(self.argument_number(pair).index),
            Rule::return_value => ExprKind::Return,
            Rule::thread_value => ExprKind::Thread,
            Rule::integer => match literal::integer(pair.as_str()) {
                Ok(literal) => ExprKind::Integer(literal),
                Err(problem) => {
                    self.diagnostics.push(
                        Diagnostic::new(Code::BadLiteral, span, problem)
                            .with_label("not a valid literal"),
                    );
                    ExprKind::Integer(IntegerLiteral {
                        value: 0,
                        base: 10,
                        unsigned: false,
                    })
                }
            },
            Rule::identifier => ExprKind::Name(pair.as_str().to_string()),
            rule => unreachable!("not a primary expression: {rule:?}"),
        };
        Expr { kind, span }
    }
}

fn binary_operator_named(symbol: &str) -> BinaryOp {
    use BinaryOp::*;
    match symbol {
        "||" => Or,
        "&&" => And,
        "|" => BitOr,
        "^" => BitXor,
        "&" => BitAnd,
        "==" => Eq,
        "!=" => Ne,
        "<" => Lt,
        ">" => Gt,
        "<=" => Le,
        ">=" => Ge,
        "<<" => Shl,
        ">>" => Shr,
        "+" => Add,
        "-" => Sub,
        "*" => Mul,
        "/" => Div,
        "%" => Rem,
        other => unreachable!("not a binary operator: {other}"),
    }
}
