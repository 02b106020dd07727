//! The part of the monitor every rule shares: the report structures, the
//! report text (`slic_format`, byte for byte the C monitor's), the weak
//! default `slic_report` (print to stderr, then `abort()` unless
//! `SLIC_ON_VIOLATION=continue`), and the functions rules call on a
//! violation or a full table.
//!
//! `struct slic_site` and `struct slic_violation` are the C header's
//! (`src/monitor/c/`, `header`): user code reads them in its own
//! `slic_report`, so the IR structures have the same fields in the same
//! order, and LLVM lays them out as C does on every target.

use std::fmt::Write;

use super::body::Body;
use super::{Context, External, string_constant};
use crate::monitor::abi::{
    DRIVER_DEPTH, DRIVER_ENTER, DRIVER_EXIT, DRIVER_STARTED, ON_VIOLATION_VARIABLE, REPORT_BUFFER,
    TABLE_FULL, TABLE_FULL_MESSAGE,
};

/// The structure types, defined in every woven module.
pub fn types(context: &Context) -> String {
    let target = context.target;
    let byte = target.ptr("i8");
    format!(
        "%slic.site = type {{ {byte}, i32, i32, {byte} }}\n\
         %slic.violation = type {{ i32, {byte}, i32, i32, {byte}, {byte}, {byte}, {}, {} }}\n",
        target.ptr("%slic.site"),
        target.intptr()
    )
}

/// The intrinsic that tells LLVM which way a branch usually goes.
pub const EXPECT: &str = "llvm.expect.i1";

/// The shared functions. `prefix` names them (`slic.rt.<hash>`); the
/// caller hashes this text to choose it. With `tables` (a rule has
/// `watch`), the thread records the object tables use.
pub fn functions(context: &Context, externals: &mut Vec<External>, tables: bool) -> String {
    let mut out = String::new();
    let strings = Strings { context };
    put(&mut out, context);
    put_number(&mut out, context);
    report_entry(&mut out, context, &strings, tables);
    format(&mut out, context, &strings);
    if !context.user_defines("slic_report") {
        report(&mut out, context, &strings, externals);
    }
    let _ = writeln!(
        out,
        "{} = linkonce_odr global i32 -1",
        context.runtime("on_violation")
    );
    // The thread an event happens on is the address of this byte (the C
    // monitor's `slic_thread_identity`): one symbol for all woven modules.
    out.push_str("@slic.thread = linkonce_odr thread_local global i8 0\n");
    driver_count(&mut out, context);
    if tables {
        out.push_str(&super::threads::functions(context, externals));
        // What an event marks as rare: the walk of the thread's instances
        // (`rules.rs`), whose code then stays out of the common path's
        // registers.
        context.external(externals, EXPECT, "i1", &["i1", "i1"]);
    }
    strings.definitions(&mut out);
    out
}

/// The count of the driver's routines running on the thread, and the
/// functions woven code calls around each (the C monitor's, under the same
/// names and types: see `abi::DRIVER_ENTER`; `slic_driver_started` is a
/// `uintptr_t`, written only while it is 0, so threads do not contend for
/// its line).
fn driver_count(out: &mut String, context: &Context) {
    let target = context.target;
    let pointer = target.ptr("i32");
    let started = target.intptr();
    let started_pointer = target.ptr(&started);
    let align = target.pointer_bits / 8;
    let _ = write!(
        out,
        "@{DRIVER_DEPTH} = linkonce_odr thread_local global i32 0, align 4\n\
         @{DRIVER_STARTED} = linkonce_odr global {started} 0, align {align}\n\n\
         define linkonce_odr void @{DRIVER_ENTER}() nounwind {{\nentry:\n  \
         %depth = load i32, {pointer} @{DRIVER_DEPTH}\n  \
         %more = add i32 %depth, 1\n  \
         store i32 %more, {pointer} @{DRIVER_DEPTH}\n  \
         %started = load atomic {started}, {started_pointer} @{DRIVER_STARTED} monotonic, align {align}\n  \
         %first = icmp eq {started} %started, 0\n  \
         br i1 %first, label %start, label %done\n\
         start:\n  \
         store atomic {started} 1, {started_pointer} @{DRIVER_STARTED} monotonic, align {align}\n  \
         br label %done\n\
         done:\n  ret void\n}}\n\n\
         define linkonce_odr void @{DRIVER_EXIT}() nounwind {{\nentry:\n  \
         %depth = load i32, {pointer} @{DRIVER_DEPTH}\n  \
         %inside = icmp ne i32 %depth, 0\n  \
         %less = sub i32 %depth, 1\n  \
         %new = select i1 %inside, i32 %less, i32 0\n  \
         store i32 %new, {pointer} @{DRIVER_DEPTH}\n  ret void\n}}\n"
    );
}

