//! The instances of a `watch` rule as IR: the C monitor's object table
//! (`src/monitor/c/runtime/object_table.h`, user mode), with the same
//! layout, hash, probe, placement, ownership protocol and sweep. Read that
//! header's comment for the design; this file says only where the IR
//! differs in form.
//!
//! - A rule's table is `@P.table = { i8 insert_lock, i8 full_reported,
//!   [TABLE_SLOTS x state] }`, shared by all threads; a slot is the rule's
//!   state, `{ { iP object, iP owner, iP holder, i8 status, i8 exists },
//!   [N x i64] }` (`struct slic_slot`, then the values): `owner` is the
//!   thread working on the slot, `holder` the thread the instance belongs
//!   to (it created it or last changed it).
//! - The thread's part of the protocol (`slic_me`, the slot it works on,
//!   whose address names the thread in `owner` and `holder`) and the list
//!   of the slots it holds (`slic_mine`) are thread-local globals
//!   of the rule (`@P.me`, `@P.mine`), as is nothing else; the barrier mode
//!   and its lock are the rule's too (`@P.barrier`, `@P.barrier.lock`), so
//!   every symbol of the protocol is named after the hash of the code that
//!   uses it, and modules woven apart share a rule's table and protocol
//!   (but not the C monitor's: the two never share rule state).
//! - The process-wide barrier is the runtime's (`barrier_functions`):
//!   `membarrier` through `syscall` on Linux (after registering once),
//!   `FlushProcessWriteBuffers` on Windows; elsewhere every thread fences.
//! - Every access another thread may make at the same time is atomic
//!   (`object`, `owner`, `exists`, `busy`, the locks, the mode), so that
//!   ThreadSanitizer sees the hand-over; `holder`, status and values are
//!   the owner's. The compiler barrier is `fence syncscope("singlethread")`.
//! - The common case of `select` and `enter` (the object in its first slot,
//!   a slot this thread owns) is inline; the rest is out of line and does
//!   the whole of the C function from its start.

use std::fmt::Write;

use super::body::Body;
use super::rules::Names;
use super::{Context, External};
use crate::monitor::abi::{HASH_MULTIPLIER, LIVE, MAX_OBJECTS, TABLE_SLOTS};

/// `@P.barrier`: not decided yet, a taker runs the process-wide barrier,
/// or every thread fences (`SLIC_BARRIER_*`).
const BARRIER_UNDECIDED: u32 = 0;
const BARRIER_PROCESS: u32 = 1;
const BARRIER_FENCE: u32 = 2;

/// Linux's `membarrier` commands.
const MEMBARRIER_PRIVATE_EXPEDITED: u32 = 8;
const MEMBARRIER_REGISTER_PRIVATE_EXPEDITED: u32 = 16;

/// Fields of a slot's head (`struct slic_slot`).
pub const OBJECT: u32 = 0;
pub const OWNER: u32 = 1;
pub const HOLDER: u32 = 2;
pub const STATUS: u32 = 3;
pub const EXISTS: u32 = 4;

/// The number of `membarrier` on a Linux target, if slic knows it.
fn membarrier_syscall(triple: &str) -> Option<u32> {
    if !triple.contains("linux") || triple.ends_with("x32") {
        return None;
    }
    let arch = triple.split('-').next().unwrap_or("");
    match arch {
        "x86_64" | "amd64" => Some(324),
        "i386" | "i486" | "i586" | "i686" | "x86" => Some(375),
        "aarch64" | "arm64" | "riscv64" | "riscv32" => Some(283),
        _ if arch.starts_with("arm") || arch.starts_with("thumb") => Some(389),
        _ => None,
    }
}

