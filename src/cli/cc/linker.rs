//! The linker command behind clang's `cc -r`, asked for once and kept.
//!
//! Joining an object with the cached monitor through the compiler driver
//! (`clang -r`) starts the whole clang binary to run one `ld`: 35M
//! instructions of a 216M compile, more than the link itself. clang prints
//! the command it would run (`-###`); it is kept in slic's cache with the
//! three paths it names (the two inputs, the output) as holes, and later
//! joins run the linker directly. gcc's command is not kept: it runs
//! `collect2` with a temporary file of its own per run (`-fresolution`),
//! and its driver is cheap.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// The linker's command line, with the holes where the paths go.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub(super) struct LinkerCommand {
    words: Vec<Word>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Word {
    Text(String),
    Compiled,
    Monitor,
    Output,
}

impl LinkerCommand {
    /// The command for these paths.
    pub(super) fn command(&self, compiled: &Path, monitor: &Path, object: &Path) -> Command {
        let mut words = self.words.iter().map(|word| match word {
            Word::Text(text) => text.as_ref(),
            Word::Compiled => compiled.as_os_str(),
            Word::Monitor => monitor.as_os_str(),
            Word::Output => object.as_os_str(),
        });
        let mut command = Command::new(words.next().expect("a command has a program"));
        command.args(words);
        command
    }
}

/// What says which program `program` is (`cache::file_identity` of it,
/// found in `PATH` when it names no directory); `None` if not found.
pub(super) fn identity(program: &str) -> Option<String> {
    let path = Path::new(program);
    let found = if path.components().count() > 1 {
        path.to_path_buf()
    } else {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|directory| directory.join(program))
            .find(|candidate| candidate.is_file())?
    };
    crate::cli::cache::file_identity(&found)
}

/// Asks the driver (`compiler` with `arguments`, which end with the two
/// inputs, `-o` and the output, and `-###`) for its command, and makes it a
/// template. `None` when it is not a single command naming each path once
/// as a word of its own: then the driver is run as before.
pub(super) fn ask(
    compiler: &[String],
    arguments: &[String],
    compiled: &Path,
    monitor: &Path,
    object: &Path,
) -> Option<LinkerCommand> {
    let output = Command::new(&compiler[0])
        .args(&compiler[1..])
        .args(arguments)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let printed = String::from_utf8(output.stderr).ok()?;
    template(&printed, compiled, monitor, object)
}

/// The template in what `clang -###` printed.
fn template(
    printed: &str,
    compiled: &Path,
    monitor: &Path,
    object: &Path,
) -> Option<LinkerCommand> {
    let commands: Vec<Vec<String>> = printed
        .lines()
        .filter(|line| line.starts_with(" \""))
        .map(quoted_words)
        .collect::<Option<_>>()?;
    let [words] = commands.as_slice() else {
        return None;
    };
    let holes = [
        (compiled, Word::Compiled),
        (monitor, Word::Monitor),
        (object, Word::Output),
    ];
    let mut template = Vec::new();
    let mut seen = [0; 3];
    for word in words {
        let hole = holes
            .iter()
            .position(|(path, _)| path.as_os_str() == word.as_str());
        match hole {
            Some(index) => {
                seen[index] += 1;
                template.push(match index {
                    0 => Word::Compiled,
                    1 => Word::Monitor,
                    _ => Word::Output,
                });
            }
            None => template.push(Word::Text(word.clone())),
        }
    }
    // The program itself must be text, and each path there exactly once.
    (seen == [1, 1, 1] && matches!(template.first(), Some(Word::Text(_))))
        .then_some(LinkerCommand { words: template })
}

/// ` "a" "b\"c"`: clang's `-###` quotes every word, escaping `"` and `\`.
fn quoted_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        match chars.next() {
            None => return Some(words),
            Some('"') => {}
            Some(_) => return None,
        }
        let mut word = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => word.push(chars.next()?),
                c => word.push(c),
            }
        }
        words.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRINTED: &str = r#"Debian clang version 19.1.7 (3+b1)
Target: x86_64-pc-linux-gnu
Thread model: posix
InstalledDir: /usr/lib/llvm-19/bin
 "/usr/bin/ld" "--hash-style=gnu" "-m" "elf_x86_64" "-o" "/w/d.o" "-L/usr/lib" "-r" "/w/0-d.woven.o" "/c/slic_monitor-1.o"
"#;

    #[test]
    fn a_printed_command_becomes_a_template_with_three_holes() {
        let template = template(
            PRINTED,
            Path::new("/w/0-d.woven.o"),
            Path::new("/c/slic_monitor-1.o"),
            Path::new("/w/d.o"),
        )
        .expect("a template");
        let command = template.command(
            Path::new("/x/1-e.woven.o"),
            Path::new("/c/slic_monitor-1.o"),
            Path::new("/x/e.o"),
        );
        assert_eq!(command.get_program(), "/usr/bin/ld");
        let arguments: Vec<_> = command.get_args().map(|a| a.to_str().unwrap()).collect();
        assert_eq!(
            arguments,
            [
                "--hash-style=gnu",
                "-m",
                "elf_x86_64",
                "-o",
                "/x/e.o",
                "-L/usr/lib",
                "-r",
                "/x/1-e.woven.o",
                "/c/slic_monitor-1.o"
            ]
        );
    }

    #[test]
    fn anything_but_one_command_naming_each_path_once_is_refused() {
        let paths = (
            Path::new("/w/0-d.woven.o"),
            Path::new("/c/slic_monitor-1.o"),
            Path::new("/w/d.o"),
        );
        let two = format!("{PRINTED}{}", PRINTED.lines().last().unwrap());
        let missing = PRINTED.replace(" \"/w/d.o\"", "");
        let twice = PRINTED.replace("\"-r\"", "\"/w/d.o\"");
        let unquoted = PRINTED.replace("\"-r\"", "-r");
        for printed in [
            two.as_str(),
            &missing,
            &twice,
            &unquoted,
            "",
            "no command\n",
        ] {
            assert_eq!(
                template(printed, paths.0, paths.1, paths.2),
                None,
                "{printed}"
            );
        }
        assert_eq!(
            quoted_words(r#" "a\"b" "c\\d""#),
            Some(vec!["a\"b".to_string(), "c\\d".to_string()])
        );
    }
}
