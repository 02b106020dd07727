//! Weaving a C file: every use of a bound API goes through a generated
//! wrapper that calls the hooks, and every role routine (or function with
//! entry/exit events) is renamed and wrapped.
//!
//! The file is read once (`file.rs`): its tokens give the uses in function
//! bodies; tree-sitter gives the heads of the routines to wrap and the
//! declarations that name APIs or role types.

use std::collections::HashMap;

use tree_sitter::Node;

mod head;
mod refuse;
mod uses;
mod wrap;

use super::file::{CFile, Hit, Parsed, Place, Shapes, WordMap};
use super::generate::{
    GENERATED, api_wrapper, decimal, line_directive, pointer_wrapper, push_site_bytes, site_table,
};
use super::macros::{bearing, identifiers, is_pasted};
use super::role_scan;
use super::scan::{Kind, MAX_LENGTH};
use super::tree::{self, text};
use super::view::{byte_order_mark, view};
use crate::catalog::Prototype;
use crate::diagnostic::{Code, Diagnostic};
use crate::edit::EditBuffer;
use crate::hash::{FnvHashMap, FnvHashSet};
use crate::model::Event;
use crate::monitor::hooks::{Hook, HookSet};
use crate::role_table::Role;
use crate::span::{FileId, Span};
use crate::syntax::pretty::quote;
use crate::weave::bind::{self, Binding, Sites};
use crate::weave::role_map::RoleMap;
use crate::weave::{Position, WOVEN_MARKER, Woven};
use head::Head;
use uses::{Interest, Use, UseKind, body_use, parsed_use};

pub struct Input<'a, 't> {
    /// The file's bytes, whatever they are (see `view.rs`); what the woven
    /// file ([`Edited`]) borrows.
    pub text: &'t [u8],
    /// How reports and `#line` name the file.
    pub path: &'a str,
    /// The id under which the caller shows the file in diagnostics.
    pub file: FileId,
    pub hooks: &'a HookSet,
    /// The catalog prototypes of the functions the rules name.
    pub prototypes: &'a HashMap<String, Prototype>,
    /// Roles given on the command line or in a roles file; those the file
    /// and its headers declare are found while weaving.
    pub roles: &'a RoleMap,
    /// Macros to blank besides the built-in list.
    pub extra_blank: &'a [String],
    /// Where the file is, to find the headers it includes with quotes.
    pub source: Option<SourceFile<'a>>,
}

/// The file on disk and how to read what it includes.
pub struct SourceFile<'a> {
    pub path: &'a std::path::Path,
    pub loader: &'a dyn crate::load::SourceLoader,
    pub include_dirs: &'a [std::path::PathBuf],
}

/// Sites whose position is unknown get this function name when nothing
/// better is known.
const IN_A_MACRO: &str = "(a macro)";

/// What the weaver does, in the order of the text.
enum Step<'t> {
    Use(Use<'t>),
    /// Wrap the definition that is this item; its head is in
    /// [`Read::heads`] by the byte of its body's `{` (a step stays small:
    /// the steps are sorted).
    Wrap(usize),
}

