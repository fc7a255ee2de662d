//! ForgotPassword, ConfirmForgotPassword and ChangePassword: Amplify's
//! `resetPassword`, `confirmResetPassword` and `updatePassword`.

use secrecy::{ExposeSecret, SecretString};

use super::CodeDelivery;
use crate::api::send_with_metadata;
use crate::{AuthApi, Error};

/// Where a password reset stands (Amplify's `resetPasswordStep`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResetPasswordStep {
    /// `CONFIRM_RESET_PASSWORD_WITH_CODE`: Cognito sent a code; pass it with the
    /// new password to [`AuthApi::confirm_forgot_password`].
    ConfirmResetPasswordWithCode {
        /// Where the code went.
        delivery: Option<CodeDelivery>,
    },
    /// `DONE`: the new password is set.
    Done,
}

impl AuthApi {
    /// ForgotPassword: Cognito sends a code to reset `username`'s password.
    pub async fn forgot_password(&self, username: &str) -> Result<ResetPasswordStep, Error> {
        let out = send_with_metadata!(
            self.client()
                .forgot_password()
                .client_id(self.client_id())
                .set_secret_hash(self.secret_hash(username))
                .username(username),
            self.metadata()
        )?;
        Ok(ResetPasswordStep::ConfirmResetPasswordWithCode {
            delivery: CodeDelivery::from_reply(out.code_delivery_details()),
        })
    }

    /// ConfirmForgotPassword: the code and the new password. The new password
    /// must meet the pool's policy ([`Error::InvalidNewPassword`] says which rule
    /// it broke).
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &SecretString,
        new_password: &SecretString,
    ) -> Result<ResetPasswordStep, Error> {
        send_with_metadata!(
            self.client()
                .confirm_forgot_password()
                .client_id(self.client_id())
                .set_secret_hash(self.secret_hash(username))
                .username(username)
                .confirmation_code(code.expose_secret())
                .password(new_password.expose_secret()),
            self.metadata()
        )?;
        Ok(ResetPasswordStep::Done)
    }

    /// ChangePassword for the signed-in user: the current password and the new one.
    /// A wrong current password is [`Error::WrongCredentials`].
    pub async fn change_password(
        &self,
        access_token: &SecretString,
        previous: &SecretString,
        proposed: &SecretString,
    ) -> Result<(), Error> {
        self.client()
            .change_password()
            .access_token(access_token.expose_secret())
            .previous_password(previous.expose_secret())
            .proposed_password(proposed.expose_secret())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(())
    }
}
