//! One pass over the whole module for the three sigils that name things
//! defined elsewhere in it: `!N` (metadata), `#N` (attribute groups) and
//! `@name` (globals).
//!
//! - A module cut short (a build killed mid-write, a partial copy) still
//!   reads as a run of complete lines, but it names metadata, attribute
//!   groups or globals whose definitions were in the lost part. Every
//!   `!N`, `#N` and `@name` must be defined, or the module is refused, as
//!   `llvm-as` would refuse it. A sigil inside a string or a comment is no reference: the rare
//!   undefined one is checked against the tokens of its line.
//! - The positions of `@` are where the bodies can name an API: the
//!   weaver reads those lines, and not the millions of others.
//!
//! The three bytes are found 64 at a time (AVX2 or SSE2 compares); what the weaver would have
//! spent reading every line goes to the few that matter.

use crate::hash::FnvHashSet;
use std::borrow::Cow;

use super::lexer::{Kind, tokenize};
use super::module::{Module, malformed};
use super::text::line_at;
use crate::diagnostic::Diagnostic;
use crate::llvm::names::decode;
use crate::span::FileId;

/// Where the module names globals.
#[derive(Debug, Default)]
pub struct Mentions {
    /// The offset of every `@` that starts a name, in order.
    pub globals: Vec<u32>,
}

impl Mentions {
    /// The offsets of the `@`s in `range`.
    pub fn globals_in(&self, range: std::ops::Range<usize>) -> &[u32] {
        let start = self
            .globals
            .partition_point(|&at| (at as usize) < range.start);
        let end = self
            .globals
            .partition_point(|&at| (at as usize) < range.end);
        &self.globals[start..end]
    }
}

/// Finds every mention, and refuses the module if one names metadata or
/// an attribute group it does not define.
pub fn find(module: &Module, file: FileId) -> Result<Mentions, Diagnostic> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { find_avx2(module, file) };
    }
    find_with::<Sse2>(module, file)
}

/// `find` compiled for AVX2: the blocks' masks in two registers, not four.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn find_avx2(module: &Module, file: FileId) -> Result<Mentions, Diagnostic> {
    find_with::<Avx2>(module, file)
}

#[inline(always)]
fn find_with<M: BlockMask>(module: &Module, file: FileId) -> Result<Mentions, Diagnostic> {
    let source = module.source;
    let bytes = source.as_bytes();
    let mut mentions = Mentions::default();
    let mut undefined = None;
    let symbols: FnvHashSet<&str> = module
        .declared
        .keys()
        .chain(module.globals.iter().map(|g| &g.symbol))
        .map(String::as_str)
        .collect();
    // The end of the quoted name being read: an `@` inside it
    // (`@"\01@F@8"`) names nothing.
    let mut quoted_end = 0;
    for at in sigils::<M>(bytes) {
        let sigil = bytes[at];
        if sigil == b'@' {
            if at < quoted_end {
                continue;
            }
            let (name, end) = global_name(source, at);
            quoted_end = end;
            mentions.globals.push(at as u32);
            if !symbols.contains(name.as_ref()) && is_reference(source, at, sigil) {
                undefined = Some((at, end - at - 1));
                break;
            }
            continue;
        }
        let (number, length) = number_at(bytes, at + 1).unwrap_or((usize::MAX, 1));
        let defined = if sigil == b'!' {
            module.metadata.defines(number)
        } else {
            module.attribute_groups.get(number) == Some(&true)
        };
        if !defined && is_reference(source, at, sigil) {
            undefined = Some((at, length));
            break;
        }
    }
    if let Some((at, length)) = undefined {
        let what = match bytes[at] {
            b'!' => "metadata",
            b'#' => "attribute group",
            _ => "global",
        };
        let name = &source[at..at + 1 + length];
        return Err(malformed(
            file,
            source,
            at,
            format!("{what} `{name}` is used here but never defined: the module looks cut short"),
        ));
    }
    Ok(mentions)
}

