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
    "--param",
    "-T",
    "-e",
    "-u",
    "-z",
    "-G",
    "-Xanalyzer",
    "-MJ",
    "-include-pch",
    "-ivfsoverlay",
    "-iwithprefixbefore",
    "-imultilib",
    "-dumpbase",
    "-dumpdir",
];

/// What gcc and clang take as an input by its name, without `-x`: the
/// inputs of a command besides its C sources (which must still be
/// compiled, or linked, as the user asked).
const INPUT_EXTENSIONS: &[&str] = &[
    "c", "i", "h", "cc", "cp", "cxx", "cpp", "c++", "C", "CPP", "ii", "hh", "hpp", "hxx", "m",
    "mi", "mm", "M", "s", "S", "sx", "asm", "o", "obj", "a", "so", "lib", "ll", "bc",
];

/// Whether objects of this compile can be linked together ahead of the
/// link (`cc -r`): not LTO objects (IR, not code), not Windows targets,
/// named by the compiler (`x86_64-w64-mingw32-gcc`) or a flag
/// (`--target=x86_64-pc-windows-msvc`): MSVC's linker has no relocatable
/// link, and GNU ld's relocatable link of PE/COFF objects breaks the
/// monitor's weak definitions (every hook left undefined).
pub(super) fn links_ahead(compiler: &[String], flags: &[String]) -> bool {
    let windows = |word: &String| {
        ["msvc", "windows", "mingw", "cygwin"]
            .iter()
            .any(|name| word.contains(name))
    };
    let program = compiler.last().map(|c| {
        Path::new(c)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    !program.iter().any(windows)
        && !flags
            .iter()
            .any(|f| f.starts_with("-flto") || f == "-emit-llvm" || windows(f))
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
    /// Indexes of C sources among the arguments: a name ending in `.c`,
    /// or any name after `-x c`.
    pub(super) sources: Vec<usize>,
    /// Indexes of every input (C sources, other sources, objects).
    pub(super) inputs: Vec<usize>,
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
        let mut inputs = Vec::new();
        let mut output = None;
        let mut include_dirs = Vec::new();
        let mut compile_only = false;
        // The language `-x` gives the inputs after it, until `-x none`.
        let mut language: Option<&str> = None;
        let mut index = 0;
        while index < arguments.len() {
            let argument = arguments[index].as_str();
            if let Some(given) = language_option(argument, arguments.get(index + 1)) {
                language = (given != "none").then_some(given);
                index += if argument == "-x" { 2 } else { 1 };
                continue;
            }
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
            } else if !argument.starts_with('-') || argument == "-" {
                let extension = Path::new(argument).extension().and_then(OsStr::to_str);
                let c = match language {
                    Some(language) => language == "c",
                    None => extension == Some("c"),
                };
                // Standard input (`-`) cannot be woven: it is read once, by
                // the compiler.
                if c && argument != "-" {
                    sources.push(index);
                }
                let named = extension.is_some_and(|e| INPUT_EXTENSIONS.contains(&e));
                if language.is_some() || named || argument == "-" {
                    inputs.push(index);
                }
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
            inputs,
            output,
            compile_only,
            include_dirs,
            is_clang,
        }
    }

    /// Whether the command defines the macro `name` (`-DNAME`, `-DNAME=1`,
    /// `-D NAME`).
    pub(super) fn defines(&self, name: &str) -> bool {
        let defined = |definition: &str| {
            definition == name
                || definition
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('='))
        };
        self.arguments.iter().enumerate().any(|(index, argument)| {
            match argument.strip_prefix("-D") {
                Some("") => self
                    .arguments
                    .get(index + 1)
                    .is_some_and(|next| defined(next)),
                Some(definition) => defined(definition),
                None => false,
            }
        })
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
        // One output for several inputs is an error the compiler reports.
        let one_output_for_many =
            self.compile_only && self.output.is_some() && self.inputs.len() > 1;
        !self.sources.is_empty()
            && !one_output_for_many
            && !self
                .arguments
                .iter()
                .any(|a| NOT_A_COMPILE.contains(&a.as_str()))
    }

    /// Compile and link in one command: the arguments with the woven
    /// objects in place of their sources, everything else as the user
    /// wrote it. After `-x LANGUAGE` an object is named with `-x none`,
    /// or the compiler would read it as a source.
    pub(super) fn with_objects(&self, objects: &[(usize, PathBuf)]) -> Vec<String> {
        let languages = self
            .arguments
            .iter()
            .any(|a| language_option(a, None).is_some() || a == "-x");
        let mut arguments = Vec::with_capacity(self.arguments.len() + 2 * objects.len());
        for (index, argument) in self.arguments.iter().enumerate() {
            match objects.iter().find(|(source, _)| *source == index) {
                Some((_, object)) => {
                    if languages {
                        arguments.extend(["-x".to_string(), "none".to_string()]);
                    }
                    arguments.push(object.display().to_string());
                }
                None => arguments.push(argument.clone()),
            }
        }
        arguments
    }

    /// The arguments without the inputs, `-c`, `-o X` and `-x LANGUAGE`
    /// (which concern the inputs).
    pub(super) fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        let mut index = 0;
        while index < self.arguments.len() {
            let argument = &self.arguments[index];
            if self.inputs.contains(&index) || argument == "-c" {
                index += 1;
                continue;
            }
            if language_option(argument, self.arguments.get(index + 1)).is_some() {
                index += if argument == "-x" { 2 } else { 1 };
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

/// The language `-x LANGUAGE` or `-xLANGUAGE` gives, if `argument` is one.
fn language_option<'a>(argument: &'a str, next: Option<&'a String>) -> Option<&'a str> {
    match argument.strip_prefix("-x")? {
        "" => next.map(String::as_str),
        joined => Some(joined),
    }
}

/// How a C source is named to the compiler: with `-x c` when its name
/// does not say C (the build gave the language with `-x`).
pub(super) fn source_arguments(source: &Path) -> Vec<String> {
    let path = source.display().to_string();
    if source.extension().is_some_and(|e| e == "c") {
        vec![path]
    } else {
        vec!["-x".to_string(), "c".to_string(), path]
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

/// What compiling the monitor needs of the user's flags: code generation,
/// without what writes files named after the object or the source
/// (coverage notes, profiles, split debug information, saved temporaries):
/// the monitor is compiled once into slic's cache, and those files and
/// the paths to them the object keeps would name slic's directories.
pub(super) fn monitor_flags(flags: &[String]) -> Vec<String> {
    let writes_files = |flag: &str| {
        matches!(
            flag,
            "--coverage" | "-fprofile-arcs" | "-ftest-coverage" | "-fcoverage-mapping"
        ) || [
            "-fprofile-generate",
            "-fprofile-instr-generate",
            "-fcs-profile-generate",
            "-fprofile-use",
            "-fprofile-instr-use",
            "-fprofile-dir",
            "-gsplit-dwarf",
            "-save-temps",
            "-fstack-usage",
            "-fcallgraph-info",
        ]
        .iter()
        .any(|prefix| flag.starts_with(prefix))
    };
    code_generation_flags(flags)
        .into_iter()
        .filter(|flag| !writes_files(flag))
        .collect()
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
            words("-Iinclude -I other -iquote quoted -DX=1 -include pre.h")
        );
    }

    #[test]
    fn inputs_in_their_language() {
        let sources = |command: &CompilerCommand| -> Vec<String> {
            command
                .sources
                .iter()
                .map(|&i| command.arguments[i].clone())
                .collect()
        };
        let command = CompilerCommand::parse(&words(
            "gcc -c a.c -x c b.inc -xc++ c.c -x none d.c e.cpp f.S --param max-x=1.c -",
        ));
        assert_eq!(sources(&command), words("a.c b.inc d.c"));
        assert_eq!(command.inputs.len(), 7);
        assert_eq!(command.flags(), words("--param max-x=1.c"));
        // Several inputs and one output: the compiler's error, not slic's.
        assert!(!CompilerCommand::parse(&words("gcc -c a.c b.cpp -o x.o")).weaves());
        assert!(CompilerCommand::parse(&words("gcc -c a.c -o x.o")).weaves());
        // Linked in place of its source, an object after `-x c` is named
        // with `-x none`.
        let link = CompilerCommand::parse(&words("gcc -x c a.inc -x none b.o -o prog"));
        let objects = [(link.sources[0], PathBuf::from("w/0-a.o"))];
        assert_eq!(
            link.with_objects(&objects),
            words("-x c -x none w/0-a.o -x none b.o -o prog")
        );
        let plain = CompilerCommand::parse(&words("gcc a.c b.o -o prog"));
        let objects = [(plain.sources[0], PathBuf::from("w/0-a.o"))];
        assert_eq!(plain.with_objects(&objects), words("w/0-a.o b.o -o prog"));
        assert_eq!(source_arguments(Path::new("b.inc")), words("-x c b.inc"));
        assert_eq!(source_arguments(Path::new("a.c")), words("a.c"));
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
    fn a_kernel_build_defines_slic_kernel() {
        for kernel in [
            "gcc -DSLIC_KERNEL -c a.c",
            "gcc -DSLIC_KERNEL=1 -c a.c",
            "gcc -D SLIC_KERNEL -c a.c",
        ] {
            assert!(
                CompilerCommand::parse(&words(kernel)).defines("SLIC_KERNEL"),
                "{kernel}"
            );
        }
        for user in [
            "gcc -c a.c",
            "gcc -DSLIC_KERNELS -c a.c",
            "gcc -USLIC_KERNEL -c a.c",
        ] {
            assert!(
                !CompilerCommand::parse(&words(user)).defines("SLIC_KERNEL"),
                "{user}"
            );
        }
    }

    #[test]
    fn the_monitor_writes_no_file_of_the_users() {
        let flags = words(
            "-O2 -g --coverage -fprofile-arcs -ftest-coverage -fprofile-generate=/p -gsplit-dwarf=single -save-temps=obj -fstack-usage -fPIC -Iinc",
        );
        assert_eq!(monitor_flags(&flags), words("-O2 -g -fPIC"));
    }

    #[test]
    fn the_link_ahead_of_the_link() {
        let gcc = words("gcc");
        assert!(links_ahead(&gcc, &words("-O2 -g")));
        assert!(!links_ahead(&gcc, &words("-O2 -flto=thin")));
        let clang = words("ccache clang-19");
        assert!(!links_ahead(
            &clang,
            &words("--target=x86_64-pc-windows-msvc")
        ));
        assert!(!links_ahead(&clang, &words("-target x86_64-windows-gnu")));
        assert!(!links_ahead(&clang, &words("--target=x86_64-w64-mingw32")));
        assert!(!links_ahead(
            &words("/usr/bin/x86_64-w64-mingw32-gcc"),
            &words("-O2")
        ));
        assert!(links_ahead(&words("/opt/mingw/bin/gcc"), &words("-O2")));
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
