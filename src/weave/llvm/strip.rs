//! Taking debug information out of a woven module.
//!
//! Sites get their positions from `!dbg` locations. When a build asked for
//! no debug information, `slic cc` emits the IR with line tables only, so
//! that reports can say where, weaves it, and then strips what the build
//! did not ask for: the objects come out as the user's flags would make
//! them. The site table keeps the positions as strings.
//!
//! What goes: debug records and intrinsic calls, their declarations,
//! `!llvm.dbg.cu`, and the `!dbg`, `!DIAssignID` and `!heapallocsite`
//! attachments, and the source locations a loop's `!llvm.loop` node names
//! (as LLVM's own stripping does: the loop node is not debug information,
//! but through its locations it would still reach the compile unit, which
//! the verifier then finds missing from `!llvm.dbg.cu` and clang warns
//! about on every compile). The other metadata nodes stay, unreferenced
//! (the code generator emits debug information only for the compile units
//! `!llvm.dbg.cu` lists).

use std::collections::HashSet;

/// Attachments that refer to debug information.
const ATTACHMENTS: &[&str] = &["!dbg", "!DIAssignID", "!heapallocsite"];

pub fn strip_debug_info(text: &str) -> String {
    let locations = location_nodes(text);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if let Some(kept) = loop_node_without_locations(line, &locations) {
            out.push_str(&kept);
            continue;
        }
        let trimmed = line.trim_start();
        let is_debug_line = trimmed.starts_with("#dbg_")
            || trimmed.starts_with("!llvm.dbg.cu ")
            || (trimmed.starts_with("call void @llvm.dbg.")
                || trimmed.starts_with("tail call void @llvm.dbg."))
            || (trimmed.starts_with("declare ") && trimmed.contains("@llvm.dbg."));
        if is_debug_line {
            continue;
        }
        if trimmed.starts_with('!') || !ATTACHMENTS.iter().any(|a| line.contains(a)) {
            out.push_str(line);
        } else {
            strip_attachments(line, &mut out);
        }
    }
    out
}

/// The numbers of the `!DILocation` nodes (`!22 = !DILocation(...)`).
fn location_nodes(text: &str) -> HashSet<&str> {
    text.split('\n')
        .filter_map(|line| {
            let (number, value) = line.strip_prefix('!')?.split_once(" = ")?;
            let value = value.strip_prefix("distinct ").unwrap_or(value);
            value.starts_with("!DILocation(").then_some(number)
        })
        .collect()
}

/// A loop node (`!32 = distinct !{!32, !22, !30, !33}`, the node that
/// names itself first) without the operands that are source locations, or
/// `None` if `line` is not one that has any.
fn loop_node_without_locations(line: &str, locations: &HashSet<&str>) -> Option<String> {
    let (number, value) = line.strip_prefix('!')?.split_once(" = distinct !{")?;
    let (operands, end) = value.split_once('}')?;
    let mut operands = operands.split(", ");
    if operands.next()?.strip_prefix('!')? != number {
        return None;
    }
    let is_location = |operand: &str| {
        operand
            .strip_prefix('!')
            .is_some_and(|n| locations.contains(n))
    };
    if !operands.clone().any(is_location) {
        return None;
    }
    let mut kept = format!("!{number} = distinct !{{!{number}");
    for operand in operands.filter(|o| !is_location(o)) {
        kept.push_str(", ");
        kept.push_str(operand);
    }
    kept.push('}');
    kept.push_str(end);
    Some(kept)
}

/// Copies a line without its debug attachments (`, !dbg !12` after an
/// instruction, ` !dbg !12` before a function's `{`), leaving strings and
/// comments alone.
fn strip_attachments(line: &str, out: &mut String) {
    let bytes = line.as_bytes();
    let mut at = 0;
    let mut quoted = false;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted && byte == b';' {
            break;
        } else if !quoted && let Some(end) = attachment_at(line, at) {
            // The separator before it goes too: `, ` or ` `.
            let trimmed = out.trim_end_matches(' ');
            let trimmed = trimmed.strip_suffix(',').unwrap_or(trimmed);
            out.truncate(trimmed.len());
            at = end;
            continue;
        }
        let length = line[at..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&line[at..at + length]);
        at += length;
    }
    out.push_str(&line[at..]);
}

