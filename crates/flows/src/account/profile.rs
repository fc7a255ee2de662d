//! The signed-in user's own record: GetUser, UpdateUserAttributes, attribute
//! verification codes, DeleteUser. Amplify's `fetchUserAttributes`,
//! `updateUserAttributes`, `sendUserAttributeVerificationCode`,
//! `confirmUserAttribute` and `deleteUser`.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::CodeDelivery;
use super::sign_up::attribute_list;
use crate::{AuthApi, Error};

/// GetUser: the user as Cognito keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    /// `Username`: the pool's name for the user.
    pub username: String,
    /// `UserAttributes`, by name.
    pub attributes: BTreeMap<String, String>,
    /// `PreferredMfaSetting` (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`).
    pub preferred_mfa: Option<String>,
    /// `UserMFASettingList`: the MFA methods the user has enabled.
    pub mfa_enabled: Vec<String>,
}

/// What happened to one attribute (Amplify's `{ isUpdated, nextStep }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeUpdate {
    /// The value is in place (a value waiting for its code is not, in pools that
    /// keep the old one until it is verified).
    pub is_updated: bool,
    /// What comes next for this attribute.
    pub next: AttributeStep,
}

/// The step after an attribute update (Amplify's `updateAttributeStep`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeStep {
    /// `CONFIRM_ATTRIBUTE_WITH_CODE`: Cognito sent a code to verify the new value;
    /// pass it to [`AuthApi::verify_user_attribute`].
    ConfirmAttributeWithCode {
        /// Where the code went.
        delivery: CodeDelivery,
    },
    /// `DONE`.
    Done,
}

impl AuthApi {
    /// GetUser with the user's access token.
    pub async fn get_user(&self, access_token: &SecretString) -> Result<UserProfile, Error> {
        let out = self
            .client()
            .get_user()
            .access_token(access_token.expose_secret())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(UserProfile {
            username: out.username().to_owned(),
            attributes: out
                .user_attributes()
                .iter()
                .map(|a| {
                    (
                        a.name().to_owned(),
                        a.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            preferred_mfa: out.preferred_mfa_setting().map(str::to_owned),
            mfa_enabled: out.user_mfa_setting_list().to_vec(),
        })
    }

    /// UpdateUserAttributes, with the ClientMetadata. Each attribute given comes
    /// back with its step: a code to confirm (email, phone number) or done.
    pub async fn update_user_attributes(
        &self,
        access_token: &SecretString,
        attributes: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, AttributeUpdate>, Error> {
        let out = self
            .client()
            .update_user_attributes()
            .access_token(access_token.expose_secret())
            .set_user_attributes(Some(attribute_list(attributes)?))
            .set_client_metadata(self.metadata().client_metadata_map())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        let deliveries: Vec<CodeDelivery> = out
            .code_delivery_details_list()
            .iter()
            .map(CodeDelivery::from)
            .collect();
        Ok(attributes
            .keys()
            .map(|name| {
                let delivery = deliveries
                    .iter()
                    .find(|d| d.attribute.as_deref() == Some(name.as_str()));
                let update = match delivery {
                    Some(delivery) => AttributeUpdate {
                        is_updated: false,
                        next: AttributeStep::ConfirmAttributeWithCode {
                            delivery: delivery.clone(),
                        },
                    },
                    None => AttributeUpdate {
                        is_updated: true,
                        next: AttributeStep::Done,
                    },
                };
                (name.clone(), update)
            })
            .collect())
    }

    /// GetUserAttributeVerificationCode: Cognito sends a code to verify
    /// `attribute` (`email`, `phone_number`).
    pub async fn send_attribute_verification_code(
        &self,
        access_token: &SecretString,
        attribute: &str,
    ) -> Result<Option<CodeDelivery>, Error> {
        let out = self
            .client()
            .get_user_attribute_verification_code()
            .access_token(access_token.expose_secret())
            .attribute_name(attribute)
            .set_client_metadata(self.metadata().client_metadata_map())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(CodeDelivery::from_reply(out.code_delivery_details()))
    }

    /// VerifyUserAttribute: the code Cognito sent for `attribute`.
    pub async fn verify_user_attribute(
        &self,
        access_token: &SecretString,
        attribute: &str,
        code: &SecretString,
    ) -> Result<AttributeStep, Error> {
        self.client()
            .verify_user_attribute()
            .access_token(access_token.expose_secret())
            .attribute_name(attribute)
            .code(code.expose_secret())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(AttributeStep::Done)
    }

    /// DeleteUser: the signed-in user deletes their own account.
    pub async fn delete_user(&self, access_token: &SecretString) -> Result<(), Error> {
        self.client()
            .delete_user()
            .access_token(access_token.expose_secret())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(())
    }
}
