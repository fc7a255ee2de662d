//! How the model's byte fields (salts, verifiers and their powers) are kept in the
//! store's JSON: as lowercase hex strings. Records written before this read back
//! too, from the arrays of numbers serde writes for a `Vec<u8>` by default.
//!
//! Used as `#[serde(with = "crate::stored_bytes")]`.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};

/// Writes `bytes` as a hex string.
pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    serializer.serialize_str(&text)
}

/// Reads a hex string, or an array of numbers 0–255.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    deserializer.deserialize_any(BytesVisitor)
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a hex string or an array of bytes")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<u8>, E> {
        if !text.len().is_multiple_of(2) {
            return Err(E::custom("odd number of hex digits"));
        }
        // A verifier and its powers are 3 KB of hex read on every sign-in: one
        // plain loop, one error check at the end.
        let digit = |c: u8| -> u8 {
            match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => 0xff,
            }
        };
        let mut bytes = Vec::with_capacity(text.len() / 2);
        let mut invalid = 0u8;
        for pair in text.as_bytes().chunks_exact(2) {
            let (high, low) = (digit(pair[0]), digit(pair[1]));
            invalid |= (high | low) & 0xf0;
            bytes.push(high << 4 | (low & 0x0f));
        }
        if invalid != 0 {
            return Err(E::custom("not a hex digit"));
        }
        Ok(bytes)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Record {
        #[serde(with = "super")]
        bytes: Vec<u8>,
    }

    #[test]
    fn writes_hex_and_reads_hex_and_number_arrays() {
        let record = Record {
            bytes: vec![0x00, 0x0f, 0xa5, 0xff],
        };
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(text, r#"{"bytes":"000fa5ff"}"#);
        assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), record);
        let older: Record = serde_json::from_str(r#"{"bytes":[0,15,165,255]}"#).unwrap();
        assert_eq!(older, record);
        let upper: Record = serde_json::from_str(r#"{"bytes":"000FA5FF"}"#).unwrap();
        assert_eq!(upper, record);
        let empty: Record = serde_json::from_str(r#"{"bytes":""}"#).unwrap();
        assert!(empty.bytes.is_empty());
    }

    #[test]
    fn refuses_what_is_not_bytes() {
        for text in [
            r#"{"bytes":"abc"}"#,
            r#"{"bytes":"zz"}"#,
            r#"{"bytes":[256]}"#,
            r#"{"bytes":[-1]}"#,
            r#"{"bytes":7}"#,
        ] {
            assert!(serde_json::from_str::<Record>(text).is_err(), "{text}");
        }
    }
}
