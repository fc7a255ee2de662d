//! Messages Cognito would send by SMS or email: kept, so tests and people can
//! read the codes (`GET /_emulator/outbox`); the log says only that one was sent.

use std::sync::Mutex;

use serde::Serialize;

/// One message.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Pool.
    pub pool_id: String,
    /// Internal username.
    pub username: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// The address or number it would go to.
    pub destination: String,
    /// Why it was sent (`SMS_MFA`, `EMAIL_OTP`, `SIGN_UP`, `CUSTOM_CHALLENGE`, ...).
    pub purpose: String,
    /// The code.
    pub code: String,
    /// When, Unix seconds.
    pub sent_at: i64,
}

/// The last messages, newest last.
#[derive(Debug, Default)]
pub struct Outbox {
    messages: Mutex<Vec<Message>>,
}

/// Enough for any test; older messages are dropped first.
const KEEP: usize = 10_000;

impl Outbox {
    /// Records a message and logs that it was sent. The code (or temporary
    /// password) is read from the outbox only: logs carry no secrets.
    pub fn send(&self, message: Message) {
        tracing::info!(
            pool = %message.pool_id,
            user = %message.username,
            medium = %message.medium,
            purpose = %message.purpose,
            "outbox"
        );
        let mut messages = crate::lock(&self.messages);
        if messages.len() >= KEEP {
            messages.remove(0);
        }
        messages.push(message);
    }

    /// All messages, optionally only one user's.
    pub fn messages(&self, username: Option<&str>) -> Vec<Message> {
        crate::lock(&self.messages)
            .iter()
            .filter(|m| username.is_none_or(|u| m.username == u || m.destination == u))
            .cloned()
            .collect()
    }
}
