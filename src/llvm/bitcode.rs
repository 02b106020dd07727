//! Which LLVM wrote a bitcode file: the identification block's string
//! (`LLVM16.0.6`).
//!
//! LLVM tools read older bitcode but never newer, and the text they print
//! is their own version's, so a `.bc` is disassembled and reassembled by
//! the `llvm-dis` and `llvm-as` of its producer's major version. Reading
//! the string needs a small part of the bitstream format (LLVM's
//! `BitstreamReader`): the first block of the file, its abbreviations and
//! one record.

const IDENTIFICATION_BLOCK: u64 = 13;
const IDENTIFICATION_STRING: u64 = 1;

struct Bits<'a> {
    bytes: &'a [u8],
    /// In bits.
    at: usize,
}

impl Bits<'_> {
    fn fixed(&mut self, width: u32) -> Option<u64> {
        let mut value = 0u64;
        for bit in 0..width {
            let index = self.at / 8;
            let byte = *self.bytes.get(index)?;
            let set = (byte >> (self.at % 8)) & 1;
            value |= u64::from(set) << bit;
            self.at += 1;
        }
        Some(value)
    }

    fn vbr(&mut self, width: u32) -> Option<u64> {
        let high = 1u64 << (width - 1);
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let chunk = self.fixed(width)?;
            value |= (chunk & (high - 1)) << shift;
            if chunk & high == 0 {
                return Some(value);
            }
            shift += width - 1;
            if shift > 64 {
                return None;
            }
        }
    }

    fn align32(&mut self) {
        self.at = self.at.div_ceil(32) * 32;
    }
}

#[derive(Debug, Clone)]
enum Operand {
    Literal(u64),
    Fixed(u32),
    Vbr(u32),
    Array,
    Char6,
    Blob,
}

fn char6(value: u64) -> Option<char> {
    let value = value as u8;
    Some(match value {
        0..=25 => (b'a' + value) as char,
        26..=51 => (b'A' + value - 26) as char,
        52..=61 => (b'0' + value - 52) as char,
        62 => '.',
        63 => '_',
        _ => return None,
    })
}

fn scalar(bits: &mut Bits, operand: &Operand) -> Option<u64> {
    match operand {
        Operand::Literal(value) => Some(*value),
        Operand::Fixed(width) => bits.fixed(*width),
        Operand::Vbr(width) => bits.vbr(*width),
        Operand::Char6 => bits.fixed(6).and_then(char6).map(u64::from),
        Operand::Array | Operand::Blob => None,
    }
}

/// The producer string of a bitcode file, or why it cannot be read.
pub fn producer(bytes: &[u8]) -> Result<String, String> {
    let mut bytes = bytes;
    // The wrapper some platforms put around bitcode.
    if bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B]) && bytes.len() >= 20 {
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let (offset, size) = (word(8), word(12));
        bytes = bytes
            .get(offset..offset + size)
            .ok_or("the bitcode wrapper points outside the file")?;
    }
    if !bytes.starts_with(b"BC\xC0\xDE") {
        return Err("not an LLVM bitcode file".to_string());
    }
    let mut bits = Bits { bytes, at: 32 };
    let broken = || "the bitcode is truncated or malformed".to_string();
    // At the top level abbreviation IDs are 2 bits wide; the first block
    // of a file written by LLVM 5 or newer is the identification block.
    let id = bits.fixed(2).ok_or_else(broken)?;
    let block = if id == 1 {
        bits.vbr(8).ok_or_else(broken)?
    } else {
        u64::MAX
    };
    if block != IDENTIFICATION_BLOCK {
        return Err(
            "the bitcode has no identification block (written by LLVM 4 or older?)".to_string(),
        );
    }
    let width = bits.vbr(4).ok_or_else(broken)? as u32;
    bits.align32();
    bits.fixed(32).ok_or_else(broken)?;
    let mut abbreviations: Vec<Vec<Operand>> = Vec::new();
    loop {
        match bits.fixed(width).ok_or_else(broken)? {
            0 => return Err("the identification block has no producer string".to_string()),
            1 => return Err(broken()),
            2 => {
                let count = bits.vbr(5).ok_or_else(broken)?;
                let mut operands = Vec::new();
                for _ in 0..count {
                    let literal = bits.fixed(1).ok_or_else(broken)?;
                    let operand = if literal == 1 {
                        Operand::Literal(bits.vbr(8).ok_or_else(broken)?)
                    } else {
                        match bits.fixed(3).ok_or_else(broken)? {
                            1 => Operand::Fixed(bits.vbr(5).ok_or_else(broken)? as u32),
                            2 => Operand::Vbr(bits.vbr(5).ok_or_else(broken)? as u32),
                            3 => Operand::Array,
                            4 => Operand::Char6,
                            5 => Operand::Blob,
                            _ => return Err(broken()),
                        }
                    };
                    operands.push(operand);
                }
                abbreviations.push(operands);
            }
            3 => {
                let code = bits.vbr(6).ok_or_else(broken)?;
                let count = bits.vbr(6).ok_or_else(broken)?;
                let mut values = Vec::new();
                for _ in 0..count {
                    values.push(bits.vbr(6).ok_or_else(broken)?);
                }
                if code == IDENTIFICATION_STRING {
                    return Ok(values.iter().map(|&v| v as u8 as char).collect());
                }
            }
            id => {
                let operands = abbreviations
                    .get(id as usize - 4)
                    .ok_or_else(broken)?
                    .clone();
                let mut values: Vec<u64> = Vec::new();
                let mut index = 0;
                while index < operands.len() {
                    match &operands[index] {
                        Operand::Array => {
                            let element = operands.get(index + 1).ok_or_else(broken)?;
                            let length = bits.vbr(6).ok_or_else(broken)?;
                            for _ in 0..length {
                                values.push(scalar(&mut bits, element).ok_or_else(broken)?);
                            }
                            index += 2;
                        }
                        Operand::Blob => {
                            let length = bits.vbr(6).ok_or_else(broken)?;
                            bits.align32();
                            for _ in 0..length {
                                values.push(bits.fixed(8).ok_or_else(broken)?);
                            }
                            bits.align32();
                            index += 1;
                        }
                        operand => {
                            values.push(scalar(&mut bits, operand).ok_or_else(broken)?);
                            index += 1;
                        }
                    }
                }
                // The first value of an abbreviated record is its code.
                if values.first() == Some(&IDENTIFICATION_STRING) {
                    return Ok(values[1..].iter().map(|&v| v as u8 as char).collect());
                }
            }
        }
    }
}

/// `LLVM16.0.6` → 16.
pub fn major_version(producer: &str) -> Option<u32> {
    let digits: String = producer
        .strip_prefix("LLVM")?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_producers() {
        assert_eq!(major_version("LLVM16.0.6"), Some(16));
        assert_eq!(major_version("LLVM19.1.7"), Some(19));
        assert_eq!(major_version("APPLE_1_1500.3.9.4_0"), None);
        assert_eq!(major_version("LLVM"), None);
    }

    #[test]
    fn not_bitcode() {
        assert!(producer(b"; ModuleID = 'x'").is_err());
        assert!(producer(b"BC\xC0\xDE").is_err());
    }
}
