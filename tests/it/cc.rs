//! `slic cc` as a build uses it: an unchanged Makefile, a multi-file
//! driver, the user's compile errors as the compiler wrote them.

use std::path::Path;
use std::process::Command;

use crate::driver_support::{Report, check_output, parse_reports, require_tool};
use crate::support::root;

fn slic_path() -> String {
    env!("CARGO_BIN_EXE_slic").to_string()
}

/// Builds the example driver with `make CC="slic cc ... -- COMPILER"` in a
/// copy of its directory, runs it, and returns its reports.
fn build_example(compiler: &str, via: &str) -> Vec<Report> {
    build_example_with(compiler, via, None)
}

/// The same, with the Makefile's CFLAGS replaced; without `-g` in them,
/// the driver's objects must come out without debug information.
fn build_example_with(compiler: &str, via: &str, cflags: Option<&str>) -> Vec<Report> {
    build(&Build {
        driver: (compiler, via),
        rest: None,
        cflags,
        inspect: None,
    })
}

/// How the example is built: the driver's sources through `slic cc --via
/// VIA -- COMPILER`, and the stub kernel, its I/O manager and the test
/// program (the Makefile's `HOSTCC`) too when `rest` says how.
struct Build<'a> {
    driver: (&'a str, &'a str),
    rest: Option<(&'a str, &'a str)>,
    cflags: Option<&'a str>,
    /// Looks at the build's directory once the program has run.
    inspect: Option<fn(&Path)>,
}

fn build(how: &Build) -> Vec<Report> {
    let (compiler, _) = how.driver;
    let cflags = how.cflags;
    require_tool(compiler);
    require_tool("make");
    let work = tempfile::tempdir().unwrap();
    let example = work.path().join("driver");
    std::fs::create_dir(&example).unwrap();
    for entry in std::fs::read_dir(root().join("examples/driver")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, example.join(path.file_name().unwrap())).unwrap();
        }
    }
    let report = work.path().join("bindings.jsonl");
    let wrapper = |(compiler, via): (&str, &str)| {
        format!(
            "{} cc --via {via} --report {} -- {compiler}",
            slic_path(),
            report.display()
        )
    };
    let mut make = Command::new("make");
    if let Some(cflags) = cflags {
        make.arg(format!("CFLAGS={cflags}"));
        make.arg(format!("LDFLAGS={cflags}"));
    }
    if let Some(rest) = how.rest {
        require_tool(rest.0);
        make.arg(format!("HOSTCC={}", wrapper(rest)));
    }
    let output = make
        .current_dir(&example)
        .arg(format!("CC={}", wrapper(how.driver)))
        .arg(format!(
            "WDK={}",
            root().join("tests/drivers/wdk").display()
        ))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "make with {compiler}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // A line of binding report per woven source: the two of the driver,
    // and the stub kernel, I/O manager and test program when they are woven.
    let bindings = std::fs::read_to_string(&report).unwrap();
    let woven = if how.rest.is_some() { 5 } else { 2 };
    assert_eq!(bindings.lines().count(), woven, "{bindings}");
    for line in bindings.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value["object"].as_str().unwrap().ends_with(".o"));
        let driver = ["driver.c", "queue.c"]
            .iter()
            .any(|file| value["source"].as_str().unwrap().ends_with(file));
        if driver {
            assert!(value["sites"].as_u64().unwrap() > 0);
        }
    }
    if cflags.is_some_and(|flags| !flags.contains("-g")) {
        for object in ["driver.o", "queue.o"] {
            let sections = Command::new("readelf")
                .arg("-S")
                .arg(example.join(object))
                .output()
                .unwrap();
            let sections = String::from_utf8_lossy(&sections.stdout);
            assert!(
                !sections.contains(".debug"),
                "{object} has debug information the build did not ask for:\n{sections}"
            );
        }
    }
    let run = Command::new(example.join("example-driver"))
        .env("SLIC_ON_VIOLATION", "continue")
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains("example driver: done"));
    if let Some(inspect) = how.inspect {
        inspect(&example);
    }
    parse_reports(&String::from_utf8_lossy(&run.stderr))
}

