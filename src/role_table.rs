//! Driver routine roles: dispatch, cancel, start-I/O and the rest.
//!
//! A rule names a role (`SDV_RunDispatchFunction`) where it means "every
//! routine of that kind". The weavers learn which routines those are from
//! the driver's role-type declarations (`DRIVER_DISPATCH Foo;`), from a
//! roles file or from the command line.

use crate::model::EventKind;
use crate::types::IntType;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Role {
    Dispatch,
    Cancel,
    StartIo,
    Unload,
    AddDevice,
    Completion,
    Dpc,
    Isr,
    Worker,
    DriverEntry,
}

/// What a value of a role routine's signature is, for checking `$N` and
/// `$return` in handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleValue {
    Pointer,
    Int(IntType),
}

pub struct RoleInfo {
    pub role: Role,
    /// The key in roles files and `--role KIND=NAME`.
    pub key: &'static str,
    /// The names a rule uses for it; the first is the canonical one.
    pub rule_names: &'static [&'static str],
    /// The WDK role types whose declarations mark a routine of this role.
    pub role_types: &'static [&'static str],
    pub returns: Option<RoleValue>,
    pub parameters: &'static [RoleValue],
}

use RoleValue::Pointer;
const NTSTATUS: RoleValue = RoleValue::Int(IntType::signed(32));
const BOOLEAN: RoleValue = RoleValue::Int(IntType::UCHAR);

pub const ROLES: &[RoleInfo] = &[
    RoleInfo {
        role: Role::Dispatch,
        key: "dispatch",
        rule_names: &["SDV_RunDispatchFunction", "SDV_DRIVER_DISPATCH"],
        role_types: &["DRIVER_DISPATCH"],
        returns: Some(NTSTATUS),
        parameters: &[Pointer, Pointer],
    },
    RoleInfo {
        role: Role::Cancel,
        key: "cancel",
        rule_names: &["SDV_DRIVER_CANCEL"],
        role_types: &["DRIVER_CANCEL"],
        returns: None,
        parameters: &[Pointer, Pointer],
    },
    RoleInfo {
        role: Role::StartIo,
        key: "startio",
        rule_names: &["SDV_DRIVER_STARTIO"],
        role_types: &["DRIVER_STARTIO"],
        returns: None,
        parameters: &[Pointer, Pointer],
    },
    RoleInfo {
        role: Role::Unload,
        key: "unload",
        rule_names: &["SDV_DRIVER_UNLOAD"],
        role_types: &["DRIVER_UNLOAD"],
        returns: None,
        parameters: &[Pointer],
    },
    RoleInfo {
        role: Role::AddDevice,
        key: "adddevice",
        rule_names: &["SDV_DRIVER_ADD_DEVICE"],
        role_types: &["DRIVER_ADD_DEVICE"],
        returns: Some(NTSTATUS),
        parameters: &[Pointer, Pointer],
    },
    RoleInfo {
        role: Role::Completion,
        key: "completion",
        rule_names: &["SDV_IO_COMPLETION_ROUTINE"],
        role_types: &["IO_COMPLETION_ROUTINE"],
        returns: Some(NTSTATUS),
        parameters: &[Pointer, Pointer, Pointer],
    },
    RoleInfo {
        role: Role::Dpc,
        key: "dpc",
        rule_names: &["SDV_KDEFERRED_ROUTINE"],
        role_types: &["KDEFERRED_ROUTINE"],
        returns: None,
        parameters: &[Pointer, Pointer, Pointer, Pointer],
    },
    RoleInfo {
        role: Role::Isr,
        key: "isr",
        rule_names: &["SDV_KSERVICE_ROUTINE"],
        role_types: &["KSERVICE_ROUTINE"],
        returns: Some(BOOLEAN),
        parameters: &[Pointer, Pointer],
    },
    RoleInfo {
        role: Role::Worker,
        key: "worker",
        rule_names: &["SDV_IO_WORKITEM_ROUTINE"],
        // Not `KSTART_ROUTINE`, `WORKER_THREAD_ROUTINE` (one parameter) or
        // `IO_WORKITEM_ROUTINE_EX` (three), though they run as a work item
        // does: `slic verify`'s harness calls a routine with its role's
        // parameters.
        role_types: &["IO_WORKITEM_ROUTINE"],
        returns: None,
        parameters: &[Pointer, Pointer],
    },
    RoleInfo {
        role: Role::DriverEntry,
        key: "driverentry",
        rule_names: &["SDV_DRIVER_INITIALIZE"],
        role_types: &["DRIVER_INITIALIZE"],
        returns: Some(NTSTATUS),
        parameters: &[Pointer, Pointer],
    },
];

impl Role {
    pub fn info(self) -> &'static RoleInfo {
        ROLES
            .iter()
            .find(|info| info.role == self)
            .expect("every role is in the table")
    }

    pub fn key(self) -> &'static str {
        self.info().key
    }

    /// The name a rule would use: what reports print.
    pub fn rule_name(self) -> &'static str {
        self.info().rule_names[0]
    }

    pub fn from_key(key: &str) -> Option<Role> {
        ROLES
            .iter()
            .find(|info| info.key == key)
            .map(|info| info.role)
    }

    pub fn from_role_type(name: &str) -> Option<Role> {
        ROLES
            .iter()
            .find(|info| info.role_types.contains(&name))
            .map(|info| info.role)
    }
}

/// What an event name in a rule refers to, when it is a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleName {
    /// `SDV_RunDispatchFunction` and friends: the role, with the handler's kind.
    Role(Role),
    /// `sdv_stub_dispatch_begin` and friends: SDV's harness stubs, which
    /// take no arguments; any kind of them means this kind of the role.
    Stub(Role, EventKind),
}

const STUBS: &[(&str, Role, EventKind)] = &[
    ("sdv_stub_dispatch_begin", Role::Dispatch, EventKind::Entry),
    ("sdv_stub_dispatch_end", Role::Dispatch, EventKind::Exit),
    ("sdv_stub_cancel_begin", Role::Cancel, EventKind::Entry),
    ("sdv_stub_cancel_end", Role::Cancel, EventKind::Exit),
];

pub fn lookup_rule_name(name: &str) -> Option<RoleName> {
    if let Some(info) = ROLES.iter().find(|info| info.rule_names.contains(&name)) {
        return Some(RoleName::Role(info.role));
    }
    STUBS
        .iter()
        .find(|(stub, ..)| *stub == name)
        .map(|&(_, role, kind)| RoleName::Stub(role, kind))
}

/// Every name a rule may use for a role, for "did you mean" and docs.
pub fn all_rule_names() -> impl Iterator<Item = &'static str> {
    ROLES
        .iter()
        .flat_map(|info| info.rule_names.iter().copied())
        .chain(STUBS.iter().map(|(name, ..)| *name))
}
