//! The second pass: weaving function bodies.
//!
//! A body is woven by the lines that matter to it (`targeted.rs`): those
//! that name an API, its first instruction and its `ret`s when it is a
//! routine. A body that needs its blocks named (an `invoke` of an API, a
//! `musttail` call before a routine's `ret`) is walked line by line
//! instead (`walk.rs`). Both hand each instruction they weave to
//! `Weaver::instruction`, so both make the same edits, in the same order,
//! with the same names. Every change is an edit of the input
//! (`crate::edit`):
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

use crate::hash::{FnvHashMap, FnvHashSet};
use std::ops::Range;

use super::Strategy;
use super::debug_info::{DebugInfo, metadata_number};
use super::emit::{Dbg, Emitter, Hooks, Names, SiteValue, Suffix, c_arguments};
use super::instruction::{self, Call, TailMarker};
use super::lexer::{Kind, Token, tokenize};
use super::mentions::Mentions;
use super::module::{Function, Module, malformed};
use super::text::is_number;
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
    /// The events of `before`, then of `after`: what each call's site
    /// reports.
    pub events: Vec<Event>,
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
    pub apis: FnvHashMap<String, ApiBinding>,
    pub routines: FnvHashMap<String, RoutineBinding>,
    /// Definitions of catalog APIs, left alone.
    pub kernel: FnvHashSet<String>,
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
    /// Bodies walked line by line.
    pub walked: usize,
    /// What the targeted reading reuses from body to body.
    pub scratch: super::targeted::Scratch,
}

/// What one function's weaving needs to know about it.
pub struct FunctionContext<'a> {
    name: String,
    pub routine: Option<&'a RoutineBinding>,
    /// The `DISubprogram`, when the function has one.
    subprogram: Option<usize>,
    entry_position: Option<Position>,
    /// How many parameters are numbered (`%0`, `%1`, ...): the entry
    /// block, unlabeled, takes the next number.
    pub numbered_parameters: usize,
    parameters: Vec<SiteValue<'a>>,
}

/// A normal edge of an invoke, split to run after-hooks.
pub struct Split {
    pub block: String,
    pub successor: String,
    pub new_block: String,
}

