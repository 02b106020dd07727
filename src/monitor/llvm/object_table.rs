//! The instances of a `watch` rule as IR: the C monitor's object table
//! (`src/monitor/c/runtime/object_table.h`, user mode), with the same
//! layout, hash, probe, placement, ownership protocol and sweep. Read that
//! header's comment for the design; this file and `instances.rs` say only
//! where the IR differs in form.
//!
//! - A rule's table is `@P.table = { i8 insert_lock, i8 full_reported,
//!   [TABLE_SLOTS x state] }`, shared by all threads; a slot is the rule's
//!   state, `{ { iP object, iP owner, iP holder, i8 status, i8 exists },
//!   [N x i64] }` (`struct slic_slot`, then the values): `owner` is the
//!   record of the thread working on the slot, `holder` the serial number
//!   of the thread the instance belongs to (it created it or last changed
//!   it).
//! - The thread records, the barrier mode, the slow path of entering a
//!   slot and the process-wide barrier are shared by every rule
//!   (`threads.rs`, `ownership.rs`); the list of the slots a thread
//!   holds (`slic_mine`) is a thread-local global of the rule (`@P.mine`).
//!   Every symbol is named after the hash of the code that uses it, so
//!   modules woven apart share a rule's table (but not the C monitor's:
//!   the two never share rule state).
//! - What an event function keeps while it runs (`struct slic_event`) is
//!   an `alloca` of the event function, `{ iP me, iP record, iP serial, iP
//!   entered, state* slot, i32 index, i8 initial, i8 more, iP object,
//!   state* selected, i32 selected_index, i8 alone }` (`EVENT_*`), passed to the
//!   table's functions, which are inlined into it (so that it lives in
//!   registers); the functions out of line keep none.
//! - Every access another thread may make at the same time is atomic
//!   (`object`, `owner`, `holder`, `exists`, `busy`, the locks, the mode),
//!   so that ThreadSanitizer sees the hand-over; status and values are the
//!   owner's. The compiler barrier is `fence syncscope("singlethread")`.
//! - The common case of `select` and `enter` (the object in its first slot,
//!   a slot this thread works on or owns) is inline; the rest is out of
//!   line and does the whole of the C function from its start.

use std::fmt::Write;

use super::rules::Names;
use super::runtime::EXPECT;
use super::threads::{self, BUSY};
use crate::monitor::abi::{HASH_MULTIPLIER, LIVE, MAX_OBJECTS, TABLE_SLOTS};

/// Fields of a slot's head (`struct slic_slot`).
pub const OBJECT: u32 = 0;
pub const OWNER: u32 = 1;
pub const HOLDER: u32 = 2;
pub const STATUS: u32 = 3;
pub const EXISTS: u32 = 4;

/// Fields of what an event function keeps (`struct slic_event`).
const EVENT_ME: u32 = 0;
const EVENT_RECORD: u32 = 1;
pub const EVENT_SERIAL: u32 = 2;
pub const EVENT_ENTERED: u32 = 3;
pub const EVENT_SLOT: u32 = 4;
pub const EVENT_INDEX: u32 = 5;
pub const EVENT_INITIAL: u32 = 6;
pub const EVENT_MORE: u32 = 7;
const EVENT_OBJECT: u32 = 8;
pub const EVENT_SELECTED: u32 = 9;
pub const EVENT_SELECTED_INDEX: u32 = 10;
pub const EVENT_ALONE: u32 = 11;

/// The types and symbols every function of the table spells.
pub(super) struct Spelling {
    /// `iP`, its alignment, a pointer to it.
    pub ip: String,
    pub align: u32,
    pub ipp: String,
    pub bp: String,
    pub i32p: String,
    pub i64p: String,
    pub st: String,
    pub sp: String,
    pub tt: String,
    pub tp: String,
    pub mt: String,
    pub mp: String,
    /// What an event function keeps, and a pointer to it.
    pub et: String,
    pub ep: String,
    /// A pointer to a state pointer.
    pub sp_p: String,
    pub table: String,
    pub mine: String,
    /// The thread-local record, fast-path record and serial number
    /// (`threads.rs`).
    pub record: String,
    pub me: String,
    pub my_serial: String,
    /// `@llvm.expect.i1`, for the branches the C monitor marks
    /// `SLIC_LIKELY`: the common path keeps the registers.
    pub expect: String,
}

