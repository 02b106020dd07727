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
//!
//! Declarations are read by tree-sitter (only those that name a role type
//! or follow a dispatch annotation); registrations, which are in function
//! bodies, from the tokens.

use std::ops::Range;
use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::blank::Blanked;
use super::file::{CFile, Place};
use super::scan::{Kind, MAX_LENGTH};
use super::structure::is_keyword;
use super::tree::{self, text};
use super::view::view;
use crate::load::{LoadError, SourceLoader};
use crate::role_table::Role;
use crate::weave::role_map::RoleMap;

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
const REGISTRATION_CALLS: &[(&str, u8, Role)] = &[
    ("IoSetCancelRoutine", 2, Role::Cancel),
    ("IoSetCompletionRoutine", 2, Role::Completion),
    ("IoSetCompletionRoutineEx", 3, Role::Completion),
    ("KeInitializeDpc", 2, Role::Dpc),
    ("KeInitializeThreadedDpc", 2, Role::Dpc),
    ("IoInitializeDpcRequest", 2, Role::Dpc),
    ("IoQueueWorkItem", 2, Role::Worker),
    ("IoConnectInterrupt", 2, Role::Isr),
];

/// A word the role scan looks for in a file's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleWord {
    /// A role type: `DRIVER_DISPATCH`.
    Type(Role),
    /// A field of the driver object that takes a routine: `DriverUnload`.
    Field(Role),
    /// A call that registers a routine, and which of its arguments (from 1)
    /// the routine is (a byte: the weaver keeps one of these for each
    /// identifier of interest in a file).
    Call(u8, Role),
}

pub fn role_word(word: &str) -> Option<RoleWord> {
    if let Some(&(_, role)) = REGISTRATION_FIELDS.iter().find(|(f, _)| *f == word) {
        return Some(RoleWord::Field(role));
    }
    if let Some(&(_, argument, role)) = REGISTRATION_CALLS.iter().find(|(f, ..)| *f == word) {
        return Some(RoleWord::Call(argument, role));
    }
    Role::from_role_type(word).map(RoleWord::Type)
}

/// Every word [`role_word`] knows.
pub fn role_words() -> impl Iterator<Item = &'static str> {
    let types = crate::role_table::ROLES
        .iter()
        .flat_map(|info| info.role_types.iter().copied());
    REGISTRATION_FIELDS
        .iter()
        .map(|(field, _)| *field)
        .chain(REGISTRATION_CALLS.iter().map(|(call, ..)| *call))
        .chain(types)
}

/// The roles declared or registered in one file (its bytes, whatever they
/// are: see `view.rs`), and the files it includes with quotes (where
/// drivers usually declare their routines).
pub fn scan(source: &[u8], file: &str, extra_blank: &[String]) -> (Vec<Found>, Vec<String>) {
    if source.len() > MAX_LENGTH {
        return (Vec::new(), Vec::new());
    }
    let source = view(source);
    let c = CFile::read(&source, extra_blank);
    let hits = c.hits(role_word);
    let words = || {
        hits.iter()
            .map(|hit| (hit.token, hit.item, hit.place, hit.interest))
    };
    let declared = declared(&c, words(), file);
    let parsed: Vec<usize> = (0..c.structure.items.len())
        .filter(|&item| declared.to_parse[item])
        .collect();
    let mut found = declared.found;
    c.parse(&parsed, |parsed| {
        let mut nodes = Vec::new();
        tree::walk(parsed.tree, |visit| {
            if matches!(visit.node.kind(), "declaration" | "function_definition") {
                nodes.push(visit.node);
            }
        });
        found.extend(parsed_evidence(&c, &nodes, file));
    });
    found.extend(lexical_evidence(&c, words(), file));
    (in_order(found), c.quoted_includes())
}

/// The role evidence of a file's declarations (and definition heads) that
/// its tokens tell, and which of its items need tree-sitter for theirs.
pub struct Declared {
    pub found: Vec<(usize, Found)>,
    /// By item.
    pub to_parse: Vec<bool>,
}