/// The runtime's process-wide barrier (`slic_process_barrier_available`,
/// `slic_process_barrier`): `@rt.barrier_available()` registers the
/// process where it must and says whether `@rt.process_barrier()` works.
pub fn barrier_functions(context: &Context, externals: &mut Vec<External>) -> String {
    let target = context.target;
    let long = target.intptr();
    let (available, barrier) = if let Some(number) = membarrier_syscall(&target.triple) {
        let syscall = context.external(externals, "syscall", &long, &[&long, "..."]);
        let call = |command: u32| {
            format!(
                "call {long} ({long}, ...) {syscall}({long} {number}, {long} {command}, {long} 0, {long} 0) nounwind"
            )
        };
        (
            format!(
                "  %result = {}\n  %registered = icmp eq {long} %result, 0\n  ret i1 %registered\n",
                call(MEMBARRIER_REGISTER_PRIVATE_EXPEDITED)
            ),
            format!(
                "  %ignored = {}\n  ret void\n",
                call(MEMBARRIER_PRIVATE_EXPEDITED)
            ),
        )
    } else if target.is_windows() {
        // A `__stdcall` function of kernel32, decorated on i686 as clang
        // decorates it (see `llvm::names`).
        let (name, convention) = if target.pointer_bits == 32 {
            ("\u{1}_FlushProcessWriteBuffers@0", "x86_stdcallcc ")
        } else {
            ("FlushProcessWriteBuffers", "")
        };
        let flush = context.external_with(
            externals,
            name,
            "void",
            &[],
            &format!("dllimport {convention}"),
        );
        (
            "  ret i1 true\n".to_string(),
            format!("  call {convention}void {flush}() nounwind\n  ret void\n"),
        )
    } else {
        ("  ret i1 false\n".to_string(), "  ret void\n".to_string())
    };
    format!(
        "\ndefine linkonce_odr i1 {}() nounwind {{\nentry:\n{available}}}\n\
         \ndefine linkonce_odr void {}() nounwind {{\nentry:\n{barrier}}}\n",
        context.runtime("barrier_available"),
        context.runtime("process_barrier"),
    )
}

/// The types and symbols every function of the table spells.
struct Spelling {
    /// `iP`, its alignment, a pointer to it.
    ip: String,
    align: u32,
    ipp: String,
    bp: String,
    i64p: String,
    st: String,
    sp: String,
    tt: String,
    tp: String,
    mt: String,
    mp: String,
    table: String,
    me: String,
    mine: String,
    mode: String,
    mode_lock: String,
}

impl Spelling {
    fn new(names: &Names) -> Spelling {
        let target = names.context.target;
        let tt = format!("{{ i8, i8, [{TABLE_SLOTS} x {}] }}", names.state);
        let mt = format!("{{ i32, [{MAX_OBJECTS} x i32] }}");
        Spelling {
            ip: target.intptr(),
            align: target.pointer_bits / 8,
            ipp: target.ptr(&target.intptr()),
            bp: target.ptr("i8"),
            i64p: target.ptr("i64"),
            st: names.state.clone(),
            sp: names.state_pointer.clone(),
            tp: target.ptr(&tt),
            tt,
            mp: target.ptr(&mt),
            mt,
            table: names.symbol("table"),
            me: names.symbol("me"),
            mine: names.symbol("mine"),
            mode: names.symbol("barrier"),
            mode_lock: names.symbol("barrier.lock"),
        }
    }

    /// `%{name} = getelementptr` to slot `index` (an `i32`).
    fn slot(&self, name: &str, index: &str) -> String {
        format!(
            "%{name} = getelementptr inbounds {}, {} {}, i32 0, i32 2, i32 {index}",
            self.tt, self.tp, self.table
        )
    }

    /// `%{name} = getelementptr` to field `field` of the head of `slot`.
    fn head(&self, name: &str, slot: &str, field: u32) -> String {
        format!(
            "%{name} = getelementptr inbounds {}, {} {slot}, i32 0, i32 0, i32 {field}",
            self.st, self.sp
        )
    }

    /// Whether the slot at `slot` is in the initial state
    /// (`slic_is_initial`): live, and every value its initial one. Writes
    /// the instructions to `out`; returns the `i1`.
    fn is_initial(&self, out: &mut String, name: &str, slot: &str, initial: &[i64]) -> String {
        let _ = writeln!(
            out,
            "  {}",
            self.head(&format!("{name}.status.at"), slot, STATUS)
        );
        let _ = writeln!(
            out,
            "  %{name}.status = load i8, {} %{name}.status.at\n  %{name}.0 = icmp eq i8 %{name}.status, {LIVE}",
            self.bp
        );
        for (index, value) in initial.iter().enumerate() {
            let _ = writeln!(
                out,
                "  %{name}.value.at.{index} = getelementptr inbounds {}, {} {slot}, i32 0, i32 1, i32 {index}\n  \
                 %{name}.value.{index} = load i64, {} %{name}.value.at.{index}\n  \
                 %{name}.same.{index} = icmp eq i64 %{name}.value.{index}, {value}\n  \
                 %{name}.{} = and i1 %{name}.{index}, %{name}.same.{index}",
                self.st,
                self.sp,
                self.i64p,
                index + 1
            );
        }
        format!("%{name}.{}", initial.len())
    }
}

