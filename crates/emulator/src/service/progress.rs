//! Where a sign-in stands between steps: the `Progress` rebuilt from a session,
//! the stage just completed, and what comes next (another challenge or tokens).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Service, lock};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, Device, Pool, User, UserStatus};
use crate::sessions::{ChallengeRound, Session, SessionError, Step, device_alias};
use crate::tokens::Grant;

/// AuthParameters, ChallengeResponses, ChallengeParameters, ClientMetadata.
pub(crate) type Parameters = BTreeMap<String, String>;

/// Where a sign-in stands between steps.
#[derive(Debug)]
pub(crate) struct Progress {
    pub pool: Pool,
    pub client: AppClient,
    pub user: User,
    pub admin: bool,
    /// CUSTOM_AUTH's challenge history; `None` in every other flow.
    pub custom_auth: Option<Vec<ChallengeRound>>,
    /// The ClientMetadata of the request being answered, for triggers.
    pub client_metadata: Parameters,
    /// A custom flow for a name that matched no user, hidden by
    /// PreventUserExistenceErrors; `user` is a stand-in.
    pub user_not_found: bool,
    pub device_key: Option<String>,
    pub device_authenticated: bool,
    pub auth_time: i64,
}

/// The step just completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// The first factor (password or SRP).
    Password,
    /// NEW_PASSWORD_REQUIRED answered.
    NewPassword,
    /// The device proved itself (or none was offered).
    Device,
    /// The second factor.
    Mfa,
}

/// A parameter the step cannot do without.
pub(crate) fn required<'a>(params: &'a Parameters, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// A challenge answer: its name, the session that continues it, its parameters.
pub(crate) fn challenge(name: &str, session: &str, parameters: Value) -> Value {
    json!({
        "ChallengeName": name,
        "Session": session,
        "ChallengeParameters": parameters,
    })
}

fn map_session_error(error: SessionError) -> ApiError {
    match error {
        SessionError::Unknown => ApiError::invalid_session(),
        SessionError::Expired => ApiError::expired_session(),
    }
}

impl Service {
    pub(crate) fn session_expiry(&self, client: &AppClient) -> i64 {
        let seconds = self
            .config
            .session_validity_seconds
            .unwrap_or(client.auth_session_validity_minutes * 60);
        ids::now() + seconds
    }

    /// Takes the session a response continues, by token or else by `alias`.
    pub(crate) fn take_session(
        &self,
        client: &AppClient,
        token: Option<&str>,
        alias: Option<&str>,
    ) -> ApiResult<Session> {
        let now = ids::now();
        let mut sessions = lock(&self.sessions);
        let session = match (token, alias) {
            (Some(token), _) => sessions.take(token, now),
            (None, Some(alias)) => sessions.take_by_alias(alias, now),
            (None, None) => return Err(ApiError::missing_parameter("Session")),
        }
        .map_err(map_session_error)?;
        if session.client_id != client.client_id {
            return Err(ApiError::invalid_session());
        }
        Ok(session)
    }

    /// Rebuilds a sign-in's progress from its session; a disabled user is refused.
    pub(crate) fn progress(&self, client: AppClient, session: &Session) -> ApiResult<Progress> {
        let progress = self.progress_any_state(client, session)?;
        if !progress.user.enabled {
            return Err(ApiError::user_disabled());
        }
        Ok(progress)
    }

    /// [`Self::progress`] for a step that checks `enabled` itself, after the proof.
    pub(crate) fn progress_any_state(
        &self,
        client: AppClient,
        session: &Session,
    ) -> ApiResult<Progress> {
        let pool = self.pool(&session.pool_id)?;
        let user = self
            .store
            .user(pool.id.as_str(), &session.username)?
            .ok_or_else(ApiError::user_not_found)?;
        Ok(Progress {
            pool,
            client,
            user,
            admin: session.admin,
            custom_auth: session.custom_auth.clone(),
            client_metadata: Parameters::new(),
            user_not_found: false,
            device_key: session.device_key.clone(),
            device_authenticated: session.device_authenticated,
            auth_time: session.auth_time,
        })
    }

