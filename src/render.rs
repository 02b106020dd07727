//! The one bridge from our diagnostics to codespan-reporting and to JSON.
//!
//! Nothing else in the crate knows about codespan types. Rendering produces
//! strings; the command line decides where they go.

use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{FileId, SourceMap};

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.get(id).line_starts();
        Ok(starts.partition_point(|&start| start <= byte_index) - 1)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.get(id);
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })?;
        let end = starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}

fn to_codespan(diagnostic: &Diagnostic) -> cs::Diagnostic<FileId> {
    let severity = match diagnostic.severity() {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = vec![
        cs::Label::primary(diagnostic.primary.file, diagnostic.primary.range())
            .with_message(&diagnostic.primary_label),
    ];
    labels.extend(diagnostic.secondary.iter().map(|label| {
        cs::Label::secondary(label.span.file, label.span.range()).with_message(&label.message)
    }));
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(diagnostic.notes.clone())
}

/// Renders diagnostics as rustc-style text with source excerpts.
pub fn to_text(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let config = term::Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        term::emit_to_string(&mut out, &config, sources, &to_codespan(diagnostic))
            .expect("spans of a diagnostic lie inside its file");
    }
    out
}

/// Renders diagnostics with terminal colours into any colour-aware writer.
pub fn to_terminal(
    writer: &mut dyn term::termcolor::WriteColor,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    let config = term::Config::default();
    for diagnostic in diagnostics {
        term::emit_to_write_style(writer, &config, sources, &to_codespan(diagnostic))
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

fn span_json(sources: &SourceMap, span: crate::span::Span) -> serde_json::Value {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    serde_json::json!({
        "file": file.name,
        "start": span.start,
        "end": span.end,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    })
}

/// One JSON object per diagnostic, one per line, for tools and editors.
pub fn to_json_lines(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let severity = match diagnostic.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let labels: Vec<_> = diagnostic
            .secondary
            .iter()
            .map(|label| {
                let mut value = span_json(sources, label.span);
                value["message"] = label.message.clone().into();
                value
            })
            .collect();
        let mut primary = span_json(sources, diagnostic.primary);
        primary["message"] = diagnostic.primary_label.clone().into();
        let value = serde_json::json!({
            "code": diagnostic.code.as_str(),
            "severity": severity,
            "message": diagnostic.message,
            "primary": primary,
            "secondary": labels,
            "notes": diagnostic.notes,
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}

/// A region of a file, for SARIF (lines and columns from 1, columns in
/// characters).
fn sarif_location(sources: &SourceMap, span: crate::span::Span) -> serde_json::Value {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    serde_json::json!({
        "artifactLocation": crate::sarif::artifact(&file.name),
        "region": {
            "startLine": line,
            "startColumn": column,
            "endLine": end_line,
            "endColumn": end_column.max(if end_line == line { column } else { 1 }),
        }
    })
}

/// A diagnostic code as a SARIF rule.
pub fn sarif_rule(code: crate::diagnostic::Code) -> serde_json::Value {
    let level = match code.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    serde_json::json!({
        "id": code.as_str(),
        "shortDescription": { "text": code.summary() },
        "defaultConfiguration": { "level": level },
    })
}

/// Diagnostics as SARIF results (the notes follow the message).
pub fn to_sarif_results(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<serde_json::Value> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let level = match diagnostic.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut text = diagnostic.message.clone();
            for note in &diagnostic.notes {
                text.push_str("\nnote: ");
                text.push_str(note);
            }
            let related: Vec<_> = diagnostic
                .secondary
                .iter()
                .enumerate()
                .map(|(index, label)| {
                    serde_json::json!({
                        "id": index,
                        "physicalLocation": sarif_location(sources, label.span),
                        "message": { "text": label.message },
                    })
                })
                .collect();
            let mut location = serde_json::json!({
                "physicalLocation": sarif_location(sources, diagnostic.primary),
            });
            if !diagnostic.primary_label.is_empty() {
                location["message"] = serde_json::json!({ "text": diagnostic.primary_label });
            }
            serde_json::json!({
                "ruleId": diagnostic.code.as_str(),
                "level": level,
                "message": { "text": text },
                "locations": [location],
                "relatedLocations": related,
            })
        })
        .collect()
}

/// Diagnostics as one SARIF log, with a rule for each code they use.
pub fn to_sarif(sources: &SourceMap, diagnostics: &[Diagnostic]) -> serde_json::Value {
    let mut codes: Vec<crate::diagnostic::Code> = diagnostics.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    crate::sarif::log(
        codes.into_iter().map(sarif_rule).collect(),
        to_sarif_results(sources, diagnostics),
        serde_json::Map::new(),
    )
}
