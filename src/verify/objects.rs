//! The C that fills an object with nondeterministic contents of its type.
//!
//! SDV's environment model handed routines IRPs and device objects whose
//! fields could hold anything their types allow. `fill` writes that as C
//! from the structure's layout (`layout.rs`): the object's bytes are
//! havocked, so every number is any value of its type; then each pointer
//! is set to something a pointer of that type can hold in a running
//! kernel: NULL or a fresh object of the pointee's type (itself filled, to
//! a depth), a buffer for `void *` and `char *`, the enclosing object for
//! a list entry's links, NULL for function pointers (the harness calls no
//! code it does not know). Some pointees are the harness's own objects
//! (the device, the driver object): the caller says which, by type.
//!
//! Of a union's members, the first is filled, as C initialises a union,
//! unless another is a `void *` buffer where the first is a pointer (the
//! IRP's `AssociatedIrp.SystemBuffer` shares its place with `MasterIrp`).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::layout::{Member, Record, Shape, shape};

/// What a pointer to some type should hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Null,
    /// A C expression of the pointer's type.
    Expr(String),
    /// A fresh object of the pointee's type; NULL too if `nullable`.
    Fresh {
        nullable: bool,
    },
    /// An element of a fresh array of `count` objects of the pointee's
    /// type, never NULL: the IRP's current stack location is the last of
    /// its stack, and the one below it (`IoGetNextIrpStackLocation`, one
    /// element back) is there too.
    FreshArray {
        count: usize,
        index: usize,
    },
}

/// How many objects one root may bring in, however deep: the harness stays
/// small, and the analyzers' memory with it.
const MAX_OBJECTS: usize = 48;

/// The bytes of a buffer a `void *` points to.
pub const BUFFER_BYTES: usize = 1024;

pub struct ObjectWriter<'r> {
    records: &'r BTreeMap<String, Record>,
    /// What a pointer (its pointee's type, its member's name) holds, when
    /// not a fresh nullable object.
    special: &'r dyn Fn(&str, &str) -> Option<Target>,
    /// The objects and buffers, as members of the structure that holds
    /// them (see `harness.rs`: they live in a static local).
    pub declarations: String,
    /// Statements that fill them.
    pub statements: String,
    prefix: String,
    objects: usize,
    /// Whether objects are havocked before their pointers are set; without,
    /// they keep what static storage starts with: zeros.
    pub havoc: bool,
}