/// The runtime's own strings, named after their text's position in
/// `TEXTS` so the names do not depend on the module.
struct Strings<'a> {
    context: &'a Context<'a>,
}

const TEXTS: &[&str] = &[
    "slic: monitor table full for ",
    ": ",
    " (raise SLIC_MAX_OBJECTS)\n",
    "slic: violation of ",
    " (",
    "0x",
    "n/a",
    "): ",
    "\n --> ",
    ":",
    "<unknown>",
    " in ",
    ")\n rule: ",
    "\n",
    "",
    TABLE_FULL_MESSAGE,
    ON_VIOLATION_VARIABLE,
    "0123456789ABCDEF",
];

impl Strings<'_> {
    /// `i8*`/`ptr` operand of one of `TEXTS`.
    fn operand(&self, text: &str) -> String {
        let index = TEXTS
            .iter()
            .position(|t| *t == text)
            .unwrap_or_else(|| panic!("runtime text {text:?} is not in TEXTS"));
        self.context.string_operand(&self.name(index), text)
    }

    fn name(&self, index: usize) -> String {
        self.context.runtime(&format!("text.{index}"))
    }

    fn definitions(&self, out: &mut String) {
        for (index, text) in TEXTS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}",
                string_constant(&self.name(index), text, "linkonce_odr")
            );
        }
    }
}

/// `put(buffer, size, &at, text)`: appends to a bounded buffer, counting
/// what did not fit, and keeps it terminated (the C monitor's `slic_put`).
fn put(out: &mut String, context: &Context) {
    let b = context.target.ptr("i8");
    let i = context.target.ptr("i32");
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({b} %buffer, i32 %size, {i} %at, {b} %text) nounwind {{
entry:
  br label %loop
loop:
  %t = phi {b} [ %text, %entry ], [ %t.next, %stored ]
  %c = load i8, {b} %t
  %end = icmp eq i8 %c, 0
  br i1 %end, label %finish, label %char
char:
  %pos = load i32, {i} %at
  %pos.next = add i32 %pos, 1
  %fits = icmp ult i32 %pos.next, %size
  br i1 %fits, label %write, label %stored
write:
  %pos.wide = zext i32 %pos to i64
  %destination = getelementptr inbounds i8, {b} %buffer, i64 %pos.wide
  store i8 %c, {b} %destination
  br label %stored
stored:
  store i32 %pos.next, {i} %at
  %t.next = getelementptr inbounds i8, {b} %t, i64 1
  br label %loop
finish:
  %has.size = icmp ne i32 %size, 0
  br i1 %has.size, label %terminate, label %done
terminate:
  %end.at = load i32, {i} %at
  %inside = icmp ult i32 %end.at, %size
  %last = sub i32 %size, 1
  %index = select i1 %inside, i32 %end.at, i32 %last
  %index.wide = zext i32 %index to i64
  %nul = getelementptr inbounds i8, {b} %buffer, i64 %index.wide
  store i8 0, {b} %nul
  br label %done
done:
  ret void
}}
",
        name = context.runtime("put"),
    );
}

