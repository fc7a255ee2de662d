//! The state of a sign-in between two steps: serializable, and holding no secret
//! but Cognito's Session.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;
use crate::handler::{MfaKind, Prompt};
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
    /// At MFA_SETUP: the factor being set up, once known (chosen, or the only one).
    #[serde(default)]
    pub(crate) setup: Option<MfaKind>,
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
            setup: None,
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

/// Where a step left the sign-in (Amplify's `signInStep`).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
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
    /// `CONFIRM_SIGN_UP`: the user signed up but is not confirmed
    /// (`UserNotConfirmedException`). Confirm with [`crate::AuthApi::confirm_sign_up`]
    /// (or resend the code), then sign in again.
    ConfirmSignUp {
        /// The username as typed.
        username: String,
    },
    /// `RESET_PASSWORD`: the user must reset the password
    /// (`PasswordResetRequiredException`). Reset it with
    /// [`crate::AuthApi::forgot_password`], then sign in again.
    ResetPassword {
        /// The username as typed.
        username: String,
    },
}

impl Step {
    /// A sign-in's end in a user state that has a next step of its own, as that
    /// step; any other result unchanged.
    pub(crate) fn from_user_state(
        result: Result<Self, Error>,
        username: &str,
    ) -> Result<Self, Error> {
        match result {
            Err(Error::UserNotConfirmed) => Ok(Self::ConfirmSignUp {
                username: username.to_owned(),
            }),
            Err(Error::PasswordResetRequired) => Ok(Self::ResetPassword {
                username: username.to_owned(),
            }),
            other => other,
        }
    }

    /// The error [`crate::Flows::sign_in`] ends with for a step it cannot take.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Self::ConfirmSignUp { .. } => Error::UserNotConfirmed,
            Self::ResetPassword { .. } => Error::PasswordResetRequired,
            Self::Done(_) | Self::Challenge { .. } => Error::MalformedReply {
                detail: "a sign-in step taken for an error".into(),
            },
        }
    }

    /// The tokens, when done.
    pub fn tokens(self) -> Option<Tokens> {
        match self {
            Self::Done(tokens) => Some(tokens),
            _ => None,
        }
    }
}