fn expected_example_reports() -> Vec<Report> {
    let report = |rule: &str, line: u32| Report {
        rule: rule.to_string(),
        place: Some(format!("driver.c:{line}")),
        function: "DispatchWrite".to_string(),
    };
    // The routine that returns holding the queued spin lock also returns at
    // DISPATCH_LEVEL (IrqlReturn).
    let mut expected = vec![
        report("SpinLockSafe", 66),
        // The exit of `DispatchWrite`: its one final `return`.
        report("QueuedSpinLockRelease", 67),
        report("IrqlReturn", 67),
    ];
    expected.sort();
    expected
}

#[test]
fn example_driver_with_gcc() {
    assert_eq!(build_example("gcc", "auto"), expected_example_reports());
}

/// Link-time optimisation: objects are GCC's IR, which cannot be joined
/// ahead of the link, so each carries its own copy of the monitor.
#[test]
fn example_driver_with_gcc_lto() {
    assert_eq!(
        build_example_with("gcc", "auto", Some("-O2 -flto")),
        expected_example_reports()
    );
}

#[test]
fn example_driver_with_clang_through_c() {
    assert_eq!(build_example("clang-19", "c"), expected_example_reports());
}

/// Through LLVM IR (clang): the same bugs at the same lines; clang names
/// the file with its compilation directory (no `-fdebug-compilation-dir`).
#[test]
fn example_driver_with_clang_through_ir() {
    assert_eq!(
        ir_places(build_example("clang-19", "ir")),
        expected_example_reports()
    );
}

/// A build without `-g`: the IR is woven with line tables (the reports say
/// where) that are stripped before the object is made.
#[test]
fn example_driver_through_ir_without_debug_information() {
    let reports = build_example_with("clang-19", "ir", Some("-O2 -Wall -Wextra"));
    assert_eq!(ir_places(reports), expected_example_reports());
}

/// Every file of the build through `slic cc`: the driver, its stub kernel
/// (which defines the APIs), the I/O manager (which takes the cancel spin
/// lock before it calls a cancel routine, as Windows does) and the test
/// program. Each call of an API is one event, made by the driver: the stub
/// kernel's definitions are left alone, and the calls made outside the
/// driver's routines are the harness's, not the driver's.
#[test]
fn whole_build_with_gcc() {
    let reports = build(&Build {
        driver: ("gcc", "auto"),
        rest: Some(("gcc", "auto")),
        cflags: None,
        inspect: None,
    });
    assert_eq!(reports, expected_example_reports());
}

#[test]
fn whole_build_with_clang_through_c() {
    let reports = build(&Build {
        driver: ("clang-19", "c"),
        rest: Some(("clang-19", "c")),
        cflags: None,
        inspect: None,
    });
    assert_eq!(reports, expected_example_reports());
}

#[test]
fn whole_build_with_clang_through_ir() {
    let reports = build(&Build {
        driver: ("clang-19", "ir"),
        rest: Some(("clang-19", "ir")),
        cflags: None,
        inspect: None,
    });
    assert_eq!(ir_places(reports), expected_example_reports());
}

/// The driver woven through C, the kernel that defines the APIs (and the
/// test program) through IR, and the other way round: the monitors of the
/// two weavers count the driver's routines together.
#[test]
fn whole_build_mixing_the_weavers() {
    let c_driver = build(&Build {
        driver: ("clang-19", "c"),
        rest: Some(("clang-19", "ir")),
        cflags: None,
        inspect: None,
    });
    assert_eq!(c_driver, expected_example_reports());
    let ir_driver = build(&Build {
        driver: ("clang-19", "ir"),
        rest: Some(("clang-19", "c")),
        cflags: None,
        inspect: None,
    });
    assert_eq!(ir_places(ir_driver), expected_example_reports());
}

