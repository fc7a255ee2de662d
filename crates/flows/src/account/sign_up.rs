//! SignUp, ConfirmSignUp and ResendConfirmationCode: Amplify's `signUp`,
//! `confirmSignUp` and `resendSignUpCode`.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use secrecy::{ExposeSecret, SecretString};

use super::CodeDelivery;
use crate::api::send_with_metadata;
use crate::{AuthApi, Error, SignIn};

/// A new user: Cognito's SignUp request.
#[derive(Clone, Debug)]
pub struct SignUp {
    /// `Username`: a name, or the email / phone number in pools that sign in with
    /// those.
    pub username: String,
    /// `Password`, checked against the pool's policy.
    pub password: SecretString,
    /// `UserAttributes`, e.g. `email` → `alice@example.com`.
    pub attributes: BTreeMap<String, String>,
    /// `ValidationData`, for the pool's pre sign-up trigger only.
    pub validation_data: BTreeMap<String, String>,
    /// Sign the user in once confirmed, without asking for the password again
    /// (Amplify's `autoSignIn`): Cognito's sign-up Session is kept in the next
    /// step and ends in [`SignUpStep::CompleteAutoSignIn`] / [`ConfirmSignUpStep::CompleteAutoSignIn`].
    pub auto_sign_in: bool,
}

impl SignUp {
    /// A sign-up with no attributes and no auto sign-in.
    pub fn new(username: impl Into<String>, password: SecretString) -> Self {
        Self {
            username: username.into(),
            password,
            attributes: BTreeMap::new(),
            validation_data: BTreeMap::new(),
            auto_sign_in: false,
        }
    }

    /// Adds one user attribute.
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Asks for [`SignUpStep::CompleteAutoSignIn`] once the user is confirmed.
    pub fn with_auto_sign_in(mut self) -> Self {
        self.auto_sign_in = true;
        self
    }
}

/// What SignUp did: Amplify's `{ isSignUpComplete, userId, nextStep }`.
#[derive(Debug)]
pub struct SignUpOutcome {
    /// `UserSub`: the user's permanent id.
    pub user_sub: Option<String>,
    /// `UserConfirmed`.
    pub user_confirmed: bool,
    /// What comes next.
    pub next: SignUpStep,
}

impl SignUpOutcome {
    /// Amplify's `isSignUpComplete`: nothing more is needed to sign up.
    pub fn is_complete(&self) -> bool {
        !matches!(self.next, SignUpStep::ConfirmSignUp { .. })
    }
}

/// The step after SignUp (Amplify's `signUpStep`).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum SignUpStep {
    /// `CONFIRM_SIGN_UP`: Cognito sent a code; pass it to
    /// [`AuthApi::confirm_sign_up`] (with `session` through
    /// [`ConfirmSignUp::with_auto_sign_in`], for auto sign-in).
    ConfirmSignUp {
        /// Where the code went (none when the pool sends no code, e.g. an admin
        /// must confirm).
        delivery: Option<CodeDelivery>,
        /// The sign-up Session, kept when auto sign-in was asked for.
        session: Option<SecretString>,
    },
    /// `DONE`: the user is confirmed (a pre sign-up trigger confirmed them).
    Done,
    /// `COMPLETE_AUTO_SIGN_IN`: confirmed, and this sign-in (USER_AUTH with the
    /// sign-up Session) gives tokens without a password ([`crate::Flows::sign_in`]).
    CompleteAutoSignIn(SignIn),
}

/// A sign-up code to confirm: Cognito's ConfirmSignUp request.
#[derive(Clone, Debug)]
pub struct ConfirmSignUp {
    /// `Username`, as signed up.
    pub username: String,
    /// `ConfirmationCode`.
    pub code: SecretString,
    /// `Session` from [`SignUpStep::ConfirmSignUp`], for auto sign-in.
    pub session: Option<SecretString>,
    /// Turn the Session ConfirmSignUp returns into
    /// [`ConfirmSignUpStep::CompleteAutoSignIn`] (Amplify's `autoSignIn`).
    pub auto_sign_in: bool,
    /// `ForceAliasCreation`: take the email / phone alias over from another user.
    pub force_alias_creation: bool,
}

