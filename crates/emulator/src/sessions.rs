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

use crate::codes::{MAX_WRONG_ANSWERS_PER_SESSION, WrongAnswers};
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
        /// Wrong codes answered so far.
        wrong_answers: WrongAnswers,
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
        /// Wrong codes answered so far.
        wrong_answers: WrongAnswers,
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
        /// Wrong TOTP codes given to VerifySoftwareToken with this session.
        wrong_answers: WrongAnswers,
    },
}

impl Step {
    /// The wrong-answer count of a step that takes a code.
    fn wrong_answers_mut(&mut self) -> Option<&mut WrongAnswers> {
        match self {
            Self::MfaCode { wrong_answers, .. }
            | Self::OtpFirstFactor { wrong_answers, .. }
            | Self::MfaSetup { wrong_answers, .. } => Some(wrong_answers),
            _ => None,
        }
    }
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
    /// Who holds which session, for the caps.
    occupancy: Occupancy,
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
        self.admit(&token, &session);
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

    /// Puts a session back under its old token after a wrong code, counting
    /// it: a session that has taken [`MAX_WRONG_ANSWERS_PER_SESSION`] wrong
    /// codes (or whose step takes none) is dropped instead. Whether it was put
    /// back.
    pub fn retry(&mut self, token: &str, mut session: Session) -> bool {
        let Some(wrong_answers) = session.step.wrong_answers_mut() else {
            return false;
        };
        wrong_answers.record();
        if token.is_empty() || wrong_answers.reached(MAX_WRONG_ANSWERS_PER_SESSION) {
            return false;
        }
        self.admit(token, &session);
        self.by_token
            .insert(token.to_owned(), (session, Vec::new()));
        true
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
        self.occupancy.forget(token);
        for alias in aliases {
            if self.by_alias.get(&alias).map(String::as_str) == Some(token) {
                self.by_alias.remove(&alias);
            }
        }
        Some(session)
    }

    /// Makes room for `session` under the caps, then counts it under `token`.
    fn admit(&mut self, token: &str, session: &Session) {
        let owner = Owner::of(session);
        while let Some(victim) = self.occupancy.victim(&owner) {
            if self.remove(&victim).is_none() {
                self.occupancy.forget(&victim);
            }
        }
        self.occupancy.record(token, owner);
    }

    /// How many sessions are live.
    pub fn len(&self) -> usize {
        self.by_token.len()
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

/// The session table's caps. A caller who starts sign-ins and never answers
/// them fills the table; the caps bound it, and each eviction takes the oldest
/// session of the biggest holder, so a flood evicts its own sessions first.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// Sessions of one user of one app client. Sign-ins for names that match no
    /// user (simulated challenges) all count as one user per client.
    pub per_user: usize,
    /// Sessions of one app client.
    pub per_client: usize,
    /// Sessions in all.
    pub total: usize,
}

impl Default for Caps {
    fn default() -> Self {
        // A session holds an SRP exchange and a few short strings (a few KiB):
        // the total keeps the table within tens of MiB.
        Self {
            per_user: 50,
            per_client: 2_000,
            total: 10_000,
        }
    }
}

/// Who a session counts against: its app client and user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Owner {
    client_id: String,
    /// Empty for a name that matches no user.
    username: String,
}

impl Owner {
    fn of(session: &Session) -> Self {
        let unknown = matches!(
            session.step,
            Step::PasswordVerifier {
                simulated: true,
                ..
            } | Step::CustomChallenge {
                user_not_found: true,
                ..
            }
        );
        Self {
            client_id: session.client_id.clone(),
            username: if unknown {
                String::new()
            } else {
                session.username.clone()
            },
        }
    }
}

/// The sessions of each owner, oldest first.
#[derive(Debug, Default)]
struct Occupancy {
    caps: Caps,
    next: u64,
    /// Token to (sequence number, owner).
    owners: HashMap<String, (u64, Owner)>,
    /// Client to its users' queues.
    clients: HashMap<String, ClientQueues>,
}

/// One client's sessions: per user, sequence number to token, and their count
/// (kept, so that admitting a session does not sum the queues under the lock).
#[derive(Debug, Default)]
struct ClientQueues {
    count: usize,
    users: HashMap<String, BTreeMap<u64, String>>,
}

impl Occupancy {
    fn record(&mut self, token: &str, owner: Owner) {
        // A token counted twice would leave a queue entry no `forget` reaches.
        self.forget(token);
        self.next += 1;
        let client = self.clients.entry(owner.client_id.clone()).or_default();
        client.count += 1;
        client
            .users
            .entry(owner.username.clone())
            .or_default()
            .insert(self.next, token.to_owned());
        self.owners.insert(token.to_owned(), (self.next, owner));
    }

    fn forget(&mut self, token: &str) {
        let Some((sequence, owner)) = self.owners.remove(token) else {
            return;
        };
        if let Some(client) = self.clients.get_mut(&owner.client_id) {
            if let Some(queue) = client.users.get_mut(&owner.username) {
                if queue.remove(&sequence).is_some() {
                    client.count -= 1;
                }
                if queue.is_empty() {
                    client.users.remove(&owner.username);
                }
            }
            if client.users.is_empty() {
                self.clients.remove(&owner.client_id);
            }
        }
    }

