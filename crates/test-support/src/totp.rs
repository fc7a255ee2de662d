//! The code an authenticator app shows.

/// The TOTP code an authenticator app shows now for a base32 secret (with or
/// without `=` padding: MiniStack pads, the emulator does not).
pub fn totp_now(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    cognito_auth_emulator::totp_code_for_secret(secret, i64::try_from(now).unwrap())
        .unwrap_or_else(|| panic!("not a base32 TOTP secret: {secret}"))
}
