//! Wrapping a role routine (or a function with entry or exit events): the
//! definition is renamed, and a function with its name and head calls the
//! hooks around it.

use std::fmt::Write;

use super::Weaver;
use super::head::Head;
use crate::diagnostic::{Code, Diagnostic};
use crate::role_table::Role;
use crate::span::Span;
use crate::weave::bind::{self, RoutineHooks};
use crate::weave::c::file::CFile;
use crate::weave::c::generate::{SiteArgument, push_hook_call, push_line_directive};
use crate::weave::c::scan::Kind;

/// Where the `return` that ends `body` starts, when it returns a value and
/// the body has no other `return`. clang gives its `ret` that statement's
/// place then (the return value is stored just before it), and the
/// closing brace's otherwise: both weavers report an exit at the same
/// place. Read from the tokens: the weaver parses no bodies. `braces` are
/// the body's `{` and `}` tokens when the structure knows them (a search
/// of the file's tokens otherwise).
fn final_return(
    file: &CFile,
    body: std::ops::Range<usize>,
    braces: Option<(usize, usize)>,
) -> Option<usize> {
    let tokens = file.tokens();
    let (open, close) = braces
        .filter(|&(open, close)| {
            file.start(open) == body.start && file.start(close) == body.end - 1
        })
        .unwrap_or_else(|| {
            (
                tokens.partition_point(|t| (t.start as usize) < body.start),
                tokens.partition_point(|t| (t.start as usize) < body.end - 1),
            )
        });
    // The length first: most words of a body are not six bytes long.
    let is_return = |i: usize| {
        let token = tokens[i];
        token.kind == Kind::Identifier && token.end - token.start == 6 && file.word(i) == "return"
    };
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

impl<'a> Weaver<'a> {
    /// The hooks of a routine with these roles (`bind::routine_hooks`).
    /// Those of a routine no rule names depend on its roles only, and are
    /// found once for each set of roles.
    fn routine_hooks(
        &mut self,
        name: &str,
        roles: &[Role],
        span: Span,
    ) -> Result<RoutineHooks<'a>, Diagnostic> {
        let hooks = self.input.hooks;
        let path = self.input.path;
        if self.hooked.contains(name) {
            return bind::routine_hooks(hooks, name, roles, path, span);
        }
        if let Some((entry, exit)) = self.role_hooks.get(roles) {
            return Ok(RoutineHooks {
                entry: entry.clone(),
                exit: exit.clone(),
            });
        }
        let found = bind::routine_hooks(hooks, name, roles, path, span)?;
        let memo = (found.entry.clone(), found.exit.clone());
        self.role_hooks.insert(roles.to_vec(), memo);
        Ok(found)
    }

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
        let roles = self.to_wrap.get(&name).cloned().unwrap_or_default();
        let span = Span::new(self.input.file, head.name.clone());
        let hooks = self.routine_hooks(&name, &roles, span)?;
        let (entry_hooks, exit_hooks) = (hooks.entry, hooks.exit);
        // A site for each end that has hooks: the `{` for entry events;
        // for exit events, where the routine returns: its final `return`,
        // or the closing `}` (where clang's `ret` points too).
        let braces = file.structure.items[item]
            .body()
            .and_then(|(open, close)| Some((open, close?)));
        let returns_at = final_return(file, head.body.clone(), braces).unwrap_or(head.body.end - 1);
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
        // The renamed definition is only ever called by its wrapper: with
        // external linkage the compiler inlined a copy into the wrapper and
        // emitted one of its own too. `SLIC_ORIGINAL` (the monitor's
        // header) makes it `static` and not inlined: emitted once, and
        // generated as the author wrote it (inlined into the wrapper, the
        // lock loop's routine ran 0.8 ns slower an iteration). gcc -O2 on
        // the woven example driver: 172M instructions, 161M with it. Not
        // where the head already says something about linkage.
        let specifiers = &self.input.text[head.start..head.name.start];
        if !LINKAGE_WORDS.iter().any(|word| has_word(specifiers, word)) {
            self.statics.push(head.start);
        }
        self.replace(head.name.clone(), &[b"slic_orig_", name.as_bytes()]);
        // The wrapper's head is the definition's own bytes, name and all:
        // storage class, calling convention, annotations and comments stay
        // the same.
        let bytes = self.input.text;
        let result_type = (!head.returns_void).then_some(head.result_type.as_slice());
        let arguments = parameters.join(", ");
        // The file goes on after the wrapper with the rest of the line of
        // the body's closing brace (not of the exit site, which may be the
        // final `return` a line before it).
        let resume_line = self.line(head.body.end - 1);
        // Written straight into the edits' buffer.
        let mark = self.edits.mark();
        let wrapper = &mut self.edits.text;
        wrapper.push(b'\n');
        wrapper.extend_from_slice(self.generated_line.as_bytes());
        wrapper.push(b'\n');
        // The head, its trailing blanks left out (the name is not blank).
        wrapper.extend_from_slice(&bytes[head.start..head.name.start]);
        wrapper.extend_from_slice(name.as_bytes());
        wrapper.extend_from_slice(bytes[head.name.end..head.body.start].trim_ascii_end());
        wrapper.extend_from_slice(b"\n{\n");
        // The body, but for the result type and the head (the file's
        // bytes), is text the weaver writes, in a buffer kept from one
        // wrapper to the next.
        let mut body = std::mem::take(&mut self.wrapper_body);
        body.clear();
        // A routine of a role is the driver running (see
        // `slic_driver_enter` in the monitor's header).
        let driver = !roles.is_empty();
        if driver {
            body.push_str("    slic_driver_enter();\n");
        }
        for hook in &entry_hooks {
            let site = entry_site.expect("entry hooks have a site");
            body.push_str("    ");
            push_hook_call(
                &mut body,
                hook,
                SiteArgument::Table(site),
                &parameters,
                None,
            );
            body.push_str(";\n");
        }
        wrapper.extend_from_slice(body.as_bytes());
        body.clear();
        // The result is declared where it is made; after statements, that
        // needs a block of its own (C90, and `-Wdeclaration-after-statement`
        // builds, allow declarations only at a block's start), and a
        // `const` result type needs the initialiser.
        let block = result_type.is_some() && (driver || !entry_hooks.is_empty());
        let indent = if block { "        " } else { "    " };
        if block {
            wrapper.extend_from_slice(b"    {\n");
        }
        match result_type {
            Some(ty) => {
                wrapper.extend_from_slice(indent.as_bytes());
                wrapper.extend_from_slice(ty);
                let _ = writeln!(body, " slic_result = slic_orig_{name}({arguments});");
            }
            None => {
                let _ = writeln!(body, "    slic_orig_{name}({arguments});");
            }
        }
        for hook in &exit_hooks {
            let ret = result_type.map(|_| "slic_result");
            let site = exit_site.expect("exit hooks have a site");
            body.push_str(indent);
            push_hook_call(&mut body, hook, SiteArgument::Table(site), &parameters, ret);
            body.push_str(";\n");
        }
        if driver {
            body.push_str(indent);
            body.push_str("slic_driver_exit();\n");
        }
        if result_type.is_some() {
            body.push_str(indent);
            body.push_str("return slic_result;\n");
        }
        if block {
            body.push_str("    }\n");
        }
        body.push_str("}\n");
        push_line_directive(&mut body, resume_line, &self.quoted_path);
        wrapper.extend_from_slice(body.as_bytes());
        self.wrapper_body = body;
        self.record(head.body.end..head.body.end, mark);
        self.note_use(head.start);
        Ok(())
    }
}
