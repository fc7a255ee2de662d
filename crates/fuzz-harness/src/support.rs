//! Helpers shared by the fuzz harnesses: input splitting and the num-bigint oracle.

use cognito_auth_srp::group;
use num_bigint::{BigInt, BigUint, Sign};

/// The input as text, split into lines; invalid UTF-8 is replaced, so every input
/// is usable.
pub fn lines(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .split('\n')
        .map(str::to_owned)
        .collect()
}

/// Line `index`, or `None` when the input has fewer lines.
pub fn line(lines: &[String], index: usize) -> Option<&str> {
    lines.get(index).map(String::as_str)
}

/// The hex digits of `text` (anything else skipped) as big-endian bytes, an odd
/// count left-padded with a zero nibble. Lets mutated text still become bytes.
pub fn lax_hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .bytes()
        .filter_map(|b| (b as char).to_digit(16).map(|d| d as u8))
        .collect();
    let mut out = Vec::with_capacity(digits.len().div_ceil(2));
    let mut rest = digits.as_slice();
    if rest.len() % 2 == 1 {
        out.push(rest[0]);
        rest = &rest[1..];
    }
    for pair in rest.chunks(2) {
        out.push(pair[0] << 4 | pair[1]);
    }
    out
}

/// Reads length-prefixed (u16 big-endian) chunks; a short input yields short or
/// empty chunks rather than failing.
#[derive(Debug)]
pub struct Chunks<'a> {
    data: &'a [u8],
}

impl<'a> Chunks<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((first, rest)) => {
                self.data = rest;
                *first
            }
            None => 0,
        }
    }

    /// The next chunk, at most `max` bytes.
    pub fn chunk(&mut self, max: usize) -> &'a [u8] {
        let len = usize::from(u16::from_be_bytes([self.byte(), self.byte()])).min(max);
        let len = len.min(self.data.len());
        let (chunk, rest) = self.data.split_at(len);
        self.data = rest;
        chunk
    }
}

/// N.
pub fn n() -> BigUint {
    BigUint::from_bytes_be(&group::n_bytes())
}

/// k.
pub fn k() -> BigUint {
    BigUint::from_bytes_be(&group::k())
}

/// g.
pub fn g() -> BigUint {
    BigUint::from(group::G)
}

/// `value` as 384 big-endian bytes (value < 2^3072).
pub fn be384(value: &BigUint) -> [u8; 384] {
    let bytes = value.to_bytes_be();
    assert!(bytes.len() <= 384, "value too wide for 384 bytes");
    let mut out = [0u8; 384];
    out[384 - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// Java `BigInteger.toByteArray()` of a non-negative value.
pub fn java_bytes(value: &BigUint) -> Vec<u8> {
    BigInt::from_biguint(Sign::Plus, value.clone()).to_signed_bytes_be()
}

/// Turns `bytes` into an operand, by `mode`, so that values at and above N, and
/// near the edges, come up often.
pub fn operand(mode: u8, bytes: &[u8]) -> BigUint {
    let value = BigUint::from_bytes_be(bytes);
    let n = n();
    let top = (BigUint::from(1u8) << 3072u32) - 1u8;
    match mode % 10 {
        0..=2 => value,
        3 => &n + value,
        4 => &n * (value % 4u8),
        5 => {
            if value <= n {
                &n - value
            } else {
                value
            }
        }
        6 => {
            if value <= top {
                &top - value
            } else {
                value
            }
        }
        7 => &n - 1u8,
        8 => (&n << 8u32) + value,
        _ => top,
    }
}
