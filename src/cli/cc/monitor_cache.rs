//! The monitor of a build, compiled once per compiler and code-generation
//! flags into a cache in the temporary directory, and joined to each object
//! with a relocatable link (`cc -r`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use slic::hash::fnv_words;

use super::command::{link_selection_flags, links_ahead, monitor_flags};
use super::{Context, linker, run_command, write};
use crate::cli::Failure;

impl Context<'_> {
    /// The C monitor compiled for these flags (see `cached_monitor`).
    pub(super) fn monitor_object(&self, flags: &[String]) -> Result<Option<PathBuf>, Failure> {
        self.cached_monitor(
            flags,
            self.monitor_source,
            "slic_monitor.c",
            &["-DSLIC_SHARED_STATE=1"],
        )
    }

    /// A monitor compiled for these flags, from the cache of compiled
    /// monitors (made if missing); `None` where objects cannot be linked
    /// together ahead of the link (`cc -r`): LTO objects, MSVC targets.
    /// Compiling the monitor into every file instead costs more than the
    /// file itself (the whole pack's monitor is some 3,700 lines of C).
    pub(super) fn cached_monitor(
        &self,
        flags: &[String],
        text: &str,
        file_name: &str,
        extra: &[&str],
    ) -> Result<Option<PathBuf>, Failure> {
        if !links_ahead(&self.command.compiler, flags) {
            return Ok(None);
        }
        let mut arguments = monitor_flags(flags);
        arguments.push("-w".to_string());
        arguments.extend(extra.iter().map(|a| a.to_string()));
        arguments.push("-c".to_string());
        // A hash of what makes the object: the monitor, the compiler and
        // its code-generation flags.
        let hash = fnv_words(
            std::iter::once(text)
                .chain(self.command.compiler.iter().map(String::as_str))
                .chain(arguments.iter().map(String::as_str)),
        );
        let cache = crate::cli::cache::private_directory()
            .map_err(Failure::usage)?
            .join("monitors");
        let cached = cache.join(format!("slic_monitor-{hash:016x}.o"));
        if cached.is_file() {
            return Ok(Some(cached));
        }
        std::fs::create_dir_all(&cache)
            .map_err(|e| Failure::usage(format!("cannot create `{}`: {e}", cache.display())))?;
        let source = self.work.join(file_name);
        write(&source, text)?;
        // Made aside and renamed: parallel compiles may race to make it.
        let made = self.work.join("slic_monitor.o");
        arguments.push(source.display().to_string());
        arguments.extend(["-o".to_string(), made.display().to_string()]);
        let status = run_command(&self.command.compiler, &arguments)?;
        if !status.success() {
            return Err(Failure::usage(format!(
                "the monitor does not compile with `{}`: this is a bug in slic (kept in {})",
                self.command.compiler.join(" "),
                self.work.display()
            )));
        }
        let staged = cache.join(format!("slic_monitor-{hash:016x}.{}.o", std::process::id()));
        std::fs::copy(&made, &staged)
            .and_then(|_| std::fs::rename(&staged, &cached))
            .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", cached.display())))?;
        Ok(Some(cached))
    }

    /// `cc -r`: the compiled object and the monitor, as one object in its
    /// place. The file is compiled where the user asked for the object, so
    /// that what the compiler names after it (`.gcno`, `.dwo`, the `.gcda`
    /// path kept in the object) is the user's; it is moved aside for the
    /// join.
    pub(super) fn link_monitor(
        &self,
        flags: &[String],
        monitor: &Path,
        object: &Path,
        name: &str,
    ) -> Result<(), Failure> {
        let compiled = &self.work.join(format!(
            "compiled-{}",
            object.file_name().unwrap_or_default().to_string_lossy()
        ));
        std::fs::copy(object, compiled).map_err(|e| {
            Failure::usage(format!(
                "cannot copy `{}` to `{}`: {e}",
                object.display(),
                compiled.display()
            ))
        })?;
        let mut link = link_selection_flags(flags);
        link.extend(["-r".to_string(), "-nostdlib".to_string()]);
        let selection = link.clone();
        link.push(compiled.display().to_string());
        link.push(monitor.display().to_string());
        link.extend(["-o".to_string(), object.display().to_string()]);
        let mut command = Command::new(&self.command.compiler[0]);
        command.args(&self.command.compiler[1..]).args(&link);
        // Not behind a wrapper (`ccache clang`): the program whose identity
        // keys the command must be the driver itself.
        if self.command.is_clang
            && self.command.compiler.len() == 1
            && let Some(identity) = linker::identity(&self.command.compiler[0])
        {
            let mut words = vec!["clang -r", identity.as_str()];
            words.extend(self.command.compiler.iter().map(String::as_str));
            words.extend(selection.iter().map(String::as_str));
            let asking: Vec<String> = link.iter().cloned().chain(["-###".to_string()]).collect();
            let linker = crate::cli::cache::keyed(&words, || {
                linker::ask(&self.command.compiler, &asking, compiled, monitor, object)
            });
            if let Some(linker) = linker {
                command = linker.command(compiled, monitor, object);
            }
        }
        let output = command.output().map_err(|error| {
            Failure::usage(format!(
                "cannot run `{}`: {error}",
                self.command.compiler.join(" ")
            ))
        })?;
        if !output.status.success() {
            let _ = std::io::stderr().write_all(&output.stderr);
            // Not left looking built: an object without its monitor would
            // fail at the link, or a build tool would take it as done.
            let _ = std::fs::remove_file(object);
            return Err(Failure::usage(format!(
                "cannot link the monitor into the object of `{name}` (`{} {}`)",
                self.command.compiler.join(" "),
                link.join(" ")
            )));
        }
        Ok(())
    }
}
