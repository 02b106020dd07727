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

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use super::debug_info::{DebugInfo, metadata_number};
use super::emit::{Dbg, Emitter, Hooks, Names, SiteValue, Suffix, c_arguments};
use super::instruction::{self, Call, Header, TailMarker};
use super::lexer::{Kind, Token, depth_change, tokenize};
use super::module::{Function, Lines, Module, malformed};
use super::types::Shape;
use crate::diagnostic::{Code, Diagnostic};
use crate::edit::EditBuffer;
use crate::llvm::names::{decode, undecorated};
use crate::model::Event;
use crate::monitor::abi::{DRIVER_ENTER, DRIVER_EXIT};
use crate::monitor::hooks::HookSet;
use crate::span::FileId;
use crate::weave::Position;
use crate::weave::bind::Sites;

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
    /// A routine of a role: the driver runs inside it
    /// (`slic_driver_enter`, `slic_driver_exit`).
    pub driver: bool,
}

#[derive(Debug, Default)]
pub struct Bindings {
    /// By symbol (decoded, decorations kept).
    pub apis: HashMap<String, ApiBinding>,
    pub routines: HashMap<String, RoutineBinding>,
    /// Definitions of catalog APIs, left alone.
    pub kernel: std::collections::HashSet<String>,
}

/// A use of an API's address, replaced by a wrapper.
#[derive(Debug, Clone)]
pub struct WrapperRequest {
    pub site: usize,
    pub symbol: String,
}

pub struct Weaver<'a> {
    pub source: &'a str,
    pub module: &'a Module<'a>,
    pub hooks: &'a HookSet,
    /// The hooks' symbols and call types.
    pub calls: Hooks<'a>,
    pub bindings: &'a Bindings,
    pub debug: DebugInfo<'a>,
    pub edits: EditBuffer,
    pub sites: Sites,
    pub warnings: Vec<Diagnostic>,
    pub file: FileId,
    pub names: Names,
    pub wrappers: Vec<WrapperRequest>,
    tokens: Vec<Token>,
}

