//! The first pass over a module: its top-level items.
//!
//! It finds every function definition (header and body), declaration,
//! global variable and metadata node, the target, and how pointers are
//! spelled, without looking inside function bodies: a body is skipped to
//! the `}` that starts a line (LLVM indents instructions, and a label can
//! never be `}`). The second pass (`weaver.rs`) reads the bodies.

use std::collections::HashMap;

use crate::hash::{FnvHashMap, FnvHashSet};
use std::ops::Range;

use super::debug_info::{MetadataIndex, metadata_number};
use super::instruction::{self, Header};
use super::lexer::{Kind, Token, depth_change, tokenize};
use super::text::{line_at, line_end, text_of};
use super::types::Shape;
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
    /// The number of its `DISubprogram` (`!dbg !N` on the header).
    pub subprogram: Option<usize>,
    pub parameters: Vec<Parameter>,
}

/// A parameter of a function definition, as its header spells it.
#[derive(Debug)]
pub struct Parameter {
    pub shape: Shape,
    pub ty: Range<usize>,
    /// `%name`; `None` when the parameter is unnamed.
    pub name: Option<Range<usize>>,
    /// A hidden struct-return pointer: not a C argument.
    pub sret: bool,
}

/// A declaration or definition header, kept for wrappers and for the
/// monitor's own declarations.
#[derive(Debug)]
pub struct Declared {
    pub text: Range<usize>,
    pub defined: bool,
}

/// A global variable (or alias), over one line or more.
#[derive(Debug)]
pub struct Global {
    pub symbol: String,
    pub range: Range<usize>,
}

pub struct Module<'a> {
    pub source: &'a str,
    /// In the order of the module.
    pub functions: Vec<Function>,
    /// Every function declared or defined, by symbol.
    pub declared: FnvHashMap<String, Declared>,
    /// In the order of the module.
    pub globals: Vec<Global>,
    pub metadata: MetadataIndex,
    /// The attribute groups defined (`attributes #N = { ... }`).
    pub attribute_groups: Vec<bool>,
    pub target: Target,
    /// The module has debug information (`!llvm.dbg.cu`).
    pub debug_info: bool,
    /// What the monitor must not declare again.
    pub existing: HashMap<String, Existing>,
}

