//! The compiler's command line, as far as the wrapper must understand it:
//! which arguments are sources, the output, the flags, and which of the
//! flags matter for each step (making IR, compiling woven IR, a
//! relocatable link, dependency files). No I/O: the rest of `slic cc`
//! runs the commands.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Options whose value is the next argument.
pub(super) const TAKES_VALUE: &[&str] = &[
    "-o",
    "-I",
    "-D",
    "-U",
    "-include",
    "-imacros",
    "-isystem",
    "-iquote",
    "-idirafter",
    "-x",
    "-MF",
    "-MT",
    "-MQ",
    "-L",
    "-l",
    "-target",
    "--target",
    "-Xclang",
    "-Xlinker",
    "-Xpreprocessor",
    "-Xassembler",
    "-arch",
    "-aux-info",
    "-isysroot",
    "--sysroot",
    "-iprefix",
    "-iwithprefix",
    "-mllvm",
];

/// Whether objects of this compile can be linked together ahead of the
/// link (`cc -r`): not LTO objects (IR, not code), not MSVC targets (their
/// linker has no relocatable link).
pub(super) fn links_ahead(flags: &[String]) -> bool {
    !flags.iter().any(|f| {
        f.starts_with("-flto") || f.contains("msvc") || f.contains("windows") || f == "-emit-llvm"
    })
}

/// The flags that choose the target and the linker, for a relocatable link.
pub(super) fn link_selection_flags(flags: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut index = 0;
    while index < flags.len() {
        let flag = flags[index].as_str();
        if matches!(flag, "-target" | "--target" | "-B" | "--sysroot") {
            kept.extend(flags[index..(index + 2).min(flags.len())].iter().cloned());
            index += 2;
            continue;
        }
        let selects = [
            "-m",
            "--target=",
            "--sysroot=",
            "-B",
            "-fuse-ld=",
            "--ld-path=",
        ]
        .iter()
        .any(|prefix| flag.starts_with(prefix));
        if selects {
            kept.push(flag.to_string());
        }
        index += 1;
    }
    kept
}

/// Whether the compile asks for debug information: the last `-g` option
/// decides (`-g -g0` asks for none).
pub(super) fn asks_for_debug_info(flags: &[String]) -> bool {
    flags
        .iter()
        .rev()
        .find(|f| f.starts_with("-g") && !f.starts_with("-gcc") && !f.starts_with("-gno-"))
        .is_some_and(|f| f != "-g0")
}

/// Options that mean "this is not a compile to an object".
pub(super) const NOT_A_COMPILE: &[&str] = &[
    "-E",
    "-M",
    "-MM",
    "-S",
    "-fsyntax-only",
    "--version",
    "-dumpversion",
    "-dumpmachine",
    "-###",
    "-print-search-dirs",
    "-print-libgcc-file-name",
    "-print-prog-name",
    "-print-file-name",
];

/// The compiler's command line, understood as far as the wrapper needs.
pub(super) struct CompilerCommand {
    /// The compiler, behind any launcher (`ccache gcc`, `distcc clang`).
    pub(super) compiler: Vec<String>,
    pub(super) arguments: Vec<String>,
    /// Indexes of C sources among the arguments.
    pub(super) sources: Vec<usize>,
    /// `-o X`: the index of X.
    pub(super) output: Option<usize>,
    pub(super) compile_only: bool,
    pub(super) include_dirs: Vec<PathBuf>,
    pub(super) is_clang: bool,
}

impl CompilerCommand {
    pub(super) fn parse(command: &[String]) -> CompilerCommand {
        let launcher = |word: &String| {
            let name = Path::new(word)
                .file_name()
                .and_then(OsStr::to_str)
                .unwrap_or("");
            matches!(name, "ccache" | "distcc" | "sccache" | "icecc")
        };
        let launchers = command.iter().take_while(|w| launcher(w)).count();
        let split = (launchers + 1).min(command.len());
        let compiler = command[..split].to_vec();
        let arguments = output_apart(&command[split..]);
        let mut sources = Vec::new();
        let mut output = None;
        let mut include_dirs = Vec::new();
        let mut compile_only = false;
        let mut index = 0;
        while index < arguments.len() {
            let argument = arguments[index].as_str();
            if TAKES_VALUE.contains(&argument) {
                match argument {
                    "-o" => output = Some(index + 1),
                    "-I" | "-iquote" => {
                        include_dirs.extend(arguments.get(index + 1).map(PathBuf::from))
                    }
                    _ => {}
                }
                index += 2;
                continue;
            }
            if argument == "-c" {
                compile_only = true;
            } else if let Some(directory) = argument.strip_prefix("-I").filter(|d| !d.is_empty()) {
                include_dirs.push(PathBuf::from(directory));
            } else if !argument.starts_with('-') && argument.ends_with(".c") {
                sources.push(index);
            }
            index += 1;
        }
        let is_clang = compiler
            .last()
            .and_then(|c| Path::new(c).file_name())
            .and_then(OsStr::to_str)
            .is_some_and(|name| name.contains("clang"));
        CompilerCommand {
            compiler,
            arguments,
            sources,
            output,
            compile_only,
            include_dirs,
            is_clang,
        }
    }