/// Declarations that name a role type or follow a dispatch annotation.
/// The usual shape, `[extern|static] DRIVER_DISPATCH Read, Write;`, is read
/// from its tokens; any other goes to tree-sitter. `words` are the tokens
/// [`role_word`] knows: (token, item, place, word).
pub fn declared(
    c: &CFile,
    words: impl Iterator<Item = (usize, Option<usize>, Place, RoleWord)>,
    file: &str,
) -> Declared {
    let count = c.structure.items.len();
    let mut role_types = vec![None; count];
    for (token, item, place, word) in words {
        if let (Some(item), Place::Head, RoleWord::Type(role)) = (item, place, word) {
            role_types[item].get_or_insert((token, role));
        }
    }
    let mut found = Vec::new();
    let mut to_parse = vec![false; count];
    // Items come in the order of the text: the annotations that end before
    // each are found by walking on from the last item's.
    let blanked = &c.scan.blanked;
    let mut before = 0;
    for item in 0..count {
        let start = c.start(c.structure.items[item].tokens.start);
        while before < blanked.len() && blanked[before].range.end <= start {
            before += 1;
        }
        let annotation = annotation_before(&blanked[..before], start, c.text);
        if role_types[item].is_none() && annotation.is_none() {
            continue;
        }
        let Some(names) = simple_declaration(c, item, role_types[item].map(|(token, _)| token))
        else {
            to_parse[item] = true;
            continue;
        };
        let at = c.start(c.structure.items[item].tokens.start);
        let mut add = |role: Role, evidence: String| {
            for &name in &names {
                found.push((
                    at,
                    Found {
                        role,
                        routine: c.word(name).to_string(),
                        evidence: evidence.clone(),
                        file: file.to_string(),
                        line: c.scan.line(at),
                    },
                ));
            }
        };
        if let Some((token, role)) = role_types[item] {
            add(role, format!("{} declaration", c.word(token)));
        }
        if let Some(annotation) = annotation {
            add(Role::Dispatch, format!("{annotation} annotation"));
        }
    }
    Declared { found, to_parse }
}

/// The names a declaration `[extern|static] TYPE Name, Other;` declares, if
/// it is one (`TYPE` at `role_type`, or any name if none is given).
fn simple_declaration(c: &CFile, item: usize, role_type: Option<usize>) -> Option<Vec<usize>> {
    let item = &c.structure.items[item];
    if item.body().is_some() {
        return None;
    }
    let mut tokens = item.tokens.clone().peekable();
    while tokens
        .peek()
        .is_some_and(|&t| matches!(c.word(t), "extern" | "static"))
    {
        tokens.next();
    }
    let ty = tokens.next()?;
    if role_type.is_some_and(|r| r != ty) || c.tokens()[ty].kind != Kind::Identifier {
        return None;
    }
    let mut names = Vec::new();
    loop {
        let name = tokens.next()?;
        if c.tokens()[name].kind != Kind::Identifier || is_keyword(c.word(name)) {
            return None;
        }
        names.push(name);
        match tokens.next() {
            Some(comma) if c.tokens()[comma].is(b',') => {}
            Some(semicolon) if c.tokens()[semicolon].is(b';') => break,
            _ => return None,
        }
    }
    tokens.next().is_none().then_some(names)
}

/// Evidence, each with the byte it was found at, in the order of the text
/// (what a declaration says before what is inside it).
pub fn in_order(mut found: Vec<(usize, Found)>) -> Vec<Found> {
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, found)| found).collect()
}

/// Role-type declarations and dispatch annotations, from the parsed
/// declarations and definitions.
pub fn parsed_evidence(c: &CFile, nodes: &[Node], file: &str) -> Vec<(usize, Found)> {
    let mut found = Vec::new();
    for &node in nodes {
        if !matches!(node.kind(), "declaration" | "function_definition") {
            continue;
        }
        let names = declared_routines(node, c.text);
        let role_type = tree::child(node, tree::Field::Type).map(|t| text(t, c.text));
        found.extend(declaration_evidence(
            c,
            node.start_byte(),
            &names,
            role_type,
            file,
        ));
    }
    found
}

/// The roles a declaration or definition that starts at `at` gives the
/// routines it declares (`names`): by its type (`role_type`, as spelled)
/// or by a dispatch annotation before it.
pub fn declaration_evidence(
    c: &CFile,
    at: usize,
    names: &[&str],
    role_type: Option<&str>,
    file: &str,
) -> Vec<(usize, Found)> {
    let mut found = Vec::new();
    let mut add = |role: Role, name: &str, evidence: String| {
        found.push((
            at,
            Found {
                role,
                routine: name.to_string(),
                evidence,
                file: file.to_string(),
                line: c.scan.line(at),
            },
        ));
    };
    if let Some(role_type) = role_type
        && let Some(role) = Role::from_role_type(role_type)
    {
        for name in names {
            add(role, name, format!("{role_type} declaration"));
        }
    }
    if let Some(annotation) = dispatch_annotation(&c.scan.blanked, at, c.text) {
        for name in names {
            add(Role::Dispatch, name, format!("{annotation} annotation"));
        }
    }
    found
}

