//! The `otpauth://` URI an authenticator app reads (as a QR code) at TOTP setup.

/// `otpauth://totp/<issuer>:<account>?secret=<secret>&issuer=<issuer>`, each part
/// percent-encoded.
pub(crate) fn totp_uri(issuer: &str, account: &str, secret: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}",
        percent_encode(account),
        percent_encode(secret),
    )
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otpauth_label_is_percent_encoded() {
        assert_eq!(percent_encode("alice@example.com"), "alice%40example.com");
        assert_eq!(percent_encode("AWS Cognito"), "AWS%20Cognito");
    }

    #[test]
    fn totp_uri_names_issuer_account_and_secret() {
        assert_eq!(
            totp_uri("AWS Cognito", "alice@example.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/AWS%20Cognito:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=AWS%20Cognito"
        );
    }
}