/// What a compiler names after the object (gcov's notes and the path of
/// its data, split debug information) is named after the user's object,
/// as in a plain compile, through both weavers: it went to slic's work
/// directory, which is gone when the program runs.
#[test]
fn coverage_and_split_debug_information_stay_with_the_objects() {
    // The whole build by one compiler: gcc's and clang's coverage
    // runtimes differ.
    for driver in [("gcc", "c"), ("clang-19", "ir")] {
        let reports = build(&Build {
            driver,
            rest: Some(driver),
            cflags: Some("-O2 -g -gsplit-dwarf --coverage"),
            inspect: Some(beside_the_objects),
        });
        assert_eq!(ir_places(reports), expected_example_reports(), "{driver:?}");
    }
}

fn beside_the_objects(example: &Path) {
    for stem in ["driver", "queue"] {
        for extension in ["gcno", "gcda", "dwo"] {
            let file = example.join(format!("{stem}.{extension}"));
            assert!(file.is_file(), "no {}", file.display());
        }
        let object = std::fs::read(example.join(format!("{stem}.o"))).unwrap();
        let names_slic_files = object
            .split(|&byte| byte == 0)
            .map(String::from_utf8_lossy)
            .any(|text| {
                text.contains("/slic-") && (text.ends_with(".gcda") || text.ends_with(".dwo"))
            });
        assert!(
            !names_slic_files,
            "{stem}.o names a file in slic's directory"
        );
    }
}

/// File names without the compilation directory clang records.
fn ir_places(reports: Vec<Report>) -> Vec<Report> {
    reports
        .into_iter()
        .map(|report| Report {
            place: report
                .place
                .map(|place| place.rsplit('/').next().unwrap().to_string()),
            ..report
        })
        .collect()
}

#[test]
fn compile_errors_come_out_as_the_compiler_wrote_them() {
    require_tool("gcc");
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("broken.c");
    std::fs::write(&source, "void KeEnterCriticalRegion(void);\nint f(void) { KeEnterCriticalRegion(); int x = ; return x; }\n").unwrap();
    let direct = Command::new("gcc")
        .current_dir(work.path())
        .args(["-c", "broken.c", "-o", "broken.o"])
        .output()
        .unwrap();
    let wrapped = Command::new(slic_path())
        .current_dir(work.path())
        .args(["cc", "--", "gcc", "-c", "broken.c", "-o", "broken.o"])
        .output()
        .unwrap();
    assert!(!direct.status.success());
    assert_eq!(wrapped.status.code(), direct.status.code());
    assert_eq!(
        String::from_utf8_lossy(&wrapped.stderr),
        String::from_utf8_lossy(&direct.stderr)
    );
    assert!(!work.path().join("broken.o").exists());
}

