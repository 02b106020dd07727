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
//! weaver that makes tens of thousands). Either gives an [`Edited`]: the
//! input and its sorted edits, read as the pieces of the output, so a
//! large output can be written out without being built first.

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
    check_sorted(edits.iter().map(|edit| &edit.range), source.len())?;
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

/// Checks ranges sorted by (start, end): inside a source of `length`
/// bytes, and no two overlapping (insertions at one position, and an
/// insertion where a replacement starts, are fine).
fn check_sorted<'r>(
    ranges: impl Iterator<Item = &'r Range<usize>>,
    length: usize,
) -> Result<(), Overlap> {
    let mut previous: Option<&Range<usize>> = None;
    for range in ranges {
        assert!(
            range.start <= range.end && range.end <= length,
            "edit {range:?} outside a source of {length} bytes"
        );
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

    /// The edits sorted, checked and ready to read as the output.
    pub fn apply(mut self, source: &str) -> Result<Edited<'_>, Overlap> {
        // Stable: insertions at one position stay in the order they were
        // made, and an insertion sorts before a replacement that starts
        // there.
        self.edits
            .sort_by_key(|(range, _)| (range.start, range.end));
        check_sorted(self.edits.iter().map(|(range, _)| range), source.len())?;
        Ok(Edited {
            source,
            text: self.text,
            edits: self.edits,
        })
    }
}

/// A source and its edits, sorted and without overlaps: the output, as
/// pieces of the source and replacements.
#[derive(Debug)]
pub struct Edited<'s> {
    source: &'s str,
    text: String,
    edits: Vec<(Range<usize>, Range<usize>)>,
}

impl Edited<'_> {
    /// The output, piece by piece, in order (some pieces may be empty).
    pub fn pieces(&self) -> impl Iterator<Item = &str> {
        let mut position = 0;
        self.edits
            .iter()
            .flat_map(move |(range, replacement)| {
                let kept = &self.source[position..range.start];
                position = range.end;
                [kept, &self.text[replacement.clone()]]
            })
            .chain(std::iter::once_with(move || {
                let last = self.edits.last().map_or(0, |(range, _)| range.end);
                &self.source[last..]
            }))
    }

    /// The length of the output in bytes.
    pub fn len(&self) -> usize {
        self.edits
            .iter()
            .map(|(range, replacement)| replacement.len() as isize - range.len() as isize)
            .sum::<isize>()
            .saturating_add_unsigned(self.source.len()) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The output as one string.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.len());
        for piece in self.pieces() {
            out.push_str(piece);
        }
        out
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
