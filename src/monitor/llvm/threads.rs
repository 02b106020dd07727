//! The shared part of the object tables' protocol (`object_table.rs`):
//! the thread records and the process-wide barrier, as the C monitor's
//! `object_table.h` has them (its comment says why a thread's `busy` lives
//! in a record that outlives the thread, and why `owner` names a record
//! and `holder` a serial number).
//!
//! - `@R.record` (thread-local) is the thread's record as an `iP`, 0
//!   before its first event on a `watch` rule; `@R.me` the same where the
//!   owner of a slot enters it without a fence, 0 where it must fence;
//!   `@R.my_serial` the record's serial number, which every event reads. A
//!   record is `{ iP busy, iP serial, iP next }`, on a cache line of its
//!   own, never freed.
//! - `@R.thread()` gives the thread its record the first time it asks:
//!   from the free list, or newly allocated (`calloc`); the first record
//!   of the process decides the barrier (`@R.barrier`) and makes the exit
//!   key.
//! - When the thread ends, its record goes back on the free list
//!   (`@R.thread_ended`): through a `pthread_key_create` destructor on
//!   Linux, a fiber-local storage callback (`FlsAlloc`) on Windows.
//!   Elsewhere a record is never given again.
//! - The barrier: `membarrier` through `syscall` on Linux (after
//!   registering once), `FlushProcessWriteBuffers` on Windows; elsewhere
//!   every thread fences.
//!
//! All of it is named `@slic.threads.<hash>.*`, the hash of this code as
//! it is written for a module that declares nothing (`Context::threads`):
//! one set per process for every rule of every module woven by the same
//! slic for the target, whatever each module declares.

use std::fmt::Write;

use super::{Context, External};

/// `@R.barrier`: not decided yet, a taker runs the process-wide barrier,
/// or every thread fences (`SLIC_BARRIER_*`).
pub const BARRIER_UNDECIDED: u32 = 0;
pub const BARRIER_PROCESS: u32 = 1;
pub const BARRIER_FENCE: u32 = 2;

/// Fields of a record, as byte offsets in units of `iP`.
pub const BUSY: u32 = 0;
const SERIAL: u32 = 1;
const NEXT: u32 = 2;

/// A record's alignment: a cache line.
const RECORD_ALIGN: u32 = 64;

/// A `__stdcall` function of kernel32 taking `argument_bytes` bytes of
/// arguments, as clang names and calls it (decorated on i686, see
/// `llvm::names`): its name and calling convention.
pub(super) fn windows_api(
    context: &Context,
    name: &str,
    argument_bytes: u32,
) -> (String, &'static str) {
    if context.target.pointer_bits == 32 {
        (format!("\u{1}_{name}@{argument_bytes}"), "x86_stdcallcc ")
    } else {
        (name.to_string(), "")
    }
}

/// The thread records and the barrier (see the module comment).
pub fn functions(context: &Context, externals: &mut Vec<External>) -> String {
    let mut out = String::new();
    let ip = context.target.intptr();
    let align = context.target.pointer_bits / 8;
    let _ = write!(
        out,
        "{record} = linkonce_odr thread_local global {ip} 0, align {align}\n\
         {me} = linkonce_odr thread_local global {ip} 0, align {align}\n\
         {my_serial} = linkonce_odr thread_local global {ip} 0, align {align}\n\
         {barrier} = linkonce_odr global {ip} {BARRIER_UNDECIDED}, align {align}\n\
         {lock} = linkonce_odr global i8 0\n\
         {free} = linkonce_odr global {ip} 0, align {align}\n\
         {serial} = linkonce_odr global {ip} 0, align {align}\n\
         {key} = linkonce_odr global i32 0, align 4\n\
         {made} = linkonce_odr global i8 0\n",
        record = context.threads("record"),
        me = context.threads("me"),
        my_serial = context.threads("my_serial"),
        barrier = context.threads("barrier"),
        lock = context.threads("records.lock"),
        free = context.threads("records.free"),
        serial = context.threads("serial"),
        key = context.threads("exit.key"),
        made = context.threads("exit.made"),
    );
    super::ownership::functions(&mut out, context, externals);
    exit_functions(&mut out, context, externals);
    thread(&mut out, context, externals);
    out
}

/// `@R.lock` and `@R.unlock` of the records' free list, as text between
/// the blocks `{block}` and `{then}`.
fn spin_lock(context: &Context, block: &str, then: &str) -> String {
    format!(
        "{block}:\n  %{block}.held = atomicrmw xchg {} {}, i8 1 acquire\n  \
         %{block}.busy = icmp ne i8 %{block}.held, 0\n  \
         br i1 %{block}.busy, label %{block}, label %{then}\n",
        context.target.ptr("i8"),
        context.threads("records.lock")
    )
}

