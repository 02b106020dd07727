//! The instances a thread holds in a `watch` rule's table, as IR: the
//! C monitor's `object_table.h` again (`slic_note_mine`, `slic_changed`,
//! `slic_enter_held`, `slic_sweep` and what they call), on the table of
//! `object_table.rs`, whose `Spelling` names the types and symbols.
//!
//! The thread's list of the slots it holds is `@P.mine = { i32 count,
//! [MAX_OBJECTS x i32] }`, thread-local; what an event keeps (which slot
//! it touched, and whether that instance was initial) is the event
//! function's `%touched`.

use std::fmt::Write;

use super::body::Body;
use super::object_table::{
    EVENT_ALONE, EVENT_ENTERED, EVENT_INDEX, EVENT_INITIAL, EVENT_MORE, EVENT_SELECTED,
    EVENT_SELECTED_INDEX, EVENT_SERIAL, EVENT_SLOT, EXISTS, HOLDER, Spelling,
};
use super::rules::Names;
use crate::monitor::abi::MAX_OBJECTS;
use crate::monitor::initial::Outcome;

/// The functions of the thread's instances.
pub(super) fn functions(out: &mut String, names: &Names, s: &Spelling, initial: &[i64]) {
    forget_others(out, names, s);
    note(out, names, s);
    touch(out, names, s);
    changed(out, names, s, initial);
    changed_last(out, names, s);
    enter_held(out, names, s);
    walked(out, names, s);
    walk_needed(out, names, s);
    drop(out, names, s, initial);
    sweep(out, names, s);
}

/// `slic_forget_others`: drops the entries of the thread's list whose
/// instances are not the thread's, when the list is full.
fn forget_others(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        mt,
        mp,
        mine,
        i32p,
        ip,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({ip} %serial) nounwind noinline {{
entry:
  %count.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 0
  %count = load i32, {i32p} %count.at
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %step ]
  %kept = phi i32 [ 0, %entry ], [ %kept.next, %step ]
  %more = icmp ult i32 %i, %count
  br i1 %more, label %visit, label %done
visit:
  {at}
  %index = load i32, {i32p} %at
  {slot}
{mine_p}  br i1 %mine.p, label %keep, label %step
keep:
  {kept_at}
  store i32 %index, {i32p} %kept.at
  %kept.one = add i32 %kept, 1
  br label %step
step:
  %kept.next = phi i32 [ %kept, %visit ], [ %kept.one, %keep ]
  %i.next = add i32 %i, 1
  br label %loop
done:
  store i32 %kept, {i32p} %count.at
  ret void
}}
",
        name = names.symbol("forget_others"),
        at = s.entry("at", "%i"),
        slot = s.slot("s", "%index"),
        mine_p = s.is_mine("mine.p", "%s", "%serial"),
        kept_at = s.entry("kept.at", "%kept"),
    );
}

/// `slic_note_mine(index)`: adds a slot to the thread's list unless it is
/// there; a full list first forgets what is not the thread's. Returns
/// whether the list is that slot alone.
fn note(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        mt,
        mp,
        mine,
        i32p,
        ip,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr i1 {name}(i32 %index, {ip} %serial) nounwind {{
entry:
  %count.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 0
  %count = load i32, {i32p} %count.at
  %count.one = icmp eq i32 %count, 1
  br label %search
search:
  %i = phi i32 [ 0, %entry ], [ %i.next, %other ]
  %more = icmp ult i32 %i, %count
  br i1 %more, label %visit, label %append
visit:
  {seen_at}
  %seen = load i32, {i32p} %seen.at
  %known = icmp eq i32 %seen, %index
  br i1 %known, label %found, label %other
found:
  ret i1 %count.one
other:
  %i.next = add i32 %i, 1
  br label %search
append:
  %full = icmp eq i32 %count, {MAX_OBJECTS}
  br i1 %full, label %forget, label %room
forget:
  call void {forget}({ip} %serial) nounwind
  br label %room
room:
  %count.now = load i32, {i32p} %count.at
  %fits = icmp ult i32 %count.now, {MAX_OBJECTS}
  br i1 %fits, label %add, label %done
add:
  {added_at}
  store i32 %index, {i32p} %added.at
  %grown = add i32 %count.now, 1
  store i32 %grown, {i32p} %count.at
  %grown.one = icmp eq i32 %grown, 1
  ret i1 %grown.one
done:
  ret i1 false
}}
",
        name = names.symbol("note"),
        seen_at = s.entry("seen.at", "%i"),
        added_at = s.entry("added.at", "%count.now"),
        forget = names.symbol("forget_others"),
    );
}

