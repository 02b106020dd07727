//! The second pass: weaving function bodies.
//!
//! Each body is read line by line; an instruction goes on over the next
//! lines while brackets are open or the next line continues it (`to label
//! ... unwind label ...` of an `invoke`). Every change is an edit of the
//! input (`crate::edit`):
//!
//! - a call or invoke of a bound API gets the hooks of its `call` and
//!   `entry` events before it (before the debug records attached to it)
//!   and those of `exit` and `return` after it: on the next line after a
//!   `call`; in a new block on the normal edge of an `invoke`, whose
//!   successor's PHIs are rewritten to name the new block; before a
//!   `musttail call` (nothing may stand between it and its `ret`), with a
//!   warning;
//! - a routine (a role routine, or a function with its own events) gets
//!   its entry hooks before its first instruction and its exit hooks before
//!   each `ret` (before a `musttail` call that precedes the `ret`);
//! - any other use of a bound API (its address taken) is replaced by a
//!   wrapper with the API's own type (`wrappers.rs`).

use std::collections::HashMap;
use std::ops::Range;

use super::debug_info::{DebugInfo, metadata_number};
use super::emit::{Emitter, Hooks, Names, SiteValue, Suffix, c_arguments};
use super::instruction::{self, Call, Header, TailMarker};
use super::lexer::{Kind, Token, depth_change, tokenize};
use super::module::{Function, Lines, Module, error_at};
use super::names::{decode, undecorated};
use super::sites;
use super::types::Shape;
use crate::edit::Edit;
use crate::hooks::HookSet;
use crate::model::Event;
use crate::weave::{Position, Site, WeaveError, WeaveWarning};

/// An API bound by some rule: hooks before and after its calls.
#[derive(Debug, Clone)]
pub struct ApiBinding {
    pub c_name: String,
    /// Indexes into the hook set: `call`, then `entry` events.
    pub before: Vec<usize>,
    /// `exit`, then `return` events.
    pub after: Vec<usize>,
}

/// A defined function with events of its own or of its roles.
#[derive(Debug, Clone)]
pub struct RoutineBinding {
    pub entry: Vec<usize>,
    pub exit: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Bindings {
    /// By symbol (decoded, decorations kept).
    pub apis: HashMap<String, ApiBinding>,
    pub routines: HashMap<String, RoutineBinding>,
}

/// A use of an API's address, replaced by a wrapper.
#[derive(Debug, Clone)]
pub struct WrapperRequest {
    pub site: usize,
    pub symbol: String,
}

pub struct Weaver<'a> {
    pub source: &'a str,
    pub path: &'a str,
    pub module: &'a Module<'a>,
    pub hooks: &'a HookSet,
    pub hook_symbols: &'a HashMap<Event, String>,
    pub bindings: &'a Bindings,
    pub debug: DebugInfo<'a>,
    pub edits: Vec<Edit>,
    pub sites: Vec<Site>,
    pub warnings: Vec<WeaveWarning>,
    pub names: Names,
    pub wrappers: Vec<WrapperRequest>,
    tokens: Vec<Token>,
}

/// What one function's weaving needs to know about it.
struct FunctionContext {
    name: String,
    routine: Option<RoutineBinding>,
    /// The `DISubprogram`, when the function has one.
    subprogram: Option<usize>,
    entry_position: Option<Position>,
    /// How many parameters are numbered (`%0`, `%1`, ...): the entry
    /// block, unlabeled, takes the next number.
    numbered_parameters: usize,
    parameters: Vec<SiteValue>,
}

/// A normal edge of an invoke, split to run after-hooks.
struct Split {
    block: String,
    successor: String,
    new_block: String,
}

