//! The edit engine both weavers use.
//!
//! A weaver never splices strings as it goes: it describes each change as
//! an edit (a byte range of the input and its replacement), and the edits
//! are made in one sorted pass. Two edits that overlap are a bug in the
//! weaver, so they are refused, never silently merged. Insertions at the
//! same position keep the order in which they were made.
//!
//! The edits are kept in an [`EditBuffer`], whose replacements are written
//! one after another into one buffer (a weaver makes tens of thousands):
//! a `String` for the IR weaver, bytes for the C weaver (which copies a
//! routine's head from a file that need not be UTF-8). The output is
//! written in stretches ([`EditBuffer::write_through`]), each the input's
//! bytes and the edits inside them, as pieces handed to a writer without
//! being copied first: a large output is never built whole, and the buffer
//! holds only the edits of the stretch not yet written.

use std::io::{IoSlice, Write};
use std::ops::Range;

/// Two edits that touch the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub first: Range<usize>,
    pub second: Range<usize>,
}

impl std::fmt::Display for Overlap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "edits overlap: bytes {}..{} and {}..{}",
            self.first.start, self.first.end, self.second.start, self.second.end
        )
    }
}

/// Checks ranges sorted by (start, end): inside `bounds` (a range
/// outside is one the caller has already written, or past the source),
/// and no two overlapping (insertions at one position, and an insertion
/// where a replacement starts, are fine).
fn check_sorted<'r>(
    ranges: impl Iterator<Item = &'r Range<usize>>,
    bounds: Range<usize>,
) -> Result<(), Overlap> {
    let mut previous: Option<&Range<usize>> = None;
    for range in ranges {
        assert!(
            range.start <= range.end && range.end <= bounds.end,
            "edit {range:?} outside a source of {} bytes",
            bounds.end
        );
        if range.start < bounds.start {
            return Err(Overlap {
                first: 0..bounds.start,
                second: range.clone(),
            });
        }
        if let Some(previous) = previous {
            let overlaps = range.start < previous.end
                || (range.start == previous.start && !previous.is_empty() && !range.is_empty());
            if overlaps {
                return Err(Overlap {
                    first: previous.clone(),
                    second: range.clone(),
                });
            }
        }
        previous = Some(range);
    }
    Ok(())
}

/// Edits whose replacements share one buffer (`Text`: a `String`, or
/// bytes). A replacement is either given whole ([`EditBuffer::replace`])
/// or written straight into `text` and then recorded
/// ([`EditBuffer::mark`], [`EditBuffer::insert_since`]).
#[derive(Debug, Default)]
pub struct EditBuffer<Text = String> {
    /// Every replacement, one after another.
    pub text: Text,
    /// (range of the source, range of `text`), in the order made.
    edits: Vec<(Range<usize>, Range<usize>)>,
}

/// What an [`EditBuffer`] writes its replacements into.
pub trait Replacements: AsRef<[u8]> {
    fn clear(&mut self);
}

impl Replacements for String {
    fn clear(&mut self) {
        String::clear(self);
    }
}

impl Replacements for Vec<u8> {
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

impl EditBuffer<String> {
    pub fn replace(&mut self, range: Range<usize>, replacement: &str) {
        let mark = self.mark();
        self.text.push_str(replacement);
        self.replace_since(range, mark);
    }

    pub fn insert(&mut self, at: usize, text: &str) {
        self.replace(at..at, text);
    }
}

impl EditBuffer<Vec<u8>> {
    pub fn replace(&mut self, range: Range<usize>, replacement: &[u8]) {
        let mark = self.mark();
        self.text.extend_from_slice(replacement);
        self.replace_since(range, mark);
    }

    pub fn insert(&mut self, at: usize, text: &[u8]) {
        self.replace(at..at, text);
    }
}

impl<Text: Replacements> EditBuffer<Text> {
    /// Where the next replacement written into `text` starts.
    pub fn mark(&self) -> usize {
        self.text.as_ref().len()
    }

    /// Makes what was written into `text` since `mark` the replacement of
    /// `range`.
    pub fn replace_since(&mut self, range: Range<usize>, mark: usize) {
        let end = self.mark();
        self.edits.push((range, mark..end));
    }

    /// Inserts what was written into `text` since `mark` at `at`, unless
    /// nothing was.
    pub fn insert_since(&mut self, at: usize, mark: usize) {
        if self.mark() > mark {
            self.replace_since(at..at, mark);
        }
    }

