//! Calls of hooks at a site: the values converted to `i64`, then one call
//! per hook.
//!
//! Hooks take every value as `i64` and the site as a pointer, with the C
//! calling convention. The conversion happens here, at the call site, by
//! the C type the hook gives the value: `sext` or `zext` of a narrower
//! integer, `ptrtoint` of a pointer (which zero-extends on 32-bit targets,
//! as C's `(uintptr_t)` does). So no ABI attribute crosses into a hook:
//! an i686 fastcall API's `inreg` stays on the API, and `zeroext` or
//! `signext` become the explicit extension (which is what they promise).
//! `*$N` is read as C's `(p ? *p : 0)` without branching: a null pointer
//! is replaced by one to a zero constant (`@slic.zero`).
//!
//! Every inserted value is named `%slic.N` (never `%N`, which would
//! renumber the function), and every inserted instruction carries the
//! site's `!dbg` when the function has debug information.

use std::collections::HashMap;
use std::fmt::Write;

use super::target::{Pointers, Target};
use super::types::Shape;
use crate::hooks::{Hook, HookSet};
use crate::model::Event;

/// The hooks of the rules and the symbols woven code calls them by.
#[derive(Clone, Copy)]
pub struct Hooks<'h> {
    pub set: &'h HookSet,
    pub symbols: &'h HashMap<Event, String>,
}

/// A value at a site: its shape, its type and its text, as the input has
/// them.
#[derive(Debug, Clone)]
pub struct SiteValue {
    pub shape: Shape,
    pub ty: String,
    pub value: String,
}

/// What every inserted line ends with, and what hook calls carry.
#[derive(Debug, Clone, Default)]
pub struct Suffix {
    /// `, !dbg !N`, or empty.
    pub dbg: String,
    /// ` [ "funclet"(token %x) ]`, or empty.
    pub bundles: String,
}

/// Names for inserted values, unique in the module.
#[derive(Debug, Default)]
pub struct Names {
    next: usize,
}

impl Names {
    pub fn fresh(&mut self) -> String {
        let name = format!("%slic.{}", self.next);
        self.next += 1;
        name
    }

    pub fn fresh_block(&mut self, hint: &str) -> String {
        let name = format!("slic.{hint}.{}", self.next);
        self.next += 1;
        name
    }
}

/// Emits lines of instructions for one insertion point, reusing each
/// conversion for every hook there.
pub struct Emitter<'a> {
    pub target: &'a Target,
    pub names: &'a mut Names,
    pub suffix: &'a Suffix,
    pub out: String,
    converted: HashMap<(usize, bool), String>,
    loaded: HashMap<(usize, u8, bool), String>,
    indent: &'static str,
}

/// The C arguments among IR arguments: a hidden `sret` pointer is not one.
pub fn c_arguments(values: Vec<(SiteValue, bool)>) -> Vec<SiteValue> {
    values
        .into_iter()
        .filter(|(_, sret)| !sret)
        .map(|(value, _)| value)
        .collect()
}