    /// A link: no compile-only or preprocessing option, and object inputs.
    pub(super) fn links(&self) -> bool {
        !self.compile_only
            && !self
                .arguments
                .iter()
                .any(|a| NOT_A_COMPILE.contains(&a.as_str()))
            && self
                .arguments
                .iter()
                .any(|a| a.ends_with(".o") || a.ends_with(".a"))
    }

    pub(super) fn weaves(&self) -> bool {
        !self.sources.is_empty()
            && !self
                .arguments
                .iter()
                .any(|a| NOT_A_COMPILE.contains(&a.as_str()))
    }

    /// The arguments without the sources and without `-c` and `-o X`.
    pub(super) fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        let mut index = 0;
        while index < self.arguments.len() {
            if self.sources.contains(&index) || self.arguments[index] == "-c" {
                index += 1;
                continue;
            }
            if Some(index + 1) == self.output {
                index += 2;
                continue;
            }
            flags.push(self.arguments[index].clone());
            index += 1;
        }
        flags
    }
}

/// The arguments with a joined output (`-ofile.o`, which gcc and clang take
/// as `-o file.o`) written as two, so that the output is found either way.
fn output_apart(arguments: &[String]) -> Vec<String> {
    let mut apart = Vec::with_capacity(arguments.len() + 1);
    let mut index = 0;
    while index < arguments.len() {
        let argument = &arguments[index];
        if TAKES_VALUE.contains(&argument.as_str()) {
            apart.extend(
                arguments[index..(index + 2).min(arguments.len())]
                    .iter()
                    .cloned(),
            );
            index += 2;
            continue;
        }
        match argument.strip_prefix("-o") {
            // Not clang's Objective-C options (`-objcmt-...`).
            Some(path) if !path.is_empty() && !argument.starts_with("-objc") => {
                apart.extend(["-o".to_string(), path.to_string()]);
            }
            _ => apart.push(argument.clone()),
        }
        index += 1;
    }
    apart
}

/// Dependency-file options (`-MD`, `-MMD`, `-MF X`, `-MT X`, `-MQ X`, `-MP`).
pub(super) fn without_dependency_options(flags: &[String]) -> (Vec<String>, Vec<String>) {
    let mut kept = Vec::new();
    let mut dependency = Vec::new();
    let mut index = 0;
    while index < flags.len() {
        let flag = flags[index].as_str();
        if matches!(flag, "-MF" | "-MT" | "-MQ") {
            dependency.extend(flags[index..(index + 2).min(flags.len())].iter().cloned());
            index += 2;
            continue;
        }
        if matches!(flag, "-MD" | "-MMD" | "-MP") {
            dependency.push(flag.to_string());
        } else {
            kept.push(flag.to_string());
        }
        index += 1;
    }
    (kept, dependency)
}

/// What compiling IR needs of the user's flags: code generation, not the
/// preprocessor or C diagnostics (which clang would call unused).
pub(super) fn code_generation_flags(flags: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut index = 0;
    while index < flags.len() {
        let flag = flags[index].as_str();
        if matches!(
            flag,
            "-I" | "-D"
                | "-U"
                | "-include"
                | "-imacros"
                | "-isystem"
                | "-iquote"
                | "-idirafter"
                | "-x"
        ) {
            index += 2;
            continue;
        }
        let preprocessor = ["-I", "-D", "-U", "-std=", "-W", "-pedantic", "-ansi"]
            .iter()
            .any(|prefix| flag.starts_with(prefix));
        if !preprocessor {
            kept.push(flag.to_string());
        }
        index += 1;
    }
    kept
}

/// The dependency options for a compile that writes `object`, with the
/// target and file names the user's build expects.
pub(super) fn dependency_arguments(dependency: &[String], object: &Path) -> Vec<String> {
    if dependency.is_empty() {
        return Vec::new();
    }
    let mut arguments: Vec<String> = dependency.to_vec();
    if !dependency.iter().any(|d| d == "-MT" || d == "-MQ") {
        arguments.extend(["-MT".to_string(), object.display().to_string()]);
    }
    if !dependency.iter().any(|d| d == "-MF") {
        arguments.extend([
            "-MF".to_string(),
            object.with_extension("d").display().to_string(),
        ]);
    }
    arguments
}