struct Weaver<'a> {
    input: &'a Input<'a, 'a>,
    /// The file as the weaver reads it (`view.rs`); edits go to its bytes.
    text: &'a str,
    file: &'a CFile<'a>,
    /// Every edit, its replacement in one buffer.
    edits: EditBuffer<Vec<u8>>,
    /// The length of the file's byte order mark (0 without one).
    byte_order_mark: usize,
    sites: Sites,
    /// APIs that need a wrapper, in first-use order.
    wrapped_apis: Vec<String>,
    /// Where a renamed definition gets its `SLIC_ORIGINAL` (`static`,
    /// not inlined; `wrap.rs`): made
    /// after the block of declarations, which may go at the same place
    /// (the first definition after the includes) and must come first.
    statics: Vec<usize>,
    /// Pointer wrappers: (site, API).
    pointer_wrappers: Vec<(usize, String)>,
    /// The events of each API (every use of one has them at its site).
    api_events: FnvHashMap<String, Vec<Event>>,
    /// For each macro whose body uses bound APIs (directly or through other
    /// such macros), those APIs.
    macro_apis: HashMap<String, Vec<String>>,
    /// The routines to wrap, once the roles are known, with their roles
    /// (none for a function only a rule names).
    to_wrap: FnvHashMap<String, Vec<Role>>,
    /// Line starts where `SLIC_HERE` is already defined.
    here_lines: FnvHashSet<usize>,
    /// The first byte any woven use needs the monitor declared by.
    first_use: Option<usize>,
    /// The definitions of catalog APIs (kernel code, left alone).
    kernel: Vec<std::ops::Range<usize>>,
    /// The functions some rule names.
    hooked: FnvHashSet<&'a str>,
    /// The hooks of routines no rule names, by their roles.
    role_hooks: FnvHashMap<Vec<Role>, (Vec<&'a Hook>, Vec<&'a Hook>)>,
    /// The file's path, quoted for `#line`.
    quoted_path: String,
    /// `#line 1 "<slic generated>"`.
    generated_line: String,
    /// The body of a routine's wrapper, while it is made (`wrap.rs`).
    wrapper_body: String,
    /// The line [`Weaver::line`] found last.
    last_line: std::cell::Cell<usize>,
    warnings: Vec<Diagnostic>,
}

/// A woven file not yet written: the input's bytes and the edits, in
/// order and checked.
pub struct Edited<'t> {
    source: &'t [u8],
    edits: EditBuffer<Vec<u8>>,
}

impl Edited<'_> {
    /// Writes the woven file to `out`, in pieces: the input's bytes and
    /// the replacements, never copied into one buffer first.
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.edits
            .write_sorted(self.source, 0, self.source.len(), out)
    }

    /// The woven file's bytes, whole.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len() + self.edits.text.len());
        self.write_to(&mut out)
            .expect("writing to memory does not fail");
        out
    }
}

/// Weaves a C file: its woven bytes, whole.
pub fn weave(input: &Input) -> Result<Woven<Vec<u8>>, Diagnostic> {
    let woven = weave_edits(input)?;
    Ok(Woven {
        text: woven.text.to_bytes(),
        sites: woven.sites,
        warnings: woven.warnings,
    })
}

/// Weaves a C file: the edits, to be written ([`Edited::write_to`]) without
/// the woven file being held whole.
pub fn weave_edits<'t>(input: &Input<'_, 't>) -> Result<Woven<Edited<'t>>, Diagnostic> {
    let woven = weave_unwritten(input)?;
    Ok(Woven {
        text: Edited {
            source: input.text,
            edits: woven.text,
        },
        sites: woven.sites,
        warnings: woven.warnings,
    })
}