/// A compile that is quiet without slic is quiet with it, and one that
/// warns warns the same, through both weavers, with and without debug
/// information and in C90 with many warnings on: the mock drivers' sources
/// with loops (a loop's `!llvm.loop` node names source locations, which the
/// IR path must strip with the rest when the build asked for none).
#[test]
fn a_quiet_compile_stays_quiet() {
    let sources = [
        "tests/drivers/ringbuf/ringbuf.c",
        "tests/drivers/legacy/legacy.c",
        "tests/drivers/mailbox/mailbox.c",
        "examples/driver/driver.c",
        "tests/fixtures/cc/warns_after_routines.c",
    ];
    let work = tempfile::tempdir().unwrap();
    for (compiler, via) in [("gcc", "c"), ("clang-19", "c"), ("clang-19", "ir")] {
        require_tool(compiler);
        // C90 with every warning a careful driver build turns on: the
        // woven code adds none (the result is declared at a block's start).
        let careful = &[
            "-std=gnu89",
            "-pedantic",
            "-Wall",
            "-Wextra",
            "-Wdeclaration-after-statement",
            "-Wshadow",
            "-Wmissing-prototypes",
            "-Wstrict-prototypes",
            "-Wredundant-decls",
        ][..];
        // With LTO the monitor is compiled into the file, with the user's
        // flags (on one source: it is the slow case).
        let careful_lto = [careful, &["-flto"][..]].concat();
        for extra in [&[][..], &["-g"][..], careful, &careful_lto] {
            for source in sources {
                if extra.contains(&"-flto") && !source.starts_with("examples") {
                    continue;
                }
                let source = root().join(source);
                let mut flags = vec!["-O2".to_string()];
                flags.extend(extra.iter().map(|f| f.to_string()));
                flags.push(format!("-I{}", root().join("tests/drivers/wdk").display()));
                flags.push(format!("-I{}", source.parent().unwrap().display()));
                flags.extend(["-c".to_string(), source.display().to_string()]);
                flags.push("-o".to_string());
                flags.push(work.path().join("out.o").display().to_string());
                let direct = Command::new(compiler).args(&flags).output().unwrap();
                let wrapped = Command::new(slic_path())
                    .args(["cc", "--via", via, "--", compiler])
                    .args(&flags)
                    .output()
                    .unwrap();
                assert!(direct.status.success() && wrapped.status.success());
                let (direct, wrapped) = (
                    String::from_utf8_lossy(&direct.stderr),
                    String::from_utf8_lossy(&wrapped.stderr),
                );
                let what = format!("{compiler} through {via} {extra:?} on {}", source.display());
                if via == "c" {
                    // Through C, a message after a woven call on the same
                    // line has its column moved by the text woven in
                    // (docs/building.md): the same messages on the same
                    // lines, and nothing more.
                    assert_eq!(messages(&wrapped), messages(&direct), "{what}");
                } else {
                    assert_eq!(wrapped, direct, "{what}");
                }
            }
        }
    }
}

/// The compiler's messages, each as `file:line: kind: text` (its column
/// and the caret line under the quoted source left out).
fn messages(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| {
            let kind = [": warning: ", ": error: ", ": note: "]
                .into_iter()
                .find(|kind| line.contains(kind))?;
            let (place, text) = line.split_once(kind)?;
            let place = match place.rsplit_once(':') {
                Some((line_part, column)) if column.bytes().all(|b| b.is_ascii_digit()) => {
                    line_part
                }
                _ => place,
            };
            Some(format!("{place}{kind}{text}"))
        })
        .collect()
}

/// A compile whose arguments are in a response file (`@FILE`, as CMake,
/// Ninja and Meson write for long command lines) is woven like any other:
/// quoted words with spaces, a response file naming another.
#[test]
fn a_compile_in_a_response_file_is_woven() {
    require_tool("gcc");
    let work = tempfile::tempdir().unwrap();
    let spaced = work.path().join("with space");
    std::fs::create_dir(&spaced).unwrap();
    for name in ["driver.c", "driver.h"] {
        std::fs::copy(root().join("examples/driver").join(name), spaced.join(name)).unwrap();
    }
    std::fs::write(
        work.path().join("include.rsp"),
        format!(
            "'-I{}'\n\"-I{}\"\n",
            spaced.display(),
            root().join("tests/drivers/wdk").display()
        ),
    )
    .unwrap();
    std::fs::write(
        work.path().join("compile.rsp"),
        "-O2 @include.rsp -c with\\ space/driver.c -o driver.o\n",
    )
    .unwrap();
    let mut compile = Command::new(slic_path());
    compile
        .current_dir(work.path())
        .args(["cc", "--", "gcc", "@compile.rsp"]);
    check_output(compile, "slic cc with a response file");
    let mut nm = Command::new("nm");
    nm.arg(work.path().join("driver.o"));
    let nm = check_output(nm, "nm");
    let symbols = String::from_utf8_lossy(&nm.stdout);
    assert!(
        symbols.contains("slic_hook_IoCompleteRequest_entry")
            && symbols.contains("slic_orig_DispatchRead"),
        "the object is woven:\n{symbols}"
    );
    // A response file that names itself is refused, not followed forever.
    std::fs::write(work.path().join("loop.rsp"), "@loop.rsp").unwrap();
    let looped = Command::new(slic_path())
        .current_dir(work.path())
        .args(["cc", "--", "gcc", "@loop.rsp"])
        .output()
        .unwrap();
    assert_eq!(looped.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&looped.stderr).contains("loop.rsp"));
}

