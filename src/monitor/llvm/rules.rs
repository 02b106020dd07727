//! One rule of the monitor as IR: its state, its handlers, and one
//! function per event that runs the handlers on the right instances.
//!
//! The semantics are the C monitor's (`src/monitor/c/`, runtime
//! flavour), which are the interpreter's (`src/interp.rs`): per-thread
//! state for rules without `watch`; for `watch` rules a dense table of
//! `SLIC_MAX_OBJECTS` (1024) instances per thread, in thread-local storage
//! (so no lock), each of one object and one thread (a thread sees its own
//! lock discipline; the thread is kept as the C monitor keeps it), where the
//! watched event and guarded handlers create the current thread's instance
//! of an object, unguarded handlers run on the current thread's live
//! instances, and after each event every live instance back in its initial
//! state is dropped. A handler that aborts
//! leaves its instance failed (it reports once); one that halts leaves it
//! halted.
//!
//! Every symbol of a rule is named `slic.<Rule>.<hash>`, the hash taken
//! over the rule's generated code: modules woven with the same rule share
//! its state when linked (`linkonce_odr` keeps one copy), and a different
//! rule (or a different version of it) never collides with it.

use std::fmt::Write;

use super::body::{Body, Value};
use super::expr::{self, Operands};
use super::{Context, string_constant};
use crate::automaton::plan::{Instances, Step};
use crate::automaton::{Automaton, End, Handler};
use crate::hash::fnv;
use crate::monitor::abi::{FAILED, HALTED, LIVE, MAX_OBJECTS, VIOLATION};
use crate::monitor::hooks::HookSet;

/// Fields of an instance.
const OBJECT: u32 = 0;
const THREAD: u32 = 1;
const STATUS: u32 = 2;
const VALUES: u32 = 3;

/// The current thread: the address of a thread-local byte, the C
/// monitor's `SLIC_CURRENT_THREAD()` (one symbol for every woven module).
const THREAD_IDENTITY: &str = "@slic.thread";

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

pub fn rule(context: &Context, automaton: &Automaton, hooks: &HookSet) -> RuleCode {
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
    let draft = code(context, automaton, arity, DRAFT_PREFIX);
    // Not the runtime's name: it depends on what the module declares
    // (`fputs`...), and two modules must share a rule's state all the same.
    let identity = draft.replace(context.runtime_prefix(), "slic.rt");
    let prefix = format!("slic.{readable}.{:016x}", fnv(&identity));
    let mut text = format!("; Rule {} ({}).\n", automaton.name, automaton.path);
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
struct Names<'a> {
    context: &'a Context<'a>,
    prefix: &'a str,
    /// `{ i64 object, i64 thread, i64 status, [N x i64] values }`.
    state: String,
    state_pointer: String,
    /// `{ i8 lock, i8 full_reported, i32 count, [1024 x state] }`.
    table: String,
    variables: usize,
    arity: usize,
}

impl Names<'_> {
    fn symbol(&self, suffix: &str) -> String {
        format!("@{}.{suffix}", self.prefix)
    }

    /// The values every handler and event function takes after the state,
    /// as their parameters and as the arguments that pass them on (the
    /// same text): site, event name, arguments, pointees, return value.
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

    /// A pointer to field `field` of the state at `state`.
    fn field(&self, body: &mut Body, state: &str, field: u32) -> String {
        body.value(format_args!(
            "getelementptr inbounds {}, {} {state}, i32 0, i32 {field}",
            self.state, self.state_pointer
        ))
    }

    fn variable(&self, body: &mut Body, state: &str, index: usize) -> String {
        body.value(format_args!(
            "getelementptr inbounds {}, {} {state}, i32 0, i32 3, i32 {index}",
            self.state, self.state_pointer
        ))
    }

    fn table_field(&self, body: &mut Body, field: u32) -> String {
        body.value(format_args!(
            "getelementptr inbounds {}, {} {}, i32 0, i32 {field}",
            self.table,
            self.context.target.ptr(&self.table),
            self.symbol("table")
        ))
    }

    fn slot(&self, body: &mut Body, index: &str) -> String {
        body.value(format_args!(
            "getelementptr inbounds {}, {} {}, i32 0, i32 3, i32 {index}",
            self.table,
            self.context.target.ptr(&self.table),
            self.symbol("table")
        ))
    }

    /// The table key of an object value: `(uintptr_t)` of it, as the C
    /// monitor computes it.
    fn object_key(&self, body: &mut Body, value: &str) -> String {
        let bits = self.context.target.pointer_bits;
        if bits >= 64 {
            return value.to_string();
        }
        let narrow = body.value(format_args!("trunc i64 {value} to i{bits}"));
        body.value(format_args!("zext i{bits} {narrow} to i64"))
    }
}

