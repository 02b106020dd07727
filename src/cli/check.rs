//! `slic check RULE...`: diagnostics for rule files.

use std::path::PathBuf;

use slic::diagnostic::has_errors;
use slic::frontend::{self, RuleSource, Session};

use super::diagnostics::{self, MessageFormat};
use super::io::{FsLoader, read_text};
use super::{CompileOptions, Failure};

/// Check rule files: syntax, names, types and the API catalog
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  slic check rules/wdm/QueuedSpinLockRelease.slic\n  slic check --message-format json my-rules/*.slic\n  slic check            (checks the built-in rule pack)"
)]
pub struct Args {
    /// Rule files (`.slic`); the built-in pack when none are given
    #[arg(value_name = "RULE")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    options: CompileOptions,
}

pub fn run(args: Args) -> Result<(), Failure> {
    args.options.validate()?;
    // Every input is read before anything is checked: an unreadable file is
    // a usage error, reported alone.
    let texts = args
        .rules
        .iter()
        .map(|path| read_text(path))
        .collect::<Result<Vec<_>, _>>()?;
    let loader = FsLoader;
    let mut session = Session::new(&loader);
    session.include_path = args.options.include_path.clone();
    session.catalog_override = args.options.catalog.clone();
    let mut all = Vec::new();
    let count;
    if args.rules.is_empty() {
        let pack_loader = slic::pack::loader();
        let mut pack_session = Session::new(&pack_loader);
        let (models, diagnostics) = frontend::compile_pack(&mut pack_session);
        count = models.len().max(slic::pack::rules().count());
        diagnostics::print(
            args.options.message_format,
            &pack_session.sources,
            &diagnostics,
        );
        all.extend(diagnostics);
    } else {
        count = args.rules.len();
        for (path, text) in args.rules.iter().zip(&texts) {
            let display = path.display().to_string();
            let (_, diagnostics) = session.compile(RuleSource {
                path,
                display: &display,
                text,
            });
            all.extend(diagnostics);
        }
        diagnostics::print(args.options.message_format, &session.sources, &all);
    }
    if let MessageFormat::Human = args.options.message_format {
        let rules = if count == 1 {
            "1 rule".to_string()
        } else {
            format!("{count} rules")
        };
        eprintln!("slic: checked {rules}: {}", diagnostics::summary(&all));
    }
    if has_errors(&all) {
        Err(Failure::Errors)
    } else {
        Ok(())
    }
}