/// Registrations (`d->MajorFunction[IRP_MJ_READ] = Read;`,
/// `IoSetCancelRoutine(irp, Cancel)`), role-type declarations inside
/// functions, and `DriverEntry`, from the tokens: `words` are the tokens
/// [`role_word`] knows: (token, item, place, word).
pub fn lexical_evidence(
    c: &CFile,
    words: impl Iterator<Item = (usize, Option<usize>, Place, RoleWord)>,
    file: &str,
) -> Vec<(usize, Found)> {
    let mut found = Vec::new();
    let mut add = |at: usize, role: Role, routine: usize, evidence: String| {
        found.push((
            at,
            Found {
                role,
                routine: c.word(routine).to_string(),
                evidence,
                file: file.to_string(),
                line: c.scan.line(at),
            },
        ));
    };
    for (item, name) in c.names.iter().enumerate() {
        if let Some(name) = *name
            && c.word(name) == "DriverEntry"
        {
            let at = c.start(c.structure.items[item].tokens.start);
            add(at, Role::DriverEntry, name, "its name".to_string());
        }
    }
    for (token, _, place, word) in words {
        let before = c.previous(token);
        let after = c.next(token);
        let field_access = before.is_some_and(|b| is_access(c, b));
        match word {
            RoleWord::Field(role) if field_access => {
                let mut next = after;
                if c.is(next, b'[') {
                    next = next
                        .and_then(|open| c.closing(open))
                        .and_then(|close| c.next(close));
                }
                let Some(equals) = next.filter(|&n| c.tokens()[n].is(b'=')) else {
                    continue;
                };
                if let Some(routine) = expression_after(c, equals).and_then(|v| routine_named(c, v))
                {
                    let start = expression_start(c, before.expect("a field access"));
                    let field = c.word(token);
                    add(
                        c.start(start),
                        role,
                        routine,
                        format!("assigned to {field}"),
                    );
                }
            }
            RoleWord::Call(argument, role) if !field_access && c.is(after, b'(') => {
                let open = after.expect("a call has a `(`");
                let value = arguments(c, open)
                    .into_iter()
                    .nth(usize::from(argument) - 1);
                if let Some(routine) = value.and_then(|v| routine_named(c, v)) {
                    let function = c.word(token);
                    add(
                        c.start(token),
                        role,
                        routine,
                        format!("passed to {function}"),
                    );
                }
            }
            RoleWord::Type(role) if place == Place::Body => {
                // `DRIVER_CANCEL Cancel, Other;` inside a function.
                let starts_statement = before.is_none_or(|b| {
                    let token = c.tokens()[b];
                    token.is(b';')
                        || token.is(b'{')
                        || token.is(b'}')
                        || matches!(c.word(b), "extern" | "static")
                });
                let mut names = Vec::new();
                let mut at = after;
                while let Some(name) = at.filter(|&n| c.tokens()[n].kind == Kind::Identifier) {
                    names.push(name);
                    at = c.next(name);
                    if !c.is(at, b',') {
                        break;
                    }
                    at = at.and_then(|comma| c.next(comma));
                }
                if starts_statement && c.is(at, b';') {
                    let role_type = c.word(token);
                    for name in names {
                        add(
                            c.start(token),
                            role,
                            name,
                            format!("{role_type} declaration"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn is_access(c: &CFile, token: usize) -> bool {
    let token = c.tokens()[token];
    token.is(b'.') || token.kind == Kind::Arrow
}

/// The tokens of the expression after the token `operator` (`=` or `,` or
/// `(`): up to a `;`, or a `,` or closing delimiter outside the delimiters
/// it opens.
fn expression_after(c: &CFile, operator: usize) -> Option<Range<usize>> {
    let first = operator + 1;
    let mut depth = 0usize;
    let mut at = first;
    while let Some(token) = c.tokens().get(at) {
        match token.kind {
            Kind::Punctuation(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punctuation(b')' | b']' | b'}') if depth == 0 => break,
            Kind::Punctuation(b')' | b']' | b'}') => depth -= 1,
            Kind::Punctuation(b';') => break,
            Kind::Punctuation(b',') if depth == 0 => break,
            _ => {}
        }
        at += 1;
    }
    Some(first..at)
}

/// The tokens of each argument of the call whose `(` is at `open`.
fn arguments(c: &CFile, open: usize) -> Vec<Range<usize>> {
    let mut arguments = Vec::new();
    let mut at = open;
    while let Some(argument) = expression_after(c, at) {
        at = argument.end;
        arguments.push(argument);
        if !c.is(Some(at), b',') {
            break;
        }
    }
    arguments
}

/// Where the expression that ends with the field access at `access` (`.`
/// or `->`) starts: `DriverObject->MajorFunction`, `(*d).DriverUnload`,
/// `GetDriver()->DriverUnload`.
fn expression_start(c: &CFile, access: usize) -> usize {
    let mut at = access;
    loop {
        let Some(before) = c.previous(at) else {
            return at;
        };
        let token = c.tokens()[before];
        if token.kind == Kind::Identifier {
            at = before;
        } else if token.is(b')') || token.is(b']') {
            let Some(open) = c.opening(before) else {
                return at;
            };
            at = c
                .previous(open)
                .filter(|&name| c.tokens()[name].kind == Kind::Identifier)
                .unwrap_or(open);
        } else {
            return at;
        }
        match c.previous(at) {
            Some(access) if is_access(c, access) => at = access,
            _ => return at,
        }
    }
}

/// `Foo`, `&Foo`, `(Foo)` or `(PDRIVER_CANCEL)Foo`: the routine an
/// expression names.
fn routine_named(c: &CFile, mut tokens: Range<usize>) -> Option<usize> {
    loop {
        let first = tokens.start;
        let token = *c.tokens().get(first).filter(|_| !tokens.is_empty())?;
        if token.is(b'&') || token.is(b'*') || token.kind == Kind::Directive {
            tokens.start += 1;
        } else if token.is(b'(') {
            let close = c.closing(first).filter(|&close| close < tokens.end)?;
            tokens = if close + 1 == tokens.end {
                first + 1..close
            } else {
                // A cast: the value follows.
                close + 1..tokens.end
            };
        } else {
            // tree-sitter-c reads `NULL`, `TRUE` and their kin as constants.
            let constant = matches!(
                c.word(first),
                "NULL" | "nullptr" | "TRUE" | "true" | "FALSE" | "false"
            );
            let name = token.kind == Kind::Identifier && !constant && !is_keyword(c.word(first));
            return (name && tokens.len() == 1).then_some(first);
        }
    }
}

/// The functions a declaration declares (not variables: `DRIVER_DISPATCH
/// Foo;` declares a function by its type) or a definition defines.
fn declared_routines<'s>(node: Node, source: &'s str) -> Vec<&'s str> {
    let mut cursor = node.walk();
    node.children_by_field_name("declarator", &mut cursor)
        .filter(|d| d.kind() != "init_declarator")
        .filter_map(tree::declared_name)
        .map(|name| text(name, source))
        .collect()
}

/// A dispatch annotation right before what starts at `start` (only blanks
/// and other annotations between): its name, if there is one.
fn dispatch_annotation(blanked: &[Blanked], start: usize, text: &str) -> Option<String> {
    let before = blanked.partition_point(|b| b.range.end <= start);
    annotation_before(&blanked[..before], start, text)
}

/// [`dispatch_annotation`], of the attribute-like macros that end before
/// `start` (`before`).
fn annotation_before(before: &[Blanked], start: usize, text: &str) -> Option<String> {
    let mut at = start;
    for annotation in before.iter().rev() {
        let between = &text[annotation.range.end..at];
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
    source: &[u8],
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
                match loader.load_bytes(&candidate) {
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
        scan(source.as_bytes(), "d.c", &[])
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

    #[test]
    fn annotated_definitions_local_declarations_and_what_is_no_routine() {
        let found = roles(
            "_Dispatch_type_(IRP_MJ_CREATE)\nNTSTATUS Create(PDEVICE_OBJECT d, PIRP i) {\n\
             DRIVER_CANCEL LocalCancel;\n IoSetCancelRoutine(i, NULL);\n\
             GetDriver(d)->Object.DriverUnload = (Unload);\n d->MajorFunction[i->Major] = d->Other;\n return 0; }",
        );
        let lines: Vec<(Role, &str, &str)> = found
            .iter()
            .map(|(r, n, e)| (*r, n.as_str(), e.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (Role::Dispatch, "Create", "_Dispatch_type_ annotation"),
                (Role::Cancel, "LocalCancel", "DRIVER_CANCEL declaration"),
                (Role::Unload, "Unload", "assigned to DriverUnload"),
            ]
        );
        let lines: Vec<u32> = scan(
            b"NTSTATUS F(PDRIVER_OBJECT d) {\n  d->DriverUnload\n    = U;\n}",
            "d.c",
            &[],
        )
        .0
        .iter()
        .map(|f| f.line)
        .collect();
        assert_eq!(lines, [2], "a registration is where its assignment starts");
    }
}
