//! The first pass over a module: its top-level items.
//!
//! It finds every function definition (header and body), declaration,
//! global variable and metadata node, the target, and how pointers are
//! spelled, without looking inside function bodies: a body is skipped to
//! the `}` that starts a line (LLVM indents instructions, and a label can
//! never be `}`). The second pass (`weaver.rs`) reads the bodies.

use std::collections::HashMap;
use std::ops::Range;

use super::debug_info::{MetadataIndex, metadata_number};
use super::instruction::{self, Header};
use super::lexer::{Kind, Token, depth_change, tokenize};
use super::monitor::Existing;
use super::names::decode;
use super::target::{self, Pointers, Target};
use crate::weave::{Position, WOVEN_MARKER, WeaveError};

/// A function definition.
#[derive(Debug)]
pub struct Function {
    /// The symbol (decoded, decorations kept).
    pub symbol: String,
    /// The header, through its `{`.
    pub header: Range<usize>,
    /// From the line after the header to the start of the `}` line.
    pub body: Range<usize>,
    pub line: usize,
}

/// A declaration or definition header, kept for wrappers and for the
/// monitor's own declarations.
#[derive(Debug)]
pub struct Declared {
    pub text: Range<usize>,
    pub defined: bool,
}

/// A global variable (or alias) line.
#[derive(Debug)]
pub struct Global {
    pub symbol: String,
    pub range: Range<usize>,
    pub line: usize,
}

pub struct Module<'a> {
    pub source: &'a str,
    pub functions: Vec<Function>,
    /// Every function declared or defined, by symbol.
    pub declared: HashMap<String, Declared>,
    pub globals: Vec<Global>,
    pub metadata: MetadataIndex,
    pub target: Target,
    /// The module has debug information (`!llvm.dbg.cu`).
    pub debug_info: bool,
    /// What the monitor must not declare again.
    pub existing: HashMap<String, Existing>,
}

/// Byte ranges of the lines of a text, each with its newline.
pub struct Lines<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str, from: usize) -> Lines<'a> {
        Lines { text, at: from }
    }
}

impl Iterator for Lines<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.at >= self.text.len() {
            return None;
        }
        let start = self.at;
        // `str::find` of a character is a `memchr`.
        let end = match self.text[start..].find('\n') {
            Some(offset) => start + offset + 1,
            None => self.text.len(),
        };
        self.at = end;
        Some(start..end)
    }
}

pub fn error_at(line: usize, path: &str, message: String) -> WeaveError {
    WeaveError {
        message,
        position: Some(Position {
            file: path.to_string(),
            line: line as u32,
            column: 1,
        }),
    }
}