/// A woven compile that fails for a reason of the user's (an output that
/// cannot be written, an error only code generation finds) fails as the
/// plain compile does: the compiler's message and exit status, no "bug in
/// slic".
#[test]
fn a_compile_that_fails_after_parsing_fails_as_without_slic() {
    require_tool("gcc");
    require_tool("clang-19");
    let work = example_driver_copy();
    std::fs::write(
        work.path().join("attribute.c"),
        "#include \"driver.h\"\nvoid forbidden(void) __attribute__((error(\"never call this\")));\n\
         NTSTATUS DispatchRead(PDEVICE_OBJECT device, PIRP irp)\n\
         { forbidden(); IoCompleteRequest(irp, 0); return 0; }\n",
    )
    .unwrap();
    let wdk = format!("-I{}", root().join("tests/drivers/wdk").display());
    for (compiler, via) in [("gcc", "c"), ("clang-19", "ir")] {
        for (source, object, says) in [
            ("driver.c", "missing/driver.o", "missing/driver.o"),
            ("attribute.c", "attribute.o", "never call this"),
        ] {
            let arguments = [wdk.as_str(), "-I.", "-O2", "-c", source, "-o", object];
            let plain = Command::new(compiler)
                .current_dir(work.path())
                .args(arguments)
                .output()
                .unwrap();
            let woven = Command::new(slic_path())
                .current_dir(work.path())
                .args(["cc", "--via", via, "--", compiler])
                .args(arguments)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&woven.stderr);
            let what = format!("{compiler} on {source}:\n{stderr}");
            assert!(!plain.status.success(), "{what}");
            assert_eq!(woven.status.code(), plain.status.code(), "{what}");
            assert!(stderr.contains(says) && !stderr.contains("slic:"), "{what}");
            assert!(!work.path().join(object).exists(), "{what}");
        }
    }
}

