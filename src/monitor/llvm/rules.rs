//! One rule of the monitor as IR: its state, its handlers, and one
//! function per event that runs the handlers on the right instances.
//!
//! The semantics are the C monitor's (`src/monitor/c/`, runtime
//! flavour), which are the interpreter's (`src/interp.rs`), printed from
//! the same dispatch plan (`automaton::plan`): a rule without `watch` keeps
//! its state per thread (thread-local); a `watch` rule keeps one instance
//! per object in a table shared by all threads (`object_table.rs`), each
//! instance belonging to the thread that created it or last changed it
//! (a handler returns whether it changed its instance). The watched event
//! and guarded handlers select the instance of an object (creating it),
//! unguarded handlers run on the instances of the current thread, and
//! after each event the thread's live instances back in their initial
//! state stop existing. A handler that aborts leaves its instance failed
//! (it reports once); one that halts leaves it halted.
//!
//! An instance is `{ { iP object, iP owner, iP holder, i8 status, i8
//! exists }, [N x i64] values }`, the C monitor's `struct slic_slot` and
//! values.
//!
//! Every symbol of a rule is named `slic.<Rule>.<hash>`, the hash taken
//! over the rule's generated code: modules woven with the same rule share
//! its state when linked (`linkonce_odr` keeps one copy), and a different
//! rule (or a different version of it) never collides with it.

use std::fmt::Write;

use super::body::{Body, Value};
use super::expr::{self, Operands};
use super::instances;
use super::object_table::{self, OBJECT, STATUS, Spelling};
use super::runtime::EXPECT;
use super::{Context, string_constant};
use crate::automaton::plan::{Instances, Step, walk_follows};
use crate::automaton::{Automaton, End, Handler};
use crate::hash::fnv;
use crate::monitor::abi::{FAILED, HALTED, LIVE, VIOLATION};
use crate::monitor::hooks::HookSet;
use crate::monitor::initial::{inert_on_initial, path_outcome};
use crate::monitor::models::{Layout, Slot, own_steps};

/// A shared model's thread-local state, as the rules that include it read
/// it (`monitor::models`): the global and its type.
pub struct ModelState {
    pub symbol: String,
    pub ty: String,
}

/// Where a rule's variables live: its layout, and the state of each shared
/// model. `None` for a shared model itself, whose state holds all its
/// variables.
#[derive(Clone, Copy)]
pub struct Placement<'a> {
    pub layout: &'a Layout,
    pub models: &'a [ModelState],
}

/// A rule's code and the interface of its event functions.
pub struct RuleCode {
    pub prefix: String,
    pub text: String,
    /// Event functions take this many arguments and as many pointees.
    pub arity: usize,
}

/// How many argument values the rule's event functions take: as many as
/// the widest hook of its events (a hook's shape is the rule's own: rules
/// that disagree on one cannot be woven together, see `HookSet::new`).
/// Pointees are passed by position, so as many of them.
pub fn arity(automaton: &Automaton, hooks: &HookSet) -> usize {
    automaton
        .events
        .iter()
        .filter_map(|info| hooks.get(&info.event))
        .map(|hook| hook.arguments.len())
        .max()
        .unwrap_or(0)
        .max(1)
}

/// The prefix the code is written with before its hash is known; nothing
/// else in the code contains it.
const DRAFT_PREFIX: &str = "slic.RULE.PREFIX";

pub fn rule(
    context: &Context,
    automaton: &Automaton,
    hooks: &HookSet,
    placement: Option<Placement>,
) -> RuleCode {
    let readable: String = automaton
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // The hash is taken over the code with a fixed prefix, which is then
    // replaced by the real one.
    let arity = arity(automaton, hooks);
    let draft = context.with_attributes(code(context, automaton, arity, DRAFT_PREFIX, placement));
    // Not the runtime's name: it depends on what the module declares
    // (`fputs`...), and two modules must share a rule's state all the same.
    let identity = draft.replace(context.runtime_prefix(), "slic.rt");
    let prefix = format!("slic.{readable}.{:016x}", fnv(&identity));
    let what = if placement.is_some() {
        "Rule"
    } else {
        "Shared model"
    };
    let mut text = format!("; {what} {} ({}).\n", automaton.name, automaton.path);
    text.push_str(&draft.replace(DRAFT_PREFIX, &prefix));
    strings(&mut text, automaton, &prefix);
    RuleCode {
        prefix,
        text,
        arity,
    }
}

