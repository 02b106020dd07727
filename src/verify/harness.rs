//! The harness: the driver's environment, from its roles.
//!
//! As SDV's OS model did, the harness plays the I/O manager: it loads the
//! driver (DriverEntry), adds a device where there is an AddDevice routine,
//! then, up to `bound` times, calls one of the routines the I/O manager and
//! the kernel could call next, or stops; last, it may unload the driver.
//!
//! - a dispatch routine, with the driver's device and a fresh IRP;
//! - a cancel routine, with a fresh IRP being cancelled, entered as the I/O
//!   manager enters it: holding the cancel spin lock, at DISPATCH_LEVEL,
//!   `Irp->CancelIrql` the IRQL to go back to, `Cancel` set and the cancel
//!   routine cleared;
//! - a DPC that the driver queued (`KeInsertQueueDpc`), a work item it
//!   queued (`IoQueueWorkItem`), StartIo for a packet it started
//!   (`IoStartPacket`), with the arguments it gave; the kernel model
//!   (`kernel_model`) keeps those;
//! - a completion routine or an ISR, with fresh arguments.
//!
//! Each routine is called through a shim appended to the woven file that
//! defines it (`slic_verify_NAME`), so that `static` routines, which the
//! harness cannot name, are called too; which file defines a routine is
//! the caller's to say. Routines are found by `slic roles`, including the
//! ones a driver only registers (`MajorFunction[...] = ...`,
//! `IoSetCancelRoutine`).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::layout::Record;
use super::objects::{BUFFER_BYTES, ObjectWriter, Target};
use crate::role_table::{Role, RoleValue};
use crate::weave::role_map::RoleMap;

pub struct HarnessInput<'a> {
    pub roles: &'a RoleMap,
    /// How many routines at most after DriverEntry and AddDevice.
    pub bound: u32,
    /// The WDK header the driver includes, as an `#include` names it:
    /// `"wdm.h"`, `<ddk/ntddk.h>`.
    pub wdk_include: &'a str,
    pub records: &'a BTreeMap<String, Record>,
    /// How deep pointers of the harness's objects lead to fresh objects.
    pub depth: u32,
}

/// The entry point of the harness, for the engines.
pub const ENTRY: &str = "slic_harness";

/// The global that tells the states an analyzer must keep apart.
pub const PARTITION: &str = "slic_partition";

const IRP: &str = "struct _IRP";
const DEVICE: &str = "struct _DEVICE_OBJECT";
const DRIVER: &str = "struct _DRIVER_OBJECT";
const STRING: &str = "struct _UNICODE_STRING";

/// The roles the steps call, in the order of the step's cases.
const STEP_ROLES: &[Role] = &[
    Role::Dispatch,
    Role::Cancel,
    Role::StartIo,
    Role::Dpc,
    Role::Worker,
    Role::Completion,
    Role::Isr,
];

/// The functions that fill the harness's objects: the driver object, the
/// environment (devices, registry path), and the IRP of each step.
pub fn fill_functions(bound: u32) -> Vec<String> {
    [
        "slic_fill_driver".to_string(),
        "slic_fill_environment".to_string(),
    ]
    .into_iter()
    .chain((1..=bound).map(|step| format!("slic_fill_irp_{step}")))
    .collect()
}

/// What the names of the shims (and of the functions that give routines'
/// addresses) start with: the roots of what the harness reaches.
pub const SHIM_PREFIX: &str = "slic_verify_";

/// The name of a routine's shim.
pub fn shim_name(routine: &str) -> String {
    format!("{SHIM_PREFIX}{routine}")
}

/// What the names of the functions that give routines' addresses start
/// with (the kernel model records DPCs and work items by address).
pub const ADDRESS_PREFIX: &str = "slic_verify_address_";

fn address_name(routine: &str) -> String {
    format!("{ADDRESS_PREFIX}{routine}")
}

/// The prototype of a routine's shim: pointers in, a `long long` out (an
/// NTSTATUS, a BOOLEAN), so that the harness needs none of the driver's
/// types.
fn shim_prototype(routine: &str, role: Role) -> String {
    let info = role.info();
    let parameters: Vec<String> = (1..=info.parameters.len())
        .map(|n| format!("void *a{n}"))
        .collect();
    let returns = if info.returns.is_some() {
        "long long"
    } else {
        "void"
    };
    format!(
        "{returns} {}({})",
        shim_name(routine),
        if parameters.is_empty() {
            "void".to_string()
        } else {
            parameters.join(", ")
        }
    )
}

