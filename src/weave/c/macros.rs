//! The driver's own macros that use bound APIs ("bearing" macros): their
//! bodies are rewritten like code, and each use of one gets a site.

use std::collections::HashMap;
use std::ops::Range;

/// For each macro whose body uses APIs of `apis`, directly or through other
/// such macros, those APIs (sorted). A name pasted with `##` is part of
/// another token, whose name only the expansion knows, so it does not count.
pub fn bearing(
    definitions: &[(&str, Range<usize>)],
    text: &str,
    apis: &[String],
) -> HashMap<String, Vec<String>> {
    let mut found: HashMap<String, Vec<String>> = HashMap::new();
    // Each macro: its name, the words of its body, the body.
    type Body<'a> = (&'a str, Vec<(String, usize)>, &'a str);
    let bodies: Vec<Body> = definitions
        .iter()
        .map(|(name, value)| {
            (
                *name,
                identifiers(&text[value.clone()]),
                &text[value.clone()],
            )
        })
        .collect();
    // Grow the sets until they stop changing: a macro bears the APIs its
    // body names and those of the macros it uses. A macro defined twice
    // (in two `#if` branches) bears what either definition does.
    loop {
        let mut changed = false;
        for (name, words, body) in &bodies {
            let mut uses: Vec<String> = found.get(*name).cloned().unwrap_or_default();
            for (word, offset) in words {
                if is_pasted(body, *offset, word.len()) {
                    continue;
                }
                if apis.contains(word) {
                    uses.push(word.clone());
                } else if let Some(inner) = found.get(word) {
                    uses.extend(inner.iter().cloned());
                }
            }
            uses.sort();
            uses.dedup();
            if !uses.is_empty() && found.get(*name) != Some(&uses) {
                found.insert(name.to_string(), uses);
                changed = true;
            }
        }
        if !changed {
            return found;
        }
    }
}

/// Whether the word at `offset` in a macro body is an operand of `##`.
pub fn is_pasted(body: &str, offset: usize, length: usize) -> bool {
    body[..offset].trim_end().ends_with("##")
        || body[offset + length..].trim_start().starts_with("##")
}

/// Identifiers in raw text (macro bodies, regions tree-sitter could not
/// parse), with offsets; strings, character constants and comments are
/// skipped.
pub fn identifiers(text: &str) -> Vec<(String, usize)> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'"' || byte == b'\'' {
            at += 1;
            while at < bytes.len() && bytes[at] != byte {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at += 1;
        } else if bytes[at..].starts_with(b"/*") {
            // Bytes, not `str` slices: an escape skipped above may have
            // left `at` inside a multi-byte character.
            at = bytes[at + 2..]
                .windows(2)
                .position(|pair| pair == b"*/")
                .map_or(bytes.len(), |i| at + 2 + i + 2);
        } else if bytes[at..].starts_with(b"//") {
            at = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| at + i);
        } else if byte.is_ascii_alphabetic() || byte == b'_' {
            let start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            words.push((text[start..at].to_string(), start));
        } else if byte.is_ascii_digit() {
            while at < bytes.len()
                && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_' || bytes[at] == b'.')
            {
                at += 1;
            }
        } else {
            at += 1;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearing_macros_through_other_macros_and_twice_defined_ones() {
        let text = "KeAcquireSpinLock(a, b)|(x = KeAcquireSpinLockRaiseToDpc(a))|LOCK(l, i)|Kind##KeReleaseSpinLock(l)";
        let parts: Vec<std::ops::Range<usize>> = text
            .split('|')
            .scan(0, |at, part| {
                let range = *at..*at + part.len();
                *at += part.len() + 1;
                Some(range)
            })
            .collect();
        let definitions = [
            ("LOCK", parts[0].clone()),
            ("LOCK", parts[1].clone()),
            ("OUTER", parts[2].clone()),
            ("PASTED", parts[3].clone()),
        ];
        let apis: Vec<String> = [
            "KeAcquireSpinLock",
            "KeAcquireSpinLockRaiseToDpc",
            "KeReleaseSpinLock",
        ]
        .map(String::from)
        .to_vec();
        let found = bearing(&definitions, text, &apis);
        let both = ["KeAcquireSpinLock", "KeAcquireSpinLockRaiseToDpc"]
            .map(String::from)
            .to_vec();
        assert_eq!(found["LOCK"], both, "either definition's APIs");
        assert_eq!(found["OUTER"], both, "through LOCK");
        assert!(
            !found.contains_key("PASTED"),
            "a pasted name is another token"
        );
    }
}
