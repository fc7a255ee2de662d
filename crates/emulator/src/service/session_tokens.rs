//! Refresh tokens (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken), RevokeToken
//! and GlobalSignOut.

use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Parameters, required};
use super::{Grant, Service, hash_token, parse, same_secret};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, Pool, RefreshRecord};

impl Service {
    /// Finds a live refresh token of `client`.
    fn live_refresh(
        &self,
        client: &AppClient,
        token: &str,
        device_key: Option<&str>,
    ) -> ApiResult<RefreshRecord> {
        let invalid = || ApiError::not_authorized("Invalid Refresh Token.");
        let record = self
            .store
            .refresh(&hash_token(token))?
            .ok_or_else(invalid)?;
        if record.client_id != client.client_id {
            return Err(invalid());
        }
        if record.revoked {
            return Err(ApiError::not_authorized("Refresh Token has been revoked"));
        }
        if record.expires <= ids::now() {
            return Err(ApiError::not_authorized("Refresh Token has expired"));
        }
        // A token issued to a tracked device only refreshes from that device.
        if record.device_key.is_some() && record.device_key.as_deref() != device_key {
            return Err(invalid());
        }
        Ok(record)
    }

    fn refreshed_tokens(
        &self,
        pool: &Pool,
        client: &AppClient,
        record: &RefreshRecord,
        rotate: bool,
    ) -> ApiResult<Value> {
        let user = self
            .store
            .user(&pool.id, &record.username)?
            .ok_or_else(|| ApiError::not_authorized("Invalid Refresh Token."))?;
        if !user.enabled {
            return Err(ApiError::user_disabled());
        }
        let result = self.issue_tokens(&Grant {
            pool,
            client,
            user: &user,
            device_key: record.device_key.as_deref(),
            new_device: None,
            origin_jti: &record.origin_jti,
            auth_time: record.auth_time,
            refresh: rotate,
        })?;
        Ok(result)
    }

    pub(super) fn refresh_sign_in(
        &self,
        pool: &Pool,
        client: &AppClient,
        params: &Parameters,
    ) -> ApiResult<Value> {
        let token = required(params, "REFRESH_TOKEN")?;
        let device_key = params.get("DEVICE_KEY").map(String::as_str);
        let record = self.live_refresh(client, token, device_key)?;
        // SECRET_HASH is over the internal username (the sub in email pools), or
        // over the USERNAME the client sent with it.
        let provided = params.get("SECRET_HASH").map(String::as_str);
        let over_username = params
            .get("USERNAME")
            .is_some_and(|u| Self::check_secret_hash(client, u, provided).is_ok());
        if !over_username {
            Self::check_secret_hash(client, &record.username, provided)?;
        }
        let result = self.refreshed_tokens(pool, client, &record, false)?;
        Ok(json!({ "AuthenticationResult": result, "ChallengeParameters": {} }))
    }

    pub(super) fn get_tokens_from_refresh_token(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            refresh_token: String,
            client_id: String,
            #[serde(default)]
            client_secret: Option<String>,
            #[serde(default)]
            device_key: Option<String>,
        }
        let input: Input = parse(input)?;
        let client = self.client(&input.client_id)?;
        check_client_secret(&client, input.client_secret.as_deref())?;
        let pool = self.pool(&client.pool_id)?;
        let record =
            self.live_refresh(&client, &input.refresh_token, input.device_key.as_deref())?;
        let rotate = client.refresh_token_rotation;
        let result = self.refreshed_tokens(&pool, &client, &record, rotate)?;
        if rotate {
            // The new token carries on the sign-in; the old one is spent.
            self.store
                .revoke_refresh(&hash_token(&input.refresh_token))?;
        }
        Ok(json!({ "AuthenticationResult": result }))
    }

    pub(super) fn revoke_token(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            token: String,
            client_id: String,
            #[serde(default)]
            client_secret: Option<String>,
        }
        let input: Input = parse(input)?;
        let client = self.client(&input.client_id)?;
        check_client_secret(&client, input.client_secret.as_deref())?;
        if !client.enable_token_revocation {
            return Err(ApiError::new(
                crate::error::ErrorKind::UnsupportedOperation,
                "Token revocation is not enabled for this client",
            ));
        }
        if let Some(record) = self.store.refresh(&hash_token(&input.token))? {
            if record.client_id != client.client_id {
                return Err(ApiError::not_authorized("Invalid Refresh Token."));
            }
            self.store.revoke_origin(&record.origin_jti)?;
        }
        Ok(json!({}))
    }

    pub(super) fn global_sign_out(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
        }
        let input: Input = parse(input)?;
        let (pool, user, _) = self.authenticate(&input.access_token)?;
        self.store.revoke_user(&pool.id, &user.username)?;
        Ok(json!({}))
    }

    pub(super) fn admin_user_global_sign_out(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            username: String,
        }
        let input: Input = parse(input)?;
        let pool = self.pool(&input.user_pool_id)?;
        let user = self.existing_user(&pool, &input.username)?;
        self.store.revoke_user(&pool.id, &user.username)?;
        Ok(json!({}))
    }
}

/// GetTokensFromRefreshToken and RevokeToken take the secret itself.
fn check_client_secret(client: &AppClient, provided: Option<&str>) -> ApiResult<()> {
    match (&client.client_secret, provided) {
        (None, _) => Ok(()),
        (Some(secret), Some(given)) if same_secret(secret, given) => Ok(()),
        (Some(_), _) => Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id
        ))),
    }
}