/// When the failure is slic's (the woven form does not compile, the
/// original does), the files of the compile are kept where the message
/// says. The compilers here refuse what slic wrote and nothing else.
#[test]
fn a_bug_in_slic_keeps_the_files_it_names() {
    require_tool("gcc");
    require_tool("clang-19");
    let work = example_driver_copy();
    // gcc that refuses slic's woven C; clang that refuses slic's woven IR.
    let refusing = [
        ("gcc-refusing", "gcc", "*/slic-*/cc-*/0-*.c"),
        ("clang-refusing", "clang-19", "*.woven.ll"),
    ];
    for (name, compiler, pattern) in refusing {
        let script = work.path().join(name);
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in {pattern}) echo refused >&2; exit 1;; esac; done\nexec {compiler} \"$@\"\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let output = Command::new(slic_path())
            .current_dir(work.path())
            .args(["cc", "--"])
            .arg(&script)
            .arg(format!("-I{}", root().join("tests/drivers/wdk").display()))
            .args(["-I.", "-c", "driver.c", "-o", "driver.o"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        let kept = stderr
            .split("the files are kept in ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .unwrap_or_else(|| panic!("{name}: no directory named:\n{stderr}"));
        let files: Vec<String> = std::fs::read_dir(kept)
            .unwrap_or_else(|e| panic!("{name}: {kept}: {e}"))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        std::fs::remove_dir_all(kept).unwrap();
        assert!(
            files.iter().any(|f| f.starts_with("0-driver")),
            "{name}: {files:?}"
        );
        assert!(!work.path().join("driver.o").exists(), "{name}");
    }
}

/// A directory with a copy of the example driver's `driver.c` and
/// `driver.h`.
fn example_driver_copy() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    for name in ["driver.c", "driver.h"] {
        std::fs::copy(
            root().join("examples/driver").join(name),
            work.path().join(name),
        )
        .unwrap();
    }
    work
}

/// The symbols of an object or program (`nm`).
fn symbols(path: &Path) -> String {
    let mut nm = Command::new("nm");
    nm.arg(path);
    String::from_utf8_lossy(&check_output(nm, "nm").stdout).into_owned()
}

/// Inputs as gcc and clang take them: `-x c` makes any name a C source
/// (woven), `-x c++` makes a `.c` file C++ (not woven), and a command that
/// compiles C with other languages compiles them all.
#[test]
fn inputs_are_taken_in_their_language() {
    require_tool("gcc");
    require_tool("g++");
    require_tool("clang-19");
    let work = example_driver_copy();
    std::fs::copy(work.path().join("driver.c"), work.path().join("driver.inc")).unwrap();
    std::fs::write(
        work.path().join("other.cpp"),
        "extern \"C\" int twice(int x) { return 2 * x; }\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("thrice.s"),
        ".globl thrice\nthrice:\n    leal (%rdi,%rdi,2), %eax\n    ret\n",
    )
    .unwrap();
    let wdk = format!("-I{}", root().join("tests/drivers/wdk").display());
    let compile = |words: &[&str]| {
        let mut command = Command::new(slic_path());
        command.current_dir(work.path()).arg("cc").args(words);
        check_output(command, &format!("slic cc {}", words.join(" ")));
    };
    // Woven through either weaver: the routines enter the monitor.
    let woven = |name: &str| symbols(&work.path().join(name)).contains("slic_driver_enter");
    // The language as two words and as one.
    for (compiler, via) in [("gcc", "c"), ("clang-19", "ir")] {
        for language in [&["-x", "c"][..], &["-xc"][..]] {
            let mut words = vec!["--via", via, "--", compiler, &wdk, "-I."];
            words.extend(language);
            words.extend(["-c", "driver.inc", "-o", "inc.o"]);
            compile(&words);
            assert!(woven("inc.o"), "{language:?} on driver.inc, {compiler}");
        }
    }
    compile(&[
        "--",
        "g++",
        &wdk,
        "-I.",
        "-x",
        "c++",
        "-c",
        "driver.c",
        "-o",
        "cplusplus.o",
    ]);
    assert!(
        !woven("cplusplus.o"),
        "a C++ compile of a .c file is not woven"
    );
    assert!(symbols(&work.path().join("cplusplus.o")).contains("_Z12DispatchRead"));
    // Three languages in one compile: each gets its object.
    compile(&[
        "--",
        "gcc",
        &wdk,
        "-I.",
        "-c",
        "driver.c",
        "other.cpp",
        "thrice.s",
    ]);
    assert!(woven("driver.o"));
    assert!(symbols(&work.path().join("other.o")).contains("T twice"));
    assert!(symbols(&work.path().join("thrice.o")).contains("T thrice"));
    // Compile and link in one, the source under `-x c`: the woven object
    // is linked as an object, not read as C.
    std::fs::write(
        work.path().join("main.c"),
        "int twice(int); int thrice(int);\nint main(void) { return twice(1) + thrice(1) == 5 ? 0 : 1; }\n",
    )
    .unwrap();
    std::fs::copy(work.path().join("main.c"), work.path().join("main.inc")).unwrap();
    compile(&[
        "--", "gcc", "-x", "c", "main.inc", "-x", "none", "other.o", "thrice.s", "-o", "program",
    ]);
    let mut run = Command::new(work.path().join("program"));
    run.current_dir(work.path());
    check_output(run, "the program linked through slic cc");
}

#[test]
fn other_invocations_pass_through() {
    require_tool("gcc");
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("plain.c"),
        "int main(void) { return 3; }\n",
    )
    .unwrap();
    let version = Command::new(slic_path())
        .args(["cc", "--", "gcc", "--version"])
        .output()
        .unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).contains("gcc"));
    let preprocess = Command::new(slic_path())
        .current_dir(work.path())
        .args(["cc", "--", "gcc", "-E", "plain.c"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&preprocess.stdout).contains("return 3"));
    // Compile and link in one step: woven, then linked as asked.
    let build = Command::new(slic_path())
        .current_dir(work.path())
        .args(["cc", "--", "gcc", "plain.c", "-o", "plain"])
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let run = Command::new(work.path().join("plain")).status().unwrap();
    assert_eq!(run.code(), Some(3));
    let _ = Path::new("");
}

