//! Pools and app clients: CreateUserPool, DescribeUserPool, UpdateUserPool,
//! CreateUserPoolClient, DescribeUserPoolClient, and their wire forms.

use cognito_auth_srp::PoolId;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Service, parse};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, DeviceConfiguration, Pool};

/// Region used when a request does not say (unsigned or anonymous requests).
pub const DEFAULT_REGION: &str = "us-east-1";
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
    #[serde(default)]
    pub schema: Option<Vec<super::attributes::SchemaAttributeInput>>,
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
        "Id": pool.id.as_str(),
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
    if let Some(write) = &client.write_attributes {
        wire["WriteAttributes"] = json!(write);
    }
    if let Some(echo) = client.validity_echo.as_object() {
        for (key, value) in echo {
            wire[key.as_str()] = value.clone();
        }
    }
    wire
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
            Some(id) => PoolId::parse(&id)
                .map_err(|_| ApiError::invalid_parameter(format!("Invalid pool id {id}")))?,
            None => {
                let id = ids::pool_id(region);
                PoolId::parse(&id).map_err(|_| ApiError::invalid_parameter("Invalid region"))?
            }
        };
        let policies = input.policies.unwrap_or(Value::Null);
        let custom_attributes =
            super::attributes::declared_custom_attributes(input.schema.as_deref().unwrap_or(&[]))?;
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
            custom_attributes,
            created: now,
            last_modified: now,
        };
        // Keys first: a pool is never visible without them.
        self.store
            .put_key(pool.id.as_str(), "id", &self.new_signing_key()?)?;
        self.store
            .put_key(pool.id.as_str(), "access", &self.new_signing_key()?)?;
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
        let count = self.store.user_count(pool.id.as_str())?;
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
            #[serde(default)]
            write_attributes: Option<Vec<String>>,
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
        if let Some(names) = &input.write_attributes {
            super::attributes::check_client_write_attributes(&pool, names)?;
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
            pool_id: pool.id.to_string(),
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
            write_attributes: input.write_attributes,
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
}