impl<'a> Weaver<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        source: &'a str,
        path: &'a str,
        module: &'a Module<'a>,
        hooks: &'a HookSet,
        hook_symbols: &'a HashMap<Event, String>,
        bindings: &'a Bindings,
        debug: DebugInfo<'a>,
    ) -> Weaver<'a> {
        Weaver {
            source,
            path,
            module,
            hooks,
            hook_symbols,
            bindings,
            debug,
            edits: Vec::new(),
            sites: Vec::new(),
            warnings: Vec::new(),
            names: Names::default(),
            wrappers: Vec::new(),
            tokens: Vec::new(),
        }
    }

    fn warn(&mut self, line: usize, message: String) {
        self.warnings.push(WeaveWarning {
            message,
            position: Some(Position {
                file: self.path.to_string(),
                line: line as u32,
                column: 1,
            }),
        });
    }

    pub fn add_site(
        &mut self,
        events: Vec<Event>,
        position: Option<Position>,
        function: String,
    ) -> usize {
        self.sites.push(Site {
            events,
            position,
            function,
        });
        self.sites.len() - 1
    }

    fn events(&self, hooks: &[usize]) -> Vec<Event> {
        hooks
            .iter()
            .map(|&h| self.hooks.hooks[h].event.clone())
            .collect()
    }

    pub fn hook_refs(&self) -> Hooks<'a> {
        Hooks {
            set: self.hooks,
            symbols: self.hook_symbols,
        }
    }

    /// The API a `@global` token names, if any.
    pub fn api_of(&self, token: &Token) -> Option<String> {
        if token.kind != Kind::Global {
            return None;
        }
        let text = token.text(self.source);
        // Unquoted names need no decoding: look them up as they are.
        if text.as_bytes().get(1) != Some(&b'"') {
            return self
                .bindings
                .apis
                .contains_key(&text[1..])
                .then(|| text[1..].to_string());
        }
        let symbol = decode(text);
        self.bindings.apis.contains_key(&symbol).then_some(symbol)
    }

    pub fn weave_function(&mut self, function: &Function) -> Result<(), WeaveError> {
        let source = self.source;
        let mut tokens = std::mem::take(&mut self.tokens);
        tokens.clear();
        tokenize(source, function.header.clone(), &mut tokens);
        let header = instruction::header(source, &tokens).ok_or_else(|| {
            error_at(
                function.line,
                self.path,
                "cannot read this function header".to_string(),
            )
        })?;
        let context = self.function_context(function, &header, &tokens);
        self.tokens = tokens;
        let header_lines = source[function.header.clone()].matches('\n').count();
        self.body(
            function,
            &context,
            (function.line + header_lines).saturating_sub(1),
        )
    }

    fn function_context(
        &mut self,
        function: &Function,
        header: &Header,
        tokens: &[Token],
    ) -> FunctionContext {
        let source = self.source;
        let subprogram = header
            .dbg
            .and_then(|i| metadata_number(tokens[i].text(source)));
        let details = subprogram.and_then(|s| self.debug.subprogram(s));
        let name = details
            .as_ref()
            .and_then(|d| d.name.clone())
            .unwrap_or_else(|| undecorated(&function.symbol).to_string());
        let entry_position = details.as_ref().and_then(|d| {
            Some(Position {
                file: d.file.clone()?,
                line: d.scope_line.or(d.line)?,
                column: 1,
            })
        });
        let mut numbered = 0;
        let mut parameters = Vec::new();
        for parameter in &header.parameters {
            let value = match parameter.name {
                Some(name) => {
                    let text = tokens[name].text(source);
                    if is_number(&text[1..]) {
                        numbered += 1;
                    }
                    text.to_string()
                }
                // An unnamed parameter is numbered like the named ones.
                None => {
                    numbered += 1;
                    format!("%{}", numbered - 1)
                }
            };
            parameters.push((
                SiteValue {
                    shape: parameter.ty.shape.clone(),
                    ty: parameter.ty.text(source, tokens).to_string(),
                    value,
                },
                parameter.sret,
            ));
        }
        FunctionContext {
            name,
            routine: self.bindings.routines.get(&function.symbol).cloned(),
            subprogram,
            entry_position,
            numbered_parameters: numbered,
            parameters: c_arguments(parameters),
        }
    }

    fn body(
        &mut self,
        function: &Function,
        context: &FunctionContext,
        header_end_line: usize,
    ) -> Result<(), WeaveError> {
        let source = self.source;
        let end = function.body.end;
        let mut tokens = std::mem::take(&mut self.tokens);
        let mut lines = Lines::new(source, function.body.start);
        let mut line_number = header_end_line;
        let mut records_start: Option<usize> = None;
        let mut seen_instruction = false;
        let mut block: Option<BlockName> = None;
        // The number the next unnamed value or block gets: after the
        // unnamed parameters.
        let mut next_number = context.numbered_parameters;
        let mut phis: HashMap<String, Vec<(Range<usize>, String)>> = HashMap::new();
        let mut splits: Vec<Split> = Vec::new();
        let mut musttail_before: Option<usize> = None;
        while let Some(line) = lines.next() {
            if line.start >= end {
                break;
            }
            line_number += 1;
            // Most lines of a body need no tokens at all.
            if let Some(number) = plain_instruction(&source[line.clone()]) {
                let rest = source[line.end..end].trim_start_matches([' ', '\t']);
                if !rest.starts_with("to ") && !rest.starts_with("unwind ") {
                    let start = records_start.take().unwrap_or(line.start);
                    block.get_or_insert_with(|| {
                        next_number += 1;
                        BlockName::Number(next_number - 1)
                    });
                    if !seen_instruction {
                        seen_instruction = true;
                        if let Some(routine) = &context.routine {
                            self.entry_hooks(routine, context, start);
                        }
                    }
                    if let Some(number) = number {
                        next_number = number + 1;
                    }
                    musttail_before = None;
                    continue;
                }
            }
            tokens.clear();
            tokenize(source, line.clone(), &mut tokens);
            let Some(first) = tokens.first().copied() else {
                continue;
            };
            if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
                return Err(error_at(
                    line_number,
                    self.path,
                    "unterminated string or quoted name".to_string(),
                ));
            }
            if first.kind == Kind::Label && tokens.len() == 1 {
                let label = first.text(source).trim_end_matches(':');
                if is_number(label) {
                    next_number = label.parse::<usize>().unwrap_or(next_number) + 1;
                }
                let start = first.start as usize;
                block = Some(BlockName::Label(start..start + label.len()));
                records_start = None;
                continue;
            }
            if first.kind == Kind::Record {
                records_start.get_or_insert(line.start);
                continue;
            }
            // An instruction, possibly over several lines.
            let start = records_start.take().unwrap_or(line.start);
            let start_line = line_number;
            let mut instruction_end = line.end;
            let mut depth = depth_change(source, &tokens);
            loop {
                let continues = depth > 0 || {
                    let rest = source[instruction_end..end].trim_start_matches([' ', '\t']);
                    rest.starts_with("to ") || rest.starts_with("unwind ")
                };
                if !continues {
                    break;
                }
                let Some(next) = lines.next().filter(|l| l.start < end) else {
                    return Err(error_at(
                        start_line,
                        self.path,
                        "this instruction is never closed".to_string(),
                    ));
                };
                line_number += 1;
                let before = tokens.len();
                tokenize(source, next.clone(), &mut tokens);
                depth += depth_change(source, &tokens[before..]);
                instruction_end = next.end;
            }
            if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
                return Err(error_at(
                    start_line,
                    self.path,
                    "unterminated string or quoted name".to_string(),
                ));
            }
            let current_block = block
                .get_or_insert_with(|| {
                    // The entry block without a label is named by the
                    // next number.
                    next_number += 1;
                    BlockName::Number(next_number - 1)
                })
                .clone();
            if !seen_instruction {
                seen_instruction = true;
                if let Some(routine) = &context.routine {
                    self.entry_hooks(routine, context, start);
                }
            }
            let Some((word, at)) = instruction::opcode(source, &tokens) else {
                return Err(error_at(
                    start_line,
                    self.path,
                    "expected an instruction".to_string(),
                ));
            };
            if at == 2 {
                let result = &tokens[0].text(source)[1..];
                if is_number(result) {
                    next_number = result.parse::<usize>().unwrap_or(next_number) + 1;
                }
            }
            let mut direct_api: Option<usize> = None;
            let mut musttail_here = false;
            match word {
                "call" | "tail" | "musttail" | "notail" | "invoke" => {
                    match instruction::call(source, &tokens) {
                        Some(call) => {
                            musttail_here = call.marker == TailMarker::MustTail;
                            if let Some(index) = call.direct
                                && let Some(symbol) = self.api_of(&tokens[index])
                            {
                                direct_api = Some(index);
                                let placed = Placement {
                                    before: start,
                                    after: instruction_end,
                                    line: start_line,
                                    block: &current_block,
                                };
                                if let Some(split) =
                                    self.weave_call(&symbol, &call, &tokens, context, &placed)?
                                {
                                    splits.push(split);
                                }
                            }
                        }
                        None => {
                            if let Some(token) = tokens.iter().find(|t| self.api_of(t).is_some()) {
                                return Err(error_at(
                                    start_line,
                                    self.path,
                                    format!("cannot read this call of `{}`", token.text(source)),
                                ));
                            }
                        }
                    }
                }
                "ret" => {
                    if let Some(routine) = &context.routine
                        && !routine.exit.is_empty()
                    {
                        let ret = instruction::ret(source, &tokens).ok_or_else(|| {
                            error_at(start_line, self.path, "cannot read this `ret`".to_string())
                        })?;
                        let at = match musttail_before {
                            Some(before) => {
                                self.warn(
                                    start_line,
                                    format!(
                                        "ir-musttail: `{}` returns through a `musttail` call; its exit events are reported before that call (nothing may stand between a `musttail` call and its `ret`), and `$return` reads as 0",
                                        context.name
                                    ),
                                );
                                Some(before)
                            }
                            None => None,
                        };
                        self.exit_hooks(
                            routine,
                            context,
                            &ret,
                            &tokens,
                            at.unwrap_or(start),
                            at.is_none(),
                        );
                    }
                }
                "phi" => {
                    for index in instruction::phi_blocks(source, &tokens) {
                        let token = tokens[index];
                        phis.entry(current_block.reference(source))
                            .or_default()
                            .push((token.range(), token.text(source).to_string()));
                    }
                }
                _ => {}
            }
            musttail_before = musttail_here.then_some(start);
            // Any other mention of a bound API takes its address.
            for (index, token) in tokens.iter().enumerate() {
                if Some(index) == direct_api {
                    continue;
                }
                if let Some(symbol) = self.api_of(token) {
                    let range = token.range();
                    self.address_taken(&symbol, range, context.name.clone(), start_line);
                }
            }
        }
        // PHIs of split successors now come from the new blocks.
        for split in splits {
            let Some(entries) = phis.get(&split.successor) else {
                continue;
            };
            for (range, text) in entries {
                if *text == split.block {
                    self.edits.push(Edit::replace(
                        range.clone(),
                        format!("%{}", split.new_block),
                    ));
                }
            }
        }
        self.tokens = tokens;
        Ok(())
    }

    /// The `, !dbg !N` of inserted lines: the neighbour's location, or a
    /// new one in the function's subprogram.
    fn dbg_suffix(
        &mut self,
        neighbour: Option<&str>,
        context: &FunctionContext,
        line: u32,
    ) -> String {
        let Some(subprogram) = context.subprogram else {
            return String::new();
        };
        match neighbour {
            Some(location) => format!(", !dbg {location}"),
            None => format!(", !dbg !{}", self.debug.new_location(line, 0, subprogram)),
        }
    }

    fn weave_call(
        &mut self,
        symbol: &str,
        call: &Call,
        tokens: &[Token],
        context: &FunctionContext,
        placed: &Placement,
    ) -> Result<Option<Split>, WeaveError> {
        let source = self.source;
        let binding = self.bindings.apis[symbol].clone();
        let dbg = call.dbg.map(|i| tokens[i].text(source));
        let located = dbg
            .and_then(metadata_number)
            .and_then(|n| self.debug.location(n));
        let (position, function) = match located {
            Some((position, function)) => (
                Some(position),
                function.unwrap_or_else(|| context.name.clone()),
            ),
            None => (None, context.name.clone()),
        };
        let events: Vec<Event> = self
            .events(&binding.before)
            .into_iter()
            .chain(self.events(&binding.after))
            .collect();
        let site = self.add_site(events, position, function);
        let site_symbol = sites::symbol(site);
        let values = c_arguments(
            call.arguments
                .iter()
                .map(|argument| {
                    (
                        SiteValue {
                            shape: argument.ty.shape.clone(),
                            ty: argument.ty.text(source, tokens).to_string(),
                            value: span(source, tokens, argument.value).to_string(),
                        },
                        argument.sret,
                    )
                })
                .collect(),
        );
        let returned = match (call.result, &call.returns) {
            (_, Shape::Void) => None,
            (Some(result), shape) => Some(SiteValue {
                shape: shape.clone(),
                ty: span(source, tokens, call.returns_type).to_string(),
                value: tokens[result].text(source).to_string(),
            }),
            (None, _) => {
                if binding
                    .after
                    .iter()
                    .any(|&h| self.hooks.hooks[h].returns.is_some())
                {
                    self.warn(
                        placed.line,
                        format!(
                            "ir-unnamed-result: the result of this call of `{}` has no name; `$return` reads as 0",
                            binding.c_name
                        ),
                    );
                }
                None
            }
        };
        let suffix = Suffix {
            dbg: self.dbg_suffix(dbg, context, 0),
            bundles: call
                .bundles
                .map(|(open, close)| format!(" {}", span(source, tokens, (open, close + 1))))
                .unwrap_or_default(),
        };
        let target = &self.module.target;
        let hooks = self.hook_refs();
        let mut names = std::mem::take(&mut self.names);
        let mut before = Emitter::new(target, &mut names, &suffix);
        before.calls(hooks, &binding.before, &site_symbol, &values, None);
        let before_text = before.out;
        let mut split = None;
        let after_text = if binding.after.is_empty() {
            String::new()
        } else if call.marker == TailMarker::MustTail {
            self.warn(
                placed.line,
                format!(
                    "ir-musttail: the events after this `musttail` call of `{}` are reported before it (nothing may stand between a `musttail` call and its `ret`){}",
                    binding.c_name,
                    if returned.is_some() { "; `$return` reads as 0" } else { "" }
                ),
            );
            let mut after = Emitter::new(target, &mut names, &suffix);
            after.calls(hooks, &binding.after, &site_symbol, &values, None);
            after.out
        } else if call.invoke {
            let normal = call.normal.expect("an invoke has a normal label");
            let successor = tokens[normal].text(source).to_string();
            let new_block = names.fresh_block("ok");
            let mut after = Emitter::new(target, &mut names, &suffix);
            after.label(&new_block);
            after.calls(
                hooks,
                &binding.after,
                &site_symbol,
                &values,
                returned.as_ref(),
            );
            after.line(format_args!("br label {successor}"));
            self.edits.push(Edit::replace(
                tokens[normal].range(),
                format!("%{new_block}"),
            ));
            split = Some(Split {
                block: placed.block.reference(source),
                successor,
                new_block,
            });
            after.out
        } else {
            let mut after = Emitter::new(target, &mut names, &suffix);
            after.calls(
                hooks,
                &binding.after,
                &site_symbol,
                &values,
                returned.as_ref(),
            );
            after.out
        };
        self.names = names;
        if call.marker == TailMarker::MustTail {
            self.edits
                .push(Edit::insert(placed.before, before_text + &after_text));
        } else {
            if !before_text.is_empty() {
                self.edits.push(Edit::insert(placed.before, before_text));
            }
            if !after_text.is_empty() {
                self.edits.push(Edit::insert(placed.after, after_text));
            }
        }
        Ok(split)
    }

    fn entry_hooks(&mut self, routine: &RoutineBinding, context: &FunctionContext, at: usize) {
        if routine.entry.is_empty() {
            return;
        }
        let site = self.add_site(
            self.events(&routine.entry),
            context.entry_position.clone(),
            context.name.clone(),
        );
        let line = context.entry_position.as_ref().map_or(0, |p| p.line);
        let dbg = self.dbg_suffix(None, context, line);
        self.routine_hooks(&routine.entry, site, dbg, &context.parameters, None, at);
    }

    /// The hooks of a routine's entry or exit, from `site`, inserted at `at`.
    fn routine_hooks(
        &mut self,
        hooks: &[usize],
        site: usize,
        dbg: String,
        parameters: &[SiteValue],
        returned: Option<&SiteValue>,
        at: usize,
    ) {
        let suffix = Suffix {
            dbg,
            bundles: String::new(),
        };
        let mut names = std::mem::take(&mut self.names);
        let mut emitter = Emitter::new(&self.module.target, &mut names, &suffix);
        emitter.calls(
            self.hook_refs(),
            hooks,
            &sites::symbol(site),
            parameters,
            returned,
        );
        let text = emitter.out;
        self.names = names;
        self.edits.push(Edit::insert(at, text));
    }

    fn exit_hooks(
        &mut self,
        routine: &RoutineBinding,
        context: &FunctionContext,
        ret: &instruction::Ret,
        tokens: &[Token],
        at: usize,
        with_value: bool,
    ) {
        let source = self.source;
        let dbg = ret.dbg.map(|i| tokens[i].text(source));
        let position = dbg
            .and_then(metadata_number)
            .and_then(|n| self.debug.location(n))
            .map(|(position, _)| position);
        let site = self.add_site(self.events(&routine.exit), position, context.name.clone());
        // Before a `musttail` call, the value it will return is not there.
        let returned = ret
            .value
            .as_ref()
            .filter(|_| with_value)
            .map(|(ty, value)| SiteValue {
                shape: ty.shape.clone(),
                ty: ty.text(source, tokens).to_string(),
                value: span(source, tokens, *value).to_string(),
            });
        let dbg = self.dbg_suffix(dbg, context, 0);
        self.routine_hooks(
            &routine.exit,
            site,
            dbg,
            &context.parameters,
            returned.as_ref(),
            at,
        );
    }
}

