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

/// A string escape that does not decode: why, and where in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEscape {
    pub message: String,
    pub range: std::ops::Range<usize>,
}

/// Decodes the escapes of a C string literal body (without the quotes).
pub fn unescape(body: &str) -> Result<String, BadEscape> {
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    while at < chars.len() {
        let (start, c) = chars[at];
        at += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = decode_escape(&chars, &mut at);
        let end = chars.get(at).map_or(body.len(), |&(i, _)| i);
        match decoded {
            Ok(c) => out.push(c),
            Err(message) => {
                return Err(BadEscape {
                    message,
                    range: start..end,
                });
            }
        }
    }
    Ok(out)
}

/// Decodes one escape whose backslash is just before `chars[*at]`,
/// advancing `at` past it.
fn decode_escape(chars: &[(usize, char)], at: &mut usize) -> Result<char, String> {
    let digit = |at: usize, radix| chars.get(at).and_then(|&(_, c)| c.to_digit(radix));
    let Some(&(_, escaped)) = chars.get(*at) else {
        return Err("a string ends with a lone backslash".into());
    };
    *at += 1;
    let simple = match escaped {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0C'),
        'v' => Some('\x0B'),
        '\\' | '\'' | '"' | '?' => Some(escaped),
        _ => None,
    };
    if let Some(c) = simple {
        return Ok(c);
    }
    let (radix, mut value, max_digits) = match escaped {
        'x' => (16, 0, usize::MAX),
        '0'..='7' => (8, escaped.to_digit(8).expect("an octal digit"), 2),
        other => return Err(format!("unknown escape `\\{other}`")),
    };
    let mut count = 0;
    while count < max_digits {
        let Some(d) = digit(*at, radix) else { break };
        value = value.saturating_mul(radix).saturating_add(d);
        *at += 1;
        count += 1;
    }
    if radix == 16 && count == 0 {
        return Err("`\\x` needs at least one hex digit".into());
    }
    if value > 0xFF {
        return Err(format!(
            "{} escape is out of range",
            if radix == 16 { "hex" } else { "octal" }
        ));
    }
    Ok(char::from(value as u8))
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
        assert!(unescape(r"\x41B").is_err(), "C reads every hex digit");
        assert_eq!(unescape(r"\x41 B").unwrap(), "A B");
        let error = unescape(r"ok \q").unwrap_err();
        assert_eq!(error.range, 3..5);
        assert!(unescape(r"\x").is_err());
        assert!(unescape(r"\x100").is_err());
    }
}
