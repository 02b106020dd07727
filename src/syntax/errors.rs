//! pest's parse errors in words a rule author reads.
//!
//! pest reports the grammar rules and literal tokens it expected at the
//! furthest position it reached. Rule names are internal: each is mapped to
//! a phrase here, and a user never sees one.

use std::collections::BTreeSet;
use std::ops::Range;

use pest::error::{Error, ErrorVariant, InputLocation};
use pest::set_error_detail;

use super::parser::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// Runs a pest parse, and if it fails, runs it again with pest's tracking
/// of expected literal tokens, without which errors can only name grammar
/// rules. The tracking makes every parse several times slower (it was most
/// of compiling the built-in pack), and only a failed parse needs it.
///
/// pest's switch is global: it is turned on here and never off, so a
/// parse on another thread that needs it cannot lose it midway.
pub fn with_detail_on_error<T, E>(parse: impl Fn() -> Result<T, E>) -> Result<T, E> {
    parse().or_else(|_| {
        set_error_detail(true);
        parse()
    })
}

/// Phrases for the rules of the rule grammar.
pub fn describe_rule(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        identifier | directive_word | macro_name => "a name",
        integer => "a number",
        string | string_body => "a string",
        argument | arg_number => "`$N`",
        return_value => "`$return`",
        expression | unary | parenthesized | dereference => "an expression",
        prefix_operator => "an expression",
        conditional | or | and | bit_or | bit_xor | bit_and | eq | ne | le | ge | lt | gt | shl
        | shr | add | sub | mul | div | rem => "an operator",
        if_statement | block | abort_statement | halt_statement | reset_statement
        | empty_statement | assignment | increment => "a statement",
        assign_operator => "`=`",
        step_operator => "`++` or `--`",
        state_block | watch | model_declaration | model_word | handler | event_list
        | empty_item => "a rule item",
        event_kind => "an event kind",
        guard => "`[guard $N]`",
        declaration | type_spec | enum_type | scalar_type => "a declaration",
        declarator | pointer => "a variable name",
        include | define | pragma | unsupported_directive => "a directive",
        system_path => "a file name",
        _ => return None,
    })
}

const OPERATOR_TOKENS: &[&str] = &[
    "?", "||", "&&", "|", "^", "&", "==", "!=", "<=", ">=", "<", ">", "<<", ">>", "+", "-", "*",
    "/", "%",
];

/// Punctuation worth naming in "expected ..."; the characters that merely
/// start a comment, a name or an expression are covered by phrases.
const STRUCTURAL_TOKENS: &[&str] = &[";", ",", ")", "]", "}", "{", ".", "=", ":", "[", "("];

/// Phrases for the literal tokens pest tried at the error position. A
/// token that can only start an expression (`$`, `(`, a digit) means "an
/// expression"; then `-`, `+` and `*` are prefix operators, not operators.
fn describe_tokens(tokens: impl Iterator<Item = String>) -> BTreeSet<&'static str> {
    let tokens: Vec<String> = tokens.collect();
    let starts_expression = tokens
        .iter()
        .any(|t| matches!(t.as_str(), "$" | "$return" | "0x" | "!" | "~"));
    let mut phrases = BTreeSet::new();
    if starts_expression {
        phrases.insert("an expression");
    }
    for token in &tokens {
        let token = token.as_str();
        if OPERATOR_TOKENS.contains(&token) {
            if !starts_expression {
                phrases.insert("an operator");
            }
        } else if token == "(" && starts_expression {
        } else if STRUCTURAL_TOKENS.contains(&token) {
            phrases.insert(leak_backquoted(token));
        } else if token == "\"" {
            phrases.insert("a string");
        } else if token == "guard" {
            phrases.insert("`guard`");
        } else if token == "a..z" && !starts_expression && !tokens.iter().any(|t| t == "0..9") {
            // A digit would continue a word already begun, not start a name.
            phrases.insert("a name");
        }
    }
    phrases
}

/// Builds the diagnostic for a failed item. `chunk` is where the item lies
/// in `text`; pest's positions are relative to it.
pub fn syntax_error<R: pest::RuleType>(
    file: FileId,
    text: &str,
    chunk: Range<usize>,
    error: &Error<R>,
    describe_rule: fn(R) -> Option<&'static str>,
) -> Diagnostic {
    let pest_position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    let attempts = error.parse_attempts();
    // pest places the error at the furthest *rule* it tried; the attempts
    // also track literal tokens, which reach further for a missing `;`.
    let relative = attempts
        .as_ref()
        .map_or(pest_position, |a| a.max_position.max(pest_position));
    let position = chunk.start + relative;
    let mut expected = BTreeSet::new();
    if relative == pest_position
        && let ErrorVariant::ParsingError { positives, .. } = &error.variant
    {
        expected.extend(positives.iter().filter_map(|&rule| describe_rule(rule)));
    }
    if let Some(attempts) = attempts.filter(|a| a.max_position == relative) {
        expected.extend(describe_tokens(
            attempts.expected_tokens().iter().map(|t| t.to_string()),
        ));
    }
    let (found, found_span) = found_token(text, position);
    let within_item = position < chunk.end && !text[position..chunk.end].trim().is_empty();
    let previous_end = chunk.start + text[chunk.start..position].trim_end().len();
    let span = if within_item && !text[previous_end..position].contains('\n') {
        Span::new(file, found_span)
    } else {
        // The missing text belongs right after the previous token, which is
        // where a reader looks for a forgotten `;` or `)`.
        Span::new(file, previous_end..previous_end)
    };
    let message = match expected.len() {
        0 => format!("unexpected {found}"),
        _ => format!("expected {}, found {found}", join_alternatives(&expected)),
    };
    let label = match expected.len() {
        0 => "not expected here".to_string(),
        _ => format!("expected {}", join_alternatives(&expected)),
    };
    Diagnostic::new(Code::Syntax, span, message).with_label(label)
}

/// Expected-token phrases live as long as the process; there are only as
/// many as the grammar has literals, so caching them keeps the set simple.
fn leak_backquoted(token: &str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .expect("not poisoned");
    cache
        .entry(token.to_string())
        .or_insert_with(|| Box::leak(format!("`{token}`").into_boxed_str()))
}

fn join_alternatives(items: &BTreeSet<&str>) -> String {
    // Backquoted tokens first, then phrases, so "`;` or an operator" reads well.
    let mut ordered: Vec<&str> = items
        .iter()
        .copied()
        .filter(|s| s.starts_with('`'))
        .collect();
    ordered.extend(items.iter().copied().filter(|s| !s.starts_with('`')));
    match ordered.as_slice() {
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

/// The token at `position`, described for a message, and its byte range.
fn found_token(text: &str, position: usize) -> (String, Range<usize>) {
    let rest = &text[position..];
    let Some(first) = rest.chars().next() else {
        return ("end of file".to_string(), position..position);
    };
    let length = if first.is_alphanumeric() || first == '_' || first == '$' {
        rest.char_indices()
            .skip(1)
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(rest.len(), |(i, _)| i)
    } else if first == '"' {
        rest[1..]
            .find(['"', '\n'])
            .map_or(rest.len(), |i| i + 2)
            .min(rest.len())
    } else if first.is_whitespace() {
        return (
            "end of line".to_string(),
            position..position + first.len_utf8(),
        );
    } else {
        first.len_utf8()
    };
    let token = &rest[..length];
    let description = if token.len() > 40 {
        format!("`{}...`", &token[..token.floor_char_boundary(37)])
    } else {
        format!("`{token}`")
    };
    (description, position..position + length)
}
