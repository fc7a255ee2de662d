//! Challenge sessions: opaque, single-use, in memory, expiring after the app
//! client's AuthSessionValidity.
//!
//! A session is found by its `Session` token or by a secondary key: the
//! SECRET_BLOCK of an SRP challenge (clients such as pycognito never echo
//! `Session` on PASSWORD_VERIFIER / DEVICE_* steps, and real Cognito accepts
//! that), or the user and device of a pending DEVICE_SRP_AUTH. Taking a session
//! removes it under every key, so a session or a secret block works once.

use std::collections::{BTreeMap, HashMap};

use cognito_auth_srp::ServerChallenge;

use crate::ids;

/// What the session is waiting for.
#[derive(Debug)]
pub enum Step {
    /// PASSWORD_VERIFIER for a USER_SRP_AUTH sign-in.
    PasswordVerifier {
        /// The server side of this SRP exchange, bound to InitiateAuth's SRP_A.
        challenge: Box<ServerChallenge>,
        /// The SECRET_BLOCK handed out.
        secret_block: String,
        /// A simulated challenge for an unknown user: always fails.
        simulated: bool,
    },
    /// DEVICE_SRP_AUTH: the client sends its device SRP_A.
    DeviceSrpAuth {
        /// The device being proven.
        device_key: String,
    },
    /// DEVICE_PASSWORD_VERIFIER.
    DevicePasswordVerifier {
        /// Server side of the device exchange, bound to DEVICE_SRP_AUTH's SRP_A.
        challenge: Box<ServerChallenge>,
        /// The SECRET_BLOCK handed out.
        secret_block: String,
        /// The device.
        device_key: String,
        /// Its group key.
        device_group_key: String,
    },
    /// NEW_PASSWORD_REQUIRED.
    NewPasswordRequired,
    /// SMS_MFA / EMAIL_OTP (with the code sent) or SOFTWARE_TOKEN_MFA (no code).
    MfaCode {
        /// Which challenge.
        challenge_name: &'static str,
        /// The code sent to the outbox, for SMS and email.
        code: Option<String>,
    },
    /// SELECT_MFA_TYPE.
    SelectMfaType,
    /// ConfirmSignUp's Session: USER_AUTH may sign in with it, once.
    SignUpConfirmed,
    /// USER_AUTH's SELECT_CHALLENGE.
    SelectChallenge {
        /// What the user may pick.
        available: Vec<String>,
    },
    /// USER_AUTH EMAIL_OTP / SMS_OTP as the first factor.
    OtpFirstFactor {
        /// EMAIL_OTP or SMS_OTP.
        challenge_name: &'static str,
        /// The code sent.
        code: String,
    },
    /// CUSTOM_CHALLENGE: what CreateAuthChallenge returned, kept for
    /// VerifyAuthChallengeResponse.
    CustomChallenge {
        /// `privateChallengeParameters` (the expected answer, say).
        private: BTreeMap<String, String>,
        /// `challengeMetadata`, recorded in the session history once answered.
        metadata: Option<String>,
        /// The name matched no user (PreventUserExistenceErrors ENABLED): the
        /// triggers run with `userNotFound`, and no answer can succeed.
        user_not_found: bool,
    },
    /// MFA_SETUP: TOTP association in progress.
    MfaSetup {
        /// VerifySoftwareToken succeeded for this session.
        verified: bool,
    },
}

/// One answered challenge of a CUSTOM_AUTH sign-in (Cognito's `ChallengeResult`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRound {
    /// `SRP_A`, `PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`.
    pub challenge_name: String,
    /// Whether it was answered correctly.
    pub challenge_result: bool,
    /// CreateAuthChallenge's `challengeMetadata`, for custom challenges.
    pub challenge_metadata: Option<String>,
}

/// A sign-in in progress.
#[derive(Debug)]
pub struct Session {
    /// Pool.
    pub pool_id: String,
    /// App client.
    pub client_id: String,
    /// Internal username (for a simulated challenge: the name as typed).
    pub username: String,
    /// Started with AdminInitiateAuth.
    pub admin: bool,
    /// CUSTOM_AUTH: the challenges answered so far, as DefineAuthChallenge
    /// sees them in `request.session`. `None` for every other flow.
    pub custom_auth: Option<Vec<ChallengeRound>>,
    /// A device key the client offered (InitiateAuth or PASSWORD_VERIFIER).
    pub device_key: Option<String>,
    /// The device proved itself with DEVICE_PASSWORD_VERIFIER.
    pub device_authenticated: bool,
    /// The time the first factor was proven, for `auth_time`.
    pub auth_time: i64,
    /// What comes next.
    pub step: Step,
    /// Expiry, Unix seconds.
    pub expires: i64,
}