impl<'r> ObjectWriter<'r> {
    pub fn new(
        records: &'r BTreeMap<String, Record>,
        special: &'r dyn Fn(&str, &str) -> Option<Target>,
        prefix: &str,
    ) -> ObjectWriter<'r> {
        ObjectWriter {
            records,
            special,
            declarations: String::new(),
            statements: String::new(),
            prefix: prefix.to_string(),
            objects: 0,
            havoc: true,
        }
    }

    /// Declares `name`, an object of the record type, and fills it.
    pub fn declare_and_fill(&mut self, name: &str, record: &str, depth: u32) {
        let _ = writeln!(self.declarations, "    {record} {name};");
        self.fill(name, record, depth);
    }

    /// Fills the object `lvalue` of the record type, following pointers
    /// `depth` objects deep.
    pub fn fill(&mut self, lvalue: &str, record: &str, depth: u32) {
        if self.havoc {
            let _ = writeln!(
                self.statements,
                "    slic_havoc(&{lvalue}, sizeof {lvalue});"
            );
        }
        let Some(found) = self.records.get(record) else {
            return;
        };
        let members = found.members.clone();
        self.members(&members, lvalue, record, found.is_union(), depth);
    }

    fn members(&mut self, members: &[Member], base: &str, parent: &str, union: bool, depth: u32) {
        let chosen: Vec<&Member> = if union {
            choose_union_member(members).into_iter().collect()
        } else {
            members.iter().collect()
        };
        for member in chosen {
            if member.bitfield {
                continue;
            }
            let path = match &member.name {
                Some(name) => format!("{base}.{name}"),
                None => base.to_string(),
            };
            if member.is_aggregate() {
                self.members(&member.members, &path, &member.ty, member.is_union(), depth);
                continue;
            }
            match shape(&member.ty) {
                Shape::Function => self.set(&path, "0"),
                Shape::Pointer(pointee) => {
                    if !member.ty.trim_end().ends_with("const") {
                        let name = member.name.as_deref().unwrap_or("");
                        self.pointer(&path, &pointee, name, base, parent, depth);
                    }
                }
                Shape::Array(element, count) => self.array(&path, &element, count, depth),
                Shape::Record(_) | Shape::Scalar => {}
            }
        }
    }

    fn array(&mut self, path: &str, element: &str, count: usize, depth: u32) {
        match shape(element) {
            // No loop: an analyzer that unrolls loops a few times only would
            // drop the path.
            Shape::Function | Shape::Pointer(_) => {
                let _ = count;
                let _ = writeln!(self.statements, "    slic_zero({path}, sizeof {path});");
            }
            Shape::Record(record) if count <= 4 => {
                if let Some(found) = self.records.get(&record) {
                    let members = found.members.clone();
                    for index in 0..count {
                        let element_path = format!("{path}[{index}]");
                        self.members(&members, &element_path, &record, found.is_union(), depth);
                    }
                }
            }
            _ => {}
        }
    }

    fn pointer(
        &mut self,
        path: &str,
        pointee: &str,
        name: &str,
        base: &str,
        parent: &str,
        depth: u32,
    ) {
        // A list entry's links point back at it: an empty list.
        if pointee == parent {
            self.set(path, &format!("&{base}"));
            return;
        }
        let target = (self.special)(pointee, name).unwrap_or(Target::Fresh { nullable: true });
        match target {
            Target::Null => self.set(path, "0"),
            Target::Expr(expression) => self.set(path, &expression),
            Target::Fresh { nullable } => {
                let Some(object) = self.fresh(pointee, depth) else {
                    self.set(path, "0");
                    return;
                };
                // Not `nondet ? p : 0`: a branch would split the analyzers'
                // states at every pointer of every object.
                let value = if nullable {
                    format!("slic_nondet_pointer({object})")
                } else {
                    object
                };
                self.set(path, &value);
            }
            Target::FreshArray { count, index } => match self.fresh_array(pointee, count, depth) {
                Some(array) => self.set(path, &format!("&{array}[{index}]")),
                None => self.set(path, "0"),
            },
        }
    }

    /// A new array of `count` records, each filled: its name, or `None`
    /// when the pointer had better be NULL.
    fn fresh_array(&mut self, pointee: &str, count: usize, depth: u32) -> Option<String> {
        let Shape::Record(record) = shape(pointee) else {
            return None;
        };
        let found = self.records.get(&record)?;
        if depth == 0 || self.objects + count > MAX_OBJECTS {
            return None;
        }
        let members = found.members.clone();
        let union = found.is_union();
        let name = format!("{}_o{}", self.prefix, self.objects);
        self.objects += count;
        let _ = writeln!(self.declarations, "    {record} {name}[{count}];");
        if self.havoc {
            let _ = writeln!(self.statements, "    slic_havoc({name}, sizeof {name});");
        }
        for element in 0..count {
            self.members(
                &members,
                &format!("{name}[{element}]"),
                &record,
                union,
                depth - 1,
            );
        }
        Some(name)
    }

    /// A new object or buffer for a pointer to `pointee`: the expression
    /// of its address, or `None` when the pointer had better be NULL.
    fn fresh(&mut self, pointee: &str, depth: u32) -> Option<String> {
        if self.objects >= MAX_OBJECTS {
            return None;
        }
        let name = format!("{}_o{}", self.prefix, self.objects);
        match shape(pointee) {
            Shape::Scalar => {
                self.objects += 1;
                let _ = writeln!(
                    self.declarations,
                    "    unsigned long long {name}[{}];",
                    BUFFER_BYTES / 8
                );
                if self.havoc {
                    let _ = writeln!(self.statements, "    slic_havoc({name}, sizeof {name});");
                }
                Some(format!("({pointee} *){name}"))
            }
            Shape::Record(record)
                if depth > 0 && self.records.contains_key(&record) && !record.contains("::(") =>
            {
                self.objects += 1;
                self.declare_and_fill(&name, &record, depth - 1);
                Some(format!("&{name}"))
            }
            _ => None,
        }
    }

    fn set(&mut self, path: &str, value: &str) {
        let _ = writeln!(self.statements, "    {path} = {value};");
    }
}

