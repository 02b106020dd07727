//! The full walk of a body: every line, in order, with the blocks named.
//!
//! Used for the bodies `targeted.rs` cannot weave by their relevant lines
//! alone: an `invoke` of an API (its normal edge is split, and the PHIs of
//! the successor are renamed, so every block must be known), a `musttail`
//! call before a routine's `ret`, an instruction over several lines. An
//! instruction goes on over the next lines while brackets are open or the
//! next line continues it (`to label ... unwind label ...` of an `invoke`).

use std::collections::HashMap;
use std::ops::Range;

use super::lexer::{Kind, Token, depth_change, tokenize};
use super::module::Function;
use super::text::{Quick, continues, is_number, lines, quick_line};
use super::weaver::{BlockName, FunctionContext, Placement, Split, Weaver};
use crate::diagnostic::Diagnostic;

impl<'a> Weaver<'a> {
    pub(super) fn walk(
        &mut self,
        function: &Function,
        context: &FunctionContext<'a>,
    ) -> Result<(), Diagnostic> {
        let source = self.source;
        let end = function.body.end;
        let mut tokens: Vec<Token> = Vec::new();
        let mut lines = lines(source, function.body.clone());
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
                return Err(
                    self.error(line.start, "unterminated string or quoted name".to_string())
                );
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
            let mut instruction_end = line.end;
            let mut depth = depth_change(source, &tokens);
            while depth > 0 || continues(&source.as_bytes()[instruction_end..end]) {
                let Some(next) = lines.next() else {
                    return Err(
                        self.error(line.start, "this instruction is never closed".to_string())
                    );
                };
                let before = tokens.len();
                tokenize(source, next.clone(), &mut tokens);
                depth += depth_change(source, &tokens[before..]);
                instruction_end = next.end;
            }
            if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
                return Err(
                    self.error(line.start, "unterminated string or quoted name".to_string())
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
            if tokens.len() > 2 && tokens[0].kind == Kind::Local && tokens[1].is(source, b'=') {
                let result = &tokens[0].text(source)[1..];
                if is_number(result) {
                    next_number = result.parse::<usize>().unwrap_or(next_number) + 1;
                }
            }
            let placed = Placement {
                before: start,
                after: instruction_end,
                line: line.start,
                block: Some(&current_block),
            };
            let handled = self.instruction(context, &tokens, &placed, musttail_before)?;
            splits.extend(handled.split);
            if handled.phi {
                for index in super::instruction::phi_blocks(source, &tokens) {
                    let token = tokens[index];
                    phis.entry(current_block.reference(source))
                        .or_default()
                        .push((token.range(), token.text(source).to_string()));
                }
            }
            musttail_before = handled.musttail.then_some(start);
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
        Ok(())
    }
}
