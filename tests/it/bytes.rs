//! Every form of bytes the compilers accept (`tests/fixtures/bytes/`):
//! Windows-1252 quote marks in comments, Latin-1 in string and character
//! literals, a UTF-8 byte order mark, CRLF line endings (continued
//! directive lines among them), NULs in comments, and all at once. Each
//! form is the same driver (with `main.c` playing the I/O manager); adding
//! a form is adding a file.
//!
//! Each form has a *clean twin*, made here: the byte order mark dropped,
//! CRLF made LF, every byte outside ASCII made `?`, every NUL a space. Lines
//! and columns stay where they were, so the twin must behave exactly as the
//! form does, and it is plain ASCII, which slic has always woven. A form
//!
//! - gives the roles its twin gives (`slic roles`);
//! - weaves to its twin's woven file, but for its own bytes, which all come
//!   out as they went in, in order, in the user's code (outside the code
//!   slic generates, which copies a routine's head, comments and all);
//! - compiles woven with gcc and clang-19, runs, and reports what its
//!   `// expect:` comments say, as its twin does, with the bytes of its
//!   literals in the program as they are in the file;
//! - builds and reports the same through `slic cc`, through C with gcc and
//!   through IR with clang-19.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver_support::{Report, check_output, parse_reports, require_tool};
use crate::support::root;

const FORMS: &str = "tests/fixtures/bytes";

/// The forms, as paths relative to the repository.
fn forms() -> Vec<PathBuf> {
    let mut forms: Vec<PathBuf> = std::fs::read_dir(root().join(FORMS))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "c") && !path.ends_with("main.c"))
        .map(|path| path.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    forms.sort();
    assert!(forms.len() >= 6, "the forms are missing: {forms:?}");
    forms
}

/// The clean twin of a form's bytes (see the module's comment).
fn clean(bytes: &[u8]) -> Vec<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'\r' if bytes.get(index + 1) == Some(&b'\n') => {}
            0 => out.push(b' '),
            0x80.. => out.push(b'?'),
            _ => out.push(byte),
        }
    }
    out
}

/// The bytes slic never writes itself (outside ASCII, NUL, CR), in order.
fn foreign(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|&b| b >= 0x80 || b == 0 || b == b'\r')
        .collect()
}

