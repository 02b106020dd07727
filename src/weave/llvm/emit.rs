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
//!
//! A large module has tens of thousands of sites, so the lines are written
//! straight into the string the caller gives (the weaver's edit buffer),
//! and operands are names and borrowed text, not strings of their own.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write};

use super::types::Shape;
use crate::llvm::target::{Pointers, Target};
use crate::model::Event;
use crate::monitor::hooks::{Hook, HookSet};

/// The hooks of the rules and what calling them takes, worked out once
/// per module.
pub struct Hooks<'h> {
    pub set: &'h HookSet,
    /// The symbol of each hook, by its index in the set (`None` for a hook
    /// the monitor has no function for; no site calls those).
    symbols: Vec<Option<&'h str>>,
    /// The type of a site pointer: `ptr`, or `%slic.site*`.
    site_type: String,
    target: &'h Target,
}

impl<'h> Hooks<'h> {
    pub fn new(set: &'h HookSet, symbols: &'h HashMap<Event, String>, target: &'h Target) -> Self {
        Hooks {
            set,
            symbols: set
                .hooks
                .iter()
                .map(|hook| symbols.get(&hook.event).map(String::as_str))
                .collect(),
            site_type: target.ptr("%slic.site"),
            target,
        }
    }
}

/// A value at a site: its shape, its type and its text, as the input has
/// them.
#[derive(Debug, Clone)]
pub struct SiteValue<'s> {
    pub shape: Shape,
    pub ty: &'s str,
    pub value: Cow<'s, str>,
}

/// The `!dbg` of inserted lines.
#[derive(Debug, Clone, Copy, Default)]
pub enum Dbg<'s> {
    /// The function has no debug information.
    #[default]
    None,
    /// The neighbour's location (`!12`).
    Existing(&'s str),
    /// A location the weaver made.
    New(usize),
}

/// What every inserted line ends with, and what hook calls carry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Suffix<'s> {
    pub dbg: Dbg<'s>,
    /// `[ "funclet"(token %x) ]`, or empty.
    pub bundles: &'s str,
}

impl Suffix<'_> {
    /// `, !dbg !N`, or nothing.
    fn write_dbg(&self, out: &mut String) {
        match self.dbg {
            Dbg::None => {}
            Dbg::Existing(location) => {
                out.push_str(", !dbg ");
                out.push_str(location);
            }
            Dbg::New(number) => {
                out.push_str(", !dbg !");
                push_number(out, number);
            }
        }
    }
}

/// Names for inserted values, unique in the module.
#[derive(Debug, Default)]
pub struct Names {
    next: usize,
}

impl Names {
    /// The number of a new `%slic.N`.
    pub fn fresh(&mut self) -> usize {
        self.next += 1;
        self.next - 1
    }

    pub fn fresh_block(&mut self, hint: &str) -> String {
        format!("slic.{hint}.{}", self.fresh())
    }
}

/// An operand of an inserted instruction.
#[derive(Debug, Clone, Copy)]
enum Operand<'v> {
    /// `%slic.N`.
    Fresh(usize),
    /// A value of the input, as written.
    Text(&'v str),
    Zero,
}

impl fmt::Display for Operand<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Fresh(number) => write!(f, "%slic.{number}"),
            Operand::Text(text) => f.write_str(text),
            Operand::Zero => f.write_str("0"),
        }
    }
}

impl Operand<'_> {
    /// The operand's text, appended to `out` (a site writes thousands).
    fn push_to(&self, out: &mut String) {
        match self {
            Operand::Fresh(number) => {
                out.push_str("%slic.");
                push_number(out, *number);
            }
            Operand::Text(text) => out.push_str(text),
            Operand::Zero => out.push('0'),
        }
    }
}

/// `number` in decimal, appended to `out` without the formatting
/// machinery: the woven text of a large module holds hundreds of
/// thousands of numbers.
pub fn push_number(out: &mut String, number: usize) {
    out.push_str(itoa::Buffer::new().format(number));
}

/// Emits lines of instructions for one insertion point, reusing each
/// conversion for every hook there.
pub struct Emitter<'a, 'v> {
    hooks: &'a Hooks<'a>,
    names: &'a mut Names,
    suffix: &'a Suffix<'a>,
    out: &'a mut String,
    /// Values already converted: (argument index, signed), and the
    /// returned value under an index no argument has.
    converted: Memo<(usize, bool), Operand<'v>>,
    /// `*$N` already read: (argument index, bits, signed).
    loaded: Memo<(usize, u8, bool), Operand<'v>>,
}

