//! Bad input, one case each: every command that reads files says clearly
//! what is wrong in one line, exits with 2 (usage or I/O) or 1 (the input
//! is wrong), leaves no output file behind and leaves its input untouched.

use std::path::{Path, PathBuf};

use crate::support::run_slic;

/// The inputs that cannot be read, made in a scratch directory.
struct Inputs {
    directory: tempfile::TempDir,
}

impl Inputs {
    fn new() -> Inputs {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path();
        // Bytes that are not UTF-8 from the start.
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 | 0x80)
            .collect();
        for extension in ["slic", "c", "ll"] {
            std::fs::write(path.join(format!("garbage.{extension}")), &garbage).unwrap();
            std::fs::create_dir(path.join(format!("directory.{extension}"))).unwrap();
            // A socket: even root cannot read it.
            let socket = path.join(format!("socket.{extension}"));
            std::mem::forget(std::os::unix::net::UnixListener::bind(&socket).unwrap());
        }
        Inputs { directory }
    }

    fn path(&self, name: &str) -> String {
        self.directory.path().join(name).display().to_string()
    }
}

fn check(arguments: &[&str], code: i32, message: &str, outputs: &[&Path]) {
    let output = run_slic(arguments);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "slic {}: {stderr}",
        arguments.join(" ")
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line: slic {}: {stderr}",
        arguments.join(" ")
    );
    assert!(
        stderr.contains(message),
        "slic {}: expected `{message}` in: {stderr}",
        arguments.join(" ")
    );
    for output in outputs {
        assert!(
            !output.exists(),
            "slic {}: {} was left behind",
            arguments.join(" "),
            output.display()
        );
    }
}

/// Each kind of unreadable input, for each command that reads it.
#[test]
fn unreadable_inputs() {
    let inputs = Inputs::new();
    let out = inputs.path("out");
    let out_path = PathBuf::from(&out);
    let kinds = [
        ("missing", "no such file"),
        ("directory", "it is a directory"),
        ("socket", "it is a socket"),
        ("garbage", "not a text file"),
    ];
    for (kind, message) in kinds {
        let rule = if kind == "missing" {
            inputs.path("missing.slic")
        } else {
            inputs.path(&format!("{kind}.slic"))
        };
        let c = if kind == "missing" {
            inputs.path("missing.c")
        } else {
            inputs.path(&format!("{kind}.c"))
        };
        let ll = if kind == "missing" {
            inputs.path("missing.ll")
        } else {
            inputs.path(&format!("{kind}.ll"))
        };
        check(&["check", &rule], 2, message, &[]);
        check(&["explore", &rule], 2, message, &[]);
        check(&["graph", &rule, "-o", &out], 2, message, &[&out_path]);
        check(
            &["monitor", "--rule", &rule, "-o", &out],
            2,
            message,
            &[&out_path],
        );
        check(
            &[
                "weave",
                "--rule",
                &rule,
                "tests/drivers/queued/driver.c",
                "-o",
                &out,
            ],
            2,
            message,
            &[&out_path],
        );
        // A C file is bytes, whatever they are (`c_files_of_any_bytes`).
        if kind != "garbage" {
            check(&["weave", &c, "-o", &out], 2, message, &[&out_path]);
            check(&["roles", &c, "-o", &out], 2, message, &[&out_path]);
        }
        check(&["weave", &ll, "-o", &out], 2, message, &[&out_path]);
        if kind != "directory" {
            // A directory is where `slic test` looks for rules.
            check(&["test", &rule], 2, message, &[]);
        }
    }
    check(
        &["test", &inputs.path("directory.slic")],
        2,
        "no rule files (`.slic`) found in",
        &[],
    );
}

/// An empty rule is legal but checks nothing: every command says so, and
/// goes on.
#[test]
fn empty_rule() {
    let inputs = Inputs::new();
    let rule = inputs.path("empty.slic");
    std::fs::write(&rule, "").unwrap();
    let out = inputs.path("monitor");
    for arguments in [
        vec!["check", &rule],
        vec!["explore", &rule],
        vec!["graph", &rule],
        vec!["monitor", "--rule", &rule, "-o", &out],
    ] {
        let output = run_slic(&arguments);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "slic {}: {stderr}",
            arguments.join(" ")
        );
        assert!(
            stderr.contains("warning[W0011]: the rule file is empty: it checks nothing"),
            "slic {}: {stderr}",
            arguments.join(" ")
        );
    }
}

/// `slic weave INPUT`, which must succeed: the woven file.
fn weave_c(inputs: &Inputs, input: &str) -> Vec<u8> {
    let out = inputs.path("woven.c");
    let output = run_slic(&["weave", input, "-o", &out]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(&out).unwrap()
}

/// An empty C file weaves into a file with nothing to check.
#[test]
fn empty_c_file() {
    let inputs = Inputs::new();
    let input = inputs.path("empty.c");
    std::fs::write(&input, "").unwrap();
    let woven = String::from_utf8(weave_c(&inputs, &input)).unwrap();
    assert!(woven.contains("woven by slic"));
    assert!(!woven.contains("slic_w_"), "nothing to wrap: {woven}");
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        "",
        "the input is untouched"
    );
}

