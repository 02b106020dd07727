//! The `/*++ ... --*/` metadata header of a rule.
//!
//! SDV's rule files carry a header of `Field:` lines, each followed by an
//! indented value, often after a copyright line. A header that does not
//! fit is only ever a warning: it documents the rule, it does not define it.

use std::ops::Range;

use super::ast::{Header, HeaderField, RuleId};
use super::literal;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};

const KNOWN_FIELDS: &[&str] = &["Rule Name", "Domain", "Rule ID", "Description", "Help Link"];

struct Line<'a> {
    text: &'a str,
    start: usize,
    indent: usize,
}

/// Parses the header comment at `range` (from `/*++` to `*/`).
pub fn parse(file: FileId, text: &str, range: Range<usize>) -> (Header, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let whole = Span::new(file, range.clone());
    let comment = &text[range.clone()];
    let body_end = if comment.ends_with("--*/") {
        comment.len() - 4
    } else {
        diagnostics.push(
            Diagnostic::new(
                Code::MalformedHeader,
                Span::new(file, range.end - 2..range.end),
                "metadata header does not end with `--*/`",
            )
            .with_label("expected `--*/` here"),
        );
        comment.len() - 2
    };
    let body_start = range.start + 4;
    let body = &comment[4..body_end.max(4)];

    let mut fields: Vec<HeaderField> = Vec::new();
    let mut base_indent = None;
    let mut offset = body_start;
    for raw in body.split_inclusive('\n') {
        let line = Line {
            text: raw.trim_end(),
            start: offset,
            indent: raw.len() - raw.trim_start().len(),
        };
        offset += raw.len();
        if line.text.trim().is_empty() {
            continue;
        }
        let is_field_level = base_indent.is_none_or(|base| line.indent <= base);
        match field_line(line.text.trim_start()).filter(|_| is_field_level) {
            Some((name, inline_value)) => {
                base_indent.get_or_insert(line.indent);
                let name_start = line.start + line.indent;
                let value = inline_value.trim();
                let value_span = (!value.is_empty()).then(|| {
                    let start = line.start + line.text.len() - inline_value.trim_start().len();
                    Span::new(file, start..start + value.len())
                });
                fields.push(HeaderField {
                    name: name.to_string(),
                    value: value.to_string(),
                    span: Span::new(file, name_start..name_start + name.len()),
                    value_span,
                });
            }
            None => match fields.last_mut() {
                // Before the first field: a copyright line or a title.
                None => {}
                Some(field) if !is_field_level => {
                    if !field.value.is_empty() {
                        field.value.push(' ');
                    }
                    field.value.push_str(line.text.trim());
                    let start = line.start + line.indent;
                    let this_line = Span::new(file, start..line.start + line.text.len());
                    field.value_span = Some(match field.value_span {
                        Some(earlier) => earlier.to(this_line),
                        None => this_line,
                    });
                }
                Some(_) => {
                    let start = line.start + line.indent;
                    diagnostics.push(
                        Diagnostic::new(
                            Code::MalformedHeader,
                            Span::new(file, start..line.start + line.text.len()),
                            "metadata header line is neither `Field:` nor an indented value",
                        )
                        .with_label("indent this line to make it part of the value above"),
                    );
                }
            },
        }
    }

    let mut header = Header {
        span: whole,
        ..Header::default()
    };
    if fields.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                Code::MalformedHeader,
                Span::new(file, range.start..range.start + 4),
                "metadata header has no `Field:` lines",
            )
            .with_note("known fields: Rule Name, Domain, Rule ID, Description, Help Link"),
        );
    }
    for (index, field) in fields.iter().enumerate() {
        if let Some(first) = fields[..index].iter().find(|f| f.name == field.name) {
            diagnostics.push(
                Diagnostic::new(
                    Code::MalformedHeader,
                    field.span,
                    format!("metadata field `{}` appears twice", field.name),
                )
                .with_secondary(first.span, "first given here"),
            );
            continue;
        }
        if KNOWN_FIELDS.contains(&field.name.as_str()) && field.value.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    Code::MalformedHeader,
                    field.span,
                    format!("metadata field `{}` has no value", field.name),
                )
                .with_label("expected a value on this line or the next, indented"),
            );
            continue;
        }
        let value = Some(field.value.clone());
        match field.name.as_str() {
            "Rule Name" => header.rule_name = value,
            "Domain" => header.domain = value,
            "Description" => header.description = value,
            "Help Link" => header.help_link = value,
            "Rule ID" => match rule_id(&field.value) {
                Some(id) => header.rule_id = Some(id),
                None => diagnostics.push(
                    Diagnostic::new(
                        Code::MalformedHeader,
                        field.value_span.unwrap_or(field.span),
                        format!("`{}` is not a rule ID", field.value),
                    )
                    .with_label("not a number or `Not Applicable`")
                    .with_note("a rule ID is a number such as 0x00040007, or `Not Applicable`"),
                ),
            },
            _ => {}
        }
    }
    header.fields = fields;
    (header, diagnostics)
}

/// `Name: value` or `Name:`; names are words of letters, digits and spaces.
fn field_line(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && !name.ends_with(' ')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_');
    // "http://..." on a value line is not a field: its name would be "http"
    // followed by "//", which no field value starts with.
    (valid && !value.starts_with("//")).then_some((name, value))
}

pub fn rule_id(value: &str) -> Option<RuleId> {
    if value.eq_ignore_ascii_case("not applicable") {
        return Some(RuleId::NotApplicable);
    }
    let literal = literal::integer(value).ok()?;
    u32::try_from(literal.value).ok().map(RuleId::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Header, Vec<Diagnostic>) {
        let end = text.find("*/").unwrap() + 2;
        parse(FileId(0), text, 0..end)
    }

    #[test]
    fn sdv_layout_with_copyright_and_indented_values() {
        let (header, diagnostics) = parse_text(
            "/*++\n\nCopyright (c) Someone.  All rights reserved\n\nRule Name:\n\n    CancelSpinLock\n\nDomain:\n    wdm\nRule ID:\n    Not Applicable\nDescription:\n    Two\n    lines.\nHelp Link:\n    http://example.com/x\n--*/",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(header.rule_name.as_deref(), Some("CancelSpinLock"));
        assert_eq!(header.domain.as_deref(), Some("wdm"));
        assert_eq!(header.rule_id, Some(RuleId::NotApplicable));
        assert_eq!(header.description.as_deref(), Some("Two lines."));
        assert_eq!(header.help_link.as_deref(), Some("http://example.com/x"));
    }

    #[test]
    fn inline_values_and_unknown_fields_are_kept() {
        let (header, diagnostics) =
            parse_text("/*++\nRule Name: Foo\nRule ID: 0x00040007\nOwner: me\n--*/");
        assert!(diagnostics.is_empty());
        assert_eq!(header.rule_id, Some(RuleId::Number(0x40007)));
        assert_eq!(header.fields[2].name, "Owner");
        assert_eq!(header.fields[2].value, "me");
    }

    #[test]
    fn bad_rule_id_and_missing_end_are_warnings() {
        let (_, diagnostics) = parse_text("/*++\nRule ID:\n    soon\n*/");
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::MalformedHeader, Code::MalformedHeader]);
        assert!(diagnostics[1].message.contains("not a rule ID"));
    }
}
