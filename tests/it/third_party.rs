//! A build nobody here wrote, through `slic cc`: tree-sitter's runtime and
//! tree-sitter-c's generated parser (3.8 MB of C with large tables), from
//! the sources cargo already fetched for slic itself, with a small program
//! on their API. Nothing in them calls a rule's API or is a driver routine,
//! so every compile must come out as the build makes it without slic: the
//! same messages, byte for byte the same object (no monitor joined to it),
//! and, where the target runs here, a program that prints the same tree.
//! Native with gcc and clang-19 through both weavers; Windows targets with
//! mingw-w64's gcc and clang-19.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver_support::{check_output, require_tool};
use crate::support::root;

/// The files of tree-sitter's runtime (`src/lib.c` includes them all; a
/// build of them one by one is the multi-file build we want).
const RUNTIME: &[&str] = &[
    "alloc.c",
    "get_changed_ranges.c",
    "language.c",
    "lexer.c",
    "node.c",
    "parser.c",
    "point.c",
    "query.c",
    "stack.c",
    "subtree.c",
    "tree_cursor.c",
    "tree.c",
    "wasm_store.c",
];

/// Where cargo unpacked a crate of this build's lock file.
fn crate_source(name: &str) -> PathBuf {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let version = lock
        .split("[[package]]")
        .find_map(|package| {
            let mut lines = package.lines().map(str::trim);
            lines.find(|l| *l == format!("name = \"{name}\""))?;
            let version = lines.find_map(|l| l.strip_prefix("version = "))?;
            Some(version.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| panic!("{name} is in Cargo.lock"));
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let registry = home.join("registry/src");
    std::fs::read_dir(&registry)
        .unwrap_or_else(|e| panic!("cargo's registry {}: {e}", registry.display()))
        .map(|entry| entry.unwrap().path().join(format!("{name}-{version}")))
        .find(|path| path.is_dir())
        .unwrap_or_else(|| panic!("{name}-{version} is unpacked under {}", registry.display()))
}

struct Toolchain {
    compiler: &'static [&'static str],
    via: &'static str,
    /// Whether what it builds runs here (a native target).
    runs: bool,
}

const TOOLCHAINS: &[Toolchain] = &[
    Toolchain {
        compiler: &["gcc"],
        via: "c",
        runs: true,
    },
    Toolchain {
        compiler: &["clang-19"],
        via: "c",
        runs: true,
    },
    Toolchain {
        compiler: &["clang-19"],
        via: "ir",
        runs: true,
    },
    Toolchain {
        compiler: &["x86_64-w64-mingw32-gcc"],
        via: "c",
        runs: false,
    },
    Toolchain {
        compiler: &["clang-19", "--target=x86_64-w64-mingw32"],
        via: "ir",
        runs: false,
    },
];

#[test]
fn tree_sitter_builds_through_slic_cc_as_without_it() {
    let runtime = crate_source("tree-sitter");
    let grammar = crate_source("tree-sitter-c");
    let mut sources: Vec<PathBuf> = RUNTIME
        .iter()
        .map(|f| runtime.join("src").join(f))
        .collect();
    sources.push(grammar.join("src/parser.c"));
    sources.push(root().join("tests/fixtures/third_party/parse_c.c"));
    let flags = [
        "-O2".to_string(),
        "-Wall".to_string(),
        "-std=c11".to_string(),
        "-D_DEFAULT_SOURCE".to_string(),
        format!("-I{}", runtime.join("include").display()),
        format!("-I{}", runtime.join("src").display()),
        format!("-I{}", grammar.join("src").display()),
    ];
    let work = tempfile::tempdir().unwrap();
    for toolchain in TOOLCHAINS {
        require_tool(toolchain.compiler[0]);
        let what = format!("{} through {}", toolchain.compiler.join(" "), toolchain.via);
        let mut built = Vec::new();
        for through_slic in [false, true] {
            let directory = work.path().join(format!(
                "{}-{}-{through_slic}",
                toolchain.compiler.join("_"),
                toolchain.via
            ));
            std::fs::create_dir(&directory).unwrap();
            let mut objects = Vec::new();
            let mut messages = Vec::new();
            for (number, source) in sources.iter().enumerate() {
                let object = directory.join(format!("{number}.o"));
                let mut command = if through_slic {
                    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
                    command.args(["cc", "--via", toolchain.via, "--"]);
                    command.args(toolchain.compiler);
                    command
                } else {
                    let mut command = Command::new(toolchain.compiler[0]);
                    command.args(&toolchain.compiler[1..]);
                    command
                };
                command
                    .args(&flags)
                    .arg("-c")
                    .arg(source)
                    .arg("-o")
                    .arg(&object);
                let output = check_output(command, &what);
                messages.push(String::from_utf8_lossy(&output.stderr).into_owned());
                objects.push(object);
            }
            built.push((directory, objects, messages));
        }
        let (plain, woven) = (&built[0], &built[1]);
        for (index, source) in sources.iter().enumerate() {
            assert_eq!(
                woven.2[index],
                plain.2[index],
                "{what}: messages for {}",
                source.display()
            );
            assert!(
                std::fs::read(&woven.1[index]).unwrap() == std::fs::read(&plain.1[index]).unwrap(),
                "{what}: the object of {} differs from the one built without slic",
                source.display()
            );
        }
        if toolchain.runs {
            let printed: Vec<String> = [plain, woven]
                .iter()
                .map(|(directory, objects, _)| run_program(toolchain.compiler, directory, objects))
                .collect();
            assert!(
                printed[0].starts_with("(translation_unit (function_definition"),
                "{what}: {}",
                printed[0]
            );
            assert_eq!(printed[1], printed[0], "{what}");
        }
    }
}

/// Links `objects` with `compiler` and returns what the program prints.
fn run_program(compiler: &[&str], directory: &Path, objects: &[PathBuf]) -> String {
    let program = directory.join("parse_c");
    let mut link = Command::new(compiler[0]);
    link.args(&compiler[1..])
        .args(objects)
        .arg("-o")
        .arg(&program);
    check_output(link, "the link");
    String::from_utf8(check_output(Command::new(&program), "the program").stdout).unwrap()
}