    /// The session to evict before `owner` may hold one more, if any.
    fn victim(&self, owner: &Owner) -> Option<String> {
        let client = self.clients.get(&owner.client_id);
        let own = client.and_then(|c| c.users.get(&owner.username));
        if own.is_some_and(|q| q.len() >= self.caps.per_user) {
            return own.and_then(oldest);
        }
        if let Some(client) = client
            && client.count >= self.caps.per_client
        {
            return client.biggest_queue().and_then(oldest);
        }
        if self.owners.len() >= self.caps.total {
            let client = biggest(self.clients.values().map(|c| (c.count, c)))?;
            return client.biggest_queue().and_then(oldest);
        }
        None
    }
}

impl ClientQueues {
    /// The queue of the user holding the most sessions.
    fn biggest_queue(&self) -> Option<&BTreeMap<u64, String>> {
        biggest(self.users.values().map(|q| (q.len(), q)))
    }
}

/// The oldest token of a queue.
fn oldest(queue: &BTreeMap<u64, String>) -> Option<String> {
    queue.values().next().cloned()
}

/// The item with the largest size.
fn biggest<T>(sized: impl Iterator<Item = (usize, T)>) -> Option<T> {
    sized.max_by_key(|(size, _)| *size).map(|(_, item)| item)
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

    fn for_user(client: &str, user: &str) -> Session {
        let mut session = session(ids::now() + 60);
        session.client_id = client.into();
        session.username = user.into();
        session
    }

    fn small() -> Sessions {
        let mut sessions = Sessions::default();
        sessions.occupancy.caps = Caps {
            per_user: 3,
            per_client: 6,
            total: 10,
        };
        sessions
    }

    #[test]
    fn one_users_flood_evicts_only_its_own_oldest_sessions() {
        let mut sessions = small();
        let alice = sessions.insert(for_user("c", "alice"), vec![]);
        let first = sessions.insert(for_user("c", "mallory"), vec!["m".into()]);
        for _ in 0..100 {
            sessions.insert(for_user("c", "mallory"), vec![]);
        }
        assert_eq!(sessions.len(), 4);
        assert!(sessions.take(&alice, ids::now()).is_ok());
        assert_eq!(
            sessions.take(&first, ids::now()).unwrap_err(),
            SessionError::Unknown
        );
        assert!(sessions.take_by_alias("m", ids::now()).is_err());
    }

    #[test]
    fn a_clients_flood_evicts_the_biggest_holder_first() {
        let mut sessions = small();
        let alice = sessions.insert(for_user("c", "alice"), vec![]);
        let bob = sessions.insert(for_user("c", "bob"), vec![]);
        // Unknown names count as one holder, however many names are tried.
        for n in 0..100 {
            let mut unknown = for_user("c", &format!("nobody-{n}"));
            unknown.step = Step::CustomChallenge {
                private: BTreeMap::new(),
                metadata: None,
                user_not_found: true,
            };
            sessions.insert(unknown, vec![]);
        }
        assert_eq!(sessions.len(), 5);
        for _ in 0..3 {
            sessions.insert(for_user("c", "carol"), vec![]);
            sessions.insert(for_user("c", "dave"), vec![]);
        }
        assert_eq!(sessions.len(), 6, "the client's cap");
        assert!(sessions.take(&alice, ids::now()).is_ok());
        assert!(sessions.take(&bob, ids::now()).is_ok());
    }

    #[test]
    fn the_total_cap_evicts_from_the_biggest_client() {
        let mut sessions = small();
        sessions.occupancy.caps.per_client = 100;
        let quiet = sessions.insert(for_user("quiet", "alice"), vec![]);
        let other = sessions.insert(for_user("other", "bob"), vec![]);
        for user in 0..50 {
            sessions.insert(for_user("flood", &format!("u{user}")), vec![]);
        }
        assert_eq!(sessions.len(), 10);
        assert!(sessions.take(&quiet, ids::now()).is_ok());
        assert!(sessions.take(&other, ids::now()).is_ok());
    }

    #[test]
    fn a_session_takes_a_bounded_number_of_wrong_codes() {
        let mut sessions = Sessions::default();
        let mut pending = session(ids::now() + 60);
        pending.step = Step::OtpFirstFactor {
            challenge_name: "EMAIL_OTP",
            code: "123456".into(),
            wrong_answers: WrongAnswers::default(),
        };
        let token = sessions.insert(pending, vec![]);
        for _ in 1..MAX_WRONG_ANSWERS_PER_SESSION {
            let taken = sessions.take(&token, ids::now()).unwrap();
            assert!(sessions.retry(&token, taken));
        }
        let last = sessions.take(&token, ids::now()).unwrap();
        assert!(!sessions.retry(&token, last));
        assert_eq!(
            sessions.take(&token, ids::now()).unwrap_err(),
            SessionError::Unknown
        );
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
