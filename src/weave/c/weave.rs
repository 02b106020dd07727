//! Weaving a C file: every use of a bound API goes through a generated
//! wrapper that calls the hooks, and every role routine (or function with
//! entry/exit events) is renamed and wrapped.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use tree_sitter::Node;

use super::blank::blank;
use super::roles;
use super::tree::{self, text};
use crate::catalog::Prototype;
use crate::edit::{self, Edit};
use crate::hooks::{Hook, HookSet};
use crate::model::Event;
use crate::syntax::ast::EventKind;
use crate::weave::roles::RoleMap;
use crate::weave::{Position, Site, WOVEN_MARKER, WeaveError, WeaveWarning, Woven};

pub struct Input<'a> {
    pub text: &'a str,
    /// How reports and `#line` name the file.
    pub path: &'a str,
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

struct Weaver<'a> {
    input: &'a Input<'a>,
    /// The text tree-sitter parsed (attribute macros blanked).
    blank: String,
    line_starts: Vec<usize>,
    edits: Vec<Edit>,
    sites: Vec<Site>,
    /// APIs that need a wrapper, in first-use order.
    wrapped_apis: Vec<String>,
    /// Pointer wrappers: (site, API).
    pointer_wrappers: Vec<(usize, String)>,
    /// For each macro whose body uses bound APIs (directly or through other
    /// such macros), those APIs.
    macro_apis: HashMap<String, Vec<String>>,
    /// The first byte any woven use needs the monitor declared by.
    first_use: Option<usize>,
    /// The roles given, with those found in the file and its headers.
    roles: RoleMap,
    warnings: Vec<WeaveWarning>,
}

