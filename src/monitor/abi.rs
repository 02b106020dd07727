//! What the monitors agree on with each other and with woven code: status
//! values of an instance, kinds of report, the size of an object table,
//! and the texts both print. The C monitor gets them as `#define`s
//! (`c_definitions`), the LLVM monitor as these constants; neither writes
//! them by hand.

/// An instance that checks events.
pub const LIVE: i64 = 0;
/// An instance that stopped checking (`halt`).
pub const HALTED: i64 = 1;
/// An instance that reported a violation (`abort`); it reports once.
pub const FAILED: i64 = 2;

/// `struct slic_violation.kind` of a violation of a rule.
pub const VIOLATION: i32 = 1;
/// `struct slic_violation.kind` of a table that ran out of slots.
pub const TABLE_FULL: i32 = 2;

/// How many objects a `watch` rule tracks at once, unless the build says
/// otherwise (`-DSLIC_MAX_OBJECTS=N`; the LLVM monitor has this size).
pub const MAX_OBJECTS: usize = 1024;

/// How many slots a `watch` rule's table has: room for `MAX_OBJECTS`
/// objects at half load. The C monitor's `SLIC_TABLE_SLOTS`
/// (`object_table.h`, from `SLIC_MAX_OBJECTS`); the LLVM monitor's table.
pub const TABLE_SLOTS: usize = 2 * MAX_OBJECTS;

/// The multiplier of the object tables' hash (`slic_hash` in
/// `object_table.h`): an object's first slot is the high 32 bits of
/// `object * HASH_MULTIPLIER` (64-bit), modulo `TABLE_SLOTS`.
pub const HASH_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The message of a report of a full table.
pub const TABLE_FULL_MESSAGE: &str =
    "the monitor tracks SLIC_MAX_OBJECTS objects already; events on more objects are not checked";

/// The environment variable that makes the default report go on
/// (`continue`) instead of stopping the program.
pub const ON_VIOLATION_VARIABLE: &str = "SLIC_ON_VIOLATION";

/// The size of the default report's buffer: a report longer than this is
/// cut.
pub const REPORT_BUFFER: usize = 1024;

/// The functions woven code calls around each routine of the driver, and
/// the thread-local count of the driver's routines running on a thread
/// (API events count only while it is not zero). The C and the LLVM
/// monitors define them under these names, so files woven through either
/// share one count.
pub const DRIVER_ENTER: &str = "slic_driver_enter";
pub const DRIVER_EXIT: &str = "slic_driver_exit";
pub const DRIVER_DEPTH: &str = "slic_driver_depth";
/// Whether a routine of the driver has run in the process (until one has,
/// every call counts).
pub const DRIVER_STARTED: &str = "slic_driver_started";

/// The report kinds, for `slic_monitor.h`.
pub fn c_report_kinds() -> String {
    format!("#define SLIC_VIOLATION {VIOLATION}\n#define SLIC_TABLE_FULL {TABLE_FULL}\n")
}

/// The rest of the constants, for `slic_monitor.c`.
pub fn c_definitions() -> String {
    format!(
        "/* The monitor's constants (slic's src/monitor/abi.rs). */\n\
         #define SLIC_LIVE {LIVE}\n\
         #define SLIC_HALTED {HALTED}\n\
         #define SLIC_FAILED {FAILED}\n\
         #ifndef SLIC_MAX_OBJECTS\n\
         #define SLIC_MAX_OBJECTS {MAX_OBJECTS}\n\
         #endif\n\
         #define SLIC_TABLE_FULL_MESSAGE {}\n\
         #define SLIC_ON_VIOLATION_VARIABLE {}\n\
         #define SLIC_REPORT_BUFFER {REPORT_BUFFER}\n\n",
        crate::syntax::pretty::quote(TABLE_FULL_MESSAGE),
        crate::syntax::pretty::quote(ON_VIOLATION_VARIABLE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The C monitor writes the table's size and hash in its runtime; they
    /// must be these, which the LLVM monitor uses.
    #[test]
    fn the_c_object_table_has_these_constants() {
        let table = include_str!("c/runtime/object_table.h");
        assert_eq!(TABLE_SLOTS, 2 * MAX_OBJECTS);
        assert!(table.contains("#define SLIC_TABLE_SLOTS (2 * SLIC_MAX_OBJECTS)"));
        assert!(table.contains(&format!("UINT64_C({HASH_MULTIPLIER:#X})")));
        assert!(table.contains("return (unsigned)(h >> 32) % SLIC_TABLE_SLOTS;"));
    }
}
