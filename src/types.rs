//! The integer types of rule expressions and C's rules for combining them.
//!
//! Rules compare event values (an `NTSTATUS`, a `KIRQL`, a pointer) with
//! constants, so "what a C programmer expects" means C's integer types and
//! usual arithmetic conversions, on a 64-bit (LLP64, Windows x64) model:
//! `int` and `long` are 32 bits, pointers 64. Every back end evaluates with
//! exactly these rules; the interpreter is the reference.

/// A C integer type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct IntType {
    pub bits: u8,
    pub signed: bool,
}

impl IntType {
    pub const UCHAR: IntType = IntType::unsigned(8);
    pub const INT: IntType = IntType::signed(32);
    pub const UINT: IntType = IntType::unsigned(32);
    pub const INT64: IntType = IntType::signed(64);
    pub const UINT64: IntType = IntType::unsigned(64);
    /// Pointers are compared as 64-bit unsigned integers.
    pub const POINTER: IntType = IntType::unsigned(64);

    pub const fn signed(bits: u8) -> IntType {
        IntType { bits, signed: true }
    }

    pub const fn unsigned(bits: u8) -> IntType {
        IntType {
            bits,
            signed: false,
        }
    }

    /// Brings a 64-bit pattern into this type's range: truncate, then sign-
    /// or zero-extend back to 64 bits. This is C's conversion to the type.
    pub fn normalize(self, value: i64) -> i64 {
        if self.bits >= 64 {
            return value;
        }
        let shift = 64 - u32::from(self.bits);
        if self.signed {
            (value << shift) >> shift
        } else {
            ((value as u64) << shift >> shift) as i64
        }
    }

    /// C's integer promotion: anything narrower than `int` becomes `int`.
    pub fn promoted(self) -> IntType {
        if self.bits < 32 { IntType::INT } else { self }
    }

    /// The name of the matching `<stdint.h>` type.
    pub fn c_name(self) -> &'static str {
        match (self.bits, self.signed) {
            (8, true) => "int8_t",
            (8, false) => "uint8_t",
            (16, true) => "int16_t",
            (16, false) => "uint16_t",
            (32, true) => "int32_t",
            (32, false) => "uint32_t",
            (64, true) => "int64_t",
            _ => "uint64_t",
        }
    }
}

/// C's usual arithmetic conversions: the type both operands of a binary
/// operator are converted to.
pub fn common_type(left: IntType, right: IntType) -> IntType {
    let (a, b) = (left.promoted(), right.promoted());
    if a.signed == b.signed {
        return if a.bits >= b.bits { a } else { b };
    }
    let (signed, unsigned) = if a.signed { (a, b) } else { (b, a) };
    if unsigned.bits >= signed.bits {
        unsigned
    } else {
        // The signed type is wider and holds every value of the unsigned one.
        signed
    }
}

/// The type of an integer literal, by C's rules for an LLP64 target
/// (`long` is 32 bits, so the `l` suffix changes nothing).
pub fn literal_type(value: u64, decimal: bool, unsigned_suffix: bool) -> IntType {
    if unsigned_suffix {
        return if value <= u64::from(u32::MAX) {
            IntType::UINT
        } else {
            IntType::UINT64
        };
    }
    if value <= i32::MAX as u64 {
        IntType::INT
    } else if !decimal && value <= u64::from(u32::MAX) {
        IntType::UINT
    } else if value <= i64::MAX as u64 {
        IntType::INT64
    } else {
        IntType::UINT64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_truncates_and_extends() {
        assert_eq!(IntType::signed(32).normalize(0xC000_0001), -1_073_741_823);
        assert_eq!(IntType::UINT.normalize(-1), 0xFFFF_FFFF);
        assert_eq!(IntType::UCHAR.normalize(0x1FF), 0xFF);
        assert_eq!(IntType::INT64.normalize(-5), -5);
    }

    #[test]
    fn usual_arithmetic_conversions() {
        assert_eq!(common_type(IntType::UCHAR, IntType::UCHAR), IntType::INT);
        assert_eq!(common_type(IntType::INT, IntType::UINT), IntType::UINT);
        assert_eq!(common_type(IntType::UINT, IntType::INT64), IntType::INT64);
        assert_eq!(
            common_type(IntType::INT64, IntType::UINT64),
            IntType::UINT64
        );
    }

    #[test]
    fn literal_types_follow_c() {
        assert_eq!(literal_type(1, true, false), IntType::INT);
        assert_eq!(literal_type(0xC000_0001, false, false), IntType::UINT);
        assert_eq!(literal_type(3_000_000_000, true, false), IntType::INT64);
        assert_eq!(literal_type(1, true, true), IntType::UINT);
    }
}