pub fn weave(input: &Input) -> Result<Woven, WeaveError> {
    if input.text.contains(WOVEN_MARKER) || input.text.contains("slic_monitor.h") {
        return Err(WeaveError {
            message: format!(
                "`{}` is already woven; weave the original source instead",
                input.path
            ),
            position: None,
        });
    }
    let blanking = blank(input.text, input.extra_blank);
    let parsed = tree::parse(&blanking.text);
    let mut weaver = Weaver {
        input,
        line_starts: std::iter::once(0)
            .chain(input.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        blank: blanking.text,
        edits: Vec::new(),
        sites: Vec::new(),
        wrapped_apis: Vec::new(),
        pointer_wrappers: Vec::new(),
        macro_apis: HashMap::new(),
        first_use: None,
        roles: RoleMap::default(),
        warnings: Vec::new(),
    };
    // One walk of the tree collects every node (for the passes below) and,
    // in source order, the identifiers that may need weaving (with their
    // context, which tree-sitter nodes cannot give cheaply later) and the
    // function definitions.
    let candidates: BTreeSet<&str> = input
        .hooks
        .functions()
        .into_iter()
        .chain(macro_names(&weaver.blank))
        .collect();
    enum Found<'t> {
        Use(Node<'t>, Node<'t>, Option<String>),
        Definition(Node<'t>),
    }
    let mut nodes = Vec::new();
    let mut found = Vec::new();
    tree::walk(&parsed, |visit| {
        nodes.push(visit.node);
        match visit.node.kind() {
            "identifier" if !visit.in_directive => {
                let name = text(visit.node, &weaver.blank);
                if let (true, Some(parent)) = (candidates.contains(name), visit.parent) {
                    let enclosing = visit.enclosing_name(&weaver.blank).map(str::to_string);
                    found.push(Found::Use(visit.node, parent, enclosing));
                }
            }
            "function_definition" => found.push(Found::Definition(visit.node)),
            _ => {}
        }
    });
    // The file's own role declarations and registrations, and those of the
    // headers it includes with quotes.
    let (own, includes) = roles::scan_parsed(&nodes, &weaver.blank, &blanking.blanked, input.path);
    let mut all_roles = input.roles.clone();
    for item in &own {
        all_roles.add(item.role, item.routine.clone());
    }
    if let Some(source) = &input.source {
        let (in_headers, _) = roles::scan_includes(
            source.loader,
            source.path,
            includes,
            source.include_dirs,
            input.extra_blank,
        );
        all_roles.merge(&in_headers);
    }
    weaver.roles = all_roles;
    let defined = weaver.defined_functions(&nodes);
    let apis = weaver.apis(&defined)?;
    weaver.refuse_broken_regions(&nodes, &apis, &defined)?;
    let macros = weaver.macro_bodies(&nodes, &apis);
    for item in found {
        match item {
            Found::Use(node, parent, enclosing) => {
                let name = text(node, &weaver.blank);
                if apis.iter().any(|a| a == name) || macros.iter().any(|m| m == name) {
                    weaver.identifier(
                        node,
                        parsed.root_node(),
                        parent,
                        enclosing,
                        &apis,
                        &macros,
                    )?;
                }
            }
            Found::Definition(node) => weaver.definition(node)?,
        }
    }
    weaver.finish(&nodes)
}

impl<'a> Weaver<'a> {
    fn position(&self, offset: usize) -> Position {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        Position {
            file: self.input.path.to_string(),
            line: line as u32 + 1,
            column: (offset - self.line_starts[line]) as u32 + 1,
        }
    }

    fn error(&self, offset: usize, message: String) -> WeaveError {
        WeaveError {
            message,
            position: Some(self.position(offset)),
        }
    }

    fn text(&self, node: Node) -> &'a str {
        text(node, self.input.text)
    }

    fn add_site(
        &mut self,
        events: Vec<Event>,
        position: Option<Position>,
        function: String,
    ) -> usize {
        self.sites.push(Site {
            events,
            position,
            function,
        });
        self.sites.len() - 1
    }

    fn note_use(&mut self, offset: usize) {
        self.first_use = Some(self.first_use.map_or(offset, |f| f.min(offset)));
    }

    /// The functions this file defines, by name.
    fn defined_functions(&self, nodes: &[Node]) -> BTreeSet<String> {
        nodes
            .iter()
            .filter(|n| n.kind() == "function_definition")
            .filter_map(|n| {
                n.child_by_field_name("declarator")
                    .and_then(tree::declared_name)
            })
            .map(|name| text(name, &self.blank).to_string())
            .collect()
    }

    /// The external functions with events (APIs): each needs a catalog
    /// prototype to get a wrapper with its exact signature.
    fn apis(&self, defined: &BTreeSet<String>) -> Result<Vec<String>, WeaveError> {
        let mut apis = Vec::new();
        for name in self.input.hooks.functions() {
            if defined.contains(name) {
                let unsupported =
                    self.input.hooks.of_function(name).find(|hook| {
                        matches!(hook.event.kind, EventKind::Call | EventKind::Return)
                    });
                if let Some(hook) = unsupported {
                    return Err(WeaveError {
                        message: format!(
                            "`{}` is defined in `{}`; the C weaver supports `entry` and `exit` events of defined functions, not `{}`",
                            name,
                            self.input.path,
                            hook.event.kind.as_str()
                        ),
                        position: None,
                    });
                }
                continue;
            }
            apis.push(name.to_string());
        }
        Ok(apis)
    }

    /// A bound API or a routine to wrap inside a region tree-sitter could
    /// not parse would be skipped silently; refuse instead.
    fn refuse_broken_regions(
        &self,
        nodes: &[Node],
        apis: &[String],
        defined: &BTreeSet<String>,
    ) -> Result<(), WeaveError> {
        let wrapped_routines: Vec<&String> = defined
            .iter()
            .filter(|name| self.needs_wrapping(name))
            .collect();
        for node in nodes.iter().filter(|n| n.is_error() || n.is_missing()) {
            let region = &self.blank[node.byte_range()];
            let words = identifiers(region);
            let api = words
                .iter()
                .find(|(word, _)| apis.iter().any(|a| a == word));
            let routine = words
                .iter()
                .find(|(word, _)| wrapped_routines.contains(&word));
            if let Some((word, offset)) = api.or(routine) {
                return Err(self.error(
                    node.start_byte() + offset,
                    format!(
                        "cannot weave `{word}` here: the C parser could not make sense of the code around it \
                         (add the macro that confuses it with `--blank NAME`)"
                    ),
                ));
            }
        }
        // A definition whose head the preprocessor chooses (`#if DBG` head
        // `#else` head `#endif` body) parses as declarations missing their
        // `;` and a body on its own: the routine would go unwrapped.
        for node in nodes.iter().filter(|n| n.is_missing()) {
            let Some(declaration) = node.parent().filter(|p| p.kind() == "declaration") else {
                continue;
            };
            let mut cursor = declaration.walk();
            let names: Vec<Node> = declaration
                .children_by_field_name("declarator", &mut cursor)
                .filter(|d| d.kind() == "function_declarator")
                .filter_map(tree::declared_name)
                .collect();
            for name in names {
                let routine = text(name, &self.blank);
                if self.needs_wrapping(routine) {
                    return Err(self.error(
                        name.start_byte(),
                        format!(
                            "cannot wrap `{routine}`: the C parser found no definition here, only a head \
                             without a body (is the head chosen by `#if`? write it once, with the \
                             conditional parts inside the parameter list or the body)"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn needs_wrapping(&self, routine: &str) -> bool {
        let role_hooks = self
            .roles
            .roles_of(routine)
            .into_iter()
            .any(|role| self.input.hooks.of_role(role).next().is_some());
        let own_hooks = self.input.hooks.of_function(routine).next().is_some();
        role_hooks || own_hooks
    }

    /// Macros whose bodies use bound APIs, directly or through other such
    /// macros; their bodies are rewritten, and each use of one gets a site.
    fn macro_bodies(&mut self, nodes: &[Node], apis: &[String]) -> Vec<String> {
        let definitions: Vec<(String, Node)> = nodes
            .iter()
            .filter(|n| matches!(n.kind(), "preproc_def" | "preproc_function_def"))
            .filter_map(|n| {
                let name = n.child_by_field_name("name")?;
                let value = n.child_by_field_name("value")?;
                Some((self.text(name).to_string(), value))
            })
            .collect();
        // A name pasted with `##` is part of another token, whose name
        // only the expansion knows: it is left as it is, and said so.
        for (name, value) in &definitions {
            let body = self.text(*value);
            for (word, offset) in identifiers(body) {
                if apis.contains(&word) && is_pasted(body, offset, word.len()) {
                    self.warnings.push(WeaveWarning {
                        message: format!(
                            "`{word}` is pasted with `##` in the body of the macro `{name}`: \
                             the calls it makes are not checked"
                        ),
                        position: Some(self.position(value.start_byte() + offset)),
                    });
                }
            }
        }
        // Grow the set of bearing macros until it stops changing: a macro
        // bears the APIs its body names and those of the macros it uses.
        loop {
            let mut changed = false;
            for (name, value) in &definitions {
                let mut uses: Vec<String> = Vec::new();
                let body = self.text(*value);
                for (word, offset) in identifiers(body) {
                    if is_pasted(body, offset, word.len()) {
                        continue;
                    }
                    if apis.contains(&word) {
                        uses.push(word);
                    } else if let Some(inner) = self.macro_apis.get(&word) {
                        uses.extend(inner.iter().cloned());
                    }
                }
                // Union with what the name bore already: a macro defined
                // twice (under `#if` and `#else`) bears what both bodies
                // name, and the sets only grow, so the loop ends.
                if let Some(known) = self.macro_apis.get(name) {
                    uses.extend(known.iter().cloned());
                }
                uses.sort();
                uses.dedup();
                if !uses.is_empty() && self.macro_apis.get(name) != Some(&uses) {
                    self.macro_apis.insert(name.clone(), uses);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let bearing: Vec<String> = self.macro_apis.keys().cloned().collect();
        for (name, value) in &definitions {
            if !bearing.contains(name) {
                continue;
            }
            let body = self.text(*value);
            let start = value.start_byte();
            for (word, offset) in identifiers(body) {
                if !apis.contains(&word) || is_pasted(body, offset, word.len()) {
                    continue;
                }
                self.wrap_api_use(&word);
                let after = body[offset + word.len()..].trim_start();
                let at = start + offset;
                if let Some(inside) = after.strip_prefix('(') {
                    // `F(` becomes `slic_w_F(SLIC_HERE, `: the site of the
                    // macro's use, defined before each use (see `identifier`).
                    let paren = start
                        + offset
                        + word.len()
                        + (body[offset + word.len()..].len() - after.len());
                    let empty = inside.trim_start().starts_with(')');
                    self.edits
                        .push(Edit::replace(at..at + word.len(), format!("slic_w_{word}")));
                    let separator = if empty { "" } else { ", " };
                    self.edits
                        .push(Edit::insert(paren + 1, format!("SLIC_HERE{separator}")));
                } else {
                    let site = self.add_site(self.api_events(&word), None, IN_A_MACRO.to_string());
                    self.pointer_wrappers.push((site, word.clone()));
                    self.edits.push(Edit::replace(
                        at..at + word.len(),
                        format!("slic_wp{site}_{word}"),
                    ));
                }
            }
            let _ = name;
        }
        bearing
    }

    fn api_events(&self, api: &str) -> Vec<Event> {
        self.input
            .hooks
            .of_function(api)
            .map(|h| h.event.clone())
            .collect()
    }

    fn macro_events(&self, macro_name: &str) -> Vec<Event> {
        self.macro_apis[macro_name]
            .iter()
            .flat_map(|api| self.api_events(api))
            .collect()
    }

    fn wrap_api_use(&mut self, api: &str) {
        if !self.wrapped_apis.iter().any(|a| a == api) {
            self.wrapped_apis.push(api.to_string());
        }
    }

    fn identifier(
        &mut self,
        node: Node,
        root: Node,
        parent: Node,
        enclosing: Option<String>,
        apis: &[String],
        macros: &[String],
    ) -> Result<(), WeaveError> {
        let name = text(node, &self.blank).to_string();
        let is_callee = parent.kind() == "call_expression"
            && parent.child_by_field_name("function") == Some(node);
        if macros.contains(&name) && is_callee {
            return self.macro_use(node, root, &name, enclosing.unwrap_or_default());
        }
        if !apis.contains(&name) || is_declarator(node, parent) {
            return Ok(());
        }
        if !self.input.prototypes.contains_key(&name) {
            return Err(self.error(
                node.start_byte(),
                format!("cannot weave calls to `{name}`: it is not in the API catalog, so slic does not know its prototype"),
            ));
        }
        self.wrap_api_use(&name);
        let function = enclosing;
        self.note_use(node.start_byte());
        let events = self.api_events(&name);
        if is_callee {
            let position = self.position(node.start_byte());
            let site = self.add_site(events, Some(position), function.unwrap_or_default());
            let arguments = parent
                .child_by_field_name("arguments")
                .expect("a call has arguments");
            let empty = arguments.named_child_count() == 0;
            self.edits
                .push(Edit::replace(node.byte_range(), format!("slic_w_{name}")));
            let separator = if empty { "" } else { ", " };
            self.edits.push(Edit::insert(
                arguments.start_byte() + 1,
                format!("&slic_sites[{site}]{separator}"),
            ));
        } else {
            // The API's address is taken: calls through the pointer go
            // through a wrapper with the API's own prototype. Where they
            // happen is not known; the site names where the address was taken.
            let site = self.add_site(
                events,
                None,
                function.unwrap_or_else(|| "(file scope)".to_string()),
            );
            self.pointer_wrappers.push((site, name.clone()));
            self.edits.push(Edit::replace(
                node.byte_range(),
                format!("slic_wp{site}_{name}"),
            ));
        }
        Ok(())
    }

    /// A use of a macro whose body calls a bound API: `SLIC_HERE` is
    /// defined, just before the line, as the site of this use, and `#line`
    /// puts the line back where it was.
    fn macro_use(
        &mut self,
        node: Node,
        root: Node,
        name: &str,
        function: String,
    ) -> Result<(), WeaveError> {
        let position = self.position(node.start_byte());
        let site = self.add_site(self.macro_events(name), Some(position.clone()), function);
        // Directives only work at the start of a line outside comments: a
        // line that starts inside a block comment gets them before the
        // line where the comment starts.
        let mut line = position.line;
        while let Some(comment) = comment_around(root, self.line_starts[line as usize - 1]) {
            line = self.position(comment).line;
        }
        let line_start = self.line_starts[line as usize - 1];
        self.note_use(line_start);
        let already = self.edits.iter().any(|e| {
            e.range == (line_start..line_start) && e.replacement.contains("#define SLIC_HERE")
        });
        if !already {
            self.edits.push(Edit::insert(
                line_start,
                format!(
                    "#undef SLIC_HERE\n#define SLIC_HERE (&slic_sites[{site}])\n{}",
                    line_directive(line, self.input.path)
                ),
            ));
        }
        Ok(())
    }

    /// A definition of a role routine, or of a function with entry or exit
    /// events: renamed, and wrapped by a function with the original name.
    fn definition(&mut self, node: Node) -> Result<(), WeaveError> {
        let Some(declarator) = node.child_by_field_name("declarator") else {
            return Ok(());
        };
        let Some(name_node) = tree::declared_name(declarator) else {
            return Ok(());
        };
        let name = text(name_node, &self.blank).to_string();
        if !self.needs_wrapping(&name) {
            return Ok(());
        }
        let body = node
            .child_by_field_name("body")
            .expect("a definition has a body");
        let Some(function) = tree::function_declarator(declarator) else {
            return Ok(());
        };
        let parameters = parameter_names(function, &self.blank).map_err(|problem| {
            self.error(
                name_node.start_byte(),
                format!("cannot wrap `{name}`: {problem}"),
            )
        })?;
        let roles = self.roles.roles_of(&name);
        let mut entry_hooks: Vec<&Hook> = Vec::new();
        let mut exit_hooks: Vec<&Hook> = Vec::new();
        let hooks = self.input.hooks;
        for role in &roles {
            for hook in hooks.of_role(*role) {
                match hook.event.kind {
                    EventKind::Entry => entry_hooks.push(hook),
                    EventKind::Exit => exit_hooks.push(hook),
                    kind => {
                        return Err(self.error(
                            name_node.start_byte(),
                            format!(
                                "the C weaver cannot place `{}` events of roles ({} is {}); use `entry` and `exit`",
                                kind.as_str(),
                                name,
                                role.rule_name()
                            ),
                        ));
                    }
                }
            }
        }
        for hook in hooks.of_function(&name) {
            match hook.event.kind {
                EventKind::Entry => entry_hooks.push(hook),
                _ => exit_hooks.push(hook),
            }
        }
        let returns_void = returns_void(node, declarator, &self.blank);
        // A site for each end that has hooks: the `{` for entry events,
        // the closing `}` for exit events (where clang's `ret` points too).
        let closing = body.end_byte() - 1;
        let entry_site = (!entry_hooks.is_empty()).then(|| {
            let events = entry_hooks.iter().map(|h| h.event.clone()).collect();
            self.add_site(events, Some(self.position(body.start_byte())), name.clone())
        });
        let exit_site = (!exit_hooks.is_empty()).then(|| {
            let events = exit_hooks.iter().map(|h| h.event.clone()).collect();
            self.add_site(events, Some(self.position(closing)), name.clone())
        });
        self.edits.push(Edit::replace(
            name_node.byte_range(),
            format!("slic_orig_{name}"),
        ));
        // The wrapper's head is the definition's own text, name and all:
        // storage class, calling convention and annotations stay the same.
        let head = format!(
            "{}{}{}",
            &self.input.text[node.start_byte()..name_node.start_byte()],
            name,
            &self.input.text[name_node.end_byte()..body.start_byte()]
        );
        let result_type = if returns_void {
            None
        } else {
            Some(result_type(node, declarator, self.input.text))
        };
        let arguments = parameters.join(", ");
        let mut wrapper = String::new();
        let _ = writeln!(wrapper, "\n{}", line_directive(1, GENERATED));
        let _ = writeln!(wrapper, "{}\n{{", head.trim_end());
        for hook in &entry_hooks {
            let _ = writeln!(
                wrapper,
                "    {};",
                hook_call(
                    hook,
                    entry_site.expect("entry hooks have a site"),
                    &parameters,
                    None
                )
            );
        }
        match &result_type {
            Some(ty) => {
                let _ = writeln!(
                    wrapper,
                    "    {ty} slic_result = slic_orig_{name}({arguments});"
                );
            }
            None => {
                let _ = writeln!(wrapper, "    slic_orig_{name}({arguments});");
            }
        }
        for hook in &exit_hooks {
            let ret = result_type.as_ref().map(|_| "slic_result");
            let _ = writeln!(
                wrapper,
                "    {};",
                hook_call(
                    hook,
                    exit_site.expect("exit hooks have a site"),
                    &parameters,
                    ret
                )
            );
        }
        if result_type.is_some() {
            wrapper.push_str("    return slic_result;\n");
        }
        wrapper.push_str("}\n");
        let closing_line = self.position(closing).line;
        wrapper.push_str(&line_directive(closing_line, self.input.path));
        self.edits.push(Edit::insert(body.end_byte(), wrapper));
        self.note_use(node.start_byte());
        Ok(())
    }

    /// The generated declarations and the marker, then the edits.
    fn finish(mut self, nodes: &[Node]) -> Result<Woven, WeaveError> {
        let insertion = self.insertion_point(nodes);
        if let Some(first) = self.first_use.filter(|&f| f < insertion) {
            return Err(self.error(
                first,
                "cannot weave a use of a bound function that comes before the file's last `#include`; \
                 move the includes to the top"
                    .to_string(),
            ));
        }
        let line_after = self.line_starts.partition_point(|&s| s <= insertion) as u32;
        let mut block = String::new();
        let _ = writeln!(block, "{}", line_directive(1, GENERATED).trim_end());
        block.push_str("#include \"slic_monitor.h\"\n");
        self.site_table(&mut block);
        if !self.macro_apis.is_empty() {
            // Uses of those macros that the weaver could not see (in other
            // macros' expansions) report from an unknown place.
            let _ = writeln!(
                block,
                "SLIC_MAYBE_UNUSED static const struct slic_site slic_site_in_macro = {{ 0, 0, 0, \"{IN_A_MACRO}\" }};\n#define SLIC_HERE (&slic_site_in_macro)"
            );
        }
        // Wrappers are declared here, where the headers have declared the
        // types they use, and defined at the end of the file, where the
        // APIs they call are declared even if the file declares one itself.
        let mut definitions = String::new();
        for api in self.wrapped_apis.clone() {
            self.api_wrapper(&mut block, &mut definitions, &api);
        }
        for (site, api) in self.pointer_wrappers.clone() {
            self.pointer_wrapper(&mut block, &mut definitions, site, &api);
        }
        block.push_str(&line_directive(line_after, self.input.path));
        if !definitions.is_empty() {
            let text = self.input.text;
            let newline = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            // A file may end in a pageable code section (`#pragma
            // code_seg("PAGE")`); wrappers run at any IRQL, so they go back
            // to the default section.
            self.edits.push(Edit::insert(
                text.len(),
                format!(
                    "{newline}{}#ifdef _MSC_VER\n#pragma code_seg(push)\n#pragma code_seg()\n#endif\n{definitions}#ifdef _MSC_VER\n#pragma code_seg(pop)\n#endif\n",
                    line_directive(1, GENERATED)
                ),
            ));
        }
        let top = format!(
            "/* {WOVEN_MARKER} {}: edit the original, not this file. */\n{}",
            env!("CARGO_PKG_VERSION"),
            line_directive(1, self.input.path)
        );
        self.edits.push(Edit::insert(0, top));
        let needs_newline = insertion > 0 && !self.input.text[..insertion].ends_with('\n');
        self.edits.push(Edit::insert(
            insertion,
            if needs_newline {
                format!("\n{block}")
            } else {
                block
            },
        ));
        let text = edit::apply(self.input.text, self.edits).map_err(|overlap| WeaveError {
            message: format!("internal error in the C weaver: {overlap}"),
            position: None,
        })?;
        Ok(Woven {
            text,
            sites: self.sites,
            warnings: self.warnings,
        })
    }

    /// Right after the last top-level `#include` (outside any `#if` that
    /// holds it), or the start of the file.
    fn insertion_point(&self, nodes: &[Node]) -> usize {
        let root = nodes[0];
        let mut point = 0;
        let mut cursor = root.walk();
        for child in root.children(&mut cursor) {
            let holds_include = child.kind() == "preproc_include"
                || (child.kind().starts_with("preproc_if") || child.kind() == "preproc_ifdef")
                    && tree::all_descendants(child).any(|n| n.kind() == "preproc_include");
            if holds_include {
                point = child.end_byte();
            }
        }
        // To the end of that line.
        match self.input.text[point..].find('\n') {
            Some(newline) if point > 0 && !self.input.text[..point].ends_with('\n') => {
                point + newline + 1
            }
            _ => point,
        }
    }

    fn site_table(&self, out: &mut String) {
        let count = self.sites.len().max(1);
        let _ = writeln!(
            out,
            "SLIC_MAYBE_UNUSED static const struct slic_site slic_sites[{count}] = {{"
        );
        for site in &self.sites {
            match &site.position {
                Some(position) => {
                    let _ = writeln!(
                        out,
                        "    {{ {}, {}, {}, {} }},",
                        c_string(&position.file),
                        position.line,
                        position.column,
                        c_string(&site.function)
                    );
                }
                None => {
                    let _ = writeln!(out, "    {{ 0, 0, 0, {} }},", c_string(&site.function));
                }
            }
        }
        if self.sites.is_empty() {
            out.push_str("    { 0, 0, 0, 0 },\n");
        }
        out.push_str("};\n");
    }

    /// `slic_w_F(site, args...)`: the hooks around the real call. Its only
    /// uses may be in code the preprocessor drops (`KdPrint` arguments in a
    /// free build, an `#if DBG` branch), so it is marked maybe-unused, as are
    /// the site table and the pointer wrappers: WDK builds treat warnings as
    /// errors.
    fn api_wrapper(&self, declarations: &mut String, out: &mut String, api: &str) {
        let prototype = &self.input.prototypes[api];
        let parameters: Vec<String> = (1..=prototype.parameters.len())
            .map(|i| format!("a{i}"))
            .collect();
        let declared: Vec<String> = prototype
            .parameters
            .iter()
            .zip(&parameters)
            .map(|(p, name)| declare(&p.spelling, name))
            .collect();
        let mut signature = vec!["const struct slic_site *slic_site".to_string()];
        signature.extend(declared);
        let returns_void = prototype.returns.is_void();
        let head = format!(
            "SLIC_MAYBE_UNUSED static {} slic_w_{api}({})",
            prototype.return_spelling,
            signature.join(", ")
        );
        let _ = writeln!(declarations, "{head};");
        let _ = writeln!(out, "{head}\n{{");
        let hooks: Vec<&Hook> = self.input.hooks.of_function(api).collect();
        let order = [
            EventKind::Call,
            EventKind::Entry,
            EventKind::Exit,
            EventKind::Return,
        ];
        for kind in &order[..2] {
            for hook in hooks.iter().filter(|h| h.event.kind == *kind) {
                let _ = writeln!(
                    out,
                    "    {};",
                    hook_call_site(hook, "slic_site", &parameters, None)
                );
            }
        }
        let call = format!("{api}({})", parameters.join(", "));
        if returns_void {
            let _ = writeln!(out, "    {call};");
        } else {
            let _ = writeln!(
                out,
                "    {} slic_result = {call};",
                prototype.return_spelling
            );
        }
        let ret = (!returns_void).then_some("slic_result");
        for kind in &order[2..] {
            for hook in hooks.iter().filter(|h| h.event.kind == *kind) {
                let _ = writeln!(
                    out,
                    "    {};",
                    hook_call_site(hook, "slic_site", &parameters, ret)
                );
            }
        }
        if !returns_void {
            out.push_str("    return slic_result;\n");
        }
        out.push_str("}\n");
    }

    /// A function with the API's own prototype (calling convention too), for
    /// a use of its address.
    fn pointer_wrapper(&self, declarations: &mut String, out: &mut String, site: usize, api: &str) {
        let prototype = &self.input.prototypes[api];
        let parameters: Vec<String> = (1..=prototype.parameters.len())
            .map(|i| format!("a{i}"))
            .collect();
        let declared: Vec<String> = prototype
            .parameters
            .iter()
            .zip(&parameters)
            .map(|(p, name)| declare(&p.spelling, name))
            .collect();
        let convention = prototype
            .calling_convention
            .as_ref()
            .map_or(String::new(), |c| format!("{c} "));
        let declared = if declared.is_empty() {
            "void".to_string()
        } else {
            declared.join(", ")
        };
        let mut arguments = vec![format!("&slic_sites[{site}]")];
        arguments.extend(parameters);
        let call = format!("slic_w_{api}({})", arguments.join(", "));
        let body = if prototype.returns.is_void() {
            format!("{call};")
        } else {
            format!("return {call};")
        };
        let head = format!(
            "SLIC_MAYBE_UNUSED static {} {convention}slic_wp{site}_{api}({declared})",
            prototype.return_spelling
        );
        let _ = writeln!(declarations, "{head};");
        let _ = writeln!(out, "{head}\n{{\n    {body}\n}}");
    }
}

const GENERATED: &str = "<slic generated>";

fn line_directive(line: u32, file: &str) -> String {
    format!("#line {line} {}\n", c_string(file))
}

fn c_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `TYPE name`, with the stars of a spelled pointer type after the type.
fn declare(spelling: &str, name: &str) -> String {
    format!("{spelling} {name}")
}

/// A call of a hook from a routine wrapper: values are the routine's
/// parameters; the site is one of the table.
fn hook_call(hook: &Hook, site: usize, parameters: &[String], ret: Option<&str>) -> String {
    hook_call_site(hook, &format!("&slic_sites[{site}]"), parameters, ret)
}

fn hook_call_site(hook: &Hook, site: &str, parameters: &[String], ret: Option<&str>) -> String {
    let mut arguments = vec![site.to_string()];
    for (index, value) in hook.arguments.iter().enumerate() {
        let parameter = parameters.get(index).map_or("0", String::as_str);
        arguments.push(format!("({})({parameter})", value.c_carrier()));
    }
    for (position, value) in &hook.pointees {
        let parameter = parameters
            .get(*position as usize - 1)
            .map_or("0", String::as_str);
        arguments.push(format!(
            "({parameter} ? ({})*({parameter}) : 0)",
            value.c_carrier()
        ));
    }
    if let Some(value) = hook.returns {
        arguments.push(format!("({})({})", value.c_carrier(), ret.unwrap_or("0")));
    }
    format!("{}({})", hook.name, arguments.join(", "))
}

/// Whether an identifier is the name being declared (not a use).
fn is_declarator(node: Node, parent: Node) -> bool {
    match parent.kind() {
        "function_declarator"
        | "init_declarator"
        | "pointer_declarator"
        | "array_declarator"
        | "parenthesized_declarator"
        | "declaration"
        | "parameter_declaration"
        | "attributed_declarator" => parent.child_by_field_name("declarator") == Some(node),
        _ => false,
    }
}

/// The names of a definition's parameters, to forward them.
fn parameter_names(function: Node, source: &str) -> Result<Vec<String>, String> {
    let Some(list) = function.child_by_field_name("parameters") else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    let mut cursor = list.walk();
    for parameter in list.named_children(&mut cursor) {
        match parameter.kind() {
            "parameter_declaration" => match parameter.child_by_field_name("declarator") {
                Some(declarator) => match tree::declared_name(declarator) {
                    Some(name) => names.push(text(name, source).to_string()),
                    None => return Err("a parameter has no name".to_string()),
                },
                None => {
                    let ty = parameter
                        .child_by_field_name("type")
                        .map(|t| text(t, source));
                    if !matches!(ty, Some("void" | "VOID")) {
                        return Err("a parameter has no name".to_string());
                    }
                }
            },
            // K&R: `f(a, b) int a; char *b; { ... }`.
            "identifier" => names.push(text(parameter, source).to_string()),
            "variadic_parameter" => {
                return Err("it takes a variable number of arguments".to_string());
            }
            "comment" => {}
            other => return Err(format!("it has a parameter slic cannot forward ({other})")),
        }
    }
    Ok(names)
}

/// Whether a definition returns nothing: `void` or `VOID`, not a pointer.
fn returns_void(definition: Node, declarator: Node, source: &str) -> bool {
    let ty = definition
        .child_by_field_name("type")
        .map(|t| text(t, source));
    matches!(ty, Some("void" | "VOID")) && declarator.kind() != "pointer_declarator"
}

/// The return type as text: the type specifiers plus any pointer stars of
/// the declarator.
fn result_type(definition: Node, declarator: Node, source: &str) -> String {
    let ty = definition
        .child_by_field_name("type")
        .map_or("int".to_string(), |t| text(t, source).to_string());
    let mut stars = String::new();
    let mut node = declarator;
    while node.kind() == "pointer_declarator" {
        stars.push('*');
        match node.child_by_field_name("declarator") {
            Some(inner) => node = inner,
            None => break,
        }
    }
    let qualifiers: Vec<&str> = {
        let mut cursor = definition.walk();
        definition
            .children(&mut cursor)
            .filter(|c| c.kind() == "type_qualifier")
            .map(|c| text(c, source))
            .collect()
    };
    let mut out = qualifiers.join(" ");
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(&ty);
    if !stars.is_empty() {
        out.push(' ');
        out.push_str(&stars);
    }
    out
}

/// The names of every `#define` in a text, by a quick look at its lines.
fn macro_names(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let rest = line
            .trim_start()
            .strip_prefix('#')?
            .trim_start()
            .strip_prefix("define")?;
        let name = rest.trim_start();
        let end = name
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(name.len());
        (end > 0).then(|| &name[..end])
    })
}

/// The start of the comment `offset` is inside of (not at its start).
fn comment_around(root: Node, offset: usize) -> Option<usize> {
    let node = root.descendant_for_byte_range(offset, offset)?;
    (node.kind() == "comment" && node.start_byte() < offset).then(|| node.start_byte())
}

/// Whether the word at `offset` in a macro body is an operand of `##`.
fn is_pasted(body: &str, offset: usize, length: usize) -> bool {
    body[..offset].trim_end().ends_with("##")
        || body[offset + length..].trim_start().starts_with("##")
}

/// Identifiers in raw text (macro bodies, broken regions), with offsets;
/// strings, character constants and comments are skipped.
fn identifiers(text: &str) -> Vec<(String, usize)> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'"' || byte == b'\'' {
            at += 1;
            while at < bytes.len() && bytes[at] != byte {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at += 1;
        } else if bytes[at..].starts_with(b"/*") {
            // Bytes, not `str` slices: an escape skipped above may have
            // left `at` inside a multi-byte character.
            at = bytes[at + 2..]
                .windows(2)
                .position(|pair| pair == b"*/")
                .map_or(bytes.len(), |i| at + 2 + i + 2);
        } else if bytes[at..].starts_with(b"//") {
            at = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| at + i);
        } else if byte.is_ascii_alphabetic() || byte == b'_' {
            let start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            words.push((text[start..at].to_string(), start));
        } else if byte.is_ascii_digit() {
            while at < bytes.len()
                && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_' || bytes[at] == b'.')
            {
                at += 1;
            }
        } else {
            at += 1;
        }
    }
    words
}