/// The table of one `watch` rule and its functions: `select`, `changed`,
/// `enter_held`, `sweep` for the event functions (and `leave`, an
/// instruction), and what they call.
pub fn table(out: &mut String, names: &Names, initial: &[i64], initial_text: &str) {
    let s = Spelling::new(names);
    let Spelling {
        ip,
        align,
        tt,
        mt,
        table,
        me,
        mine,
        mode,
        mode_lock,
        ..
    } = &s;
    let _ = write!(
        out,
        "{table} = linkonce_odr global {tt} zeroinitializer\n\
         {me} = linkonce_odr thread_local global {ip} 0, align {align}\n\
         {mine} = linkonce_odr thread_local global {mt} zeroinitializer\n\
         {mode} = linkonce_odr global {ip} {BARRIER_UNDECIDED}, align {align}\n\
         {mode_lock} = linkonce_odr global i8 0\n"
    );
    decide(out, names, &s);
    enter(out, names, &s);
    enter_slow(out, names, &s);
    note(out, names, &s);
    enter_held(out, names, &s);
    changed(out, names, &s);
    probe(out, names, &s);
    full(out, names, &s);
    place(out, names, &s);
    select(out, names, &s, initial_text);
    select_slow(out, names, &s, initial_text);
    sweep(out, names, &s, initial);
}

/// `slic_decide_barrier`: the mode, chosen under a lock by the first
/// thread that asks.
fn decide(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        bp,
        mode,
        mode_lock,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr {ip} {name}() nounwind {{
entry:
  br label %lock
lock:
  %held = atomicrmw xchg {bp} {mode_lock}, i8 1 acquire
  %busy = icmp ne i8 %held, 0
  br i1 %busy, label %lock, label %locked
locked:
  %mode = load atomic {ip}, {ipp} {mode} monotonic, align {align}
  %undecided = icmp eq {ip} %mode, {BARRIER_UNDECIDED}
  br i1 %undecided, label %choose, label %unlock
choose:
  %available = call i1 {available}() nounwind
  %chosen = select i1 %available, {ip} {BARRIER_PROCESS}, {ip} {BARRIER_FENCE}
  store atomic {ip} %chosen, {ipp} {mode} release, align {align}
  br label %unlock
unlock:
  %result = phi {ip} [ %mode, %locked ], [ %chosen, %choose ]
  store atomic i8 0, {bp} {mode_lock} release, align 1
  ret {ip} %result
}}
",
        name = names.symbol("decide"),
        available = names.context.runtime("barrier_available"),
    );
}

/// What a thread executes between saying which slot it works on and
/// reading the slot's owner: a fence if the mode says every thread
/// fences, a compiler barrier otherwise. `mode` is an `i1` (fence or not);
/// continues at `%{then}`.
fn owner_fence(block: &str, fence: &str, then: &str) -> String {
    format!(
        "  br i1 {fence}, label %{block}.fence, label %{block}.compiler\n\
         {block}.fence:\n  fence seq_cst\n  br label %{then}\n\
         {block}.compiler:\n  fence syncscope(\"singlethread\") seq_cst\n  br label %{then}\n"
    )
}

/// A pause in a spin-wait loop.
fn pause(names: &Names) -> &'static str {
    let arch = names.context.target.triple.split('-').next().unwrap_or("");
    if arch == "x86_64" || arch == "amd64" || (arch.starts_with('i') && arch.ends_with("86")) {
        "  call void asm sideeffect \"pause\", \"\"() nounwind\n"
    } else {
        "  fence syncscope(\"singlethread\") seq_cst\n"
    }
}

