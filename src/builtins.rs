//! Names every rule can use without declaring them.
//!
//! SDV's rules got these from `slic_base.h` and the WDK headers. slic has
//! them built in, with the values of the WDK for x64, so a rule means the
//! same thing whatever headers happen to be on disk.

use crate::types::IntType;

#[derive(Debug)]
pub struct Constant {
    pub name: &'static str,
    pub value: i64,
    pub ty: IntType,
}

const fn constant(name: &'static str, value: i64, ty: IntType) -> Constant {
    Constant { name, value, ty }
}

const NTSTATUS: IntType = IntType::signed(32);
const KIRQL: IntType = IntType::UCHAR;

/// `NTSTATUS` codes are negative 32-bit values when they denote errors, as
/// `((NTSTATUS)0xC0000001L)` is in the WDK.
const fn status(name: &'static str, code: u32) -> Constant {
    constant(name, code as i32 as i64, NTSTATUS)
}

pub const CONSTANTS: &[Constant] = &[
    constant("TRUE", 1, IntType::INT),
    constant("FALSE", 0, IntType::INT),
    constant("NULL", 0, IntType::POINTER),
    constant("PASSIVE_LEVEL", 0, KIRQL),
    constant("LOW_LEVEL", 0, KIRQL),
    constant("APC_LEVEL", 1, KIRQL),
    constant("DISPATCH_LEVEL", 2, KIRQL),
    constant("CMCI_LEVEL", 5, KIRQL),
    constant("CLOCK_LEVEL", 13, KIRQL),
    constant("IPI_LEVEL", 14, KIRQL),
    constant("POWER_LEVEL", 14, KIRQL),
    constant("PROFILE_LEVEL", 15, KIRQL),
    constant("HIGH_LEVEL", 15, KIRQL),
    status("STATUS_SUCCESS", 0x0000_0000),
    status("STATUS_TIMEOUT", 0x0000_0102),
    status("STATUS_PENDING", 0x0000_0103),
    status("STATUS_UNSUCCESSFUL", 0xC000_0001),
    status("STATUS_NOT_IMPLEMENTED", 0xC000_0002),
    status("STATUS_INVALID_PARAMETER", 0xC000_000D),
    status("STATUS_INVALID_DEVICE_REQUEST", 0xC000_0010),
    status("STATUS_MORE_PROCESSING_REQUIRED", 0xC000_0016),
    status("STATUS_BUFFER_TOO_SMALL", 0xC000_0023),
    status("STATUS_INSUFFICIENT_RESOURCES", 0xC000_009A),
    status("STATUS_DEVICE_NOT_READY", 0xC000_00A3),
    status("STATUS_NOT_SUPPORTED", 0xC000_00BB),
    status("STATUS_CANCELLED", 0xC000_0120),
];

pub fn constant_named(name: &str) -> Option<&'static Constant> {
    CONSTANTS.iter().find(|c| c.name == name)
}

/// The header SDV's rules include. Its constants are the ones above, so
/// slic resolves it without looking at the disk and it declares nothing.
pub const SLIC_BASE_NAME: &str = "slic_base.h";