fn code(context: &Context, automaton: &Automaton, arity: usize, prefix: &str) -> String {
    let variables = automaton.variables.len().max(1);
    let state = format!("{{ i64, i64, i64, [{variables} x i64] }}");
    let names = Names {
        context,
        prefix,
        state_pointer: context.target.ptr(&state),
        table: format!("{{ i8, i8, i32, [{MAX_OBJECTS} x {state}] }}"),
        state,
        variables,
        arity,
    };
    let mut out = String::new();
    let initial = initial_values(automaton, variables);
    if automaton.watch.is_some() {
        let _ = writeln!(
            out,
            "{} = linkonce_odr thread_local global {} zeroinitializer",
            names.symbol("table"),
            names.table
        );
        table_functions(&mut out, &names, automaton, &initial);
    } else {
        let _ = writeln!(
            out,
            "{} = linkonce_odr thread_local global {} {{ i64 0, i64 0, i64 {LIVE}, [{variables} x i64] {initial} }}",
            names.symbol("state"),
            names.state
        );
    }
    for (index, handler) in automaton.handlers.iter().enumerate() {
        handler_function(&mut out, &names, automaton, index, handler);
    }
    for event in 0..automaton.events.len() {
        event_function(&mut out, &names, automaton, event);
    }
    out
}

/// The current thread, as an `i64`.
fn current_thread(body: &mut Body, names: &Names) -> String {
    body.value(format_args!(
        "ptrtoint {} {THREAD_IDENTITY} to i64",
        names.context.target.ptr("i8")
    ))
}

fn initial_values(automaton: &Automaton, count: usize) -> String {
    let mut values: Vec<String> = automaton
        .initial()
        .iter()
        .map(|v| format!("i64 {v}"))
        .collect();
    values.resize(count, "i64 0".to_string());
    format!("[{}]", values.join(", "))
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
        let pointer = names.variable(&mut body, "%s", id);
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
        let mut computed = Vec::new();
        for (id, value) in &path.updates {
            let value = expr::expression(&mut body, value, &operands);
            computed.push((*id, value));
        }
        for (id, value) in computed {
            let value = expr::convert(&mut body, automaton.variables[id].ty.int, value);
            let pointer = names.variable(&mut body, "%s", id);
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
                    "store i64 {HALTED}, {} {status}",
                    context.target.ptr("i64")
                ));
            }
            End::Abort(abort) => {
                let status = names.field(&mut body, "%s", STATUS);
                body.line(format_args!(
                    "store i64 {FAILED}, {} {status}",
                    context.target.ptr("i64")
                ));
                let object_field = names.field(&mut body, "%s", OBJECT);
                let object = body.value(format_args!(
                    "load i64, {} {object_field}",
                    context.target.ptr("i64")
                ));
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
        body.line("ret void");
        body.label(&next);
    }
    // The paths are exhaustive; this is never reached.
    body.line("ret void");
    let _ = write!(
        out,
        "\ndefine linkonce_odr void {}({} %s, {}) nounwind {{\nentry:\n{}}}\n",
        names.symbol(&format!("h{index}")),
        names.state_pointer,
        names.values(),
        body.text
    );
}

