//! Printing diagnostics: rendered for people on stderr, or JSON lines on
//! stdout for tools and editors.

use std::io::IsTerminal;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use slic::diagnostic::{Diagnostic, Severity};
use slic::render;
use slic::span::SourceMap;

#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
}

pub fn print(format: MessageFormat, sources: &SourceMap, diagnostics: &[Diagnostic]) {
    match format {
        MessageFormat::Json => print!("{}", render::to_json_lines(sources, diagnostics)),
        MessageFormat::Human => {
            let choice = if std::io::stderr().is_terminal() {
                ColorChoice::Auto
            } else {
                ColorChoice::Never
            };
            let mut stream = StandardStream::stderr(choice);
            if render::to_terminal(&mut stream, sources, diagnostics).is_err() {
                eprint!("{}", render::to_text(sources, diagnostics));
            }
        }
    }
}

/// Diagnostics about an input file that is not in `sources` (a driver
/// being woven, whose id is `sources.next_id()`), with the rule files they
/// may point to too. The input is added only when there is something to
/// show; bytes that are not UTF-8 are shown as `?`.
pub fn print_about_input(
    format: MessageFormat,
    sources: &SourceMap,
    name: &str,
    text: &[u8],
    diagnostics: &[Diagnostic],
) {
    if diagnostics.is_empty() {
        return;
    }
    // The input is read into the map only for a diagnostic that points
    // into it: a module can be large, and most warnings point to rules.
    let input = sources.next_id();
    let about_input = diagnostics.iter().any(|d| {
        d.primary.file == input || d.secondary.iter().any(|label| label.span.file == input)
    });
    if !about_input {
        print(format, sources, diagnostics);
        return;
    }
    let mut sources = sources.clone();
    sources.add(name, shown(text));
    print(format, &sources, diagnostics);
}

/// The text of a file as a diagnostic shows it: each byte that is not part
/// of UTF-8 becomes `?`, so that the spans, which count the file's bytes,
/// still fall where they did.
fn shown(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for chunk in text.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    out
}

/// "2 errors, 1 warning", or "no problems".
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "no problems".to_string(),
        (0, w) => count(w, "warning"),
        (e, 0) => count(e, "error"),
        (e, w) => format!("{}, {}", count(e, "error"), count(w, "warning")),
    }
}