fn spin_unlock(context: &Context) -> String {
    format!(
        "  store atomic i8 0, {} {} release, align 1\n",
        context.target.ptr("i8"),
        context.threads("records.lock")
    )
}

/// `%{name}` = a pointer to field `field` of the record `record` (an `iP`).
fn record_field(context: &Context, name: &str, record: &str, field: u32) -> String {
    let ip = context.target.intptr();
    let pointer = context.target.ptr(&ip);
    if field == 0 {
        format!("  %{name} = inttoptr {ip} {record} to {pointer}\n")
    } else {
        format!(
            "  %{name}.int = add {ip} {record}, {}\n  %{name} = inttoptr {ip} %{name}.int to {pointer}\n",
            field * context.target.pointer_bits / 8
        )
    }
}

/// `@R.thread_ended(record)`, the exit callback: the record works on no
/// slot, the thread has none, and the record goes on the free list.
/// `@R.exit.make()` makes the exit key (once, under the records' lock);
/// `@R.exit.register(record)` has the callback called with the record when
/// the thread ends.
fn exit_functions(out: &mut String, context: &Context, externals: &mut Vec<External>) {
    let target = context.target;
    let ip = target.intptr();
    let ipp = target.ptr(&ip);
    let bytes = target.ptr("i8");
    let align = target.pointer_bits / 8;
    let callback_type = target.ptr(&format!("void ({bytes})"));
    let windows = target.is_windows();
    let linux = target.triple.contains("linux");
    // The callback is `__stdcall` on Windows (i686 tells).
    let convention = if windows {
        windows_api(context, "FlsAlloc", 4).1
    } else {
        ""
    };
    let ended = context.threads("thread_ended");
    let _ = write!(
        out,
        "
define linkonce_odr {convention}void {ended}({bytes} %pointer) nounwind {{
entry:
  %record = ptrtoint {bytes} %pointer to {ip}
{busy}  store atomic {ip} 0, {ipp} %busy release, align {align}
  store {ip} 0, {ipp} {record_tls}, align {align}
  store {ip} 0, {ipp} {me}, align {align}
  store {ip} 0, {ipp} {my_serial}, align {align}
  br label %lock
{lock}locked:
{next}  %free = load {ip}, {ipp} {free}, align {align}
  store {ip} %free, {ipp} %next, align {align}
  store {ip} %record, {ipp} {free}, align {align}
{unlock}  ret void
}}
",
        busy = record_field(context, "busy", "%record", BUSY),
        next = record_field(context, "next", "%record", NEXT),
        record_tls = context.threads("record"),
        me = context.threads("me"),
        my_serial = context.threads("my_serial"),
        free = context.threads("records.free"),
        lock = spin_lock(context, "lock", "locked"),
        unlock = spin_unlock(context),
    );
    let key = context.threads("exit.key");
    let made = context.threads("exit.made");
    let (make, register) = if linux {
        let create = context.external(
            externals,
            "pthread_key_create",
            "i32",
            &[&target.ptr("i32"), &callback_type],
        );
        let set = context.external(externals, "pthread_setspecific", "i32", &["i32", &bytes]);
        (
            format!(
                "  %result = call i32 {create}({} {key}, {callback_type} {ended}) nounwind\n  \
                 %made = icmp eq i32 %result, 0\n",
                target.ptr("i32")
            ),
            format!(
                "  %key = load i32, {} {key}, align 4\n  \
                 %ignored = call i32 {set}(i32 %key, {bytes} %pointer) nounwind\n",
                target.ptr("i32")
            ),
        )
    } else if windows {
        let (alloc_name, convention) = windows_api(context, "FlsAlloc", 4);
        let (set_name, _) = windows_api(context, "FlsSetValue", 8);
        let attributes = format!("dllimport {convention}");
        let alloc = context.external_with(
            externals,
            &alloc_name,
            "i32",
            &[&callback_type],
            &attributes,
        );
        let set = context.external_with(externals, &set_name, "i32", &["i32", &bytes], &attributes);
        (
            format!(
                "  %result = call {convention}i32 {alloc}({callback_type} {ended}) nounwind\n  \
                 store i32 %result, {} {key}, align 4\n  \
                 %made = icmp ne i32 %result, -1\n",
                target.ptr("i32")
            ),
            format!(
                "  %key = load i32, {} {key}, align 4\n  \
                 %ignored = call {convention}i32 {set}(i32 %key, {bytes} %pointer) nounwind\n",
                target.ptr("i32")
            ),
        )
    } else {
        ("  %made = icmp ne i8 0, 0\n".to_string(), String::new())
    };
    let _ = write!(
        out,
        "
define linkonce_odr void {make_name}() nounwind {{
entry:
{make}  %made.byte = zext i1 %made to i8
  store i8 %made.byte, {bytes} {made}, align 1
  ret void
}}

define linkonce_odr void {register_name}({ip} %record) nounwind {{
entry:
  %made = load i8, {bytes} {made}, align 1
  %has = icmp ne i8 %made, 0
  br i1 %has, label %register, label %done
register:
  %pointer = inttoptr {ip} %record to {bytes}
{register}  br label %done
done:
  ret void
}}
",
        make_name = context.threads("exit.make"),
        register_name = context.threads("exit.register"),
    );
}

