//! Tokens after a sign-in: issuing them (the claims are minted in
//! `crate::tokens`), refresh tokens (REFRESH_TOKEN_AUTH,
//! GetTokensFromRefreshToken), RevokeToken and GlobalSignOut.

use serde::Deserialize;
use serde_json::{Value, json};

use super::progress::{Parameters, required};
use super::{Service, parse, same_secret};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, Pool, RefreshRecord};
use crate::tokens::{self, Grant};

impl Service {
    /// Tokens for a completed sign-in: ID and access tokens from
    /// [`tokens::mint`], and a refresh token, stored only as its hash, when the
    /// grant asks for one.
    pub(crate) fn issue_tokens(&self, grant: &Grant<'_>) -> ApiResult<Value> {
        let keys = self.pool_keys(grant.pool.id.as_str())?;
        let now = ids::now();
        let groups = self.token_groups(grant.pool.id.as_str(), &grant.user.username)?;
        let minted = tokens::mint(&keys, grant, &groups, now)?;
        let user = grant.user;
        let client = grant.client;
        let mut result = json!({
            "AccessToken": minted.access_token,
            "ExpiresIn": client.access_token_seconds,
            "TokenType": "Bearer",
            "IdToken": minted.id_token,
        });
        if grant.refresh {
            let refresh_token = ids::refresh_token();
            self.store.insert_refresh(
                &hash_token(&refresh_token),
                &RefreshRecord {
                    pool_id: grant.pool.id.to_string(),
                    client_id: client.client_id.clone(),
                    username: user.username.clone(),
                    device_key: grant.device_key.map(str::to_owned),
                    origin_jti: grant.origin_jti.to_owned(),
                    auth_time: grant.auth_time,
                    expires: now + client.refresh_token_seconds,
                    revoked: false,
                },
            )?;
            result["RefreshToken"] = json!(refresh_token);
        }
        if let Some(new_device) = &grant.new_device {
            result["NewDeviceMetadata"] = json!({
                "DeviceKey": new_device.0,
                "DeviceGroupKey": new_device.1,
            });
        }
        Ok(result)
    }

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
    ) -> ApiResult<Value> {
        let user = self
            .store
            .user(pool.id.as_str(), &record.username)?
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
            refresh: false,
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
        let result = self.refreshed_tokens(pool, client, &record)?;
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
        let mut result = self.refreshed_tokens(&pool, &client, &record)?;
        if client.refresh_token_rotation {
            // The new token carries on the sign-in; the old one is spent, in the
            // same transaction, so only one of parallel rotations wins and a
            // revocation cannot slip between the spending and the successor.
            let successor = ids::refresh_token();
            let now = ids::now();
            let renewed = RefreshRecord {
                expires: now + client.refresh_token_seconds,
                revoked: false,
                ..record
            };
            let old_hash = hash_token(&input.refresh_token);
            if !self
                .store
                .rotate_refresh(&old_hash, &hash_token(&successor), &renewed, now)?
            {
                // Lost to a parallel rotation or revocation: say which, as a
                // later call with this token would.
                self.live_refresh(&client, &input.refresh_token, input.device_key.as_deref())?;
                return Err(ApiError::not_authorized("Refresh Token has been revoked"));
            }
            result["RefreshToken"] = json!(successor);
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
        let (pool, user, _) = self.authenticate_input(input)?;
        self.store.revoke_user(pool.id.as_str(), &user.username)?;
        Ok(json!({}))
    }

    pub(super) fn admin_user_global_sign_out(&self, input: Value) -> ApiResult<Value> {
        let (pool, user) = self.admin_target(input)?;
        self.store.revoke_user(pool.id.as_str(), &user.username)?;
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

/// Refresh tokens are stored only as this hash.
pub(crate) fn hash_token(token: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