/// `put_number(buffer, size, &at, value, base, width)`: the digits of an
/// unsigned value, at least `width` of them (`slic_put_number`).
fn put_number(out: &mut String, context: &Context) {
    let b = context.target.ptr("i8");
    let i = context.target.ptr("i32");
    let digits = context.target.ptr("[24 x i8]");
    let one = context.target.ptr("[2 x i8]");
    let glyphs = context.target.ptr("[17 x i8]");
    let _ = write!(
        out,
        "
define linkonce_odr void {name}({b} %buffer, i32 %size, {i} %at, i64 %value, i32 %base, i32 %width) nounwind {{
entry:
  %digits = alloca [24 x i8], align 1
  %one = alloca [2 x i8], align 1
  %base.wide = zext i32 %base to i64
  br label %convert
convert:
  %n = phi i32 [ 0, %entry ], [ %n.next, %convert ]
  %rest = phi i64 [ %value, %entry ], [ %quotient, %convert ]
  %digit = urem i64 %rest, %base.wide
  %glyph.at = getelementptr inbounds [17 x i8], {glyphs} {table}, i64 0, i64 %digit
  %glyph = load i8, {b} %glyph.at
  %n.wide = zext i32 %n to i64
  %slot = getelementptr inbounds [24 x i8], {digits} %digits, i64 0, i64 %n.wide
  store i8 %glyph, {b} %slot
  %n.next = add i32 %n, 1
  %quotient = udiv i64 %rest, %base.wide
  %nonzero = icmp ne i64 %quotient, 0
  %room = icmp ult i32 %n.next, 24
  %again = and i1 %nonzero, %room
  br i1 %again, label %convert, label %pad
pad:
  %m = phi i32 [ %n.next, %convert ], [ %m.next, %zero ]
  %short = icmp ult i32 %m, %width
  %room.left = icmp ult i32 %m, 24
  %more = and i1 %short, %room.left
  br i1 %more, label %zero, label %emit
zero:
  %m.wide = zext i32 %m to i64
  %zero.slot = getelementptr inbounds [24 x i8], {digits} %digits, i64 0, i64 %m.wide
  store i8 48, {b} %zero.slot
  %m.next = add i32 %m, 1
  br label %pad
emit:
  %k = phi i32 [ %m, %pad ], [ %k.next, %write ]
  %left = icmp ne i32 %k, 0
  br i1 %left, label %write, label %done
write:
  %k.next = sub i32 %k, 1
  %k.wide = zext i32 %k.next to i64
  %digit.slot = getelementptr inbounds [24 x i8], {digits} %digits, i64 0, i64 %k.wide
  %d = load i8, {b} %digit.slot
  %first = getelementptr inbounds [2 x i8], {one} %one, i64 0, i64 0
  store i8 %d, {b} %first
  %second = getelementptr inbounds [2 x i8], {one} %one, i64 0, i64 1
  store i8 0, {b} %second
  call void {put}({b} %buffer, i32 %size, {i} %at, {b} %first) nounwind
  br label %emit
done:
  ret void
}}
",
        name = context.runtime("put_number"),
        put = context.runtime("put"),
        table = context.runtime(&format!(
            "text.{}",
            TEXTS.iter().position(|t| *t == "0123456789ABCDEF").unwrap()
        )),
    );
}