impl Spelling {
    pub fn new(names: &Names) -> Spelling {
        let target = names.context.target;
        let ip = target.intptr();
        let tt = format!("{{ i8, i8, [{TABLE_SLOTS} x {}] }}", names.state);
        let mt = format!("{{ i32, [{MAX_OBJECTS} x i32] }}");
        let sp = names.state_pointer.clone();
        let et = format!("{{ {ip}, {ip}, {ip}, {ip}, {sp}, i32, i8, i8, {ip}, {sp}, i32, i8 }}");
        Spelling {
            align: target.pointer_bits / 8,
            ipp: target.ptr(&ip),
            bp: target.ptr("i8"),
            i32p: target.ptr("i32"),
            i64p: target.ptr("i64"),
            st: names.state.clone(),
            sp,
            tp: target.ptr(&tt),
            tt,
            mp: target.ptr(&mt),
            mt,
            ep: target.ptr(&et),
            et,
            sp_p: target.ptr(&names.state_pointer),
            table: names.symbol("table"),
            mine: names.symbol("mine"),
            record: names.context.threads("record"),
            me: names.context.threads("me"),
            my_serial: names.context.threads("my_serial"),
            expect: names.context.function_ref(EXPECT, "i1", &["i1", "i1"]),
            ip,
        }
    }

    /// `%{name} = getelementptr` to slot `index` (an `i32`).
    pub fn slot(&self, name: &str, index: &str) -> String {
        format!(
            "%{name} = getelementptr inbounds {}, {} {}, i32 0, i32 2, i32 {index}",
            self.tt, self.tp, self.table
        )
    }

    /// `%{name} = getelementptr` to field `field` of the head of `slot`.
    pub fn head(&self, name: &str, slot: &str, field: u32) -> String {
        format!(
            "%{name} = getelementptr inbounds {}, {} {slot}, i32 0, i32 0, i32 {field}",
            self.st, self.sp
        )
    }

    /// `%{name} = getelementptr` to field `field` of what the event keeps.
    pub fn kept(&self, name: &str, field: u32) -> String {
        format!(
            "%{name} = getelementptr inbounds {}, {} %touched, i32 0, i32 {field}",
            self.et, self.ep
        )
    }

    /// `%{name} = getelementptr` to entry `index` of the thread's list.
    pub fn entry(&self, name: &str, index: &str) -> String {
        format!(
            "%{name} = getelementptr inbounds {}, {} {}, i32 0, i32 1, i32 {index}",
            self.mt, self.mp, self.mine
        )
    }

    /// Field `field` of what the event keeps, loaded as `%{name}` of type
    /// `ty` (an `iP`, an `i32`, an `i8` or a state pointer).
    pub fn load_kept(&self, name: &str, field: u32, ty: &str) -> String {
        let pointer = match ty {
            "i8" => &self.bp,
            "i32" => &self.i32p,
            _ if ty == self.ip => &self.ipp,
            _ => &self.sp_p,
        };
        format!(
            "  {}\n  %{name} = load {ty}, {pointer} %{name}.at\n",
            self.kept(&format!("{name}.at"), field)
        )
    }