/// Why a session could not be taken.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    /// Unknown or already used.
    Unknown,
    /// Past its validity.
    Expired,
}

/// All live sessions.
#[derive(Default)]
pub struct Sessions {
    by_token: HashMap<String, (Session, Vec<String>)>,
    by_alias: HashMap<String, String>,
    /// When expired sessions were last swept: at most once a second, so a flood
    /// of InitiateAuth costs no quadratic scanning.
    last_purge: i64,
}

/// Session tokens, codes and challenge answers are secrets: Debug shows a count.
impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("live", &self.by_token.len())
            .finish_non_exhaustive()
    }
}

/// The secondary key for an SRP secret block.
pub fn secret_block_alias(secret_block: &str) -> String {
    format!("secret-block:{secret_block}")
}

/// The secondary key for a pending DEVICE_SRP_AUTH.
pub fn device_alias(client_id: &str, username: &str, device_key: &str) -> String {
    format!("device:{client_id}:{username}:{device_key}")
}

impl Sessions {
    /// Stores a session and returns its token. `aliases` are secondary keys.
    pub fn insert(&mut self, session: Session, aliases: Vec<String>) -> String {
        self.purge_expired(ids::now());
        let token = ids::session();
        for alias in &aliases {
            // A newer session under the same alias replaces the older one.
            if let Some(old) = self.by_alias.insert(alias.clone(), token.clone()) {
                self.remove(&old);
            }
        }
        self.by_token.insert(token.clone(), (session, aliases));
        token
    }

    /// Takes a session by token: it cannot be used again.
    pub fn take(&mut self, token: &str, now: i64) -> Result<Session, SessionError> {
        let session = self.remove(token).ok_or(SessionError::Unknown)?;
        if session.expires < now {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }

    /// Puts a session back under its old token (a wrong MFA code may be retried).
    pub fn restore(&mut self, token: String, session: Session) {
        if !token.is_empty() {
            self.by_token.insert(token, (session, Vec::new()));
        }
    }

    /// Takes a session by secondary key.
    pub fn take_by_alias(&mut self, alias: &str, now: i64) -> Result<Session, SessionError> {
        let token = self
            .by_alias
            .get(alias)
            .cloned()
            .ok_or(SessionError::Unknown)?;
        self.take(&token, now)
    }

    fn remove(&mut self, token: &str) -> Option<Session> {
        let (session, aliases) = self.by_token.remove(token)?;
        for alias in aliases {
            if self.by_alias.get(&alias).map(String::as_str) == Some(token) {
                self.by_alias.remove(&alias);
            }
        }
        Some(session)
    }

    /// Drops sessions that expired more than a minute ago (kept briefly so a late
    /// answer gets "session is expired" rather than "invalid session").
    fn purge_expired(&mut self, now: i64) {
        if now == self.last_purge {
            return;
        }
        self.last_purge = now;
        let dead: Vec<String> = self
            .by_token
            .iter()
            .filter(|(_, (s, _))| s.expires + 60 < now)
            .map(|(t, _)| t.clone())
            .collect();
        for token in dead {
            self.remove(&token);
        }
    }

    /// No live sessions.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn session(expires: i64) -> Session {
        Session {
            pool_id: "p".into(),
            client_id: "c".into(),
            username: "u".into(),
            admin: false,
            custom_auth: None,
            device_key: None,
            device_authenticated: false,
            auth_time: 0,
            step: Step::NewPasswordRequired,
            expires,
        }
    }

    #[test]
    fn debug_output_shows_no_token_code_or_answer() {
        let mut sessions = Sessions::default();
        let mut pending = session(ids::now() + 60);
        pending.step = Step::CustomChallenge {
            private: BTreeMap::from([("answer".to_owned(), "424242".to_owned())]),
            metadata: Some("CODE-424242".into()),
            user_not_found: false,
        };
        let token = sessions.insert(pending, vec!["secret-block-alias".into()]);
        let shown = format!("{sessions:?}");
        assert_eq!(shown, "Sessions { live: 1, .. }");
        assert!(!shown.contains(&token));
    }

    #[test]
    fn sessions_are_single_use_under_every_key() {
        let mut sessions = Sessions::default();
        let token = sessions.insert(session(ids::now() + 60), vec!["a".into()]);
        assert!(sessions.take_by_alias("a", ids::now()).is_ok());
        assert_eq!(
            sessions.take(&token, ids::now()).unwrap_err(),
            SessionError::Unknown
        );
        assert!(sessions.is_empty());
    }

    #[test]
    fn expired_sessions_say_so() {
        let mut sessions = Sessions::default();
        let now = ids::now();
        let token = sessions.insert(session(now - 1), vec![]);
        assert_eq!(
            sessions.take(&token, now).unwrap_err(),
            SessionError::Expired
        );
    }
}
