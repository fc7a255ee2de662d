//! Pools, app clients and users: the administrative operations and sign-up.

use std::collections::BTreeMap;

use cognito_auth_srp::{PasswordVerifier, PoolId};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Service, parse, same_secret};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::model::{AppClient, DeviceConfiguration, MfaSettings, Pool, User, UserStatus};
use crate::outbox::Message;
use crate::tokens;

/// Region used when a request does not say (unsigned or anonymous requests).
pub const DEFAULT_REGION: &str = "us-east-1";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeInput {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeviceConfigurationInput {
    #[serde(default)]
    pub challenge_required_on_new_device: bool,
    #[serde(default)]
    pub device_only_remembered_on_user_prompt: bool,
}

/// CreateUserPool's input (also what a seed file gives).
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateUserPoolInput {
    pub pool_name: String,
    #[serde(default)]
    pub username_attributes: Vec<String>,
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    #[serde(default)]
    pub mfa_configuration: Option<String>,
    #[serde(default)]
    pub device_configuration: Option<DeviceConfigurationInput>,
    #[serde(default)]
    pub lambda_config: Option<Value>,
    #[serde(default)]
    pub policies: Option<Value>,
}

fn check_attribute_names(names: &[String], what: &str) -> ApiResult<()> {
    for name in names {
        if !matches!(
            name.as_str(),
            "email" | "phone_number" | "preferred_username"
        ) {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid {what}: {name}"
            )));
        }
    }
    Ok(())
}

fn check_mfa_configuration(value: &str) -> ApiResult<()> {
    if matches!(value, "OFF" | "ON" | "OPTIONAL") {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{value}' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
        )))
    }
}

fn first_factors(policies: &Value) -> Vec<String> {
    policies
        .pointer("/SignInPolicy/AllowedFirstAuthFactors")
        .and_then(Value::as_array)
        .map(|factors| {
            factors
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_else(|| vec!["PASSWORD".to_owned()])
}

fn seconds(value: Option<i64>, unit: Option<&str>, default_unit: &str) -> ApiResult<i64> {
    let Some(value) = value else {
        return Ok(match default_unit {
            "days" => 30 * 86_400,
            _ => 3_600,
        });
    };
    let per_unit = match unit.unwrap_or(default_unit) {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3_600,
        "days" => 86_400,
        other => {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid token validity unit: {other}"
            )));
        }
    };
    if value < 0 {
        return Err(ApiError::invalid_parameter(
            "Token validity must not be negative",
        ));
    }
    value
        .checked_mul(per_unit)
        .ok_or_else(|| ApiError::invalid_parameter("Token validity is out of range"))
}

fn pool_to_wire(pool: &Pool, user_count: i64) -> Value {
    let mut wire = json!({
        "Id": pool.id,
        "Name": pool.name,
        "Arn": format!("arn:aws:cognito-idp:{}:000000000000:userpool/{}", pool.region(), pool.id),
        "MfaConfiguration": pool.mfa_configuration,
        "CreationDate": pool.created,
        "LastModifiedDate": pool.last_modified,
        "EstimatedNumberOfUsers": user_count,
        "UserPoolTier": "ESSENTIALS",
    });
    if !pool.username_attributes.is_empty() {
        wire["UsernameAttributes"] = json!(pool.username_attributes);
    }
    if !pool.alias_attributes.is_empty() {
        wire["AliasAttributes"] = json!(pool.alias_attributes);
    }
    if !pool.auto_verified_attributes.is_empty() {
        wire["AutoVerifiedAttributes"] = json!(pool.auto_verified_attributes);
    }
    if let Some(devices) = &pool.device_configuration {
        wire["DeviceConfiguration"] = json!({
            "ChallengeRequiredOnNewDevice": devices.challenge_required_on_new_device,
            "DeviceOnlyRememberedOnUserPrompt": devices.device_only_remembered_on_user_prompt,
        });
    }
    if pool.lambda_config.is_object() {
        wire["LambdaConfig"] = pool.lambda_config.clone();
    }
    if pool.policies.is_object() {
        wire["Policies"] = pool.policies.clone();
    }
    wire
}

