//! Printing diagnostics: rendered for people on stderr, JSON lines on
//! stdout for tools and editors, or one SARIF log on stdout for code
//! scanning.

use std::io::IsTerminal;
use std::sync::Mutex;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use slic::diagnostic::{Diagnostic, Severity};
use slic::render;
use slic::span::SourceMap;

#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
    // One SARIF 2.1.0 log, when the command ends (no doc comment: clap would
    // print every value's help at length).
    Sarif,
}

/// SARIF results and the codes they use, gathered from every `print` of a
/// command (its diagnostics come from several sources: rules, files woven)
/// until `finish` writes the one log.
static SARIF: Mutex<Option<(Vec<serde_json::Value>, Vec<slic::diagnostic::Code>)>> =
    Mutex::new(None);

pub fn print(format: MessageFormat, sources: &SourceMap, diagnostics: &[Diagnostic]) {
    match format {
        MessageFormat::Sarif => {
            let mut gathered = SARIF.lock().unwrap_or_else(|e| e.into_inner());
            let (results, codes) = gathered.get_or_insert_with(Default::default);
            results.extend(render::to_sarif_results(sources, diagnostics));
            codes.extend(diagnostics.iter().map(|d| d.code));
        }
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

/// Writes the SARIF log of the diagnostics printed with
/// `--message-format sarif`, if any `print` asked for it.
pub fn finish() {
    let gathered = SARIF.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some((results, mut codes)) = gathered {
        codes.sort();
        codes.dedup();
        let log = slic::sarif::log(
            codes.into_iter().map(render::sarif_rule).collect(),
            results,
            serde_json::Map::new(),
        );
        println!(
            "{}",
            serde_json::to_string_pretty(&log).expect("JSON values serialize")
        );
    }
}