/// `slic_touch`: the event touched slot `%s` (of index `%index`), whose
/// instance is or is not in its initial state; a second slot makes the
/// event check the whole list. Returns whether `%s` is the slot the event
/// keeps (not a second one). `%alone`: the event has touched no other slot
/// (its steps say so: `rules::SoFar`), so `%s` is the first.
fn touch(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        sp, ep, bp, i32p, ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr i1 {name}({ep} %touched, {sp} %s, i32 %index, i1 %initial, i1 %alone) nounwind alwaysinline {{
entry:
  {slot_at}
  %slot = load {sp}, {ptr_sp} %slot.at
  %same = icmp eq {sp} %slot, %s
  %none = icmp eq {sp} %slot, null
  %either = or i1 %same, %none
  %first = or i1 %either, %alone
  %first.likely = call i1 {expect}(i1 %first, i1 true)
  br i1 %first.likely, label %set, label %more
set:
  store {sp} %s, {ptr_sp} %slot.at
  {index_at}
  store i32 %index, {i32p} %index.at
  {initial_at}
  %initial.byte = zext i1 %initial to i8
  store i8 %initial.byte, {bp} %initial.at
  ret i1 true
more:
  {more_at}
  store i8 1, {bp} %more.at
  ret i1 false
}}
",
        name = names.symbol("touch"),
        expect = s.expect,
        ptr_sp = names.context.target.ptr(sp),
        slot_at = s.kept("slot.at", EVENT_SLOT),
        index_at = s.kept("index.at", EVENT_INDEX),
        initial_at = s.kept("initial.at", EVENT_INITIAL),
        more_at = s.kept("more.at", EVENT_MORE),
    );
}

/// `slic_changed`: after a handler changed an entered instance, it is this
/// thread's, and the event touched it; `%how` is what the handler returned
/// (`monitor::initial::Outcome`): whether the instance is back in its
/// initial state is read from the values only when the handler did not
/// know. Returns whether it is back in its initial state and the slot the
/// event keeps (what `changed_last` drops at once: said here, where the
/// compiler sees it, rather than read back from `%touched`). `%alone` as
/// `touch`'s.
fn changed(out: &mut String, names: &Names, s: &Spelling, initial: &[i64]) {
    let Spelling {
        ip,
        align,
        ipp,
        sp,
        st,
        tt,
        tp,
        table,
        ep,
        i32p,
        ..
    } = s;
    let mut is_initial = String::new();
    let initial = s.is_initial(&mut is_initial, "initial", "%s", initial);
    let _ = write!(
        out,
        "
define linkonce_odr i1 {name}({sp} %s, {ep} %touched, i8 %how, i1 %alone) nounwind alwaysinline {{
entry:
  {selected_at}
  %selected = load {sp}, {ptr_sp} %selected.at
  %known = icmp eq {sp} %selected, %s
  br i1 %known, label %cached, label %divide
cached:
  {selected_index_at}
  %selected.index = load i32, {i32p} %selected.index.at
  br label %have
divide:
  %first = getelementptr inbounds {tt}, {tp} {table}, i32 0, i32 2, i32 0
  %at = ptrtoint {sp} %s to {ip}
  %base = ptrtoint {sp} %first to {ip}
  %offset = sub {ip} %at, %base
  %size = ptrtoint {sp} getelementptr ({st}, {sp} null, i32 1) to {ip}
{divide}  br label %have
have:
  %index = phi i32 [ %selected.index, %cached ], [ %divided, %divide ]
{serial}  {holder_at}
  %holder = load atomic {ip}, {ipp} %holder.at monotonic, align {align}
  %ours = icmp eq {ip} %holder, %serial
  br i1 %ours, label %touch, label %take
take:
  store atomic {ip} %serial, {ipp} %holder.at monotonic, align {align}
  %noted = call i1 {note}(i32 %index, {ip} %serial) nounwind
  br label %touch
touch:
  %unknown = icmp eq i8 %how, {some}
  br i1 %unknown, label %how.compare, label %how.known
how.compare:
{is_initial}  br label %how.decided
how.known:
  %back = icmp eq i8 %how, {back}
  br label %how.decided
how.decided:
  %now.initial = phi i1 [ {initial}, %how.compare ], [ %back, %how.known ]
  %kept = call i1 {touch}({ep} %touched, {sp} %s, i32 %index, i1 %now.initial, i1 %alone) nounwind
  %settled = and i1 %kept, %now.initial
  ret i1 %settled
}}
",
        name = names.symbol("changed"),
        ptr_sp = names.context.target.ptr(sp),
        selected_at = s.kept("selected.at", EVENT_SELECTED),
        selected_index_at = s.kept("selected.index.at", EVENT_SELECTED_INDEX),
        divide = if ip == "i32" {
            "  %divided = udiv i32 %offset, %size\n".to_string()
        } else {
            format!("  %wide = udiv {ip} %offset, %size\n  %divided = trunc {ip} %wide to i32\n")
        },
        serial = s.load_kept("serial", EVENT_SERIAL, ip),
        holder_at = s.head("holder.at", "%s", HOLDER),
        note = names.symbol("note"),
        touch = names.symbol("touch"),
        some = Outcome::Unknown.code(),
        back = Outcome::Initial.code(),
    );
}