fn weave_unwritten(input: &Input) -> Result<Woven<EditBuffer<Vec<u8>>>, Diagnostic> {
    let text = view(input.text);
    if let Some(at) = bind::woven_marker(&text, &[WOVEN_MARKER, "slic_monitor.h"]) {
        return Err(bind::already_woven(input.path, Span::new(input.file, at)));
    }
    if input.text.len() > MAX_LENGTH {
        return Err(Diagnostic::new(
            Code::InputTooLarge,
            Span::new(input.file, 0..0),
            format!("`{}` is too large to weave (over 4 GiB)", input.path),
        ));
    }
    let file = CFile::read(&text, input.extra_blank);
    let mut weaver = Weaver {
        input,
        text: &text,
        file: &file,
        edits: EditBuffer::default(),
        byte_order_mark: byte_order_mark(input.text),
        sites: Sites::default(),
        wrapped_apis: Vec::new(),
        statics: Vec::new(),
        pointer_wrappers: Vec::new(),
        api_events: FnvHashMap::default(),
        macro_apis: HashMap::new(),
        to_wrap: FnvHashMap::default(),
        here_lines: FnvHashSet::default(),
        first_use: None,
        kernel: Vec::new(),
        hooked: input.hooks.functions().into_iter().collect(),
        role_hooks: FnvHashMap::default(),
        quoted_path: quote(input.path),
        generated_line: line_directive(1, GENERATED),
        wrapper_body: String::with_capacity(1024),
        last_line: std::cell::Cell::new(1),
        warnings: Vec::new(),
    };
    let defined: FnvHashSet<&str> = (0..file.structure.items.len())
        .filter_map(|item| file.name(item))
        .collect();
    let mut apis = Vec::new();
    let mut kernel = Vec::new();
    for name in input.hooks.functions() {
        match bind::binding(input.hooks, name, defined.contains(name)) {
            Binding::Api => apis.push(name.to_string()),
            Binding::Kernel => {
                apis.push(name.to_string());
                kernel.push(name);
            }
            Binding::Routine => {}
        }
    }
    let kernel_items: Vec<usize> = (0..file.structure.items.len())
        .filter(|&item| file.name(item).is_some_and(|name| kernel.contains(&name)))
        .collect();
    weaver.kernel = kernel_items
        .iter()
        .map(|&item| file.bytes(file.structure.items[item].tokens.clone()))
        .collect();
    if let Some(name) = kernel_items.first().and_then(|&item| file.names[item]) {
        let defined: Vec<&str> = kernel_items.iter().filter_map(|&i| file.name(i)).collect();
        let span = Span::new(input.file, file.bytes(name..name + 1));
        weaver
            .warnings
            .push(bind::kernel_definitions_note(&defined, span));
    }
    weaver.api_events = apis
        .iter()
        .map(|api| {
            let events = input
                .hooks
                .of_function(api)
                .map(|h| h.event.clone())
                .collect();
            (api.clone(), events)
        })
        .collect();
    let definitions = file.macro_definitions();
    weaver.macro_apis = bearing(&definitions, &text, &apis);
    // One look at every identifier of the file.
    let mut interests: WordMap<Interest> = WordMap::default();
    for api in &apis {
        interests.entry(api).or_default().api = true;
    }
    for name in weaver.macro_apis.keys() {
        interests.entry(name).or_default().bearing = true;
    }
    for word in role_scan::role_words() {
        interests.entry(word).or_default().role = role_scan::role_word(word);
    }
    let shapes = Shapes::new(interests.keys().copied());
    let hits = file.hits(|word| {
        if shapes.may_hold(word) {
            interests.get(word).copied()
        } else {
            None
        }
    });
    // Roles: registrations and the usual declarations in the tokens, the
    // other declarations once parsed, and those of the headers the file
    // includes with quotes.
    let role_words = || {
        hits.iter()
            .filter_map(|hit| Some((hit.token, hit.item, hit.place, hit.interest.role?)))
    };
    let declared = role_scan::declared(&file, role_words(), input.path);
    let mut found = declared.found;
    found.extend(role_scan::lexical_evidence(&file, role_words(), input.path));
    let mut header_roles = RoleMap::default();
    if let Some(source) = &input.source {
        header_roles = role_scan::scan_includes(
            source.loader,
            source.path,
            file.quoted_includes(),
            source.include_dirs,
            input.extra_blank,
        )
        .0;
    }
    let wanted = weaver.pieces_to_parse(&hits, &found, &declared.to_parse, &header_roles);
    let mut read = Read::default();
    let parsed = weaver.read_heads_from_tokens(wanted, &hits, &mut read);
    file.parse(&parsed, |parsed| weaver.read_tree(parsed, &hits, &mut read));
    // In the order of the text, as tree-sitter alone found them.
    read.found.sort_by_key(|(at, _)| *at);
    found.append(&mut read.found);
    let mut all_roles = input.roles.clone();
    for (_, item) in &found {
        all_roles.add(item.role, item.routine.clone());
    }
    all_roles.merge(&header_roles);
    // Every routine of a role, whether rules name the role or not: the
    // driver runs inside them (`slic_driver_enter`).
    let mut to_wrap: FnvHashMap<&str, Vec<Role>> = all_roles.roles_by_routine();
    for function in input.hooks.functions() {
        to_wrap.entry(function).or_default();
    }
    weaver.to_wrap = to_wrap
        .into_iter()
        .filter(|(name, _)| !kernel.contains(name))
        .map(|(name, roles)| (name.to_string(), roles))
        .collect();
    weaver.refuse_what_makes_no_sense(&read.errors, &hits)?;
    weaver.rewrite_macro_bodies(&definitions, &apis)?;
    let (steps, mut heads) = weaver.steps(read, &hits);
    for step in steps {
        match step {
            Step::Use(found) => weaver.weave_use(found)?,
            Step::Wrap(item) => {
                let (open, _) = file.structure.items[item].body().expect("a definition");
                weaver.wrap(item, heads.remove(&file.start(open)))?
            }
        }
    }
    weaver.finish()
}