/// The rule's strings: not part of the hash, so that a rule compiled from
/// another path (its abort locations differ) still shares its state.
fn strings(out: &mut String, automaton: &Automaton, prefix: &str) {
    let _ = writeln!(
        out,
        "{}",
        string_constant(&format!("@{prefix}.name"), &automaton.name, "linkonce_odr")
    );
    for (index, abort) in automaton.aborts.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}",
            string_constant(
                &format!("@{prefix}.message.{index}"),
                &abort.message,
                "linkonce_odr"
            )
        );
        let _ = writeln!(
            out,
            "{}",
            string_constant(
                &format!("@{prefix}.location.{index}"),
                &abort.location,
                "linkonce_odr"
            )
        );
    }
}

/// The names and types one rule's code uses.
pub(super) struct Names<'a> {
    pub context: &'a Context<'a>,
    pub prefix: &'a str,
    pub automaton: &'a Automaton,
    /// `{ { iP object, iP owner, iP holder, i8 status, i8 exists }, [N x
    /// i64] }`.
    pub state: String,
    pub state_pointer: String,
    /// N: the rule's own variables, at least one.
    pub variables: usize,
    arity: usize,
    placement: Option<Placement<'a>>,
}

impl Names<'_> {
    pub fn symbol(&self, suffix: &str) -> String {
        format!("@{}.{suffix}", self.prefix)
    }

    /// The values every handler and event function takes after the state,
    /// as their parameters and as the arguments that pass them on (the
    /// same text): site, event name, arguments, pointees, return value,
    /// thread.
    fn values(&self) -> String {
        let mut list = vec![
            format!("{} %site", self.context.site_pointer()),
            format!("{} %event", self.context.target.ptr("i8")),
        ];
        list.extend((1..=self.arity).map(|i| format!("i64 %a{i}")));
        list.extend((1..=self.arity).map(|i| format!("i64 %d{i}")));
        list.push("i64 %ret".to_string());
        list.push("i64 %thread".to_string());
        list.join(", ")
    }

    /// A pointer to field `field` of the head of the state at `state`.
    fn field(&self, body: &mut Body, state: &str, field: u32) -> String {
        body.value(format_args!(
            "getelementptr inbounds {}, {} {state}, i32 0, i32 0, i32 {field}",
            self.state, self.state_pointer
        ))
    }

    /// A pointer to the variable `id` of the automaton: in the state at
    /// `state` (the rule's own), or in a shared model's.
    fn variable_of(&self, body: &mut Body, state: &str, id: usize) -> String {
        match self.placement.map(|p| (p.layout.slots[id], p.models)) {
            None => self.variable(body, state, id),
            Some((Slot::Own(index), _)) => self.variable(body, state, index),
            Some((Slot::Model { model, index }, models)) => {
                let model = &models[model];
                body.value(format_args!(
                    "getelementptr inbounds {}, {} {}, i32 0, i32 1, i32 {index}",
                    model.ty,
                    self.context.target.ptr(&model.ty),
                    model.symbol
                ))
            }
        }
    }

    /// The index in the rule's own state of variable `id`, which only the
    /// rule's handlers assign.
    fn own_index(&self, id: usize) -> usize {
        match self.placement.map(|p| p.layout.slots[id]) {
            None => id,
            Some(Slot::Own(index)) => index,
            Some(Slot::Model { .. }) => unreachable!("rules never assign a model's variables"),
        }
    }

    fn variable(&self, body: &mut Body, state: &str, index: usize) -> String {
        body.value(format_args!(
            "getelementptr inbounds {}, {} {state}, i32 0, i32 1, i32 {index}",
            self.state, self.state_pointer
        ))
    }

    /// The table key of an object value: `(uintptr_t)` of it, as the C
    /// monitor computes it.
    fn object_key(&self, body: &mut Body, value: &str) -> String {
        let bits = self.context.target.pointer_bits;
        if bits >= 64 {
            return value.to_string();
        }
        body.value(format_args!("trunc i64 {value} to i{bits}"))
    }
}

