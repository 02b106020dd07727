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
use crate::diagnostic::{Code, Diagnostic};
use crate::llvm::names::decode;
use crate::llvm::target::{self, Pointers, Target};
use crate::monitor::llvm::Existing;
use crate::span::{FileId, Span};
use crate::weave::{WOVEN_MARKER, bind};

/// A function definition.
#[derive(Debug)]
pub struct Function {
    /// The symbol (decoded, decorations kept).
    pub symbol: String,
    /// The header, through its `{`.
    pub header: Range<usize>,
    /// From the line after the header to the start of the `}` line.
    pub body: Range<usize>,
    /// The line of `define` (from 1).
    pub line: usize,
    /// The index of the body's first line in the module's line table
    /// (which is also the number, from 1, of the header's last line).
    pub body_line: usize,
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
    pub lines: LineTable,
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

/// Where every line of a text starts, found in one pass: the weaver walks
/// a large module's lines twice (top level, then bodies), and numbers
/// them for messages.
#[derive(Debug, Default)]
pub struct LineTable {
    /// The start of each line, then the end of the text.
    starts: Vec<u32>,
}

impl LineTable {
    /// The lines of `text` (at most 4 GiB).
    pub fn new(text: &str) -> LineTable {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 2);
        starts.push(0);
        // Eight bytes at a time: a newline is a zero byte of the word
        // XOR `\n`s, and `!((w & 0x7f..) + 0x7f.. | w | 0x7f..)` has the
        // high bit of exactly the zero bytes (no carry crosses a byte).
        const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
        let mut chunks = bytes.chunks_exact(8);
        let mut offset = 0;
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes")) ^ NEWLINES;
            let mut zeros = !(((word & LOW) + LOW) | word | LOW);
            while zeros != 0 {
                let byte = zeros.trailing_zeros() as usize / 8;
                starts.push((offset + byte + 1) as u32);
                zeros &= zeros - 1;
            }
            offset += 8;
        }
        for (index, &byte) in chunks.remainder().iter().enumerate() {
            if byte == b'\n' {
                starts.push((offset + index + 1) as u32);
            }
        }
        // A last line without a newline.
        if starts.last() != Some(&(bytes.len() as u32)) {
            starts.push(bytes.len() as u32);
        }
        LineTable { starts }
    }

    /// How many lines there are.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Line `index` (from 0), with its newline.
    pub fn range(&self, index: usize) -> Range<usize> {
        self.starts[index] as usize..self.starts[index + 1] as usize
    }
}

/// Byte ranges of the lines of a text, each with its newline, from a line
/// table.
pub struct Lines<'t> {
    table: &'t LineTable,
    next: usize,
}

impl<'t> Lines<'t> {
    /// The lines from line `index` (from 0) on.
    pub fn new(table: &'t LineTable, index: usize) -> Lines<'t> {
        Lines { table, next: index }
    }

    /// How many lines have been read, counting those before the first:
    /// the number (from 1) of the line `next` returned last.
    pub fn read(&self) -> usize {
        self.next
    }
}

impl Iterator for Lines<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.next >= self.table.len() {
            return None;
        }
        self.next += 1;
        Some(self.table.range(self.next - 1))
    }
}

/// The part of a line that is text: without the indentation and the line
/// end, for a diagnostic to underline.
pub fn text_of(source: &str, line: Range<usize>) -> Range<usize> {
    let text = &source[line.clone()];
    let start = line.start + (text.len() - text.trim_start().len());
    let end = line.start + text.trim_end().len();
    start..end.max(start)
}

/// IR the weaver cannot read, on line `line` (from 1) of the module.
pub fn malformed(
    file: FileId,
    source: &str,
    lines: &LineTable,
    line: usize,
    message: String,
) -> Diagnostic {
    let range = if line >= 1 && line <= lines.len() {
        lines.range(line - 1)
    } else {
        0..0
    };
    Diagnostic::new(
        Code::MalformedIr,
        Span::new(file, text_of(source, range)),
        message,
    )
}

