//! What only a person knows: the prompts the engine cannot answer itself, the
//! answers, and the handler trait that supplies them.

use std::collections::BTreeMap;
use std::future::Future;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// A second factor a user can pick or set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum MfaKind {
    /// `SMS_MFA`.
    Sms,
    /// `SOFTWARE_TOKEN_MFA` (TOTP app).
    Totp,
    /// `EMAIL_OTP` (email MFA).
    Email,
}

impl MfaKind {
    /// The ChallengeName.
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA",
            Self::Totp => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    /// Parses a ChallengeName.
    pub fn from_challenge_name(name: &str) -> Option<Self> {
        match name {
            "SMS_MFA" => Some(Self::Sms),
            "SOFTWARE_TOKEN_MFA" => Some(Self::Totp),
            "EMAIL_OTP" | "EMAIL_MFA" => Some(Self::Email),
            _ => None,
        }
    }
}

/// Which code Cognito is asking for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CodeKind {
    /// `SMS_MFA`: an SMS code as a second factor.
    SmsMfa,
    /// `SOFTWARE_TOKEN_MFA`: a TOTP code.
    SoftwareTokenMfa,
    /// `EMAIL_OTP`: an emailed code (email MFA, or USER_AUTH's email first factor).
    EmailOtp,
    /// `SMS_OTP`: USER_AUTH's SMS first factor.
    SmsOtp,
}

impl CodeKind {
    /// The ChallengeName.
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::SmsMfa => "SMS_MFA",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
        }
    }

    /// The ChallengeResponses key that carries the code.
    pub fn response_key(self) -> &'static str {
        match self {
            Self::SmsMfa => "SMS_MFA_CODE",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA_CODE",
            Self::EmailOtp => "EMAIL_OTP_CODE",
            Self::SmsOtp => "SMS_OTP_CODE",
        }
    }
}

/// A TOTP authenticator to set up (MFA_SETUP): show the URI as a QR code or the
/// secret as text, then answer with a current code.
#[derive(Clone)]
pub struct TotpSetup {
    /// The shared secret from AssociateSoftwareToken (base32).
    pub secret: SecretString,
    /// `otpauth://totp/<issuer>:<username>?secret=<secret>&issuer=<issuer>`.
    pub uri: SecretString,
}

impl std::fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpSetup").finish_non_exhaustive()
    }
}

/// What the engine needs from a person to go on.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Prompt {
    /// Enter a code (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_OTP). Answer with
    /// [`Answer::Code`].
    Code {
        /// Which code.
        kind: CodeKind,
        /// `CODE_DELIVERY_DESTINATION`, masked by Cognito (e.g. `+******1234`).
        destination: Option<String>,
        /// `CODE_DELIVERY_DELIVERY_MEDIUM` (`SMS`, `EMAIL`).
        medium: Option<String>,
    },
    /// SELECT_MFA_TYPE: pick one of these. Answer with [`Answer::Mfa`].
    SelectMfa {
        /// `MFAS_CAN_CHOOSE`.
        options: Vec<MfaKind>,
    },
    /// MFA_SETUP with a TOTP app (Amplify's `CONTINUE_SIGN_IN_WITH_TOTP_SETUP`):
    /// the engine already called AssociateSoftwareToken. Answer with
    /// [`Answer::Code`]: a current code from the app.
    TotpSetup(TotpSetup),
    /// MFA_SETUP offering several factors (Amplify's
    /// `CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION`): pick the one to set up.
    /// Answer with [`Answer::Mfa`]; the next prompt is [`Prompt::TotpSetup`] or
    /// [`Prompt::EmailSetup`].
    SelectMfaSetup {
        /// The factors of `MFAS_CAN_SETUP` this crate can set up (TOTP, email).
        options: Vec<MfaKind>,
    },
    /// MFA_SETUP with email (Amplify's `CONTINUE_SIGN_IN_WITH_EMAIL_SETUP`): the
    /// address that will receive the codes. Answer with [`Answer::Email`]; Cognito
    /// then sends a code to it and asks for it (an EMAIL_OTP [`Prompt::Code`]).
    EmailSetup,
    /// NEW_PASSWORD_REQUIRED. Answer with [`Answer::NewPassword`].
    NewPassword {
        /// Attributes that must be given (names without the `userAttributes.`
        /// prefix).
        required_attributes: Vec<String>,
        /// The user's current attributes, as Cognito sent them.
        user_attributes: BTreeMap<String, String>,
    },
    /// CUSTOM_CHALLENGE from the pool's Lambda triggers. Answer with
    /// [`Answer::Custom`].
    Custom {
        /// The ChallengeParameters the CreateAuthChallenge trigger set.
        parameters: BTreeMap<String, String>,
    },
    /// USER_AUTH's SELECT_CHALLENGE: pick a first factor (`PASSWORD_SRP`,
    /// `PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`). Answer with
    /// [`Answer::Select`].
    SelectChallenge {
        /// `AvailableChallenges`.
        available: Vec<String>,
    },
}

