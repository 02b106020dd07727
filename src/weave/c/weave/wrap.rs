//! Wrapping a role routine (or a function with entry or exit events): the
//! definition is renamed, and a function with its name and head calls the
//! hooks around it.

use std::io::Write;

use tree_sitter::Node;

use super::Weaver;
use crate::diagnostic::{Code, Diagnostic};
use crate::edit::Edit;
use crate::span::Span;
use crate::weave::bind;
use crate::weave::c::file::CFile;
use crate::weave::c::generate::{GENERATED, hook_call, line_directive};
use crate::weave::c::scan::Kind;
use crate::weave::c::tree;

/// What wrapping a definition takes from its head.
pub(super) struct Head {
    pub(super) start: usize,
    pub(super) name: std::ops::Range<usize>,
    parameters: Result<Vec<String>, String>,
    returns_void: bool,
    /// Copied from the file's bytes, like the wrapper's head.
    result_type: Vec<u8>,
    pub(super) body: std::ops::Range<usize>,
}

impl Head {
    /// `text` is the view of the file the tree was parsed from, `bytes` the
    /// file itself.
    pub(super) fn of(node: Node, text: &str, bytes: &[u8]) -> Option<Head> {
        let declarator = tree::child(node, tree::Field::Declarator)?;
        let name = tree::declared_name(declarator)?;
        let function = tree::function_declarator(declarator)?;
        let body = tree::child(node, tree::Field::Body)?;
        let returns_void = tree::returns_void(node, declarator, text);
        Some(Head {
            start: node.start_byte(),
            name: name.byte_range(),
            parameters: tree::parameter_names(function, text),
            returns_void,
            result_type: if returns_void {
                Vec::new()
            } else {
                tree::result_type(node, declarator, bytes)
            },
            body: body.byte_range(),
        })
    }
}

/// Where the `return` that ends `body` starts, when it returns a value and
/// the body has no other `return`. clang gives its `ret` that statement's
/// place then (the return value is stored just before it), and the
/// closing brace's otherwise: both weavers report an exit at the same
/// place. Read from the tokens: the weaver parses no bodies.
fn final_return(file: &CFile, body: std::ops::Range<usize>) -> Option<usize> {
    let tokens = file.tokens();
    let open = tokens.partition_point(|t| (t.start as usize) < body.start);
    let close = tokens.partition_point(|t| (t.start as usize) < body.end - 1);
    let is_return = |i: usize| tokens[i].kind == Kind::Identifier && file.word(i) == "return";
    let mut returns = (open + 1..close).filter(|&i| is_return(i));
    let (Some(only), None) = (returns.next(), returns.next()) else {
        return None;
    };
    if file.is(file.next(only), b';') {
        return None;
    }
    // In the body itself, not in a block of it...
    let depth = |range: std::ops::Range<usize>| {
        range.fold(0i32, |depth, i| match tokens[i].kind {
            Kind::Punctuation(b'{' | b'(' | b'[') => depth + 1,
            Kind::Punctuation(b'}' | b')' | b']') => depth - 1,
            _ => depth,
        })
    };
    if depth(open + 1..only) != 0 {
        return None;
    }
    // ...and its `;` the last token before the closing brace.
    let end = (only..close).find(|&i| tokens[i].is(b';') && depth(only..i) == 0)?;
    (file.next(end) == Some(close)).then(|| file.start(only))
}

/// Words in a definition's head that a `static` added to it could
/// contradict (or that already give it internal linkage).
const LINKAGE_WORDS: &[&str] = &[
    "static",
    "extern",
    "__declspec",
    "__attribute__",
    "__attribute",
    "dllexport",
    "dllimport",
];

/// Whether `word` occurs in `bytes` as a whole identifier.
fn has_word(bytes: &[u8], word: &str) -> bool {
    let word = word.as_bytes();
    let identifier = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    bytes.windows(word.len()).enumerate().any(|(at, window)| {
        window == word
            && (at == 0 || !identifier(bytes[at - 1]))
            && bytes.get(at + word.len()).is_none_or(|&b| !identifier(b))
    })
}

