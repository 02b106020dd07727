//! Finding a driver's role routines in its C sources.
//!
//! Three kinds of evidence, all common in real drivers:
//!
//! - role-type declarations: `DRIVER_DISPATCH DispatchRead;`, several per
//!   declaration, usually in the driver's own header;
//! - dispatch annotations before a declaration or definition:
//!   `_Dispatch_type_(IRP_MJ_READ)`, or the older `__drv_dispatchType(...)`;
//! - registrations: `DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;`,
//!   `IoSetCancelRoutine(Irp, CancelIrp)` and the like, and `DriverEntry`.

use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::blank::{Blanked, blank};
use super::tree::{self, text};
use crate::load::{LoadError, SourceLoader};
use crate::roles::Role;
use crate::weave::roles::RoleMap;

/// One routine found, and why slic thinks it has its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub role: Role,
    pub routine: String,
    pub evidence: String,
    pub file: String,
    pub line: u32,
}

/// Fields of the driver object that take a routine of a role.
const REGISTRATION_FIELDS: &[(&str, Role)] = &[
    ("MajorFunction", Role::Dispatch),
    ("DriverUnload", Role::Unload),
    ("DriverStartIo", Role::StartIo),
    ("AddDevice", Role::AddDevice),
];

/// Calls that register a routine: the function, the argument (from 1) that
/// is the routine, and its role.
const REGISTRATION_CALLS: &[(&str, usize, Role)] = &[
    ("IoSetCancelRoutine", 2, Role::Cancel),
    ("IoSetCompletionRoutine", 2, Role::Completion),
    ("IoSetCompletionRoutineEx", 3, Role::Completion),
    ("KeInitializeDpc", 2, Role::Dpc),
    ("KeInitializeThreadedDpc", 2, Role::Dpc),
    ("IoInitializeDpcRequest", 2, Role::Dpc),
    ("IoQueueWorkItem", 2, Role::Worker),
    ("IoConnectInterrupt", 2, Role::Isr),
];

/// The roles declared or registered in one file, and the files it includes
/// with quotes (where drivers usually declare their routines).
pub fn scan(source: &str, file: &str, extra_blank: &[String]) -> (Vec<Found>, Vec<String>) {
    let blanking = blank(source, extra_blank);
    let parsed = tree::parse(&blanking.text);
    scan_parsed(
        &tree::all_nodes(&parsed),
        &blanking.text,
        &blanking.blanked,
        file,
    )
}

/// Like [`scan`], on a file already blanked and parsed.
pub fn scan_parsed(
    nodes: &[Node],
    blank_text: &str,
    blanked: &[Blanked],
    file: &str,
) -> (Vec<Found>, Vec<String>) {
    let text_of = |node: Node| text(node, blank_text);
    let line_of = |node: Node| node.start_position().row as u32 + 1;
    let mut found = Vec::new();
    let mut includes = Vec::new();
    let mut add = |role: Role, name: &str, evidence: String, node: Node| {
        found.push(Found {
            role,
            routine: name.to_string(),
            evidence,
            file: file.to_string(),
            line: line_of(node),
        });
    };
    for &node in nodes {
        match node.kind() {
            "preproc_include" => {
                let Some(path) = node.child_by_field_name("path") else {
                    continue;
                };
                if path.kind() == "string_literal" {
                    let quoted = text_of(path);
                    includes.push(quoted.trim_matches('"').to_string());
                }
            }
            "declaration" | "function_definition" => {
                let names = declared_routines(node, blank_text);
                if let Some(role_type) = node.child_by_field_name("type").map(text_of)
                    && let Some(role) = Role::from_role_type(role_type)
                {
                    for name in &names {
                        add(role, name, format!("{role_type} declaration"), node);
                    }
                }
                if let Some(annotation) = dispatch_annotation(blanked, node, blank_text) {
                    for name in &names {
                        add(
                            Role::Dispatch,
                            name,
                            format!("{annotation} annotation"),
                            node,
                        );
                    }
                }
                if node.kind() == "function_definition" && names.iter().any(|n| n == "DriverEntry")
                {
                    add(
                        Role::DriverEntry,
                        "DriverEntry",
                        "its name".to_string(),
                        node,
                    );
                }
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    continue;
                };
                let Some(routine) = routine_named(right, blank_text) else {
                    continue;
                };
                let field = match left.kind() {
                    "subscript_expression" => left.child_by_field_name("argument"),
                    _ => Some(left),
                }
                .filter(|n| n.kind() == "field_expression")
                .and_then(|n| n.child_by_field_name("field"))
                .map(text_of);
                if let Some(&(field, role)) =
                    REGISTRATION_FIELDS.iter().find(|(f, _)| Some(*f) == field)
                {
                    add(role, routine, format!("assigned to {field}"), node);
                }
            }
            "call_expression" => {
                let Some(function) = node.child_by_field_name("function").map(text_of) else {
                    continue;
                };
                let Some(&(_, position, role)) =
                    REGISTRATION_CALLS.iter().find(|(f, ..)| *f == function)
                else {
                    continue;
                };
                let argument = node
                    .child_by_field_name("arguments")
                    .and_then(|arguments| arguments.named_child(position as u32 - 1));
                if let Some(routine) = argument.and_then(|a| routine_named(a, blank_text)) {
                    add(role, routine, format!("passed to {function}"), node);
                }
            }
            _ => {}
        }
    }
    (found, includes)
}