/// `slic_changed_last`: `changed`, where no later step of the event walks
/// the thread's instances: an instance back in its initial state stops
/// existing at once.
fn changed_last(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling { sp, ep, bp, .. } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({sp} %s, {ep} %touched, i8 %how, i1 %alone) nounwind alwaysinline {{
entry:
  %drop = call i1 {changed}({sp} %s, {ep} %touched, i8 %how, i1 %alone) nounwind
  br i1 %drop, label %gone, label %done
gone:
  {exists_at}
  store atomic i8 0, {bp} %exists.at monotonic, align 1
  {initial_at}
  store i8 0, {bp} %initial.at
  br label %done
done:
  ret void
}}
",
        name = names.symbol("changed_last"),
        changed = names.symbol("changed"),
        initial_at = s.kept("initial.at", EVENT_INITIAL),
        exists_at = s.head("exists.at", "%s", EXISTS),
    );
}

/// `slic_enter_held`: enters the slot of entry `%i` of the thread's list
/// and returns it, keeping the entry at `*%kept`, if its instance is still
/// the thread's; null, dropping the entry, otherwise. A slot the event
/// works on already is not checked before it is entered.
fn enter_held(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ip,
        align,
        ipp,
        bp,
        sp,
        ep,
        i32p,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr {sp} {name}(i32 %i, {i32p} %kept, {ep} %touched) nounwind alwaysinline {{
entry:
  {index_at}
  %index = load i32, {i32p} %index.at
  {slot}
  %key = ptrtoint {sp} %s to {ip}
{serial}{entered}  %working = icmp eq {ip} %entered, %key
  br i1 %working, label %check, label %before
before:
{mine_p}  br i1 %mine.p, label %enter, label %no
enter:
  call void {enter}({sp} %s, {ep} %touched) nounwind
  br label %check
check:
  {exists_at}
  %exists = load atomic i8, {bp} %exists.at monotonic, align 1
  {holder_at}
  %holder = load atomic {ip}, {ipp} %holder.at monotonic, align {align}
  %present = icmp ne i8 %exists, 0
  %ours = icmp eq {ip} %holder, %serial
  %held = and i1 %present, %ours
  br i1 %held, label %keep, label %leave
keep:
  %k = load i32, {i32p} %kept
  %moved = icmp ne i32 %k, %i
  br i1 %moved, label %move, label %kept.next
move:
  {moved_at}
  store i32 %index, {i32p} %moved.at
  br label %kept.next
kept.next:
  %k.next = add i32 %k, 1
  store i32 %k.next, {i32p} %kept
  ret {sp} %s
leave:
  call void {leave}({ep} %touched) nounwind
  br label %no
no:
  ret {sp} null
}}
",
        name = names.symbol("enter_held"),
        index_at = s.entry("index.at", "%i"),
        slot = s.slot("s", "%index"),
        serial = s.load_kept("serial", EVENT_SERIAL, ip),
        entered = s.load_kept("entered", EVENT_ENTERED, ip),
        mine_p = s.is_mine("mine.p", "%s", "%serial"),
        enter = names.symbol("enter"),
        exists_at = s.head("exists.at", "%s", EXISTS),
        holder_at = s.head("holder.at", "%s", HOLDER),
        moved_at = s.entry("moved.at", "%k"),
        leave = names.symbol("leave"),
    );
}

/// The end of a walk of the thread's list, `%n` entries long: the list
/// keeps the `*%kept` entries `enter_held` kept.
fn walked(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        mt, mp, mine, i32p, ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}(i32 %n, {i32p} %kept) nounwind alwaysinline {{
entry:
  %k = load i32, {i32p} %kept
  %dropped = icmp ne i32 %k, %n
  br i1 %dropped, label %shrink, label %done
shrink:
  %count.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 0
  store i32 %k, {i32p} %count.at
  br label %done
done:
  ret void
}}
",
        name = names.symbol("walked"),
    );
}