/// `@R.thread()`: the thread's record (`slic_thread_record`), taken from
/// the free list or allocated the first time the thread asks; the first
/// record of the process decides the barrier and makes the exit key.
fn thread(out: &mut String, context: &Context, externals: &mut Vec<External>) {
    let target = context.target;
    let ip = target.intptr();
    let ipp = target.ptr(&ip);
    let bytes = target.ptr("i8");
    let align = target.pointer_bits / 8;
    let calloc = context.external(externals, "calloc", &bytes, &[&ip, &ip]);
    let abort = context.external(externals, "abort", "void", &[]);
    let _ = write!(
        out,
        "
define linkonce_odr {ip} {name}() nounwind noinline {{
entry:
  %known = load {ip}, {ipp} {record_tls}, align {align}
  %has = icmp ne {ip} %known, 0
  br i1 %has, label %return.known, label %lock
return.known:
  ret {ip} %known
{lock}locked:
  %mode.seen = load atomic {ip}, {ipp} {barrier} monotonic, align {align}
  %undecided = icmp eq {ip} %mode.seen, {BARRIER_UNDECIDED}
  br i1 %undecided, label %decide, label %take
decide:
  %available = call i1 {available}() nounwind
  %mode.chosen = select i1 %available, {ip} {BARRIER_PROCESS}, {ip} {BARRIER_FENCE}
  store atomic {ip} %mode.chosen, {ipp} {barrier} monotonic, align {align}
  call void {make}() nounwind
  br label %take
take:
  %mode = phi {ip} [ %mode.seen, %locked ], [ %mode.chosen, %decide ]
  %free = load {ip}, {ipp} {free}, align {align}
  %reuse = icmp ne {ip} %free, 0
  br i1 %reuse, label %pop, label %count
pop:
{free_next}  %after = load {ip}, {ipp} %free.next, align {align}
  store {ip} %after, {ipp} {free}, align {align}
  br label %count
count:
  %last = load {ip}, {ipp} {serial}, align {align}
  %number = add {ip} %last, 1
  store {ip} %number, {ipp} {serial}, align {align}
{unlock}  br i1 %reuse, label %ready, label %allocate
allocate:
  %memory = call {bytes} {calloc}({ip} 2, {ip} {RECORD_ALIGN}) nounwind
  %failed = icmp eq {bytes} %memory, null
  br i1 %failed, label %out.of.memory, label %align
out.of.memory:
  call void {abort}() noreturn nounwind
  unreachable
align:
  %address = ptrtoint {bytes} %memory to {ip}
  %rounded = add {ip} %address, {round}
  %aligned = and {ip} %rounded, {mask}
  br label %ready
ready:
  %record = phi {ip} [ %free, %count ], [ %aligned, %align ]
{next}  store {ip} 0, {ipp} %next, align {align}
{serial_at}  store {ip} %number, {ipp} %serial.at, align {align}
  call void {register}({ip} %record) nounwind
  store {ip} %record, {ipp} {record_tls}, align {align}
  store {ip} %number, {ipp} {my_serial}, align {align}
  %process = icmp eq {ip} %mode, {BARRIER_PROCESS}
  %fast = select i1 %process, {ip} %record, {ip} 0
  store {ip} %fast, {ipp} {me}, align {align}
  ret {ip} %record
}}
",
        name = context.threads("thread"),
        record_tls = context.threads("record"),
        me = context.threads("me"),
        my_serial = context.threads("my_serial"),
        barrier = context.threads("barrier"),
        free = context.threads("records.free"),
        serial = context.threads("serial"),
        available = context.threads("barrier_available"),
        make = context.threads("exit.make"),
        register = context.threads("exit.register"),
        lock = spin_lock(context, "lock", "locked"),
        unlock = spin_unlock(context),
        free_next = record_field(context, "free.next", "%free", NEXT),
        next = record_field(context, "next", "%record", NEXT),
        serial_at = record_field(context, "serial.at", "%record", SERIAL),
        round = RECORD_ALIGN - 1,
        mask = -(RECORD_ALIGN as i64),
    );
}

/// `%{name}` = a pointer to field `field` of the record `record` (an `iP`
/// value), for the object tables.
pub fn field(context: &Context, name: &str, record: &str, field: u32) -> String {
    record_field(context, name, record, field)
}
