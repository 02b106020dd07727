//! The ownership protocol of the object tables' slots, the part every
//! rule shares (the C monitor's `slic_enter_slow`, `slic_enter_alone`,
//! `slic_leave_alone` and process-wide barrier, `object_table.h`), named
//! after the thread records' code (`threads.rs`, `Context::threads`):
//!
//! - `@T.enter.slow(slot)`: works on the slot at address `slot`, taking it
//!   over from its owner (marking `owner` while it waits for the owner it
//!   replaced, so that takeovers go one at a time), fencing where the mode
//!   says so; the thread's record is made if it has none;
//! - `@T.enter.alone(slot)` and `@T.leave.alone()`: entering and leaving
//!   for code out of line, which keeps no event (`place`, `select.slow`);
//! - `@T.barrier_available()` and `@T.process_barrier()`: `membarrier`
//!   through `syscall` on Linux (after registering once),
//!   `FlushProcessWriteBuffers` on Windows; elsewhere every thread fences.
//!
//! A slot's `owner` is its second field, one `iP` after its address.

use std::fmt::Write;

use super::threads::{BARRIER_FENCE, BARRIER_PROCESS, BUSY, field, windows_api};
use super::{Context, External};

/// The mark on `owner` while its new owner waits for the one it replaced
/// (`SLIC_TAKING`).
const TAKING: u32 = 1;

/// The protocol's functions.
pub(super) fn functions(out: &mut String, context: &Context, externals: &mut Vec<External>) {
    barrier(out, context, externals);
    enter_slow(out, context);
    alone(out, context);
}

/// What a thread executes between saying which slot it works on and
/// reading the slot's owner: a fence if `fence` (an `i1`) says every
/// thread fences, a compiler barrier otherwise; continues at `%{then}`.
fn owner_fence(block: &str, fence: &str, then: &str) -> String {
    format!(
        "  br i1 {fence}, label %{block}.fence, label %{block}.compiler\n\
         {block}.fence:\n  fence seq_cst\n  br label %{then}\n\
         {block}.compiler:\n  fence syncscope(\"singlethread\") seq_cst\n  br label %{then}\n"
    )
}

/// A pause in a spin-wait loop.
fn pause(context: &Context) -> &'static str {
    let arch = context.target.triple.split('-').next().unwrap_or("");
    if arch == "x86_64" || arch == "amd64" || (arch.starts_with('i') && arch.ends_with("86")) {
        "  call void asm sideeffect \"pause\", \"\"() nounwind\n"
    } else {
        "  fence syncscope(\"singlethread\") seq_cst\n"
    }
}

/// `%{name}` = a pointer to the `owner` of the slot at `slot` (an `iP`).
fn owner_at(context: &Context, name: &str, slot: &str) -> String {
    let ip = context.target.intptr();
    format!(
        "  %{name}.int = add {ip} {slot}, {}\n  %{name} = inttoptr {ip} %{name}.int to {}\n",
        context.target.pointer_bits / 8,
        context.target.ptr(&ip)
    )
}