/// IR the weaver cannot read, on the line that holds byte `at`.
pub fn malformed(file: FileId, source: &str, at: usize, message: String) -> Diagnostic {
    Diagnostic::new(
        Code::MalformedIr,
        Span::new(file, text_of(source, line_at(source, at))),
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
    last_line_complete(source, file)?;
    let mut module = Module {
        source,
        functions: Vec::new(),
        declared: FnvHashMap::default(),
        globals: Vec::new(),
        metadata: MetadataIndex::default(),
        attribute_groups: Vec::new(),
        target: Target {
            pointers: Pointers::Opaque,
            pointer_bits: 64,
            triple: String::new(),
            datalayout: None,
            sanitizers: Vec::new(),
        },
        debug_info: false,
        existing: HashMap::new(),
    };
    let bytes = source.as_bytes();
    let mut layout_bits = None;
    let mut pointers: Option<Pointers> = None;
    let mut ident: Option<usize> = None;
    let mut tokens: Vec<Token> = Vec::new();
    let mut types = Types::default();
    let mut next = 0;
    while next < bytes.len() {
        let line = next..line_end(bytes, next);
        next = line.end;
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
                    let text = &trimmed.as_bytes()[1..1 + digits];
                    // Up to 18 digits cannot overflow; more, `parse` says.
                    let number = if digits <= 18 {
                        Some(text.iter().fold(0usize, |number, digit| {
                            number * 10 + usize::from(digit - b'0')
                        }))
                    } else {
                        trimmed[1..1 + digits].parse().ok()
                    };
                    if let Some(number) = number {
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
                let header =
                    header_through_brace(source, line.start, &mut tokens).ok_or_else(|| {
                        malformed(
                            file,
                            source,
                            line.start,
                            "this function header has no `{`: the module looks cut short"
                                .to_string(),
                        )
                    })?;
                note_pointers(source, &tokens, &mut pointers);
                let parsed = instruction::header(source, &tokens).ok_or_else(|| {
                    malformed(
                        file,
                        source,
                        line.start,
                        "cannot read this function header".to_string(),
                    )
                })?;
                let symbol = decode(tokens[parsed.name].text(source));
                // The body ends at the first line that is `}`.
                let body_end = closing_line(bytes, header.end).ok_or_else(|| {
                    malformed(
                        file,
                        source,
                        line.start,
                        format!(
                            "the body of `{symbol}` is never closed by a `}}` line: the module looks cut short"
                        ),
                    )
                })?;
                next = line_end(bytes, body_end);
                insert_declared(
                    &mut module,
                    source,
                    &tokens,
                    &parsed,
                    &symbol,
                    header.clone(),
                    true,
                );
                let parameters = parsed
                    .parameters
                    .iter()
                    .map(|p| Parameter {
                        shape: p.ty.shape.clone(),
                        ty: tokens[p.ty.start].start as usize..tokens[p.ty.end - 1].end as usize,
                        name: p.name.map(|n| tokens[n].range()),
                        sret: p.sret,
                    })
                    .collect();
                module.functions.push(Function {
                    symbol,
                    body: header.end..body_end,
                    subprogram: parsed
                        .dbg
                        .and_then(|i| metadata_number(tokens[i].text(source))),
                    parameters,
                    header,
                });
            }
            b'd' if trimmed.starts_with("declare") => {
                let range = item_through_brackets(source, line.clone(), &mut tokens)
                    .map_err(|message| malformed(file, source, line.start, message))?;
                next = range.end;
                note_pointers(source, &tokens, &mut pointers);
                let parsed = instruction::header(source, &tokens).ok_or_else(|| {
                    malformed(
                        file,
                        source,
                        line.start,
                        "cannot read this declaration".to_string(),
                    )
                })?;
                let symbol = decode(tokens[parsed.name].text(source));
                insert_declared(&mut module, source, &tokens, &parsed, &symbol, range, false);
            }
            b'@' => {
                let range = item_through_brackets(source, line.clone(), &mut tokens)
                    .map_err(|message| malformed(file, source, line.start, message))?;
                next = range.end;
                note_pointers(source, &tokens, &mut pointers);
                let Some(name) = tokens.first().filter(|t| t.kind == Kind::Global) else {
                    return Err(malformed(
                        file,
                        source,
                        line.start,
                        "expected a global variable".to_string(),
                    ));
                };
                let symbol = decode(name.text(source));
                if let Some(value_type) = global_value_type(source, &tokens) {
                    module
                        .existing
                        .insert(symbol.clone(), Existing::Global { value_type });
                }
                module.globals.push(Global { symbol, range });
            }
            b'%' => {
                let range = item_through_brackets(source, line.clone(), &mut tokens)
                    .map_err(|message| malformed(file, source, line.start, message))?;
                next = range.end;
                note_pointers(source, &tokens, &mut pointers);
                // `%name = type ...`: the types it names, once all are known.
                let mut locals = tokens.iter().filter(|t| t.kind == Kind::Local);
                if let Some(name) = locals.next() {
                    types.defined.insert(name.text(source));
                }
                types.named.extend(locals.map(|t| t.start as usize));
            }
            b'a' if trimmed.starts_with("attributes #") => {
                let range = item_through_brackets(source, line.clone(), &mut tokens)
                    .map_err(|message| malformed(file, source, line.start, message))?;
                next = range.end;
                let number = tokens
                    .get(1)
                    .filter(|t| t.kind == Kind::AttributeGroup)
                    .and_then(|t| t.text(source)[1..].parse::<usize>().ok());
                if let Some(number) = number {
                    if module.attribute_groups.len() <= number {
                        module.attribute_groups.resize(number + 1, false);
                    }
                    module.attribute_groups[number] = true;
                }
                note_sanitizers(&source[range], &mut module.target.sanitizers);
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
                        line.start,
                        format!(
                            "expected a top-level item (a function, a global, metadata...), found `{shown}`"
                        ),
                    ));
                }
            }
        }
    }
    types.all_defined(source, file)?;
    module.target.pointer_bits =
        layout_bits.unwrap_or_else(|| target::pointer_bits_of_triple(&module.target.triple));
    module.target.pointers = match pointers {
        Some(style) => style,
        None => producer_pointers(&module, ident),
    };
    Ok(module)
}

/// The named types of a module (`%name = type ...`), and where their
/// definitions name others.
#[derive(Default)]
struct Types<'a> {
    defined: FnvHashSet<&'a str>,
    named: Vec<usize>,
}

