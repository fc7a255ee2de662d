//! InitiateAuth / RespondToAuthChallenge (and their Admin forms): where each sign-in
//! flow and each challenge answer is routed, the password first factor, and
//! NEW_PASSWORD_REQUIRED. The SRP steps live in `srp`, what follows a step in
//! `progress`.

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use super::attributes::{self, Occasion, Writer};
use super::progress::{Parameters, Progress, Stage, required};
use super::{Service, parse};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::lockout::Attempt;
use crate::model::{AppClient, Pool, User, UserStatus};
use crate::sessions::Step;

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

const AUTH_FLOWS: &str = "[USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]";

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
        self.first_factor_user_in(pool, client, typed, false)
    }

    /// [`Self::first_factor_user`] for the password factors (USER_PASSWORD_AUTH,
    /// SRP): when the client hides user existence, a disabled user goes on to the
    /// password check and hears "User is disabled." only after passing it, so the
    /// answer to a wrong password is the same for every name.
    pub(crate) fn password_factor_user(
        &self,
        pool: &Pool,
        client: &AppClient,
        typed: &str,
    ) -> ApiResult<Option<User>> {
        self.first_factor_user_in(pool, client, typed, true)
    }

    fn first_factor_user_in(
        &self,
        pool: &Pool,
        client: &AppClient,
        typed: &str,
        proof_follows: bool,
    ) -> ApiResult<Option<User>> {
        let hide = client.prevent_user_existence_errors == "ENABLED";
        let Some(user) = self.find_user(pool, typed)? else {
            return if hide {
                Ok(None)
            } else {
                Err(ApiError::user_not_found())
            };
        };
        let disabled_after_proof = hide && proof_follows;
        if !user.enabled && !disabled_after_proof {
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
        let Some(user) = self.password_factor_user(&pool, &client, typed)? else {
            return Err(self.simulated_password_check(&pool.id, typed, &password));
        };
        self.check_password_with_lockout(&pool, &user, &password)?;
        if !user.enabled {
            return Err(ApiError::user_disabled());
        }
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

    /// Checks a password, counting failures toward the lockout; a locked user
    /// gets the sign-in's "Password attempts exceeded".
    pub(crate) fn check_password_with_lockout(
        &self,
        pool: &Pool,
        user: &User,
        password: &SecretString,
    ) -> ApiResult<()> {
        self.check_password_under_lockout(pool, user, password, ApiError::attempts_exceeded)
    }

    /// [`Self::check_password_with_lockout`] with the operation's own answer
    /// while the user is locked out.
    pub(crate) fn check_password_under_lockout(
        &self,
        pool: &Pool,
        user: &User,
        password: &SecretString,
        locked: fn() -> ApiError,
    ) -> ApiResult<()> {
        let now = ids::now();
        let attempt = Attempt::begin(&self.lockout, pool.id.as_str(), &user.username, now)
            .ok_or_else(locked)?;
        if self.password_matches(pool, user, password) {
            attempt.succeeded();
            Ok(())
        } else {
            attempt.failed(now);
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
        let written: Vec<(&str, &String)> = responses
            .iter()
            .filter_map(|(key, value)| Some((key.strip_prefix("userAttributes.")?, value)))
            .collect();
        attributes::check_writes(
            &pool,
            Writer::App(&progress.client),
            Occasion::NewPassword,
            written.iter().map(|(name, _)| *name),
        )?;
        self.set_password(&pool, &mut progress.user, &password)?;
        for (name, value) in written {
            progress
                .user
                .attributes
                .insert(name.to_owned(), value.clone());
        }
        progress.user.status = UserStatus::Confirmed;
        progress.user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &progress.user)?;
        self.advance(progress, Stage::NewPassword)
    }
}
