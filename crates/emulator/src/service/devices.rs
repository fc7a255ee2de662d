//! Device operations: ConfirmDevice stores the device's SRP verifier; GetDevice,
//! ListDevices, UpdateDeviceStatus and ForgetDevice act for the signed-in user.

use cognito_auth_srp::{DeviceSecretVerifierConfig, Error as SrpError, PasswordVerifier};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Service, parse};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{Device, Pool, User};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeviceInput {
    #[serde(default)]
    access_token: Option<String>,
    device_key: String,
}

impl Service {
    /// The signed-in user's device `key`, or `Device does not exist.`.
    fn own_device(&self, access_token: Option<&str>, key: &str) -> ApiResult<(Pool, User, Device)> {
        let token = access_token.ok_or_else(|| ApiError::null_member("accessToken"))?;
        let (pool, user, _) = self.authenticate(token)?;
        let device = self
            .store
            .device(key)?
            .filter(|d| d.pool_id == pool.id.as_str() && d.username == user.username)
            .ok_or_else(|| ApiError::resource_not_found("Device does not exist."))?;
        Ok((pool, user, device))
    }

    pub(super) fn confirm_device(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Config {
            password_verifier: String,
            salt: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
            device_key: String,
            #[serde(default)]
            device_secret_verifier_config: Option<Config>,
            #[serde(default)]
            device_name: Option<String>,
        }
        let input: Input = parse(input)?;
        let (pool, _, mut device) =
            self.own_device(Some(&input.access_token), &input.device_key)?;
        let config = input
            .device_secret_verifier_config
            .ok_or_else(|| ApiError::missing_parameter("DeviceSecretVerifierConfig"))?;
        if config.password_verifier.len() > 131_072 || config.salt.len() > 131_072 {
            return Err(ApiError::invalid_parameter(
                "DeviceSecretVerifierConfig is too long",
            ));
        }
        let mut verifier = PasswordVerifier::from_device_config(&DeviceSecretVerifierConfig {
            password_verifier: config.password_verifier,
            salt: config.salt,
        })
        .map_err(|error| match error {
            // v ≡ 0 (mod N) would let any proof pass without the device password.
            SrpError::IllegalVerifier => ApiError::invalid_parameter(
                "Invalid DeviceSecretVerifierConfig: PasswordVerifier must not be a multiple of the SRP group modulus",
            ),
            other => {
                ApiError::invalid_parameter(format!("Invalid DeviceSecretVerifierConfig: {other}"))
            }
        })?;
        let prompt = pool
            .device_configuration
            .as_ref()
            .is_some_and(|c| c.device_only_remembered_on_user_prompt);
        verifier.precompute();
        device.salt = verifier.salt_bytes();
        device.verifier = verifier.verifier_bytes();
        device.verifier_powers = verifier.precomputed_bytes().unwrap_or_default();
        device.confirmed = true;
        device.name = input.device_name.or(device.name);
        device.remembered_status = if prompt {
            "not_remembered"
        } else {
            "remembered"
        }
        .into();
        device.last_modified = ids::now();
        self.store.put_device(&device)?;
        Ok(json!({ "UserConfirmationNecessary": prompt }))
    }

    pub(super) fn get_device(&self, input: Value) -> ApiResult<Value> {
        let input: DeviceInput = parse(input)?;
        let (_, _, device) = self.own_device(input.access_token.as_deref(), &input.device_key)?;
        Ok(json!({ "Device": device.to_wire() }))
    }

    pub(super) fn list_devices(&self, input: Value) -> ApiResult<Value> {
        let (pool, user, _) = self.authenticate_input(input)?;
        let devices: Vec<Value> = self
            .store
            .devices(pool.id.as_str(), &user.username)?
            .iter()
            .filter(|d| d.confirmed)
            .map(Device::to_wire)
            .collect();
        Ok(json!({ "Devices": devices }))
    }

    pub(super) fn update_device_status(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            device_remembered_status: Option<String>,
        }
        let target: DeviceInput = parse(input.clone())?;
        let input: Input = parse(input)?;
        let (_, _, mut device) =
            self.own_device(target.access_token.as_deref(), &target.device_key)?;
        let status = input.device_remembered_status.unwrap_or_default();
        if !matches!(status.as_str(), "remembered" | "not_remembered") {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]",
            ));
        }
        device.remembered_status = status;
        device.last_modified = ids::now();
        self.store.put_device(&device)?;
        Ok(json!({}))
    }

    pub(super) fn forget_device(&self, input: Value) -> ApiResult<Value> {
        let input: DeviceInput = parse(input)?;
        let (_, _, device) = self.own_device(input.access_token.as_deref(), &input.device_key)?;
        self.store.delete_device(&device.device_key)?;
        Ok(json!({}))
    }
}
