//! The layout of the WDK's structures, as clang prints it.
//!
//! The harness gives each routine objects (IRPs, device objects) whose
//! fields hold any value of their types, and whose pointers point to
//! objects of the right type or are NULL. For that it must know every
//! field of every structure the WDK headers define, which only a C
//! compiler does: `clang -Xclang -fdump-record-layouts-canonical -Xclang
//! -fdump-record-layouts-complete` prints each complete structure with its
//! fields, nested structures and unions expanded, and every type spelled
//! canonically (`struct _IO_STACK_LOCATION *`, not `PIO_STACK_LOCATION`).
//! This module reads that text; `objects.rs` writes the C that fills an
//! object.

use std::collections::BTreeMap;

/// A structure or union and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The canonical spelling: `struct _IRP`, `union _IRP::(unnamed at ...)`.
    pub name: String,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `None` for an anonymous structure or union, whose members C names
    /// as members of the enclosing one.
    pub name: Option<String>,
    /// The canonical type, as clang spells it.
    pub ty: String,
    /// A nested structure or union, expanded: its members.
    pub members: Vec<Member>,
    pub bitfield: bool,
}

impl Member {
    /// Whether the member is a structure or union whose members follow.
    pub fn is_aggregate(&self) -> bool {
        !self.members.is_empty()
    }

    pub fn is_union(&self) -> bool {
        self.ty.starts_with("union ")
    }
}

impl Record {
    pub fn is_union(&self) -> bool {
        self.name.starts_with("union ")
    }
}

/// Every record of a layout dump, by name.
pub fn parse(dump: &str) -> BTreeMap<String, Record> {
    let mut records = BTreeMap::new();
    for block in dump.split("*** Dumping AST Record Layout").skip(1) {
        let mut lines = block
            .lines()
            .filter_map(member_line)
            .filter(|line| !line.text.starts_with('['));
        let Some(first) = lines.next() else {
            continue;
        };
        // Lines with their depth below the record: a stack of members whose
        // children are still coming.
        let mut stack: Vec<(usize, Member)> = Vec::new();
        let mut top: Vec<Member> = Vec::new();
        for line in lines {
            let member = split_member(line.text, line.bitfield);
            while let Some((depth, _)) = stack.last()
                && *depth >= line.depth
            {
                let (_, done) = stack.pop().expect("a member on the stack");
                attach(&mut stack, &mut top, done);
            }
            stack.push((line.depth, member));
        }
        while let Some((_, done)) = stack.pop() {
            attach(&mut stack, &mut top, done);
        }
        let name = first.text.trim_end().to_string();
        records.insert(name.clone(), Record { name, members: top });
    }
    records
}

fn attach(stack: &mut [(usize, Member)], top: &mut Vec<Member>, member: Member) {
    match stack.last_mut() {
        Some((_, parent)) => parent.members.push(member),
        None => top.push(member),
    }
}

struct Line<'d> {
    /// 0 for the record itself, 1 for its members, and so on.
    depth: usize,
    text: &'d str,
    bitfield: bool,
}

/// `        24 |     void * SystemBuffer`: the offset column, then the
/// member indented two spaces a level.
fn member_line(line: &str) -> Option<Line<'_>> {
    let (offset, rest) = line.split_once(" | ")?;
    let offset = offset.trim();
    let indent = rest.len() - rest.trim_start_matches(' ').len();
    Some(Line {
        depth: indent / 2,
        text: &rest[indent..],
        bitfield: offset.contains(':'),
    })
}

/// `struct _LIST_ENTRY * Flink` → type and name; an anonymous member
/// (`union _IRP::(anonymous at f.h:3:5) `) has no name.
fn split_member(text: &str, bitfield: bool) -> Member {
    let trimmed = text.trim_end();
    let anonymous = text.len() != trimmed.len() || trimmed.ends_with(')');
    let (ty, name) = match trimmed.rsplit_once(' ') {
        Some((ty, name)) if !anonymous && is_identifier(name) => {
            (ty.trim_end().to_string(), Some(name.to_string()))
        }
        _ => (trimmed.to_string(), None),
    };
    Member {
        name,
        ty,
        members: Vec::new(),
        bitfield,
    }
}

fn is_identifier(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What a canonical type is, as far as filling an object goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A pointer to a function, or an array of them.
    Function,
    /// A pointer; the pointee's canonical type, qualifiers dropped.
    Pointer(String),
    /// An array: the element type and the count.
    Array(String, usize),
    /// A structure or union (by value).
    Record(String),
    /// A number, an enum, anything else.
    Scalar,
}

