//! Wire encodings: hex integers as Cognito prints them, `pad` as Java
//! `BigInteger.toByteArray()` produces it, and base64.

#![forbid(unsafe_code)]

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::Error;

/// The longest integer accepted from the wire, in bytes: the width of `pad(N)`.
/// That admits every value below 2^3080, including B = 2N, which must be rejected
/// as `B mod N == 0` rather than as too long.
pub(crate) const MAX_WIRE_INT_BYTES: usize = 385;

/// Standard base64, padded on output. Input may be padded or not: Cognito pads, but
/// a missing `=` carries no ambiguity and rejecting it would help nobody.
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `pad(n)` for a non-negative big-endian integer: the minimal two's-complement
/// encoding, i.e. the minimal bytes with a `00` in front when the top bit is set.
/// Zero is the single byte `00`.
pub fn pad_unsigned(big_endian: &[u8]) -> Vec<u8> {
    let significant = strip_leading_zeros(big_endian);
    let mut out = Vec::with_capacity(significant.len() + 1);
    if significant.first().is_none_or(|b| *b >= 0x80) {
        out.push(0);
    }
    out.extend_from_slice(significant);
    out
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// An integer read from a hex wire field (`SALT`, `SRP_B`, `SRP_A`).
///
/// Cognito prints these with Java `BigInteger.toString(16)`: lowercase, no leading
/// zeros, sometimes odd length, and (once, for unknown users) with a leading `-` on
/// the salt. Parsing accepts any letter case, odd lengths and leading zeros.
#[derive(Clone, PartialEq, Eq)]
pub struct WireInt {
    negative: bool,
    /// Minimal big-endian magnitude; empty for zero.
    magnitude: Vec<u8>,
}

impl std::fmt::Debug for WireInt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WireInt({})", self.to_hex())
    }
}

impl WireInt {
    /// Parses a hex integer, optionally preceded by `-`.
    ///
    /// `field` names the parameter in the error.
    pub fn parse_hex(field: &'static str, text: &str) -> Result<Self, Error> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidHex { field });
        }
        let significant = digits.trim_start_matches('0');
        if significant.len() > MAX_WIRE_INT_BYTES * 2 {
            return Err(Error::TooLong { field });
        }
        let mut magnitude = vec![0u8; significant.len().div_ceil(2)];
        // Fill from the least significant nibble so an odd count needs no special case.
        for (index, digit) in significant.bytes().rev().enumerate() {
            let nibble = hex_value(digit);
            let slot = magnitude.len() - 1 - index / 2;
            magnitude[slot] |= nibble << (4 * (index % 2));
        }
        Ok(Self {
            negative: negative && !magnitude.is_empty(),
            magnitude,
        })
    }

    /// A non-negative integer from big-endian bytes.
    pub fn from_unsigned_be(bytes: &[u8]) -> Self {
        Self {
            negative: false,
            magnitude: strip_leading_zeros(bytes).to_vec(),
        }
    }

    /// An integer from big-endian two's-complement bytes, as Java
    /// `new BigInteger(byte[])` reads them: the inverse of [`Self::pad`], and the
    /// form ConfirmDevice and stored salts use. No bytes is zero.
    ///
    /// `field` names the parameter in the error.
    pub fn from_signed_be(field: &'static str, bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_WIRE_INT_BYTES {
            return Err(Error::TooLong { field });
        }
        if bytes.first().is_none_or(|b| *b < 0x80) {
            return Ok(Self::from_unsigned_be(bytes));
        }
        // Negative: the magnitude is the two's complement, invert then add one.
        let mut magnitude: Vec<u8> = bytes.iter().map(|b| !b).collect();
        for byte in magnitude.iter_mut().rev() {
            let (value, overflow) = byte.overflowing_add(1);
            *byte = value;
            if !overflow {
                break;
            }
        }
        Ok(Self {
            negative: true,
            magnitude: strip_leading_zeros(&magnitude).to_vec(),
        })
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The absolute value, minimal big-endian (empty for zero).
    pub fn magnitude(&self) -> &[u8] {
        &self.magnitude
    }

    /// `pad(n)`: Java `BigInteger.toByteArray()`, two's complement for negatives.
    pub fn pad(&self) -> Vec<u8> {
        if !self.negative {
            return pad_unsigned(&self.magnitude);
        }
        // The shortest width w with m ≤ 2^(8w−1), then 2^(8w) − m.
        let mut width = self.magnitude.len();
        if !fits_negative(&self.magnitude) {
            width += 1;
        }
        let mut out = vec![0u8; width];
        out[width - self.magnitude.len()..].copy_from_slice(&self.magnitude);
        // Two's complement in place: invert, add one.
        let mut carry = true;
        for byte in out.iter_mut().rev() {
            let (value, overflow) = (!*byte).overflowing_add(u8::from(carry));
            *byte = value;
            carry = overflow;
        }
        out
    }

    /// The value as Java `BigInteger.toString(16)` prints it: lowercase, no leading
    /// zeros, `0` for zero, `-` in front of negatives.
    pub fn to_hex(&self) -> String {
        let digits = hex_minimal(&self.magnitude);
        if self.negative {
            format!("-{digits}")
        } else {
            digits
        }
    }
}

