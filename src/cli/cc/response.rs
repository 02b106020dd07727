//! Response files: an argument `@FILE` stands for the words in FILE, as gcc
//! and clang read them (libiberty's `buildargv`): words are separated by
//! white space outside quotes, `'…'` and `"…"` quote, and a backslash takes
//! the next character as it is, inside quotes too. A word in a file may be
//! `@FILE` again. An `@FILE` that names no readable file is an ordinary
//! word, as the compilers take it. Build systems write them for long
//! command lines (CMake and Ninja on Windows, Meson, Bazel); a compile whose
//! sources hide in one must be woven like any other.

use std::path::Path;

/// How deep response files may name response files (gcc stops at 2000;
/// a cycle must not run forever).
const MAX_DEPTH: usize = 32;

/// How a response file is read: its text, `None` if there is no such
/// file, or why its text cannot be had.
pub(super) type Read<'a> = &'a dyn Fn(&Path) -> Option<Result<String, String>>;

/// `arguments` with every `@FILE` replaced by its words. `Err` says why a
/// file could not be read, or names a file that names itself, directly or
/// not, too deep.
pub(super) fn expand(arguments: &[String], read: Read) -> Result<Vec<String>, String> {
    let mut words = Vec::with_capacity(arguments.len());
    expand_into(arguments, read, 0, &mut words)?;
    Ok(words)
}

fn expand_into(
    arguments: &[String],
    read: Read,
    depth: usize,
    words: &mut Vec<String>,
) -> Result<(), String> {
    for argument in arguments {
        let text = argument
            .strip_prefix('@')
            .filter(|name| !name.is_empty())
            .and_then(|name| Some((name, read(Path::new(name))?)));
        match text {
            Some((name, _)) if depth == MAX_DEPTH => {
                return Err(format!(
                    "response file `{name}` is nested more than {MAX_DEPTH} deep (does it name itself?)"
                ));
            }
            Some((_, text)) => expand_into(&split(&text?), read, depth + 1, words)?,
            None => words.push(argument.clone()),
        }
    }
    Ok(())
}

/// The words of a response file.
pub(super) fn split(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        match (character, quote) {
            ('\\', _) => {
                word.extend(characters.next());
                in_word = true;
            }
            (c, Some(open)) if c == open => quote = None,
            (c, Some(_)) => word.push(c),
            ('\'' | '"', None) => {
                quote = Some(character);
                in_word = true;
            }
            (c, None) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (c, None) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn words_quotes_and_backslashes_as_gcc_reads_them() {
        let text = "-c  driver.c\n-o 'out dir/driver.o' \"-I/with space\" a\\ b '' 'it\\'s' \"x\\\"y\"\r\n";
        assert_eq!(
            split(text),
            strings(&[
                "-c",
                "driver.c",
                "-o",
                "out dir/driver.o",
                "-I/with space",
                "a b",
                "",
                "it's",
                "x\"y"
            ])
        );
    }

    #[test]
    fn files_expand_in_place_and_within_each_other() {
        let read = |path: &Path| match path.to_str()? {
            "outer.rsp" => Some(Ok("-O2 @inner.rsp -c".to_string())),
            "inner.rsp" => Some(Ok("driver.c -o driver.o".to_string())),
            _ => None,
        };
        let arguments = strings(&["-Wall", "@outer.rsp", "@missing.rsp", "@"]);
        assert_eq!(
            expand(&arguments, &read).unwrap(),
            strings(&[
                "-Wall",
                "-O2",
                "driver.c",
                "-o",
                "driver.o",
                "-c",
                "@missing.rsp",
                "@"
            ])
        );
    }

    #[test]
    fn a_file_that_names_itself_is_an_error() {
        let read = |_: &Path| Some(Ok("@self.rsp".to_string()));
        let error = expand(&strings(&["@self.rsp"]), &read).unwrap_err();
        assert!(
            error.contains("self.rsp") && error.contains("nested"),
            "{error}"
        );
    }
}