/// Reads the top level of a module. `path` names it in messages, `file`
/// in diagnostics.
pub fn scan<'a>(source: &'a str, path: &str, file: FileId) -> Result<Module<'a>, Diagnostic> {
    if source.len() > u32::MAX as usize {
        return Err(Diagnostic::new(
            Code::InputTooLarge,
            Span::new(file, 0..0),
            format!("`{path}` is larger than 4 GiB"),
        ));
    }
    let table = LineTable::new(source);
    let mut module = Module {
        source,
        lines: LineTable::default(),
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
    let mut lines = Lines::new(&table, 0);
    while let Some(line) = lines.next() {
        let line_number = lines.read();
        let text = &source[line.clone()];
        let trimmed = text.trim_start();
        let first = trimmed.as_bytes().first().copied().unwrap_or(b'\n');
        match first {
            b'\n' | b'\r' => {}
            b';' => {
                if trimmed.contains(WOVEN_MARKER) {
                    return Err(bind::already_woven(
                        path,
                        Span::new(file, text_of(source, line.clone())),
                    ));
                }
            }
            b'!' => {
                // Most lines of a module are numbered metadata (`!12 = ...`).
                let digits = trimmed.as_bytes()[1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if digits > 0
                    && matches!(trimmed.as_bytes().get(1 + digits), Some(b' ' | b'=') | None)
                {
                    if let Ok(number) = trimmed[1..1 + digits].parse() {
                        module.metadata.add(number, line.clone());
                    }
                    continue;
                }
                if trimmed.starts_with("!llvm.dbg.cu ") {
                    module.debug_info = true;
                } else if trimmed.starts_with("!slic.woven ") {
                    return Err(bind::already_woven(
                        path,
                        Span::new(file, text_of(source, line.clone())),
                    ));
                } else if let Some(rest) = trimmed.strip_prefix("!llvm.ident = !{") {
                    ident = rest.split([',', '}']).next().and_then(metadata_number);
                }
                let name = trimmed.split([' ', '=']).next().unwrap_or("");
                if let Some(number) = metadata_number(name) {
                    module.metadata.add(number, line.clone());
                }
            }
            b'd' if trimmed.starts_with("define") => {
                let (header, body_start) =
                    header_through_brace(source, line.start, &mut tokens, &mut lines).ok_or_else(
                        || {
                            malformed(
                                file,
                                source,
                                &table,
                                line_number,
                                "malformed function header: no `{`".to_string(),
                            )
                        },
                    )?;
                note_pointers(source, &tokens, &mut pointers);
                let parsed = instruction::header(source, &tokens).ok_or_else(|| {
                    malformed(
                        file,
                        source,
                        &table,
                        line_number,
                        "cannot read this function header".to_string(),
                    )
                })?;
                let symbol = decode(tokens[parsed.name].text(source));
                let body_line = lines.read();
                // The body ends at the first line that is `}`.
                let body_end = closing_line(source, &mut lines).ok_or_else(|| {
                    malformed(
                        file,
                        source,
                        &table,
                        line_number,
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
                    line: line_number,
                    body_line,
                });
            }
            b'd' if trimmed.starts_with("declare") => {
                tokens.clear();
                tokenize(source, line.clone(), &mut tokens);
                note_pointers(source, &tokens, &mut pointers);
                let parsed = instruction::header(source, &tokens).ok_or_else(|| {
                    malformed(
                        file,
                        source,
                        &table,
                        line_number,
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
                let range = item_through_brackets(source, line.clone(), &mut tokens, &mut lines);
                note_pointers(source, &tokens, &mut pointers);
                let Some(name) = tokens.first().filter(|t| t.kind == Kind::Global) else {
                    return Err(malformed(
                        file,
                        source,
                        &table,
                        start_line,
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
                item_through_brackets(source, line.clone(), &mut tokens, &mut lines);
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
                    return Err(malformed(
                        file,
                        source,
                        &table,
                        line_number,
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
    module.lines = table;
    Ok(module)
}

/// Reads lines up to the first that is `}` (with nothing after it but
/// blanks: LLVM never writes anything after a function's brace), and
/// returns where that line starts.
fn closing_line(source: &str, lines: &mut Lines) -> Option<usize> {
    lines.find_map(|line| {
        let text = &source[line.clone()];
        (text.starts_with('}') && text[1..].trim().is_empty()).then_some(line.start)
    })
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

/// Tokenizes a `define` header, which may go on over several lines, up to
/// its `{`. Returns the header's range and where the body starts.
fn header_through_brace(
    source: &str,
    start: usize,
    tokens: &mut Vec<Token>,
    lines: &mut Lines,
) -> Option<(Range<usize>, usize)> {
    let mut end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i + 1);
    loop {
        tokens.clear();
        tokenize(source, start..end, tokens);
        if tokens.last().is_some_and(|t| t.is(source, b'{')) {
            return Some((start..end, end));
        }
        end = lines.next()?.end;
    }
}

/// Tokenizes an item that starts at `line` and goes on while brackets are
/// open (a global's initializer can span lines in hand-written IR).
fn item_through_brackets(
    source: &str,
    line: Range<usize>,
    tokens: &mut Vec<Token>,
    lines: &mut Lines,
) -> Range<usize> {
    tokens.clear();
    tokenize(source, line.clone(), tokens);
    let mut depth = depth_change(source, tokens);
    let mut end = line.end;
    while depth > 0 {
        let Some(next) = lines.next() else { break };
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

#[cfg(test)]
mod tests {
    use super::{LineTable, Lines};

    fn lines(text: &str) -> Vec<&str> {
        let table = LineTable::new(text);
        Lines::new(&table, 0).map(|range| &text[range]).collect()
    }

    #[test]
    fn line_tables_split_like_lines_with_their_newlines() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "\n\n\n",
            "0123456\n89abcdef\n\n0123456789abcdef0123\n\u{e9}\u{e9}\n\u{10ffff}\nlast",
            "\u{8a}\n\x0b\u{8a}\n\n\u{100}\n",
        ] {
            assert_eq!(
                lines(text),
                text.split_inclusive('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
        let table = LineTable::new("a\nb\nc");
        let mut lines = Lines::new(&table, 1);
        assert_eq!(lines.next(), Some(2..4));
        assert_eq!(lines.read(), 2);
    }
}