/// Calls handler `handler` on the state at `state` if it is live (and, with
/// `thread`, belongs to that thread).
fn run_if_live(
    body: &mut Body,
    names: &Names,
    state: &str,
    handler: usize,
    after: &str,
    thread: Option<&str>,
) {
    let status_field = names.field(body, state, STATUS);
    let status = body.value(format_args!(
        "load i64, {} {status_field}",
        names.context.target.ptr("i64")
    ));
    let mut live = body.value(format_args!("icmp eq i64 {status}, {LIVE}"));
    if let Some(thread) = thread {
        let owner_field = names.field(body, state, THREAD);
        let owner = body.value(format_args!(
            "load i64, {} {owner_field}",
            names.context.target.ptr("i64")
        ));
        let mine = body.value(format_args!("icmp eq i64 {owner}, {thread}"));
        live = body.value(format_args!("and i1 {live}, {mine}"));
    }
    let run = body.block("run");
    body.line(format_args!("br i1 {live}, label %{run}, label %{after}"));
    body.label(&run);
    body.line(format_args!(
        "call void {}({} {state}, {}) nounwind",
        names.symbol(&format!("h{handler}")),
        names.state_pointer,
        names.values()
    ));
    body.line(format_args!("br label %{after}"));
}

/// The function that runs one event of a rule: the event's dispatch plan
/// (`automaton::plan`), printed as IR.
fn event_function(out: &mut String, names: &Names, automaton: &Automaton, event: usize) {
    let mut body = Body::default();
    let watched = automaton.watch.is_some();
    if watched {
        body.line(format_args!(
            "call void {}() nounwind",
            names.symbol("lock")
        ));
    }
    for step in automaton.plan(event) {
        plan_step(&mut body, names, step);
    }
    if watched {
        body.line(format_args!(
            "call void {}() nounwind",
            names.symbol("sweep")
        ));
        body.line(format_args!(
            "call void {}() nounwind",
            names.symbol("unlock")
        ));
    }
    body.line("ret void");
    let _ = write!(
        out,
        "\n; {}\ndefine linkonce_odr void {}({}) nounwind {{\nentry:\n{}}}\n",
        automaton.events[event].event,
        names.symbol(&format!("e{event}")),
        names.values(),
        body.text
    );
}

/// One step of a plan: the thread's state, or instances of the table.
fn plan_step(body: &mut Body, names: &Names, step: Step) {
    let context = names.context;
    let find = format!("{} {}", names.state_pointer, names.symbol("find"));
    let (handler, on) = match step {
        Step::Create(argument) => {
            let key = names.object_key(body, &format!("%a{argument}"));
            body.value(format_args!("call {find}(i64 {key}, i1 true) nounwind"));
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
            let key = names.object_key(body, &format!("%a{argument}"));
            let state = body.value(format_args!("call {find}(i64 {key}, i1 true) nounwind"));
            let found = body.value(format_args!(
                "icmp ne {} {state}, null",
                names.state_pointer
            ));
            let check = body.block("check");
            body.line(format_args!("br i1 {found}, label %{check}, label %{next}"));
            body.label(&check);
            run_if_live(body, names, &state, handler, &next, None);
        }
        Instances::Every => {
            // Every instance that exists before the handler runs.
            let start = body.block("start");
            let head = body.block("loop");
            let visit = body.block("visit");
            let step = body.block("step");
            body.line(format_args!("br label %{start}"));
            body.label(&start);
            let count_field = names.table_field(body, 2);
            let count = body.value(format_args!(
                "load i32, {} {count_field}",
                context.target.ptr("i32")
            ));
            body.line(format_args!("br label %{head}"));
            body.label(&head);
            let index = body.block("%i");
            let increment = body.block("%i");
            body.line(format_args!(
                "{index} = phi i32 [ 0, %{start} ], [ {increment}, %{step} ]"
            ));
            let more = body.value(format_args!("icmp ult i32 {index}, {count}"));
            body.line(format_args!("br i1 {more}, label %{visit}, label %{next}"));
            body.label(&visit);
            let slot = names.slot(body, &index);
            let thread = current_thread(body, names);
            run_if_live(body, names, &slot, handler, &step, Some(&thread));
            body.label(&step);
            body.line(format_args!("{increment} = add i32 {index}, 1"));
            body.line(format_args!("br label %{head}"));
        }
    }
    body.label(&next);
}

