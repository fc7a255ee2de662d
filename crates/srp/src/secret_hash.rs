//! SECRET_HASH and the app client it belongs to.

#![forbid(unsafe_code)]

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::encoding::encode_base64;

/// `SECRET_HASH = base64(HMAC-SHA256(client_secret, username ‖ client_id))`.
///
/// `username` must be the name sent in the same request: the typed name in
/// InitiateAuth, the challenge's `USERNAME` in every challenge response. Hashing the
/// typed alias in a challenge response is the classic "Unable to verify secret hash"
/// bug.
pub fn secret_hash(username: &str, client_id: &str, client_secret: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(client_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    encode_base64(&mac.finalize().into_bytes())
}

/// An app client: its id and, when it was created with one, its secret.
#[derive(Clone, Debug)]
pub struct AppClient {
    id: String,
    secret: Option<SecretString>,
}

impl AppClient {
    /// A public app client (no secret).
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: None,
        }
    }

    /// An app client with a secret: every request will carry SECRET_HASH.
    pub fn with_secret(id: impl Into<String>, secret: SecretString) -> Self {
        Self {
            id: id.into(),
            secret: Some(secret),
        }
    }

    /// The client id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the client has a secret.
    pub fn has_secret(&self) -> bool {
        self.secret.is_some()
    }

    /// SECRET_HASH for `username`, or `None` for a client without a secret.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.secret
            .as_ref()
            .map(|secret| secret_hash(username, &self.id, secret.expose_secret()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_does_not_show_the_secret() {
        let client = AppClient::with_secret("abc", SecretString::from("hunter2-secret"));
        let shown = format!("{client:?}");
        assert!(shown.contains("abc"));
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn public_client_sends_no_hash() {
        assert_eq!(AppClient::new("abc").secret_hash("alice"), None);
    }
}