/// The offsets of every `@`, and every `!` and `#` followed by a digit,
/// of `bytes`, in order. In a module `!` is dense (a few per line), where a
/// search that restarts at each one would spend more on restarting than
/// on searching: each block of 64 bytes is tested whole, into a bit mask.
fn sigils<M: BlockMask>(bytes: &[u8]) -> Sigils<'_, M> {
    Sigils {
        bytes,
        block: 0,
        hits: 0,
        started: false,
        mask: std::marker::PhantomData,
    }
}

struct Sigils<'b, M> {
    bytes: &'b [u8],
    /// Where the block of `hits` starts.
    block: usize,
    /// The sigils of the block not yet given, a bit each.
    hits: u64,
    started: bool,
    mask: std::marker::PhantomData<M>,
}

impl<M: BlockMask> Iterator for Sigils<'_, M> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        loop {
            if self.hits != 0 {
                let index = self.hits.trailing_zeros() as usize;
                self.hits &= self.hits - 1;
                return Some(self.block + index);
            }
            let next = if self.started { self.block + BLOCK } else { 0 };
            self.started = true;
            if next >= self.bytes.len() {
                return None;
            }
            self.block = next;
            self.hits = if next + BLOCK < self.bytes.len() {
                // A block and the byte after it (the one after its last sigil).
                M::mask(&self.bytes[next..next + BLOCK + 1])
            } else {
                // The last bytes, one by one.
                (next..self.bytes.len()).fold(0, |mask, at| {
                    let following = self.bytes.get(at + 1).copied().unwrap_or(b' ');
                    mask | u64::from(is_sigil(self.bytes[at], following)) << (at - next)
                })
            };
        }
    }
}

/// A block is 64 bytes: the loop's cost per block is paid once for four
/// SSE2 registers' worth, or two AVX2 registers'.
const BLOCK: usize = 64;

fn is_sigil(byte: u8, next: u8) -> bool {
    byte == b'@' || (byte == b'!' || byte == b'#') && next.is_ascii_digit()
}

/// How the sigils of a block are found: bit `i` of `mask(window)` is set
/// when byte `i` of `window[..64]` is a sigil (`window` has one byte more).
trait BlockMask {
    fn mask(window: &[u8]) -> u64;
}

/// Byte by byte: the reference the vector versions are tested against,
/// and what other processors use.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
struct Bytewise;

impl BlockMask for Bytewise {
    fn mask(window: &[u8]) -> u64 {
        (0..BLOCK).fold(0, |mask, i| {
            mask | u64::from(is_sigil(window[i], window[i + 1])) << i
        })
    }
}

#[cfg(not(target_arch = "x86_64"))]
use Bytewise as Sse2;

#[cfg(target_arch = "x86_64")]
struct Sse2;

#[cfg(target_arch = "x86_64")]
impl BlockMask for Sse2 {
    #[inline(always)]
    fn mask(window: &[u8]) -> u64 {
        assert!(window.len() > BLOCK);
        (0..BLOCK / 16).fold(0, |mask, i| {
            mask | u64::from(sse2_mask(&window[16 * i..16 * i + 17])) << (16 * i)
        })
    }
}

/// The mask of 16 bytes (`window` has 17).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sse2_mask(window: &[u8]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    assert!(window.len() > 16);
    // SAFETY: both loads read 16 bytes of `window`, which has 17 or more;
    // SSE2 is part of every x86_64 processor.
    unsafe {
        let here = _mm_loadu_si128(window.as_ptr().cast::<__m128i>());
        let next = _mm_loadu_si128(window.as_ptr().add(1).cast::<__m128i>());
        let bang_or_hash = _mm_or_si128(
            _mm_cmpeq_epi8(here, _mm_set1_epi8(b'!' as i8)),
            _mm_cmpeq_epi8(here, _mm_set1_epi8(b'#' as i8)),
        );
        // Signed compares: bytes above 0x7f are negative, never digits.
        let digit = _mm_and_si128(
            _mm_cmpgt_epi8(next, _mm_set1_epi8((b'0' - 1) as i8)),
            _mm_cmplt_epi8(next, _mm_set1_epi8((b'9' + 1) as i8)),
        );
        let hits = _mm_or_si128(
            _mm_cmpeq_epi8(here, _mm_set1_epi8(b'@' as i8)),
            _mm_and_si128(bang_or_hash, digit),
        );
        _mm_movemask_epi8(hits) as u32
    }
}