fn client_to_wire(client: &AppClient) -> Value {
    let mut wire = json!({
        "UserPoolId": client.pool_id,
        "ClientName": client.client_name,
        "ClientId": client.client_id,
        "CreationDate": client.created,
        "LastModifiedDate": client.last_modified,
        "ExplicitAuthFlows": client.explicit_auth_flows,
        "PreventUserExistenceErrors": client.prevent_user_existence_errors,
        "EnableTokenRevocation": client.enable_token_revocation,
        "AuthSessionValidity": client.auth_session_validity_minutes,
    });
    if let Some(secret) = &client.client_secret {
        wire["ClientSecret"] = json!(secret);
    }
    if let Some(echo) = client.validity_echo.as_object() {
        for (key, value) in echo {
            wire[key.as_str()] = value.clone();
        }
    }
    wire
}

fn user_to_wire(user: &User) -> Value {
    json!({
        "Username": user.username,
        "Attributes": user.attribute_list(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.last_modified,
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

/// Masks an address the way Cognito shows CodeDeliveryDetails.Destination.
pub(crate) fn mask_destination(destination: &str) -> String {
    match destination.split_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().unwrap_or('*');
            format!("{first}***@{domain}")
        }
        None => {
            let tail: String = destination
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("+*******{tail}")
        }
    }
}

impl Service {
    /// Creates a pool; `fixed_id` lets a seed file choose the id.
    pub(crate) fn create_pool_record(
        &self,
        input: CreateUserPoolInput,
        region: &str,
        fixed_id: Option<String>,
    ) -> ApiResult<Pool> {
        if input.pool_name.is_empty() || input.pool_name.len() > 128 {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'poolName' failed to satisfy constraint: Member must have length between 1 and 128",
            ));
        }
        check_attribute_names(&input.username_attributes, "UsernameAttributes")?;
        check_attribute_names(&input.alias_attributes, "AliasAttributes")?;
        if !input.username_attributes.is_empty() && !input.alias_attributes.is_empty() {
            return Err(ApiError::invalid_parameter(
                "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool",
            ));
        }
        let mfa = input.mfa_configuration.unwrap_or_else(|| "OFF".into());
        check_mfa_configuration(&mfa)?;
        let id = match fixed_id {
            Some(id) => {
                PoolId::parse(&id)
                    .map_err(|_| ApiError::invalid_parameter(format!("Invalid pool id {id}")))?;
                id
            }
            None => ids::pool_id(region),
        };
        let policies = input.policies.unwrap_or(Value::Null);
        let now = ids::now();
        let pool = Pool {
            id,
            name: input.pool_name,
            username_attributes: input.username_attributes,
            alias_attributes: input.alias_attributes,
            auto_verified_attributes: input.auto_verified_attributes,
            mfa_configuration: mfa,
            device_configuration: input.device_configuration.map(|d| DeviceConfiguration {
                challenge_required_on_new_device: d.challenge_required_on_new_device,
                device_only_remembered_on_user_prompt: d.device_only_remembered_on_user_prompt,
            }),
            lambda_config: input.lambda_config.unwrap_or(Value::Null),
            allowed_first_auth_factors: first_factors(&policies),
            policies,
            created: now,
            last_modified: now,
        };
        // Keys first: a pool is never visible without them.
        self.store
            .put_key(&pool.id, "id", &tokens::generate_key()?)?;
        self.store
            .put_key(&pool.id, "access", &tokens::generate_key()?)?;
        self.store.put_pool(&pool)?;
        Ok(pool)
    }

    pub(super) fn create_user_pool(&self, input: Value, region: &str) -> ApiResult<Value> {
        let input: CreateUserPoolInput = parse(input)?;
        let pool = self.create_pool_record(input, region, None)?;
        Ok(json!({ "UserPool": pool_to_wire(&pool, 0) }))
    }

    pub(super) fn describe_user_pool(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
        }
        let input: Input = parse(input)?;
        let pool = self.pool(&input.user_pool_id)?;
        let count = self.store.user_count(&pool.id)?;
        Ok(json!({ "UserPool": pool_to_wire(&pool, count) }))
    }

    pub(super) fn update_user_pool(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            #[serde(default)]
            mfa_configuration: Option<String>,
            #[serde(default)]
            device_configuration: Option<DeviceConfigurationInput>,
            #[serde(default)]
            lambda_config: Option<Value>,
            #[serde(default)]
            policies: Option<Value>,
            #[serde(default)]
            auto_verified_attributes: Option<Vec<String>>,
        }
        let input: Input = parse(input)?;
        let mut pool = self.pool(&input.user_pool_id)?;
        // UpdateUserPool resets what it is not given, as Cognito documents; the
        // emulator follows that for MFA and devices, the settings it acts on.
        let mfa = input.mfa_configuration.unwrap_or_else(|| "OFF".into());
        check_mfa_configuration(&mfa)?;
        pool.mfa_configuration = mfa;
        pool.device_configuration = input.device_configuration.map(|d| DeviceConfiguration {
            challenge_required_on_new_device: d.challenge_required_on_new_device,
            device_only_remembered_on_user_prompt: d.device_only_remembered_on_user_prompt,
        });
        if let Some(lambda) = input.lambda_config {
            pool.lambda_config = lambda;
        }
        if let Some(policies) = input.policies {
            pool.allowed_first_auth_factors = first_factors(&policies);
            pool.policies = policies;
        }
        if let Some(auto) = input.auto_verified_attributes {
            pool.auto_verified_attributes = auto;
        }
        pool.last_modified = ids::now();
        self.store.put_pool(&pool)?;
        Ok(json!({}))
    }

    /// Creates an app client; a seed file may fix its id and secret.
    pub(crate) fn create_client_record(
        &self,
        input: Value,
        fixed: Option<(String, Option<String>)>,
    ) -> ApiResult<AppClient> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Units {
            #[serde(default)]
            access_token: Option<String>,
            #[serde(default)]
            id_token: Option<String>,
            #[serde(default)]
            refresh_token: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            client_name: String,
            #[serde(default)]
            generate_secret: bool,
            #[serde(default)]
            explicit_auth_flows: Option<Vec<String>>,
            #[serde(default)]
            access_token_validity: Option<i64>,
            #[serde(default)]
            id_token_validity: Option<i64>,
            #[serde(default)]
            refresh_token_validity: Option<i64>,
            #[serde(default)]
            token_validity_units: Option<Units>,
            #[serde(default)]
            prevent_user_existence_errors: Option<String>,
            #[serde(default)]
            auth_session_validity: Option<i64>,
            #[serde(default)]
            enable_token_revocation: Option<bool>,
            #[serde(default)]
            refresh_token_rotation: Option<Value>,
        }
        let echo_source = input.clone();
        let input: Input = parse(input)?;
        let pool = self.pool(&input.user_pool_id)?;
        const FLOWS: [&str; 12] = [
            "ADMIN_NO_SRP_AUTH",
            "CUSTOM_AUTH_FLOW_ONLY",
            "USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_AUTH",
            "ALLOW_TOKEN_EXCHANGE_DELEGATION",
            "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
            "USER_SRP_AUTH",
        ];
        let flows = match input.explicit_auth_flows {
            Some(flows) if !flows.is_empty() => flows,
            _ => vec![
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_CUSTOM_AUTH".into(),
            ],
        };
        if let Some(bad) = flows.iter().find(|f| !FLOWS.contains(&f.as_str())) {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '[{bad}]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy enum value set"
            )));
        }
        let prevent = input
            .prevent_user_existence_errors
            .unwrap_or_else(|| "LEGACY".into());
        if !matches!(prevent.as_str(), "LEGACY" | "ENABLED") {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid PreventUserExistenceErrors: {prevent}"
            )));
        }
        let session_minutes = input.auth_session_validity.unwrap_or(3);
        if !(3..=15).contains(&session_minutes) {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'authSessionValidity' failed to satisfy constraint: Member must have value between 3 and 15",
            ));
        }
        let units = input.token_validity_units;
        let unit =
            |pick: fn(&Units) -> Option<&String>| units.as_ref().and_then(pick).map(String::as_str);
        let access = seconds(
            input.access_token_validity,
            unit(|u| u.access_token.as_ref()),
            "hours",
        )?;
        let id_token = seconds(
            input.id_token_validity,
            unit(|u| u.id_token.as_ref()),
            "hours",
        )?;
        let refresh = seconds(
            input.refresh_token_validity.filter(|v| *v != 0),
            unit(|u| u.refresh_token.as_ref()),
            "days",
        )?;
        if !(300..=86_400).contains(&access) || !(300..=86_400).contains(&id_token) {
            return Err(ApiError::invalid_parameter(
                "Access and ID token validity must be between 5 minutes and 1 day",
            ));
        }
        if !(3_600..=315_360_000).contains(&refresh) {
            return Err(ApiError::invalid_parameter(
                "Refresh token validity must be between 60 minutes and 10 years",
            ));
        }
        let mut echo = serde_json::Map::new();
        for key in [
            "AccessTokenValidity",
            "IdTokenValidity",
            "RefreshTokenValidity",
            "TokenValidityUnits",
        ] {
            if let Some(value) = echo_source.get(key) {
                echo.insert(key.into(), value.clone());
            }
        }
        if !echo.contains_key("RefreshTokenValidity") {
            echo.insert("RefreshTokenValidity".into(), json!(30));
        }
        let (client_id, client_secret) = match fixed {
            Some((id, secret)) => (id, secret),
            None => (
                ids::client_id(),
                input.generate_secret.then(ids::client_secret),
            ),
        };
        let now = ids::now();
        let client = AppClient {
            client_id,
            pool_id: pool.id,
            client_name: input.client_name,
            client_secret,
            explicit_auth_flows: flows,
            access_token_seconds: access,
            id_token_seconds: id_token,
            refresh_token_seconds: refresh,
            validity_echo: Value::Object(echo),
            prevent_user_existence_errors: prevent,
            auth_session_validity_minutes: session_minutes,
            enable_token_revocation: input.enable_token_revocation.unwrap_or(true),
            refresh_token_rotation: input
                .refresh_token_rotation
                .as_ref()
                .and_then(|r| r.get("Feature"))
                .and_then(Value::as_str)
                == Some("ENABLED"),
            created: now,
            last_modified: now,
        };
        self.store.put_client(&client)?;
        Ok(client)
    }

    pub(super) fn create_user_pool_client(&self, input: Value) -> ApiResult<Value> {
        let client = self.create_client_record(input, None)?;
        Ok(json!({ "UserPoolClient": client_to_wire(&client) }))
    }

    pub(super) fn describe_user_pool_client(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            client_id: String,
        }
        let input: Input = parse(input)?;
        let client = self.client(&input.client_id)?;
        if client.pool_id != input.user_pool_id {
            return Err(ApiError::resource_not_found(format!(
                "User pool client {} does not exist.",
                input.client_id
            )));
        }
        Ok(json!({ "UserPoolClient": client_to_wire(&client) }))
    }

    /// Stores a new salt and verifier for `password`, after the pool's policy.
    pub(crate) fn set_password(
        &self,
        pool: &Pool,
        user: &mut User,
        password: &SecretString,
    ) -> ApiResult<()> {
        use secrecy::ExposeSecret;
        let min_length = pool
            .policies
            .pointer("/PasswordPolicy/MinimumLength")
            .and_then(Value::as_u64)
            .unwrap_or(8);
        let length = u64::try_from(password.expose_secret().chars().count()).unwrap_or(u64::MAX);
        if length < min_length {
            return Err(ApiError::new(
                ErrorKind::InvalidPassword,
                "Password did not conform with policy: Password not long enough",
            ));
        }
        if length > 256 {
            return Err(ApiError::new(
                ErrorKind::InvalidPassword,
                "Password did not conform with policy: Password too long",
            ));
        }
        let pool_id = PoolId::parse(&pool.id)
            .map_err(|_| ApiError::internal("stored pool id is malformed"))?;
        let verifier = PasswordVerifier::for_user(&pool_id, &user.username, password)
            .map_err(|_| ApiError::internal("random source failed"))?;
        user.salt = verifier.salt_bytes();
        user.verifier = verifier.verifier_bytes();
        Ok(())
    }

    /// Whether `password` is the user's, by recomputing the verifier with the
    /// stored salt: the password itself is never stored.
    pub(crate) fn password_matches(
        &self,
        pool: &Pool,
        user: &User,
        password: &SecretString,
    ) -> bool {
        if user.salt.is_empty() {
            return false;
        }
        let Ok(pool_id) = PoolId::parse(&pool.id) else {
            return false;
        };
        let Ok(stored) = PasswordVerifier::from_signed_bytes(&user.salt, &user.verifier) else {
            return false;
        };
        let candidate = PasswordVerifier::for_user_with_salt(
            &pool_id,
            &user.username,
            password,
            stored.salt().clone(),
        );
        let (a, b) = (candidate.verifier_bytes(), stored.verifier_bytes());
        a.len() == b.len() && bool::from(subtle::ConstantTimeEq::ct_eq(a.as_slice(), b.as_slice()))
    }

    /// A new user record: the internal name is the sub when the pool signs in
    /// by email, else the given name.
    fn new_user(
        &self,
        pool: &Pool,
        username: &str,
        attributes: Vec<AttributeInput>,
        status: UserStatus,
    ) -> ApiResult<User> {
        if username.is_empty() || username.len() > 128 || username.chars().any(char::is_whitespace)
        {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            ));
        }
        let sub = ids::uuid();
        let mut attrs: BTreeMap<String, String> = BTreeMap::new();
        for attribute in attributes {
            if attribute.name == "sub" {
                continue;
            }
            attrs.insert(attribute.name, attribute.value.unwrap_or_default());
        }
        let internal = if pool.email_is_username() {
            if !username.contains('@') {
                return Err(ApiError::invalid_parameter("Username should be an email."));
            }
            attrs.insert("email".into(), username.to_owned());
            if self.store.user_by_email(&pool.id, username)?.is_some() {
                return Err(ApiError::new(
                    ErrorKind::UsernameExists,
                    "An account with the given email already exists.",
                ));
            }
            sub.clone()
        } else {
            if self.store.user(&pool.id, username)?.is_some() {
                return Err(ApiError::new(
                    ErrorKind::UsernameExists,
                    "User account already exists",
                ));
            }
            username.to_owned()
        };
        let now = ids::now();
        Ok(User {
            username: internal,
            sub,
            attributes: attrs,
            status,
            enabled: true,
            salt: Vec::new(),
            verifier: Vec::new(),
            mfa: MfaSettings::default(),
            confirmation_code: None,
            created: now,
            last_modified: now,
        })
    }

    pub(super) fn sign_up(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            client_id: String,
            #[serde(default)]
            secret_hash: Option<String>,
            username: String,
            password: Option<String>,
            #[serde(default)]
            user_attributes: Vec<AttributeInput>,
        }
        let input: Input = parse(input)?;
        let client = self.client(&input.client_id)?;
        Self::check_secret_hash(&client, &input.username, input.secret_hash.as_deref())?;
        let pool = self.pool(&client.pool_id)?;
        let mut user = self.new_user(
            &pool,
            &input.username,
            input.user_attributes,
            UserStatus::Unconfirmed,
        )?;
        let password = SecretString::from(input.password.unwrap_or_default());
        self.set_password(&pool, &mut user, &password)?;
        let code = ids::numeric_code();
        user.confirmation_code = Some(code.clone());
        let (medium, destination) = match (user.email(), user.attributes.get("phone_number")) {
            (Some(email), _) => ("EMAIL", email.to_owned()),
            (None, Some(phone)) => ("SMS", phone.clone()),
            (None, None) => ("EMAIL", user.username.clone()),
        };
        self.store.insert_user(&pool.id, &user)?;
        self.outbox.send(Message {
            pool_id: pool.id.clone(),
            username: user.username.clone(),
            medium: medium.into(),
            destination: destination.clone(),
            purpose: "SIGN_UP".into(),
            code,
            sent_at: ids::now(),
        });
        Ok(json!({
            "UserConfirmed": false,
            "UserSub": user.sub,
            "CodeDeliveryDetails": {
                "Destination": mask_destination(&destination),
                "DeliveryMedium": medium,
                "AttributeName": if medium == "EMAIL" { "email" } else { "phone_number" },
            },
        }))
    }

    pub(super) fn confirm_sign_up(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            client_id: String,
            #[serde(default)]
            secret_hash: Option<String>,
            username: String,
            confirmation_code: String,
        }
        let input: Input = parse(input)?;
        let client = self.client(&input.client_id)?;
        Self::check_secret_hash(&client, &input.username, input.secret_hash.as_deref())?;
        let pool = self.pool(&client.pool_id)?;
        let mut user = self.existing_user(&pool, &input.username)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ApiError::not_authorized(
                "User cannot be confirmed. Current status is CONFIRMED",
            ));
        }
        let matches = user
            .confirmation_code
            .as_deref()
            .is_some_and(|code| same_secret(code, &input.confirmation_code));
        if !matches {
            return Err(ApiError::new(
                ErrorKind::CodeMismatch,
                "Invalid verification code provided, please try again.",
            ));
        }
        self.confirm(&pool, &mut user)?;
        match self.sign_up_session(pool, client, user) {
            Some(session) => Ok(json!({ "Session": session })),
            None => Ok(json!({})),
        }
    }

    fn confirm(&self, pool: &Pool, user: &mut User) -> ApiResult<()> {
        user.status = UserStatus::Confirmed;
        user.confirmation_code = None;
        if pool.auto_verified_attributes.iter().any(|a| a == "email") && user.email().is_some() {
            user.attributes
                .insert("email_verified".into(), "true".into());
        }
        user.last_modified = ids::now();
        self.store.update_user(&pool.id, user)?;
        Ok(())
    }

    pub(super) fn admin_confirm_sign_up(&self, input: Value) -> ApiResult<Value> {
        let (pool, mut user) = self.admin_target(input)?;
        if user.status == UserStatus::Unconfirmed {
            self.confirm(&pool, &mut user)?;
        }
        Ok(json!({}))
    }

    /// Pool and user of an `Admin*` call (UserPoolId + Username).
    fn admin_target(&self, input: Value) -> ApiResult<(Pool, User)> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            username: String,
        }
        let input: Input = parse(input)?;
        let pool = self.pool(&input.user_pool_id)?;
        let user = self.existing_user(&pool, &input.username)?;
        Ok((pool, user))
    }

    /// Creates a user directly (AdminCreateUser, seed files).
    pub(crate) fn admin_create_user_record(
        &self,
        pool: &Pool,
        username: &str,
        attributes: Vec<AttributeInput>,
        password: Option<(&SecretString, bool)>,
    ) -> ApiResult<User> {
        let mut user =
            self.new_user(pool, username, attributes, UserStatus::ForceChangePassword)?;
        match password {
            Some((password, permanent)) => {
                self.set_password(pool, &mut user, password)?;
                if permanent {
                    user.status = UserStatus::Confirmed;
                }
            }
            None => {
                // Cognito mails a temporary password; ours goes to the outbox.
                let temporary = format!("Tmp-{}!a1", ids::numeric_code());
                self.set_password(pool, &mut user, &SecretString::from(temporary.clone()))?;
                self.outbox.send(Message {
                    pool_id: pool.id.clone(),
                    username: user.username.clone(),
                    medium: "EMAIL".into(),
                    destination: user.email().unwrap_or(&user.username).to_owned(),
                    purpose: "TEMPORARY_PASSWORD".into(),
                    code: temporary,
                    sent_at: ids::now(),
                });
            }
        }
        self.store.insert_user(&pool.id, &user)?;
        Ok(user)
    }

    /// Creates a user with a known password and status (seed files).
    pub(crate) fn seed_user(
        &self,
        pool: &Pool,
        username: &str,
        attributes: Value,
        password: &SecretString,
        status: UserStatus,
    ) -> ApiResult<()> {
        let attributes: Vec<AttributeInput> = parse(attributes)?;
        let mut user = self.new_user(pool, username, attributes, status)?;
        self.set_password(pool, &mut user, password)?;
        self.store.insert_user(&pool.id, &user)?;
        Ok(())
    }

    pub(super) fn admin_create_user(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            username: String,
            #[serde(default)]
            user_attributes: Vec<AttributeInput>,
            #[serde(default)]
            temporary_password: Option<String>,
        }
        let input: Input = parse(input)?;
        let pool = self.pool(&input.user_pool_id)?;
        let temporary = input.temporary_password.map(SecretString::from);
        let user = self.admin_create_user_record(
            &pool,
            &input.username,
            input.user_attributes,
            temporary.as_ref().map(|p| (p, false)),
        )?;
        Ok(json!({ "User": user_to_wire(&user) }))
    }

    pub(super) fn admin_set_user_password(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            password: String,
            #[serde(default)]
            permanent: bool,
        }
        let (pool, mut user) = self.admin_target(input.clone())?;
        let input: Input = parse(input)?;
        self.set_password(&pool, &mut user, &SecretString::from(input.password))?;
        user.status = if input.permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        user.last_modified = ids::now();
        self.store.update_user(&pool.id, &user)?;
        Ok(json!({}))
    }

    pub(super) fn admin_get_user(&self, input: Value) -> ApiResult<Value> {
        let (_, user) = self.admin_target(input)?;
        let mut wire = json!({
            "Username": user.username,
            "UserAttributes": user.attribute_list(),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.last_modified,
            "Enabled": user.enabled,
            "UserStatus": user.status.as_str(),
        });
        add_mfa_fields(&mut wire, &user);
        Ok(wire)
    }

    pub(super) fn admin_delete_user(&self, input: Value) -> ApiResult<Value> {
        let (pool, user) = self.admin_target(input)?;
        self.store.delete_user(&pool.id, &user.username)?;
        Ok(json!({}))
    }

    pub(super) fn admin_set_enabled(&self, input: Value, enabled: bool) -> ApiResult<Value> {
        let (pool, mut user) = self.admin_target(input)?;
        user.enabled = enabled;
        user.last_modified = ids::now();
        self.store.update_user(&pool.id, &user)?;
        if !enabled {
            self.store.revoke_user(&pool.id, &user.username)?;
        }
        Ok(json!({}))
    }

    pub(super) fn admin_update_user_attributes(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_attributes: Vec<AttributeInput>,
        }
        let (pool, mut user) = self.admin_target(input.clone())?;
        let input: Input = parse(input)?;
        for attribute in input.user_attributes {
            if attribute.name == "sub" {
                return Err(ApiError::invalid_parameter(
                    "Cannot modify the non-mutable attribute sub",
                ));
            }
            user.attributes
                .insert(attribute.name, attribute.value.unwrap_or_default());
        }
        user.last_modified = ids::now();
        self.store.update_user(&pool.id, &user)?;
        Ok(json!({}))
    }
}

/// PreferredMfaSetting and UserMFASettingList, as AdminGetUser / GetUser show them.
pub(crate) fn add_mfa_fields(wire: &mut Value, user: &User) {
    let factors = user.mfa.enabled_factors();
    if !factors.is_empty() {
        wire["UserMFASettingList"] = json!(factors);
    }
    if let Some(preferred) = &user.mfa.preferred {
        wire["PreferredMfaSetting"] = json!(preferred);
    }
}