/// What an instruction leaves for the walk to keep track of.
pub struct Handled {
    /// The normal edge of an `invoke` of an API, split.
    pub split: Option<Split>,
    /// The instruction is a `phi`.
    pub phi: bool,
    /// The instruction is a `musttail` call.
    pub musttail: bool,
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
            scratch: Default::default(),
            walked: 0,
        }
    }

    fn events(&self, hooks: &[usize]) -> Vec<Event> {
        hooks
            .iter()
            .map(|&h| self.hooks.hooks[h].event.clone())
            .collect()
    }

    /// A warning about the line that holds byte `at`.
    pub fn warn(&mut self, at: usize, code: Code, message: String) {
        let mut warning = self.error(at, message);
        warning.code = code;
        self.warnings.push(warning);
    }

    /// IR the weaver cannot read, on the line that holds byte `at`.
    pub fn error(&self, at: usize, message: String) -> Diagnostic {
        malformed(self.file, self.source, at, message)
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

    /// Weaves one function's body. `mentions` are the module's.
    pub fn weave_function(
        &mut self,
        function: &'a Function,
        mentions: &Mentions,
        strategy: Strategy,
    ) -> Result<(), Diagnostic> {
        let bindings: &'a Bindings = self.bindings;
        let routine = bindings.routines.get(&function.symbol);
        let apis = self.api_lines(mentions.globals_in(function.body.clone()));
        if routine.is_none() && apis.is_empty() {
            return Ok(());
        }
        let context = self.function_context(function);
        if strategy == Strategy::Targeted && self.targeted(function, &context, &apis)? {
            return Ok(());
        }
        self.walked += 1;
        self.walk(function, &context)
    }

    /// The starts of the lines, among those that hold the `@`s at
    /// `globals`, that name a bound API (in order, each once).
    fn api_lines(&self, globals: &[u32]) -> Vec<usize> {
        let source = self.source;
        let mut lines: Vec<usize> = Vec::new();
        for &at in globals {
            let at = at as usize;
            if lines
                .last()
                .is_some_and(|&start| start <= at && !source[start..at].contains('\n'))
            {
                continue;
            }
            if self.api_at(at).is_some() {
                lines.push(super::text::line_at(source, at).start);
            }
        }
        lines
    }

    /// The API the `@` at `at` names, if it is a name.
    pub(super) fn api_at(&self, at: usize) -> Option<&'a str> {
        let bytes = self.source.as_bytes();
        let bindings: &'a Bindings = self.bindings;
        if bytes.get(at + 1) != Some(&b'"') {
            let end = bytes[at + 1..]
                .iter()
                .position(|&b| !super::lexer::is_name_char(b))
                .map_or(bytes.len(), |i| at + 1 + i);
            return bindings
                .apis
                .get_key_value(&self.source[at + 1..end])
                .map(|(symbol, _)| symbol.as_str());
        }
        // A quoted name ends at its closing quote, on its line.
        let mut tokens = Vec::new();
        tokenize(
            self.source,
            at..super::text::line_end(bytes, at),
            &mut tokens,
        );
        tokens.first().and_then(|t| self.api_of(t))
    }

    /// Weaves one instruction, `tokens` (none of them unterminated), at
    /// `placed`. `musttail_before` is where the instruction before it
    /// starts, when that is a `musttail` call.
    pub(super) fn instruction(
        &mut self,
        context: &FunctionContext<'a>,
        tokens: &[Token],
        placed: &Placement,
        musttail_before: Option<usize>,
    ) -> Result<Handled, Diagnostic> {
        let source = self.source;
        let Some((word, _)) = instruction::opcode(source, tokens) else {
            return Err(self.error(placed.line, "expected an instruction".to_string()));
        };
        let mut handled = Handled {
            split: None,
            phi: word == "phi",
            musttail: false,
        };
        let mut direct_api: Option<usize> = None;
        match word {
            "call" | "tail" | "musttail" | "notail" | "invoke" => {
                match instruction::call(source, tokens) {
                    Some(call) => {
                        handled.musttail = call.marker == TailMarker::MustTail;
                        if let Some(index) = call.direct
                            && let Some(symbol) = self.api_of(&tokens[index])
                        {
                            direct_api = Some(index);
                            handled.split =
                                self.weave_call(symbol, &call, tokens, context, placed)?;
                        }
                    }
                    None => {
                        if let Some(token) = tokens.iter().find(|t| self.api_of(t).is_some()) {
                            return Err(self.error(
                                placed.line,
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
                    let ret = instruction::ret(source, tokens).ok_or_else(|| {
                        self.error(placed.line, "cannot read this `ret`".to_string())
                    })?;
                    if musttail_before.is_some() {
                        self.warn(
                            placed.line,
                            Code::MusttailExit,
                            format!(
                                "`{}` returns through a `musttail` call; its exit events are reported before that call (nothing may stand between a `musttail` call and its `ret`), and `$return` reads as 0",
                                context.name
                            ),
                        );
                    }
                    self.exit_hooks(
                        routine,
                        context,
                        &ret,
                        tokens,
                        musttail_before.unwrap_or(placed.before),
                        musttail_before.is_none(),
                    );
                }
            }
            _ => {}
        }
        // Any other mention of a bound API takes its address.
        for (index, token) in tokens.iter().enumerate() {
            if Some(index) == direct_api {
                continue;
            }
            if let Some(symbol) = self.api_of(token) {
                self.address_taken(symbol, token.range(), context.name.clone(), placed.line);
            }
        }
        Ok(handled)
    }

    fn function_context(&mut self, function: &'a Function) -> FunctionContext<'a> {
        let source = self.source;
        let subprogram = function.subprogram;
        let details = subprogram.and_then(|s| self.debug.subprogram(s));
        let name = details
            .as_ref()
            .and_then(|d| d.name.as_deref())
            .unwrap_or_else(|| undecorated(&function.symbol))
            .to_string();
        let entry_position = details.as_ref().and_then(|d| {
            Some(Position {
                file: d.file.as_deref()?.to_string(),
                line: d.scope_line.or(d.line)?,
                column: 1,
            })
        });
        let mut numbered = 0;
        let mut parameters = Vec::new();
        for parameter in &function.parameters {
            let value = match &parameter.name {
                Some(name) => {
                    let text = &source[name.clone()];
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
                    shape: parameter.shape.clone(),
                    ty: &source[parameter.ty.clone()],
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
                function.map_or_else(|| context.name.clone(), |f| String::from(&*f)),
            ),
            None => (None, context.name.clone()),
        };
        let site = self.sites.add(binding.events.clone(), position, function);
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
            // Only the walk weaves an invoke: it names every block.
            let Some(block) = placed.block else {
                return Err(Diagnostic::new(
                    Code::WeaverBug,
                    crate::span::Span::new(self.file, placed.before..placed.after),
                    "internal error in the IR weaver: an `invoke` woven without its block"
                        .to_string(),
                ));
            };
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
                block: block.reference(source),
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

    pub(super) fn entry_hooks(
        &mut self,
        routine: &RoutineBinding,
        context: &FunctionContext,
        at: usize,
    ) {
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
        emitter.line_of(&["call void @", function, "() nounwind"]);
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
/// it, the start of its (first) line, and its block when the walk knows
/// it.
pub struct Placement<'b> {
    pub before: usize,
    pub after: usize,
    pub line: usize,
    pub block: Option<&'b BlockName>,
}

/// A block's name: its label (without the colon), or the number of an
/// unlabeled block. Made into text only when a PHI or a split needs it.
#[derive(Debug, Clone)]
pub enum BlockName {
    Label(Range<usize>),
    Number(usize),
}

impl BlockName {
    pub fn reference(&self, source: &str) -> String {
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