/// The shims of the routines a woven file defines, to append to it: each
/// calls the routine (the woven wrapper, which reports its entry and exit),
/// and gives its address for the kernel model's records.
pub fn shims(routines: &[(String, Role)]) -> String {
    let mut out = String::from(
        "\n/* slic verify: the harness calls the driver's routines through these. */\n\
         typedef void *slic_verify_fn;\n",
    );
    for (routine, role) in routines {
        let info = role.info();
        let arguments: Vec<String> = info
            .parameters
            .iter()
            .enumerate()
            .map(|(index, value)| match value {
                RoleValue::Pointer => format!("a{}", index + 1),
                RoleValue::Int(_) => format!("(long long)a{}", index + 1),
            })
            .collect();
        let call = format!("{routine}({})", arguments.join(", "));
        let body = if info.returns.is_some() {
            format!("return (long long){call};")
        } else {
            format!("{call};")
        };
        let _ = writeln!(
            out,
            "{} {{ {body} }}\nslic_verify_fn {}(void) {{ return (slic_verify_fn){routine}; }}",
            shim_prototype(routine, *role),
            address_name(routine)
        );
    }
    out
}

/// Names a woven file keeps to itself (its site table, its wrappers),
/// renamed for file `index`, so that several woven files can be read as one
/// translation unit (clang's analyzer reads one) and their sites told apart
/// (`slic_sites_0`, `slic_sites_1`).
pub fn isolate(woven: &str, index: usize) -> String {
    let mut names: Vec<&str> = Vec::new();
    let bytes = woven.as_bytes();
    let mut at = 0;
    while let Some(found) = woven[at..].find("slic_") {
        let start = at + found;
        let end = start
            + woven[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(woven.len() - start);
        let preceded =
            start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let name = &woven[start..end];
        if !preceded
            && (name == "slic_sites"
                || name == "slic_site_in_macro"
                || name.starts_with("slic_w_")
                || name.starts_with("slic_wp"))
            && !names.contains(&name)
        {
            names.push(name);
        }
        at = end.max(start + 1);
    }
    names.sort_unstable();
    let mut out = String::new();
    for name in &names {
        let _ = writeln!(out, "#define {name} {name}_{index}");
    }
    out.push_str(woven);
    if !woven.ends_with('\n') {
        out.push('\n');
    }
    for name in &names {
        let _ = writeln!(out, "#undef {name}");
    }
    out
}

/// The site table a file's sites are in, once isolated.
pub fn site_table(index: usize) -> String {
    format!("slic_sites_{index}")
}

/// The harness, or why there can be none.
pub fn harness(input: &HarnessInput) -> Result<String, String> {
    // A driver given without its DriverEntry (a file of dispatch routines)
    // is run without loading it: its routines get the harness's device.
    let entry = input.roles.routines(Role::DriverEntry).next();
    for record in [IRP, DEVICE, DRIVER, STRING] {
        if !input.records.contains_key(record) {
            return Err(format!(
                "the WDK header {} does not define `{record}`",
                input.wdk_include
            ));
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/* slic_harness.c: generated by slic {}. The driver's environment, from its roles. */",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "#include {}\n#include \"slic_monitor.h\"\n#include \"slic_verify.h\"\n",
        input.wdk_include
    );
    // The routines, through their shims.
    out.push_str("/* The driver's routines, through the shims of the woven files. */\n");
    let mut all: Vec<(Role, &str)> = Vec::new();
    for role in [Role::DriverEntry, Role::AddDevice, Role::Unload]
        .iter()
        .chain(STEP_ROLES)
    {
        for routine in input.roles.routines(*role) {
            all.push((*role, routine));
        }
    }
    for (role, routine) in &all {
        let _ = writeln!(out, "{};", shim_prototype(routine, *role));
        if matches!(role, Role::Dpc | Role::Worker) {
            let _ = writeln!(out, "slic_verify_fn {}(void);", address_name(routine));
        }
    }
    out.push('\n');
    objects(&mut out, input);
    step(&mut out, input);
    main_function(&mut out, input, entry);
    Ok(out)
}

/// The objects the harness gives the driver, and the functions that fill
/// them. All of them, and the harness's own state, are members of one
/// static local (`slic_objects()`), named through macros: a checker that
/// meets a call it cannot follow (clang's analyzer, through a function
/// pointer it cannot resolve) forgets what every global holds, but not what
/// static locals do.
fn objects(out: &mut String, input: &HarnessInput) {
    let mut members = format!(
        "    {DRIVER} slic_driver;\n    {DEVICE} slic_fallback_device;\n    unsigned long long slic_fallback_extension[{}];\n    unsigned long long slic_context[{}];\n    int slic_stopped;\n",
        4096 / 8,
        BUFFER_BYTES / 8
    );
    let mut functions = String::new();
    // The driver object is the I/O manager's: zeroed, with valid objects
    // where it has pointers to them, and no device yet.
    let driver_special = |pointee: &str, _: &str| match pointee {
        DEVICE | IRP => Some(Target::Null),
        DRIVER => Some(Target::Expr("&slic_driver".to_string())),
        _ => Some(Target::Fresh { nullable: false }),
    };
    let mut writer = ObjectWriter::new(input.records, &driver_special, "slic_driver");
    writer.havoc = false;
    writer.fill("slic_driver", DRIVER, 1);
    let fill = fill_functions(input.bound);
    filler(&mut members, &mut functions, &fill[0], &writer);

    let environment = |pointee: &str, member: &str| match (pointee, member) {
        (DEVICE, _) => Some(Target::Expr("slic_device()".to_string())),
        (DRIVER, _) => Some(Target::Expr("&slic_driver".to_string())),
        (IRP, _) => Some(Target::Null),
        // An IRP's stack: the driver's location, and the next driver's
        // below it (a driver that passes the IRP on writes that one).
        ("struct _IO_STACK_LOCATION", "CurrentStackLocation") => {
            Some(Target::FreshArray { count: 2, index: 1 })
        }
        ("struct _IO_STACK_LOCATION", _) => Some(Target::Fresh { nullable: false }),
        // The buffers of a request are there (the I/O manager gives a
        // buffered request its system buffer): a NULL one would only make
        // every driver that checks lengths, not pointers, look wrong. Other
        // pointers may be NULL (a driver's context field, say).
        ("void", "SystemBuffer" | "UserBuffer" | "Type3InputBuffer") => {
            Some(Target::Fresh { nullable: false })
        }
        _ => None,
    };
    let mut writer = ObjectWriter::new(input.records, &environment, "slic_registry");
    writer.declare_and_fill("slic_registry_path", STRING, input.depth);
    writer.declare_and_fill("slic_pdo", DEVICE, input.depth);
    writer.fill("slic_fallback_device", DEVICE, input.depth);
    let _ = writeln!(
        writer.statements,
        "    slic_fallback_device.DeviceExtension = slic_fallback_extension;\n    slic_havoc(slic_fallback_extension, sizeof slic_fallback_extension);\n    slic_havoc(slic_context, sizeof slic_context);"
    );
    filler(&mut members, &mut functions, &fill[1], &writer);
    for step in 1..=input.bound {
        let name = format!("slic_irp_{step}");
        let mut writer = ObjectWriter::new(input.records, &environment, &name);
        writer.declare_and_fill(&name, IRP, input.depth);
        filler(
            &mut members,
            &mut functions,
            &fill[1 + step as usize],
            &writer,
        );
    }
    out.push_str(
        "/* The harness's objects and state, each a static local of its own (an analyzer\n   that cannot follow a call forgets what globals hold, and what the objects\n   passed to the call hold, but not the others). */\n",
    );
    for (name, declaration) in members_of(&members) {
        let (element, array) = match declaration.split_once('[') {
            Some((element, count)) => (element.trim(), format!("[{}", count)),
            None => (declaration.as_str(), String::new()),
        };
        let element = element.trim_end_matches(name).trim_end();
        if array.is_empty() {
            let _ = writeln!(
                out,
                "static {element} *slic_object_{name}(void)\n{{\n    static {element} object;\n    return &object;\n}}\n#define {name} (*slic_object_{name}())"
            );
        } else {
            let _ = writeln!(
                out,
                "static {element} (*slic_object_{name}(void)){array}\n{{\n    static {element} object{array};\n    return &object;\n}}\n#define {name} (*slic_object_{name}())"
            );
        }
    }
    let _ = writeln!(
        out,
        "\n/* The device the I/O manager sends requests to: the first the driver created\n   (the kernel model links it into the driver object), or one of the harness's. */\n\
         static {DEVICE} *slic_device(void)\n{{\n    return slic_driver.DeviceObject ? slic_driver.DeviceObject : &slic_fallback_device;\n}}\n"
    );
    out.push_str(&functions);
}

/// Each `    TYPE NAME;` or `    TYPE NAME[N];` member: its name, and the
/// declaration without the `;`.
fn members_of(members: &str) -> Vec<(&str, String)> {
    members
        .lines()
        .filter_map(|line| {
            let declaration = line.trim().trim_end_matches(';');
            let declarator = declaration.split('[').next().unwrap_or(declaration);
            let name = declarator.rsplit(' ').next()?;
            Some((name, declaration.to_string()))
        })
        .collect()
}

fn filler(members: &mut String, functions: &mut String, function: &str, writer: &ObjectWriter) {
    members.push_str(&writer.declarations);
    let _ = writeln!(
        functions,
        "static void {function}(void)\n{{\n{}}}\n",
        writer.statements
    );
}

/// `slic_step(irp)`: one routine, or none and the harness stops.
fn step(out: &mut String, input: &HarnessInput) {
    let mut cases: Vec<String> = Vec::new();
    for role in STEP_ROLES {
        for routine in input.roles.routines(*role) {
            let shim = shim_name(routine);
            // Each routine is called at the IRQL the system calls it at.
            let call = match role {
                Role::Dispatch => {
                    format!("slic_kernel_set_irql(0);\n        {shim}(slic_device(), irp);")
                }
                Role::Cancel => format!(
                    "irp->Cancel = 1;\n        irp->CancelRoutine = 0;\n        slic_kernel_enter_cancel(&irp->CancelIrql);\n        {shim}(slic_device(), irp);"
                ),
                Role::StartIo => format!(
                    "{{\n            void *device, *packet;\n            slic_kernel_set_irql(2);\n            if (slic_kernel_take_packet(&device, &packet)) {shim}(device, packet);\n        }}"
                ),
                Role::Dpc => format!(
                    "{{\n            void *dpc, *context, *argument1, *argument2;\n            slic_kernel_set_irql(2);\n            if (slic_kernel_take_dpc({}(), &dpc, &context, &argument1, &argument2))\n                {shim}(dpc, context, argument1, argument2);\n        }}",
                    address_name(routine)
                ),
                Role::Worker => format!(
                    "{{\n            void *device, *context;\n            slic_kernel_set_irql(0);\n            if (slic_kernel_take_work_item({}(), &device, &context)) {shim}(device, context);\n        }}",
                    address_name(routine)
                ),
                Role::Completion => {
                    format!(
                        "slic_kernel_set_irql(2);\n        {shim}(slic_device(), irp, slic_context);"
                    )
                }
                Role::Isr => format!("slic_kernel_set_irql(5);\n        {shim}(0, slic_context);"),
                _ => unreachable!("not a step role"),
            };
            cases.push(format!("/* {} {routine} */\n        {call}", role.key()));
        }
    }
    let _ = writeln!(
        out,
        "/* One routine the I/O manager or the kernel could call next; 0 when the\n   driver is left alone from here on. */\nstatic int slic_step({IRP} *irp)\n{{\n    (void)irp;\n    switch (slic_choice({})) {{",
        cases.len() + 1
    );
    for (index, case) in cases.iter().enumerate() {
        let _ = writeln!(out, "    case {}: {case}\n        return 1;", index + 1);
    }
    out.push_str("    default:\n        return 0;\n    }\n}\n\n");
}

/// The harness proper: straight-line calls, so that an analyzer that
/// merges states between the statements of `slic_harness` (EVA, told to)
/// merges them between routines only; `slic_partition` is what it keeps
/// apart: the monitor's state, and whether the harness stopped.
fn main_function(out: &mut String, input: &HarnessInput, entry: Option<&str>) {
    let _ = writeln!(
        out,
        "/* EVA keeps states apart by it (-eva-partition-value). */\nint {PARTITION};\n\n\
         static void slic_checkpoint(void)\n{{\n    {PARTITION} = (int)((slic_static_state() * 2u + (unsigned)slic_stopped) * 7919u + slic_kernel_key());\n}}\n"
    );
    let _ = writeln!(
        out,
        "/* Loads the driver; one that fails to load runs no more. */\n\
         static void slic_load(void)\n{{\n    slic_static_reset();\n    slic_kernel_reset();\n    slic_kernel_set_irql(0);\n    slic_stopped = 0;\n    \
         slic_fill_driver();\n    slic_fill_environment();"
    );
    if let Some(entry) = entry {
        let _ = writeln!(
            out,
            "    if ({}(&slic_driver, &slic_registry_path) < 0) __VERIFIER_assume(0);",
            shim_name(entry)
        );
    }
    for routine in input.roles.routines(Role::AddDevice) {
        let _ = writeln!(
            out,
            "    if ({}(&slic_driver, &slic_pdo) < 0) __VERIFIER_assume(0);",
            shim_name(routine)
        );
    }
    out.push_str("    slic_checkpoint();\n}\n\n");
    let _ = writeln!(
        out,
        "static void slic_next({IRP} *irp)\n{{\n    if (!slic_stopped && !slic_step(irp)) slic_stopped = 1;\n    slic_checkpoint();\n}}\n"
    );
    out.push_str("static void slic_unload(void)\n{\n    slic_kernel_set_irql(0);\n");
    for routine in input.roles.routines(Role::Unload) {
        let _ = writeln!(
            out,
            "    if (__VERIFIER_nondet_bool()) {}(&slic_driver);",
            shim_name(routine)
        );
    }
    out.push_str("}\n\n");
    let _ = writeln!(out, "void {ENTRY}(void)\n{{\n    slic_load();");
    for step in 1..=input.bound {
        let _ = writeln!(
            out,
            "    slic_fill_irp_{step}();\n    slic_next(&slic_irp_{step});"
        );
    }
    out.push_str("    slic_unload();\n}\n");
}

/// An `#include` of a C file: as spelled (`<ddk/wdm.h>`, `"driver.h"`) and
/// the path inside the delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub spelled: String,
    pub path: String,
    pub quoted: bool,
}

/// The `#include` lines of a C file, in order.
pub fn includes(text: &str) -> Vec<Include> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix('#')?.trim_start();
            let rest = rest.strip_prefix("include")?.trim();
            let (close, quoted) = match rest.chars().next()? {
                '"' => ('"', true),
                '<' => ('>', false),
                _ => return None,
            };
            let end = rest[1..].find(close)? + 1;
            Some(Include {
                spelled: rest[..=end].to_string(),
                path: rest[1..end].to_string(),
                quoted,
            })
        })
        .collect()
}

