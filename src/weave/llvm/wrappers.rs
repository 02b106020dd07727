//! Uses of an API's address: calls through function pointers.
//!
//! A call through a pointer cannot be recognised where it happens, so
//! every use of a bound API other than as a direct callee (stored to a
//! variable, passed as an argument, in a global's initializer such as a
//! table of operations) is replaced by a wrapper: a function with the
//! API's calling convention, parameter and return attributes and type
//! (so the pointer's type and the ABI stay the same), that calls the hooks
//! around a direct call of the API. As in the C weaver, the site has no
//! position, and names the function (or global variable) that took the
//! address; each use gets its own wrapper and site.

use std::borrow::Cow;
use std::fmt::Write;
use std::ops::Range;

use super::emit::{Emitter, SiteValue, Suffix, c_arguments};
use super::instruction::{self, LINKAGE_WORDS};
use super::lexer::{Kind, Token, tokenize};
use super::mentions::Mentions;
use super::weaver::{Weaver, WrapperRequest, span};
use crate::diagnostic::{Code, Diagnostic};
use crate::llvm::names::undecorated;

impl Weaver<'_> {
    /// Replaces one use of `symbol`'s address (the token at `range`) by a
    /// wrapper. `function` is where the address was taken.
    pub fn address_taken(
        &mut self,
        symbol: &str,
        range: Range<usize>,
        function: String,
        line: usize,
    ) {
        let binding = &self.bindings.apis[symbol];
        let variadic = self.declaration(symbol).is_none_or(|d| d.1.variadic);
        if variadic {
            let c_name = binding.c_name.clone();
            self.warn(
                line,
                Code::UnwrappableAddress,
                format!(
                    "the address of `{c_name}` is taken here but its declaration takes a variable number of arguments, so calls through it are not seen"
                ),
            );
            return;
        }
        let events = binding
            .before
            .iter()
            .chain(&binding.after)
            .map(|&h| self.hooks.hooks[h].event.clone())
            .collect();
        let site = self.sites.add(events, None, function);
        self.edits.replace(range, &wrapper_symbol(site));
        self.wrappers.push(WrapperRequest {
            site,
            symbol: symbol.to_string(),
        });
    }

    /// The tokens of an API's declaration, parsed.
    fn declaration(&self, symbol: &str) -> Option<(Vec<Token>, instruction::Header)> {
        let declared = self.module.declared.get(symbol)?;
        let mut tokens = Vec::new();
        tokenize(self.source, declared.text.clone(), &mut tokens);
        let header = instruction::header(self.source, &tokens)?;
        Some((tokens, header))
    }

    /// Uses of API addresses in global initializers.
    pub fn weave_globals(&mut self) -> Result<(), Diagnostic> {
        let source = self.source;
        let mut tokens = Vec::new();
        for global in &self.module.globals {
            // `llvm.used` and friends list symbols; they do not call them.
            if global.symbol.starts_with("llvm.") {
                continue;
            }
            tokens.clear();
            tokenize(source, global.range.clone(), &mut tokens);
            if tokens.iter().any(|t| t.kind == Kind::Unterminated) {
                return Err(self.error(
                    global.range.start,
                    "unterminated string or quoted name".to_string(),
                ));
            }
            let owner = self.owner(&global.symbol);
            for token in tokens.iter().skip(1) {
                if let Some(symbol) = self.api_of(token) {
                    self.address_taken(symbol, token.range(), owner.clone(), global.range.start);
                }
            }
        }
        Ok(())
    }

    /// Where the globals whose initializers `weave_globals` will edit
    /// start (and maybe others: an `@` in a string counts).
    pub fn globals_to_weave<'m>(
        &'m self,
        mentions: &'m Mentions,
    ) -> impl Iterator<Item = usize> + 'm {
        self.module
            .globals
            .iter()
            .filter(|global| !global.symbol.starts_with("llvm."))
            .filter(|global| {
                // The first `@` is the global's own name.
                let inside = global.range.start + 1..global.range.end;
                mentions
                    .globals_in(inside)
                    .iter()
                    .any(|&at| self.api_at(at as usize).is_some())
            })
            .map(|global| global.range.start)
    }

    /// How a site names a global: clang names a function's `static`
    /// variable `function.variable`, and the C weaver names the function.
    fn owner(&self, global: &str) -> String {
        if let Some((function, _)) = global.split_once('.')
            && self
                .module
                .declared
                .get(function)
                .is_some_and(|d| d.defined)
        {
            return undecorated(function).to_string();
        }
        undecorated(global).to_string()
    }

    /// The wrapper definitions.
    pub fn wrapper_definitions(&mut self, out: &mut String) {
        let source = self.source;
        for request in std::mem::take(&mut self.wrappers) {
            let Some((tokens, header)) = self.declaration(&request.symbol) else {
                continue;
            };
            let binding = &self.bindings.apis[&request.symbol];
            // Calling convention and return attributes; not the linkage,
            // nor metadata attached to the declaration (`!dbg !N`).
            let prefix: Vec<&str> = tokens[header.prefix.0..header.prefix.1]
                .iter()
                .filter(|t| t.kind != Kind::Metadata)
                .map(|t| t.text(source))
                .filter(|word| !LINKAGE_WORDS.contains(word))
                .collect();
            let prefix = prefix.join(" ");
            let returns = header.returns.text(source, &tokens);
            let mut parameters = Vec::new();
            let mut values = Vec::new();
            for (index, parameter) in header.parameters.iter().enumerate() {
                let ty = parameter.ty.text(source, &tokens);
                let attributes = if parameter.attributes.1 > parameter.attributes.0 {
                    format!(" {}", span(source, &tokens, parameter.attributes))
                } else {
                    String::new()
                };
                let name = format!("%slic.a{}", index + 1);
                parameters.push(format!("{ty}{attributes} {name}"));
                values.push((
                    SiteValue {
                        shape: parameter.ty.shape.clone(),
                        ty,
                        value: Cow::Owned(name),
                    },
                    parameter.sret,
                ));
            }
            let values = c_arguments(values);
            let returns_value = !matches!(header.returns.shape, super::types::Shape::Void);
            let returned = returns_value.then(|| SiteValue {
                shape: header.returns.shape.clone(),
                ty: returns,
                value: Cow::Borrowed("%slic.result"),
            });
            let suffix = Suffix::default();
            let mut body = String::new();
            let mut emitter = Emitter::new(&self.calls, &mut self.names, &suffix, &mut body);
            emitter.calls(&binding.before, request.site, &values, None);
            let callee = tokens[header.name].text(source);
            let space = if prefix.is_empty() { "" } else { " " };
            // The arguments are the parameters, attributes and all.
            let call = format!(
                "call {prefix}{space}{returns} {callee}({})",
                parameters.join(", ")
            );
            if returns_value {
                emitter.line(format_args!("%slic.result = {call}"));
            } else {
                emitter.line(format_args!("{call}"));
            }
            emitter.calls(&binding.after, request.site, &values, returned.as_ref());
            if returns_value {
                emitter.line(format_args!("ret {returns} %slic.result"));
            } else {
                emitter.line(format_args!("ret void"));
            }
            let _ = write!(
                out,
                "\n; `{}` through a pointer taken in {}.\ndefine internal {prefix}{space}{returns} {}({}) {{\nentry:\n{body}}}\n",
                binding.c_name,
                self.sites.sites[request.site].function,
                wrapper_symbol(request.site),
                parameters.join(", ")
            );
        }
    }
}

pub fn wrapper_symbol(site: usize) -> String {
    format!("@slic.wp.{site}")
}