    /// Whether the instance at `slot` is the thread's (`slic_is_mine`:
    /// exact without entering the slot when it says no) as `%{name}`, the
    /// thread's serial number being `serial`.
    pub fn is_mine(&self, name: &str, slot: &str, serial: &str) -> String {
        let Spelling {
            ip, ipp, bp, align, ..
        } = self;
        format!(
            "  {exists_at}\n  %{name}.exists = load atomic i8, {bp} %{name}.exists.at monotonic, align 1\n  \
             {holder_at}\n  %{name}.holder = load atomic {ip}, {ipp} %{name}.holder.at monotonic, align {align}\n  \
             %{name}.present = icmp ne i8 %{name}.exists, 0\n  \
             %{name}.ours = icmp eq {ip} %{name}.holder, {serial}\n  \
             %{name} = and i1 %{name}.present, %{name}.ours\n",
            exists_at = self.head(&format!("{name}.exists.at"), slot, EXISTS),
            holder_at = self.head(&format!("{name}.holder.at"), slot, HOLDER),
        )
    }

    /// Whether the slot at `slot` is in the initial state
    /// (`slic_is_initial`): live, and every value its initial one. Writes
    /// the instructions to `out`; returns the `i1`.
    pub fn is_initial(&self, out: &mut String, name: &str, slot: &str, initial: &[i64]) -> String {
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
        let i64p = &self.i64p;
        for (index, value) in initial.iter().enumerate() {
            let _ = writeln!(
                out,
                "  %{name}.value.at.{index} = getelementptr inbounds {}, {} {slot}, i32 0, i32 1, i32 {index}\n  \
                 %{name}.value.{index} = load i64, {i64p} %{name}.value.at.{index}\n  \
                 %{name}.same.{index} = icmp eq i64 %{name}.value.{index}, {value}\n  \
                 %{name}.{} = and i1 %{name}.{index}, %{name}.same.{index}",
                self.st,
                self.sp,
                index + 1
            );
        }
        format!("%{name}.{}", initial.len())
    }
}

/// The table of one `watch` rule and its functions: `select`, `changed`,
/// `changed_last`, `enter_held`, `walked`, `sweep` for the event functions,
/// and what they call.
pub fn table(out: &mut String, names: &Names, initial: &[i64], initial_text: &str) {
    let s = Spelling::new(names);
    let _ = write!(
        out,
        "{} = linkonce_odr global {} zeroinitializer\n{} = linkonce_odr thread_local global {} zeroinitializer\n",
        s.table, s.tt, s.mine, s.mt
    );
    begin(out, names, &s);
    entered(out, names, &s);
    enter(out, names, &s);
    leave(out, names, &s);
    probe(out, names, &s);
    full(out, names, &s);
    place(out, names, &s, initial_text);
    select(out, names, &s);
    select_slow(out, names, &s);
    super::instances::functions(out, names, &s, initial);
}

/// `slic_event_begin`: what the event keeps, from the thread's records.
fn begin(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        ep,
        sp,
        record,
        me,
        my_serial,
        ..
    } = s;
    let mut stores = String::new();
    for (field, value) in [
        (EVENT_ME, format!("{ip} %me")),
        (EVENT_RECORD, format!("{ip} %record")),
        (EVENT_SERIAL, format!("{ip} %serial")),
        (EVENT_ENTERED, format!("{ip} 0")),
        (EVENT_SLOT, format!("{sp} null")),
        (EVENT_INDEX, "i32 0".to_string()),
        (EVENT_INITIAL, "i8 0".to_string()),
        (EVENT_MORE, "i8 0".to_string()),
        (EVENT_OBJECT, format!("{ip} 0")),
        (EVENT_SELECTED, format!("{sp} null")),
        (EVENT_SELECTED_INDEX, "i32 0".to_string()),
        (EVENT_ALONE, "i8 0".to_string()),
    ] {
        let at = format!("f{field}.at");
        let ty = if field == EVENT_SLOT || field == EVENT_SELECTED {
            sp.as_str()
        } else {
            value.split(' ').next().unwrap_or("")
        };
        let pointer = names.context.target.ptr(ty);
        let _ = writeln!(
            stores,
            "  {}\n  store {value}, {pointer} %{at}",
            s.kept(&at, field)
        );
    }
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({ep} %touched) nounwind alwaysinline {{
entry:
  %me = load {ip}, {ipp} {me}, align {align}
  %record = load {ip}, {ipp} {record}, align {align}
  %serial = load {ip}, {ipp} {my_serial}, align {align}
{stores}  ret void
}}
",
        name = names.symbol("begin"),
    );
}