/// `slic_enter`: works on the slot, taking it over if another thread owns
/// it; whether this thread did not own it. Ends with `leave`. Its first
/// round inline, where the thread owns the slot and the mode is decided
/// (almost every event); otherwise `enter.slow`, which starts again.
/// Saying which slot the thread works on and taking it back before a
/// takeover is harmless: a taker only waits while the slot is entered.
fn enter(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        sp,
        me,
        mode,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr i1 {name}({sp} %s) nounwind alwaysinline {{
entry:
  %mode = load atomic {ip}, {ipp} {mode} acquire, align {align}
  %decided = icmp ne {ip} %mode, {BARRIER_UNDECIDED}
  br i1 %decided, label %try, label %slow
try:
  %self = ptrtoint {ipp} {me} to {ip}
  %busy = ptrtoint {sp} %s to {ip}
  store atomic {ip} %busy, {ipp} {me} release, align {align}
  %fence = icmp eq {ip} %mode, {BARRIER_FENCE}
{fence}look:
  {owner_at}
  %owner = load atomic {ip}, {ipp} %owner.at acquire, align {align}
  %mine = icmp eq {ip} %owner, %self
  br i1 %mine, label %done, label %leave
done:
  ret i1 false
leave:
  {leave}
  br label %slow
slow:
  %taken = call i1 {slow}({sp} %s) nounwind
  ret i1 %taken
}}
",
        name = names.symbol("enter"),
        fence = owner_fence("order", "%fence", "look"),
        owner_at = s.head("owner.at", "%s", OWNER),
        leave = leave(names),
        slow = names.symbol("enter.slow"),
    );
}

/// `slic_enter`, the whole of it.
fn enter_slow(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        sp,
        me,
        mode,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr i1 {name}({sp} %s) nounwind noinline {{
entry:
  %self = ptrtoint {ipp} {me} to {ip}
  %key = ptrtoint {sp} %s to {ip}
  {owner_at}
  %mode.seen = load atomic {ip}, {ipp} {mode} acquire, align {align}
  %undecided = icmp eq {ip} %mode.seen, {BARRIER_UNDECIDED}
  br i1 %undecided, label %decide, label %start
decide:
  %mode.decided = call {ip} {decide}() nounwind
  br label %start
start:
  %mode = phi {ip} [ %mode.seen, %entry ], [ %mode.decided, %decide ]
  %fence = icmp eq {ip} %mode, {BARRIER_FENCE}
  %process = icmp eq {ip} %mode, {BARRIER_PROCESS}
  br label %loop
loop:
  %taken = phi i1 [ false, %start ], [ %taken, %lost ], [ true, %took ], [ true, %waited ]
  store atomic {ip} %key, {ipp} {me} release, align {align}
{fence}look:
  %owner = load atomic {ip}, {ipp} %owner.at acquire, align {align}
  %mine = icmp eq {ip} %owner, %self
  br i1 %mine, label %done, label %take
done:
  ret i1 %taken
take:
  store atomic {ip} 0, {ipp} {me} release, align {align}
  %swap = cmpxchg {ipp} %owner.at, {ip} %owner, {ip} %self acq_rel acquire
  %swapped = extractvalue {{ {ip}, i1 }} %swap, 1
  br i1 %swapped, label %took, label %lost
lost:
  br label %loop
took:
  %previous = icmp ne {ip} %owner, 0
  br i1 %previous, label %barrier, label %loop
barrier:
  br i1 %process, label %flush, label %wait.start
flush:
  call void {flush}() nounwind
  br label %wait.start
wait.start:
  %busy.at = inttoptr {ip} %owner to {ipp}
  br label %wait
wait:
  %busy = load atomic {ip}, {ipp} %busy.at acquire, align {align}
  %still = icmp eq {ip} %busy, %key
  br i1 %still, label %pause, label %waited
pause:
{pause}  br label %wait
waited:
  br label %loop
}}
",
        name = names.symbol("enter.slow"),
        owner_at = s.head("owner.at", "%s", OWNER),
        decide = names.symbol("decide"),
        fence = owner_fence("order", "%fence", "look"),
        flush = names.context.runtime("process_barrier"),
        pause = pause(names),
    );
}