/// Values by key, the first few without allocating: a large module has
/// tens of thousands of insertion points, each converting a handful.
struct Memo<K, V> {
    first: [Option<(K, V)>; 4],
    more: Vec<(K, V)>,
}

impl<K: Copy + PartialEq, V: Copy> Memo<K, V> {
    fn new() -> Self {
        Memo {
            first: [None; 4],
            more: Vec::new(),
        }
    }

    fn get(&self, key: K) -> Option<V> {
        self.first
            .iter()
            .map_while(|entry| *entry)
            .chain(self.more.iter().copied())
            .find(|(k, _)| *k == key)
            .map(|(_, value)| value)
    }

    fn insert(&mut self, key: K, value: V) {
        match self.first.iter_mut().find(|entry| entry.is_none()) {
            Some(free) => *free = Some((key, value)),
            None => self.more.push((key, value)),
        }
    }
}

/// The C arguments among IR arguments: a hidden `sret` pointer is not one.
pub fn c_arguments<'s>(
    values: impl IntoIterator<Item = (SiteValue<'s>, bool)>,
) -> Vec<SiteValue<'s>> {
    values
        .into_iter()
        .filter(|(_, sret)| !sret)
        .map(|(value, _)| value)
        .collect()
}

const INDENT: &str = "  ";

impl<'a, 'v> Emitter<'a, 'v> {
    pub fn new(
        hooks: &'a Hooks<'a>,
        names: &'a mut Names,
        suffix: &'a Suffix<'a>,
        out: &'a mut String,
    ) -> Emitter<'a, 'v> {
        Emitter {
            hooks,
            names,
            suffix,
            out,
            converted: Memo::new(),
            loaded: Memo::new(),
        }
    }

    fn target(&self) -> &Target {
        self.hooks.target
    }