/// After code out of line entered the slot at `%key`: the event works on
/// it, and the thread has its record (`slic_entered`).
fn entered(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        ep,
        record,
        me,
        my_serial,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({ep} %touched, {ip} %key) nounwind alwaysinline {{
entry:
  {entered_at}
  store {ip} %key, {ipp} %entered.at
  %me = load {ip}, {ipp} {me}, align {align}
  {me_at}
  store {ip} %me, {ipp} %me.at
  %record = load {ip}, {ipp} {record}, align {align}
  {record_at}
  store {ip} %record, {ipp} %record.at
  %serial = load {ip}, {ipp} {my_serial}, align {align}
  {serial_kept}
  store {ip} %serial, {ipp} %serial.kept
  ret void
}}
",
        name = names.symbol("entered"),
        entered_at = s.kept("entered.at", EVENT_ENTERED),
        me_at = s.kept("me.at", EVENT_ME),
        record_at = s.kept("record.at", EVENT_RECORD),
        serial_kept = s.kept("serial.kept", EVENT_SERIAL),
    );
}

/// `slic_enter`: works on the slot, taking it over if another thread owns
/// it, until the thread enters another slot or leaves. Inline where the
/// event works on the slot already, or the thread owns it and needs no
/// fence (almost every event); otherwise `@T.enter.slow`.
fn enter(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        sp,
        ep,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({sp} %s, {ep} %touched) nounwind alwaysinline {{
entry:
  %key = ptrtoint {sp} %s to {ip}
{entered}  %working = icmp eq {ip} %entered, %key
  br i1 %working, label %done, label %check
check:
{me}  %fast = icmp ne {ip} %me, 0
  %fast.likely = call i1 {expect}(i1 %fast, i1 true)
  br i1 %fast.likely, label %try, label %slow
try:
  %busy.at = inttoptr {ip} %me to {ipp}
  store atomic {ip} %key, {ipp} %busy.at release, align {align}
  fence syncscope(\"singlethread\") seq_cst
  {owner_at}
  %owner = load atomic {ip}, {ipp} %owner.at acquire, align {align}
  %mine = icmp eq {ip} %owner, %me
  %mine.likely = call i1 {expect}(i1 %mine, i1 true)
  br i1 %mine.likely, label %mark, label %leave
mark:
  store {ip} %key, {ipp} %entered.at
  br label %done
leave:
  store atomic {ip} 0, {ipp} %busy.at release, align {align}
  br label %slow
slow:
  call void {slow}({ip} %key) nounwind
  call void {after}({ep} %touched, {ip} %key) nounwind
  br label %done
done:
  ret void
}}
",
        name = names.symbol("enter"),
        entered = s.load_kept("entered", EVENT_ENTERED, ip),
        me = s.load_kept("me", EVENT_ME, ip),
        owner_at = s.head("owner.at", "%s", OWNER),
        slow = names.context.threads("enter.slow"),
        after = names.symbol("entered"),
        expect = s.expect,
    );
}