impl ConfirmSignUp {
    /// The code for `username`, without auto sign-in.
    pub fn new(username: impl Into<String>, code: SecretString) -> Self {
        Self {
            username: username.into(),
            code,
            session: None,
            auto_sign_in: false,
            force_alias_creation: false,
        }
    }

    /// Auto sign-in, with the sign-up Session if SignUp returned one: confirming
    /// ends in [`ConfirmSignUpStep::CompleteAutoSignIn`] when Cognito returns a
    /// Session for it.
    pub fn with_auto_sign_in(mut self, session: Option<SecretString>) -> Self {
        self.session = session;
        self.auto_sign_in = true;
        self
    }
}

/// The step after ConfirmSignUp.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum ConfirmSignUpStep {
    /// `DONE`: the user is confirmed; sign in.
    Done,
    /// `COMPLETE_AUTO_SIGN_IN`: confirmed, and Cognito returned a Session that
    /// signs the user in (USER_AUTH) without a password.
    CompleteAutoSignIn(SignIn),
}

impl AuthApi {
    /// SignUp, with SECRET_HASH over the username and the metadata.
    pub async fn sign_up(&self, request: &SignUp) -> Result<SignUpOutcome, Error> {
        let attributes = attribute_list(&request.attributes)?;
        let validation = attribute_list(&request.validation_data)?;
        let out = send_with_metadata!(
            self.client()
                .sign_up()
                .client_id(self.client_id())
                .set_secret_hash(self.secret_hash(&request.username))
                .username(&request.username)
                .password(request.password.expose_secret())
                .set_user_attributes(Some(attributes))
                .set_validation_data((!validation.is_empty()).then_some(validation)),
            self.metadata()
        )?;
        let session = out
            .session()
            .filter(|_| request.auto_sign_in)
            .map(|s| SecretString::from(s.to_owned()));
        let next = match (out.user_confirmed(), session) {
            (true, Some(session)) => SignUpStep::CompleteAutoSignIn(
                SignIn::user_auth_after_sign_up(&request.username, session)
                    .with_metadata(self.metadata().clone()),
            ),
            (true, None) => SignUpStep::Done,
            (false, session) => SignUpStep::ConfirmSignUp {
                delivery: CodeDelivery::from_reply(out.code_delivery_details()),
                session,
            },
        };
        Ok(SignUpOutcome {
            user_sub: Some(out.user_sub().to_owned()).filter(|s| !s.is_empty()),
            user_confirmed: out.user_confirmed(),
            next,
        })
    }

    /// ConfirmSignUp with the code Cognito sent.
    pub async fn confirm_sign_up(
        &self,
        request: &ConfirmSignUp,
    ) -> Result<ConfirmSignUpStep, Error> {
        let out = send_with_metadata!(
            self.client()
                .confirm_sign_up()
                .client_id(self.client_id())
                .set_secret_hash(self.secret_hash(&request.username))
                .username(&request.username)
                .confirmation_code(request.code.expose_secret())
                .set_force_alias_creation(request.force_alias_creation.then_some(true))
                .set_session(
                    request
                        .session
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned())
                ),
            self.metadata()
        )?;
        Ok(match out.session() {
            Some(session) if request.auto_sign_in => ConfirmSignUpStep::CompleteAutoSignIn(
                SignIn::user_auth_after_sign_up(
                    &request.username,
                    SecretString::from(session.to_owned()),
                )
                .with_metadata(self.metadata().clone()),
            ),
            _ => ConfirmSignUpStep::Done,
        })
    }

    /// ResendConfirmationCode: a new sign-up code (Amplify's `resendSignUpCode`).
    pub async fn resend_sign_up_code(&self, username: &str) -> Result<Option<CodeDelivery>, Error> {
        let out = send_with_metadata!(
            self.client()
                .resend_confirmation_code()
                .client_id(self.client_id())
                .set_secret_hash(self.secret_hash(username))
                .username(username),
            self.metadata()
        )?;
        Ok(CodeDelivery::from_reply(out.code_delivery_details()))
    }
}

/// Name/value pairs as the SDK's attribute list.
pub(super) fn attribute_list(
    attributes: &BTreeMap<String, String>,
) -> Result<Vec<AttributeType>, Error> {
    attributes
        .iter()
        .map(|(name, value)| {
            AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|e| Error::Config(e.to_string()))
        })
        .collect()
}