/// `violation(...)` and `table_full(...)`: fill a `struct slic_violation`
/// and call `slic_report` (`slic_violation`, `slic_table_full`).
fn report_entry(out: &mut String, context: &Context, strings: &Strings, tables: bool) {
    let target = context.target;
    let b = target.ptr("i8");
    let site = context.site_pointer();
    let violation = target.ptr("%slic.violation");
    let report = context.function_ref("slic_report", "void", &[&violation]);
    let fill = |body: &mut Body, values: [String; 9], restore: bool| {
        let types = [
            "i32".to_string(),
            b.clone(),
            "i32".to_string(),
            "i32".to_string(),
            b.clone(),
            b.clone(),
            b.clone(),
            site.clone(),
            target.intptr(),
        ];
        for (field, (ty, value)) in types.iter().zip(values).enumerate() {
            let at = body.value(format_args!(
                "getelementptr inbounds %slic.violation, {violation} %v, i32 0, i32 {field}"
            ));
            body.line(format_args!("store {ty} {value}, {} {at}", target.ptr(ty)));
        }
        if !restore {
            body.line(format_args!("call void {report}({violation} %v) nounwind"));
            body.line("ret void");
            return;
        }
        // A program's `slic_report` may make events of its own on this
        // thread (it calls the driver): they leave the slot the reporting
        // event works on, which the thread then takes again.
        let ip = target.intptr();
        let ipp = target.ptr(&ip);
        let record = context.threads("record");
        let working = body.value(format_args!("load {ip}, {ipp} {record}"));
        let busy_at = body.value(format_args!("inttoptr {ip} {working} to {ipp}"));
        let load_busy = |body: &mut Body| {
            body.value(format_args!(
                "load atomic {ip}, {ipp} {busy_at} monotonic, align {}",
                target.pointer_bits / 8
            ))
        };
        let has = body.value(format_args!("icmp ne {ip} {working}, 0"));
        body.line(format_args!("br i1 {has}, label %read, label %report"));
        body.label("read");
        let busy = load_busy(body);
        body.line("br label %report");
        body.label("report");
        let slot = body.value(format_args!("phi {ip} [ {busy}, %read ], [ 0, %entry ]"));
        body.line(format_args!("call void {report}({violation} %v) nounwind"));
        let was = body.value(format_args!("icmp ne {ip} {slot}, 0"));
        body.line(format_args!("br i1 {was}, label %again, label %done"));
        body.label("again");
        let now = load_busy(body);
        let left = body.value(format_args!("icmp ne {ip} {now}, {slot}"));
        body.line(format_args!("br i1 {left}, label %enter, label %done"));
        body.label("enter");
        body.line(format_args!(
            "call void {}({ip} {slot}) nounwind",
            context.threads("enter.slow")
        ));
        body.line("br label %done");
        body.label("done");
        body.line("ret void");
    };
    let object = |body: &mut Body| {
        if target.pointer_bits >= 64 {
            "%object".to_string()
        } else {
            body.value(format_args!("trunc i64 %object to {}", target.intptr()))
        }
    };

    let mut body = Body::default();
    body.line("%v = alloca %slic.violation");
    let value = object(&mut body);
    fill(
        &mut body,
        [
            "%kind".into(),
            "%rule".into(),
            "%has_id".into(),
            "%id".into(),
            "%message".into(),
            "%location".into(),
            "%event".into(),
            "%site".into(),
            value,
        ],
        tables,
    );
    let _ = write!(
        out,
        "\ndefine linkonce_odr void {}(i32 %kind, {b} %rule, i32 %has_id, i32 %id, {b} %message, {b} %location, {b} %event, {site} %site, i64 %object) nounwind noinline cold {{\nentry:\n{}}}\n",
        context.runtime("violation"),
        body.text
    );

    let mut body = Body::default();
    body.line("%v = alloca %slic.violation");
    let value = object(&mut body);
    let empty = strings.operand("");
    let strip = |operand: String| operand.split_once(' ').map(|(_, v)| v.to_string()).unwrap();
    fill(
        &mut body,
        [
            TABLE_FULL.to_string(),
            "%rule".into(),
            "%has_id".into(),
            "%id".into(),
            strip(strings.operand(TABLE_FULL_MESSAGE)),
            strip(empty.clone()),
            strip(empty),
            "null".into(),
            value,
        ],
        false,
    );
    let _ = write!(
        out,
        "\ndefine linkonce_odr void {}({b} %rule, i32 %has_id, i32 %id, i64 %object) nounwind {{\nentry:\n{}}}\n",
        context.runtime("table_full"),
        body.text
    );
}