/// Where an instruction is: before it (before its debug records), after
/// it, its line, and its block.
struct Placement<'b> {
    before: usize,
    after: usize,
    line: usize,
    block: &'b BlockName,
}

/// A block's name: its label (without the colon), or the number of an
/// unlabeled block. Made into text only when a PHI or a split needs it.
#[derive(Debug, Clone)]
enum BlockName {
    Label(Range<usize>),
    Number(usize),
}

impl BlockName {
    fn reference(&self, source: &str) -> String {
        match self {
            BlockName::Label(range) => format!("%{}", &source[range.clone()]),
            BlockName::Number(number) => format!("%{number}"),
        }
    }
}

/// The text of tokens `start..end`.
pub fn span<'s>(source: &'s str, tokens: &[Token], (start, end): (usize, usize)) -> &'s str {
    &source[tokens[start].start as usize..tokens[end - 1].end as usize]
}

/// Whether a body line is an instruction the weaver has nothing to do
/// with, decided from its bytes: indented, naming no global (`@`: an API
/// could be one), without quotes or colons (no label, no string), with
/// balanced brackets (it does not go on to the next line), and not a
/// `ret`, `phi`, call or invoke. `Some(Some(n))` when it defines `%n`.
/// Anything else is tokenized; this is only a shortcut.
fn plain_instruction(line: &str) -> Option<Option<usize>> {
    let trimmed = line.trim_start_matches([' ', '\t']);
    if trimmed.len() == line.len() || trimmed.starts_with(['#', ';', '\n', '\r']) {
        return None;
    }
    let code = trimmed.split(';').next().unwrap_or("");
    let mut depth = 0i32;
    for byte in code.bytes() {
        match byte {
            b'@' | b'"' | b':' => return None,
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => depth -= 1,
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    let (number, operation) = match code.strip_prefix('%') {
        Some(rest) => {
            let (name, after) = rest.split_once(" = ")?;
            (is_number(name).then(|| name.parse().ok()).flatten(), after)
        }
        None => (None, code),
    };
    let word = operation.split([' ', '\n', '\r']).next().unwrap_or("");
    const BUSY: &[&str] = &[
        "ret", "phi", "call", "tail", "musttail", "notail", "invoke", "callbr",
    ];
    (!BUSY.contains(&word)).then_some(number)
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::plain_instruction;

    #[test]
    fn plain_lines_are_told_from_their_bytes() {
        assert_eq!(
            plain_instruction("  %5 = load ptr, ptr %4, align 8, !dbg !123\n"),
            Some(Some(5))
        );
        assert_eq!(
            plain_instruction("  store i32 0, ptr %3, align 4\n"),
            Some(None)
        );
        assert_eq!(plain_instruction("  %x = add i32 %a, 1 ; [\n"), Some(None));
        // Globals, calls, rets, PHIs, labels, records, open brackets: tokenized.
        for line in [
            "  store ptr @F, ptr %8, align 8\n",
            "  call void %12(ptr %1)\n",
            "  %3 = tail call i32 %f()\n",
            "  ret i32 %23, !dbg !161\n",
            "  %12 = phi i32 [ %2, %6 ], [ 0, %4 ]\n",
            "  switch i32 %x, label %d [\n",
            "21:\n",
            "  foo:\n",
            "    #dbg_value(i32 %x, !10, !DIExpression(), !12)\n",
        ] {
            assert!(plain_instruction(line).is_none(), "{line}");
        }
    }
}