/// `slic_enter_held`: enters the slot of entry `i` of the thread's list and
/// returns it if its instance is still the thread's (it exists, and the
/// thread holds it); null, having left it, otherwise.
fn enter_held(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        ipp,
        bp,
        sp,
        mt,
        mp,
        me,
        mine,
        ..
    } = s;
    let i32p = names.context.target.ptr("i32");
    let _ = write!(
        out,
        "
define linkonce_odr {sp} {name}(i32 %i) nounwind alwaysinline {{
entry:
  %index.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 1, i32 %i
  %index = load i32, {i32p} %index.at
  {slot}
  %taken = call i1 {enter}({sp} %s) nounwind
  {exists_at}
  %exists = load atomic i8, {bp} %exists.at monotonic, align 1
  {holder_at}
  %holder = load {ip}, {ipp} %holder.at
  %self = ptrtoint {ipp} {me} to {ip}
  %present = icmp ne i8 %exists, 0
  %ours = icmp eq {ip} %holder, %self
  %held = and i1 %present, %ours
  br i1 %held, label %yes, label %no
yes:
  ret {sp} %s
no:
  {leave}
  ret {sp} null
}}
",
        name = names.symbol("enter_held"),
        slot = s.slot("s", "%index"),
        enter = names.symbol("enter"),
        exists_at = s.head("exists.at", "%s", EXISTS),
        holder_at = s.head("holder.at", "%s", HOLDER),
        leave = leave(names),
    );
}

/// `slic_leave`, as an instruction.
pub fn leave(names: &Names) -> String {
    let target = names.context.target;
    format!(
        "store atomic {ip} 0, {} {} release, align {}",
        target.ptr(&target.intptr()),
        names.symbol("me"),
        target.pointer_bits / 8,
        ip = target.intptr(),
    )
}

/// How many slots the thread's list holds, as an `i32` value.
pub fn mine_count(body: &mut Body, names: &Names) -> String {
    let s = Spelling::new(names);
    let at = body.value(format_args!(
        "getelementptr inbounds {}, {} {}, i32 0, i32 0",
        s.mt, s.mp, s.mine
    ));
    body.value(format_args!(
        "load i32, {} {at}",
        names.context.target.ptr("i32")
    ))
}

/// `slic_note_mine(index)`: adds a slot to the thread's list unless it is
/// there, if the list has room.
fn note(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling { mt, mp, mine, .. } = s;
    let i32p = names.context.target.ptr("i32");
    let _ = write!(
        out,
        "
define linkonce_odr void {name}(i32 %index) nounwind {{
entry:
  %count.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 0
  %count = load i32, {i32p} %count.at
  br label %search
search:
  %i = phi i32 [ 0, %entry ], [ %i.next, %other ]
  %more = icmp ult i32 %i, %count
  br i1 %more, label %visit, label %append
visit:
  %seen.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 1, i32 %i
  %seen = load i32, {i32p} %seen.at
  %known = icmp eq i32 %seen, %index
  br i1 %known, label %done, label %other
other:
  %i.next = add i32 %i, 1
  br label %search
append:
  %room = icmp ult i32 %count, {MAX_OBJECTS}
  br i1 %room, label %add, label %done
add:
  %added.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 1, i32 %count
  store i32 %index, {i32p} %added.at
  %grown = add i32 %count, 1
  store i32 %grown, {i32p} %count.at
  br label %done
done:
  ret void
}}
",
        name = names.symbol("note"),
    );
}

/// `slic_changed`: after a handler changed an entered instance, it is this
/// thread's.
fn changed(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        ipp,
        sp,
        tt,
        tp,
        table,
        me,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({sp} %s) nounwind {{
entry:
  {holder_at}
  %holder = load {ip}, {ipp} %holder.at
  %self = ptrtoint {ipp} {me} to {ip}
  %ours = icmp eq {ip} %holder, %self
  br i1 %ours, label %done, label %take
take:
  store {ip} %self, {ipp} %holder.at
  %first = getelementptr inbounds {tt}, {tp} {table}, i32 0, i32 2, i32 0
  %at = ptrtoint {sp} %s to {ip}
  %base = ptrtoint {sp} %first to {ip}
  %offset = sub {ip} %at, %base
  %size = ptrtoint {sp} getelementptr ({st}, {sp} null, i32 1) to {ip}
{index}  call void {note}(i32 %index) nounwind
  br label %done
done:
  ret void
}}
",
        name = names.symbol("changed"),
        index = if ip == "i32" {
            "  %index = udiv i32 %offset, %size\n".to_string()
        } else {
            format!("  %wide = udiv {ip} %offset, %size\n  %index = trunc {ip} %wide to i32\n")
        },
        holder_at = s.head("holder.at", "%s", HOLDER),
        st = s.st,
        note = names.symbol("note"),
    );
}

/// `%object` (an `iP`) as an `i64`: `%object` itself, or `%{name}`.
fn widen(s: &Spelling, name: &str) -> (String, String) {
    if s.ip == "i64" {
        (String::new(), "%object".to_string())
    } else {
        (
            format!("  %{name} = zext {} %object to i64\n", s.ip),
            format!("%{name}"),
        )
    }
}