/// Reads the top level of a module. `path` names it in errors.
pub fn scan<'a>(source: &'a str, path: &str) -> Result<Module<'a>, WeaveError> {
    if source.len() > u32::MAX as usize {
        return Err(WeaveError {
            message: format!("`{path}` is larger than 4 GiB"),
            position: None,
        });
    }
    let mut module = Module {
        source,
        functions: Vec::new(),
        declared: HashMap::new(),
        globals: Vec::new(),
        metadata: MetadataIndex::default(),
        target: Target {
            pointers: Pointers::Opaque,
            pointer_bits: 64,
            triple: String::new(),
            datalayout: None,
        },
        debug_info: false,
        existing: HashMap::new(),
    };
    let mut layout_bits = None;
    let mut pointers: Option<Pointers> = None;
    let mut ident: Option<usize> = None;
    let mut tokens: Vec<Token> = Vec::new();
    let mut lines = Lines::new(source, 0);
    let mut line_number = 0usize;
    while let Some(line) = lines.next() {
        line_number += 1;
        let text = &source[line.clone()];
        let trimmed = text.trim_start();
        let first = trimmed.as_bytes().first().copied().unwrap_or(b'\n');
        match first {
            b'\n' | b'\r' => {}
            b';' => {
                if trimmed.contains(WOVEN_MARKER) {
                    return Err(already_woven(path));
                }
            }
            b'!' => {
                if trimmed.starts_with("!llvm.dbg.cu ") {
                    module.debug_info = true;
                } else if trimmed.starts_with("!slic.woven ") {
                    return Err(already_woven(path));
                } else if let Some(rest) = trimmed.strip_prefix("!llvm.ident = !{") {
                    ident = rest.split([',', '}']).next().and_then(metadata_number);
                }
                let name = trimmed.split([' ', '=']).next().unwrap_or("");
                if let Some(number) = metadata_number(name) {
                    module.metadata.add(number, line.clone());
                }
            }
            b'd' if trimmed.starts_with("define") => {
                let (header, body_start, header_lines) =
                    header_through_brace(source, line.start, &mut tokens, &mut lines).ok_or_else(
                        || {
                            error_at(
                                line_number,
                                path,
                                "malformed function header: no `{`".to_string(),
                            )
                        },
                    )?;
                note_pointers(source, &tokens, &mut pointers);
                let parsed = instruction::header(source, &tokens).ok_or_else(|| {
                    error_at(
                        line_number,
                        path,
                        "cannot read this function header".to_string(),
                    )
                })?;
                let symbol = decode(tokens[parsed.name].text(source));
                let start_line = line_number;
                line_number += header_lines - 1;
                // The body ends at the first line that is `}`.
                let body_end = closing_line(source, body_start);
                if let Some(end) = body_end {
                    line_number += source[body_start..end].matches('\n').count() + 1;
                    lines = Lines::new(
                        source,
                        source[end..]
                            .find('\n')
                            .map_or(source.len(), |i| end + i + 1),
                    );
                }
                let body_end = body_end.ok_or_else(|| {
                    error_at(
                        start_line,
                        path,
                        format!("the body of `{symbol}` is never closed by a `}}` line"),
                    )
                })?;
                insert_declared(
                    &mut module,
                    source,
                    &tokens,
                    &parsed,
                    &symbol,
                    header.clone(),
                    true,
                );
                module.functions.push(Function {
                    symbol,
                    header,
                    body: body_start..body_end,
                    line: start_line,
                });
            }
            b'd' if trimmed.starts_with("declare") => {
                tokens.clear();
                tokenize(source, line.clone(), &mut tokens);
                note_pointers(source, &tokens, &mut pointers);
                let parsed = instruction::header(source, &tokens).ok_or_else(|| {
                    error_at(
                        line_number,
                        path,
                        "cannot read this declaration".to_string(),
                    )
                })?;
                let symbol = decode(tokens[parsed.name].text(source));
                insert_declared(
                    &mut module,
                    source,
                    &tokens,
                    &parsed,
                    &symbol,
                    line.clone(),
                    false,
                );
            }
            b'@' => {
                let start_line = line_number;
                let range = item_through_brackets(
                    source,
                    line.clone(),
                    &mut tokens,
                    &mut lines,
                    &mut line_number,
                );
                note_pointers(source, &tokens, &mut pointers);
                let Some(name) = tokens.first().filter(|t| t.kind == Kind::Global) else {
                    return Err(error_at(
                        start_line,
                        path,
                        "expected a global variable".to_string(),
                    ));
                };
                let symbol = decode(name.text(source));
                if let Some(value_type) = global_value_type(source, &tokens) {
                    module
                        .existing
                        .insert(symbol.clone(), Existing::Global { value_type });
                }
                module.globals.push(Global {
                    symbol,
                    range,
                    line: start_line,
                });
            }
            b'%' => {
                item_through_brackets(
                    source,
                    line.clone(),
                    &mut tokens,
                    &mut lines,
                    &mut line_number,
                );
                note_pointers(source, &tokens, &mut pointers);
            }
            _ => {
                if let Some(rest) = trimmed.strip_prefix("target triple = \"") {
                    module.target.triple = rest.split('"').next().unwrap_or("").to_string();
                } else if let Some(rest) = trimmed.strip_prefix("target datalayout = \"") {
                    let layout = rest.split('"').next().unwrap_or("");
                    layout_bits = target::pointer_bits_of_layout(layout);
                    module.target.datalayout = Some(layout.to_string());
                } else if !TOP_LEVEL_WORDS.iter().any(|w| trimmed.starts_with(w)) {
                    let shown: String = trimmed.trim_end().chars().take(40).collect();
                    return Err(error_at(
                        line_number,
                        path,
                        format!(
                            "expected a top-level item (a function, a global, metadata...), found `{shown}`"
                        ),
                    ));
                }
            }
        }
    }
    module.target.pointer_bits =
        layout_bits.unwrap_or_else(|| target::pointer_bits_of_triple(&module.target.triple));
    module.target.pointers = match pointers {
        Some(style) => style,
        None => producer_pointers(&module, ident),
    };
    Ok(module)
}

/// The start of the first line at or after `from` that is `}` (a line
/// ending: LLVM never writes anything after a function's brace).
fn closing_line(source: &str, from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let candidate = if source[at..].starts_with('}') {
            at
        } else {
            at + source[at..].find("\n}")? + 1
        };
        let rest = &source[candidate + 1..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        if rest[..line_end].trim().is_empty() {
            return Some(candidate);
        }
        at = candidate + 1;
    }
}