/// What the weaver takes from the parsed pieces.
#[derive(Default)]
struct Read<'t> {
    /// Uses in declarations and heads, with where they are.
    uses: Vec<(usize, Use<'t>)>,
    /// Function definitions by the byte of their body's `{`.
    heads: FnvHashMap<usize, Head>,
    /// The roles declarations declare.
    found: Vec<(usize, role_scan::Found)>,
    /// For each error of tree-sitter, the identifiers in the text it could
    /// not parse, with their bytes.
    errors: Vec<Vec<(String, usize)>>,
}

impl<'a> Weaver<'a> {
    /// The line (from 1) of `offset`. Sites come in the order of the text:
    /// the line of the last one asked about is tried first, and the next
    /// few, before a search of the whole file's lines.
    fn line(&self, offset: usize) -> u32 {
        let starts = &self.file.scan.line_starts;
        // The answer is the number of lines that start at or before
        // `offset`.
        let is_line = |line: usize| {
            (1..=starts.len()).contains(&line)
                && starts[line - 1] <= offset
                && starts.get(line).is_none_or(|&next| next > offset)
        };
        let last = self.last_line.get();
        for line in last..last + 8 {
            if is_line(line) {
                self.last_line.set(line);
                return line as u32;
            }
            if line >= starts.len() || starts[line] > offset {
                break;
            }
        }
        let line = self.file.scan.line(offset);
        self.last_line.set(line as usize);
        debug_assert!(is_line(line as usize));
        line
    }

    fn position(&self, offset: usize) -> Position {
        let line = self.line(offset);
        Position {
            file: self.input.path.to_string(),
            line,
            column: (offset - self.file.scan.line_starts[line as usize - 1]) as u32 + 1,
        }
    }

    /// A problem at `offset`: the span is the identifier there (or one
    /// byte).
    fn error(&self, code: Code, offset: usize, message: String) -> Diagnostic {
        let bytes = self.input.text;
        let length = bytes[offset.min(bytes.len())..]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
            .count()
            .max(1);
        let end = (offset + length).min(bytes.len());
        Diagnostic::new(code, Span::new(self.input.file, offset..end), message)
    }

    /// Replaces `range` of the file with `parts`, one after another.
    fn replace(&mut self, range: std::ops::Range<usize>, parts: &[&[u8]]) {
        let mark = self.edits.mark();
        for part in parts {
            self.edits.text.extend_from_slice(part);
        }
        self.record(range, mark);
    }

    fn insert(&mut self, at: usize, parts: &[&[u8]]) {
        self.replace(at..at, parts);
    }

    /// Makes what was written into the edits' buffer since `mark` the
    /// replacement of `range`. Nothing goes before a byte order mark:
    /// compilers skip one only at the start of a file. (The view has
    /// spaces there, so only insertions at the start, at line 1, can land
    /// in it.)
    fn record(&mut self, range: std::ops::Range<usize>, mark: usize) {
        let range = if range.start < self.byte_order_mark {
            debug_assert!(range.is_empty(), "an edit of a byte order mark");
            self.byte_order_mark..self.byte_order_mark
        } else {
            range
        };
        self.edits.replace_since(range, mark);
    }

    /// `API` at `range` becomes `slic_wpSITE_API`, its pointer wrapper.
    fn pointer_use(&mut self, range: std::ops::Range<usize>, site: usize, api: &str) {
        let mark = self.edits.mark();
        let text = &mut self.edits.text;
        text.extend_from_slice(b"slic_wp");
        text.extend_from_slice(decimal(site as u64, &mut [0; 20]));
        text.push(b'_');
        text.extend_from_slice(api.as_bytes());
        self.record(range, mark);
    }