#[cfg(target_arch = "x86_64")]
struct Avx2;

#[cfg(target_arch = "x86_64")]
impl BlockMask for Avx2 {
    /// Only called where AVX2 is known to be there (`find_avx2`).
    #[inline(always)]
    fn mask(window: &[u8]) -> u64 {
        assert!(window.len() > BLOCK);
        // SAFETY: both reads are of 33 bytes of `window`; the caller runs
        // only on a processor with AVX2.
        unsafe { u64::from(avx2_mask(&window[..33])) | u64::from(avx2_mask(&window[32..])) << 32 }
    }
}

/// The mask of 32 bytes (`window` has 33).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn avx2_mask(window: &[u8]) -> u32 {
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256,
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };
    assert!(window.len() > 32);
    // SAFETY: both loads read 32 bytes of `window`, which has 33 or more.
    unsafe {
        let here = _mm256_loadu_si256(window.as_ptr().cast::<__m256i>());
        let next = _mm256_loadu_si256(window.as_ptr().add(1).cast::<__m256i>());
        let bang_or_hash = _mm256_or_si256(
            _mm256_cmpeq_epi8(here, _mm256_set1_epi8(b'!' as i8)),
            _mm256_cmpeq_epi8(here, _mm256_set1_epi8(b'#' as i8)),
        );
        // Signed compares: bytes above 0x7f are negative, never digits.
        let digit = _mm256_and_si256(
            _mm256_cmpgt_epi8(next, _mm256_set1_epi8((b'0' - 1) as i8)),
            _mm256_cmpgt_epi8(_mm256_set1_epi8((b'9' + 1) as i8), next),
        );
        let hits = _mm256_or_si256(
            _mm256_cmpeq_epi8(here, _mm256_set1_epi8(b'@' as i8)),
            _mm256_and_si256(bang_or_hash, digit),
        );
        _mm256_movemask_epi8(hits) as u32
    }
}

/// The symbol of the global named at `at` (an `@`), and where its name
/// ends.
fn global_name(source: &str, at: usize) -> (Cow<'_, str>, usize) {
    let bytes = source.as_bytes();
    if bytes.get(at + 1) == Some(&b'"') {
        let end =
            memchr::memchr2(b'"', b'\n', &bytes[at + 2..]).map_or(bytes.len(), |i| at + 2 + i);
        let end = (end + 1).min(bytes.len());
        return (Cow::Owned(decode(&source[at..end])), end);
    }
    let end = bytes[at + 1..]
        .iter()
        .position(|&b| !super::lexer::is_name_char(b))
        .map_or(bytes.len(), |i| at + 1 + i);
    (Cow::Borrowed(&source[at + 1..end]), end)
}

/// The decimal number at `at`, and how many digits it has (`None` past
/// 18 digits, more than any module numbers).
#[inline(always)]
fn number_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    // Most numbers of a module are short: where 8 bytes follow, the
    // digits among them are found at once, not tested one by one.
    if let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let length = leading_digits(word);
        if length < 8 {
            let number = word
                .to_le_bytes()
                .iter()
                .take(length)
                .fold(0usize, |number, &digit| {
                    number * 10 + usize::from(digit - b'0')
                });
            return (length > 0).then_some((number, length));
        }
    }
    number_bytewise(bytes, at)
}