impl Types<'_> {
    /// LLVM writes the types first: a module cut among them names a type
    /// whose definition was lost.
    fn all_defined(&self, source: &str, file: FileId) -> Result<(), Diagnostic> {
        let mut tokens = Vec::new();
        for &at in &self.named {
            tokens.clear();
            tokenize(source, at..line_end(source.as_bytes(), at), &mut tokens);
            let name = tokens[0].text(source);
            if !self.defined.contains(name) {
                return Err(malformed(
                    file,
                    source,
                    at,
                    format!(
                        "type `{name}` is used here but never defined: the module looks cut short"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// LLVM ends every line of its text with a line break. A last line
/// without one is accepted only when it is whole: its strings and
/// brackets closed, and its last token one that can end an item.
fn last_line_complete(source: &str, file: FileId) -> Result<(), Diagnostic> {
    if source.is_empty() || source.ends_with('\n') {
        return Ok(());
    }
    let bytes = source.as_bytes();
    let line = line_at(source, bytes.len());
    debug_assert_eq!(line_end(bytes, line.start), bytes.len());
    let mut tokens = Vec::new();
    tokenize(source, line.clone(), &mut tokens);
    let Some(last) = tokens.last() else {
        // Blanks or a comment.
        return Ok(());
    };
    let cut = |what: &str| {
        Err(malformed(
            file,
            source,
            line.start,
            format!(
                "the module ends {what}, without a line break: it looks cut short (if it is whole, end it with a line break)"
            ),
        ))
    };
    if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
        return cut("inside a string or quoted name");
    }
    if depth_change(source, &tokens) != 0 {
        return cut("inside brackets");
    }
    let closes = |c: u8| last.is(source, c);
    let whole = closes(b')')
        || closes(b'}')
        || closes(b']')
        || closes(b'>')
        || matches!(
            last.kind,
            Kind::String | Kind::MetadataString | Kind::AttributeGroup | Kind::Metadata
        );
    if whole {
        Ok(())
    } else {
        cut("part-way through a line")
    }
}

/// Where the first line from `from` on that is `}` starts (with nothing
/// after it but blanks: LLVM never writes anything after a function's
/// brace). Instructions are indented and a label is never `}`, so a body
/// is skipped without reading its lines.
fn closing_line(bytes: &[u8], from: usize) -> Option<usize> {
    let is_closing = |start: usize| {
        bytes[start] == b'}'
            && bytes[start + 1..line_end(bytes, start)]
                .iter()
                .all(|b| b.is_ascii_whitespace())
    };
    if from < bytes.len() && is_closing(from) {
        return Some(from);
    }
    let from = from.checked_sub(1)?;
    memchr::memmem::find_iter(&bytes[from..], b"\n}")
        .map(|i| from + i + 1)
        .find(|&start| is_closing(start))
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
/// its `{`. Returns the header's range (through its line end).
fn header_through_brace(
    source: &str,
    start: usize,
    tokens: &mut Vec<Token>,
) -> Option<Range<usize>> {
    let bytes = source.as_bytes();
    let mut end = start;
    tokens.clear();
    loop {
        if end >= bytes.len() {
            return None;
        }
        let next = line_end(bytes, end);
        tokenize(source, end..next, tokens);
        end = next;
        // A header cut inside a string or a name cannot end with `{`.
        if tokens.last().is_some_and(|t| t.is(source, b'{')) {
            return Some(start..end);
        }
    }
}

/// Tokenizes an item that starts at `line` and goes on while brackets are
/// open (a global's initializer can span lines in hand-written IR).
/// Refuses one that the module's end cuts short.
fn item_through_brackets(
    source: &str,
    line: Range<usize>,
    tokens: &mut Vec<Token>,
) -> Result<Range<usize>, String> {
    let bytes = source.as_bytes();
    tokens.clear();
    tokenize(source, line.clone(), tokens);
    let mut depth = depth_change(source, tokens);
    let mut end = line.end;
    while depth > 0 && end < bytes.len() {
        let next = end..line_end(bytes, end);
        let before = tokens.len();
        tokenize(source, next.clone(), tokens);
        depth += depth_change(source, &tokens[before..]);
        end = next.end;
    }
    if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
        return Err("unterminated string or quoted name: the module looks cut short".to_string());
    }
    if depth > 0 {
        return Err(
            "the module ends before this item's brackets close: it looks cut short".to_string(),
        );
    }
    Ok(line.start..end)
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
        self.metadata.range(number, self.source)
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
    let returns = header.returns.text(source, tokens);
    let mut text = String::with_capacity(returns.len() + 2 + 16 * header.parameters.len());
    text.push_str(returns);
    text.push_str(" (");
    for (index, parameter) in header.parameters.iter().enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        text.push_str(parameter.ty.text(source, tokens));
    }
    if header.variadic {
        if !header.parameters.is_empty() {
            text.push_str(", ");
        }
        text.push_str("...");
    }
    text.push(')');
    text
}

/// The value type of `@g = [linkage...] global|constant <type> ...`.
fn global_value_type(source: &str, tokens: &[Token]) -> Option<String> {
    let keyword = tokens
        .iter()
        .position(|t| t.is_word(source, "global") || t.is_word(source, "constant"))?;
    let ty = super::types::parse(source, tokens, keyword + 1)?;
    Some(ty.text(source, tokens).to_string())
}

/// The sanitizers an attribute group asks for, added to `found`.
fn note_sanitizers(group: &str, found: &mut Vec<&'static str>) {
    if !group.contains("sanitize_") {
        return;
    }
    for word in group.split(|c: char| c.is_whitespace() || c == '{' || c == '}') {
        if let Some(&known) = target::SANITIZERS.iter().find(|s| **s == word)
            && !found.contains(&known)
        {
            found.push(known);
        }
    }
}