/// `slic_walk_needed`: whether a walk with a handler that can do nothing to
/// an instance in its initial state may find one it acts on; not when the
/// thread's list holds only the slot of the instance the event created,
/// untouched since (the C monitor's comment says why `alone`, `initial`
/// and not `more` tell).
fn walk_needed(out: &mut String, names: &Names, s: &Spelling) {
    let ep = &s.ep;
    let _ = write!(
        out,
        "
define linkonce_odr i1 {name}({ep} %touched) nounwind alwaysinline {{
entry:
{alone}{initial}{more}  %was.alone = icmp ne i8 %alone, 0
  %was.initial = icmp ne i8 %initial, 0
  %one = icmp eq i8 %more, 0
  %fresh = and i1 %was.alone, %was.initial
  %skip = and i1 %fresh, %one
  %walk = xor i1 %skip, true
  ret i1 %walk
}}
",
        name = names.symbol("walk_needed"),
        alone = s.load_kept("alone", EVENT_ALONE, "i8"),
        initial = s.load_kept("initial", EVENT_INITIAL, "i8"),
        more = s.load_kept("more", EVENT_MORE, "i8"),
    );
}

/// `slic_drop_if_initial(index)`: the instance of the slot, if it is the
/// thread's and back in its initial state, no longer exists. The slot is
/// left entered.
fn drop(out: &mut String, names: &Names, s: &Spelling, initial: &[i64]) {
    let Spelling {
        sp,
        bp,
        ip,
        ipp,
        align,
        ep,
        ..
    } = s;
    let mut is_initial = String::new();
    let initial = s.is_initial(&mut is_initial, "initial", "%s", initial);
    let _ = write!(
        out,
        "
define linkonce_odr void {name}(i32 %index, {ep} %touched) nounwind alwaysinline {{
entry:
  {slot}
{serial}{mine_p}  br i1 %mine.p, label %enter, label %done
enter:
  call void {enter}({sp} %s, {ep} %touched) nounwind
  {exists_at}
  %exists = load atomic i8, {bp} %exists.at monotonic, align 1
  {holder_at}
  %holder = load atomic {ip}, {ipp} %holder.at monotonic, align {align}
  %present = icmp ne i8 %exists, 0
  %ours = icmp eq {ip} %holder, %serial
  %held = and i1 %present, %ours
  br i1 %held, label %check, label %done
check:
{is_initial}  br i1 {initial}, label %gone, label %done
gone:
  store atomic i8 0, {bp} %exists.at monotonic, align 1
  br label %done
done:
  ret void
}}
",
        name = names.symbol("drop"),
        slot = s.slot("s", "%index"),
        serial = s.load_kept("serial", EVENT_SERIAL, ip),
        mine_p = s.is_mine("mine.p", "%s", "%serial"),
        enter = names.symbol("enter"),
        exists_at = s.head("exists.at", "%s", EXISTS),
        holder_at = s.head("holder.at", "%s", HOLDER),
    );
}

/// `slic_sweep` and the end of the event: the slot the event touched, or
/// the whole list; then the thread leaves the slot it works on.
fn sweep(out: &mut String, names: &Names, s: &Spelling) {
    let Spelling {
        ep,
        bp,
        mt,
        mp,
        mine,
        i32p,
        ..
    } = s;
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({ep} %touched) nounwind alwaysinline {{
entry:
  {more_at}
  %more = load i8, {bp} %more.at
  %one = icmp eq i8 %more, 0
  %one.likely = call i1 {expect}(i1 %one, i1 true)
  br i1 %one.likely, label %touched.one, label %all
touched.one:
  {initial_at}
  %initial = load i8, {bp} %initial.at
  %check = icmp ne i8 %initial, 0
  br i1 %check, label %drop.one, label %end
drop.one:
  {index_at}
  %index = load i32, {i32p} %index.at
  call void {drop}(i32 %index, {ep} %touched) nounwind
  br label %end
all:
  %count.at = getelementptr inbounds {mt}, {mp} {mine}, i32 0, i32 0
  %count = load i32, {i32p} %count.at
  br label %loop
loop:
  %i = phi i32 [ 0, %all ], [ %i.next, %visit ]
  %left = icmp ult i32 %i, %count
  br i1 %left, label %visit, label %end
visit:
  {entry_at}
  %entry.index = load i32, {i32p} %entry.at
  call void {drop}(i32 %entry.index, {ep} %touched) nounwind
  %i.next = add i32 %i, 1
  br label %loop
end:
  call void {leave}({ep} %touched) nounwind
  ret void
}}
",
        name = names.symbol("sweep"),
        expect = s.expect,
        more_at = s.kept("more.at", EVENT_MORE),
        initial_at = s.kept("initial.at", EVENT_INITIAL),
        index_at = s.kept("index.at", EVENT_INDEX),
        drop = names.symbol("drop"),
        entry_at = s.entry("entry.at", "%i"),
        leave = names.symbol("leave"),
    );
}

/// How many slots the thread's list holds, as an `i32` value.
pub fn mine_count(body: &mut Body, names: &Names) -> String {
    let s = Spelling::new(names);
    let at = body.value(format_args!(
        "getelementptr inbounds {}, {} {}, i32 0, i32 0",
        s.mt, s.mp, s.mine
    ));
    body.value(format_args!("load i32, {} {at}", s.i32p))
}
