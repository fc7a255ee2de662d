//! MFA_SETUP: with a TOTP app, AssociateSoftwareToken before the prompt and
//! VerifySoftwareToken with the person's first code after it; with email, the
//! address goes to Cognito, which asks for a code sent to it.

use aws_sdk_cognitoidentityprovider::types::VerifySoftwareTokenResponseType;
use secrecy::{ExposeSecret, SecretString};

use crate::account::totp_setup;
use crate::handler::{MfaKind, Prompt};
use crate::state::SignInState;
use crate::{Error, Flows};

impl Flows {
    /// The prompt that sets up `kind`, remembering the choice in `state`.
    pub(super) async fn setup_prompt(
        &self,
        state: &mut SignInState,
        kind: MfaKind,
    ) -> Result<Prompt, Error> {
        let prompt = match kind {
            MfaKind::Totp => self.totp_setup(state).await?,
            MfaKind::Email => Prompt::EmailSetup,
            other => {
                return Err(Error::UnsupportedChallenge {
                    name: format!("MFA_SETUP with {}", other.challenge_name()),
                });
            }
        };
        state.setup = Some(kind);
        Ok(prompt)
    }

    /// Associates a TOTP secret with the sign-in's Session and makes the prompt
    /// that shows it.
    pub(super) async fn totp_setup(&self, state: &mut SignInState) -> Result<Prompt, Error> {
        self.count_round(state)?;
        let out = self
            .client()
            .associate_software_token()
            .set_session(state.session.as_ref().map(|s| s.expose_secret().to_owned()))
            .send()
            .await
            .map_err(Error::from_sdk)?;
        let setup = totp_setup(out.secret_code(), &self.totp_issuer, &state.typed_username)?;
        if let Some(session) = out.session() {
            state.session = Some(SecretString::from(session.to_owned()));
        }
        Ok(Prompt::TotpSetup(setup))
    }

    /// Verifies the first code of the associated secret; the sign-in goes on with
    /// VerifySoftwareToken's Session (RespondToAuthChallenge MFA_SETUP).
    pub(super) async fn verify_totp_setup(
        &self,
        state: &mut SignInState,
        code: &SecretString,
    ) -> Result<(), Error> {
        self.count_round(state)?;
        let out = self
            .client()
            .verify_software_token()
            .set_session(state.session.as_ref().map(|s| s.expose_secret().to_owned()))
            .user_code(code.expose_secret())
            .set_friendly_device_name(self.totp_device_name.clone())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        if out.status() != Some(&VerifySoftwareTokenResponseType::Success) {
            return Err(Error::CodeMismatch);
        }
        if let Some(session) = out.session() {
            state.session = Some(SecretString::from(session.to_owned()));
        }
        Ok(())
    }
}