/// A woven file without the code slic generates: each piece from a
/// `#line 1 "<slic generated>"` to the next `#line` directive, or to the
/// end.
fn users_code(woven: &[u8]) -> Vec<u8> {
    const GENERATED: &[u8] = b"#line 1 \"<slic generated>\"\n";
    let mut out = Vec::new();
    let mut rest = woven;
    while let Some(start) = find(rest, GENERATED) {
        out.extend_from_slice(&rest[..start]);
        let after = &rest[start + GENERATED.len()..];
        rest = match find(after, b"\n#line ") {
            Some(end) => &after[end + 1..],
            None => &[],
        };
    }
    out.extend_from_slice(rest);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn slic(arguments: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
    command.args(arguments).current_dir(root());
    check_output(command, &format!("slic {}", arguments.join(" ")))
}

/// A form and its twin, the twin written into `work` under the form's
/// file name.
struct Form {
    /// Relative to the repository.
    path: PathBuf,
    bytes: Vec<u8>,
    twin: PathBuf,
}

impl Form {
    fn open(path: &Path, work: &Path) -> Form {
        let bytes = std::fs::read(root().join(path)).unwrap();
        let twin_bytes = clean(&bytes);
        assert_ne!(
            bytes,
            twin_bytes,
            "{} is plain ASCII: a form must hold other bytes",
            path.display()
        );
        let twin = work.join(path.file_name().unwrap());
        std::fs::write(&twin, &twin_bytes).unwrap();
        Form {
            path: path.to_path_buf(),
            bytes,
            twin,
        }
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// The reports the form's `// expect:` comments ask for.
    fn expected(&self) -> Vec<Report> {
        let text = String::from_utf8_lossy(&self.bytes);
        let mut reports = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let Some(rest) = line.split("// expect: ").nth(1) else {
                continue;
            };
            for expectation in rest.split(" ; ") {
                let (rule, function) = expectation.trim().split_once(" in ").unwrap();
                reports.push(Report {
                    rule: rule.to_string(),
                    place: Some(format!("{}:{}", self.name(), index + 1)),
                    function: function.to_string(),
                });
            }
        }
        assert!(!reports.is_empty(), "{} expects no report", self.name());
        reports.sort();
        reports
    }

    /// `slic roles` on the form and on the twin, the twin's named as the
    /// form's.
    fn roles(&self, work: &Path) -> (String, String) {
        let out = |file: &str| work.join(file).display().to_string();
        let (form_roles, twin_roles) = (out("form.toml"), out("twin.toml"));
        for (input, output) in [
            (self.name(), &form_roles),
            (self.twin.display().to_string(), &twin_roles),
        ] {
            slic(&["roles", "-I", FORMS, &input, "-o", output]);
        }
        let read = |path: &str| std::fs::read_to_string(path).unwrap();
        (
            read(&form_roles),
            read(&twin_roles).replace(&self.twin.display().to_string(), &self.name()),
        )
    }

    /// The form and the twin woven with the form's roles, both named as
    /// the form.
    fn weave(&self, work: &Path) -> (Vec<u8>, Vec<u8>) {
        let roles = work.join("roles.toml").display().to_string();
        slic(&["roles", "-I", FORMS, &self.name(), "-o", &roles]);
        let mut woven = Vec::new();
        for (input, output) in [
            (self.name(), "woven-form"),
            (self.twin.display().to_string(), "woven-twin"),
        ] {
            let output = work.join(output);
            std::fs::create_dir_all(&output).unwrap();
            let output = output.join(self.path.file_name().unwrap());
            slic(&[
                "weave",
                "-I",
                FORMS,
                "--roles",
                &roles,
                "--name",
                &self.name(),
                &input,
                "-o",
                &output.display().to_string(),
            ]);
            woven.push(std::fs::read(&output).unwrap());
        }
        let twin = woven.pop().unwrap();
        (woven.pop().unwrap(), twin)
    }
}

/// The bytes of a form's literals (`DriverBanner` and `DriverMark`), as
/// `main.c` prints them.
fn literals(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let literal = |start: &str, end: &str| -> Vec<u8> {
        let at = find(bytes, start.as_bytes()).unwrap_or_else(|| panic!("`{start}` in {text}"))
            + start.len();
        let length = find(&bytes[at..], end.as_bytes()).unwrap();
        bytes[at..at + length].to_vec()
    };
    let mut all = literal("DriverBanner[] = \"", "\";");
    all.extend(literal("DriverMark = '", "';"));
    let hex: Vec<String> = all.iter().map(|b| format!("{b:02x}")).collect();
    format!("literals: {}", hex.join(" "))
}

/// Compiler flags: strict, but for the warning clang gives about the
/// user's own bytes in literals (the original gives it too).
fn flags(compiler: &str) -> Vec<&'static str> {
    let mut flags = vec!["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"];
    if compiler.starts_with("clang") {
        flags.push("-Wno-invalid-source-encoding");
    }
    flags
}

/// Links a driver's objects or sources with the user-mode WDK and
/// `main.c`, runs it, and returns its reports and the line of literals it
/// prints.
fn link_and_run(
    compiler: &str,
    inputs: &[PathBuf],
    include: &[&Path],
    work: &Path,
) -> (Vec<Report>, String) {
    let wdk = root().join("tests/drivers/wdk");
    let executable = work.join(format!("driver-{compiler}"));
    let mut command = Command::new(compiler);
    command.current_dir(root()).args(flags(compiler));
    command.arg(format!("-I{}", wdk.display()));
    command.arg(format!("-I{}", root().join(FORMS).display()));
    for directory in include {
        command.arg(format!("-I{}", directory.display()));
    }
    command
        .args(inputs)
        .arg(wdk.join("wdm_user.c"))
        .arg(wdk.join("io_manager.c"))
        .arg(root().join(FORMS).join("main.c"))
        .args(["-lpthread", "-o"])
        .arg(&executable);
    check_output(command, &format!("{compiler}, linking {inputs:?}"));
    let run = Command::new(&executable)
        .env("SLIC_ON_VIOLATION", "continue")
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(run.status.success() && stdout.contains("done"), "{stdout}");
    assert!(!stdout.contains("failed"), "{stdout}");
    let literals = stdout
        .lines()
        .find(|line| line.starts_with("literals:"))
        .unwrap()
        .to_string();
    // Through IR, places are the compiler's: its directory, then the path.
    let directory = format!("{}/", root().display());
    let reports = parse_reports(&String::from_utf8_lossy(&run.stderr))
        .into_iter()
        .map(|report| Report {
            place: report
                .place
                .map(|place| place.trim_start_matches(&directory).to_string()),
            ..report
        })
        .collect();
    (reports, literals)
}

#[test]
fn each_form_gives_the_roles_of_its_clean_twin() {
    for path in forms() {
        let work = tempfile::tempdir().unwrap();
        let form = Form::open(&path, work.path());
        let (form_roles, twin_roles) = form.roles(work.path());
        assert!(form_roles.contains("DispatchWrite"), "{form_roles}");
        assert_eq!(form_roles, twin_roles, "{}", form.name());
    }
}