/// `Foo`, `&Foo` or `(PDRIVER_CANCEL)Foo`: the routine an expression names.
fn routine_named<'a>(node: Node, source: &'a str) -> Option<&'a str> {
    match node.kind() {
        "identifier" => Some(text(node, source)),
        "pointer_expression" | "parenthesized_expression" => {
            let last = node.named_child_count().checked_sub(1)?;
            routine_named(node.named_child(last as u32)?, source)
        }
        "cast_expression" => routine_named(node.child_by_field_name("value")?, source),
        _ => None,
    }
}

/// The functions a declaration declares (not variables: `DRIVER_DISPATCH
/// Foo;` declares a function by its type) or a definition defines.
fn declared_routines(node: Node, source: &str) -> Vec<String> {
    let mut cursor = node.walk();
    node.children_by_field_name("declarator", &mut cursor)
        .filter(|d| d.kind() != "init_declarator")
        .filter_map(tree::declared_name)
        .map(|name| text(name, source).to_string())
        .collect()
}

/// A dispatch annotation right before a declaration (only blanks between):
/// its name, if there is one.
fn dispatch_annotation(blanked: &[Blanked], node: Node, blank_text: &str) -> Option<String> {
    let start = node.start_byte();
    let mut at = start;
    for annotation in blanked.iter().rev().filter(|b| b.range.end <= start) {
        let between = &blank_text[annotation.range.end..at];
        if !between.trim().is_empty() {
            break;
        }
        if matches!(
            annotation.name.as_str(),
            "_Dispatch_type_" | "__drv_dispatchType" | "__drv_dispatchType_other"
        ) {
            return Some(annotation.name.clone());
        }
        at = annotation.range.start;
    }
    None
}

/// Scans a file and the headers it includes with quotes (found next to
/// the including file, then in `include_dirs`), each once. Headers that
/// cannot be found are left out: they may be generated later in a build.
pub fn scan_with_headers(
    loader: &dyn SourceLoader,
    path: &Path,
    source: &str,
    include_dirs: &[PathBuf],
    extra_blank: &[String],
) -> (RoleMap, Vec<Found>) {
    let (found, includes) = scan(source, &path.display().to_string(), extra_blank);
    let (mut map, mut all) = scan_includes(loader, path, includes, include_dirs, extra_blank);
    for item in found.into_iter().rev() {
        map.add(item.role, item.routine.clone());
        all.insert(0, item);
    }
    (map, all)
}

