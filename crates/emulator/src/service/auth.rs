//! InitiateAuth / RespondToAuthChallenge (and their Admin forms): the sign-in
//! state machine. Each step checks what it receives, consumes the session it
//! continues, and either asks the next challenge or issues tokens.

use std::collections::BTreeMap;

use cognito_auth_srp::{
    ClientPublic, Error as SrpError, PasswordClaim, PasswordVerifier, PoolId, ServerChallenge,
    parse_timestamp,
};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Grant, Service, lock, parse};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, Device, Pool, User, UserStatus};
use crate::sessions::{
    ChallengeRound, Session, SessionError, Step, device_alias, secret_block_alias,
};

pub(crate) type Parameters = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateInput {
    auth_flow: String,
    #[serde(default)]
    auth_parameters: Option<Parameters>,
    client_id: String,
    #[serde(default)]
    user_pool_id: Option<String>,
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    client_metadata: Option<Parameters>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RespondInput {
    client_id: String,
    challenge_name: String,
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    challenge_responses: Option<Parameters>,
    #[serde(default)]
    user_pool_id: Option<String>,
    #[serde(default)]
    client_metadata: Option<Parameters>,
}

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

const AUTH_FLOWS: &str = "[USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]";

pub(crate) fn required<'a>(params: &'a Parameters, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// Validates SRP_A as Cognito does, without echoing a huge value back.
pub(crate) fn parse_srp_a(srp_a: &str) -> ApiResult<ClientPublic> {
    let shown: String = srp_a.chars().take(64).collect();
    let not_hex = || {
        ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{shown}' at 'sRPA' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-fA-F]+$"
        ))
    };
    if srp_a.is_empty() || !srp_a.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_hex());
    }
    ClientPublic::parse(srp_a).map_err(|error| match error {
        SrpError::InvalidHex { .. } | SrpError::Negative { .. } => not_hex(),
        SrpError::TooLong { .. } => ApiError::invalid_parameter(
            "1 validation error detected: Value at 'sRPA' failed to satisfy constraint: Member must have length less than or equal to 770",
        ),
        _ => ApiError::invalid_parameter("SRP_A is not a valid SRP public value"),
    })
}

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

/// The checks on a PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER answer that need
/// no session, in the order Cognito applies them.
fn claim_fields(responses: &Parameters) -> ApiResult<(&str, &str, &str, &str)> {
    let username = required(responses, "USERNAME")?;
    let timestamp = required(responses, "TIMESTAMP")?;
    let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let secret_block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    parse_timestamp(timestamp).map_err(|_| {
        ApiError::invalid_parameter(
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
        )
    })?;
    use base64::Engine;
    if base64::engine::general_purpose::STANDARD
        .decode(signature)
        .is_err()
    {
        return Err(ApiError::invalid_parameter(
            "Invalid PASSWORD_CLAIM_SIGNATURE format. Must be a Base64 string.",
        ));
    }
    Ok((username, timestamp, signature, secret_block))
}