/// `slic_hash` of `%object`, as `%start`.
fn hash(s: &Spelling) -> String {
    let (widening, wide) = widen(s, "wide");
    format!(
        "{widening}  %product = mul i64 {wide}, {}\n  %high = lshr i64 %product, 32\n  %high32 = trunc i64 %high to i32\n  %start = urem i32 %high32, {TABLE_SLOTS}\n",
        HASH_MULTIPLIER as i64
    )
}

/// The next slot of a probe: `%{next}` after `%{at}`.
fn step(at: &str, next: &str) -> String {
    format!(
        "  %{next}.plain = add i32 %{at}, 1\n  %{next}.wraps = icmp eq i32 %{next}.plain, {TABLE_SLOTS}\n  %{next} = select i1 %{next}.wraps, i32 0, i32 %{next}.plain\n"
    )
}

/// `slic_probe`: the slot of the object in its probe sequence (not
/// entered), or -1.
fn probe(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling { ip, align, ipp, .. } = s;
    let _ = write!(
        out,
        "
define linkonce_odr i32 {name}({ip} %object) nounwind {{
entry:
{hash}  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %next ]
  %at = phi i32 [ %start, %entry ], [ %at.next, %next ]
  %more = icmp ult i32 %i, {TABLE_SLOTS}
  br i1 %more, label %visit, label %missing
visit:
  {slot}
  {key_at}
  %key = load atomic {ip}, {ipp} %key.at acquire, align {align}
  %hit = icmp eq {ip} %key, %object
  br i1 %hit, label %found, label %empty
found:
  ret i32 %at
empty:
  %never = icmp eq {ip} %key, 0
  br i1 %never, label %missing, label %next
next:
  %i.next = add i32 %i, 1
{step}  br label %loop
missing:
  ret i32 -1
}}
",
        name = names.symbol("probe"),
        hash = hash(s),
        slot = s.slot("slot", "%at"),
        key_at = s.head("key.at", "%slot", OBJECT),
        step = step("at", "at.next"),
    );
}

/// `slic_report_full`: the table-full report, once per rule.
fn full(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        bp,
        tt,
        tp,
        table,
        ..
    } = s;
    let context = names.context;
    let automaton = names.automaton;
    let (widening, wide) = widen(s, "wide");
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({ip} %object) nounwind {{
entry:
  %reported.at = getelementptr inbounds {tt}, {tp} {table}, i32 0, i32 1
  %reported = load atomic i8, {bp} %reported.at monotonic, align 1
  %already = icmp ne i8 %reported, 0
  br i1 %already, label %done, label %report
report:
  store atomic i8 1, {bp} %reported.at monotonic, align 1
{widening}  call void {table_full}({rule}, i32 {has_id}, i32 {id}, i64 {wide}) nounwind
  br label %done
done:
  ret void
}}
",
        name = names.symbol("full"),
        table_full = context.runtime("table_full"),
        rule = context.string_operand(&names.symbol("name"), &automaton.name),
        has_id = u8::from(automaton.rule_id.is_some()),
        id = automaton.rule_id.unwrap_or(0) as i32,
    );
}