impl<'a> Emitter<'a> {
    pub fn new(target: &'a Target, names: &'a mut Names, suffix: &'a Suffix) -> Emitter<'a> {
        Emitter {
            target,
            names,
            suffix,
            out: String::new(),
            converted: HashMap::new(),
            loaded: HashMap::new(),
            indent: "  ",
        }
    }

    fn value(&mut self, instruction: std::fmt::Arguments) -> String {
        let name = self.names.fresh();
        let _ = writeln!(
            self.out,
            "{}{name} = {instruction}{}",
            self.indent, self.suffix.dbg
        );
        name
    }

    /// A value as an `i64` operand, extended as its C type says.
    fn widen(&mut self, value: &SiteValue, signed: bool) -> String {
        match value.shape {
            Shape::Int(64) => value.value.clone(),
            Shape::Int(bits) if bits > 64 => {
                self.value(format_args!("trunc {} {} to i64", value.ty, value.value))
            }
            Shape::Int(_) => {
                let extend = if signed { "sext" } else { "zext" };
                self.value(format_args!("{extend} {} {} to i64", value.ty, value.value))
            }
            Shape::Pointer => {
                self.value(format_args!("ptrtoint {} {} to i64", value.ty, value.value))
            }
            _ => "0".to_string(),
        }
    }

    fn argument(&mut self, values: &[SiteValue], index: usize, signed: bool) -> String {
        let Some(value) = values.get(index) else {
            return "0".to_string();
        };
        if let Some(name) = self.converted.get(&(index, signed)) {
            return name.clone();
        }
        let name = self.widen(value, signed);
        self.converted.insert((index, signed), name.clone());
        name
    }

    /// `*$N`: the `bits`-wide integer the argument points to, or 0.
    fn pointee(&mut self, values: &[SiteValue], index: usize, bits: u8, signed: bool) -> String {
        let Some(value) = values.get(index) else {
            return "0".to_string();
        };
        if let Some(name) = self.loaded.get(&(index, bits, signed)) {
            return name.clone();
        }
        let integer = format!("i{bits}");
        let pointer = self.target.ptr(&integer);
        let address = match value.shape {
            Shape::Pointer if value.ty.contains("addrspace") => return "0".to_string(),
            Shape::Pointer if self.target.pointers == Pointers::Typed && value.ty != pointer => {
                self.value(format_args!(
                    "bitcast {} {} to {pointer}",
                    value.ty, value.value
                ))
            }
            Shape::Pointer => value.value.clone(),
            Shape::Int(_) => self.value(format_args!(
                "inttoptr {} {} to {pointer}",
                value.ty, value.value
            )),
            _ => return "0".to_string(),
        };
        let zero = match self.target.pointers {
            Pointers::Opaque => "@slic.zero".to_string(),
            Pointers::Typed => format!("bitcast ([8 x i8]* @slic.zero to {pointer})"),
        };
        let null = self.value(format_args!("icmp eq {pointer} {address}, null"));
        let safe = self.value(format_args!(
            "select i1 {null}, {pointer} {zero}, {pointer} {address}"
        ));
        let loaded = self.value(format_args!("load {integer}, {pointer} {safe}, align 1"));
        let wide = if bits >= 64 {
            loaded
        } else {
            let extend = if signed { "sext" } else { "zext" };
            self.value(format_args!("{extend} {integer} {loaded} to i64"))
        };
        self.loaded.insert((index, bits, signed), wide.clone());
        wide
    }

    /// A call of `hook` (whose symbol is `symbol`) from `site`.
    fn hook_call(
        &mut self,
        hook: &Hook,
        symbol: &str,
        site: &str,
        values: &[SiteValue],
        returned: Option<&SiteValue>,
    ) {
        let mut list = vec![format!("{} {site}", self.target.ptr("%slic.site"))];
        for (index, value) in hook.arguments.iter().enumerate() {
            let operand = self.argument(values, index, value.ty.signed);
            list.push(format!("i64 {operand}"));
        }
        for (position, value) in &hook.pointees {
            let operand = self.pointee(
                values,
                *position as usize - 1,
                value.ty.bits,
                value.ty.signed,
            );
            list.push(format!("i64 {operand}"));
        }
        if let Some(value) = hook.returns {
            // One returned value per insertion point: cached beside the
            // arguments, under an index no argument has.
            let operand = match returned {
                Some(returned) => match self.converted.get(&(usize::MAX, value.ty.signed)) {
                    Some(name) => name.clone(),
                    None => {
                        let name = self.widen(returned, value.ty.signed);
                        self.converted
                            .insert((usize::MAX, value.ty.signed), name.clone());
                        name
                    }
                },
                None => "0".to_string(),
            };
            list.push(format!("i64 {operand}"));
        }
        let _ = writeln!(
            self.out,
            "{}call void {symbol}({}) nounwind{}{}",
            self.indent,
            list.join(", "),
            self.suffix.bundles,
            self.suffix.dbg
        );
    }

    /// Calls of the hooks `indexes` (into the hook set), in order, from
    /// one site.
    pub fn calls(
        &mut self,
        hooks: Hooks,
        indexes: &[usize],
        site: &str,
        values: &[SiteValue],
        returned: Option<&SiteValue>,
    ) {
        for &index in indexes {
            let hook = &hooks.set.hooks[index];
            self.hook_call(hook, &hooks.symbols[&hook.event], site, values, returned);
        }
    }

    /// A plain line (a branch in a split block).
    pub fn line(&mut self, instruction: std::fmt::Arguments) {
        let _ = writeln!(self.out, "{}{instruction}{}", self.indent, self.suffix.dbg);
    }

    /// A new block's label, after a blank line as LLVM prints blocks.
    pub fn label(&mut self, name: &str) {
        let _ = writeln!(self.out, "\n{name}:");
    }
}
