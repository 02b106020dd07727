//! Reading inputs and writing outputs for the commands.
//!
//! Inputs that cannot be read are usage errors (exit 2) with a one-line
//! message. Outputs are written to a temporary file beside the target and
//! renamed, so a failed command never leaves a partial file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use slic::load::{LoadError, SourceLoader};

use super::Failure;

/// The text of a large input: mapped from the file when it is a regular
/// file, read otherwise. Mapping saves copying a module of megabytes into
/// fresh memory (a tenth of `slic weave`'s time on one of 13 MB).
pub enum Text {
    Read(String),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Read(text) => text,
            // SAFETY: checked to be UTF-8 when mapped.
            Text::Mapped(map) => unsafe { std::str::from_utf8_unchecked(map) },
        }
    }
}

impl Text {
    /// `out`, which lets the mapped pages of this text go once they have
    /// been written through it (see `ReleasingWriter`); `out` itself when
    /// the text was read.
    pub fn releasing<'a>(&'a self, out: &'a mut dyn Write) -> ReleasingWriter<'a> {
        ReleasingWriter {
            out,
            map: match self {
                Text::Mapped(map) => Some(map),
                Text::Read(_) => None,
            },
            released: 0,
            started: false,
        }
    }
}

/// A writer that gives back the pages of a mapped input it has written.
///
/// A woven module is its input and the edits, written in order: the
/// pages of the input up to the last of its bytes written are not read
/// again (and if they are, they come back from the file). Left mapped,
/// they count in the process's memory until it ends: the whole module,
/// besides everything the weave holds. Released, the input costs about
/// what is not written yet.
pub struct ReleasingWriter<'a> {
    out: &'a mut dyn Write,
    map: Option<&'a memmap2::Mmap>,
    /// Where the pages not yet released start.
    released: usize,
    /// Whether anything has been written.
    started: bool,
}

/// Pages are released this many bytes at a time at least (fewer calls).
const RELEASED_AT_ONCE: usize = 1 << 20;

impl ReleasingWriter<'_> {
    /// Releases the whole pages of the map below the ends of the bytes of
    /// `written` (the first `count` bytes of the slices) that lie in it;
    /// on the first write, every page of it.
    fn release_after<'b>(&mut self, written: impl Iterator<Item = &'b [u8]>, mut count: usize) {
        let Some(map) = self.map else {
            return;
        };
        if !self.started {
            // A weave writes nothing before it has read the module
            // through (`weave_into`): what it reads from now on comes
            // back, a page at a time, and the rest need not.
            self.started = true;
            release(map, 0..map.len());
        }
        let start = map.as_ptr() as usize;
        let mut end = self.released;
        for piece in written {
            if count == 0 {
                break;
            }
            let length = piece.len().min(count);
            count -= length;
            let at = piece.as_ptr() as usize;
            if at >= start && at < start + map.len() {
                end = end.max(at - start + length);
            }
        }
        let end = end - end % page_size();
        if end >= self.released + RELEASED_AT_ONCE {
            release(map, self.released..end);
            self.released = end;
        }
    }
}

/// Lets the pages of `range` of `map` go (`range.start` on a page).
fn release(map: &memmap2::Mmap, range: std::ops::Range<usize>) {
    // SAFETY: the map is a shared, read-only mapping of a file: released
    // pages are read again from the file when touched, so every borrow of
    // the text stays valid and unchanged.
    #[cfg(unix)]
    let _ = unsafe {
        map.unchecked_advise_range(
            memmap2::UncheckedAdvice::DontNeed,
            range.start,
            range.end - range.start,
        )
    };
    #[cfg(not(unix))]
    let _ = (map, range);
}

fn page_size() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: sysconf has no preconditions.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(size).unwrap_or(4096).max(1)
    }
    #[cfg(not(unix))]
    4096
}

impl Write for ReleasingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(buf)?;
        self.release_after(std::iter::once(buf), written);
        Ok(written)
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let written = self.out.write_vectored(bufs)?;
        self.release_after(bufs.iter().map(|b| &**b), written);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Like [`read_text`], mapping a regular file instead of reading it.
pub fn map_text(path: &Path) -> Result<Text, Failure> {
    let file = match std::fs::File::open(path) {
        Ok(file) if file.metadata().is_ok_and(|m| m.is_file() && m.len() > 0) => file,
        // Directories, sockets, pipes, empty files and errors: the ordinary
        // reader gives each its message.
        _ => return read_text(path).map(Text::Read),
    };
    // SAFETY: the map is read only, and slic does not write its inputs.
    // Another process truncating the file while slic reads it would make
    // the read fault; a build does not rewrite a source it is compiling.
    let map = match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => map,
        Err(_) => return read_text(path).map(Text::Read),
    };
    // A module is ASCII but for its strings' rare bytes: checked at once,
    // and validated as UTF-8 only when some byte is not ASCII.
    if !all_ascii(&map)
        && let Err(error) = std::str::from_utf8(&map)
    {
        return Err(Failure::usage(format!(
            "cannot read `{}`: not a text file (invalid UTF-8 at byte {})",
            path.display(),
            error.valid_up_to()
        )));
    }
    Ok(Text::Mapped(map))
}