/// What one function's weaving needs to know about it.
struct FunctionContext<'a> {
    name: String,
    routine: Option<&'a RoutineBinding>,
    /// The `DISubprogram`, when the function has one.
    subprogram: Option<usize>,
    entry_position: Option<Position>,
    /// How many parameters are numbered (`%0`, `%1`, ...): the entry
    /// block, unlabeled, takes the next number.
    numbered_parameters: usize,
    parameters: Vec<SiteValue<'a>>,
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
        file: FileId,
        module: &'a Module<'a>,
        hooks: &'a HookSet,
        hook_symbols: &'a HashMap<Event, String>,
        bindings: &'a Bindings,
        debug: DebugInfo<'a>,
    ) -> Weaver<'a> {
        Weaver {
            source,
            module,
            hooks,
            calls: Hooks::new(hooks, hook_symbols, &module.target),
            bindings,
            debug,
            edits: EditBuffer::default(),
            sites: Sites::default(),
            warnings: Vec::new(),
            file,
            names: Names::default(),
            wrappers: Vec::new(),
            tokens: Vec::new(),
        }
    }

    pub fn warn(&mut self, line: usize, code: Code, message: String) {
        let mut warning = self.error(line, message);
        warning.code = code;
        self.warnings.push(warning);
    }

    /// IR the weaver cannot read, on line `line` (from 1).
    pub fn error(&self, line: usize, message: String) -> Diagnostic {
        malformed(self.file, self.source, &self.module.lines, line, message)
    }

    fn events(&self, hooks: &[usize]) -> Vec<Event> {
        hooks
            .iter()
            .map(|&h| self.hooks.hooks[h].event.clone())
            .collect()
    }

    /// The API a `@global` token names, if any, as the bindings name it.
    pub fn api_of(&self, token: &Token) -> Option<&'a str> {
        if token.kind != Kind::Global {
            return None;
        }
        let text = token.text(self.source);
        let bindings: &'a Bindings = self.bindings;
        // Unquoted names need no decoding: look them up as they are.
        let found = if text.as_bytes().get(1) != Some(&b'"') {
            bindings.apis.get_key_value(&text[1..])
        } else {
            bindings.apis.get_key_value(decode(text).as_str())
        };
        found.map(|(symbol, _)| symbol.as_str())
    }

    pub fn weave_function(&mut self, function: &Function) -> Result<(), Diagnostic> {
        let source = self.source;
        let mut tokens = std::mem::take(&mut self.tokens);
        tokens.clear();
        tokenize(source, function.header.clone(), &mut tokens);
        let header = instruction::header(source, &tokens).ok_or_else(|| {
            self.error(
                function.line,
                "cannot read this function header".to_string(),
            )
        })?;
        let context = self.function_context(function, &header, &tokens);
        self.tokens = tokens;
        self.body(function, &context)
    }

    fn function_context(
        &mut self,
        function: &Function,
        header: &Header,
        tokens: &[Token],
    ) -> FunctionContext<'a> {
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
                    Cow::Borrowed(text)
                }
                // An unnamed parameter is numbered like the named ones.
                None => {
                    numbered += 1;
                    Cow::Owned(format!("%{}", numbered - 1))
                }
            };
            parameters.push((
                SiteValue {
                    shape: parameter.ty.shape.clone(),
                    ty: parameter.ty.text(source, tokens),
                    value,
                },
                parameter.sret,
            ));
        }
        let bindings: &'a Bindings = self.bindings;
        FunctionContext {
            name,
            routine: bindings.routines.get(&function.symbol),
            subprogram,
            entry_position,
            numbered_parameters: numbered,
            parameters: c_arguments(parameters),
        }
    }

    fn body(
        &mut self,
        function: &Function,
        context: &FunctionContext<'a>,
    ) -> Result<(), Diagnostic> {
        let source = self.source;
        let end = function.body.end;
        let mut tokens = std::mem::take(&mut self.tokens);
        let mut lines = Lines::new(&self.module.lines, function.body_line);
        // The number (from 1) of the line read last.
        let mut line_number = function.body_line;
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
            match quick_line(&source.as_bytes()[line.clone()]) {
                Quick::Nothing => continue,
                Quick::Record => {
                    records_start.get_or_insert(line.start);
                    continue;
                }
                Quick::Label(length, number) => {
                    if let Some(number) = number {
                        next_number = number + 1;
                    }
                    block = Some(BlockName::Label(line.start..line.start + length));
                    records_start = None;
                    continue;
                }
                Quick::Plain(number) if !continues(&source.as_bytes()[line.end..end]) => {
                    let start = records_start.take().unwrap_or(line.start);
                    block.get_or_insert_with(|| {
                        next_number += 1;
                        BlockName::Number(next_number - 1)
                    });
                    if !seen_instruction {
                        seen_instruction = true;
                        if let Some(routine) = context.routine {
                            self.entry_hooks(routine, context, start);
                        }
                    }
                    if let Some(number) = number {
                        next_number = number + 1;
                    }
                    musttail_before = None;
                    continue;
                }
                Quick::Plain(_) | Quick::Other => {}
            }
            tokens.clear();
            tokenize(source, line.clone(), &mut tokens);
            let Some(first) = tokens.first().copied() else {
                continue;
            };
            if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
                return Err(self.error(
                    line_number,
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
                let continues = depth > 0 || continues(&source.as_bytes()[instruction_end..end]);
                if !continues {
                    break;
                }
                let Some(next) = lines.next().filter(|l| l.start < end) else {
                    return Err(
                        self.error(start_line, "this instruction is never closed".to_string())
                    );
                };
                line_number += 1;
                let before = tokens.len();
                tokenize(source, next.clone(), &mut tokens);
                depth += depth_change(source, &tokens[before..]);
                instruction_end = next.end;
            }
            if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
                return Err(
                    self.error(start_line, "unterminated string or quoted name".to_string())
                );
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
                if let Some(routine) = context.routine {
                    self.entry_hooks(routine, context, start);
                }
            }
            let Some((word, at)) = instruction::opcode(source, &tokens) else {
                return Err(self.error(start_line, "expected an instruction".to_string()));
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
                                    self.weave_call(symbol, &call, &tokens, context, &placed)?
                                {
                                    splits.push(split);
                                }
                            }
                        }
                        None => {
                            if let Some(token) = tokens.iter().find(|t| self.api_of(t).is_some()) {
                                return Err(self.error(
                                    start_line,
                                    format!("cannot read this call of `{}`", token.text(source)),
                                ));
                            }
                        }
                    }
                }
                "ret" => {
                    if let Some(routine) = context.routine
                        && (!routine.exit.is_empty() || routine.driver)
                    {
                        let ret = instruction::ret(source, &tokens).ok_or_else(|| {
                            self.error(start_line, "cannot read this `ret`".to_string())
                        })?;
                        let at = match musttail_before {
                            Some(before) => {
                                self.warn(
                                    start_line,
                                    Code::MusttailExit,
                                    format!(
                                        "`{}` returns through a `musttail` call; its exit events are reported before that call (nothing may stand between a `musttail` call and its `ret`), and `$return` reads as 0",
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
                    self.address_taken(symbol, range, context.name.clone(), start_line);
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
                    self.edits
                        .replace(range.clone(), &format!("%{}", split.new_block));
                }
            }
        }
        self.tokens = tokens;
        Ok(())
    }

    /// The `!dbg` of inserted lines: the neighbour's location, or a new
    /// one in the function's subprogram.
    fn dbg_of(
        &mut self,
        neighbour: Option<&'a str>,
        context: &FunctionContext,
        line: u32,
    ) -> Dbg<'a> {
        let Some(subprogram) = context.subprogram else {
            return Dbg::None;
        };
        match neighbour {
            Some(location) => Dbg::Existing(location),
            None => Dbg::New(self.debug.new_location(line, 0, subprogram)),
        }
    }

    fn weave_call(
        &mut self,
        symbol: &str,
        call: &Call,
        tokens: &[Token],
        context: &FunctionContext,
        placed: &Placement,
    ) -> Result<Option<Split>, Diagnostic> {
        let source = self.source;
        let bindings: &'a Bindings = self.bindings;
        let binding = &bindings.apis[symbol];
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
        let site = self.sites.add(events, position, function);
        let values = c_arguments(call.arguments.iter().map(|argument| {
            (
                SiteValue {
                    shape: argument.ty.shape.clone(),
                    ty: argument.ty.text(source, tokens),
                    value: Cow::Borrowed(span(source, tokens, argument.value)),
                },
                argument.sret,
            )
        }));
        let returned = match (call.result, &call.returns) {
            (_, Shape::Void) => None,
            (Some(result), shape) => Some(SiteValue {
                shape: shape.clone(),
                ty: span(source, tokens, call.returns_type),
                value: Cow::Borrowed(tokens[result].text(source)),
            }),
            (None, _) => {
                if binding
                    .after
                    .iter()
                    .any(|&h| self.hooks.hooks[h].returns.is_some())
                {
                    self.warn(
                        placed.line,
                        Code::UnnamedResult,
                        format!(
                            "the result of this call of `{}` has no name; `$return` reads as 0",
                            binding.c_name
                        ),
                    );
                }
                None
            }
        };
        let suffix = Suffix {
            dbg: self.dbg_of(dbg, context, 0),
            bundles: call
                .bundles
                .map(|(open, close)| span(source, tokens, (open, close + 1)))
                .unwrap_or_default(),
        };
        let musttail = call.marker == TailMarker::MustTail;
        if musttail && !binding.after.is_empty() {
            self.warn(
                placed.line,
                Code::MusttailExit,
                format!(
                    "the events after this `musttail` call of `{}` are reported before it (nothing may stand between a `musttail` call and its `ret`){}",
                    binding.c_name,
                    if returned.is_some() { "; `$return` reads as 0" } else { "" }
                ),
            );
        }
        let before = self.edits.mark();
        let mut emitter = Emitter::new(&self.calls, &mut self.names, &suffix, &mut self.edits.text);
        emitter.calls(&binding.before, site, &values, None);
        if musttail {
            // Before and after alike go before the call.
            emitter.calls(&binding.after, site, &values, None);
            self.edits.insert_since(placed.before, before);
            return Ok(None);
        }
        self.edits.insert_since(placed.before, before);
        if binding.after.is_empty() {
            return Ok(None);
        }
        let after = self.edits.mark();
        let mut split = None;
        if call.invoke {
            let normal = call.normal.expect("an invoke has a normal label");
            let successor = tokens[normal].text(source).to_string();
            let new_block = self.names.fresh_block("ok");
            let mut emitter =
                Emitter::new(&self.calls, &mut self.names, &suffix, &mut self.edits.text);
            emitter.label(&new_block);
            emitter.calls(&binding.after, site, &values, returned.as_ref());
            emitter.line(format_args!("br label {successor}"));
            self.edits.insert_since(placed.after, after);
            self.edits
                .replace(tokens[normal].range(), &format!("%{new_block}"));
            split = Some(Split {
                block: placed.block.reference(source),
                successor,
                new_block,
            });
        } else {
            let mut emitter =
                Emitter::new(&self.calls, &mut self.names, &suffix, &mut self.edits.text);
            emitter.calls(&binding.after, site, &values, returned.as_ref());
            self.edits.insert_since(placed.after, after);
        }
        Ok(split)
    }

    fn entry_hooks(&mut self, routine: &RoutineBinding, context: &FunctionContext, at: usize) {
        let line = context.entry_position.as_ref().map_or(0, |p| p.line);
        if routine.driver {
            let dbg = self.dbg_of(None, context, line);
            self.driver_call(DRIVER_ENTER, dbg, at);
        }
        if routine.entry.is_empty() {
            return;
        }
        let site = self.sites.add(
            self.events(&routine.entry),
            context.entry_position.clone(),
            context.name.clone(),
        );
        let dbg = self.dbg_of(None, context, line);
        self.routine_hooks(&routine.entry, site, dbg, &context.parameters, None, at);
    }

    /// `call void @slic_driver_enter()` (or `_exit`), inserted at `at`.
    fn driver_call(&mut self, function: &str, dbg: Dbg, at: usize) {
        let suffix = Suffix { dbg, bundles: "" };
        let mark = self.edits.mark();
        let mut emitter = Emitter::new(&self.calls, &mut self.names, &suffix, &mut self.edits.text);
        emitter.line(format_args!("call void @{function}() nounwind"));
        self.edits.insert_since(at, mark);
    }

    /// The hooks of a routine's entry or exit, from `site`, inserted at `at`.
    fn routine_hooks(
        &mut self,
        hooks: &[usize],
        site: usize,
        dbg: Dbg,
        parameters: &[SiteValue],
        returned: Option<&SiteValue>,
        at: usize,
    ) {
        let suffix = Suffix { dbg, bundles: "" };
        let mark = self.edits.mark();
        let mut emitter = Emitter::new(&self.calls, &mut self.names, &suffix, &mut self.edits.text);
        emitter.calls(hooks, site, parameters, returned);
        self.edits.insert_since(at, mark);
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
        if routine.exit.is_empty() {
            let dbg = self.dbg_of(dbg, context, 0);
            self.driver_call(DRIVER_EXIT, dbg, at);
            return;
        }
        let position = dbg
            .and_then(metadata_number)
            .and_then(|n| self.debug.location(n))
            .map(|(position, _)| position);
        let site = self
            .sites
            .add(self.events(&routine.exit), position, context.name.clone());
        // Before a `musttail` call, the value it will return is not there.
        let returned = ret
            .value
            .as_ref()
            .filter(|_| with_value)
            .map(|(ty, value)| SiteValue {
                shape: ty.shape.clone(),
                ty: ty.text(source, tokens),
                value: Cow::Borrowed(span(source, tokens, *value)),
            });
        let dbg_of_ret = self.dbg_of(dbg, context, 0);
        self.routine_hooks(
            &routine.exit,
            site,
            dbg_of_ret,
            &context.parameters,
            returned.as_ref(),
            at,
        );
        if routine.driver {
            let dbg = self.dbg_of(dbg, context, 0);
            self.driver_call(DRIVER_EXIT, dbg, at);
        }
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

/// What a body line is, when its bytes alone tell. Only a shortcut:
/// `Other` lines are tokenized, and every other answer is what the tokens
/// would say.
#[derive(Debug, PartialEq, Eq)]
enum Quick {
    /// Blank, or only a comment.
    Nothing,
    /// A debug record (`#dbg_value(...)`).
    Record,
    /// A block label (`entry:`, `12:`) of this many bytes without the
    /// colon, and its number when it is one.
    Label(usize, Option<usize>),
    /// An instruction the weaver has nothing to do with: indented, naming
    /// no global (`@`: an API could be one), without quotes or colons (no
    /// label, no string), with balanced brackets (it does not go on to the
    /// next line), and not a `ret`, `phi`, call or invoke. `Some(n)` when
    /// it defines `%n`.
    Plain(Option<usize>),
    Other,
}

fn quick_line(line: &[u8]) -> Quick {
    let rest = skip_blanks(line);
    let indent = line.len() - rest.len();
    match rest.first() {
        None | Some(b'\n' | b';') => return Quick::Nothing,
        Some(b'\r') if rest.get(1).is_none_or(|&b| b == b'\n') => return Quick::Nothing,
        Some(b'#') if indent > 0 && rest.starts_with(b"#dbg_") && !rest.contains(&b'"') => {
            return Quick::Record;
        }
        Some(b'#' | b'\r') => return Quick::Other,
        Some(_) if indent == 0 => return quick_label(line),
        Some(_) => {}
    }
    let mut depth = 0i32;
    let mut code = rest;
    for (index, &byte) in rest.iter().enumerate() {
        match byte {
            b'@' | b'"' | b':' => return Quick::Other,
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => depth -= 1,
            b';' => {
                code = &rest[..index];
                break;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Quick::Other;
    }
    let (number, operation) = match code.strip_prefix(b"%") {
        Some(named) => {
            let name_end = named.iter().position(|&b| b == b' ').unwrap_or(named.len());
            let Some(operation) = named[name_end..].strip_prefix(b" = ") else {
                return Quick::Other;
            };
            (number_of(&named[..name_end]), operation)
        }
        None => (None, code),
    };
    let word_end = operation
        .iter()
        .position(|&b| matches!(b, b' ' | b'\n' | b'\r'))
        .unwrap_or(operation.len());
    match &operation[..word_end] {
        b"ret" | b"phi" | b"call" | b"tail" | b"musttail" | b"notail" | b"invoke" | b"callbr" => {
            Quick::Other
        }
        _ => Quick::Plain(number),
    }
}

/// A line that starts with no indentation: a label such as `for.body:` or
/// `12:`, with nothing but a comment after it.
fn quick_label(line: &[u8]) -> Quick {
    let name_end = line
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'$' | b'.' | b'_')))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    // The tokenizer reads a name that starts with a digit as a number
    // unless it is all digits, `$` as a comdat and `...` as punctuation;
    // those are left to it.
    let number = number_of(name);
    if name.is_empty()
        || (name[0].is_ascii_digit() && number.is_none())
        || name[0] == b'$'
        || name.starts_with(b"...")
    {
        return Quick::Other;
    }
    if line.get(name_end) != Some(&b':') {
        return Quick::Other;
    }
    let after = &line[name_end + 1..];
    let blank = after
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r'))
        .is_none_or(|i| matches!(after[i], b'\n' | b';'));
    if blank {
        Quick::Label(name_end, number)
    } else {
        Quick::Other
    }
}

/// The number a name of digits stands for.
fn number_of(name: &[u8]) -> Option<usize> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

/// `bytes` after its leading spaces and tabs.
fn skip_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether the text after an instruction goes on with it: the next line
/// starts (after blanks) with `to ` or `unwind ` (an `invoke`).
fn continues(rest: &[u8]) -> bool {
    let rest = skip_blanks(rest);
    rest.starts_with(b"to ") || rest.starts_with(b"unwind ")
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::{Quick, quick_line};

    #[test]
    fn lines_are_told_from_their_bytes() {
        let quick = |line: &str| quick_line(line.as_bytes());
        assert_eq!(
            quick("  %5 = load ptr, ptr %4, align 8, !dbg !123\n"),
            Quick::Plain(Some(5))
        );
        assert_eq!(
            quick("  store i32 0, ptr %3, align 4\n"),
            Quick::Plain(None)
        );
        assert_eq!(quick("  %x = add i32 %a, 1 ; [\n"), Quick::Plain(None));
        assert_eq!(quick("\n"), Quick::Nothing);
        assert_eq!(quick("  ; a comment\n"), Quick::Nothing);
        assert_eq!(
            quick("21:                                               ; preds = %2\n"),
            Quick::Label(2, Some(21))
        );
        assert_eq!(quick("for.body:\n"), Quick::Label(8, None));
        assert_eq!(
            quick("    #dbg_value(i32 %x, !10, !DIExpression(), !12)\n"),
            Quick::Record
        );
        // Globals, calls, rets, PHIs, quotes, open brackets: tokenized.
        for line in [
            "  store ptr @F, ptr %8, align 8\n",
            "  call void %12(ptr %1)\n",
            "  %3 = tail call i32 %f()\n",
            "  ret i32 %23, !dbg !161\n",
            "  %12 = phi i32 [ %2, %6 ], [ 0, %4 ]\n",
            "  switch i32 %x, label %d [\n",
            "  foo:\n",
            "\"a b\":\n",
            "1x:\n",
            "$c:\n",
            "foo: bar\n",
            "    #dbg_value(metadata !\"x\", !10, !DIExpression(), !12)\n",
        ] {
            assert_eq!(quick(line), Quick::Other, "{line}");
        }
    }
}
