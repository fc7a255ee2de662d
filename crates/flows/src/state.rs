//! The state of a sign-in between two steps: serializable, and holding no secret
//! but Cognito's Session.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::handler::Prompt;
use crate::request::Metadata;
use crate::tokens::{Notice, Tokens};

/// Where a sign-in stands while a person answers a challenge.
///
/// Serialize it (serde) into a web session or a database row between requests; the
/// only secret inside is Cognito's `Session` (valid 3–15 minutes), so keep it where
/// the user cannot read or swap it. Passwords, the SRP ephemeral secret and device
/// passwords are never part of it: a step that needs the password is given it again.
#[derive(Clone, Serialize, Deserialize)]
pub struct SignInState {
    pub(crate) typed_username: String,
    /// The USERNAME Cognito expects in responses (and SECRET_HASH): the last
    /// challenge's USERNAME / USER_ID_FOR_SRP, else the typed name.
    pub(crate) username: String,
    #[serde(
        serialize_with = "serialize_session",
        deserialize_with = "deserialize_session"
    )]
    pub(crate) session: Option<SecretString>,
    pub(crate) challenge: String,
    pub(crate) parameters: BTreeMap<String, String>,
    pub(crate) rounds: u32,
    /// The remembered device in use, if any.
    pub(crate) device_key: Option<String>,
    pub(crate) metadata: Metadata,
    pub(crate) notices: Vec<Notice>,
}

impl std::fmt::Debug for SignInState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInState")
            .field("typed_username", &self.typed_username)
            .field("username", &self.username)
            .field("has_session", &self.session.is_some())
            .field("challenge", &self.challenge)
            .field("rounds", &self.rounds)
            .field("device_key", &self.device_key)
            .field("notices", &self.notices)
            .finish_non_exhaustive()
    }
}

impl SignInState {
    pub(crate) fn new(typed_username: &str, metadata: Metadata, notices: Vec<Notice>) -> Self {
        Self {
            typed_username: typed_username.to_owned(),
            username: typed_username.to_owned(),
            session: None,
            challenge: String::new(),
            parameters: BTreeMap::new(),
            rounds: 0,
            device_key: None,
            metadata,
            notices,
        }
    }

    /// The challenge waiting for an answer.
    pub fn challenge_name(&self) -> &str {
        &self.challenge
    }

    /// The username as typed at the start.
    pub fn typed_username(&self) -> &str {
        &self.typed_username
    }

    /// The pool's name for the user, as Cognito last returned it.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Calls made to Cognito so far.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }
}

fn serialize_session<S: Serializer>(
    session: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    session
        .as_ref()
        .map(|s| s.expose_secret())
        .serialize(serializer)
}

fn deserialize_session<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(SecretString::from))
}

/// Where a step left the sign-in.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Step {
    /// Signed in.
    Done(Tokens),
    /// A person must answer `prompt`; pass `state` and the [`crate::Answer`] to
    /// [`crate::Flows::answer`].
    Challenge {
        /// The state to hand back.
        state: SignInState,
        /// What to ask.
        prompt: Prompt,
    },
}

impl Step {
    /// The tokens, when done.
    pub fn tokens(self) -> Option<Tokens> {
        match self {
            Self::Done(tokens) => Some(tokens),
            Self::Challenge { .. } => None,
        }
    }
}
