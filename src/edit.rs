//! The edit engine both weavers use.
//!
//! A weaver never splices strings as it goes: it describes each change as
//! an [`Edit`] (a byte range of the input and its replacement), and `apply`
//! makes them all in one sorted pass. Two edits that overlap are a bug in
//! the weaver, so they are refused, never silently merged. Insertions at
//! the same position keep the order in which they were made.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, replacement: impl Into<String>) -> Edit {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
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

/// Applies every edit to `source`. Edits may come in any order.
pub fn apply(source: &str, mut edits: Vec<Edit>) -> Result<String, Overlap> {
    // Stable: insertions at one position stay in the order they were made,
    // and an insertion sorts before a replacement that starts there.
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(
        source.len() + edits.iter().map(|e| e.replacement.len()).sum::<usize>(),
    );
    let mut position = 0;
    let mut previous: Option<Range<usize>> = None;
    for edit in edits {
        assert!(
            edit.range.start <= edit.range.end && edit.range.end <= source.len(),
            "edit {:?} outside a source of {} bytes",
            edit.range,
            source.len()
        );
        if let Some(previous) = &previous {
            let overlaps = edit.range.start < previous.end
                || (edit.range.start == previous.start
                    && !previous.is_empty()
                    && !edit.range.is_empty());
            if overlaps {
                return Err(Overlap {
                    first: previous.clone(),
                    second: edit.range,
                });
            }
        }
        out.push_str(&source[position..edit.range.start]);
        out.push_str(&edit.replacement);
        position = edit.range.end;
        previous = Some(edit.range);
    }
    out.push_str(&source[position..]);
    Ok(out)
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
        assert_eq!(apply("hello world", edits).unwrap(), ">> [1] hello there!");
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let error = apply(
            "abcdef",
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
                "abcdef",
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
        assert_eq!(apply("abcdef", edits).unwrap(), "ABCD-ef");
    }
}