/// Whether an include names the WDK's WDM header or one that includes it.
pub fn is_wdk_header(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    ["wdm.h", "ntddk.h", "ntifs.h"]
        .iter()
        .any(|header| name.eq_ignore_ascii_case(header))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_and_the_wdk_header() {
        let found = includes("#include <ddk/wdm.h>\n  # include \"driver.h\" // x\n#define A 1\n");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].spelled, "<ddk/wdm.h>");
        assert!(is_wdk_header(&found[0].path));
        assert_eq!(found[1].path, "driver.h");
        assert!(found[1].quoted);
        assert!(!is_wdk_header("driver.h"));
        assert!(is_wdk_header("NTDDK.H"));
    }

    #[test]
    fn isolation_renames_what_a_woven_file_keeps_to_itself() {
        let woven = "static const struct slic_site slic_sites[2] = {0};\nstatic void slic_w_KeAcquireSpinLock(void) { slic_hook_x(&slic_sites[0]); }\nint my_slic_sites;\n";
        let isolated = isolate(woven, 3);
        assert!(isolated.starts_with(
            "#define slic_sites slic_sites_3\n#define slic_w_KeAcquireSpinLock slic_w_KeAcquireSpinLock_3\n"
        ));
        assert!(isolated.ends_with("#undef slic_sites\n#undef slic_w_KeAcquireSpinLock\n"));
        assert!(!isolated.contains("#define slic_hook_x"));
        assert!(!isolated.contains("#define my_slic_sites"));
    }

    #[test]
    fn shims_call_routines_and_give_their_addresses() {
        let text = shims(&[
            ("DispatchRead".to_string(), Role::Dispatch),
            ("Unload".to_string(), Role::Unload),
        ]);
        assert!(text.contains(
            "long long slic_verify_DispatchRead(void *a1, void *a2) { return (long long)DispatchRead(a1, a2); }"
        ));
        assert!(text.contains("void slic_verify_Unload(void *a1) { Unload(a1); }"));
        assert!(text.contains(
            "slic_verify_fn slic_verify_address_Unload(void) { return (slic_verify_fn)Unload; }"
        ));
    }
}
