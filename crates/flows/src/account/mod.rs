//! The account around a sign-in: sign-up, passwords, the profile, sign-out,
//! devices and MFA settings, as calls on [`AuthApi`].
//!
//! Each call returns what Amplify JS v6 calls the next step, as a type:
//! [`SignUpStep`] (`CONFIRM_SIGN_UP`, `DONE`, `COMPLETE_AUTO_SIGN_IN`),
//! [`ResetPasswordStep`] (`CONFIRM_RESET_PASSWORD_WITH_CODE`, `DONE`) and
//! [`AttributeStep`] (`CONFIRM_ATTRIBUTE_WITH_CODE`, `DONE`), with where the code
//! went ([`CodeDelivery`]). Cognito's refusals are typed [`crate::Error`]s
//! (`CodeMismatch`, `CodeExpired`, `LimitExceeded`, `InvalidNewPassword`,
//! `UsernameExists`, `AliasExists`, `UserNotFound`, `NotAuthorized`, ...).
//!
//! The unauthenticated calls (sign-up, confirm, resend, forgot password) carry
//! SECRET_HASH over the username and the [`crate::Metadata`] of the [`AuthApi`];
//! the others take the user's access token.
//!
//! [`AuthApi`]: crate::AuthApi

mod devices;
mod mfa;
mod password;
mod profile;
mod sign_out;
mod sign_up;

use aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType;
use serde::{Deserialize, Serialize};

pub use devices::DeviceInfo;
pub(crate) use mfa::totp_setup;
pub use mfa::{MfaPreference, MfaSetting};
pub use password::ResetPasswordStep;
pub use profile::{AttributeStep, AttributeUpdate, UserProfile};
pub use sign_up::{ConfirmSignUp, ConfirmSignUpStep, SignUp, SignUpOutcome, SignUpStep};

/// Where Cognito sent a code (Amplify's `codeDeliveryDetails`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDelivery {
    /// `Destination`, masked by Cognito (`a***@e***`, `+*******1234`).
    pub destination: Option<String>,
    /// `DeliveryMedium`: `EMAIL` or `SMS`.
    pub medium: Option<String>,
    /// `AttributeName`: the attribute the code verifies (`email`, `phone_number`).
    pub attribute: Option<String>,
}

impl From<&CodeDeliveryDetailsType> for CodeDelivery {
    fn from(details: &CodeDeliveryDetailsType) -> Self {
        Self {
            destination: details.destination().map(str::to_owned),
            medium: details.delivery_medium().map(|m| m.as_str().to_owned()),
            attribute: details.attribute_name().map(str::to_owned),
        }
    }
}

impl CodeDelivery {
    /// The delivery Cognito reported, if any.
    pub(crate) fn from_reply(details: Option<&CodeDeliveryDetailsType>) -> Option<Self> {
        details.map(Self::from)
    }
}