    fn note_use(&mut self, offset: usize) {
        self.first_use = Some(self.first_use.map_or(offset, |f| f.min(offset)));
    }

    fn needs_wrapping(&self, routine: &str) -> bool {
        self.to_wrap.contains_key(routine)
    }

    /// The items tree-sitter must read: declarations and heads that hold a
    /// use of an API or bearing macro, or role evidence, and the heads of
    /// definitions that may be role routines. The roles are not all known
    /// yet (declarations give some), so "may be" is any name the role
    /// evidence mentions.
    fn pieces_to_parse(
        &self,
        hits: &[Hit<Interest>],
        found: &[(usize, role_scan::Found)],
        declares_roles: &[bool],
        header_roles: &RoleMap,
    ) -> Vec<usize> {
        let file = self.file;
        let count = file.structure.items.len();
        let mut wanted = declares_roles.to_vec();
        for (wanted, uses) in wanted.iter_mut().zip(self.uses_in_heads(hits)) {
            *wanted |= uses;
        }
        let mut maybe: FnvHashSet<&str> = found.iter().map(|(_, f)| f.routine.as_str()).collect();
        for item in (0..count).filter(|&item| declares_roles[item]) {
            maybe.extend(
                file.structure.items[item]
                    .head()
                    .filter(|&t| file.tokens()[t].kind == Kind::Identifier)
                    .map(|t| file.word(t)),
            );
        }
        for (item, wanted) in wanted.iter_mut().enumerate() {
            if let Some(name) = file.name(item) {
                let may_be_routine = maybe.contains(name)
                    || self.input.roles.has_role(name)
                    || header_roles.has_role(name)
                    || self.hooked.contains(name);
                *wanted |= may_be_routine;
            }
        }
        (0..count).filter(|&item| wanted[item]).collect()
    }

    /// By item: whether its head (or the declaration it is) holds a use of
    /// an API or bearing macro.
    fn uses_in_heads(&self, hits: &[Hit<Interest>]) -> Vec<bool> {
        let mut uses = vec![false; self.file.structure.items.len()];
        for hit in hits {
            if let (Some(item), Place::Head, true) = (
                hit.item,
                hit.place,
                hit.interest.api || hit.interest.bearing,
            ) {
                uses[item] = true;
            }
        }
        uses
    }

    /// What a batch of parsed pieces says. Only a tree that holds a use of
    /// an API (in a declaration or head) or an error is walked node by
    /// node; of the others, the weaver needs the top-level nodes.
    fn read_tree(&self, parsed: &Parsed, hits: &[Hit<Interest>], read: &mut Read<'a>) {
        let file = self.file;
        let span = parsed.span();
        let first = hits.partition_point(|hit| file.start(hit.token) < span.start);
        let holds_use = hits[first..]
            .iter()
            .take_while(|hit| file.start(hit.token) < span.end)
            .any(|hit| hit.place == Place::Head && (hit.interest.api || hit.interest.bearing));
        let root = parsed.tree.root_node();
        let mut declarations = Vec::new();
        if !holds_use && !root.has_error() {
            let mut cursor = root.walk();
            for node in root.children(&mut cursor) {
                self.read_node(node, read, &mut declarations);
            }
        } else {
            tree::walk(parsed.tree, |visit| {
                let node = visit.node;
                if node.is_error() || node.is_missing() {
                    let mut words = Vec::new();
                    for part in parsed.seen(node.byte_range()) {
                        let text = file.blanked(part.clone());
                        words.extend(
                            identifiers(&text)
                                .into_iter()
                                .map(|(word, offset)| (word, part.start + offset)),
                        );
                    }
                    read.errors.push(words);
                }
                if node.kind() == "identifier" && !visit.in_directive {
                    let name = text(node, file.text);
                    let is_api = self.api_events.contains_key(name);
                    let bearing = self.macro_apis.contains_key(name);
                    if let (true, Some(parent)) = (is_api || bearing, visit.parent)
                        && let Some(found) = parsed_use(file, node, parent, is_api, bearing)
                    {
                        let function = visit.enclosing_name(file.text);
                        read.uses
                            .push((node.start_byte(), Use { function, ..found }));
                    }
                } else {
                    self.read_node(node, read, &mut declarations);
                }
            });
        }
        read.found.extend(role_scan::parsed_evidence(
            file,
            &declarations,
            self.input.path,
        ));
    }