/// The table's lock, lookup and sweep (see `SLIC_TABLE` in the C monitor).
/// The table is the thread's own, as in the C monitor in user mode: the
/// lock and unlock are empty, and the optimiser removes their calls.
fn table_functions(out: &mut String, names: &Names, automaton: &Automaton, initial: &str) {
    let context = names.context;
    let byte_pointer = context.target.ptr("i8");
    let _ = write!(
        out,
        "
define linkonce_odr void {lock}() nounwind {{
entry:
  ret void
}}

define linkonce_odr void {unlock}() nounwind {{
entry:
  ret void
}}
",
        lock = names.symbol("lock"),
        unlock = names.symbol("unlock"),
    );

    // find(object, create): the current thread's instance of an object,
    // made if asked.
    let mut body = Body::default();
    let thread = current_thread(&mut body, names);
    let count_field = names.table_field(&mut body, 2);
    let count = body.value(format_args!(
        "load i32, {} {count_field}",
        context.target.ptr("i32")
    ));
    body.line("br label %loop");
    body.label("loop");
    body.line("%i = phi i32 [ 0, %entry ], [ %i.next, %next ]");
    let more = body.value(format_args!("icmp ult i32 %i, {count}"));
    body.line(format_args!("br i1 {more}, label %visit, label %missing"));
    body.label("visit");
    let slot = names.slot(&mut body, "%i");
    let object_field = names.field(&mut body, &slot, OBJECT);
    let object = body.value(format_args!(
        "load i64, {} {object_field}",
        context.target.ptr("i64")
    ));
    let same_object = body.value(format_args!("icmp eq i64 {object}, %object"));
    let owner_field = names.field(&mut body, &slot, THREAD);
    let owner = body.value(format_args!(
        "load i64, {} {owner_field}",
        context.target.ptr("i64")
    ));
    let same_thread = body.value(format_args!("icmp eq i64 {owner}, {thread}"));
    let hit = body.value(format_args!("and i1 {same_object}, {same_thread}"));
    body.line(format_args!("br i1 {hit}, label %found, label %next"));
    body.label("found");
    body.line(format_args!("ret {} {slot}", names.state_pointer));
    body.label("next");
    body.line("%i.next = add i32 %i, 1");
    body.line("br label %loop");
    body.label("missing");
    body.line("br i1 %create, label %make, label %none");
    body.label("none");
    body.line(format_args!("ret {} null", names.state_pointer));
    body.label("make");
    let full = body.value(format_args!("icmp eq i32 {count}, {MAX_OBJECTS}"));
    body.line(format_args!("br i1 {full}, label %full, label %add"));
    body.label("full");
    let reported_field = names.table_field(&mut body, 1);
    let reported = body.value(format_args!("load i8, {byte_pointer} {reported_field}"));
    let already = body.value(format_args!("icmp ne i8 {reported}, 0"));
    body.line(format_args!("br i1 {already}, label %none, label %report"));
    body.label("report");
    body.line(format_args!("store i8 1, {byte_pointer} {reported_field}"));
    body.line(format_args!(
        "call void {}({}, i32 {}, i32 {}, i64 %object) nounwind",
        context.runtime("table_full"),
        context.string_operand(&names.symbol("name"), &automaton.name),
        u8::from(automaton.rule_id.is_some()),
        automaton.rule_id.unwrap_or(0) as i32,
    ));
    body.line("br label %none");
    body.label("add");
    let added = names.slot(&mut body, &count);
    let grown = body.value(format_args!("add i32 {count}, 1"));
    body.line(format_args!(
        "store i32 {grown}, {} {count_field}",
        context.target.ptr("i32")
    ));
    let object_field = names.field(&mut body, &added, OBJECT);
    body.line(format_args!(
        "store i64 %object, {} {object_field}",
        context.target.ptr("i64")
    ));
    let thread_field = names.field(&mut body, &added, THREAD);
    body.line(format_args!(
        "store i64 {thread}, {} {thread_field}",
        context.target.ptr("i64")
    ));
    let status_field = names.field(&mut body, &added, STATUS);
    body.line(format_args!(
        "store i64 {LIVE}, {} {status_field}",
        context.target.ptr("i64")
    ));
    let values_field = names.field(&mut body, &added, VALUES);
    let values = format!("[{} x i64]", names.variables);
    body.line(format_args!(
        "store {values} {initial}, {} {values_field}",
        context.target.ptr(&values)
    ));
    body.line(format_args!("ret {} {added}", names.state_pointer));
    let _ = write!(
        out,
        "\ndefine linkonce_odr {} {}(i64 %object, i1 %create) nounwind {{\nentry:\n{}}}\n",
        names.state_pointer,
        names.symbol("find"),
        body.text
    );

    // sweep(): drop every live instance back in its initial state, by
    // moving the last slot into its place.
    let mut body = Body::default();
    body.line("br label %loop");
    body.label("loop");
    body.line("%i = phi i32 [ 0, %entry ], [ %i, %remove ], [ %i.next, %keep ]");
    let count_field = names.table_field(&mut body, 2);
    let count = body.value(format_args!(
        "load i32, {} {count_field}",
        context.target.ptr("i32")
    ));
    let more = body.value(format_args!("icmp ult i32 %i, {count}"));
    body.line(format_args!("br i1 {more}, label %visit, label %done"));
    body.label("visit");
    let slot = names.slot(&mut body, "%i");
    let status_field = names.field(&mut body, &slot, STATUS);
    let status = body.value(format_args!(
        "load i64, {} {status_field}",
        context.target.ptr("i64")
    ));
    let mut initial_state = body.value(format_args!("icmp eq i64 {status}, {LIVE}"));
    let values = automaton.initial();
    for (index, value) in values.iter().enumerate() {
        let pointer = names.variable(&mut body, &slot, index);
        let current = body.value(format_args!(
            "load i64, {} {pointer}",
            context.target.ptr("i64")
        ));
        let same = body.value(format_args!("icmp eq i64 {current}, {value}"));
        initial_state = body.value(format_args!("and i1 {initial_state}, {same}"));
    }
    body.line(format_args!(
        "br i1 {initial_state}, label %remove, label %keep"
    ));
    body.label("remove");
    let last_index = body.value(format_args!("sub i32 {count}, 1"));
    body.line(format_args!(
        "store i32 {last_index}, {} {count_field}",
        context.target.ptr("i32")
    ));
    let last = names.slot(&mut body, &last_index);
    let moved = body.value(format_args!(
        "load {}, {} {last}",
        names.state, names.state_pointer
    ));
    body.line(format_args!(
        "store {} {moved}, {} {slot}",
        names.state, names.state_pointer
    ));
    body.line("br label %loop");
    body.label("keep");
    body.line("%i.next = add i32 %i, 1");
    body.line("br label %loop");
    body.label("done");
    body.line("ret void");
    let _ = write!(
        out,
        "\ndefine linkonce_odr void {}() nounwind {{\nentry:\n{}}}\n",
        names.symbol("sweep"),
        body.text
    );
}
