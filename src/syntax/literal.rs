//! C integer and string literals.

/// An integer literal as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegerLiteral {
    pub value: u64,
    /// 8, 10 or 16: decides the literal's C type and how it is printed.
    pub base: u32,
    /// A `u` suffix. An `l` suffix changes nothing on an LLP64 target.
    pub unsigned: bool,
}

pub fn integer(text: &str) -> Result<IntegerLiteral, String> {
    let digits = text.trim_end_matches(['u', 'U', 'l', 'L']);
    let unsigned = text[digits.len()..].contains(['u', 'U']);
    let (base, digits) = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, hex)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    u64::from_str_radix(digits, base)
        .map(|value| IntegerLiteral {
            value,
            base,
            unsigned,
        })
        .map_err(|error| match error.kind() {
            std::num::IntErrorKind::PosOverflow => {
                format!("integer literal `{text}` does not fit in 64 bits")
            }
            _ => format!("`{text}` is not a valid integer literal"),
        })
}

/// Decodes the escapes of a C string literal body (without the quotes).
pub fn unescape(body: &str) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = chars.next().ok_or("a string ends with a lone backslash")?;
        match escaped {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0C'),
            'v' => out.push('\x0B'),
            '\\' | '\'' | '"' | '?' => out.push(escaped),
            'x' => {
                let mut value = 0u32;
                let mut count = 0;
                while let Some(digit) = chars.peek().and_then(|c| c.to_digit(16)) {
                    value = value * 16 + digit;
                    count += 1;
                    chars.next();
                    if value > 0xFF {
                        return Err("hex escape is out of range".into());
                    }
                }
                if count == 0 {
                    return Err("`\\x` needs at least one hex digit".into());
                }
                out.push(char::from(value as u8));
            }
            '0'..='7' => {
                let mut value = escaped.to_digit(8).expect("an octal digit");
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            value = value * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                if value > 0xFF {
                    return Err("octal escape is out of range".into());
                }
                out.push(char::from(value as u8));
            }
            other => return Err(format!("unknown escape `\\{other}`")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_every_base_with_suffixes() {
        let value = |text| integer(text).map(|l| (l.value, l.base, l.unsigned));
        assert_eq!(value("42"), Ok((42, 10, false)));
        assert_eq!(value("0x00040007"), Ok((0x40007, 16, false)));
        assert_eq!(value("10UL"), Ok((10, 10, true)));
        assert_eq!(value("017"), Ok((15, 8, false)));
        assert_eq!(value("0"), Ok((0, 10, false)));
        assert!(integer("08").is_err());
        assert!(integer("0x1_0000_0000_0000_0000").is_err());
        assert!(
            integer("99999999999999999999")
                .unwrap_err()
                .contains("64 bits")
        );
    }

    #[test]
    fn string_escapes() {
        assert_eq!(unescape(r#"a\"b\n\x41\101"#).unwrap(), "a\"b\nAA");
        assert!(unescape(r"\q").is_err());
        assert!(unescape(r"\x").is_err());
    }
}
