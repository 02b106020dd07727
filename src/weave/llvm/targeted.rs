//! Weaving a body by the lines that matter, without reading the others.
//!
//! The lines of a body that weaving changes are known before reading it:
//! those that name an API (found by `mentions.rs`), and for a routine its
//! first instruction and its `ret`s (found with `memmem`). Each is read
//! alone and handed to `Weaver::instruction`, as the walk would hand it,
//! in the order of the body, so the output is the walk's byte for byte.
//! A body this cannot weave exactly is left untouched for the walk: an
//! `invoke` or `callbr` of an API (the walk names blocks for the split
//! edge), a `ret` after a `musttail` call, an instruction that goes on
//! over several lines, a line the tokenizer does not close.

use std::ops::Range;

use memchr::memmem;

use super::lexer::{Kind, Token, depth_change, tokenize};
use super::module::Function;
use super::text::{Quick, continues, line_end, previous_line, quick_line, skip_blanks};
use super::weaver::{FunctionContext, Placement, Weaver};
use crate::diagnostic::Diagnostic;

/// A line as the walk would take it.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// Blank, or a comment.
    Nothing,
    Record,
    Label,
    Instruction,
}

/// What a line is; `tokens` gets its tokens when reading it took them.
fn classify(source: &str, line: Range<usize>, tokens: &mut Vec<Token>) -> Line {
    tokens.clear();
    match quick_line(&source.as_bytes()[line.clone()]) {
        Quick::Nothing => return Line::Nothing,
        Quick::Record => return Line::Record,
        Quick::Label(..) => return Line::Label,
        Quick::Plain(_) | Quick::Other => {}
    }
    tokenize(source, line, tokens);
    match tokens.first() {
        None => Line::Nothing,
        Some(first) if first.kind == Kind::Label && tokens.len() == 1 => Line::Label,
        Some(first) if first.kind == Kind::Record => Line::Record,
        Some(_) => Line::Instruction,
    }
}

/// What a line is, without its tokens when its bytes tell: an indented
/// line that starts with a word or a local and has no colon is an
/// instruction (a label is a name and a colon; a record starts with `#`).
fn kind_of(source: &str, line: Range<usize>, tokens: &mut Vec<Token>) -> Line {
    let bytes = &source.as_bytes()[line.clone()];
    let rest = skip_blanks(bytes);
    let indented = rest.len() < bytes.len();
    if indented
        && rest
            .first()
            .is_some_and(|&b| b == b'%' || b.is_ascii_lowercase())
        && memchr::memchr(b':', rest).is_none()
    {
        return Line::Instruction;
    }
    classify(source, line, tokens)
}

/// The vectors the targeted reading of a body fills, reused.
#[derive(Default)]
pub struct Scratch {
    tokens: Vec<Token>,
    /// The tokens of every line to weave, one after another.
    all: Vec<Token>,
    /// Each line to weave, and its tokens in `all`.
    instructions: Vec<(Range<usize>, Range<usize>)>,
    /// The starts of the lines to read.
    starts: Vec<usize>,
}

impl<'a> Weaver<'a> {
    /// Weaves `function` by its relevant lines: `apis` (the starts of the
    /// lines that name an API), and its entry and `ret`s if it is a
    /// routine. `Ok(false)`, with nothing changed, when the body needs the
    /// walk.
    pub(super) fn targeted(
        &mut self,
        function: &Function,
        context: &FunctionContext<'a>,
        apis: &[usize],
    ) -> Result<bool, Diagnostic> {
        // Its vectors are kept from one function to the next: thousands of
        // functions would each grow their own.
        let mut scratch = std::mem::take(&mut self.scratch);
        let woven = self.targeted_with(function, context, apis, &mut scratch);
        self.scratch = scratch;
        woven
    }

