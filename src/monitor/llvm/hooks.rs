//! The hooks as IR: the functions woven code calls, one per event.
//!
//! A hook takes the site and the event's values as `i64` (converted at the
//! call site from their IR types), brings each to its C type, and runs the
//! event on every rule that handles it, in the order the rules were given,
//! as the C monitor's hooks do.

use std::fmt::Write;

use super::body::{Body, Value};
use super::expr::convert;
use super::rules::RuleCode;
use super::{Context, string_constant};
use crate::automaton::Automaton;
use crate::hash::fnv;
use crate::llvm::names::quote;
use crate::model::Target;
use crate::monitor::abi::{DRIVER_DEPTH, DRIVER_STARTED};
use crate::monitor::hooks::Hook;
use crate::monitor::models::{Models, own_steps};

/// A hook's definition and the symbol woven code calls.
pub struct HookCode {
    pub symbol: String,
    pub text: String,
    /// `declare void @symbol(...)`, for a module that links with the
    /// monitor instead of holding it.
    pub declaration: String,
}

/// The symbol the code is written with before its hash is known.
const DRAFT_SYMBOL: &str = "@slic.HOOK.SYMBOL";

/// The code of the units a hook calls: each rule's and shared model's.
pub struct Units<'a> {
    pub automata: &'a [Automaton],
    pub models: &'a Models,
    pub model_codes: &'a [RuleCode],
    pub rule_codes: &'a [RuleCode],
}

pub fn hook(context: &Context, hook: &Hook, units: &Units) -> HookCode {
    let draft = context.with_attributes(code(context, hook, units, DRAFT_SYMBOL));
    let symbol = format!("@{}.{:016x}", hook.name, fnv(&draft));
    let text = draft.replace(DRAFT_SYMBOL, &symbol);
    let declaration = format!(
        "declare void {symbol}({}) nounwind",
        parameter_types(context, hook).join(", ")
    );
    HookCode {
        symbol,
        text,
        declaration,
    }
}

/// The hook's parameter types: the site, then `i64` per value.
fn parameter_types(context: &Context, hook: &Hook) -> Vec<String> {
    let mut types = vec![context.site_pointer()];
    types.extend(std::iter::repeat_n(
        "i64".to_string(),
        parameter_count(hook),
    ));
    types
}

/// The parameters woven code passes: site, arguments, pointees, return.
pub fn parameter_count(hook: &Hook) -> usize {
    hook.arguments.len() + hook.pointees.len() + usize::from(hook.returns.is_some())
}

fn code(context: &Context, hook: &Hook, units: &Units, symbol: &str) -> String {
    let event_name = hook.event.to_string();
    let event_symbol = format!("@{}", quote(&format!("slic.event.{event_name}")));
    let mut parameters = vec![format!("{} %site", context.site_pointer())];
    parameters.extend((1..=hook.arguments.len()).map(|i| format!("i64 %a{i}")));
    parameters.extend(hook.pointees.iter().map(|(p, _)| format!("i64 %d{p}")));
    if hook.returns.is_some() {
        parameters.push("i64 %ret".to_string());
    }
    let mut body = Body::default();
    if matches!(hook.event.target, Target::Function(_)) {
        // A call the driver did not make (see `slic_driver_enter`).
        let target = context.target;
        let pointer = target.ptr("i32");
        let depth = body.value(format_args!("load i32, {pointer} @{DRIVER_DEPTH}"));
        let started = body.value(format_args!(
            "load atomic {intptr}, {} @{DRIVER_STARTED} monotonic, align {}",
            target.ptr(&target.intptr()),
            target.pointer_bits / 8,
            intptr = target.intptr(),
        ));
        let idle = body.value(format_args!("icmp eq i32 {depth}, 0"));
        let begun = body.value(format_args!("icmp ne {} {started}, 0", target.intptr()));
        let outside = body.value(format_args!("and i1 {idle}, {begun}"));
        let skip = body.block("outside");
        let run = body.block("driver");
        body.line(format_args!("br i1 {outside}, label %{skip}, label %{run}"));
        body.label(&skip);
        body.line("ret void");
        body.label(&run);
    }
    let arguments: Vec<Value> = hook
        .arguments
        .iter()
        .enumerate()
        .map(|(i, value)| convert(&mut body, value.ty, Value::Named(format!("%a{}", i + 1))))
        .collect();
    let pointees: Vec<(u32, Value)> = hook
        .pointees
        .iter()
        .map(|(p, value)| {
            (
                *p,
                convert(&mut body, value.ty, Value::Named(format!("%d{p}"))),
            )
        })
        .collect();
    let ret = match hook.returns {
        Some(value) => convert(&mut body, value.ty, Value::Named("%ret".to_string())),
        None => Value::Constant(0),
    };
    let event = context.string_operand(&event_symbol, &event_name);
    // The thread the event happens on: the address of a thread-local byte,
    // as in the C monitor.
    let thread = body.value(format_args!(
        "ptrtoint {} @slic.thread to i64",
        context.target.ptr("i8")
    ));
    // The shared models' handlers first, once for all the rules; then each
    // rule with handlers of its own for the event (`monitor::models`).
    let models = units
        .models
        .of_event(&hook.event)
        .map(|(model, event)| (&units.model_codes[model], event));
    let rules = hook
        .rules
        .iter()
        .filter(|&&(rule, event)| !own_steps(&units.automata[rule], event).is_empty())
        .map(|&(rule, event)| (&units.rule_codes[rule], event));
    for (code, event_id) in models.chain(rules) {
        let mut list = vec![format!("{} %site", context.site_pointer()), event.clone()];
        for i in 0..code.arity {
            let value = arguments.get(i).cloned().unwrap_or(Value::Constant(0));
            list.push(format!("i64 {value}"));
        }
        for position in 1..=code.arity as u32 {
            let value = pointees
                .iter()
                .find(|(p, _)| *p == position)
                .map_or(Value::Constant(0), |(_, v)| v.clone());
            list.push(format!("i64 {value}"));
        }
        list.push(format!("i64 {ret}"));
        list.push(format!("i64 {thread}"));
        body.line(format_args!(
            "call void @{}.e{event_id}({}) nounwind",
            code.prefix,
            list.join(", ")
        ));
    }
    body.line("ret void");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        string_constant(&event_symbol, &event_name, "linkonce_odr")
    );
    let _ = write!(
        out,
        "define linkonce_odr void {symbol}({}) nounwind {{\nentry:\n{}}}\n",
        parameters.join(", "),
        body.text
    );
    out
}
