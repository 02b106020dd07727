//! A C file as the weaver reads it: scanned once (`scan.rs`), its top-level
//! structure found from the tokens (`structure.rs`), and only the pieces
//! where C's grammar matters given to tree-sitter (`tree.rs`): the heads of
//! the definitions the weaver rewrites and the declarations it reads.
//!
//! Function bodies, which are most of a driver, are never parsed: what the
//! weaver needs from them (calls of the bound APIs, uses of their
//! addresses, registrations of routines) is found in their tokens.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;

use tree_sitter::Tree;

use super::scan::{DirectiveKind, Kind, Scan, Token, scan};
use super::structure::{Owners, Structure, definition_name, structure};
use crate::hash::Fnv;

pub struct CFile<'t> {
    pub text: &'t str,
    pub scan: Scan,
    pub structure: Structure,
    /// For each item of the structure, the token of the name it defines if
    /// it is a function definition.
    pub names: Vec<Option<usize>>,
}

/// A map keyed by identifiers, with a hash cheaper than the default one:
/// the weaver looks up every identifier of a file.
pub type WordMap<'w, V> = HashMap<&'w str, V, BuildHasherDefault<Fnv>>;

/// The shapes (first byte and length) of a set of words. Most identifiers
/// of a file have none of them, and are turned away without hashing.
pub struct Shapes([u64; 256]);

impl Shapes {
    pub fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> Shapes {
        let mut shapes = Shapes([0; 256]);
        for word in words {
            if let Some((first, bit)) = Shapes::shape(word) {
                shapes.0[first] |= bit;
            }
        }
        shapes
    }

    /// Whether `word` may be one of the words.
    pub fn may_hold(&self, word: &str) -> bool {
        Shapes::shape(word).is_some_and(|(first, bit)| self.0[first] & bit != 0)
    }

    /// Lengths from 63 on share a bit.
    fn shape(word: &str) -> Option<(usize, u64)> {
        let first = *word.as_bytes().first()?;
        Some((first as usize, 1 << word.len().min(63)))
    }
}

/// An identifier the caller is interested in, and where it is.
#[derive(Debug, Clone, Copy)]
pub struct Hit<I> {
    pub token: usize,
    /// The item it is in.
    pub item: Option<usize>,
    pub place: Place,
    pub interest: I,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In the body of a function definition.
    Body,
    /// In a declaration, or in the head of a definition.
    Head,
    /// In no item: between the branches of an `#if` that left it behind.
    Nowhere,
}

/// How many ranges tree-sitter parses at a time: it looks for the range of
/// a position from the first one on, so a parse costs the square of its
/// ranges, and each parse has its own set-up. 8 was the fastest of 1 to 32
/// on the benchmark's 50,000-line driver (32 took a third longer).
const RANGES_PER_PARSE: usize = 8;

/// A batch of a file's pieces, parsed.
pub struct Parsed<'p> {
    pub tree: &'p Tree,
    /// The ranges tree-sitter saw, sorted.
    pub ranges: &'p [Range<usize>],
}

impl<'t> CFile<'t> {
    /// Scans a file and finds its structure. The text must be at most
    /// `u32::MAX` bytes long.
    pub fn read(text: &'t str, extra_blank: &[String]) -> CFile<'t> {
        let scan = scan(text, extra_blank);
        let structure = structure(&scan, text);
        let names = structure
            .items
            .iter()
            .map(|item| {
                item.body()?;
                definition_name(&scan.tokens, text, item.head())
            })
            .collect();
        CFile {
            text,
            scan,
            structure,
            names,
        }
    }

    pub fn tokens(&self) -> &[Token] {
        &self.scan.tokens
    }

    pub fn word(&self, token: usize) -> &'t str {
        &self.text[self.scan.tokens[token].range()]
    }

    pub fn start(&self, token: usize) -> usize {
        self.scan.tokens[token].start as usize
    }