/// The roles in the files `from` includes with quotes (`includes`), and in
/// theirs, each file once.
pub fn scan_includes(
    loader: &dyn SourceLoader,
    from: &Path,
    includes: Vec<String>,
    include_dirs: &[PathBuf],
    extra_blank: &[String],
) -> (RoleMap, Vec<Found>) {
    let mut map = RoleMap::default();
    let mut all = Vec::new();
    let mut seen = vec![from.to_path_buf()];
    let mut queue: Vec<(PathBuf, Vec<String>)> = vec![(from.to_path_buf(), includes)];
    while let Some((file, includes)) = queue.pop() {
        for include in includes {
            let directory = file.parent().unwrap_or(Path::new("")).to_path_buf();
            let candidates = std::iter::once(directory).chain(include_dirs.iter().cloned());
            for candidate in candidates.map(|d| d.join(&include)) {
                if seen.contains(&candidate) {
                    break;
                }
                match loader.load(&candidate) {
                    Ok(text) => {
                        seen.push(candidate.clone());
                        let (found, nested) =
                            scan(&text, &candidate.display().to_string(), extra_blank);
                        for item in found {
                            map.add(item.role, item.routine.clone());
                            all.push(item);
                        }
                        queue.push((candidate, nested));
                        break;
                    }
                    Err(LoadError::NotFound | LoadError::Unreadable(_)) => continue,
                }
            }
        }
    }
    (map, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(source: &str) -> Vec<(Role, String, String)> {
        scan(source, "d.c", &[])
            .0
            .into_iter()
            .map(|f| (f.role, f.routine, f.evidence))
            .collect()
    }

    #[test]
    fn role_type_declarations_several_per_line() {
        let found = roles(
            "DRIVER_DISPATCH DispatchRead, DispatchWrite;\nDRIVER_CANCEL CancelIrp;\nDRIVER_UNLOAD Unload;",
        );
        assert_eq!(
            found,
            [
                (
                    Role::Dispatch,
                    "DispatchRead".into(),
                    "DRIVER_DISPATCH declaration".into()
                ),
                (
                    Role::Dispatch,
                    "DispatchWrite".into(),
                    "DRIVER_DISPATCH declaration".into()
                ),
                (
                    Role::Cancel,
                    "CancelIrp".into(),
                    "DRIVER_CANCEL declaration".into()
                ),
                (
                    Role::Unload,
                    "Unload".into(),
                    "DRIVER_UNLOAD declaration".into()
                ),
            ]
        );
    }

    #[test]
    fn dispatch_annotations_old_and_new() {
        let found = roles(
            "_Dispatch_type_(IRP_MJ_READ)\n_Dispatch_type_(IRP_MJ_WRITE)\nDRIVER_DISPATCH ReadWrite;\n\
             __drv_dispatchType(IRP_MJ_CREATE)\nNTSTATUS Create(PDEVICE_OBJECT d, PIRP i);\nNTSTATUS Other(PDEVICE_OBJECT d, PIRP i);",
        );
        let names: Vec<(&Role, &str)> = found.iter().map(|(r, n, _)| (r, n.as_str())).collect();
        assert_eq!(
            names,
            [
                (&Role::Dispatch, "ReadWrite"),
                (&Role::Dispatch, "ReadWrite"),
                (&Role::Dispatch, "Create")
            ]
        );
    }

    #[test]
    fn registrations() {
        let found = roles(
            "NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING p) {\n\
             d->MajorFunction[IRP_MJ_READ] = DispatchRead;\n d->DriverUnload = &Unload;\n\
             IoSetCancelRoutine(irp, (PDRIVER_CANCEL)CancelIrp);\n KeInitializeDpc(&dpc, DpcRoutine, 0);\n return 0; }",
        );
        let names: Vec<(Role, &str)> = found.iter().map(|(r, n, _)| (*r, n.as_str())).collect();
        assert_eq!(
            names,
            [
                (Role::DriverEntry, "DriverEntry"),
                (Role::Dispatch, "DispatchRead"),
                (Role::Unload, "Unload"),
                (Role::Cancel, "CancelIrp"),
                (Role::Dpc, "DpcRoutine"),
            ]
        );
    }
}