    /// A new value defined by `instruction`.
    fn value(&mut self, instruction: fmt::Arguments) -> Operand<'v> {
        let name = self.begin_value();
        let _ = self.out.write_fmt(instruction);
        self.end_line();
        Operand::Fresh(name)
    }

    /// A new value defined by the instruction whose text is `parts`.
    fn value_of(&mut self, parts: &[&str]) -> Operand<'v> {
        let name = self.begin_value();
        for part in parts {
            self.out.push_str(part);
        }
        self.end_line();
        Operand::Fresh(name)
    }

    /// `  %slic.N = `, for a new `N`.
    fn begin_value(&mut self) -> usize {
        let name = self.names.fresh();
        self.out.push_str(INDENT);
        self.out.push_str("%slic.");
        push_number(self.out, name);
        self.out.push_str(" = ");
        name
    }

    /// The `!dbg` and the line break.
    fn end_line(&mut self) {
        self.suffix.write_dbg(self.out);
        self.out.push('\n');
    }

    /// A value as an `i64` operand, extended as its C type says.
    fn widen(&mut self, value: &'v SiteValue, signed: bool) -> Operand<'v> {
        let (ty, text) = (value.ty, &value.value);
        match value.shape {
            Shape::Int(64) => Operand::Text(text),
            Shape::Int(bits) if bits > 64 => self.value_of(&["trunc ", ty, " ", text, " to i64"]),
            Shape::Int(_) => {
                let extend = if signed { "sext " } else { "zext " };
                self.value_of(&[extend, ty, " ", text, " to i64"])
            }
            Shape::Pointer => self.value_of(&["ptrtoint ", ty, " ", text, " to i64"]),
            _ => Operand::Zero,
        }
    }

    fn argument(&mut self, values: &'v [SiteValue], index: usize, signed: bool) -> Operand<'v> {
        let Some(value) = values.get(index) else {
            return Operand::Zero;
        };
        self.converted_value(index, value, signed)
    }

    /// `value` (argument `index`) as an `i64`, converted once.
    fn converted_value(&mut self, index: usize, value: &'v SiteValue, signed: bool) -> Operand<'v> {
        if let Some(operand) = self.converted.get((index, signed)) {
            return operand;
        }
        let operand = self.widen(value, signed);
        self.converted.insert((index, signed), operand);
        operand
    }

    /// `*$N`: the `bits`-wide integer the argument points to, or 0.
    fn pointee(
        &mut self,
        values: &'v [SiteValue],
        index: usize,
        bits: u8,
        signed: bool,
    ) -> Operand<'v> {
        let Some(value) = values.get(index) else {
            return Operand::Zero;
        };
        let key = (index, bits, signed);
        if let Some(operand) = self.loaded.get(key) {
            return operand;
        }
        let integer = format!("i{bits}");
        let pointer = self.target().ptr(&integer);
        let typed = self.target().pointers == Pointers::Typed;
        let (ty, text) = (value.ty, &value.value);
        let address = match value.shape {
            Shape::Pointer if ty.contains("addrspace") => return Operand::Zero,
            Shape::Pointer if typed && ty != pointer => {
                self.value(format_args!("bitcast {ty} {text} to {pointer}"))
            }
            Shape::Pointer => Operand::Text(text),
            Shape::Int(_) => self.value(format_args!("inttoptr {ty} {text} to {pointer}")),
            _ => return Operand::Zero,
        };
        let zero = if typed {
            format!("bitcast ([8 x i8]* @slic.zero to {pointer})")
        } else {
            "@slic.zero".to_string()
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
        self.loaded.insert(key, wide);
        wide
    }

    /// The operands of a call of `hook`, in order, each given to `each`.
    fn operands(
        &mut self,
        hook: &Hook,
        values: &'v [SiteValue],
        returned: Option<&'v SiteValue>,
        mut each: impl FnMut(Operand<'v>),
    ) {
        for (index, value) in hook.arguments.iter().enumerate() {
            each(self.argument(values, index, value.ty.signed));
        }
        for (position, value) in &hook.pointees {
            each(self.pointee(
                values,
                *position as usize - 1,
                value.ty.bits,
                value.ty.signed,
            ));
        }
        if let Some(value) = hook.returns {
            each(match returned {
                Some(returned) => self.converted_value(usize::MAX, returned, value.ty.signed),
                None => Operand::Zero,
            });
        }
    }

    /// A call of `hook` (whose symbol is `symbol`) from site `site`.
    fn hook_call(
        &mut self,
        hook: &Hook,
        symbol: &str,
        site: usize,
        values: &'v [SiteValue],
        returned: Option<&'v SiteValue>,
    ) {
        // The operands first: converting them writes lines of their own.
        // Each is converted once: asked again below, it is the same.
        self.operands(hook, values, returned, |_| {});
        self.out.push_str(INDENT);
        self.out.push_str("call void ");
        self.out.push_str(symbol);
        self.out.push('(');
        self.out.push_str(&self.hooks.site_type);
        self.out.push_str(" @slic.site.");
        push_number(self.out, site);
        let mut operands = std::mem::take(self.out);
        self.operands(hook, values, returned, |operand| {
            operands.push_str(", i64 ");
            operand.push_to(&mut operands);
        });
        debug_assert!(self.out.is_empty(), "an operand converted twice");
        *self.out = operands;
        let out = &mut *self.out;
        out.push_str(") nounwind");
        if !self.suffix.bundles.is_empty() {
            out.push(' ');
            out.push_str(self.suffix.bundles);
        }
        self.suffix.write_dbg(out);
        out.push('\n');
    }

    /// Calls of the hooks `indexes` (into the hook set), in order, from
    /// site `site`.
    pub fn calls(
        &mut self,
        indexes: &[usize],
        site: usize,
        values: &'v [SiteValue],
        returned: Option<&'v SiteValue>,
    ) {
        for &index in indexes {
            let hooks = self.hooks;
            let hook = &hooks.set.hooks[index];
            let symbol = hooks.symbols[index].expect("every hook a site calls has a symbol");
            self.hook_call(hook, symbol, site, values, returned);
        }
    }

    /// A plain line (a branch in a split block).
    pub fn line(&mut self, instruction: fmt::Arguments) {
        self.out.push_str(INDENT);
        let _ = self.out.write_fmt(instruction);
        self.end_line();
    }

    /// A plain line whose text is `parts`.
    pub fn line_of(&mut self, parts: &[&str]) {
        self.out.push_str(INDENT);
        for part in parts {
            self.out.push_str(part);
        }
        self.end_line();
    }

    /// A new block's label, after a blank line as LLVM prints blocks.
    pub fn label(&mut self, name: &str) {
        let _ = writeln!(self.out, "\n{name}:");
    }
}
