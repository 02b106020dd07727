//! Bitcode in and out of the IR weaver, through LLVM's own tools.
//!
//! The weaver works on text. A `.bc` is disassembled by the `llvm-dis` of
//! the LLVM version that wrote it (from its identification block), and a
//! woven module is assembled by the `llvm-as` of that version: LLVM tools
//! read older IR but not newer, and each writes its own version's format.
//! The tools are Debian's versioned names (`llvm-dis-16`), which the
//! `llvm-16` package installs.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use slic::llvm::bitcode;

use super::Failure;

/// The major LLVM version that wrote a bitcode file.
pub fn bitcode_version(path: &Path, bytes: &[u8]) -> Result<u32, Failure> {
    let producer = bitcode::producer(bytes).map_err(|problem| {
        Failure::usage(format!("cannot weave `{}`: {problem}", path.display()))
    })?;
    bitcode::major_version(&producer).ok_or_else(|| {
        Failure::usage(format!(
            "cannot weave `{}`: its producer `{producer}` is not a version of LLVM slic knows",
            path.display()
        ))
    })
}

/// The major LLVM version of a textual module, from `!llvm.ident`
/// (`clang version 16.0.6`), for writing it as bitcode.
pub fn text_version(text: &str) -> Option<u32> {
    // Named metadata and definitions start lines; `find` is much faster
    // than walking the lines of a large module.
    let ident = text.find("\n!llvm.ident = !{!")? + "\n!llvm.ident = !{!".len();
    let number = text[ident..].split(['}', ',']).next()?;
    let definition = text.find(&format!("\n!{number} = "))? + 1;
    let line = text[definition..].lines().next()?;
    let version = line.split("version ").nth(1)?;
    version.split('.').next()?.trim().parse().ok()
}

fn tool(name: &str, version: u32, why: &str) -> Result<String, Failure> {
    let tool = format!("{name}-{version}");
    let found = Command::new(&tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if found {
        Ok(tool)
    } else {
        Err(Failure::usage(format!(
            "{why} needs `{tool}`, which is not installed: install the package `llvm-{version}` \
             (`apt-get install llvm-{version}`, or scripts/install-tools)"
        )))
    }
}

/// `llvm-dis-N` of a bitcode file: its text.
pub fn disassemble(path: &Path, version: u32) -> Result<String, Failure> {
    let why = format!(
        "`{}` was written by LLVM {version}; reading it",
        path.display()
    );
    let tool = tool("llvm-dis", version, &why)?;
    let output = Command::new(&tool)
        .arg(path)
        .args(["-o", "-"])
        .output()
        .map_err(|error| Failure::usage(format!("cannot run `{tool}`: {error}")))?;
    if !output.status.success() {
        return Err(Failure::usage(format!(
            "`{tool}` cannot read `{}`: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| Failure::usage(format!("`{tool}` printed text that is not UTF-8")))
}

/// `llvm-as-N` of a woven module: its bitcode.
pub fn assemble(text: &str, version: u32, output: &Path) -> Result<Vec<u8>, Failure> {
    let why = format!("writing `{}` as LLVM {version} bitcode", output.display());
    let tool = tool("llvm-as", version, &why)?;
    let mut child = Command::new(&tool)
        .args(["-", "-o", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| Failure::usage(format!("cannot run `{tool}`: {error}")))?;
    let mut stdin = child.stdin.take().expect("a piped stdin");
    let text = text.to_string();
    // Write on another thread: the tool writes while it reads.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let result = child
        .wait_with_output()
        .map_err(|error| Failure::usage(format!("cannot run `{tool}`: {error}")))?;
    let _ = writer.join();
    if !result.status.success() {
        return Err(Failure::usage(format!(
            "internal error: `{tool}` rejects the woven module: {}",
            String::from_utf8_lossy(&result.stderr).trim()
        )));
    }
    Ok(result.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_of_text_from_the_ident() {
        let text =
            "\n!llvm.ident = !{!93}\n!93 = !{!\"Debian clang version 16.0.6 (15~deb12u1)\"}\n";
        assert_eq!(text_version(text), Some(16));
        assert_eq!(text_version("define void @f() {\n}\n"), None);
    }
}
