//! The benchmarks make their own large inputs from the mock drivers.

use std::collections::BTreeSet;
use std::path::Path;

/// Replaces whole identifiers by their renamed forms.
fn rename(text: &str, names: &BTreeSet<String>, suffix: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte.is_ascii_alphabetic() || byte == b'_' {
            let start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            let word = &text[start..at];
            out.push_str(word);
            if names.contains(word) {
                out.push_str(suffix);
            }
        } else {
            // Copies a whole character (the sources may hold UTF-8).
            let length = text[at..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[at..at + length]);
            at += length;
        }
    }
    out
}

/// A driver file of at least `lines` lines: the routines (and macros) of a
/// mock driver's `driver.c`, copied again and again under numbered names,
/// each copy with the role declarations its header has. Every copy is a
/// real driver's code, so the weaver has as much to do per line as in the
/// original. Returns the number of lines written.
pub fn large_c_driver(driver: &Path, lines: usize, output: &Path) -> usize {
    let source = std::fs::read_to_string(driver.join("driver.c")).expect("driver.c");
    let header = std::fs::read_to_string(driver.join("driver.h")).expect("driver.h");
    let include = "#include \"driver.h\"\n";
    let (head, body) = source
        .split_once(include)
        .expect("driver.c includes driver.h");
    // `DRIVER_DISPATCH DispatchRead;`: role-type declarations.
    let roles: Vec<(&str, &str)> = header
        .lines()
        .filter_map(|line| {
            let (role, name) = line.strip_suffix(';')?.split_once(' ')?;
            let is_role = role.starts_with("DRIVER_")
                || (role.starts_with("IO_") && role.ends_with("_ROUTINE"))
                || role == "KDEFERRED_ROUTINE"
                || role == "KSERVICE_ROUTINE";
            (is_role && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then_some((role, name))
        })
        .collect();
    // Routines defined at the start of a line, WDK style, and macros.
    let mut names: BTreeSet<String> = BTreeSet::new();
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("#define ") {
            names.insert(
                rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .unwrap()
                    .to_string(),
            );
        } else if let Some((name, _)) = line.split_once('(')
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric())
        {
            names.insert(name.to_string());
        }
    }
    let mut out = format!("{head}{include}");
    let mut count = out.lines().count();
    let mut copy = 0;
    while count < lines {
        let suffix = format!("_{copy}");
        let mut piece = String::new();
        for (role, name) in &roles {
            piece.push_str(&format!("{role} {name}{suffix};\n"));
        }
        piece.push_str(&rename(body, &names, &suffix));
        count += piece.lines().count();
        out.push_str(&piece);
        copy += 1;
    }
    std::fs::write(output, out).expect("the generated driver is written");
    count
}
