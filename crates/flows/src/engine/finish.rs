//! The end of a sign-in: [`Tokens`] from the AuthenticationResult, and a new
//! device confirmed (and remembered) as the [`crate::DevicePolicy`] says.

use aws_sdk_cognitoidentityprovider::types::{
    AuthenticationResultType, DeviceRememberedStatusType,
};
use secrecy::ExposeSecret;

use super::Live;
use crate::devices::DevicePolicy;
use crate::state::SignInState;
use crate::tokens::{Claims, Notice, Tokens};
use crate::{Error, Flows};

impl Flows {
    pub(super) async fn finish(
        &self,
        state: SignInState,
        live: &Live<'_>,
        result: &AuthenticationResultType,
    ) -> Result<Tokens, Error> {
        let mut tokens = Tokens::from_result(result)?;
        tokens.notices = state.notices;
        let claims = tokens.access_claims().ok();
        let internal = claims
            .as_ref()
            .and_then(|c| c.username().map(str::to_owned))
            .unwrap_or_else(|| state.username.clone());
        tokens.username = Some(internal.clone());
        // The device the tokens belong to: a new one, the one in the access token,
        // or the remembered one if Cognito authenticated it (a DEVICE_KEY Cognito
        // ignored is not it).
        let device_authenticated = tokens
            .notices
            .iter()
            .any(|n| matches!(n, Notice::DeviceAuthenticated { .. }));
        tokens.device_key = tokens
            .new_device
            .as_ref()
            .map(|d| d.device_key.clone())
            .or_else(|| {
                claims
                    .as_ref()
                    .and_then(|c: &Claims| c.device_key().map(str::to_owned))
            })
            .or_else(|| {
                live.device
                    .as_ref()
                    .filter(|_| device_authenticated)
                    .map(|d| d.device_key().to_owned())
            });
        let (device_name, remember) = match &self.device_policy {
            DevicePolicy::Ignore => return Ok(tokens),
            DevicePolicy::Confirm { device_name } => (device_name.clone(), false),
            DevicePolicy::Remember { device_name } => (device_name.clone(), true),
        };
        let Some(new_device) = tokens.new_device.clone() else {
            return Ok(tokens);
        };
        let confirmed = self
            .confirm_device(&tokens.access_token, &new_device, device_name.as_deref())
            .await;
        let (device, necessary) = match confirmed {
            Ok(done) => done,
            Err(error) => {
                // The sign-in itself succeeded: hand the tokens back and say what failed.
                tracing::warn!(%error, "ConfirmDevice failed");
                tokens.notices.push(Notice::DeviceConfirmFailed {
                    device_key: new_device.device_key,
                    reason: error.to_string(),
                });
                return Ok(tokens);
            }
        };
        let mut remembered = !necessary;
        if remember && necessary {
            let status = self
                .client()
                .update_device_status()
                .access_token(tokens.access_token.expose_secret())
                .device_key(&new_device.device_key)
                .device_remembered_status(DeviceRememberedStatusType::Remembered)
                .send()
                .await;
            match status {
                Ok(_) => remembered = true,
                Err(error) => {
                    let error = Error::from_sdk(error);
                    tracing::warn!(%error, "UpdateDeviceStatus failed");
                }
            }
        }
        if let Some(store) = &self.devices {
            let pool = self.pool.as_str();
            store
                .save(pool, &internal, &device)
                .await
                .map_err(|e| Error::DeviceStore(e.0))?;
            if state.typed_username != internal {
                store
                    .save(pool, &state.typed_username, &device)
                    .await
                    .map_err(|e| Error::DeviceStore(e.0))?;
            }
        }
        tokens.notices.push(Notice::DeviceConfirmed {
            device_key: new_device.device_key,
            user_confirmation_necessary: necessary,
            remembered,
        });
        Ok(tokens)
    }
}