impl Service {
    pub(super) fn initiate_auth(&self, input: Value, admin: bool) -> ApiResult<Value> {
        let input: InitiateInput = parse(input)?;
        let client = self.caller_client(&input.client_id, input.user_pool_id.as_deref(), admin)?;
        let pool = self.pool(&client.pool_id)?;
        let params = input.auth_parameters.unwrap_or_default();
        let flow = input.auth_flow.as_str();
        let not_enabled = |flow: &str| {
            if admin {
                ApiError::invalid_parameter("Auth flow not enabled for this client")
            } else {
                ApiError::invalid_parameter(format!("{flow} flow not enabled for this client"))
            }
        };
        match flow {
            "USER_SRP_AUTH" => {
                if !client.allows("ALLOW_USER_SRP_AUTH") && !client.allows("USER_SRP_AUTH") {
                    return Err(not_enabled(flow));
                }
                self.start_srp(pool, client, &params, admin, None)
            }
            "USER_PASSWORD_AUTH" if !admin => {
                if !client.allows("ALLOW_USER_PASSWORD_AUTH") {
                    return Err(not_enabled(flow));
                }
                self.password_sign_in(pool, client, &params, false)
            }
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" if admin => {
                if !client.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH") {
                    return Err(not_enabled(flow));
                }
                self.password_sign_in(pool, client, &params, true)
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                if !client.allows("ALLOW_REFRESH_TOKEN_AUTH") {
                    return Err(not_enabled("REFRESH_TOKEN_AUTH"));
                }
                self.refresh_sign_in(&pool, &client, &params)
            }
            "CUSTOM_AUTH" => {
                if !client.allows("ALLOW_CUSTOM_AUTH") {
                    return Err(not_enabled(flow));
                }
                let metadata = input.client_metadata.unwrap_or_default();
                self.start_custom_auth(pool, client, &params, admin, metadata)
            }
            "USER_AUTH" => {
                if !client.allows("ALLOW_USER_AUTH") {
                    return Err(not_enabled(flow));
                }
                match input.session.as_deref() {
                    Some(session) => self.user_auth_after_sign_up(client, session, &params),
                    None => self.start_user_auth(pool, client, &params, admin),
                }
            }
            "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => Err(
                ApiError::invalid_parameter("Initiate Auth method not supported."),
            ),
            other => {
                let shown: String = other.chars().take(64).collect();
                Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value '{shown}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: {AUTH_FLOWS}"
                )))
            }
        }
    }

    /// The app client a sign-in call names. The Admin forms also name the pool,
    /// which must be the client's.
    fn caller_client(
        &self,
        client_id: &str,
        user_pool_id: Option<&str>,
        admin: bool,
    ) -> ApiResult<AppClient> {
        let client = self.client(client_id)?;
        if admin {
            let pool_id = user_pool_id.ok_or_else(|| ApiError::null_member("userPoolId"))?;
            if pool_id != client.pool_id {
                return Err(ApiError::resource_not_found(format!(
                    "User pool client {} does not exist.",
                    client.client_id
                )));
            }
        }
        Ok(client)
    }

    /// The user for a first factor, or the error Cognito gives for them, which
    /// depends on PreventUserExistenceErrors. `Ok(None)`: unknown user, hide it.
    pub(crate) fn first_factor_user(
        &self,
        pool: &Pool,
        client: &AppClient,
        typed: &str,
    ) -> ApiResult<Option<User>> {
        let hide = client.prevent_user_existence_errors == "ENABLED";
        let Some(user) = self.find_user(pool, typed)? else {
            return if hide {
                Ok(None)
            } else {
                Err(ApiError::user_not_found())
            };
        };
        if !user.enabled {
            return Err(ApiError::user_disabled());
        }
        if user.status == UserStatus::ResetRequired {
            return Err(if hide {
                ApiError::incorrect_credentials()
            } else {
                ApiError::password_reset_required()
            });
        }
        if user.salt.is_empty() {
            return if hide {
                Ok(None)
            } else {
                Err(ApiError::incorrect_credentials())
            };
        }
        Ok(Some(user))
    }

    pub(crate) fn session_expiry(&self, client: &AppClient) -> i64 {
        let seconds = self
            .config
            .session_validity_seconds
            .unwrap_or(client.auth_session_validity_minutes * 60);
        ids::now() + seconds
    }

    pub(crate) fn start_srp(
        &self,
        pool: Pool,
        client: AppClient,
        params: &Parameters,
        admin: bool,
        custom_auth: Option<Vec<ChallengeRound>>,
    ) -> ApiResult<Value> {
        let typed = required(params, "USERNAME")?;
        let srp_a = required(params, "SRP_A")?;
        parse_srp_a(srp_a)?;
        Self::check_secret_hash(
            &client,
            typed,
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        let pool_id = PoolId::parse(&pool.id)
            .map_err(|_| ApiError::internal("stored pool id is malformed"))?;
        let (internal, verifier, simulated) = match self.first_factor_user(&pool, &client, typed)? {
            Some(user) => {
                let verifier = PasswordVerifier::from_signed_bytes(&user.salt, &user.verifier)
                    .map_err(|_| ApiError::internal("stored verifier is malformed"))?;
                (user.username, verifier, false)
            }
            None => {
                let (fake_id, verifier) = self.simulated_verifier(&pool_id, typed)?;
                (fake_id, verifier, true)
            }
        };
        let server = ServerChallenge::new(&verifier)
            .map_err(|_| ApiError::internal("random source failed"))?;
        let secret_block = ids::secret_block();
        let parameters = json!({
            "SALT": server.salt(),
            "SRP_B": server.srp_b(),
            "SECRET_BLOCK": secret_block,
            "USERNAME": internal,
            "USER_ID_FOR_SRP": internal,
        });
        let session = Session {
            pool_id: pool.id.clone(),
            client_id: client.client_id.clone(),
            username: internal,
            admin,
            custom_auth,
            device_key: params.get("DEVICE_KEY").cloned(),
            device_authenticated: false,
            auth_time: 0,
            step: Step::PasswordVerifier {
                challenge: Box::new(server),
                srp_a: srp_a.to_owned(),
                secret_block: secret_block.clone(),
                simulated,
            },
            expires: self.session_expiry(&client),
        };
        let token = lock(&self.sessions).insert(session, vec![secret_block_alias(&secret_block)]);
        Ok(challenge("PASSWORD_VERIFIER", &token, parameters))
    }

    /// RFC 5054 §2.5.1.3: an unknown user gets a challenge indistinguishable from a
    /// real one, stable per name, that no password can answer.
    fn simulated_verifier(
        &self,
        pool_id: &PoolId,
        typed: &str,
    ) -> ApiResult<(String, PasswordVerifier)> {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.simulation_key)
            .map_err(|_| ApiError::internal("hmac key"))?;
        mac.update(pool_id.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(typed.as_bytes());
        let digest = mac.finalize().into_bytes();
        let salt: Vec<u8> = std::iter::once(0)
            .chain(digest[..16].iter().copied())
            .collect();
        let fake_id = uuid::Builder::from_random_bytes(
            <[u8; 16]>::try_from(&digest[16..32]).unwrap_or_default(),
        )
        .into_uuid()
        .to_string();
        let unknowable = SecretString::from(ids::uuid());
        let stored = PasswordVerifier::from_signed_bytes(&salt, &[1])
            .map_err(|_| ApiError::internal("simulated salt"))?;
        let verifier = PasswordVerifier::for_user_with_salt(
            pool_id,
            &fake_id,
            &unknowable,
            stored.salt().clone(),
        );
        Ok((fake_id, verifier))
    }

    pub(crate) fn password_sign_in(
        &self,
        pool: Pool,
        client: AppClient,
        params: &Parameters,
        admin: bool,
    ) -> ApiResult<Value> {
        let typed = required(params, "USERNAME")?;
        let password = SecretString::from(required(params, "PASSWORD")?.to_owned());
        Self::check_secret_hash(
            &client,
            typed,
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        let Some(user) = self.first_factor_user(&pool, &client, typed)? else {
            return Err(ApiError::incorrect_credentials());
        };
        self.check_password_with_lockout(&pool, &user, &password)?;
        if user.status == UserStatus::Unconfirmed {
            return Err(ApiError::user_not_confirmed());
        }
        let progress = Progress {
            pool,
            client,
            user,
            admin,
            custom_auth: None,
            client_metadata: Parameters::new(),
            user_not_found: false,
            device_key: params.get("DEVICE_KEY").cloned(),
            device_authenticated: false,
            auth_time: ids::now(),
        };
        self.advance(progress, Stage::Password)
    }

    /// Checks a password, counting failures toward the lockout.
    pub(crate) fn check_password_with_lockout(
        &self,
        pool: &Pool,
        user: &User,
        password: &SecretString,
    ) -> ApiResult<()> {
        let now = ids::now();
        if lock(&self.lockout).is_locked(&pool.id, &user.username, now) {
            return Err(ApiError::attempts_exceeded());
        }
        if self.password_matches(pool, user, password) {
            lock(&self.lockout).record_success(&pool.id, &user.username);
            Ok(())
        } else {
            lock(&self.lockout).record_failure(&pool.id, &user.username, now);
            Err(ApiError::incorrect_credentials())
        }
    }

    pub(super) fn respond_to_auth_challenge(&self, input: Value, admin: bool) -> ApiResult<Value> {
        let input: RespondInput = parse(input)?;
        let client = self.caller_client(&input.client_id, input.user_pool_id.as_deref(), admin)?;
        let responses = input.challenge_responses.unwrap_or_default();
        if responses.is_empty() {
            return Err(ApiError::missing_parameter("challenge responses."));
        }
        if let Some(session) = &input.session
            && !(20..=4096).contains(&session.len())
        {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length between 20 and 4096",
            ));
        }
        let session = input.session.as_deref();
        let metadata = input.client_metadata.unwrap_or_default();
        match input.challenge_name.as_str() {
            "PASSWORD_VERIFIER" => {
                self.answer_password_verifier(client, session, &responses, metadata)
            }
            "DEVICE_SRP_AUTH" => self.answer_device_srp_auth(client, session, &responses),
            "DEVICE_PASSWORD_VERIFIER" => {
                self.answer_device_password_verifier(client, session, &responses)
            }
            "NEW_PASSWORD_REQUIRED" => self.answer_new_password(client, session, &responses),
            "SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP" | "SELECT_MFA_TYPE" | "MFA_SETUP"
            | "SMS_OTP" => self.answer_mfa(client, &input.challenge_name, session, &responses),
            "SELECT_CHALLENGE" => self.answer_select_challenge(client, session, &responses),
            "CUSTOM_CHALLENGE" => {
                self.answer_custom_challenge(client, session, &responses, metadata)
            }
            other => {
                let shown: String = other.chars().take(64).collect();
                Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value '{shown}' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set"
                )))
            }
        }
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

    /// Rebuilds a sign-in's progress from its session.
    pub(crate) fn progress(&self, client: AppClient, session: &Session) -> ApiResult<Progress> {
        let pool = self.pool(&session.pool_id)?;
        let user = self
            .store
            .user(&pool.id, &session.username)?
            .ok_or_else(ApiError::user_not_found)?;
        if !user.enabled {
            return Err(ApiError::user_disabled());
        }
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

    fn answer_password_verifier(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
        client_metadata: Parameters,
    ) -> ApiResult<Value> {
        let (username, timestamp, signature, secret_block) = claim_fields(responses)?;
        let alias = secret_block_alias(secret_block);
        let session = self.take_session(&client, token, Some(&alias))?;
        let Step::PasswordVerifier {
            challenge: server,
            srp_a,
            secret_block: issued_block,
            simulated,
        } = &session.step
        else {
            return Err(ApiError::invalid_session());
        };
        if *simulated {
            Self::check_secret_hash(
                &client,
                username,
                responses.get("SECRET_HASH").map(String::as_str),
            )?;
            return Err(ApiError::incorrect_credentials());
        }
        let mut progress = self.progress(client, &session)?;
        progress.client_metadata = client_metadata;
        self.check_response_user(&progress, responses)?;
        let now = ids::now();
        let pool_name = progress.pool.id.clone();
        let user_name = progress.user.username.clone();
        if lock(&self.lockout).is_locked(&pool_name, &user_name, now) {
            return Err(ApiError::attempts_exceeded());
        }
        let claim = PasswordClaim {
            srp_a,
            secret_block,
            timestamp,
            signature,
        };
        let pool_id = PoolId::parse(&pool_name)
            .map_err(|_| ApiError::internal("stored pool id is malformed"))?;
        // The block must be the one this session handed out (a session token with
        // another session's block is a forgery), and the claim must verify within
        // the clock-skew window.
        let verdict = if issued_block != secret_block {
            Err(ApiError::incorrect_credentials())
        } else {
            match server.verify_user_claim(&pool_id, &user_name, &claim) {
                Ok(signed_at)
                    if (signed_at.unix_seconds - now).abs() <= self.config.clock_skew_seconds =>
                {
                    Ok(())
                }
                Ok(_) | Err(SrpError::SignatureMismatch) => Err(ApiError::incorrect_credentials()),
                Err(SrpError::InvalidTimestamp) => Err(ApiError::invalid_parameter(
                    "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
                )),
                Err(_) => Err(ApiError::incorrect_credentials()),
            }
        };
        if let Err(error) = verdict {
            if error == ApiError::incorrect_credentials() {
                lock(&self.lockout).record_failure(&pool_name, &user_name, now);
                if progress.custom_auth.is_some() {
                    // CUSTOM_AUTH with SRP first: DefineAuthChallenge hears of the
                    // wrong password and decides (it usually fails the sign-in).
                    return self.next_custom_step(progress, "PASSWORD_VERIFIER", false, None);
                }
            }
            return Err(error);
        }
        lock(&self.lockout).record_success(&pool_name, &user_name);
        if progress.user.status == UserStatus::Unconfirmed {
            return Err(ApiError::user_not_confirmed());
        }
        if let Some(device_key) = responses.get("DEVICE_KEY") {
            progress.device_key = Some(device_key.clone());
        }
        // A device the user no longer has (forgotten, or never theirs) is refused
        // as Cognito refuses it, so clients can drop it and sign in again without:
        // amazon-cognito-identity-js and Amplify retry on exactly this answer.
        if let Some(device_key) = &progress.device_key {
            let known = self.store.device(device_key)?.is_some_and(|device| {
                device.pool_id == progress.pool.id && device.username == progress.user.username
            });
            if !known {
                return Err(ApiError::resource_not_found("Device does not exist."));
            }
        }
        progress.auth_time = now;
        self.advance(progress, Stage::Password)
    }

    /// The device the client offered, if it is this user's and confirmed.
    fn offered_device(&self, progress: &Progress) -> ApiResult<Option<Device>> {
        let Some(key) = &progress.device_key else {
            return Ok(None);
        };
        Ok(self.store.device(key)?.filter(|d| {
            d.pool_id == progress.pool.id && d.username == progress.user.username && d.confirmed
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
                .devices(&progress.pool.id, &progress.user.username)?;
            let group = existing
                .first()
                .map(|d| d.device_group_key.clone())
                .unwrap_or_else(ids::device_group_key);
            let key = ids::device_key(progress.pool.region());
            self.store.put_device(&Device {
                device_key: key.clone(),
                device_group_key: group.clone(),
                pool_id: progress.pool.id.clone(),
                username: progress.user.username.clone(),
                name: None,
                salt: Vec::new(),
                verifier: Vec::new(),
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
            pool_id: progress.pool.id.clone(),
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

    fn answer_device_srp_auth(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
    ) -> ApiResult<Value> {
        let username = required(responses, "USERNAME")?;
        let device_key = required(responses, "DEVICE_KEY")?;
        let srp_a = required(responses, "SRP_A")?;
        parse_srp_a(srp_a)?;
        // Without a Session, the pending step is found by user and device; the
        // USERNAME may be an alias, so resolve it first.
        let alias = match token {
            Some(_) => None,
            None => {
                let pool = self.pool(&client.pool_id)?;
                let internal = self
                    .find_user(&pool, username)?
                    .map_or_else(|| username.to_owned(), |u| u.username);
                Some(device_alias(&client.client_id, &internal, device_key))
            }
        };
        let session = self.take_session(&client, token, alias.as_deref())?;
        let Step::DeviceSrpAuth {
            device_key: expected,
        } = &session.step
        else {
            return Err(ApiError::invalid_session());
        };
        if expected != device_key {
            return Err(ApiError::incorrect_credentials());
        }
        let progress = self.progress(client, &session)?;
        self.check_response_user(&progress, responses)?;
        let device = self
            .offered_device(&progress)?
            .ok_or_else(|| ApiError::resource_not_found("Device does not exist."))?;
        let verifier = PasswordVerifier::from_signed_bytes(&device.salt, &device.verifier)
            .map_err(|_| ApiError::internal("stored device verifier is malformed"))?;
        let server = ServerChallenge::new(&verifier)
            .map_err(|_| ApiError::internal("random source failed"))?;
        let secret_block = ids::secret_block();
        let parameters = json!({
            "SALT": server.salt(),
            "SRP_B": server.srp_b(),
            "SECRET_BLOCK": secret_block,
            "USERNAME": progress.user.username,
            "DEVICE_KEY": device.device_key,
        });
        let token = self.next_session(
            &progress,
            Step::DevicePasswordVerifier {
                challenge: Box::new(server),
                srp_a: srp_a.to_owned(),
                secret_block: secret_block.clone(),
                device_key: device.device_key.clone(),
                device_group_key: device.device_group_key.clone(),
            },
            vec![secret_block_alias(&secret_block)],
        );
        Ok(challenge("DEVICE_PASSWORD_VERIFIER", &token, parameters))
    }

    fn answer_device_password_verifier(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
    ) -> ApiResult<Value> {
        let (_, timestamp, signature, secret_block) = claim_fields(responses)?;
        let device_key = required(responses, "DEVICE_KEY")?;
        let alias = secret_block_alias(secret_block);
        let session = self.take_session(&client, token, Some(&alias))?;
        let Step::DevicePasswordVerifier {
            challenge: server,
            srp_a,
            secret_block: issued_block,
            device_key: expected_key,
            device_group_key,
        } = &session.step
        else {
            return Err(ApiError::invalid_session());
        };
        let mut progress = self.progress(client, &session)?;
        self.check_response_user(&progress, responses)?;
        if expected_key != device_key || issued_block != secret_block {
            return Err(ApiError::incorrect_credentials());
        }
        let claim = PasswordClaim {
            srp_a,
            secret_block,
            timestamp,
            signature,
        };
        let now = ids::now();
        match server.verify_device_claim(device_group_key, device_key, &claim) {
            Ok(signed_at)
                if (signed_at.unix_seconds - now).abs() <= self.config.clock_skew_seconds => {}
            _ => return Err(ApiError::incorrect_credentials()),
        }
        if let Some(mut device) = self.store.device(device_key)? {
            device.last_authenticated = now;
            self.store.put_device(&device)?;
        }
        progress.device_key = Some(device_key.to_owned());
        progress.device_authenticated = true;
        self.advance(progress, Stage::Device)
    }

    fn answer_new_password(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
    ) -> ApiResult<Value> {
        let session = self.take_session(&client, token, None)?;
        if !matches!(session.step, Step::NewPasswordRequired) {
            return Err(ApiError::invalid_session());
        }
        let mut progress = self.progress(client, &session)?;
        self.check_response_user(&progress, responses)?;
        let password = SecretString::from(required(responses, "NEW_PASSWORD")?.to_owned());
        let pool = progress.pool.clone();
        self.set_password(&pool, &mut progress.user, &password)?;
        for (key, value) in responses {
            if let Some(name) = key.strip_prefix("userAttributes.") {
                progress
                    .user
                    .attributes
                    .insert(name.to_owned(), value.clone());
            }
        }
        progress.user.status = UserStatus::Confirmed;
        progress.user.last_modified = ids::now();
        self.store.update_user(&pool.id, &progress.user)?;
        self.advance(progress, Stage::NewPassword)
    }
}