/// `@T.enter.slow(slot)`: the whole of `slic_enter`.
fn enter_slow(out: &mut String, context: &Context) {
    let ip = context.target.intptr();
    let ipp = context.target.ptr(&ip);
    let align = context.target.pointer_bits / 8;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({ip} %key) nounwind noinline {{
entry:
  %self = call {ip} {thread}() nounwind
{busy}{owner}  %mode = load atomic {ip}, {ipp} {mode} monotonic, align {align}
  %fence = icmp eq {ip} %mode, {BARRIER_FENCE}
  %process = icmp eq {ip} %mode, {BARRIER_PROCESS}
  br label %loop
loop:
  store atomic {ip} %key, {ipp} %busy release, align {align}
{fence}look:
  %owner = load atomic {ip}, {ipp} %owner.at acquire, align {align}
  %mine = icmp eq {ip} %owner, %self
  br i1 %mine, label %done, label %take
done:
  ret void
take:
  store atomic {ip} 0, {ipp} %busy release, align {align}
  %marked = and {ip} %owner, {TAKING}
  %taking = icmp ne {ip} %marked, 0
  br i1 %taking, label %let, label %replace
let:
{pause}  br label %loop
replace:
  %self.taking = or {ip} %self, {TAKING}
  %swap = cmpxchg {ipp} %owner.at, {ip} %owner, {ip} %self.taking acq_rel acquire
  %swapped = extractvalue {{ {ip}, i1 }} %swap, 1
  br i1 %swapped, label %took, label %loop
took:
  %previous = icmp ne {ip} %owner, 0
  br i1 %previous, label %barrier, label %taken
barrier:
  br i1 %process, label %flush, label %wait.start
flush:
  call void {flush}() nounwind
  br label %wait.start
wait.start:
  %previous.busy = inttoptr {ip} %owner to {ipp}
  br label %wait
wait:
  %other = load atomic {ip}, {ipp} %previous.busy acquire, align {align}
  %still = icmp eq {ip} %other, %key
  br i1 %still, label %pause, label %taken
pause:
{pause}  br label %wait
taken:
  store atomic {ip} %self, {ipp} %owner.at release, align {align}
  br label %loop
}}
",
        name = context.threads("enter.slow"),
        thread = context.threads("thread"),
        busy = field(context, "busy", "%self", BUSY),
        owner = owner_at(context, "owner.at", "%key"),
        mode = context.threads("barrier"),
        fence = owner_fence("order", "%fence", "look"),
        flush = context.threads("process_barrier"),
        pause = pause(context),
    );
}

/// `@T.enter.alone(slot)` and `@T.leave.alone()` (`slic_enter_alone`,
/// `slic_leave_alone`).
fn alone(out: &mut String, context: &Context) {
    let ip = context.target.intptr();
    let ipp = context.target.ptr(&ip);
    let align = context.target.pointer_bits / 8;
    let _ = write!(
        out,
        "
define linkonce_odr void {enter}({ip} %key) nounwind {{
entry:
  %me = load {ip}, {ipp} {me}, align {align}
  %fast = icmp ne {ip} %me, 0
  br i1 %fast, label %try, label %slow
try:
  %busy = inttoptr {ip} %me to {ipp}
  store atomic {ip} %key, {ipp} %busy release, align {align}
  fence syncscope(\"singlethread\") seq_cst
{owner}  %owner = load atomic {ip}, {ipp} %owner.at acquire, align {align}
  %mine = icmp eq {ip} %owner, %me
  br i1 %mine, label %done, label %leave
leave:
  store atomic {ip} 0, {ipp} %busy release, align {align}
  br label %slow
slow:
  call void {slow}({ip} %key) nounwind
  br label %done
done:
  ret void
}}

define linkonce_odr void {leave}() nounwind {{
entry:
  %record = load {ip}, {ipp} {record}, align {align}
{busy}  store atomic {ip} 0, {ipp} %busy release, align {align}
  ret void
}}
",
        enter = context.threads("enter.alone"),
        leave = context.threads("leave.alone"),
        me = context.threads("me"),
        record = context.threads("record"),
        slow = context.threads("enter.slow"),
        owner = owner_at(context, "owner.at", "%key"),
        busy = field(context, "busy", "%record", BUSY),
    );
}

/// Linux's `membarrier` commands.
const MEMBARRIER_PRIVATE_EXPEDITED: u32 = 8;
const MEMBARRIER_REGISTER_PRIVATE_EXPEDITED: u32 = 16;

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

/// `@T.barrier_available()` registers the process where it must and says
/// whether `@T.process_barrier()` works (`slic_process_barrier_available`,
/// `slic_process_barrier`).
fn barrier(out: &mut String, context: &Context, externals: &mut Vec<External>) {
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
        let (name, convention) = windows_api(context, "FlushProcessWriteBuffers", 0);
        let flush = context.external_with(
            externals,
            &name,
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
    let _ = write!(
        out,
        "\ndefine linkonce_odr i1 {}() nounwind {{\nentry:\n{available}}}\n\
         \ndefine linkonce_odr void {}() nounwind {{\nentry:\n{barrier}}}\n",
        context.threads("barrier_available"),
        context.threads("process_barrier"),
    );
}