pub(super) fn null_device() -> String {
    if cfg!(windows) {
        "NUL".to_string()
    } else {
        "/dev/null".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn launchers_stay_with_the_compiler() {
        let command = CompilerCommand::parse(&words("ccache distcc clang-19 -c a.c -o a.o"));
        assert_eq!(command.compiler, words("ccache distcc clang-19"));
        assert!(command.is_clang);
        assert_eq!(command.arguments, words("-c a.c -o a.o"));
        let gcc = CompilerCommand::parse(&words("/usr/bin/gcc -c a.c"));
        assert_eq!(gcc.compiler, words("/usr/bin/gcc"));
        assert!(!gcc.is_clang);
    }

    #[test]
    fn a_joined_output_is_the_output() {
        let command = CompilerCommand::parse(&words(
            "gcc -c a.c -oout/a.o -Xlinker -omap -objcmt-migrate-literals",
        ));
        assert_eq!(command.arguments[command.output.unwrap()], "out/a.o");
        assert_eq!(
            command.flags(),
            words("-Xlinker -omap -objcmt-migrate-literals")
        );
    }

    #[test]
    fn sources_output_and_include_directories() {
        let command = CompilerCommand::parse(&words(
            "gcc -Iinclude -I other -iquote quoted -o out/a.o -c -x c a.c b.c -DX=1 -include pre.h",
        ));
        let sources: Vec<&str> = command
            .sources
            .iter()
            .map(|&i| command.arguments[i].as_str())
            .collect();
        assert_eq!(sources, ["a.c", "b.c"]);
        assert_eq!(command.arguments[command.output.unwrap()], "out/a.o");
        assert!(command.compile_only);
        assert_eq!(
            command.include_dirs,
            [
                PathBuf::from("include"),
                PathBuf::from("other"),
                PathBuf::from("quoted")
            ]
        );
        // A value of an option is not a source, even if it ends in `.c`.
        let value = CompilerCommand::parse(&words("gcc -include extra.c -c a.c"));
        assert_eq!(value.sources.len(), 1);
        assert_eq!(
            command.flags(),
            words("-Iinclude -I other -iquote quoted -x c -DX=1 -include pre.h")
        );
    }

    #[test]
    fn what_is_woven_and_what_is_a_link() {
        let compile = CompilerCommand::parse(&words("gcc -O2 -c a.c -o a.o"));
        assert!(compile.weaves() && !compile.links());
        let preprocess = CompilerCommand::parse(&words("gcc -E a.c"));
        assert!(!preprocess.weaves() && !preprocess.links());
        let link = CompilerCommand::parse(&words("gcc -o prog a.o b.o -lpthread"));
        assert!(!link.weaves() && link.links());
        let both = CompilerCommand::parse(&words("gcc -o prog a.c b.o"));
        assert!(both.weaves() && both.links());
        let version = CompilerCommand::parse(&words("gcc --version"));
        assert!(!version.weaves() && !version.links());
    }

    #[test]
    fn dependency_options_are_taken_apart() {
        let (kept, dependency) =
            without_dependency_options(&words("-O2 -MD -MF deps/a.d -MT a.o -MP -g"));
        assert_eq!(kept, words("-O2 -g"));
        assert_eq!(dependency, words("-MD -MF deps/a.d -MT a.o -MP"));
        // The target and the file are added where the build gave none.
        let arguments = dependency_arguments(&words("-MMD"), Path::new("obj/a.o"));
        assert_eq!(arguments, words("-MMD -MT obj/a.o -MF obj/a.d"));
        let given = dependency_arguments(&words("-MMD -MF x.d -MT y"), Path::new("a.o"));
        assert_eq!(given, words("-MMD -MF x.d -MT y"));
        assert!(dependency_arguments(&[], Path::new("a.o")).is_empty());
    }

    #[test]
    fn code_generation_keeps_no_preprocessor_flag() {
        let flags = words(
            "-O2 -g -I inc -Iinc2 -D X -DY=1 -U Z -include pre.h -isystem sys -std=c11 -Wall -Wno-unused -pedantic -fPIC -march=native -x c",
        );
        assert_eq!(
            code_generation_flags(&flags),
            words("-O2 -g -fPIC -march=native")
        );
    }

    #[test]
    fn the_link_ahead_of_the_link() {
        assert!(links_ahead(&words("-O2 -g")));
        assert!(!links_ahead(&words("-O2 -flto=thin")));
        assert!(!links_ahead(&words("--target=x86_64-pc-windows-msvc")));
        assert!(!links_ahead(&words("-target x86_64-windows-gnu")));
        assert_eq!(
            link_selection_flags(&words(
                "-O2 -m32 -target i686-linux-gnu --sysroot=/s -fuse-ld=lld -B /opt/bin -g"
            )),
            words("-m32 -target i686-linux-gnu --sysroot=/s -fuse-ld=lld -B /opt/bin")
        );
    }

    #[test]
    fn the_last_debug_option_decides() {
        assert!(asks_for_debug_info(&words("-O2 -g")));
        assert!(asks_for_debug_info(&words("-gline-tables-only")));
        assert!(!asks_for_debug_info(&words("-g -g0")));
        assert!(!asks_for_debug_info(&words("-O2")));
        assert!(asks_for_debug_info(&words("-g -gno-column-info")));
        assert!(!asks_for_debug_info(&words("-gcc-toolchain=/x")));
    }
}