/// If an attachment starts at `at` (`!dbg !12`), where it ends.
fn attachment_at(line: &str, at: usize) -> Option<usize> {
    let rest = &line[at..];
    let name = ATTACHMENTS.iter().find(|name| {
        rest.starts_with(*name)
            && rest[name.len()..].starts_with(' ')
            && (at == 0 || matches!(line.as_bytes()[at - 1], b' ' | b','))
    })?;
    let value = rest[name.len()..].trim_start();
    let value_start = rest.len() - value.len();
    let digits = value.strip_prefix('!')?;
    let count = digits.bytes().take_while(u8::is_ascii_digit).count();
    (count > 0).then_some(at + value_start + 1 + count)
}

#[cfg(test)]
mod tests {
    use super::strip_debug_info;

    #[test]
    fn attachments_records_and_compile_units_go() {
        let text = "define i32 @f(i32 %x) #0 !dbg !10 {\n\
                    entry:\n  \
                    #dbg_value(i32 %x, !12, !DIExpression(), !13)\n  \
                    call void @llvm.dbg.declare(metadata ptr %p, metadata !14, metadata !DIExpression()), !dbg !15\n  \
                    %y = add i32 %x, 1, !dbg !16\n  \
                    store i32 %y, ptr %p, align 4, !tbaa !20, !dbg !17, !DIAssignID !18\n  \
                    %s = getelementptr [6 x i8], ptr @text, i32 0, i32 0 ; a comment , !dbg !1\n  \
                    ret i32 %y, !dbg !19\n\
                    }\n\
                    declare void @llvm.dbg.declare(metadata, metadata, metadata)\n\
                    @text = constant [6 x i8] c\"!dbg !\\00\", !dbg !30\n\
                    !llvm.dbg.cu = !{!0}\n\
                    !llvm.module.flags = !{!2}\n\
                    !16 = !DILocation(line: 3, column: 5, scope: !10)\n";
        let expected = "define i32 @f(i32 %x) #0 {\n\
                        entry:\n  \
                        %y = add i32 %x, 1\n  \
                        store i32 %y, ptr %p, align 4, !tbaa !20\n  \
                        %s = getelementptr [6 x i8], ptr @text, i32 0, i32 0 ; a comment , !dbg !1\n  \
                        ret i32 %y\n\
                        }\n\
                        @text = constant [6 x i8] c\"!dbg !\\00\"\n\
                        !llvm.module.flags = !{!2}\n\
                        !16 = !DILocation(line: 3, column: 5, scope: !10)\n";
        assert_eq!(strip_debug_info(text), expected);
    }

    #[test]
    fn loops_lose_their_locations_and_keep_their_properties() {
        let text = "  br label %for.cond, !dbg !30, !llvm.loop !32\n\
                    !22 = !DILocation(line: 13, column: 5, scope: !10)\n\
                    !30 = distinct !DILocation(line: 17, column: 5, scope: !10)\n\
                    !32 = distinct !{!32, !22, !30, !33}\n\
                    !33 = !{!\"llvm.loop.mustprogress\"}\n\
                    !34 = distinct !{!34, !33}\n\
                    !35 = distinct !{!36, !22}\n";
        let expected = "  br label %for.cond, !llvm.loop !32\n\
                        !22 = !DILocation(line: 13, column: 5, scope: !10)\n\
                        !30 = distinct !DILocation(line: 17, column: 5, scope: !10)\n\
                        !32 = distinct !{!32, !33}\n\
                        !33 = !{!\"llvm.loop.mustprogress\"}\n\
                        !34 = distinct !{!34, !33}\n\
                        !35 = distinct !{!36, !22}\n";
        assert_eq!(strip_debug_info(text), expected);
    }
}