/// Top-level lines the weaver passes over as they are.
const TOP_LEVEL_WORDS: &[&str] = &[
    "source_filename",
    "target",
    "attributes",
    "$",
    "module asm",
    "uselistorder",
    "}",
];

pub fn already_woven(path: &str) -> WeaveError {
    WeaveError {
        message: format!("`{path}` is already woven; weave the original module instead"),
        position: None,
    }
}

/// Tokenizes a `define` header, which may go on over several lines, up to
/// its `{`. Returns the header's range, where the body starts, and how
/// many lines the header took.
fn header_through_brace(
    source: &str,
    start: usize,
    tokens: &mut Vec<Token>,
    lines: &mut Lines,
) -> Option<(Range<usize>, usize, usize)> {
    tokens.clear();
    let mut end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i + 1);
    let mut count = 1;
    loop {
        tokens.clear();
        tokenize(source, start..end, tokens);
        if tokens.last().is_some_and(|t| t.is(source, b'{')) {
            return Some((start..end, end, count));
        }
        let next = lines.next()?;
        end = next.end;
        count += 1;
    }
}

/// Tokenizes an item that starts at `line` and goes on while brackets are
/// open (a global's initializer can span lines in hand-written IR).
fn item_through_brackets(
    source: &str,
    line: Range<usize>,
    tokens: &mut Vec<Token>,
    lines: &mut Lines,
    line_number: &mut usize,
) -> Range<usize> {
    tokens.clear();
    tokenize(source, line.clone(), tokens);
    let mut depth = depth_change(source, tokens);
    let mut end = line.end;
    while depth > 0 {
        let Some(next) = lines.next() else { break };
        *line_number += 1;
        let before = tokens.len();
        tokenize(source, next.clone(), tokens);
        depth += depth_change(source, &tokens[before..]);
        end = next.end;
    }
    line.start..end
}

fn note_pointers(source: &str, tokens: &[Token], pointers: &mut Option<Pointers>) {
    if pointers.is_some() {
        return;
    }
    for token in tokens {
        if token.is_word(source, "ptr") {
            *pointers = Some(Pointers::Opaque);
            return;
        }
        if token.is(source, b'*') {
            *pointers = Some(Pointers::Typed);
            return;
        }
    }
}

/// Without any pointer in the module's declarations, the producer's
/// version decides (clang 15 made pointers opaque).
fn producer_pointers(module: &Module, ident: Option<usize>) -> Pointers {
    let Some(number) = ident else {
        return Pointers::Opaque;
    };
    let Some(line) = module.metadata_line(number) else {
        return Pointers::Opaque;
    };
    let text = &module.source[line];
    let version = text
        .split("version ")
        .nth(1)
        .and_then(|v| v.split('.').next())
        .and_then(|major| major.trim().parse::<u32>().ok());
    match version {
        Some(major) if major < 15 => Pointers::Typed,
        _ => Pointers::Opaque,
    }
}

impl Module<'_> {
    fn metadata_line(&self, number: usize) -> Option<Range<usize>> {
        self.metadata.range(number)
    }
}

fn insert_declared(
    module: &mut Module,
    source: &str,
    tokens: &[Token],
    header: &Header,
    symbol: &str,
    text: Range<usize>,
    defined: bool,
) {
    module.existing.insert(
        symbol.to_string(),
        Existing::Function {
            type_text: function_type(source, tokens, header),
            defined,
        },
    );
    module
        .declared
        .insert(symbol.to_string(), Declared { text, defined });
}

/// `ret (param, ...)` of a header, as a typed module writes a function type.
pub fn function_type(source: &str, tokens: &[Token], header: &Header) -> String {
    let mut parameters: Vec<&str> = header
        .parameters
        .iter()
        .map(|p| p.ty.text(source, tokens))
        .collect();
    if header.variadic {
        parameters.push("...");
    }
    format!(
        "{} ({})",
        header.returns.text(source, tokens),
        parameters.join(", ")
    )
}

/// The value type of `@g = [linkage...] global|constant <type> ...`.
fn global_value_type(source: &str, tokens: &[Token]) -> Option<String> {
    let keyword = tokens
        .iter()
        .position(|t| t.is_word(source, "global") || t.is_word(source, "constant"))?;
    let ty = super::types::parse(source, tokens, keyword + 1)?;
    Some(ty.text(source, tokens).to_string())
}