/// `slic_leave`: the thread works on no slot.
fn leave(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip, align, ipp, ep, ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({ep} %touched) nounwind alwaysinline {{
entry:
{entered}  %working = icmp ne {ip} %entered, 0
  br i1 %working, label %leave, label %done
leave:
{record}{busy}  store atomic {ip} 0, {ipp} %busy release, align {align}
  store {ip} 0, {ipp} %entered.at
  br label %done
done:
  ret void
}}
",
        name = names.symbol("leave"),
        entered = s.load_kept("entered", EVENT_ENTERED, ip),
        record = s.load_kept("record", EVENT_RECORD, ip),
        busy = threads::field(names.context, "busy", "%record", BUSY),
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
/// slot never used, made initial, or earlier in the probe sequence the
/// slot of an object back in its initial state); entered on return, or -1
/// if the table is full (reported once).
fn place(out: &mut String, names: &Names, s: &Spelling, initial: &str) {
    let Spelling {
        ip,
        align,
        ipp,
        bp,
        sp,
        st,
        tt,
        tp,
        table,
        ..
    } = s;
    let values = format!("[{} x i64]", names.variables);
    let values_pointer = names.context.target.ptr(&values);
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
  %claim.key = ptrtoint {sp} %slot to {ip}
  call void {enter}({ip} %claim.key) nounwind
  br i1 %never, label %claim.fresh, label %done
claim.fresh:
  %values.at = getelementptr inbounds {st}, {sp} %slot, i32 0, i32 1
  store {values} {initial}, {values_pointer} %values.at
  {status_at}
  store i8 {LIVE}, {bp} %status.at
  store atomic i8 0, {bp} %exists.at monotonic, align 1
  store atomic {ip} %object, {ipp} %key.at release, align {align}
  br label %done
other:
  %other.exists = load atomic i8, {bp} %exists.at monotonic, align 1
  %free = icmp eq i8 %other.exists, 0
  br i1 %free, label %reuse, label %next
reuse:
  %reuse.slot = ptrtoint {sp} %slot to {ip}
  call void {enter}({ip} %reuse.slot) nounwind
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
  call void {leave}() nounwind
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
        status_at = s.head("status.at", "%slot", STATUS),
        enter = names.context.threads("enter.alone"),
        leave = names.context.threads("leave.alone"),
        step = step("at", "at.next"),
        full = names.symbol("full"),
    );
}