impl Prompt {
    /// The ChallengeName this prompt answers.
    pub fn challenge_name(&self) -> &str {
        match self {
            Self::Code { kind, .. } => kind.challenge_name(),
            Self::SelectMfa { .. } => "SELECT_MFA_TYPE",
            Self::TotpSetup(_) | Self::SelectMfaSetup { .. } | Self::EmailSetup => "MFA_SETUP",
            Self::NewPassword { .. } => "NEW_PASSWORD_REQUIRED",
            Self::Custom { .. } => "CUSTOM_CHALLENGE",
            Self::SelectChallenge { .. } => "SELECT_CHALLENGE",
        }
    }
}

/// A person's answer to a [`Prompt`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Answer {
    /// A code (MFA, OTP, or the first TOTP code at MFA_SETUP).
    Code(SecretString),
    /// The chosen MFA type (SELECT_MFA_TYPE), or the factor to set up
    /// ([`Prompt::SelectMfaSetup`]).
    Mfa(MfaKind),
    /// The email address for email MFA ([`Prompt::EmailSetup`]).
    Email(String),
    /// NEW_PASSWORD_REQUIRED: the new password and the required attributes (names
    /// without the `userAttributes.` prefix).
    NewPassword {
        /// The new password.
        password: SecretString,
        /// Attribute values, e.g. `name` → `Alice`.
        attributes: BTreeMap<String, String>,
    },
    /// CUSTOM_CHALLENGE: `ANSWER`, plus any extra ChallengeResponses.
    Custom {
        /// `ANSWER`.
        answer: SecretString,
        /// Extra ChallengeResponses the pool's VerifyAuthChallenge trigger reads.
        extra: BTreeMap<String, String>,
    },
    /// SELECT_CHALLENGE: the first factor to use. `PASSWORD` and `PASSWORD_SRP`
    /// need the password: here, or (in [`crate::Flows::sign_in`]) the one the
    /// sign-in was started with.
    Select {
        /// A name from `AvailableChallenges`.
        challenge: String,
        /// The password for `PASSWORD` / `PASSWORD_SRP`.
        password: Option<SecretString>,
    },
}

impl Answer {
    /// [`Answer::Code`] from a string.
    pub fn code(code: impl Into<String>) -> Self {
        Self::Code(SecretString::from(code.into()))
    }

    /// [`Answer::Custom`] with just an `ANSWER`.
    pub fn custom(answer: impl Into<String>) -> Self {
        Self::Custom {
            answer: SecretString::from(answer.into()),
            extra: BTreeMap::new(),
        }
    }

    /// [`Answer::Select`] without a password.
    pub fn select(challenge: impl Into<String>) -> Self {
        Self::Select {
            challenge: challenge.into(),
            password: None,
        }
    }

    /// [`Answer::NewPassword`] with no attributes.
    pub fn new_password(password: SecretString) -> Self {
        Self::NewPassword {
            password,
            attributes: BTreeMap::new(),
        }
    }
}

/// A handler's refusal to answer, with a reason for the error message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Declined(pub String);

/// Supplies what only a person knows. Called by [`crate::Flows::sign_in`] for each
/// [`Prompt`] the engine cannot answer itself.
///
/// Implement it with an `async fn`:
///
/// ```
/// use cognito_auth_flows::{Answer, ChallengeHandler, Declined, Prompt};
///
/// struct Terminal;
///
/// impl ChallengeHandler for Terminal {
///     async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
///         match prompt {
///             Prompt::Code { .. } => Ok(Answer::code(read_line_somehow())),
///             _ => Err(Declined("not supported here".into())),
///         }
///     }
/// }
/// # fn read_line_somehow() -> String { "123456".into() }
/// ```
pub trait ChallengeHandler: Send + Sync {
    /// The answer to `prompt`, or a refusal (which ends the sign-in with
    /// [`crate::Error::NotAnswered`]).
    fn answer(&self, prompt: &Prompt) -> impl Future<Output = Result<Answer, Declined>> + Send;
}

/// A handler that answers nothing: for sign-ins that must end in tokens without a
/// person (a challenge ends them with [`crate::Error::NotAnswered`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHandler;

impl ChallengeHandler for NoHandler {
    async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        Err(Declined(format!(
            "no handler for {} (pass a ChallengeHandler to sign_in)",
            prompt.challenge_name()
        )))
    }
}

impl<H: ChallengeHandler> ChallengeHandler for &H {
    fn answer(&self, prompt: &Prompt) -> impl Future<Output = Result<Answer, Declined>> + Send {
        (**self).answer(prompt)
    }
}