/// Whether `m` (minimal big-endian, non-zero) satisfies m ≤ 2^(8·len − 1), so that −m
/// fits in `len` bytes of two's complement.
fn fits_negative(magnitude: &[u8]) -> bool {
    match magnitude.split_first() {
        Some((first, rest)) => *first < 0x80 || (*first == 0x80 && rest.iter().all(|b| *b == 0)),
        None => true,
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

/// Lowercase hex of a big-endian integer with no leading zeros (`0` for zero): the
/// form `SRP_A` is sent in, as Amplify sends it.
pub fn hex_minimal(big_endian: &[u8]) -> String {
    let significant = strip_leading_zeros(big_endian);
    if significant.is_empty() {
        return "0".to_owned();
    }
    // Public values only (A, B, salts): indexing by their nibbles is fine.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(significant.len() * 2);
    for byte in significant {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    // At most one leading zero nibble can remain.
    match out.strip_prefix('0') {
        Some(rest) => rest.to_owned(),
        None => out,
    }
}

/// Decodes standard base64 (padding optional).
pub(crate) fn decode_base64(field: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    BASE64
        .decode(text.as_bytes())
        .map_err(|_| Error::InvalidBase64 { field })
}

/// Encodes standard base64 with padding.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn pad_follows_java_to_byte_array() {
        let cases = [
            ("0", "00"),
            ("80", "0080"),
            ("abc", "0abc"),
            ("-80", "80"),
            ("-81", "ff7f"),
            ("-100", "ff00"),
            ("-1", "ff"),
        ];
        for (value, padded) in cases {
            let parsed = WireInt::parse_hex("test", value).unwrap();
            assert_eq!(hex(&parsed.pad()), padded, "pad({value})");
        }
    }

    #[test]
    fn parse_accepts_case_odd_length_and_leading_zeros() {
        let a = WireInt::parse_hex("t", "00000ABc").unwrap();
        let b = WireInt::parse_hex("t", "abc").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_hex(), "abc");
        assert_eq!(a.magnitude(), &[0x0a, 0xbc]);
        assert_eq!(WireInt::parse_hex("t", "-0").unwrap().to_hex(), "0");
    }

    #[test]
    fn parse_rejects_junk() {
        for bad in ["", "-", "xyz", "12 34", "0x12", "--1", "+1", "１"] {
            assert!(
                matches!(
                    WireInt::parse_hex("SALT", bad),
                    Err(Error::InvalidHex { field: "SALT" })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn parse_bounds_length_by_pad_n() {
        let longest = "f".repeat(MAX_WIRE_INT_BYTES * 2);
        assert!(WireInt::parse_hex("SRP_B", &longest).is_ok());
        let too_long = format!("1{longest}");
        assert!(matches!(
            WireInt::parse_hex("SRP_B", &too_long),
            Err(Error::TooLong { field: "SRP_B" })
        ));
        // Leading zeros do not count toward the length.
        let padded = format!("{}{}", "0".repeat(5000), "1");
        assert!(WireInt::parse_hex("SRP_B", &padded).is_ok());
    }

    #[test]
    fn from_signed_be_inverts_pad() {
        for text in [
            "0", "1", "7f", "80", "ff", "100", "-1", "-80", "-81", "-ff", "-100",
        ] {
            let value = WireInt::parse_hex("SALT", text).unwrap();
            let read = WireInt::from_signed_be("Salt", &value.pad()).unwrap();
            assert_eq!(read, value, "{text}");
        }
        assert_eq!(
            WireInt::from_signed_be("Salt", &[0, 0, 0x2a])
                .unwrap()
                .to_hex(),
            "2a"
        );
        assert_eq!(
            WireInt::from_signed_be("Salt", &[0xff; MAX_WIRE_INT_BYTES + 1]),
            Err(Error::TooLong { field: "Salt" })
        );
    }

    #[test]
    fn hex_minimal_strips_zero_nibbles() {
        assert_eq!(hex_minimal(&[0, 0x0a, 0xbc]), "abc");
        assert_eq!(hex_minimal(&[0, 0]), "0");
        assert_eq!(hex_minimal(&[0x10]), "10");
        assert_eq!(hex_minimal(&[0xff, 0x00, 0x9a, 0x3c]), "ff009a3c");
    }

    #[test]
    fn base64_accepts_missing_padding_and_rejects_junk() {
        assert_eq!(decode_base64("b", "AQI=").unwrap(), vec![1, 2]);
        assert_eq!(decode_base64("b", "AQI").unwrap(), vec![1, 2]);
        assert!(decode_base64("b", "not base64!").is_err());
        assert!(decode_base64("b", "AQ-_").is_err());
    }
}
