//! `slic completions SHELL`: a completion script for a shell.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Failure};

/// Print a shell completion script
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic completions bash > ~/.local/share/bash-completion/completions/slic\n  slic completions zsh > ~/.zfunc/_slic\n  slic completions fish > ~/.config/fish/completions/slic.fish"
)]
pub struct Args {
    /// The shell
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: Args) -> Result<(), Failure> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "slic",
        &mut std::io::stdout(),
    );
    Ok(())
}