/// A C file of bytes that are no text at all is read, not refused:
/// compilers take bytes, and it is theirs to say what is no C. It weaves
/// into its own bytes behind what slic adds, and declares no routine.
#[test]
fn c_files_of_any_bytes() {
    let inputs = Inputs::new();
    let input = inputs.path("garbage.c");
    let garbage = std::fs::read(&input).unwrap();
    let woven = weave_c(&inputs, &input);
    assert!(woven.starts_with(b"/* woven by slic"));
    assert!(woven.ends_with(&garbage), "the input's bytes, unchanged");
    assert_eq!(
        std::fs::read(&input).unwrap(),
        garbage,
        "the input is untouched"
    );
    let output = run_slic(&["roles", &input]);
    let roles = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{roles}");
    assert!(!roles.contains("routines = "), "{roles}");
}

/// Weaves `text` as `name` and expects it refused as cut short: exit 1,
/// one E0036 that names the file and `line`, no output, the input kept.
fn refused_as_cut(inputs: &Inputs, name: &str, text: &str, line: Option<usize>, why: &str) {
    let input = inputs.path(name);
    std::fs::write(&input, text).unwrap();
    let out = inputs.path(&format!("{name}.woven.ll"));
    let output = run_slic(&["weave", &input, "-o", &out]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
    assert_eq!(stderr.matches("error[").count(), 1, "{stderr}");
    assert!(stderr.contains("error[E0036]"), "{stderr}");
    assert!(stderr.contains("looks cut short"), "{stderr}");
    assert!(stderr.contains(why), "{name}: expected `{why}`: {stderr}");
    let place = match line {
        Some(line) => format!("{name}:{line}:"),
        None => format!("{name}:"),
    };
    assert!(stderr.contains(&place), "names {place}: {stderr}");
    assert!(!Path::new(&out).exists(), "no partial output");
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        text,
        "the input is untouched"
    );
}

/// The module of a real driver (clang 19, -g), and the start of its line
/// `number` (from 1).
fn driver_module() -> String {
    let fixture =
        crate::support::root().join("tests/fixtures/ir/queued/driver.19.x86_64-linux-gnu.O0.g.ll");
    std::fs::read_to_string(fixture).unwrap()
}

fn line_start(text: &str, number: usize) -> usize {
    text.split_inclusive('\n')
        .take(number - 1)
        .map(str::len)
        .sum()
}

/// A module cut short is refused, never woven: cut inside a string,
/// inside a metadata line, after a line that names metadata defined only
/// in the lost part, inside a function, before the attribute groups.
#[test]
fn truncated_ir_is_refused() {
    let inputs = Inputs::new();
    let text = driver_module();
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("the fixture has a line `{needle}`"))
    };
    // Inside the string of `!1 = !DIFile(filename: "tests/dri`.
    let file_line = line_of("!1 = !DIFile(");
    let cut = line_start(&text, file_line) + "!1 = !DIFile(filename: \"tests/dri".len();
    refused_as_cut(
        &inputs,
        "string.ll",
        &text[..cut],
        Some(file_line),
        "inside a string",
    );
    // Inside the brackets of the last `!DILocation(`.
    let last = text.lines().count();
    let cut = line_start(&text, last) + text.lines().last().unwrap().len() / 2;
    refused_as_cut(
        &inputs,
        "metadata.ll",
        &text[..cut],
        Some(last),
        "inside brackets",
    );
    // After `!2 = !{!3, !6, !32}` and its line break: `!3` and the rest
    // are lost, and every earlier use of them dangles.
    let cut = line_start(&text, line_of("!2 = !{") + 1);
    refused_as_cut(&inputs, "dangling.ll", &text[..cut], None, "never defined");
    // Exactly that line at the end of a module, with nothing before it
    // that names metadata.
    let tiny = "target triple = \"x86_64-unknown-linux-gnu\"\n\n!2 = !{!3, !23}\n";
    refused_as_cut(
        &inputs,
        "tiny.ll",
        tiny,
        Some(3),
        "metadata `!3` is used here but never defined",
    );
    // Inside a function: no closing brace.
    let body = line_of("define ") + 3;
    let cut = line_start(&text, body);
    refused_as_cut(
        &inputs,
        "body.ll",
        &text[..cut],
        Some(body - 3),
        "never closed",
    );
    // After the functions: the attribute groups are lost.
    let cut = line_start(&text, line_of("attributes #0"));
    refused_as_cut(
        &inputs,
        "attributes.ll",
        &text[..cut],
        None,
        "attribute group `#0`",
    );
    // A whole module without its last line break is still whole.
    let whole = inputs.path("whole.ll");
    std::fs::write(&whole, text.trim_end()).unwrap();
    let output = run_slic(&["weave", &whole, "-o", &inputs.path("whole.woven.ll")]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A real module cut short at every tenth: each cut is refused, with one
/// line that names the file and the line, never half written.
#[test]
fn truncated_ir_at_every_tenth() {
    let inputs = Inputs::new();
    let text = driver_module();
    for tenth in 1..10 {
        let mut cut = text.len() * tenth / 10;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        refused_as_cut(&inputs, &format!("cut{tenth}.ll"), &text[..cut], None, "");
    }
}

/// `slic ... | head -1`: when the reader goes away, slic stops quietly
/// (SIGPIPE, as other tools), instead of panicking on the failed write.
#[test]
fn a_closed_pipe_ends_slic_quietly() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_slic"))
        .args([
            "explore",
            "--depth",
            "10",
            "rules/wdm/ExclusiveResourceAccess.slic",
        ])
        .current_dir(crate::support::root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty());
    // The pipe is closed here, with most of the output unread.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}