/// Whether every byte of `bytes` is ASCII: the bytes of each kilobyte
/// are or-ed together a word at a time (which the compiler does in vector
/// registers) and tested once.
fn all_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut blocks = bytes.chunks_exact(1024);
    for block in &mut blocks {
        let or = block.chunks_exact(8).fold(0u64, |or, word| {
            or | u64::from_le_bytes(word.try_into().expect("8 bytes"))
        });
        if or & HIGH != 0 {
            return false;
        }
    }
    blocks.remainder().is_ascii()
}

/// Reads a text input named on the command line.
pub fn read_text(path: &Path) -> Result<String, Failure> {
    match load(path) {
        Ok(text) => Ok(text),
        Err(LoadError::NotFound) => Err(Failure::usage(format!(
            "cannot read `{}`: no such file",
            path.display()
        ))),
        Err(LoadError::Unreadable(reason)) => Err(Failure::usage(format!(
            "cannot read `{}`: {reason}",
            path.display()
        ))),
    }
}

/// Reads a binary input named on the command line (a `.bc` module).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    load_bytes(path).map_err(|error| match error {
        LoadError::NotFound => {
            Failure::usage(format!("cannot read `{}`: no such file", path.display()))
        }
        LoadError::Unreadable(reason) => {
            Failure::usage(format!("cannot read `{}`: {reason}", path.display()))
        }
    })
}

fn load_bytes(path: &Path) -> Result<Vec<u8>, LoadError> {
    if path.is_dir() {
        return Err(LoadError::Unreadable("it is a directory".to_string()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
            return Err(LoadError::Unreadable("it is a socket".to_string()));
        }
    }
    std::fs::read(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound,
        std::io::ErrorKind::PermissionDenied => {
            LoadError::Unreadable("permission denied".to_string())
        }
        _ => LoadError::Unreadable(error.to_string()),
    })
}

fn load(path: &Path) -> Result<String, LoadError> {
    let bytes = load_bytes(path)?;
    String::from_utf8(bytes).map_err(|error| {
        LoadError::Unreadable(format!(
            "not a text file (invalid UTF-8 at byte {})",
            error.utf8_error().valid_up_to()
        ))
    })
}

/// Files on disk, for `#include` and catalogs.
pub struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        load(path)
    }

    fn load_bytes(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        load_bytes(path)
    }
}

/// Checks that an output can be written where it is named (its directory
/// exists, it is not a directory), before a command does any work.
pub fn check_output_path(path: &Path) -> Result<(), Failure> {
    if path == Path::new("-") {
        return Ok(());
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !directory.is_dir() {
        return Err(Failure::usage(format!(
            "cannot write `{}`: directory `{}` does not exist",
            path.display(),
            directory.display()
        )));
    }
    if path.is_dir() {
        return Err(Failure::usage(format!(
            "cannot write `{}`: it is a directory",
            path.display()
        )));
    }
    Ok(())
}

/// Writes `contents` to `path` atomically (or to stdout for `-`).
pub fn write_output(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    write_output_with(path, |out| out.write_all(contents))
}

/// Like [`write_output`], for contents that `write` produces in pieces
/// (unbuffered: see `slic::edit::write_pieces`): a large output need not
/// be built whole first. When `write` fails, a file is left as it was (a
/// device or a pipe is written in place).
pub fn write_output_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let write_and_flush = |file: &mut dyn Write| -> std::io::Result<()> {
        write(file)?;
        file.flush()
    };
    if path == Path::new("-") {
        return write_and_flush(&mut std::io::stdout().lock())
            .map_err(|error| Failure::usage(format!("cannot write to standard output: {error}")));
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !directory.is_dir() {
        return Err(Failure::usage(format!(
            "cannot write `{}`: directory `{}` does not exist",
            path.display(),
            directory.display()
        )));
    }
    if path.is_dir() {
        return Err(Failure::usage(format!(
            "cannot write `{}`: it is a directory",
            path.display()
        )));
    }
    let fail = |error: std::io::Error| {
        Failure::usage(format!("cannot write `{}`: {error}", path.display()))
    };
    // A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written in
    // place: renaming a file over it would replace it.
    if path.exists() && !path.metadata().is_ok_and(|m| m.is_file()) {
        let mut file = std::fs::File::create(path).map_err(fail)?;
        return write_and_flush(&mut file).map_err(fail);
    }
    // The temporary file is removed when dropped, unless persisted. It gets
    // the permissions the output would get from a plain write (the
    // replaced file's, or 0666 less the umask), not tempfile's private 0600.
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    let permissions;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        permissions = match path.metadata() {
            Ok(existing) => existing.permissions(),
            Err(_) => std::fs::Permissions::from_mode(0o666),
        };
        builder.permissions(permissions);
    }
    let mut temporary = builder.tempfile_in(&directory).map_err(fail)?;
    write_and_flush(temporary.as_file_mut()).map_err(fail)?;
    temporary.persist(path).map_err(|error| fail(error.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::all_ascii;

    #[test]
    fn a_byte_above_ascii_is_found_wherever_it_is() {
        let mut text = vec![b'a'; 5000];
        assert!(all_ascii(&text));
        for at in [0, 7, 8, 1023, 1024, 4095, 4999] {
            text[at] = 0xc3;
            assert!(!all_ascii(&text), "{at}");
            text[at] = b'a';
        }
        assert!(all_ascii(b""));
    }
}