    fn read_node<'n>(&self, node: Node<'n>, read: &mut Read<'a>, declarations: &mut Vec<Node<'n>>) {
        match node.kind() {
            "function_definition" => {
                declarations.push(node);
                if let Some(head) = Head::of(node, self.text, self.input.text) {
                    read.heads.insert(head.body.start, head);
                }
            }
            "declaration" => declarations.push(node),
            _ => {}
        }
    }

    /// Bearing macros' bodies: `F(` becomes `slic_w_F(SLIC_HERE, ` (the
    /// site of the macro's use, defined before each use, see `macro_use`),
    /// and `F` alone the address of a pointer wrapper. API names pasted
    /// with `##` are left alone, and said so.
    fn rewrite_macro_bodies(
        &mut self,
        definitions: &[(&str, std::ops::Range<usize>)],
        apis: &[String],
    ) -> Result<(), Diagnostic> {
        let text = self.text;
        for (name, value) in definitions {
            let body = &text[value.clone()];
            for (word, offset) in identifiers(body) {
                if apis.contains(&word) && is_pasted(body, offset, word.len()) {
                    let warning = self.error(
                        Code::PastedName,
                        value.start + offset,
                        format!(
                            "`{word}` is pasted with `##` in the body of the macro `{name}`: \
                             the calls it makes are not checked"
                        ),
                    );
                    self.warnings.push(warning);
                }
            }
        }
        for (name, value) in definitions {
            if !self.macro_apis.contains_key(*name) {
                continue;
            }
            let body = &text[value.clone()];
            let start = value.start;
            for (word, offset) in identifiers(body) {
                if !apis.contains(&word) || is_pasted(body, offset, word.len()) {
                    continue;
                }
                if !self.input.prototypes.contains_key(&word) {
                    return Err(self.not_in_catalog(start + offset, &word));
                }
                self.wrap_api_use(&word);
                let after = body[offset + word.len()..].trim_start();
                let at = start + offset;
                if let Some(inside) = after.strip_prefix('(') {
                    let paren = start
                        + offset
                        + word.len()
                        + (body[offset + word.len()..].len() - after.len());
                    let empty = inside.trim_start().starts_with(')');
                    self.replace(at..at + word.len(), &[b"slic_w_", word.as_bytes()]);
                    let separator = if empty { "" } else { ", " };
                    self.insert(paren + 1, &[b"SLIC_HERE", separator.as_bytes()]);
                } else {
                    let site = self
                        .sites
                        .add(self.api_events(&word), None, IN_A_MACRO.to_string());
                    self.pointer_wrappers.push((site, word.clone()));
                    self.pointer_use(at..at + word.len(), site, &word);
                }
            }
        }
        Ok(())
    }

    /// The uses to rewrite and the definitions to wrap, in the order of the
    /// text: uses in bodies from the tokens, uses in declarations and heads
    /// from tree-sitter.
    fn steps(
        &self,
        read: Read<'a>,
        hits: &[Hit<Interest>],
    ) -> (Vec<Step<'a>>, FnvHashMap<usize, Head>) {
        let file = self.file;
        let mut steps: Vec<(usize, Step)> = read
            .uses
            .into_iter()
            .map(|(at, found)| (at, Step::Use(found)))
            .collect();
        for hit in hits {
            if hit.place != Place::Body || !(hit.interest.api || hit.interest.bearing) {
                continue;
            }
            let Some(kind) = body_use(file, hit.token, hit.interest) else {
                continue;
            };
            let at = file.start(hit.token);
            let function = hit.item.and_then(|item| file.name(item));
            let name = file.word(hit.token);
            steps.push((
                at,
                Step::Use(Use {
                    name,
                    at,
                    kind,
                    function,
                }),
            ));
        }
        for (index, item) in file.structure.items.iter().enumerate() {
            let (Some(name), Some(_)) = (file.name(index), item.body()) else {
                continue;
            };
            if item.crossing || !self.needs_wrapping(name) {
                continue;
            }
            steps.push((file.start(item.tokens.start), Step::Wrap(index)));
        }
        // Kernel code is left alone.
        steps.retain(|(at, _)| !self.kernel.iter().any(|range| range.contains(at)));
        // A definition comes before what is inside it; uses in order.
        steps.sort_by_key(|(at, step)| (*at, matches!(step, Step::Use(_))));
        let steps = steps.into_iter().map(|(_, step)| step).collect();
        (steps, read.heads)
    }

    fn api_events(&self, api: &str) -> Vec<Event> {
        self.api_events.get(api).cloned().unwrap_or_default()
    }

    fn macro_events(&self, macro_name: &str) -> Vec<Event> {
        self.macro_apis[macro_name]
            .iter()
            .flat_map(|api| self.api_events(api))
            .collect()
    }

    fn not_in_catalog(&self, at: usize, name: &str) -> Diagnostic {
        self.error(
            Code::NoPrototype,
            at,
            format!("cannot weave calls to `{name}`: it is not in the API catalog, so slic does not know its prototype"),
        )
    }

    fn wrap_api_use(&mut self, api: &str) {
        if !self.wrapped_apis.iter().any(|a| a == api) {
            self.wrapped_apis.push(api.to_string());
        }
    }

    fn weave_use(&mut self, found: Use) -> Result<(), Diagnostic> {
        let Use {
            name,
            at,
            kind,
            function,
        } = found;
        if let UseKind::Macro = kind {
            return self.macro_use(at, name, function.unwrap_or_default().to_string());
        }
        if !self.input.prototypes.contains_key(name) {
            return Err(self.not_in_catalog(at, name));
        }
        self.wrap_api_use(name);
        self.note_use(at);
        let events = self.api_events(name);
        let range = at..at + name.len();
        match kind {
            UseKind::Call { open, empty } => {
                let position = self.position(at);
                let site = self.sites.add(
                    events,
                    Some(position),
                    function.unwrap_or_default().to_string(),
                );
                self.replace(range, &[b"slic_w_", name.as_bytes()]);
                let separator = if empty { "" } else { ", " };
                let mark = self.edits.mark();
                push_site_bytes(&mut self.edits.text, site);
                self.edits.text.extend_from_slice(separator.as_bytes());
                self.record(open + 1..open + 1, mark);
            }
            UseKind::Address | UseKind::Macro => {
                // The API's address is taken: calls through the pointer go
                // through a wrapper with the API's own prototype. Where they
                // happen is not known; the site names where the address was
                // taken.
                let site =
                    self.sites
                        .add(events, None, function.unwrap_or("(file scope)").to_string());
                self.pointer_wrappers.push((site, name.to_string()));
                self.pointer_use(range, site, name);
            }
        }
        Ok(())
    }

    /// A use of a macro whose body calls a bound API: `SLIC_HERE` is
    /// defined, just before the line, as the site of this use, and `#line`
    /// puts the line back where it was.
    fn macro_use(&mut self, at: usize, name: &str, function: String) -> Result<(), Diagnostic> {
        let position = self.position(at);
        let site = self
            .sites
            .add(self.macro_events(name), Some(position.clone()), function);
        // Directives only work at the start of a line outside comments: a
        // line that starts inside a block comment gets them before the
        // line where the comment starts.
        let scan = &self.file.scan;
        let mut line = position.line;
        while let Some(comment) = scan.comment_around(scan.line_starts[line as usize - 1]) {
            line = scan.line(comment);
        }
        let line_start = scan.line_starts[line as usize - 1];
        self.note_use(line_start);
        if self.here_lines.insert(line_start) {
            let mark = self.edits.mark();
            let text = &mut self.edits.text;
            text.extend_from_slice(b"#undef SLIC_HERE\n#define SLIC_HERE (");
            push_site_bytes(text, site);
            text.extend_from_slice(b")\n");
            text.extend_from_slice(line_directive(line, self.input.path).as_bytes());
            self.record(line_start..line_start, mark);
        }
        Ok(())
    }

    /// The generated declarations and the marker, then the edits.
    fn finish(mut self) -> Result<Woven<EditBuffer<Vec<u8>>>, Diagnostic> {
        let insertion = self.file.structure.insertion_point;
        if let Some(first) = self.first_use.filter(|&f| f < insertion) {
            return Err(self.error(
                Code::UseBeforeIncludes,
                first,
                "cannot weave a use of a bound function that comes before the file's last `#include`; \
                 move the includes to the top"
                    .to_string(),
            ));
        }
        let line_after = self.file.scan.line(insertion);
        // Wrappers are declared after the site table, where the headers
        // have declared the types they use, and defined at the end of the
        // file, where the APIs they call are declared even if the file
        // declares one itself.
        let mut declarations = String::new();
        let mut definitions = String::new();
        for api in &self.wrapped_apis {
            let prototype = &self.input.prototypes[api];
            api_wrapper(
                self.input.hooks,
                prototype,
                &mut declarations,
                &mut definitions,
                api,
            );
        }
        for (site, api) in &self.pointer_wrappers {
            let prototype = &self.input.prototypes[api];
            pointer_wrapper(prototype, &mut declarations, &mut definitions, *site, api);
        }
        let text = self.input.text;
        if !definitions.is_empty() {
            let newline = if text.is_empty() || text.ends_with(b"\n") {
                ""
            } else {
                "\n"
            };
            // A file may end in a pageable code section (`#pragma
            // code_seg("PAGE")`); wrappers run at any IRQL, so they go back
            // to the default section.
            self.insert(
                text.len(),
                &[
                    newline.as_bytes(),
                    line_directive(1, GENERATED).as_bytes(),
                    b"#ifdef _MSC_VER\n#pragma code_seg(push)\n#pragma code_seg()\n#endif\n",
                    definitions.as_bytes(),
                    b"#ifdef _MSC_VER\n#pragma code_seg(pop)\n#endif\n",
                ],
            );
        }
        let top = format!(
            "/* {WOVEN_MARKER} {}: edit the original, not this file. */\n{}",
            env!("CARGO_PKG_VERSION"),
            line_directive(1, self.input.path)
        );
        self.insert(0, &[top.as_bytes()]);
        // The block after the includes, written straight into the edits'
        // buffer (the site table is most of it).
        let mark = self.edits.mark();
        let block = &mut self.edits.text;
        if insertion > 0 && !text[..insertion].ends_with(b"\n") {
            block.push(b'\n');
        }
        block.extend_from_slice(line_directive(1, GENERATED).trim_end().as_bytes());
        block.extend_from_slice(b"\n#include \"slic_monitor.h\"\n");
        site_table(&self.sites.sites, block);
        if !self.macro_apis.is_empty() {
            // Uses of those macros that the weaver could not see (in other
            // macros' expansions) report from an unknown place.
            block.extend_from_slice(
                format!(
                    "SLIC_MAYBE_UNUSED static const struct slic_site slic_site_in_macro = {{ 0, 0, 0, \"{IN_A_MACRO}\" }};\n#define SLIC_HERE (&slic_site_in_macro)\n"
                )
                .as_bytes(),
            );
        }
        block.extend_from_slice(declarations.as_bytes());
        block.extend_from_slice(line_directive(line_after, self.input.path).as_bytes());
        self.record(insertion..insertion, mark);
        for at in std::mem::take(&mut self.statics) {
            self.insert(at, &[b"SLIC_ORIGINAL "]);
        }
        // Made at offsets of the view, applied to the file's bytes.
        self.edits
            .sort_and_check(0..text.len())
            .map_err(|overlap| {
                Diagnostic::new(
                    Code::WeaverBug,
                    Span::new(self.input.file, 0..0),
                    format!("internal error in the C weaver: {overlap}"),
                )
            })?;
        Ok(Woven {
            text: self.edits,
            sites: self.sites.into_vec(),
            warnings: self.warnings,
        })
    }
}
