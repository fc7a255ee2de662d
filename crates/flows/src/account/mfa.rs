//! MFA settings of a signed-in user: AssociateSoftwareToken, VerifySoftwareToken
//! and SetUserMFAPreference (Amplify's `setUpTOTP`, `verifyTOTPSetup`,
//! `updateMFAPreference`).

use aws_sdk_cognitoidentityprovider::types::{
    EmailMfaSettingsType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
    VerifySoftwareTokenResponseType,
};
use secrecy::{ExposeSecret, SecretString};

use crate::handler::TotpSetup;
use crate::otpauth::totp_uri;
use crate::{AuthApi, Error};

/// AssociateSoftwareToken's SecretCode as the secret and `otpauth://` URI to show.
pub(crate) fn totp_setup(
    secret: Option<&str>,
    issuer: &str,
    account: &str,
) -> Result<TotpSetup, Error> {
    let secret = secret.ok_or_else(|| Error::MalformedReply {
        detail: "AssociateSoftwareToken returned no SecretCode".into(),
    })?;
    Ok(TotpSetup {
        uri: SecretString::from(totp_uri(issuer, account, secret)),
        secret: SecretString::from(secret.to_owned()),
    })
}

/// One factor's setting in SetUserMFAPreference (Amplify's `MFAPreference`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MfaSetting {
    /// `ENABLED`: usable, not preferred.
    Enabled,
    /// `PREFERRED`: enabled and the one asked for first.
    Preferred,
    /// `DISABLED`.
    Disabled,
}

impl MfaSetting {
    fn flags(self) -> (bool, bool) {
        match self {
            Self::Enabled => (true, false),
            Self::Preferred => (true, true),
            Self::Disabled => (false, false),
        }
    }
}

/// SetUserMFAPreference: a setting per factor; `None` leaves it as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MfaPreference {
    /// SMS.
    pub sms: Option<MfaSetting>,
    /// A TOTP app.
    pub totp: Option<MfaSetting>,
    /// Email.
    pub email: Option<MfaSetting>,
}

impl AuthApi {
    /// AssociateSoftwareToken for a signed-in user: the secret to show, as text
    /// and as an `otpauth://` URI for `account` at `issuer`.
    pub async fn associate_software_token(
        &self,
        access_token: &SecretString,
        issuer: &str,
        account: &str,
    ) -> Result<TotpSetup, Error> {
        let out = self
            .client()
            .associate_software_token()
            .access_token(access_token.expose_secret())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        totp_setup(out.secret_code(), issuer, account)
    }

    /// VerifySoftwareToken: a current code from the app proves the setup. A wrong
    /// code is [`Error::CodeMismatch`].
    pub async fn verify_software_token(
        &self,
        access_token: &SecretString,
        code: &SecretString,
        device_name: Option<&str>,
    ) -> Result<(), Error> {
        let out = self
            .client()
            .verify_software_token()
            .access_token(access_token.expose_secret())
            .user_code(code.expose_secret())
            .set_friendly_device_name(device_name.map(str::to_owned))
            .send()
            .await
            .map_err(Error::from_sdk)?;
        if out.status() != Some(&VerifySoftwareTokenResponseType::Success) {
            return Err(Error::CodeMismatch);
        }
        Ok(())
    }

    /// SetUserMFAPreference.
    pub async fn set_mfa_preference(
        &self,
        access_token: &SecretString,
        preference: MfaPreference,
    ) -> Result<(), Error> {
        let sms = preference.sms.map(|s| {
            let (enabled, preferred) = s.flags();
            SmsMfaSettingsType::builder()
                .enabled(enabled)
                .preferred_mfa(preferred)
                .build()
        });
        let totp = preference.totp.map(|s| {
            let (enabled, preferred) = s.flags();
            SoftwareTokenMfaSettingsType::builder()
                .enabled(enabled)
                .preferred_mfa(preferred)
                .build()
        });
        let email = preference.email.map(|s| {
            let (enabled, preferred) = s.flags();
            EmailMfaSettingsType::builder()
                .enabled(enabled)
                .preferred_mfa(preferred)
                .build()
        });
        self.client()
            .set_user_mfa_preference()
            .access_token(access_token.expose_secret())
            .set_sms_mfa_settings(sms)
            .set_software_token_mfa_settings(totp)
            .set_email_mfa_settings(email)
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(())
    }
}
