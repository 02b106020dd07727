//! `slic cc` through C (gcc, or clang with `--via c`): the source woven as
//! C, compiled with the user's flags; `#line` keeps the user's lines.

use std::io::Write;
use std::path::Path;

use super::command::{
    dependency_arguments, null_device, source_arguments, without_dependency_options,
};
use super::{Context, run_capturing, run_command, write};
use crate::cli::Failure;
use crate::cli::io::{FsLoader, read_bytes};
use crate::cli::weave::prototypes;

impl Context<'_> {
    /// Other compilers: the C source woven (with the monitor, weak, at the
    /// end) and compiled with the user's flags; `#line` keeps the user's
    /// file names and lines.
    pub(super) fn compile_through_c(
        &self,
        source: &Path,
        object: &Path,
        number: usize,
    ) -> Result<Option<i32>, Failure> {
        let text = read_bytes(source)?;
        let name = source.display().to_string();
        let roles = self.roles(source, &text);
        let prototypes = prototypes(self.compiled, self.hooks);
        let woven = slic::weave::c::weave(&slic::weave::c::Input {
            text: &text,
            path: &name,
            file: self.compiled.sources.next_id(),
            hooks: self.hooks,
            prototypes: &prototypes,
            roles: &roles,
            extra_blank: &[],
            source: Some(slic::weave::c::SourceFile {
                path: source,
                loader: &FsLoader,
                include_dirs: &self.command.include_dirs,
            }),
        });
        let woven = match woven {
            Ok(woven) => woven,
            // A file slic cannot weave may be one the compiler rejects too:
            // let the compiler say so first, in its words.
            Err(error) => {
                if let Some(code) = self.original_diagnostics(source)? {
                    return Ok(Some(code));
                }
                self.show(&name, &text, &[error]);
                return Err(Failure::Errors);
            }
        };
        self.show(&name, &text, &self.worth_showing(&woven.warnings));
        if woven.sites.is_empty() {
            let status = self.compile_unchanged(source, object)?;
            if status.is_none() {
                self.after_weaving(&name, object, &woven, slic::weave::report::Weaver::C)?;
            }
            return Ok(status);
        }
        let stem = source.file_stem().unwrap().to_string_lossy().to_string();
        let woven_source = self.work.join(format!("{number}-{stem}.c"));
        let (flags, dependency) = without_dependency_options(&self.command.flags());
        // The monitor goes into the object: compiled once and linked in
        // (`cc -r`) where the toolchain can, compiled with the file where
        // it cannot.
        let monitor = self.monitor_object(&flags)?;
        let mut text = woven.text.clone();
        if monitor.is_none() {
            write(&self.work.join("slic_monitor.c"), self.monitor_source)?;
            text.extend_from_slice(b"\n#define SLIC_SHARED_STATE 1\n#include \"slic_monitor.c\"\n");
        }
        write(&woven_source, &text)?;
        if !dependency.is_empty() {
            // The dependency file names the user's source, not the woven
            // one: the preprocessor makes it from the original.
            let mut depend: Vec<String> = flags.clone();
            depend.extend(dependency_arguments(&dependency, object));
            depend.push("-E".to_string());
            depend.extend(source_arguments(source));
            depend.extend(["-o".to_string(), null_device()]);
            run_command(&self.command.compiler, &depend)?;
        }
        let directory = source
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut arguments = flags.clone();
        arguments.extend(["-iquote".to_string(), directory.display().to_string()]);
        arguments.push(format!("-I{}", self.work.display()));
        arguments.extend(["-c".to_string(), woven_source.display().to_string()]);
        arguments.extend(["-o".to_string(), object.display().to_string()]);
        let output = run_capturing(&self.command.compiler, &arguments)?;
        if !output.status.success() {
            if let Some(code) = self.original_fails(source, object)? {
                return Ok(Some(code));
            }
            let _ = std::io::stderr().write_all(&output.stderr);
            return Err(Failure::usage(format!(
                "`{name}` compiles, but its woven form does not: this is a bug in slic (kept in {})",
                self.work.display()
            )));
        }
        // Warnings about the user's code, on the user's lines (`#line`),
        // then slic's own about what bound where.
        let _ = std::io::stderr().write_all(&output.stderr);
        if let Some(monitor) = &monitor {
            self.link_monitor(&flags, monitor, object, &name)?;
        }
        self.after_weaving(&name, object, &woven, slic::weave::report::Weaver::C)?;
        Ok(None)
    }
}
