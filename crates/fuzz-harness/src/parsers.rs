//! The wire parsers: `WireInt::parse_hex` against num-bigint, base64 through
//! `PasswordVerifier::from_device_config`, `parse_timestamp`, and the
//! format → parse round trip of TIMESTAMP for arbitrary seconds.
//!
//! Input lines: hex, base64 PasswordVerifier, base64 Salt, TIMESTAMP, seconds;
//! the whole input's bytes also go to `pad_unsigned` and `hex_minimal`.

use crate::support::{java_bytes, line, lines, n};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_auth_srp::{
    DeviceSecretVerifierConfig, Error, PasswordVerifier, WireInt, format_timestamp, hex_minimal,
    pad_unsigned, parse_timestamp,
};
use num_bigint::{BigInt, BigUint, Sign};
use num_traits::Zero;

/// The longest integer the wire accepts: 385 bytes, 770 hex digits.
const MAX_HEX_DIGITS: usize = 770;

fn check_hex(text: &str) {
    let parsed = WireInt::parse_hex("F", text);
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let well_formed = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        assert_eq!(parsed, Err(Error::InvalidHex { field: "F" }), "{text:?}");
        return;
    }
    if digits.trim_start_matches('0').len() > MAX_HEX_DIGITS {
        assert_eq!(parsed, Err(Error::TooLong { field: "F" }), "{text:?}");
        return;
    }
    let parsed = parsed.expect("well-formed hex parses");
    let value = BigUint::parse_bytes(digits.as_bytes(), 16).expect("num-bigint parses it too");
    let expected_magnitude = if value.is_zero() {
        Vec::new()
    } else {
        value.to_bytes_be()
    };
    assert_eq!(parsed.magnitude(), expected_magnitude.as_slice());
    assert_eq!(parsed.is_negative(), negative && !value.is_zero());
    let sign = if parsed.is_negative() {
        Sign::Minus
    } else {
        Sign::Plus
    };
    let signed = BigInt::from_biguint(sign, value.clone());
    assert_eq!(
        parsed.pad(),
        signed.to_signed_bytes_be(),
        "pad = Java toByteArray"
    );
    assert_eq!(
        parsed.to_hex(),
        signed.to_str_radix(16),
        "to_hex = Java toString(16)"
    );
    // What to_hex prints parses back to the same value.
    assert_eq!(
        WireInt::parse_hex("F", &parsed.to_hex()).as_ref(),
        Ok(&parsed)
    );
}

fn check_bytes(bytes: &[u8]) {
    let value = BigUint::from_bytes_be(bytes);
    assert_eq!(pad_unsigned(bytes), java_bytes(&value));
    assert_eq!(hex_minimal(bytes), value.to_str_radix(16));
}

fn check_device_config(verifier: &str, salt: &str) {
    let config = DeviceSecretVerifierConfig {
        password_verifier: verifier.to_owned(),
        salt: salt.to_owned(),
    };
    let Ok(parsed) = PasswordVerifier::from_device_config(&config) else {
        return;
    };
    // Accepted: both decode, both are non-negative two's complement.
    let decode = |text: &str| {
        BASE64
            .decode(text.trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.trim_end_matches('='))
            })
            .expect("accepted base64 decodes")
    };
    let (v, s) = (decode(verifier), decode(salt));
    assert!(!s.is_empty() && s[0] < 0x80 && !v.is_empty() && v[0] < 0x80);
    assert_eq!(parsed.salt_bytes(), java_bytes(&BigUint::from_bytes_be(&s)));
    assert_eq!(
        parsed.verifier_bytes(),
        java_bytes(&(BigUint::from_bytes_be(&v) % n())),
        "v is kept mod N"
    );
}

fn check_timestamp(text: &str) {
    let Ok(parsed) = parse_timestamp(text) else {
        return;
    };
    assert_eq!(
        format_timestamp(parsed.unix_seconds).as_ref(),
        Ok(&parsed.canonical)
    );
    assert_eq!(parse_timestamp(&parsed.canonical).as_ref(), Ok(&parsed));
}

fn check_seconds(seconds: i64) {
    let Ok(text) = format_timestamp(seconds) else {
        return;
    };
    let parsed = parse_timestamp(&text).expect("what we format, we parse");
    assert_eq!(parsed.unix_seconds, seconds);
    assert_eq!(parsed.canonical, text);
    // Java's parser ignores case, and GMT names the same zone.
    let shouted = parse_timestamp(&text.to_uppercase()).expect("upper case parses");
    assert_eq!(shouted.unix_seconds, seconds);
    let gmt = parse_timestamp(&text.replace("UTC", "GMT")).expect("GMT parses");
    assert_eq!(gmt.unix_seconds, seconds);
}

/// Runs one fuzz input; panics on a finding.
pub fn run(data: &[u8]) {
    let lines = lines(data);
    if let Some(text) = line(&lines, 0) {
        check_hex(text);
    }
    check_device_config(line(&lines, 1).unwrap_or(""), line(&lines, 2).unwrap_or(""));
    if let Some(text) = line(&lines, 3) {
        check_timestamp(text);
    }
    if let Some(seconds) = line(&lines, 4).and_then(|s| s.trim().parse::<i64>().ok()) {
        check_seconds(seconds);
    }
    // The raw bytes as seconds too, so the whole i64 range is reached.
    if data.len() >= 8 {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&data[data.len() - 8..]);
        check_seconds(i64::from_be_bytes(raw));
    }
    check_bytes(data);
}