/// `int slic_format(const struct slic_violation *, char *, unsigned)`.
fn format(out: &mut String, context: &Context, strings: &Strings) {
    if context.user_defines("slic_format") {
        return;
    }
    let target = context.target;
    let b = target.ptr("i8");
    let i = target.ptr("i32");
    let violation = target.ptr("%slic.violation");
    let site = context.site_pointer();
    let put = context.runtime("put");
    let number = context.runtime("put_number");
    let mut body = Body::default();
    let text = |body: &mut Body, text: &str| {
        body.line(format_args!(
            "call void {put}({b} %buffer, i32 %size, {i} %at, {}) nounwind",
            strings.operand(text)
        ));
    };
    let value = |body: &mut Body, value: &str| {
        body.line(format_args!(
            "call void {put}({b} %buffer, i32 %size, {i} %at, {b} {value}) nounwind"
        ));
    };
    let field = |body: &mut Body, index: u32, ty: &str| {
        let at = body.value(format_args!(
            "getelementptr inbounds %slic.violation, {violation} %v, i32 0, i32 {index}"
        ));
        body.value(format_args!("load {ty}, {} {at}", target.ptr(ty)))
    };
    let site_field = |body: &mut Body, site_value: &str, index: u32, ty: &str| {
        let at = body.value(format_args!(
            "getelementptr inbounds %slic.site, {site} {site_value}, i32 0, i32 {index}"
        ));
        body.value(format_args!("load {ty}, {} {at}", target.ptr(ty)))
    };
    body.line("%at = alloca i32");
    body.line(format_args!("store i32 0, {i} %at"));
    body.line("%has.size = icmp ne i32 %size, 0");
    body.line("br i1 %has.size, label %clear, label %start");
    body.label("clear");
    body.line(format_args!("store i8 0, {b} %buffer"));
    body.line("br label %start");
    body.label("start");
    let kind = field(&mut body, 0, "i32");
    let rule = field(&mut body, 1, &b);
    let message = field(&mut body, 4, &b);
    let full = body.value(format_args!("icmp eq i32 {kind}, {TABLE_FULL}"));
    body.line(format_args!("br i1 {full}, label %full, label %violation"));
    body.label("full");
    text(&mut body, "slic: monitor table full for ");
    value(&mut body, &rule);
    text(&mut body, ": ");
    value(&mut body, &message);
    text(&mut body, " (raise SLIC_MAX_OBJECTS)\n");
    let length = body.value(format_args!("load i32, {i} %at"));
    body.line(format_args!("ret i32 {length}"));
    body.label("violation");
    text(&mut body, "slic: violation of ");
    value(&mut body, &rule);
    text(&mut body, " (");
    let has_id = field(&mut body, 2, "i32");
    let with_id = body.value(format_args!("icmp ne i32 {has_id}, 0"));
    body.line(format_args!("br i1 {with_id}, label %id, label %no.id"));
    body.label("id");
    text(&mut body, "0x");
    let id = field(&mut body, 3, "i32");
    let wide = body.value(format_args!("zext i32 {id} to i64"));
    body.line(format_args!(
        "call void {number}({b} %buffer, i32 %size, {i} %at, i64 {wide}, i32 16, i32 8) nounwind"
    ));
    body.line("br label %after.id");
    body.label("no.id");
    text(&mut body, "n/a");
    body.line("br label %after.id");
    body.label("after.id");
    text(&mut body, "): ");
    value(&mut body, &message);
    text(&mut body, "\n --> ");
    let site_value = field(&mut body, 7, &site);
    let has_site = body.value(format_args!("icmp ne {site} {site_value}, null"));
    body.line(format_args!(
        "br i1 {has_site}, label %file, label %unknown"
    ));
    body.label("file");
    let file = site_field(&mut body, &site_value, 0, &b);
    let has_file = body.value(format_args!("icmp ne {b} {file}, null"));
    body.line(format_args!(
        "br i1 {has_file}, label %known, label %unknown"
    ));
    body.label("known");
    value(&mut body, &file);
    text(&mut body, ":");
    let line = site_field(&mut body, &site_value, 1, "i32");
    let line = body.value(format_args!("zext i32 {line} to i64"));
    body.line(format_args!(
        "call void {number}({b} %buffer, i32 %size, {i} %at, i64 {line}, i32 10, i32 1) nounwind"
    ));
    text(&mut body, ":");
    let column = site_field(&mut body, &site_value, 2, "i32");
    let column = body.value(format_args!("zext i32 {column} to i64"));
    body.line(format_args!(
        "call void {number}({b} %buffer, i32 %size, {i} %at, i64 {column}, i32 10, i32 1) nounwind"
    ));
    body.line("br label %place");
    body.label("unknown");
    text(&mut body, "<unknown>");
    body.line("br label %place");
    body.label("place");
    text(&mut body, " in ");
    body.line(format_args!(
        "br i1 {has_site}, label %function, label %no.function"
    ));
    body.label("function");
    let function = site_field(&mut body, &site_value, 3, &b);
    let has_function = body.value(format_args!("icmp ne {b} {function}, null"));
    body.line(format_args!(
        "br i1 {has_function}, label %named, label %no.function"
    ));
    body.label("named");
    value(&mut body, &function);
    body.line("br label %event");
    body.label("no.function");
    text(&mut body, "<unknown>");
    body.line("br label %event");
    body.label("event");
    text(&mut body, " (");
    let event = field(&mut body, 6, &b);
    value(&mut body, &event);
    text(&mut body, ")\n rule: ");
    let location = field(&mut body, 5, &b);
    value(&mut body, &location);
    text(&mut body, "\n");
    let length = body.value(format_args!("load i32, {i} %at"));
    body.line(format_args!("ret i32 {length}"));
    let _ = write!(
        out,
        "\ndefine linkonce_odr i32 @slic_format({violation} %v, {b} %buffer, i32 %size) nounwind {{\nentry:\n{}}}\n",
        body.text
    );
}

