//! `slic cc` through LLVM IR (clang): the source to IR at -O0 with no
//! LLVM pass run, the IR woven, the woven IR compiled with the user's
//! flags and optimisation.

use std::io::Write;
use std::path::Path;

use slic::diagnostic::Diagnostic;

use super::command::{
    asks_for_debug_info, code_generation_flags, dependency_arguments, links_ahead,
    source_arguments, without_dependency_options,
};
use super::{Context, run_capturing, run_command, write};
use crate::cli::Failure;
use crate::cli::io::read_bytes;
use crate::cli::io::read_text;

impl Context<'_> {
    /// clang: the source to IR at -O0 (the user's errors come out here, as
    /// clang writes them), the IR woven, the woven IR compiled with the
    /// user's flags.
    pub(super) fn compile_through_ir(
        &self,
        source: &Path,
        object: &Path,
        number: usize,
    ) -> Result<Option<i32>, Failure> {
        let stem = source.file_stem().unwrap().to_string_lossy().to_string();
        let ir = self.work.join(format!("{number}-{stem}.ll"));
        let (flags, dependency) = without_dependency_options(&self.command.flags());
        let mut first: Vec<String> = flags
            .iter()
            .filter(|f| !f.starts_with("-O"))
            .cloned()
            .collect();
        first.extend(dependency_arguments(&dependency, object));
        // No LLVM pass runs on the IR before it is woven: the second
        // compile runs them all (a sanitizer's instrumentation, run in
        // both, would instrument its own code).
        first.extend(
            [
                "-S",
                "-emit-llvm",
                "-O0",
                "-Xclang",
                "-disable-O0-optnone",
                "-Xclang",
                "-disable-llvm-passes",
            ]
            .map(String::from),
        );
        // Reports need line tables to say where; a build without debug
        // information gets them for weaving only (stripped below).
        let debug = asks_for_debug_info(&flags);
        if !debug {
            first.push("-gline-tables-only".to_string());
        }
        first.extend(coverage_files(&flags, object));
        first.extend(source_arguments(source));
        first.extend(["-o".to_string(), ir.display().to_string()]);
        let status = run_command(&self.command.compiler, &first)?;
        if !status.success() {
            return Ok(Some(status.code().unwrap_or(1)));
        }
        let text = read_text(&ir)?;
        let c_text = read_bytes(source)?;
        let roles = self.roles(source, &c_text);
        let monitors = crate::cli::cache::Monitors::of(self.compiled);
        let name = source.display().to_string();
        let input = slic::weave::llvm::Input {
            text: &text,
            path: &name,
            file: self.compiled.sources.next_id(),
            rules: self.automata,
            hooks: self.hooks,
            roles: &roles,
            monitors: monitors
                .as_ref()
                .map(|m| m as &dyn slic::monitor::llvm::MonitorStore),
        };
        let ir_name = ir.display().to_string();
        let refused = |error: Diagnostic| {
            self.show(&ir_name, text.as_bytes(), &[error]);
            Failure::Errors
        };
        // The monitor compiled once and linked in where the toolchain can
        // (as through C), defined in the module where it cannot.
        let monitor = if links_ahead(&self.command.compiler, &flags) {
            let module = slic::weave::llvm::monitor_module(&input).map_err(refused)?;
            let mut extra = vec!["-x", "ir", "-Wno-override-module"];
            if !debug {
                extra.push("-g0");
            }
            self.cached_monitor(&flags, &module, "slic_monitor.ll", &extra)?
        } else {
            None
        };
        let placement = match monitor {
            Some(_) => slic::weave::llvm::MonitorPlacement::Declared,
            None => slic::weave::llvm::MonitorPlacement::InModule,
        };
        let woven = slic::weave::llvm::weave_placing(&input, placement).map_err(refused)?;
        self.show(
            &ir_name,
            text.as_bytes(),
            &self.worth_showing(&woven.warnings),
        );
        if woven.sites.is_empty() {
            let status = self.compile_unchanged(source, object)?;
            if status.is_none() {
                self.after_weaving(&name, object, &woven, slic::weave::report::Weaver::Ir)?;
            }
            return Ok(status);
        }
        self.after_weaving(&name, object, &woven, slic::weave::report::Weaver::Ir)?;
        let woven_ir = self.work.join(format!("{number}-{stem}.woven.ll"));
        if debug {
            write(&woven_ir, &woven.text)?;
        } else {
            write(&woven_ir, slic::weave::llvm::strip_debug_info(&woven.text))?;
        }
        let mut second = code_generation_flags(&flags);
        second.extend([
            "-Wno-override-module".to_string(),
            "-c".to_string(),
            "-x".to_string(),
            "ir".to_string(),
        ]);
        second.push(woven_ir.display().to_string());
        second.extend(["-o".to_string(), object.display().to_string()]);
        let output = run_capturing(&self.command.compiler, &second)?;
        if !output.status.success() {
            if let Some(code) = self.original_fails(source, object)? {
                return Ok(Some(code));
            }
            let _ = std::io::stderr().write_all(&output.stderr);
            return Err(Failure::usage(format!(
                "the woven IR of `{name}` does not compile: this is a bug in slic (kept in {})",
                self.work.display()
            )));
        }
        // What code generation says of the user's code (`-Wframe-larger-than`).
        let _ = std::io::stderr().write_all(&output.stderr);
        if let Some(monitor) = &monitor {
            self.link_monitor(&flags, monitor, object, &name)?;
        }
        Ok(None)
    }
}

/// gcov's files are named in the IR (`!llvm.gcov`), after the output of
/// the compile that makes it: named after the object instead, as a plain
/// compile names them, or the notes would go to slic's work directory.
fn coverage_files(flags: &[String], object: &Path) -> Vec<String> {
    let coverage = flags.iter().any(|f| {
        matches!(
            f.as_str(),
            "--coverage" | "-ftest-coverage" | "-fprofile-arcs"
        )
    });
    if !coverage {
        return Vec::new();
    }
    let object = std::env::current_dir()
        .map(|directory| directory.join(object))
        .unwrap_or_else(|_| object.to_path_buf());
    ["notes", "data"]
        .iter()
        .zip(["gcno", "gcda"])
        .flat_map(|(kind, extension)| {
            [
                "-Xclang".to_string(),
                format!(
                    "-coverage-{kind}-file={}",
                    object.with_extension(extension).display()
                ),
            ]
        })
        .collect()
}
