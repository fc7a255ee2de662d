//! Refresh: REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken with rotation, with
//! the device the token was issued to.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_auth_srp::Parameters;
use secrecy::ExposeSecret;

use crate::request::Refresh;
use crate::tokens::{Notice, Tokens};
use crate::{Error, Flows};

impl Flows {
    /// Refreshes: REFRESH_TOKEN_AUTH (or GetTokensFromRefreshToken with
    /// [`Refresh::rotating`]), with SECRET_HASH over the internal username and the
    /// DEVICE_KEY the token was issued to. If Cognito no longer knows that device,
    /// it is forgotten and the refresh repeated without it
    /// ([`Notice::DeviceForgotten`]).
    pub async fn refresh(&self, refresh: &Refresh) -> Result<Tokens, Error> {
        let device_key = match &refresh.device_key {
            Some(key) => Some(key.clone()),
            None => match (&self.devices, &refresh.username) {
                (Some(store), Some(username)) => store
                    .load(self.pool.as_str(), username)
                    .await
                    .map_err(|e| Error::DeviceStore(e.0))?
                    .map(|d| d.device_key().to_owned()),
                _ => None,
            },
        };
        match self.refresh_once(refresh, device_key.as_deref()).await {
            Err(Error::DeviceNotFound) if device_key.is_some() => {
                let stale = device_key.unwrap_or_default();
                self.forget_device(&stale).await?;
                let mut tokens = self.refresh_once(refresh, None).await?;
                tokens
                    .notices
                    .push(Notice::DeviceForgotten { device_key: stale });
                Ok(tokens)
            }
            other => other,
        }
    }

    async fn refresh_once(
        &self,
        refresh: &Refresh,
        device_key: Option<&str>,
    ) -> Result<Tokens, Error> {
        let result = if refresh.rotate {
            let out = self
                .client()
                .get_tokens_from_refresh_token()
                .client_id(self.api.client_id())
                .refresh_token(refresh.refresh_token.expose_secret())
                .set_client_secret(
                    self.api
                        .client_secret()
                        .map(|s| s.expose_secret().to_owned()),
                )
                .set_device_key(device_key.map(str::to_owned))
                .set_client_metadata(refresh.metadata.client_metadata_map())
                .customize()
                .config_override(
                    aws_sdk_cognitoidentityprovider::Config::builder()
                        .credentials_provider(crate::unsigned::placeholder_credentials()),
                )
                .interceptor(crate::unsigned::StripSignature)
                .send()
                .await
                .map_err(Error::from_sdk)?;
            out.authentication_result
        } else {
            let mut parameters = Parameters::new();
            parameters.insert(
                "REFRESH_TOKEN".to_owned(),
                refresh.refresh_token.expose_secret().to_owned(),
            );
            if self.api.has_client_secret() {
                let username = refresh.username.as_deref().ok_or_else(|| {
                    Error::Config(
                        "refreshing with a client secret needs the internal username \
                         (Refresh::with_username) for SECRET_HASH"
                            .into(),
                    )
                })?;
                if let Some(hash) = self.api.secret_hash(username) {
                    parameters.insert("SECRET_HASH".to_owned(), hash);
                }
            }
            if let Some(key) = device_key {
                parameters.insert("DEVICE_KEY".to_owned(), key.to_owned());
            }
            // No USERNAME here, so the SECRET_HASH above (over the internal name)
            // is the only one.
            let reply = self
                .api
                .initiate_with(
                    AuthFlowType::RefreshTokenAuth,
                    parameters,
                    None,
                    &refresh.metadata,
                )
                .await?;
            if let Some(name) = reply.challenge_name() {
                return Err(Error::UnsupportedChallenge {
                    name: format!("{} (in reply to a refresh)", name.as_str()),
                });
            }
            reply.authentication_result
        };
        let result = result.ok_or_else(|| Error::MalformedReply {
            detail: "refresh returned no AuthenticationResult".into(),
        })?;
        let mut tokens = Tokens::from_result(&result)?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh.refresh_token.clone());
        }
        tokens.username = tokens
            .access_claims()
            .ok()
            .and_then(|c| c.username().map(str::to_owned))
            .or_else(|| refresh.username.clone());
        tokens.device_key = device_key
            .map(str::to_owned)
            .or_else(|| tokens.new_device.as_ref().map(|d| d.device_key.clone()));
        Ok(tokens)
    }
}
