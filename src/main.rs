//! The `slic` command. All I/O lives here and in `src/cli/`; the library
//! does none.

mod cli;

fn main() -> std::process::ExitCode {
    quiet_on_closed_pipes();
    cli::run()
}

/// `slic rules | head -1`: when the reader goes away, stop quietly, as
/// other command-line tools do. Rust ignores SIGPIPE and turns the failed
/// write into a panic; the default action ends the process instead.
#[cfg(unix)]
fn quiet_on_closed_pipes() {
    unsafe extern "C" {
        fn signal(signal: i32, handler: usize) -> usize;
    }
    const SIGPIPE: i32 = 13;
    const SIG_DFL: usize = 0;
    // SAFETY: restoring a signal's default action, before any thread
    // starts, is what every C program starts with.
    unsafe {
        signal(SIGPIPE, SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipes() {}
