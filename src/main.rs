//! The `slic` command. All I/O lives here and in `src/cli/`; the library
//! does none.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