    fn targeted_with(
        &mut self,
        function: &Function,
        context: &FunctionContext<'a>,
        apis: &[usize],
        scratch: &mut Scratch,
    ) -> Result<bool, Diagnostic> {
        let source = self.source;
        let body = function.body.clone();
        let Scratch {
            tokens,
            all,
            instructions,
            starts,
        } = scratch;
        tokens.clear();
        all.clear();
        instructions.clear();
        starts.clear();
        let mut entry = None;
        starts.extend_from_slice(apis);
        if let Some(routine) = context.routine {
            let Some(first) = self.first_instruction(body.clone(), tokens) else {
                return Ok(false);
            };
            entry = Some(first);
            if !routine.exit.is_empty() || routine.driver {
                for ret in rets(source, body.clone()) {
                    if self.after_musttail(ret, body.start, tokens) {
                        return Ok(false);
                    }
                    starts.push(ret);
                }
            }
        }
        starts.sort_unstable();
        starts.dedup();
        // Read every line first: a body that needs the walk is found
        // before anything is changed.
        for &start in starts.iter() {
            let line = start..line_end(source.as_bytes(), start);
            if classify(source, line.clone(), tokens) != Line::Instruction {
                continue;
            }
            let first = &tokens[0];
            let unterminated = tokens.iter().any(|t| t.kind == Kind::Unterminated);
            let several_lines = depth_change(source, tokens) != 0
                || continues(&source.as_bytes()[line.end..body.end])
                || first.is_word(source, "to")
                || first.is_word(source, "unwind");
            let branching = tokens
                .iter()
                .take(4)
                .any(|t| t.is_word(source, "invoke") || t.is_word(source, "callbr"));
            if unterminated || several_lines || branching {
                return Ok(false);
            }
            let range = all.len()..all.len() + tokens.len();
            all.extend_from_slice(tokens);
            instructions.push((line, range));
        }
        if let Some((before, _)) = entry
            && let Some(routine) = context.routine
        {
            self.entry_hooks(routine, context, before);
        }
        for (line, range) in instructions.drain(..) {
            let before = match entry {
                Some((before, first)) if first == line.start => before,
                _ => self.records_start(line.start, body.start, tokens),
            };
            let placed = Placement {
                before,
                after: line.end,
                line: line.start,
                block: None,
            };
            self.instruction(context, &all[range], &placed, None)?;
        }
        Ok(true)
    }

    /// Where the entry hooks go (before the debug records of the first
    /// instruction), and the start of that instruction's line.
    fn first_instruction(
        &self,
        body: Range<usize>,
        tokens: &mut Vec<Token>,
    ) -> Option<(usize, usize)> {
        let mut records = None;
        for line in super::text::lines(self.source, body) {
            match kind_of(self.source, line.clone(), tokens) {
                Line::Nothing => {}
                Line::Record => {
                    records.get_or_insert(line.start);
                }
                Line::Label => records = None,
                Line::Instruction => return Some((records.unwrap_or(line.start), line.start)),
            }
        }
        None
    }

    /// Where an instruction whose line starts at `start` is woven before:
    /// before the debug records just above it.
    fn records_start(&self, start: usize, floor: usize, tokens: &mut Vec<Token>) -> usize {
        let mut before = start;
        let mut at = start;
        while let Some(line) = previous_line(self.source, at, floor) {
            at = line.start;
            match kind_of(self.source, line.clone(), tokens) {
                Line::Nothing => {}
                Line::Record => before = line.start,
                Line::Label | Line::Instruction => break,
            }
        }
        before
    }

    /// Whether the instruction before the `ret` at `start` is a
    /// `musttail` call.
    fn after_musttail(&self, start: usize, floor: usize, tokens: &mut Vec<Token>) -> bool {
        let mut at = start;
        while let Some(line) = previous_line(self.source, at, floor) {
            at = line.start;
            match kind_of(self.source, line.clone(), tokens) {
                Line::Nothing | Line::Record | Line::Label => {}
                Line::Instruction => {
                    return memmem::find(&self.source.as_bytes()[line], b"musttail").is_some();
                }
            }
        }
        false
    }
}

/// The starts of the lines of `body` that are a `ret`.
fn rets(source: &str, body: Range<usize>) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    for offset in memmem::find_iter(&bytes[body.clone()], b"ret") {
        let at = body.start + offset;
        if !matches!(bytes.get(at + 3), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        let start = memchr::memrchr(b'\n', &bytes[body.start..at])
            .map_or(body.start, |i| body.start + i + 1);
        if skip_blanks(&bytes[start..at]).is_empty() {
            found.push(start);
        }
    }
    found
}
