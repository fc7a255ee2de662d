//! RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps
//! compute it for Cognito's SOFTWARE_TOKEN_MFA, and the base32 its secrets use.

use hmac::{Hmac, Mac};

const STEP_SECONDS: i64 = 30;
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32 (case-insensitive, padding ignored); `None` on a bad digit.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.trim_end_matches('=').bytes() {
        let value = BASE32.iter().position(|&d| d == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The code for `secret` at time step `counter`.
pub fn code_at(secret: &[u8], counter: u64) -> String {
    let Ok(mut mac) = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

/// The code for `secret` at Unix time `now`.
pub fn code_now(secret: &[u8], now: i64) -> String {
    code_at(secret, u64::try_from(now / STEP_SECONDS).unwrap_or(0))
}

/// The code an authenticator app shows at Unix time `now` for a secret as
/// AssociateSoftwareToken returns it: base32, with white space, `=` padding and
/// case ignored as apps ignore them. `None` when it is not base32.
pub fn code_for_secret(secret_base32: &str, now: i64) -> Option<String> {
    let compact: String = secret_base32
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base32_decode(&compact).map(|secret| code_now(&secret, now))
}

/// Whether `code` is right for `secret_base32` now, allowing one step of skew.
pub fn verify(secret_base32: &str, code: &str, now: i64) -> bool {
    let Some(secret) = base32_decode(secret_base32) else {
        return false;
    };
    let step = now / STEP_SECONDS;
    (step - 1..=step + 1).any(|s| {
        let expected = code_at(&secret, u64::try_from(s).unwrap_or(0));
        super::service::same_secret(&expected, code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) -> 287082.
        assert_eq!(code_now(b"12345678901234567890", 59), "287082");
    }

    #[test]
    fn base32_round_trips() {
        let bytes = b"hello totp secret!!!";
        assert_eq!(
            base32_decode(&base32_encode(bytes)).as_deref(),
            Some(&bytes[..])
        );
        assert_eq!(base32_encode(b"f"), "MY");
        // RFC 4648 section 10.
        assert_eq!(
            base32_decode("MZXW6YTBOI======").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(base32_decode("mzxw6ytb").as_deref(), Some(&b"fooba"[..]));
        assert_eq!(base32_decode("MZ1W"), None);
    }

    #[test]
    fn code_for_secret_reads_the_secret_as_apps_do() {
        // The RFC 6238 SHA-1 key in base32, as an app would show it.
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(code_for_secret(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(
            code_for_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====", 59).as_deref(),
            Some("287082")
        );
        assert_eq!(code_for_secret("not base32!", 59), None);
    }
}
