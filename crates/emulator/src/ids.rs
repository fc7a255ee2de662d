//! Identifiers and secrets in Cognito's formats, from the OS's random source.

use std::sync::atomic::{AtomicI64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `count` random bytes. Falls back to a UUID's randomness if getrandom fails,
/// which it does not on any platform this runs on.
pub fn random_bytes(count: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; count];
    if getrandom::fill(&mut bytes).is_err() {
        for chunk in bytes.chunks_mut(16) {
            let uuid = uuid::Uuid::new_v4();
            chunk.copy_from_slice(&uuid.as_bytes()[..chunk.len()]);
        }
    }
    bytes
}

fn random_from(alphabet: &[u8], length: usize) -> String {
    // 256 is a multiple of neither 62 nor 36; reject the tail to stay uniform.
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(length);
    while out.len() < length {
        for byte in random_bytes(length * 2) {
            if usize::from(byte) < limit && out.len() < length {
                out.push(char::from(alphabet[usize::from(byte) % alphabet.len()]));
            }
        }
    }
    out
}

/// A pool id: `<region>_<9 alphanumerics>`.
pub fn pool_id(region: &str) -> String {
    format!("{region}_{}", random_from(ALPHANUMERIC, 9))
}

/// An app client id: 26 lowercase alphanumerics.
pub fn client_id() -> String {
    random_from(LOWER_ALPHANUMERIC, 26)
}

/// An app client secret: 51 lowercase alphanumerics, like Cognito's.
pub fn client_secret() -> String {
    random_from(LOWER_ALPHANUMERIC, 51)
}

/// A UUID v4 string.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An opaque challenge Session.
pub fn session() -> String {
    format!("AYABe{}", URL_SAFE_NO_PAD.encode(random_bytes(96)))
}

/// An opaque refresh token.
pub fn refresh_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(96))
}

/// A SECRET_BLOCK: random bytes, standard base64 like Cognito's.
pub fn secret_block() -> String {
    STANDARD.encode(random_bytes(64))
}

/// A DeviceKey: `<region>_<uuid>`.
pub fn device_key(region: &str) -> String {
    format!("{region}_{}", uuid())
}

/// A DeviceGroupKey: `-` and 8 alphanumerics, like Cognito's.
pub fn device_group_key() -> String {
    format!("-{}", random_from(ALPHANUMERIC, 8))
}

/// A six-digit one-time code.
pub fn numeric_code() -> String {
    let bytes = random_bytes(4);
    let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 1_000_000;
    format!("{n:06}")
}

/// A key id for a JWKS entry.
pub fn key_id() -> String {
    STANDARD.encode(random_bytes(32))
}

/// Seconds the emulator's clock runs ahead of the system's; only
/// [`advance_clock`] moves it.
static CLOCK_AHEAD: AtomicI64 = AtomicI64::new(0);

/// The second at which [`freeze_clock`] stopped the clock, or `NOT_FROZEN`.
static FROZEN_AT: AtomicI64 = AtomicI64::new(NOT_FROZEN);
const NOT_FROZEN: i64 = i64::MIN;

/// Seconds since the Unix epoch, on the emulator's clock.
pub fn now() -> i64 {
    let base = match FROZEN_AT.load(Ordering::Relaxed) {
        NOT_FROZEN => time::OffsetDateTime::now_utc().unix_timestamp(),
        frozen => frozen,
    };
    base + CLOCK_AHEAD.load(Ordering::Relaxed)
}

/// Stops the clock of every emulator in this process until the guard is dropped
/// (only [`advance_clock`] moves it meanwhile), so that a test counting on "within
/// the same second" holds on a slow machine too.
#[must_use = "the clock runs again when the guard is dropped"]
pub fn freeze_clock() -> FrozenClock {
    let real = time::OffsetDateTime::now_utc().unix_timestamp();
    FROZEN_AT.store(real, Ordering::Relaxed);
    FrozenClock(())
}

/// Keeps the clock stopped; see [`freeze_clock`].
#[derive(Debug)]
pub struct FrozenClock(());

impl Drop for FrozenClock {
    fn drop(&mut self) {
        FROZEN_AT.store(NOT_FROZEN, Ordering::Relaxed);
    }
}

/// Moves the clock of every emulator in this process `seconds` ahead, so that a
/// test of a lock or an expiry lets the time pass without sleeping.
pub fn advance_clock(seconds: i64) {
    CLOCK_AHEAD.fetch_add(seconds, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids_have_cognitos_shape() {
        let id = pool_id("eu-west-1");
        let (region, name) = id.split_once('_').unwrap_or_default();
        assert_eq!(region, "eu-west-1");
        assert_eq!(name.len(), 9);
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(cognito_auth_srp::PoolId::parse(&id).is_ok());
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..50 {
            let code = numeric_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