/// `slic_place`: a slot for the object, placed under the table's lock (a
/// slot never used, or earlier in the probe sequence the slot of an object
/// back in its initial state); entered on return, or -1 if the table is
/// full (reported once).
fn place(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        bp,
        sp,
        tt,
        tp,
        table,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr i32 {name}({ip} %object) nounwind {{
entry:
{hash}  %lock.at = getelementptr inbounds {tt}, {tp} {table}, i32 0, i32 0
  br label %lock
lock:
  %held = atomicrmw xchg {bp} %lock.at, i8 1 acquire
  %busy = icmp ne i8 %held, 0
  br i1 %busy, label %lock, label %loop
loop:
  %i = phi i32 [ 0, %lock ], [ %i.next, %next ]
  %at = phi i32 [ %start, %lock ], [ %at.next, %next ]
  %more = icmp ult i32 %i, {TABLE_SLOTS}
  br i1 %more, label %visit, label %done
visit:
  {slot}
  {key_at}
  {exists_at}
  %key = load atomic {ip}, {ipp} %key.at acquire, align {align}
  %same = icmp eq {ip} %key, %object
  %never = icmp eq {ip} %key, 0
  %either = or i1 %same, %never
  br i1 %either, label %claim, label %other
claim:
  %claim.taken = call i1 {enter}({sp} %slot) nounwind
  br i1 %never, label %claim.fresh, label %done
claim.fresh:
  store atomic {ip} %object, {ipp} %key.at release, align {align}
  store atomic i8 0, {bp} %exists.at monotonic, align 1
  br label %done
other:
  %other.exists = load atomic i8, {bp} %exists.at monotonic, align 1
  %free = icmp eq i8 %other.exists, 0
  br i1 %free, label %reuse, label %next
reuse:
  %reuse.taken = call i1 {enter}({sp} %slot) nounwind
  %reuse.exists = load atomic i8, {bp} %exists.at monotonic, align 1
  %reuse.gone = icmp eq i8 %reuse.exists, 0
  %reuse.key = load atomic {ip}, {ipp} %key.at monotonic, align {align}
  %reuse.same = icmp eq {ip} %reuse.key, %key
  %reuse.ok = and i1 %reuse.gone, %reuse.same
  br i1 %reuse.ok, label %reuse.take, label %reuse.keep
reuse.take:
  store atomic {ip} %object, {ipp} %key.at release, align {align}
  br label %done
reuse.keep:
  {leave}
  br label %next
next:
  %i.next = add i32 %i, 1
{step}  br label %loop
done:
  %found = phi i32 [ -1, %loop ], [ %at, %claim ], [ %at, %claim.fresh ], [ %at, %reuse.take ]
  store atomic i8 0, {bp} %lock.at release, align 1
  %none = icmp slt i32 %found, 0
  br i1 %none, label %report, label %return
report:
  call void {full}({ip} %object) nounwind
  br label %return
return:
  ret i32 %found
}}
",
        name = names.symbol("place"),
        hash = hash(s),
        slot = s.slot("slot", "%at"),
        key_at = s.head("key.at", "%slot", OBJECT),
        exists_at = s.head("exists.at", "%slot", EXISTS),
        enter = names.symbol("enter"),
        leave = leave(names),
        step = step("at", "at.next"),
        full = names.symbol("full"),
    );
}

/// `slic_select` where the object is in its first slot, the case of
/// almost every event: `slic_probe`'s first step inline (and `enter`'s
/// first round); anything else (a later slot, a new object) is
/// `select.slow`, from the start.
fn select(out: &mut String, names: &Names, s: &Spelling, initial: &str) {
    let Spelling {
        ip, align, ipp, sp, ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr {sp} {name}({ip} %object) nounwind alwaysinline {{
entry:
{hash}  {slot}
  {key_at}
  %key = load atomic {ip}, {ipp} %key.at acquire, align {align}
  %hit = icmp eq {ip} %key, %object
  br i1 %hit, label %enter, label %slow
enter:
  %taken = call i1 {enter}({sp} %s) nounwind
  %again = load atomic {ip}, {ipp} %key.at monotonic, align {align}
  %same = icmp eq {ip} %again, %object
  br i1 %same, label %check, label %leave
leave:
  {leave}
  br label %slow
check:
{create}  ret {sp} %s
slow:
  %found = call {sp} {slow}({ip} %object) nounwind
  ret {sp} %found
}}
",
        name = names.symbol("select"),
        hash = hash(s),
        slot = s.slot("s", "%start"),
        key_at = s.head("key.at", "%s", OBJECT),
        enter = names.symbol("enter"),
        leave = leave(names),
        create = create_if_absent(names, s, initial, "%start"),
        slow = names.symbol("select.slow"),
    );
}

/// The end of `slic_select` for the entered slot `%s` of index `index`: if
/// its instance does not exist, it is created in the initial state, as
/// this thread's, and listed. Falls through.
fn create_if_absent(names: &Names, s: &Spelling, initial: &str, index: &str) -> String {
    let Spelling {
        ip,
        ipp,
        bp,
        sp,
        st,
        me,
        ..
    } = s;
    let values = format!("[{} x i64]", names.variables);
    let values_pointer = names.context.target.ptr(&values);
    format!(
        "  {exists_at}
  %exists = load atomic i8, {bp} %exists.at monotonic, align 1
  %absent = icmp eq i8 %exists, 0
  br i1 %absent, label %create, label %present
create:
  %values.at = getelementptr inbounds {st}, {sp} %s, i32 0, i32 1
  store {values} {initial}, {values_pointer} %values.at
  {status_at}
  store i8 {LIVE}, {bp} %status.at
  store atomic i8 1, {bp} %exists.at monotonic, align 1
  {holder_at}
  %self = ptrtoint {ipp} {me} to {ip}
  store {ip} %self, {ipp} %holder.at
  call void {note}(i32 {index}) nounwind
  br label %present
present:
",
        exists_at = s.head("exists.at", "%s", EXISTS),
        status_at = s.head("status.at", "%s", STATUS),
        holder_at = s.head("holder.at", "%s", HOLDER),
        note = names.symbol("note"),
    )
}

