//! Refusing to weave where the weaver cannot tell what the code around a
//! use or a routine is: a rewrite there could be wrong, and skipping it
//! would leave calls unchecked.

use super::Weaver;
use super::uses::Interest;
use crate::diagnostic::{Code, Diagnostic};
use crate::weave::c::file::{Hit, Place};
use crate::weave::c::scan::Kind;
use crate::weave::c::structure::Imbalance;

impl Weaver<'_> {
    /// Refuses to weave where the weaver cannot tell what the code around
    /// a use or a routine is: a rewrite there could be wrong, and skipping
    /// it would leave calls unchecked.
    pub(super) fn refuse_what_makes_no_sense(
        &self,
        errors: &[Vec<(String, usize)>],
        hits: &[Hit<Interest>],
    ) -> Result<(), Diagnostic> {
        let file = self.file;
        let items = &file.structure.items;
        // (where, word, why) for everything that would be woven in code
        // that makes no sense; the first one is reported.
        let mut problems: Vec<(usize, String, String)> = Vec::new();
        // tree-sitter's errors in what it parsed.
        const CONFUSED: &str = "add the macro that confuses it with `--blank NAME`";
        for words in errors {
            let api = words
                .iter()
                .find(|(word, _)| self.api_events.contains_key(word));
            let routine = words.iter().find(|(word, _)| self.needs_wrapping(word));
            if let Some((word, at)) = api.or(routine) {
                problems.push((*at, word.clone(), CONFUSED.to_string()));
            }
        }
        // Uses in items whose delimiters do not balance, in text between
        // `#if` branches that belongs to no item, in declarations whose end
        // the preprocessor chooses.
        for hit in hits.iter().filter(|h| h.interest.api || h.interest.bearing) {
            let why = match hit.item.map(|i| (i, &items[i])) {
                None => Some(
                    "it is in no declaration or function once the `#if` branches around it are read"
                        .to_string(),
                ),
                Some((_, item)) if item.imbalance.is_some() => None,
                Some((index, item)) if item.crossing && hit.place == Place::Head => {
                    (file.names[index] != Some(hit.token)).then(|| {
                        "the preprocessor chooses where the declaration around it ends".to_string()
                    })
                }
                _ => None,
            };
            if let Some(why) = why {
                problems.push((file.start(hit.token), file.word(hit.token).to_string(), why));
            }
        }
        for item in items.iter() {
            let Some(imbalance) = item.imbalance else {
                continue;
            };
            let words = item
                .tokens
                .clone()
                .filter(|&t| file.tokens()[t].kind == Kind::Identifier);
            let mut routine = None;
            let mut api = None;
            for token in words {
                let word = file.word(token);
                if api.is_none()
                    && (self.api_events.contains_key(word) || self.macro_apis.contains_key(word))
                {
                    api = Some(token);
                }
                if routine.is_none() && self.needs_wrapping(word) {
                    routine = Some(token);
                }
            }
            if let Some(token) = api.or(routine) {
                let why = match imbalance {
                    Imbalance::Unclosed { at, delimiter } => format!(
                        "the `{}` at {} is never closed",
                        delimiter as char,
                        self.line_column(at)
                    ),
                    Imbalance::Unexpected { at, delimiter } => format!(
                        "the `{}` at {} closes nothing",
                        delimiter as char,
                        self.line_column(at)
                    ),
                };
                problems.push((file.start(token), file.word(token).to_string(), why));
            }
        }
        if let Some((at, word, why)) = problems.into_iter().min_by_key(|(at, ..)| *at) {
            return Err(self.error(
                Code::UnreadableCode,
                at,
                format!(
                    "cannot weave `{word}` here: the C parser could not make sense of the code around it ({why})"
                ),
            ));
        }
        // A definition whose head the preprocessor chooses (`#if DBG` head
        // `#else` head `#endif` body): there is no one head to wrap.
        for (index, item) in items.iter().enumerate() {
            let (Some(name), true) = (file.names[index], item.crossing) else {
                continue;
            };
            let routine = file.word(name);
            if item.body().is_some() && self.needs_wrapping(routine) {
                // Where the first of its heads names it.
                let first = item
                    .head()
                    .find(|&t| file.word(t) == routine)
                    .unwrap_or(name);
                return Err(self.error(
                    Code::UnreadableCode,
                    file.start(first),
                    format!(
                        "cannot wrap `{routine}`: the preprocessor chooses its head (`#if` around the head, \
                         not the body); write it once, with the conditional parts inside the parameter \
                         list or the body"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn line_column(&self, offset: usize) -> String {
        let position = self.position(offset);
        format!("{}:{}", position.line, position.column)
    }
}