/// The type of an instance with `variables` values (at least one).
pub fn state_type(target: &crate::llvm::target::Target, variables: usize) -> String {
    let intptr = target.intptr();
    let variables = variables.max(1);
    format!("{{ {{ {intptr}, {intptr}, {intptr}, i8, i8 }}, [{variables} x i64] }}")
}

fn code(
    context: &Context,
    automaton: &Automaton,
    arity: usize,
    prefix: &str,
    placement: Option<Placement>,
) -> String {
    let own: Vec<usize> = match placement {
        Some(placement) => placement.layout.own.clone(),
        None => (0..automaton.variables.len()).collect(),
    };
    let variables = own.len().max(1);
    let intptr = context.target.intptr();
    let state = state_type(context.target, own.len());
    let names = Names {
        context,
        prefix,
        automaton,
        state_pointer: context.target.ptr(&state),
        state,
        variables,
        arity,
        placement,
    };
    let mut out = String::new();
    let mut values: Vec<i64> = own.iter().map(|&id| automaton.variables[id].init).collect();
    values.resize(variables, 0);
    let initial = format!(
        "[{}]",
        values
            .iter()
            .map(|v| format!("i64 {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if automaton.watch.is_some() {
        object_table::table(&mut out, &names, &values, &initial);
    } else {
        let _ = writeln!(
            out,
            "{} = linkonce_odr thread_local global {} {{ {{ {intptr}, {intptr}, {intptr}, i8, i8 }} {{ {intptr} 0, {intptr} 0, {intptr} 0, i8 {LIVE}, i8 1 }}, [{variables} x i64] {initial} }}",
            names.symbol("state"),
            names.state
        );
    }
    for (index, handler) in automaton.handlers.iter().enumerate() {
        // The models' handlers run in the shared model.
        if handler.model.is_none() {
            handler_function(&mut out, &names, automaton, index, handler);
        }
    }
    for event in 0..automaton.events.len() {
        event_function(&mut out, &names, automaton, event);
    }
    out
}

fn handler_function(
    out: &mut String,
    names: &Names,
    automaton: &Automaton,
    index: usize,
    handler: &Handler,
) {
    let context = names.context;
    let mut body = Body::default();
    // The state before the handler: every update reads these.
    let mut variables = Vec::new();
    for id in 0..automaton.variables.len() {
        let pointer = names.variable_of(&mut body, "%s", id);
        variables.push(Value::Named(body.value(format_args!(
            "load i64, {} {pointer}",
            context.target.ptr("i64")
        ))));
    }
    let arguments: Vec<Value> = (1..=names.arity)
        .map(|i| Value::Named(format!("%a{i}")))
        .collect();
    let pointees: Vec<Value> = (1..=names.arity)
        .map(|i| Value::Named(format!("%d{i}")))
        .collect();
    let operands = Operands {
        variables: &variables,
        arguments: &arguments,
        pointees: &pointees,
        return_value: Value::Named("%ret".to_string()),
        thread: Value::Named("%thread".to_string()),
    };
    for path in &handler.paths {
        let mut taken: Option<String> = None;
        for (condition, polarity) in &path.conditions {
            let value = expr::expression(&mut body, condition, &operands);
            let predicate = if *polarity { "ne" } else { "eq" };
            let flag = body.value(format_args!("icmp {predicate} i64 {value}, 0"));
            taken = Some(match taken {
                None => flag,
                Some(previous) => body.value(format_args!("and i1 {previous}, {flag}")),
            });
        }
        let take = body.block("take");
        let next = body.block("next");
        match &taken {
            Some(flag) => body.line(format_args!("br i1 {flag}, label %{take}, label %{next}")),
            None => body.line(format_args!("br label %{take}")),
        }
        body.label(&take);
        // Every new value from the state before the handler, stored as its
        // variable's type (`k = k + 1` of a KIRQL wraps at 256), as the
        // interpreter stores it.
        let mut computed = Vec::new();
        for (id, value) in &path.updates {
            let value = expr::expression(&mut body, value, &operands);
            let value = expr::convert(&mut body, automaton.variables[*id].ty.int, value);
            computed.push((*id, value));
        }
        // Whether the path changes the instance (a `watch` rule's instance
        // then belongs to the event's thread): it ends the instance, or a
        // variable gets another value.
        let mut changed = if path.end == End::Done {
            "false".to_string()
        } else {
            "true".to_string()
        };
        for (id, value) in computed {
            if path.end == End::Done {
                let differs = body.value(format_args!("icmp ne i64 {value}, {}", variables[id]));
                changed = if changed == "false" {
                    differs
                } else {
                    body.value(format_args!("or i1 {changed}, {differs}"))
                };
            }
            let pointer = names.variable(&mut body, "%s", names.own_index(id));
            body.line(format_args!(
                "store i64 {value}, {} {pointer}",
                context.target.ptr("i64")
            ));
        }
        match path.end {
            End::Done => {}
            End::Halt => {
                let status = names.field(&mut body, "%s", STATUS);
                body.line(format_args!(
                    "store i8 {HALTED}, {} {status}",
                    context.target.ptr("i8")
                ));
            }
            End::Abort(abort) => {
                let status = names.field(&mut body, "%s", STATUS);
                body.line(format_args!(
                    "store i8 {FAILED}, {} {status}",
                    context.target.ptr("i8")
                ));
                // Atomic: a thread placing another object reads it.
                let target = context.target;
                let object_field = names.field(&mut body, "%s", OBJECT);
                let mut object = body.value(format_args!(
                    "load atomic {ip}, {} {object_field} monotonic, align {}",
                    target.ptr(&target.intptr()),
                    target.pointer_bits / 8,
                    ip = target.intptr(),
                ));
                if target.pointer_bits < 64 {
                    object = body.value(format_args!("zext {} {object} to i64", target.intptr()));
                }
                let message = &automaton.aborts[abort].message;
                let location = &automaton.aborts[abort].location;
                body.line(format_args!(
                    "call void {}(i32 {VIOLATION}, {}, i32 {}, i32 {}, {}, {}, {} %event, {} %site, i64 {object}) nounwind",
                    context.runtime("violation"),
                    context.string_operand(&names.symbol("name"), &automaton.name),
                    u8::from(automaton.rule_id.is_some()),
                    automaton.rule_id.unwrap_or(0) as i32,
                    context.string_operand(&names.symbol(&format!("message.{abort}")), message),
                    context.string_operand(&names.symbol(&format!("location.{abort}")), location),
                    context.target.ptr("i8"),
                    context.site_pointer(),
                ));
            }
        }
        // 0 if it changed nothing, else what it left the instance as
        // (`monitor::initial::Outcome`, as the C monitor's handlers).
        let outcome = path_outcome(automaton, path).code();
        let returned = match changed.as_str() {
            "true" => outcome.to_string(),
            "false" => "0".to_string(),
            flag => body.value(format_args!("select i1 {flag}, i8 {outcome}, i8 0")),
        };
        body.line(format_args!("ret i8 {returned}"));
        body.label(&next);
    }
    // The paths are exhaustive; this is never reached.
    body.line("ret i8 0");
    let _ = write!(
        out,
        "\ndefine linkonce_odr i8 {}({} %s, {}) nounwind {{\nentry:\n{}}}\n",
        names.symbol(&format!("h{index}")),
        names.state_pointer,
        names.values(),
        body.text
    );
}

/// Calls handler `handler` on the state at `state` if it is live, then
/// goes on at `after`; with `changed`, calls `@P.changed` (or
/// `changed_last`) on the state if the handler changed it (it is then the
/// thread's), with the `i1` that says whether the event has touched no
/// other slot (`SoFar`).
fn run_if_live(
    body: &mut Body,
    names: &Names,
    state: &str,
    handler: usize,
    after: &str,
    changed: Option<(&str, &str)>,
) {
    let byte = names.context.target.ptr("i8");
    let status_field = names.field(body, state, STATUS);
    let status = body.value(format_args!("load i8, {byte} {status_field}"));
    let live = body.value(format_args!("icmp eq i8 {status}, {LIVE}"));
    let run = body.block("run");
    body.line(format_args!("br i1 {live}, label %{run}, label %{after}"));
    body.label(&run);
    let result = body.value(format_args!(
        "call i8 {}({} {state}, {}) nounwind",
        names.symbol(&format!("h{handler}")),
        names.state_pointer,
        names.values()
    ));
    if let Some((changed, alone)) = changed {
        let note = body.block("changed");
        let any = body.value(format_args!("icmp ne i8 {result}, 0"));
        body.line(format_args!("br i1 {any}, label %{note}, label %{after}"));
        body.label(&note);
        let touched = Spelling::new(names).ep;
        // `changed` says whether `changed_last` would drop the instance:
        // not needed here.
        let returns = if changed == "changed" { "i1" } else { "void" };
        let call = format!(
            "call {returns} {}({} {state}, {touched} %touched, i8 {result}, i1 {alone}) nounwind",
            names.symbol(changed),
            names.state_pointer
        );
        if returns == "void" {
            body.line(call);
        } else {
            body.value(call);
        }
    }
    body.line(format_args!("br label %{after}"));
}

/// The function that runs one event of a rule: the event's dispatch plan
/// (`automaton::plan`), printed as IR; a `watch` rule's keeps what it
/// touched (`%touched`) and the entries a walk keeps (`%kept`), and ends
/// with the sweep.
fn event_function(out: &mut String, names: &Names, automaton: &Automaton, event: usize) {
    let steps = own_steps(automaton, event);
    if steps.is_empty() {
        // Only the models handle it: the hook does not call the rule.
        return;
    }
    let mut body = Body::default();
    let sweeps = automaton.sweeps();
    if sweeps {
        let touched = Spelling::new(names);
        body.line(format_args!("%touched = alloca {}", touched.et));
        body.line("%kept = alloca i32");
        body.line(format_args!(
            "call void {}({} %touched) nounwind",
            names.symbol("begin"),
            touched.ep
        ));
    }
    let mut so_far = SoFar::Nothing;
    for (index, &step) in steps.iter().enumerate() {
        plan_step(
            &mut body,
            names,
            step,
            walk_follows(&steps, index),
            &mut so_far,
        );
    }
    if sweeps {
        body.line(format_args!(
            "call void {}({} %touched) nounwind",
            names.symbol("sweep"),
            Spelling::new(names).ep
        ));
    }
    body.line("ret void");
    let _ = write!(
        out,
        "\n; {}\ndefine linkonce_odr void {}({}) nounwind alwaysinline {{\nentry:\n{}}}\n",
        automaton.events[event].event,
        names.symbol(&format!("e{event}")),
        names.values(),
        body.text
    );
}

/// What the steps of an event so far have done with the table, as far as
/// a later step can count on it.
enum SoFar {
    /// No step has selected a slot or walked: a guarded handler's slot is
    /// the only one the event can have touched.
    Nothing,
    /// The watched event's step selected a slot.
    Selected(Selected),
    /// Anything else.
    Unknown,
}

/// The instance the watched event's step (`Step::Create`) selected, while
/// nothing since can have changed which instance that is: a guarded
/// handler on the same object then runs on it without selecting it again,
/// and it is the only slot the event has touched.
///
/// Selecting it again would give the same slot by `select`'s remembered
/// path (the same object, the slot the event selected, which the thread
/// still works on) and find its instance existing (the step created it or
/// found it, and no other thread can drop it while this one works on its
/// slot), storing only what the event keeps already. A walk of the
/// thread's instances enters other slots, so only walks left out keep it.
struct Selected {
    argument: u32,
    /// The slot (null if the table was full: then it is selected again).
    state: String,
    /// An `i1`: whether every walk since was left out.
    untouched: String,
}

/// One step of a plan: the thread's state, or instances of the table
/// (`runtime_step` in the C monitor). A changed instance is noted
/// (`changed`), or, where no later step walks the thread's instances,
/// settled at once (`changed_last`). The thread stays on the slot it
/// entered until the next one or the sweep.
fn plan_step(body: &mut Body, names: &Names, step: Step, walk_follows: bool, so_far: &mut SoFar) {
    let context = names.context;
    let select = format!("{} {}", names.state_pointer, names.symbol("select"));
    let intptr = context.target.intptr();
    let touched = format!("{} %touched", Spelling::new(names).ep);
    let changed = if walk_follows {
        "changed"
    } else {
        "changed_last"
    };
    let (handler, on) = match step {
        Step::Create(argument) => {
            let key = names.object_key(body, &format!("%a{argument}"));
            let state = body.value(format_args!(
                "call {select}({intptr} {key}, {touched}) nounwind"
            ));
            *so_far = SoFar::Selected(Selected {
                argument,
                state,
                untouched: "true".to_string(),
            });
            return;
        }
        Step::Run { handler, on } => (handler, on),
    };
    let next = body.block("next");
    match on {
        Instances::Only => {
            run_if_live(body, names, &names.symbol("state"), handler, &next, None);
        }
        Instances::Object(argument) => {
            // The handler may change or drop the instance: a later step
            // selects it again, and counts on nothing.
            let (alone, selected) = match std::mem::replace(so_far, SoFar::Unknown) {
                SoFar::Nothing => ("true".to_string(), None),
                SoFar::Selected(kept) if kept.argument == argument => {
                    (kept.untouched.clone(), Some(kept))
                }
                _ => ("false".to_string(), None),
            };
            let state = object_state(body, names, argument, selected);
            let found = body.value(format_args!(
                "icmp ne {} {state}, null",
                names.state_pointer
            ));
            let check = body.block("check");
            let done = body.block("done");
            body.line(format_args!("br i1 {found}, label %{check}, label %{next}"));
            body.label(&check);
            run_if_live(body, names, &state, handler, &done, Some((changed, &alone)));
            body.label(&done);
            body.line(format_args!("br label %{next}"));
        }
        Instances::Every => {
            // The instances the thread holds, as its list has them when the
            // handler starts (`SLIC_EACH_HELD`); the entries of instances
            // no longer the thread's are dropped, the rest kept in order.
            let start = body.block("start");
            let head = body.block("loop");
            let inside = body.block("inside");
            let done = body.block("done");
            let step = body.block("step");
            let end = body.block("walked");
            let kept = context.target.ptr("i32");
            let handler_code = &names.automaton.handlers[handler];
            let gated = inert_on_initial(names.automaton, handler_code);
            if !gated || matches!(so_far, SoFar::Nothing) {
                *so_far = SoFar::Unknown;
            }
            // Where the walk is left out, the event's selection stays: the
            // way past it has a block of its own, for the phi that says so.
            let skip = match so_far {
                SoFar::Selected(_) => body.block("skip"),
                _ => next.clone(),
            };
            if gated {
                // Left out when the thread holds only the instance the
                // event created (`walk_needed`).
                let needed = body.value(format_args!(
                    "call i1 {}({touched}) nounwind",
                    names.symbol("walk_needed")
                ));
                // Rare: the walk's code stays out of the common path's
                // registers.
                let expected = body.value(format_args!(
                    "call i1 {}(i1 {needed}, i1 false)",
                    context.function_ref(EXPECT, "i1", &["i1", "i1"])
                ));
                body.line(format_args!(
                    "br i1 {expected}, label %{start}, label %{skip}"
                ));
                if skip != next {
                    body.label(&skip);
                    body.line(format_args!("br label %{next}"));
                }
            } else {
                body.line(format_args!("br label %{start}"));
            }
            body.label(&start);
            let count = instances::mine_count(body, names);
            body.line(format_args!("store i32 0, {kept} %kept"));
            body.line(format_args!("br label %{head}"));
            body.label(&head);
            let index = body.block("%i");
            let increment = body.block("%i");
            body.line(format_args!(
                "{index} = phi i32 [ 0, %{start} ], [ {increment}, %{step} ]"
            ));
            let more = body.value(format_args!("icmp ult i32 {index}, {count}"));
            let visit = body.block("visit");
            body.line(format_args!("br i1 {more}, label %{visit}, label %{end}"));
            body.label(&visit);
            let slot = body.value(format_args!(
                "call {} {}(i32 {index}, {kept} %kept, {touched}) nounwind",
                names.state_pointer,
                names.symbol("enter_held")
            ));
            let held = body.value(format_args!("icmp ne {} {slot}, null", names.state_pointer));
            body.line(format_args!("br i1 {held}, label %{inside}, label %{step}"));
            body.label(&inside);
            run_if_live(body, names, &slot, handler, &done, Some((changed, "false")));
            body.label(&done);
            body.line(format_args!("br label %{step}"));
            body.label(&step);
            body.line(format_args!("{increment} = add i32 {index}, 1"));
            body.line(format_args!("br label %{head}"));
            body.label(&end);
            body.line(format_args!(
                "call void {}(i32 {count}, {kept} %kept) nounwind",
                names.symbol("walked")
            ));
            body.line(format_args!("br label %{next}"));
            body.label(&next);
            if let SoFar::Selected(kept) = so_far {
                kept.untouched = body.value(format_args!(
                    "phi i1 [ {}, %{skip} ], [ false, %{end} ]",
                    kept.untouched
                ));
            }
            return;
        }
    }
    body.label(&next);
}

/// The slot of the object in argument `argument` for a guarded handler:
/// the one the watched event selected, if it is the same object and every
/// walk since was left out (`Selected`), otherwise selected now.
fn object_state(
    body: &mut Body,
    names: &Names,
    argument: u32,
    selected: Option<Selected>,
) -> String {
    let select = format!("{} {}", names.state_pointer, names.symbol("select"));
    let intptr = names.context.target.intptr();
    let touched = format!("{} %touched", Spelling::new(names).ep);
    let Some(kept) = selected.filter(|s| s.argument == argument) else {
        let key = names.object_key(body, &format!("%a{argument}"));
        return body.value(format_args!(
            "call {select}({intptr} {key}, {touched}) nounwind"
        ));
    };
    let again = body.block("select");
    let reused = body.block("reused");
    let chosen = body.block("chosen");
    let present = body.value(format_args!(
        "icmp ne {} {}, null",
        names.state_pointer, kept.state
    ));
    let reuse = if kept.untouched == "true" {
        present
    } else {
        body.value(format_args!("and i1 {}, {present}", kept.untouched))
    };
    body.line(format_args!(
        "br i1 {reuse}, label %{reused}, label %{again}"
    ));
    body.label(&again);
    let key = names.object_key(body, &format!("%a{argument}"));
    let fresh = body.value(format_args!(
        "call {select}({intptr} {key}, {touched}) nounwind"
    ));
    body.line(format_args!("br label %{chosen}"));
    body.label(&reused);
    body.line(format_args!("br label %{chosen}"));
    body.label(&chosen);
    body.value(format_args!(
        "phi {} [ {fresh}, %{again} ], [ {}, %{reused} ]",
        names.state_pointer, kept.state
    ))
}