#[test]
fn each_form_weaves_like_its_clean_twin_and_keeps_its_bytes() {
    for path in forms() {
        let work = tempfile::tempdir().unwrap();
        let form = Form::open(&path, work.path());
        let (woven, twin) = form.weave(work.path());
        let name = form.name();
        // The same edits, in the same places.
        assert!(
            clean(&woven) == twin,
            "{name}: the woven form, made clean, is not the woven twin"
        );
        // Every byte of the form slic does not write itself comes out as
        // it went in, in order, in the user's code.
        assert_eq!(foreign(&users_code(&woven)), foreign(&form.bytes), "{name}");
        // A byte order mark stays first.
        assert_eq!(
            woven.starts_with(b"\xEF\xBB\xBF"),
            form.bytes.starts_with(b"\xEF\xBB\xBF"),
            "{name}"
        );
    }
}

#[test]
fn each_form_woven_compiles_runs_and_reports_like_its_clean_twin() {
    let work = tempfile::tempdir().unwrap();
    let monitor = work.path().join("monitor");
    slic(&["monitor", "-o", &monitor.display().to_string()]);
    for path in forms() {
        let work = tempfile::tempdir().unwrap();
        let form = Form::open(&path, work.path());
        let expected = form.expected();
        form.weave(work.path());
        for compiler in ["gcc", "clang-19"] {
            require_tool(compiler);
            let mut literal_lines = Vec::new();
            for woven in ["woven-form", "woven-twin"] {
                let woven = work.path().join(woven).join(path.file_name().unwrap());
                let inputs = [woven, monitor.join("slic_monitor.c")];
                let (reports, literals) = link_and_run(compiler, &inputs, &[&monitor], work.path());
                assert_eq!(reports, expected, "{} with {compiler}", form.name());
                literal_lines.push(literals);
            }
            assert_eq!(literal_lines[0], literals(&form.bytes), "{}", form.name());
            assert_eq!(
                literal_lines[1],
                literals(&clean(&form.bytes)),
                "{}",
                form.name()
            );
        }
    }
}

#[test]
fn each_form_builds_through_slic_cc_via_c_and_ir() {
    for path in forms() {
        let expected = Form::open(&path, tempfile::tempdir().unwrap().path()).expected();
        for (via, compiler) in [("c", "gcc"), ("c", "clang-19"), ("ir", "clang-19")] {
            require_tool(compiler);
            let work = tempfile::tempdir().unwrap();
            let object = work.path().join("form.o");
            let wdk = root().join("tests/drivers/wdk");
            let mut cc = Command::new(env!("CARGO_BIN_EXE_slic"));
            cc.current_dir(root())
                .args(["cc", "--via", via, "--", compiler])
                .args(flags(compiler))
                .arg(format!("-I{}", wdk.display()))
                .arg(format!("-I{FORMS}"))
                .arg("-c")
                .arg(&path)
                .arg("-o")
                .arg(&object);
            check_output(
                cc,
                &format!("slic cc --via {via} -- {compiler} {}", path.display()),
            );
            let (reports, literals_line) = link_and_run(compiler, &[object], &[], work.path());
            let what = format!("{} through {via} with {compiler}", path.display());
            assert_eq!(reports, expected, "{what}");
            let bytes = std::fs::read(root().join(&path)).unwrap();
            assert_eq!(literals_line, literals(&bytes), "{what}");
        }
    }
}

/// A refusal in a file that is not UTF-8 still says where: one diagnostic,
/// with the file's line and column (counted in the file's bytes as they
/// show, the others replaced).
#[test]
fn a_refusal_in_a_file_of_other_bytes_names_its_place() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("late.c");
    std::fs::write(
        &input,
        b"/* l\x92objet \x93verrou\x94 */\r\n#include \"driver.h\"\r\nstatic void Lock(PKSPIN_LOCK l)\r\n{\r\n    KIRQL i;\r\n    /* caf\xe9 */ KeAcquireSpinLock(l, &i);\r\n}\r\n#include \"wdm.h\"\r\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .current_dir(root())
        .args(["weave", "-I", FORMS])
        .arg(&input)
        .arg("-o")
        .arg(work.path().join("woven.c"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("error[").count(), 1, "{stderr}");
    assert!(
        stderr.contains("error[E0035]: cannot weave a use of a bound function that comes before the file's last `#include`"),
        "{stderr}"
    );
    assert!(stderr.contains("late.c:6:16"), "{stderr}");
    assert!(!work.path().join("woven.c").exists());
}