/// CMake, with `slic cc` as the compiler launcher of the driver's sources
/// (`examples/driver/CMakeLists.txt`), through C and through IR.
#[test]
fn example_driver_with_cmake_launcher() {
    require_tool("cmake");
    for compiler in ["gcc", "clang-19"] {
        require_tool(compiler);
        let work = tempfile::tempdir().unwrap();
        let build = work.path().join("build");
        let configure = Command::new("cmake")
            .arg("-S")
            .arg(root().join("examples/driver"))
            .arg("-B")
            .arg(&build)
            .arg(format!("-DCMAKE_C_COMPILER={compiler}"))
            .arg(format!("-DCMAKE_C_COMPILER_LAUNCHER={};cc;--", slic_path()))
            .output()
            .unwrap();
        assert!(
            configure.status.success(),
            "{}",
            String::from_utf8_lossy(&configure.stderr)
        );
        let built = Command::new("cmake")
            .arg("--build")
            .arg(&build)
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "{}{}",
            String::from_utf8_lossy(&built.stdout),
            String::from_utf8_lossy(&built.stderr)
        );
        let run = Command::new(build.join("example-driver"))
            .env("SLIC_ON_VIOLATION", "continue")
            .output()
            .unwrap();
        let reports = ir_places(parse_reports(&String::from_utf8_lossy(&run.stderr)));
        assert_eq!(reports, expected_example_reports(), "{compiler}");
    }
}

/// Behind ccache (`slic cc -- ccache gcc`): the woven compile is what is
/// cached, so a clean rebuild is served from the cache and still checks
/// the driver.
#[test]
fn example_driver_behind_ccache() {
    require_tool("ccache");
    require_tool("gcc");
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let stats = |what: &str| -> String {
        let output = Command::new("ccache")
            .env("CCACHE_DIR", &cache)
            .arg(what)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let build = work.path().join("build");
    std::fs::create_dir(&build).unwrap();
    for name in ["driver.c", "queue.c", "driver.h"] {
        std::fs::copy(root().join("examples/driver").join(name), build.join(name)).unwrap();
    }
    // A build, then a clean rebuild of the same tree.
    for round in 0..2 {
        for object in ["driver.o", "queue.o"] {
            let _ = std::fs::remove_file(build.join(object));
        }
        for name in ["driver.c", "queue.c"] {
            let compiled = Command::new(slic_path())
                .current_dir(&build)
                .env("CCACHE_DIR", &cache)
                .args(["cc", "--", "ccache", "gcc", "-O2", "-I."])
                .arg(format!("-I{}", root().join("tests/drivers/wdk").display()))
                .args(["-c", name, "-o"])
                .arg(name.replace(".c", ".o"))
                .output()
                .unwrap();
            assert!(
                compiled.status.success(),
                "{}",
                String::from_utf8_lossy(&compiled.stderr)
            );
        }
        let nm = Command::new("nm")
            .arg(build.join("driver.o"))
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&nm.stdout).contains("slic_hook_"),
            "round {round}: the cached object is the woven one"
        );
    }
    let summary = stats("--print-stats");
    let hits: u64 = summary
        .lines()
        .filter(|l| l.starts_with("direct_cache_hit") || l.starts_with("preprocessed_cache_hit"))
        .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
        .sum();
    assert_eq!(
        hits, 2,
        "the second build's two compiles come from the cache:\n{summary}"
    );
}