/// `slic_select`: the instance of the object, created (as this thread's)
/// if it does not exist, and entered; null if the table is full. Inline
/// where the object is the one the event selected last or in its first
/// slot (almost every event); otherwise `select.slow`, after leaving the
/// slot the event works on.
fn select(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        bp,
        sp,
        ep,
        sp_p,
        i32p,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr {sp} {name}({ip} %object, {ep} %touched) nounwind alwaysinline {{
entry:
{last}{selected}{selected_index}{entered}  %again = icmp eq {ip} %last, %object
  %known = icmp ne {sp} %selected, null
  %cached = and i1 %again, %known
  br i1 %cached, label %remembered, label %hashed
remembered:
  %selected.key = ptrtoint {sp} %selected to {ip}
  %working = icmp eq {ip} %entered, %selected.key
  br i1 %working, label %chosen.fast, label %look
hashed:
{hash}  {hashed}
  br label %look
look:
  %first.index = phi i32 [ %selected.index, %remembered ], [ %start, %hashed ]
  %first = phi {sp} [ %selected, %remembered ], [ %hashed.slot, %hashed ]
  {key_at}
  %key = load atomic {ip}, {ipp} %key.at acquire, align {align}
  %hit = icmp eq {ip} %key, %object
  %hit.likely = call i1 {expect}(i1 %hit, i1 true)
  br i1 %hit.likely, label %enter, label %slow
enter:
  call void {enter}({sp} %first, {ep} %touched) nounwind
  %key.again = load atomic {ip}, {ipp} %key.at monotonic, align {align}
  %same = icmp eq {ip} %key.again, %object
  %same.likely = call i1 {expect}(i1 %same, i1 true)
  br i1 %same.likely, label %chosen.fast, label %slow
chosen.fast:
  %fast.index = phi i32 [ %selected.index, %remembered ], [ %first.index, %enter ]
  %fast.s = phi {sp} [ %selected, %remembered ], [ %first, %enter ]
  br label %chosen
slow:
  call void {leave}({ep} %touched) nounwind
  %found = call i32 {slow}({ip} %object) nounwind
  %full = icmp slt i32 %found, 0
  br i1 %full, label %none, label %found.slot
none:
  ret {sp} null
found.slot:
  {found}
  %found.key = ptrtoint {sp} %found.at to {ip}
  call void {after}({ep} %touched, {ip} %found.key) nounwind
  br label %chosen
chosen:
  %index = phi i32 [ %fast.index, %chosen.fast ], [ %found, %found.slot ]
  %s = phi {sp} [ %fast.s, %chosen.fast ], [ %found.at, %found.slot ]
  store {ip} %object, {ipp} %last.at
  store {sp} %s, {sp_p} %selected.at
  store i32 %index, {i32p} %selected.index.at
  {exists_at}
  %exists = load atomic i8, {bp} %exists.at monotonic, align 1
  %absent = icmp eq i8 %exists, 0
  br i1 %absent, label %create, label %present
create:
  store atomic i8 1, {bp} %exists.at monotonic, align 1
{serial}  {holder_at}
  %holder = load atomic {ip}, {ipp} %holder.at monotonic, align {align}
  %ours = icmp eq {ip} %holder, %serial
  br i1 %ours, label %listed, label %claim
claim:
  store atomic {ip} %serial, {ipp} %holder.at monotonic, align {align}
  br label %listed
listed:
  %alone = call i1 {note}(i32 %index, {ip} %serial) nounwind
  %alone.byte = zext i1 %alone to i8
  {alone_at}
  store i8 %alone.byte, {bp} %alone.at
  %listed.kept = call i1 {touch}({ep} %touched, {sp} %s, i32 %index, i1 true, i1 false) nounwind
  br label %present
present:
  ret {sp} %s
}}
",
        name = names.symbol("select"),
        last = s.load_kept("last", EVENT_OBJECT, ip),
        selected = s.load_kept("selected", EVENT_SELECTED, sp),
        selected_index = s.load_kept("selected.index", EVENT_SELECTED_INDEX, "i32"),
        entered = s.load_kept("entered", EVENT_ENTERED, ip),
        hash = hash(s),
        hashed = s.slot("hashed.slot", "%start"),
        key_at = s.head("key.at", "%first", OBJECT),
        enter = names.symbol("enter"),
        leave = names.symbol("leave"),
        slow = names.symbol("select.slow"),
        found = s.slot("found.at", "%found"),
        after = names.symbol("entered"),
        exists_at = s.head("exists.at", "%s", EXISTS),
        serial = s.load_kept("serial", EVENT_SERIAL, ip),
        holder_at = s.head("holder.at", "%s", HOLDER),
        note = names.symbol("note"),
        touch = names.symbol("touch"),
        alone_at = s.kept("alone.at", EVENT_ALONE),
        expect = s.expect,
    );
}

/// `slic_select_slow`: the index of the slot of the object, entered, or -1
/// if the table is full. The caller has left the slot it worked on:
/// placing takes the table's lock, which a thread waiting for this one to
/// leave its slot may hold.
fn select_slow(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip, align, ipp, sp, ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr i32 {name}({ip} %object) nounwind noinline {{
entry:
  br label %loop
loop:
  %probed = call i32 {probe}({ip} %object) nounwind
  %missing = icmp slt i32 %probed, 0
  br i1 %missing, label %place, label %found
place:
  %placed = call i32 {place}({ip} %object) nounwind
  ret i32 %placed
found:
  {slot}
  %slot.key = ptrtoint {sp} %slot to {ip}
  call void {enter}({ip} %slot.key) nounwind
  {key_at}
  %key = load atomic {ip}, {ipp} %key.at monotonic, align {align}
  %same = icmp eq {ip} %key, %object
  br i1 %same, label %entered, label %moved
entered:
  ret i32 %probed
moved:
  call void {leave}() nounwind
  br label %loop
}}
",
        name = names.symbol("select.slow"),
        leave = names.context.threads("leave.alone"),
        probe = names.symbol("probe"),
        place = names.symbol("place"),
        enter = names.context.threads("enter.alone"),
        slot = s.slot("slot", "%probed"),
        key_at = s.head("key.at", "%slot", OBJECT),
    );
}