/// The default `slic_report`, weak so a program's own wins.
fn report(out: &mut String, context: &Context, strings: &Strings, externals: &mut Vec<External>) {
    let target = context.target;
    let b = target.ptr("i8");
    let violation = target.ptr("%slic.violation");
    let fputs = context.external(externals, "fputs", "i32", &[&b, &b]);
    let fflush = context.external(externals, "fflush", "i32", &[&b]);
    let getenv = context.external(externals, "getenv", &b, &[&b]);
    let abort = context.external(externals, "abort", "void", &[]);
    let mut body = Body::default();
    let text_type = format!("[{REPORT_BUFFER} x i8]");
    body.line(format_args!("%text = alloca {text_type}, align 1"));
    let buffer = body.value(format_args!(
        "getelementptr inbounds {text_type}, {} %text, i64 0, i64 0",
        target.ptr(&text_type)
    ));
    let format = context.function_ref("slic_format", "i32", &[&violation, &b, "i32"]);
    body.value(format_args!(
        "call i32 {format}({violation} %v, {b} {buffer}, i32 {REPORT_BUFFER}) nounwind"
    ));
    let stream = match target.stderr_global() {
        Some(name) => {
            let global = context.external_global(externals, name, &b);
            body.value(format_args!("load {b}, {} {global}", target.ptr(&b)))
        }
        None => {
            let iob = context.external(externals, "__acrt_iob_func", &b, &["i32"]);
            body.value(format_args!("call {b} {iob}(i32 2) nounwind"))
        }
    };
    body.value(format_args!(
        "call i32 {fputs}({b} {buffer}, {b} {stream}) nounwind"
    ));
    body.value(format_args!("call i32 {fflush}({b} {stream}) nounwind"));
    let mode_global = context.runtime("on_violation");
    let mode = body.value(format_args!(
        "load i32, {} {mode_global}",
        target.ptr("i32")
    ));
    let unset = body.value(format_args!("icmp slt i32 {mode}, 0"));
    body.line(format_args!("br i1 {unset}, label %read, label %decide"));
    body.label("read");
    let setting = body.value(format_args!(
        "call {b} {getenv}({}) nounwind",
        strings.operand(ON_VIOLATION_VARIABLE)
    ));
    let has = body.value(format_args!("icmp ne {b} {setting}, null"));
    body.line(format_args!("br i1 {has}, label %first, label %stop"));
    body.label("first");
    let c = body.value(format_args!("load i8, {b} {setting}"));
    let is_c = body.value(format_args!("icmp eq i8 {c}, 99"));
    body.line(format_args!("br i1 {is_c}, label %second, label %stop"));
    body.label("second");
    let at = body.value(format_args!(
        "getelementptr inbounds i8, {b} {setting}, i64 1"
    ));
    let o = body.value(format_args!("load i8, {b} {at}"));
    let is_o = body.value(format_args!("icmp eq i8 {o}, 111"));
    body.line(format_args!("br i1 {is_o}, label %go.on, label %stop"));
    body.label("go.on");
    body.line(format_args!(
        "store i32 1, {} {mode_global}",
        target.ptr("i32")
    ));
    body.line("br label %decide");
    body.label("stop");
    body.line(format_args!(
        "store i32 0, {} {mode_global}",
        target.ptr("i32")
    ));
    body.line("br label %decide");
    body.label("decide");
    let mode = body.value(format_args!(
        "load i32, {} {mode_global}",
        target.ptr("i32")
    ));
    let stop = body.value(format_args!("icmp eq i32 {mode}, 0"));
    body.line(format_args!("br i1 {stop}, label %abort, label %done"));
    body.label("abort");
    body.line(format_args!("call void {abort}() noreturn nounwind"));
    body.line("unreachable");
    body.label("done");
    body.line("ret void");
    let _ = write!(
        out,
        "\ndefine weak void @slic_report({violation} %v) {{\nentry:\n{}}}\n",
        body.text
    );
}