    /// The name of the function an item defines.
    pub fn name(&self, item: usize) -> Option<&'t str> {
        self.names[item].map(|token| self.word(token))
    }

    /// Where the name of the definition of `function` is, if the file
    /// defines it.
    pub fn definition_of(&self, function: &str) -> Option<usize> {
        (0..self.names.len())
            .find(|&item| self.name(item) == Some(function))
            .and_then(|item| self.names[item])
            .map(|token| self.start(token))
    }

    /// The bytes from the first of the tokens to the end of the last.
    pub fn bytes(&self, tokens: Range<usize>) -> Range<usize> {
        if tokens.is_empty() {
            let at = self
                .scan
                .tokens
                .get(tokens.start)
                .map_or(self.text.len(), |t| t.start as usize);
            return at..at;
        }
        self.start(tokens.start)..self.scan.tokens[tokens.end - 1].end as usize
    }

    /// The previous token, past directives.
    pub fn previous(&self, index: usize) -> Option<usize> {
        (0..index)
            .rev()
            .find(|&i| self.scan.tokens[i].kind != Kind::Directive)
    }

    /// The next token, past directives.
    pub fn next(&self, index: usize) -> Option<usize> {
        (index + 1..self.scan.tokens.len()).find(|&i| self.scan.tokens[i].kind != Kind::Directive)
    }

    /// Whether the token at `index` (if any) is this punctuation.
    pub fn is(&self, index: Option<usize>, byte: u8) -> bool {
        index
            .and_then(|i| self.scan.tokens.get(i))
            .is_some_and(|token| token.is(byte))
    }

    /// The token that closes the `(`, `[` or `{` at `open`, in the same
    /// statement.
    pub fn closing(&self, open: usize) -> Option<usize> {
        self.matching(open..self.scan.tokens.len(), b"([{", b")]}")
    }

    /// The token that opens the `)`, `]` or `}` at `close`, in the same
    /// statement.
    pub fn opening(&self, close: usize) -> Option<usize> {
        self.matching((0..=close).rev(), b")]}", b"([{")
    }

    /// Walks `indexes` from a delimiter to the one that balances it; a `;`
    /// on the way means the two are not in one statement.
    fn matching(
        &self,
        indexes: impl Iterator<Item = usize>,
        deeper: &[u8],
        shallower: &[u8],
    ) -> Option<usize> {
        let mut depth = 0usize;
        for index in indexes {
            match self.scan.tokens[index].kind {
                Kind::Punctuation(b';') => return None,
                Kind::Punctuation(byte) if deeper.contains(&byte) => depth += 1,
                Kind::Punctuation(byte) if shallower.contains(&byte) => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Every identifier `interest` answers for, in order, with where it is.
    pub fn hits<I>(&self, mut interest: impl FnMut(&str) -> Option<I>) -> Vec<Hit<I>> {
        let items = &self.structure.items;
        let mut owners = Owners::new(items);
        let mut hits = Vec::new();
        for (index, token) in self.scan.tokens.iter().enumerate() {
            if token.kind != Kind::Identifier {
                continue;
            }
            let Some(found) = interest(&self.text[token.range()]) else {
                continue;
            };
            let item = owners.of(index);
            let place = match item.map(|item| items[item].body()) {
                None => Place::Nowhere,
                Some(Some((open, close))) if index > open && close.is_none_or(|c| index < c) => {
                    Place::Body
                }
                Some(_) => Place::Head,
            };
            hits.push(Hit {
                token: index,
                item,
                place,
                interest: found,
            });
        }
        hits
    }

    /// Whether an item can be given to tree-sitter: its shape is its own
    /// (not chosen by `#if`) and its delimiters balance.
    pub fn parsable(&self, item: usize) -> bool {
        let item = &self.structure.items[item];
        !item.crossing
            && item.imbalance.is_none()
            && item.body().is_none_or(|(_, close)| close.is_some())
    }

    /// Parses the given items (parsable ones, in order): declarations
    /// whole, definitions without their bodies (`HEAD {}`), a batch at a
    /// time; `read` takes what it needs from each batch before the next
    /// is parsed.
    pub fn parse(&self, items: &[usize], mut read: impl FnMut(&Parsed)) {
        // Byte ranges; one that follows the last with only blanks between
        // joins it (declarations one after the other). A head is marked:
        // its body's `}` must be parsed with it.
        let mut spans: Vec<(Range<usize>, bool)> = Vec::new();
        for &index in items {
            if !self.parsable(index) {
                continue;
            }
            let item = &self.structure.items[index];
            let pieces = match item.body() {
                Some((open, Some(close))) => [
                    Some((item.tokens.start..open + 1, true)),
                    Some((close..close + 1, false)),
                ],
                _ => [Some((item.tokens.clone(), false)), None],
            };
            for (tokens, head) in pieces.into_iter().flatten() {
                let range = self.bytes(tokens);
                match spans.last_mut() {
                    Some((last, _)) if last.end > range.start => {}
                    Some((last, last_head)) if self.only_blanks(last.end..range.start) => {
                        last.end = range.end;
                        *last_head = head;
                    }
                    _ => spans.push((range, head)),
                }
            }
        }
        // tree-sitter looks for the range of each position it reads from
        // the first one on: many ranges in one parse take quadratic time, so
        // they are parsed a batch at a time (a head with its `}`).
        let mut batches: Vec<Vec<Range<usize>>> = vec![Vec::new()];
        for (range, head) in spans {
            let batch = batches.last_mut().expect("there is a batch");
            batch.push(range);
            if !head && batch.len() >= RANGES_PER_PARSE {
                batches.push(Vec::new());
            }
        }
        let mut parser = super::tree::parser();
        for batch in &batches {
            let tree = super::tree::parse_ranges(
                &mut parser,
                self.text,
                &self.scan.blanked,
                batch,
                &self.scan.line_starts,
            );
            if let Some(tree) = tree {
                read(&Parsed {
                    tree: &tree,
                    ranges: batch,
                });
            }
        }
    }

    /// Whether the bytes hold only white space and attribute-like macros.
    fn only_blanks(&self, range: Range<usize>) -> bool {
        let bytes = self.text.as_bytes();
        let blanked = &self.scan.blanked;
        let mut at = range.start;
        while at < range.end {
            if bytes[at].is_ascii_whitespace() {
                at += 1;
                continue;
            }
            let index = blanked.partition_point(|b| b.range.end <= at);
            match blanked.get(index) {
                Some(macro_) if macro_.range.start <= at => at = macro_.range.end,
                _ => return false,
            }
        }
        true
    }

    /// The text of `range` with its attribute-like macros blanked, as
    /// tree-sitter saw it.
    pub fn blanked(&self, range: Range<usize>) -> String {
        let mut text = self.text.as_bytes()[range.clone()].to_vec();
        let blanked = &self.scan.blanked;
        let first = blanked.partition_point(|b| b.range.end <= range.start);
        for macro_ in blanked[first..]
            .iter()
            .take_while(|b| b.range.start < range.end)
        {
            let inside = macro_.range.start.max(range.start)..macro_.range.end.min(range.end);
            for byte in &mut text[inside.start - range.start..inside.end - range.start] {
                if *byte != b'\n' && *byte != b'\r' {
                    *byte = b' ';
                }
            }
        }
        String::from_utf8_lossy(&text).into_owned()
    }

    /// The paths of `#include "path"`, in order.
    pub fn quoted_includes(&self) -> Vec<String> {
        self.scan
            .directives
            .iter()
            .filter_map(|directive| match &directive.kind {
                DirectiveKind::Include { quoted: Some(path) } => {
                    Some(self.text[path.clone()].to_string())
                }
                _ => None,
            })
            .collect()
    }

    /// Every `#define` with a value: its name and the value's bytes.
    pub fn macro_definitions(&self) -> Vec<(&'t str, Range<usize>)> {
        self.scan
            .directives
            .iter()
            .filter_map(|directive| match &directive.kind {
                DirectiveKind::Define(define) => {
                    Some((&self.text[define.name.clone()], define.value.clone()?))
                }
                _ => None,
            })
            .collect()
    }
}

impl Parsed<'_> {
    /// The bytes the batch covers.
    pub fn span(&self) -> Range<usize> {
        self.ranges[0].start..self.ranges[self.ranges.len() - 1].end
    }

    /// The parts of `range` that tree-sitter saw.
    pub fn seen(&self, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
        let first = self.ranges.partition_point(|r| r.end <= range.start);
        self.ranges[first..]
            .iter()
            .take_while(move |r| r.start < range.end)
            .map(move |r| r.start.max(range.start)..r.end.min(range.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_sitter_sees_attribute_macros_as_spaces() {
        let source = "_Dispatch_type_(IRP_MJ_READ)\nNTSTATUS NTAPI Read(_In_ PDEVICE_OBJECT d,\n _Out_writes_(n\n) PVOID b);";
        let file = CFile::read(source, &[]);
        let blanked = file.blanked(0..source.len());
        assert_eq!(blanked.len(), source.len());
        assert_eq!(
            blanked.split_whitespace().collect::<Vec<_>>(),
            ["NTSTATUS", "Read(", "PDEVICE_OBJECT", "d,", "PVOID", "b);"]
        );
        assert_eq!(
            blanked.matches('\n').count(),
            3,
            "lines stay where they were"
        );
    }

    #[test]
    fn shapes_hold_their_words_and_turn_most_others_away() {
        let words = ["KeAcquireSpinLock", "IoSetCancelRoutine", "M", ""];
        let shapes = Shapes::new(words);
        for word in &words[..3] {
            assert!(shapes.may_hold(word), "{word}");
        }
        for other in ["", "KeLowerIrql", "Irp", "N", "KeAcquireSpinLocX_longer"] {
            assert!(!shapes.may_hold(other), "{other}");
        }
        // Same first byte and length: a hash lookup answers.
        assert!(shapes.may_hold("KeAcquireSpinLocX"));
    }

    /// The name the scan gives each definition is the one tree-sitter
    /// finds in its head.
    #[test]
    fn definition_names_agree_with_tree_sitter() {
        let tricky = "int (*f(void))(void) { return 0; }\nstatic VOID NTAPI\ng(_In_ PVOID a) { }\n\
                      NTSTATUS (h)(PIRP i) { return 0; }\nint k(a, b) int a; char *b; { return a; }\n\
                      void (*signal(int sig, void (*func)(int)))(int) { return 0; }\n\
                      struct S *m(void) __attribute__((unused)) { return 0; }\n";
        let texts = [
            tricky,
            include_str!("../../../tests/fixtures/wdk-style/knr.c"),
            include_str!("../../../tests/fixtures/wdk-style/ntapi_inline.c"),
            include_str!("../../../tests/fixtures/wdk-style/sal_dispatch.c"),
            include_str!("../../../tests/drivers/serial/serial.c"),
            include_str!("../../../tests/drivers/wdk/wdm_user.c"),
        ];
        for text in texts {
            let file = CFile::read(text, &[]);
            let definitions: Vec<usize> = (0..file.structure.items.len())
                .filter(|&item| file.structure.items[item].body().is_some())
                .collect();
            assert!(!definitions.is_empty());
            let mut parsed = Vec::new();
            file.parse(&definitions, |pieces| {
                super::super::tree::walk(pieces.tree, |visit| {
                    if visit.node.kind() == "function_definition" {
                        let name = super::super::tree::child(
                            visit.node,
                            super::super::tree::Field::Declarator,
                        )
                        .and_then(super::super::tree::declared_name);
                        parsed.push(name.map(|n| n.start_byte()));
                    }
                });
            });
            let scanned: Vec<Option<usize>> = definitions
                .iter()
                .map(|&item| file.names[item].map(|token| file.start(token)))
                .collect();
            assert_eq!(scanned, parsed);
        }
    }
}