pub fn shape(ty: &str) -> Shape {
    let ty = strip_qualifiers(ty);
    // `long (*[28])(struct _DEVICE_OBJECT *, struct _IRP *)`: an array of
    // function pointers.
    if let Some(at) = ty.find("(*[") {
        let rest = &ty[at + 3..];
        let count = rest[..rest.find(']').unwrap_or(0)]
            .trim()
            .parse()
            .unwrap_or(0);
        return Shape::Array("void (*)(void)".to_string(), count);
    }
    if ty.contains("(*") {
        return Shape::Function;
    }
    if let Some(open) = ty.rfind('[')
        && ty.ends_with(']')
    {
        let count = ty[open + 1..ty.len() - 1].trim().parse().unwrap_or(0);
        return Shape::Array(ty[..open].trim_end().to_string(), count);
    }
    if let Some(pointee) = ty.strip_suffix('*') {
        return Shape::Pointer(strip_qualifiers(pointee.trim_end()).to_string());
    }
    if ty.starts_with("struct ") || ty.starts_with("union ") {
        return Shape::Record(ty.to_string());
    }
    Shape::Scalar
}

fn strip_qualifiers(ty: &str) -> &str {
    let mut ty = ty.trim();
    loop {
        let before = ty;
        for qualifier in ["const ", "volatile ", "restrict "] {
            ty = ty.strip_prefix(qualifier).unwrap_or(ty);
        }
        for qualifier in [" const", " volatile", " restrict", " __restrict"] {
            ty = ty.strip_suffix(qualifier).unwrap_or(ty);
        }
        if ty == before {
            return ty;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "
*** Dumping AST Record Layout
         0 | struct _LIST_ENTRY
         0 |   struct _LIST_ENTRY * Flink
         8 |   struct _LIST_ENTRY * Blink
           | [sizeof=16, align=8]

*** Dumping AST Record Layout
         0 | struct _IRP
         0 |   short Type
         8 |   union _IRP::(unnamed at wdm.h:6191:3) AssociatedIrp
         8 |     struct _IRP * MasterIrp
         8 |     void * SystemBuffer
        16 |   struct _IO_STATUS_BLOCK IoStatus
        16 |     union _IO_STATUS_BLOCK::(anonymous at wdm.h:4388:20) 
        16 |       long Status
        16 |       void * Pointer
        24 |     unsigned long long Information
        32 |   void (*)(struct _DEVICE_OBJECT *, struct _IRP *) CancelRoutine
        40 |   void *[4] DriverContext
     72:0-2 |   unsigned int Flags
           | [sizeof=80, align=8]
";

    #[test]
    fn records_members_and_nesting() {
        let records = parse(DUMP);
        let list = &records["struct _LIST_ENTRY"];
        assert_eq!(list.members.len(), 2);
        assert_eq!(list.members[0].name.as_deref(), Some("Flink"));
        assert_eq!(list.members[0].ty, "struct _LIST_ENTRY *");
        let irp = &records["struct _IRP"];
        let names: Vec<Option<&str>> = irp.members.iter().map(|m| m.name.as_deref()).collect();
        assert_eq!(
            names,
            [
                Some("Type"),
                Some("AssociatedIrp"),
                Some("IoStatus"),
                Some("CancelRoutine"),
                Some("DriverContext"),
                Some("Flags")
            ]
        );
        assert!(irp.members[1].is_union());
        assert_eq!(irp.members[1].members.len(), 2);
        let status = &irp.members[2];
        assert_eq!(status.members[0].name, None, "the anonymous union");
        assert_eq!(status.members[0].members.len(), 2);
        assert_eq!(status.members[1].name.as_deref(), Some("Information"));
        assert!(irp.members[5].bitfield);
    }

    #[test]
    fn shapes_of_canonical_types() {
        assert_eq!(
            shape("struct _LIST_ENTRY *"),
            Shape::Pointer("struct _LIST_ENTRY".into())
        );
        assert_eq!(shape("const char *"), Shape::Pointer("char".into()));
        assert_eq!(shape("volatile long"), Shape::Scalar);
        assert_eq!(shape("void *[4]"), Shape::Array("void *".into(), 4));
        assert_eq!(
            shape("long (*[28])(struct _DEVICE_OBJECT *, struct _IRP *)"),
            Shape::Array("void (*)(void)".into(), 28)
        );
        assert_eq!(shape("void (*)(void *)"), Shape::Function);
        assert_eq!(shape("struct _KDPC"), Shape::Record("struct _KDPC".into()));
        assert_eq!(shape("enum _POOL_TYPE"), Shape::Scalar);
    }
}