impl Weaver<'_> {
    /// A definition of a role routine, or of a function with entry or exit
    /// events: renamed, and wrapped by a function with the original name.
    pub(super) fn wrap(&mut self, item: usize, head: Option<Head>) -> Result<(), Diagnostic> {
        let file = self.file;
        let name_token = file.names[item].expect("a wrapped definition has a name");
        let name = file.word(name_token).to_string();
        // tree-sitter must see the head as the scan did: a definition of
        // this name.
        let Some(head) = head.filter(|head| head.name.start == file.start(name_token)) else {
            return Err(self.error(
                Code::UnreadableCode,
                file.start(name_token),
                format!(
                    "cannot wrap `{name}`: the C parser could not make sense of its head \
                     (add the macro that confuses it with `--blank NAME`)"
                ),
            ));
        };
        let parameters = head.parameters.clone().map_err(|problem| {
            self.error(
                Code::UnreadableCode,
                head.name.start,
                format!("cannot wrap `{name}`: {problem}"),
            )
        })?;
        let roles = self.roles.roles_of(&name);
        let span = Span::new(self.input.file, head.name.clone());
        let hooks = bind::routine_hooks(self.input.hooks, &name, &roles, self.input.path, span)?;
        let (entry_hooks, exit_hooks) = (hooks.entry, hooks.exit);
        // A site for each end that has hooks: the `{` for entry events;
        // for exit events, where the routine returns: its final `return`,
        // or the closing `}` (where clang's `ret` points too).
        let returns_at = final_return(file, head.body.clone()).unwrap_or(head.body.end - 1);
        let entry_site = (!entry_hooks.is_empty()).then(|| {
            let events = entry_hooks.iter().map(|h| h.event.clone()).collect();
            self.sites
                .add(events, Some(self.position(head.body.start)), name.clone())
        });
        let exit_site = (!exit_hooks.is_empty()).then(|| {
            let events = exit_hooks.iter().map(|h| h.event.clone()).collect();
            self.sites
                .add(events, Some(self.position(returns_at)), name.clone())
        });
        // The renamed definition is only ever called by its wrapper: made
        // `static`, the compiler inlines it there and emits it once, where
        // with external linkage it also kept a copy of its own (a sixth
        // of gcc's -O2 time on the example driver). Not where the head
        // already says something about linkage or visibility.
        let specifiers = &self.input.text[head.start..head.name.start];
        if !LINKAGE_WORDS.iter().any(|word| has_word(specifiers, word)) {
            self.statics.push(head.start);
        }
        self.edits.push(Edit::replace(
            head.name.clone(),
            format!("slic_orig_{name}"),
        ));
        // The wrapper's head is the definition's own bytes, name and all:
        // storage class, calling convention, annotations and comments stay
        // the same. (Writes to a `Vec` do not fail.)
        let bytes = self.input.text;
        let head_text = [
            &bytes[head.start..head.name.start],
            name.as_bytes(),
            &bytes[head.name.end..head.body.start],
        ]
        .concat();
        let result_type = (!head.returns_void).then_some(head.result_type.as_slice());
        let arguments = parameters.join(", ");
        let mut wrapper: Vec<u8> = Vec::new();
        let _ = writeln!(wrapper, "\n{}", line_directive(1, GENERATED));
        wrapper.extend_from_slice(head_text.trim_ascii_end());
        wrapper.extend_from_slice(b"\n{\n");
        // A routine of a role is the driver running (see
        // `slic_driver_enter` in the monitor's header).
        let driver = !roles.is_empty();
        if driver {
            wrapper.extend_from_slice(b"    slic_driver_enter();\n");
        }
        for hook in &entry_hooks {
            let site = entry_site.expect("entry hooks have a site");
            let _ = writeln!(wrapper, "    {};", hook_call(hook, site, &parameters, None));
        }
        match result_type {
            Some(ty) => {
                wrapper.extend_from_slice(b"    ");
                wrapper.extend_from_slice(ty);
                let _ = writeln!(wrapper, " slic_result = slic_orig_{name}({arguments});");
            }
            None => {
                let _ = writeln!(wrapper, "    slic_orig_{name}({arguments});");
            }
        }
        for hook in &exit_hooks {
            let ret = result_type.map(|_| "slic_result");
            let site = exit_site.expect("exit hooks have a site");
            let _ = writeln!(wrapper, "    {};", hook_call(hook, site, &parameters, ret));
        }
        if driver {
            wrapper.extend_from_slice(b"    slic_driver_exit();\n");
        }
        if result_type.is_some() {
            wrapper.extend_from_slice(b"    return slic_result;\n");
        }
        wrapper.extend_from_slice(b"}\n");
        let returns_line = self.position(returns_at).line;
        wrapper.extend_from_slice(line_directive(returns_line, self.input.path).as_bytes());
        self.edits.push(Edit::insert(head.body.end, wrapper));
        self.note_use(head.start);
        Ok(())
    }
}