/// The member of a union the harness fills: the first, or a `void *` (a
/// buffer serves every pointer view of the place) when the first is a
/// pointer.
fn choose_union_member(members: &[Member]) -> Option<&Member> {
    let first = members.first()?;
    if matches!(shape(&first.ty), Shape::Pointer(_))
        && let Some(buffer) = members
            .iter()
            .find(|m| matches!(shape(&m.ty), Shape::Pointer(p) if p == "void" || p == "char"))
    {
        return Some(buffer);
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::layout::parse;

    const DUMP: &str = "
*** Dumping AST Record Layout
         0 | struct _LIST_ENTRY
         0 |   struct _LIST_ENTRY * Flink
         8 |   struct _LIST_ENTRY * Blink
           | [sizeof=16, align=8]

*** Dumping AST Record Layout
         0 | struct _IO_STACK_LOCATION
         0 |   unsigned char MajorFunction
         8 |   struct _DEVICE_OBJECT * DeviceObject
           | [sizeof=16, align=8]

*** Dumping AST Record Layout
         0 | struct _IRP
         0 |   short Type
         8 |   union _IRP::(unnamed at wdm.h:6191:3) AssociatedIrp
         8 |     struct _IRP * MasterIrp
         8 |     void * SystemBuffer
        16 |   struct _LIST_ENTRY ListEntry
        16 |     struct _LIST_ENTRY * Flink
        24 |     struct _LIST_ENTRY * Blink
        32 |   void (*)(struct _DEVICE_OBJECT *, struct _IRP *) CancelRoutine
        40 |   void *[2] DriverContext
        56 |   struct _IO_STACK_LOCATION * CurrentStackLocation
        64 |   struct _MDL * MdlAddress
           | [sizeof=72, align=8]
";

    #[test]
    fn an_irp_filled_with_its_pointers_set() {
        let records = parse(DUMP);
        let special = |pointee: &str, _: &str| match pointee {
            "struct _DEVICE_OBJECT" => Some(Target::Expr("slic_device()".into())),
            "struct _IO_STACK_LOCATION" => Some(Target::Fresh { nullable: false }),
            _ => None,
        };
        let mut writer = ObjectWriter::new(&records, &special, "slic_irp_1");
        writer.declare_and_fill("slic_irp_1", "struct _IRP", 2);
        insta::assert_snapshot!(format!("{}\n{}", writer.declarations, writer.statements), @r"
            struct _IRP slic_irp_1;
            unsigned long long slic_irp_1_o0[128];
            struct _IO_STACK_LOCATION slic_irp_1_o1;

            slic_havoc(&slic_irp_1, sizeof slic_irp_1);
            slic_havoc(slic_irp_1_o0, sizeof slic_irp_1_o0);
            slic_irp_1.AssociatedIrp.SystemBuffer = slic_nondet_pointer((void *)slic_irp_1_o0);
            slic_irp_1.ListEntry.Flink = &slic_irp_1.ListEntry;
            slic_irp_1.ListEntry.Blink = &slic_irp_1.ListEntry;
            slic_irp_1.CancelRoutine = 0;
            slic_zero(slic_irp_1.DriverContext, sizeof slic_irp_1.DriverContext);
            slic_havoc(&slic_irp_1_o1, sizeof slic_irp_1_o1);
            slic_irp_1_o1.DeviceObject = slic_device();
            slic_irp_1.CurrentStackLocation = &slic_irp_1_o1;
            slic_irp_1.MdlAddress = 0;
        ");
    }

    #[test]
    fn the_current_stack_location_is_the_last_of_two() {
        let records = parse(DUMP);
        let special = |pointee: &str, member: &str| match (pointee, member) {
            ("struct _IO_STACK_LOCATION", "CurrentStackLocation") => {
                Some(Target::FreshArray { count: 2, index: 1 })
            }
            ("struct _DEVICE_OBJECT", _) => Some(Target::Expr("slic_device()".into())),
            _ => Some(Target::Null),
        };
        let mut writer = ObjectWriter::new(&records, &special, "slic_irp_1");
        writer.declare_and_fill("slic_irp_1", "struct _IRP", 2);
        assert!(
            writer
                .declarations
                .contains("struct _IO_STACK_LOCATION slic_irp_1_o0[2];"),
            "{}",
            writer.declarations
        );
        for line in [
            "slic_havoc(slic_irp_1_o0, sizeof slic_irp_1_o0);",
            "slic_irp_1_o0[0].DeviceObject = slic_device();",
            "slic_irp_1_o0[1].DeviceObject = slic_device();",
            "slic_irp_1.CurrentStackLocation = &slic_irp_1_o0[1];",
        ] {
            assert!(
                writer.statements.contains(line),
                "{line}\n{}",
                writer.statements
            );
        }
    }
}