    /// How many edits are waiting to be written.
    pub fn len(&self) -> usize {
        self.edits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Puts the edits in the order they are written and checks them: each
    /// inside `bounds`, none overlapping another.
    pub fn sort_and_check(&mut self, bounds: Range<usize>) -> Result<(), Overlap> {
        // Stable: insertions at one position stay in the order they were
        // made, and an insertion sorts before a replacement that starts
        // there.
        self.edits
            .sort_by_key(|(range, _)| (range.start, range.end));
        check_sorted(self.edits.iter().map(|(range, _)| range), bounds)
    }

    /// Writes `source[from..to]` with the edits, which
    /// [`EditBuffer::sort_and_check`] has put in order and checked against
    /// `from..to`, to `out`, in pieces.
    pub fn write_sorted(
        &self,
        source: &[u8],
        from: usize,
        to: usize,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let mut position = from;
        let last = self.edits.last().map_or(from, |(range, _)| range.end);
        let text = self.text.as_ref();
        let pieces = self
            .edits
            .iter()
            .flat_map(move |(range, replacement)| {
                let kept = &source[position..range.start];
                position = range.end;
                [kept, &text[replacement.clone()]]
            })
            .chain(std::iter::once(&source[last..to]));
        write_byte_pieces(out, pieces)
    }

    /// `source`, any bytes, with every edit: the whole output at once
    /// (what no edit touches is copied as it is).
    pub fn apply(&mut self, source: &[u8]) -> Result<Vec<u8>, Overlap> {
        self.sort_and_check(0..source.len())?;
        let mut out = Vec::with_capacity(source.len() + self.text.as_ref().len());
        self.write_sorted(source, 0, source.len(), &mut out)
            .expect("writing to memory does not fail");
        Ok(out)
    }

    /// Writes `source[from..to]` with every edit made so far, each of
    /// which lies inside it, to `out`, then forgets the edits: a weaver
    /// writes its output as it goes, and holds only the edits of the part
    /// it has not written yet.
    pub fn write_through(
        &mut self,
        source: &(impl AsRef<[u8]> + ?Sized),
        from: usize,
        to: usize,
        out: &mut dyn Write,
    ) -> Result<(), Unwritten> {
        self.sort_and_check(from..to).map_err(Unwritten::Overlap)?;
        self.write_sorted(source.as_ref(), from, to, out)
            .map_err(Unwritten::Write)?;
        self.text.clear();
        self.edits.clear();
        Ok(())
    }
}

/// Why [`EditBuffer::write_through`] failed.
#[derive(Debug)]
pub enum Unwritten {
    Overlap(Overlap),
    Write(std::io::Error),
}

/// Writes `pieces` in order, a batch of them per system call (`writev`),
/// without copying them into a buffer first: a woven module is its input
/// and its edits, in some hundred thousand pieces.
pub fn write_pieces<'a>(
    out: &mut dyn Write,
    pieces: impl Iterator<Item = &'a str>,
) -> std::io::Result<()> {
    write_byte_pieces(out, pieces.map(str::as_bytes))
}

/// [`write_pieces`] of bytes.
pub fn write_byte_pieces<'a>(
    out: &mut dyn Write,
    pieces: impl Iterator<Item = &'a [u8]>,
) -> std::io::Result<()> {
    // IOV_MAX on Linux and the BSDs.
    const BATCH: usize = 1024;
    let mut pieces = pieces.filter(|piece| !piece.is_empty());
    let mut batch: Vec<IoSlice<'a>> = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        batch.extend(pieces.by_ref().take(BATCH).map(IoSlice::new));
        if batch.is_empty() {
            return Ok(());
        }
        let mut slices = &mut batch[..];
        while !slices.is_empty() {
            match out.write_vectored(slices) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(written) => IoSlice::advance_slices(&mut slices, written),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `source` with `edits` (ranges and replacements, in the order made).
    fn apply(source: &[u8], edits: &[(Range<usize>, &[u8])]) -> Result<Vec<u8>, Overlap> {
        let mut buffer = EditBuffer::<Vec<u8>>::default();
        for (range, replacement) in edits {
            buffer.replace(range.clone(), replacement);
        }
        buffer.apply(source)
    }

    #[test]
    fn edits_apply_in_position_order() {
        let edits: &[(Range<usize>, &[u8])] = &[
            (6..11, b"there"),
            (0..0, b">> "),
            (11..11, b"!"),
            (0..0, b"[1] "),
        ];
        assert_eq!(
            apply(b"hello world", edits).unwrap(),
            b">> [1] hello there!"
        );
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let error = apply(b"abcdef", &[(1..4, b"x"), (3..5, b"y")]).unwrap_err();
        assert_eq!(
            error,
            Overlap {
                first: 1..4,
                second: 3..5
            }
        );
        assert!(apply(b"abcdef", &[(1..4, b"x"), (1..4, b"y")]).is_err());
    }

    #[test]
    fn touching_edits_and_insertions_inside_are_fine() {
        let edits: &[(Range<usize>, &[u8])] = &[(0..2, b"AB"), (2..4, b"CD"), (4..4, b"-")];
        assert_eq!(apply(b"abcdef", edits).unwrap(), b"ABCD-ef");
    }

    /// Bytes that are not UTF-8, in the source and in a replacement, come
    /// out as they went in.
    #[test]
    fn any_bytes_are_kept() {
        let source = b"\xef\xbb\xbf/* l\x92objet */ f(\x00);\r\n";
        let edits: &[(Range<usize>, &[u8])] = &[(17..18, b"g"), (3..3, b"\x93\n")];
        assert_eq!(
            apply(source, edits).unwrap(),
            b"\xef\xbb\xbf\x93\n/* l\x92objet */ g(\x00);\r\n"
        );
    }

    /// Written in stretches, the output is what it is written whole, and
    /// the buffer is empty after each stretch.
    #[test]
    fn stretches_write_what_the_whole_does() {
        let source = "int f(void) { g(); }\nint h(void) { g(); }\n";
        let mut whole = EditBuffer::<String>::default();
        let mut parts = EditBuffer::<String>::default();
        let mut out = Vec::new();
        for (at, buffer) in [(14, &mut whole), (14, &mut parts)] {
            buffer.replace(at..at + 1, "slic_g");
            buffer.insert(at + 2, "site, ");
        }
        parts.write_through(source, 0, 21, &mut out).unwrap();
        assert!(parts.is_empty() && parts.text.is_empty());
        for (at, buffer) in [(35, &mut whole), (35, &mut parts)] {
            buffer.replace(at..at + 1, "slic_g");
            buffer.insert(at + 2, "site, ");
        }
        parts
            .write_through(source, 21, source.len(), &mut out)
            .unwrap();
        assert_eq!(out, whole.apply(source.as_bytes()).unwrap());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "int f(void) { slic_g(site, ); }\nint h(void) { slic_g(site, ); }\n"
        );
    }
}
