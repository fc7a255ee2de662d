//! MFA_SETUP with a TOTP app: AssociateSoftwareToken before the prompt,
//! VerifySoftwareToken with the person's first code after it.

use aws_sdk_cognitoidentityprovider::types::VerifySoftwareTokenResponseType;
use secrecy::{ExposeSecret, SecretString};

use crate::handler::{Prompt, TotpSetup};
use crate::otpauth::totp_uri;
use crate::state::SignInState;
use crate::{Error, Flows};

impl Flows {
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
        let secret = out.secret_code().ok_or_else(|| Error::MalformedReply {
            detail: "AssociateSoftwareToken returned no SecretCode".into(),
        })?;
        if let Some(session) = out.session() {
            state.session = Some(SecretString::from(session.to_owned()));
        }
        let uri = totp_uri(&self.totp_issuer, &state.typed_username, secret);
        Ok(Prompt::TotpSetup(TotpSetup {
            secret: SecretString::from(secret.to_owned()),
            uri: SecretString::from(uri),
        }))
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