    /// The USERNAME of a challenge response must name the session's user, and its
    /// SECRET_HASH must be over that same string.
    pub(crate) fn check_response_user(
        &self,
        progress: &Progress,
        responses: &Parameters,
    ) -> ApiResult<()> {
        let username = required(responses, "USERNAME")?;
        Self::check_secret_hash(
            &progress.client,
            username,
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
        let named = self.find_user(&progress.pool, username)?;
        if named.is_none_or(|u| u.username != progress.user.username) {
            return Err(ApiError::incorrect_credentials());
        }
        Ok(())
    }

    /// The device the client offered, if it is this user's and confirmed.
    pub(super) fn offered_device(&self, progress: &Progress) -> ApiResult<Option<Device>> {
        let Some(key) = &progress.device_key else {
            return Ok(None);
        };
        Ok(self.store.device(key)?.filter(|d| {
            d.pool_id == progress.pool.id.as_str()
                && d.username == progress.user.username
                && d.confirmed
        }))
    }

    /// Moves a sign-in on from `from`: the next challenge, or tokens.
    pub(crate) fn advance(&self, progress: Progress, from: Stage) -> ApiResult<Value> {
        if from == Stage::Password && progress.custom_auth.is_some() {
            // CUSTOM_AUTH with SRP first: DefineAuthChallenge decides what follows
            // the password.
            return self.next_custom_step(progress, "PASSWORD_VERIFIER", true, None);
        }
        if from == Stage::Password && progress.user.status == UserStatus::ForceChangePassword {
            let mut attributes = serde_json::Map::new();
            for (name, value) in &progress.user.attributes {
                if name != "email_verified" && name != "phone_number_verified" {
                    attributes.insert(name.clone(), json!(value));
                }
            }
            let parameters = json!({
                "USER_ID_FOR_SRP": progress.user.username,
                "requiredAttributes": "[]",
                "userAttributes": Value::Object(attributes).to_string(),
            });
            let token = self.next_session(&progress, Step::NewPasswordRequired, vec![]);
            return Ok(challenge("NEW_PASSWORD_REQUIRED", &token, parameters));
        }
        if matches!(from, Stage::Password | Stage::NewPassword)
            && !progress.admin
            && progress.pool.device_configuration.is_some()
            && let Some(device) = self.offered_device(&progress)?
        {
            let alias = device_alias(
                &progress.client.client_id,
                &progress.user.username,
                &device.device_key,
            );
            let token = self.next_session(
                &progress,
                Step::DeviceSrpAuth {
                    device_key: device.device_key.clone(),
                },
                vec![alias],
            );
            return Ok(challenge(
                "DEVICE_SRP_AUTH",
                &token,
                json!({ "USERNAME": progress.user.username }),
            ));
        }
        if from != Stage::Mfa && self.mfa_required(&progress)? {
            return self.mfa_challenge(progress);
        }
        self.finish(progress)
    }

    /// Tokens for a completed sign-in, with a new device when the pool tracks
    /// devices and none proved itself.
    pub(crate) fn finish(&self, progress: Progress) -> ApiResult<Value> {
        let now = ids::now();
        let mut new_device = None;
        let mut device_key = progress
            .device_key
            .clone()
            .filter(|_| progress.device_authenticated);
        if !progress.admin && progress.pool.device_configuration.is_some() && device_key.is_none() {
            let existing = self
                .store
                .devices(progress.pool.id.as_str(), &progress.user.username)?;
            let group = existing
                .first()
                .map(|d| d.device_group_key.clone())
                .unwrap_or_else(ids::device_group_key);
            let key = ids::device_key(progress.pool.region());
            self.store.put_device(&Device {
                device_key: key.clone(),
                device_group_key: group.clone(),
                pool_id: progress.pool.id.to_string(),
                username: progress.user.username.clone(),
                name: None,
                salt: Vec::new(),
                verifier: Vec::new(),
                verifier_powers: Vec::new(),
                confirmed: false,
                remembered_status: "not_remembered".into(),
                created: now,
                last_modified: now,
                last_authenticated: now,
            })?;
            device_key = Some(key.clone());
            new_device = Some((key, group));
        }
        let origin_jti = ids::uuid();
        let auth_time = if progress.auth_time == 0 {
            now
        } else {
            progress.auth_time
        };
        let result = self.issue_tokens(&Grant {
            pool: &progress.pool,
            client: &progress.client,
            user: &progress.user,
            device_key: device_key.as_deref(),
            new_device,
            origin_jti: &origin_jti,
            auth_time,
            refresh: true,
        })?;
        Ok(json!({ "AuthenticationResult": result, "ChallengeParameters": {} }))
    }

    /// Stores the session for the next challenge of `progress`.
    pub(crate) fn next_session(
        &self,
        progress: &Progress,
        step: Step,
        aliases: Vec<String>,
    ) -> String {
        let session = Session {
            pool_id: progress.pool.id.to_string(),
            client_id: progress.client.client_id.clone(),
            username: progress.user.username.clone(),
            admin: progress.admin,
            custom_auth: progress.custom_auth.clone(),
            device_key: progress.device_key.clone(),
            device_authenticated: progress.device_authenticated,
            auth_time: progress.auth_time,
            step,
            expires: self.session_expiry(&progress.client),
        };
        lock(&self.sessions).insert(session, aliases)
    }
}