/// `slic_select`: the instance of the object, created (as this thread's)
/// if it does not exist, and entered; null if the table is full. The whole
/// of it, for `select` to call where its first step is not enough.
fn select_slow(out: &mut String, names: &Names, s: &Spelling, initial: &str) {
    let Spelling {
        ip, align, ipp, sp, ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr {sp} {name}({ip} %object) nounwind noinline {{
entry:
  br label %loop
loop:
  %probed = call i32 {probe}({ip} %object) nounwind
  %missing = icmp slt i32 %probed, 0
  br i1 %missing, label %place, label %found
place:
  %placed = call i32 {place}({ip} %object) nounwind
  %full = icmp slt i32 %placed, 0
  br i1 %full, label %none, label %placed.slot
none:
  ret {sp} null
placed.slot:
  br label %entered
found:
  {found_slot}
  %found.taken = call i1 {enter}({sp} %found.slot) nounwind
  {found_key_at}
  %found.key = load atomic {ip}, {ipp} %found.key.at monotonic, align {align}
  %same = icmp eq {ip} %found.key, %object
  br i1 %same, label %entered, label %moved
moved:
  {leave}
  br label %loop
entered:
  %index = phi i32 [ %placed, %placed.slot ], [ %probed, %found ]
  {slot}
{create}  ret {sp} %s
}}
",
        name = names.symbol("select.slow"),
        probe = names.symbol("probe"),
        place = names.symbol("place"),
        enter = names.symbol("enter"),
        leave = leave(names),
        found_slot = s.slot("found.slot", "%probed"),
        found_key_at = s.head("found.key.at", "%found.slot", OBJECT),
        slot = s.slot("s", "%index"),
        create = create_if_absent(names, s, initial, "%index"),
    );
}

/// `slic_sweep`: after an event, the thread's instances back in their
/// initial state no longer exist, and the list forgets what is not the
/// thread's.
fn sweep(out: &mut String, names: &Names, s: &Spelling, initial: &[i64]) {
    let Spelling {
        bp,
        sp,
        mt,
        mp,
        mine,
        ..
    } = s;
    let i32p = names.context.target.ptr("i32");
    let mut is_initial = String::new();
    let initial = s.is_initial(&mut is_initial, "initial", "%s", initial);
    let _ = write!(
        out,
        "
define linkonce_odr void {name}() nounwind alwaysinline {{
entry:
  %count.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 0
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %kept ], [ %i, %drop ]
  %count = load i32, {i32p} %count.at
  %more = icmp ult i32 %i, %count
  br i1 %more, label %visit, label %done
visit:
  %s = call {sp} {enter_held}(i32 %i) nounwind
  %held = icmp ne {sp} %s, null
  br i1 %held, label %check, label %drop
check:
{is_initial}  {exists_at}
  br i1 {initial}, label %clearing, label %leave
clearing:
  store atomic i8 0, {bp} %exists.at monotonic, align 1
  br label %leave
leave:
  %keep = phi i1 [ true, %check ], [ false, %clearing ]
  {leave}
  br i1 %keep, label %kept, label %drop
kept:
  %i.next = add i32 %i, 1
  br label %loop
drop:
  %last = sub i32 %count, 1
  store i32 %last, {i32p} %count.at
  %last.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 1, i32 %last
  %moved = load i32, {i32p} %last.at
  %index.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 1, i32 %i
  store i32 %moved, {i32p} %index.at
  br label %loop
done:
  ret void
}}
",
        name = names.symbol("sweep"),
        enter_held = names.symbol("enter_held"),
        exists_at = s.head("exists.at", "%s", EXISTS),
        leave = leave(names),
    );
}