/// How many of the 8 bytes of `word` (the first in its lowest byte) are
/// ASCII digits before the first that is not (8 when all are).
#[inline(always)]
fn leading_digits(word: u64) -> usize {
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    // A digit is 0x30..=0x39: its high half is 3, and so is the high
    // half of it plus 6. A byte that is not a digit makes its byte of
    // `other` non-zero (adding 6 can carry into the next byte only from
    // a byte of 0xfa or more, which is no digit: the bytes before the
    // first non-digit are read right).
    let other =
        ((word & HIGH) ^ THREES) | ((word.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ THREES);
    (other.trailing_zeros() / 8) as usize
}

/// `number_at`, a byte at a time.
fn number_bytewise(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let digits = &bytes[at.min(bytes.len())..bytes.len().min(at + 19)];
    let mut number = 0usize;
    let mut length = 0;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        number = number * 10 + usize::from(digit);
        length += 1;
    }
    (length > 0 && length <= 18).then_some((number, length))
}

/// Whether the sigil at `at` starts a metadata or attribute group token
/// (not a string's or a comment's byte).
#[cold]
#[inline(never)]
fn is_reference(source: &str, at: usize, sigil: u8) -> bool {
    let line = line_at(source, at);
    let mut tokens = Vec::new();
    tokenize(source, line, &mut tokens);
    let kind = match sigil {
        b'!' => Kind::Metadata,
        b'#' => Kind::AttributeGroup,
        _ => Kind::Global,
    };
    tokens
        .iter()
        .any(|t| t.start as usize == at && t.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_find_the_sigils_bytes_find() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"!#@0123456789 abc\n\"\xc3\xa9";
        for _ in 0..2000 {
            let window: Vec<u8> = (0..=BLOCK)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            let bytewise = Bytewise::mask(&window);
            assert_eq!(Sse2::mask(&window), bytewise, "{window:?}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                assert_eq!(Avx2::mask(&window), bytewise, "{window:?}");
            }
        }
    }

    #[test]
    fn numbers_read_as_bytes_read_them() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let alphabet = b"0123456789 !,)\n\xfa\xff/:";
        for _ in 0..5000 {
            let text: Vec<u8> = (0..24)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Mostly digits, as after a sigil.
                    let pick = state % if i < 6 { 10 } else { alphabet.len() as u64 };
                    alphabet[pick as usize]
                })
                .collect();
            for at in 0..text.len() {
                assert_eq!(
                    number_at(&text, at),
                    number_bytewise(&text, at),
                    "{text:?} at {at}"
                );
            }
        }
    }

    #[test]
    fn every_sigil_is_found_once_in_order() {
        // Long enough for whole blocks and a last part.
        let text = "!0 = !{!1} #2 @f !x #y @\"\\01g\" !12345678901234567890123!3".repeat(5);
        let text = text.as_str();
        let found: Vec<(usize, char)> = sigils::<Sse2>(text.as_bytes())
            .map(|at| (at, text.as_bytes()[at] as char))
            .collect();
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            assert_eq!(sigils::<Avx2>(text.as_bytes()).collect::<Vec<_>>(), {
                found.iter().map(|&(at, _)| at).collect::<Vec<_>>()
            });
        }
        let expected: Vec<(usize, char)> = text
            .char_indices()
            .filter(|&(i, c)| {
                let next = text.as_bytes().get(i + 1).copied().unwrap_or(b' ');
                is_sigil(c as u8, next) && c.is_ascii()
            })
            .collect();
        assert_eq!(found, expected);
        assert_eq!(number_at(b"x123y", 1), Some((123, 3)));
        assert_eq!(number_at(b"!12345 = !{}", 1), Some((12345, 5)));
        assert_eq!(number_at(b"!x = !{}      ", 1), None);
        assert_eq!(number_at(b"!1234567890, !2", 1), Some((1234567890, 10)));
        assert_eq!(number_at(b"!99999999999999999999999", 1), None);
    }
}
