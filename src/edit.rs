//! The edit engine both weavers use.
//!
//! A weaver never splices strings as it goes: it describes each change as
//! an edit (a byte range of the input and its replacement), and the edits
//! are made in one sorted pass. Two edits that overlap are a bug in the
//! weaver, so they are refused, never silently merged. Insertions at the
//! same position keep the order in which they were made.
//!
//! Edits come in two forms over the same engine: [`Edit`] values, each
//! with its own replacement (for a few edits), and an [`EditBuffer`], whose
//! replacements are written one after another into one string (for a
//! weaver that makes tens of thousands). [`apply`] makes the output of
//! [`Edit`]s whole; an [`EditBuffer`] is written out in stretches
//! ([`EditBuffer::write_through`]), each the input's bytes and the edits
//! inside them, as pieces handed to a writer without being copied first:
//! a large output is never built whole, and the buffer holds only the
//! edits of the stretch not yet written.

use std::io::{IoSlice, Write};
use std::ops::Range;

/// An edit of a source of bytes: its replacement may hold bytes copied
/// from a source that is not UTF-8 (the C weaver copies a routine's head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: Vec<u8>,
}

impl Edit {
    pub fn replace(range: Range<usize>, replacement: impl Into<Vec<u8>>) -> Edit {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<Vec<u8>>) -> Edit {
        Edit::replace(at..at, text)
    }
}

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

/// Applies every edit to `source`, any bytes: what no edit touches is
/// copied as it is. Edits may come in any order.
pub fn apply(source: &[u8], mut edits: Vec<Edit>) -> Result<Vec<u8>, Overlap> {
    // Stable, as in `EditBuffer::apply`.
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    check_sorted(edits.iter().map(|edit| &edit.range), 0..source.len())?;
    let added: usize = edits.iter().map(|e| e.replacement.len()).sum();
    let mut out = Vec::with_capacity(source.len() + added);
    let mut position = 0;
    for edit in &edits {
        out.extend_from_slice(&source[position..edit.range.start]);
        out.extend_from_slice(&edit.replacement);
        position = edit.range.end;
    }
    out.extend_from_slice(&source[position..]);
    Ok(out)
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

/// Edits whose replacements share one string. A replacement is either
/// given whole ([`EditBuffer::replace`]) or written straight into `text`
/// and then recorded ([`EditBuffer::mark`], [`EditBuffer::insert_since`]).
#[derive(Debug, Default)]
pub struct EditBuffer {
    /// Every replacement, one after another.
    pub text: String,
    /// (range of the source, range of `text`), in the order made.
    edits: Vec<(Range<usize>, Range<usize>)>,
}

impl EditBuffer {
    pub fn replace(&mut self, range: Range<usize>, replacement: &str) {
        let mark = self.mark();
        self.text.push_str(replacement);
        self.replace_since(range, mark);
    }

    pub fn insert(&mut self, at: usize, text: &str) {
        self.replace(at..at, text);
    }

    /// Where the next replacement written into `text` starts.
    pub fn mark(&self) -> usize {
        self.text.len()
    }

    /// Makes what was written into `text` since `mark` the replacement of
    /// `range`.
    pub fn replace_since(&mut self, range: Range<usize>, mark: usize) {
        self.edits.push((range, mark..self.text.len()));
    }

    /// Inserts what was written into `text` since `mark` at `at`, unless
    /// nothing was.
    pub fn insert_since(&mut self, at: usize, mark: usize) {
        if self.text.len() > mark {
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

    /// Writes `source[from..to]` with every edit made so far, each of
    /// which lies inside it, to `out`, then forgets the edits: a weaver
    /// writes its output as it goes, and holds only the edits of the part
    /// it has not written yet.
    pub fn write_through(
        &mut self,
        source: &str,
        from: usize,
        to: usize,
        out: &mut dyn Write,
    ) -> Result<(), Unwritten> {
        // Stable: insertions at one position stay in the order they were
        // made, and an insertion sorts before a replacement that starts
        // there.
        self.edits
            .sort_by_key(|(range, _)| (range.start, range.end));
        check_sorted(self.edits.iter().map(|(range, _)| range), from..to)
            .map_err(Unwritten::Overlap)?;
        let mut position = from;
        let last = self.edits.last().map_or(from, |(range, _)| range.end);
        let text = &self.text;
        let pieces = self
            .edits
            .iter()
            .flat_map(move |(range, replacement)| {
                let kept = &source[position..range.start];
                position = range.end;
                [kept, &text[replacement.clone()]]
            })
            .chain(std::iter::once(&source[last..to]));
        write_pieces(out, pieces).map_err(Unwritten::Write)?;
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
    // IOV_MAX on Linux and the BSDs.
    const BATCH: usize = 1024;
    let mut pieces = pieces.filter(|piece| !piece.is_empty());
    let mut batch: Vec<IoSlice<'a>> = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        batch.extend(
            pieces
                .by_ref()
                .take(BATCH)
                .map(|piece| IoSlice::new(piece.as_bytes())),
        );
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

    #[test]
    fn edits_apply_in_position_order() {
        let edits = vec![
            Edit::replace(6..11, "there"),
            Edit::insert(0, ">> "),
            Edit::insert(11, "!"),
            Edit::insert(0, "[1] "),
        ];
        assert_eq!(
            apply(b"hello world", edits).unwrap(),
            b">> [1] hello there!"
        );
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let error = apply(
            b"abcdef",
            vec![Edit::replace(1..4, "x"), Edit::replace(3..5, "y")],
        )
        .unwrap_err();
        assert_eq!(
            error,
            Overlap {
                first: 1..4,
                second: 3..5
            }
        );
        assert!(
            apply(
                b"abcdef",
                vec![Edit::replace(1..4, "x"), Edit::replace(1..4, "y")]
            )
            .is_err()
        );
    }

    #[test]
    fn touching_edits_and_insertions_inside_are_fine() {
        let edits = vec![
            Edit::replace(0..2, "AB"),
            Edit::replace(2..4, "CD"),
            Edit::insert(4, "-"),
        ];
        assert_eq!(apply(b"abcdef", edits).unwrap(), b"ABCD-ef");
    }

    /// Bytes that are not UTF-8, in the source and in a replacement, come
    /// out as they went in.
    #[test]
    fn any_bytes_are_kept() {
        let source = b"\xef\xbb\xbf/* l\x92objet */ f(\x00);\r\n";
        let edits = vec![
            Edit::replace(17..18, "g"),
            Edit::insert(3, b"\x93\n".to_vec()),
        ];
        assert_eq!(
            apply(source, edits).unwrap(),
            b"\xef\xbb\xbf\x93\n/* l\x92objet */ g(\x00);\r\n"
        );
    }
}
