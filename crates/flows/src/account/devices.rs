//! The user's devices in Cognito: ListDevices, UpdateDeviceStatus, ForgetDevice
//! (Amplify's `fetchDevices`, `rememberDevice`, `forgetDevice`). The local side,
//! the device's secret, is the [`crate::DeviceStore`].

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::types::{DeviceRememberedStatusType, DeviceType};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::{AuthApi, Error};

/// One of the user's devices as Cognito lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// `DeviceKey`.
    pub device_key: String,
    /// `DeviceAttributes` (`device_name`, `device_status`, ...).
    pub attributes: BTreeMap<String, String>,
    /// `DeviceCreateDate`, seconds since the epoch.
    pub created: Option<i64>,
    /// `DeviceLastModifiedDate`.
    pub last_modified: Option<i64>,
    /// `DeviceLastAuthenticatedDate`.
    pub last_authenticated: Option<i64>,
}

impl DeviceInfo {
    /// The `device_name` attribute (ConfirmDevice's DeviceName).
    pub fn name(&self) -> Option<&str> {
        self.attributes.get("device_name").map(String::as_str)
    }
}

impl From<&DeviceType> for DeviceInfo {
    fn from(device: &DeviceType) -> Self {
        Self {
            device_key: device.device_key().unwrap_or_default().to_owned(),
            attributes: device
                .device_attributes()
                .iter()
                .map(|a| {
                    (
                        a.name().to_owned(),
                        a.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            created: device.device_create_date().map(|t| t.secs()),
            last_modified: device.device_last_modified_date().map(|t| t.secs()),
            last_authenticated: device.device_last_authenticated_date().map(|t| t.secs()),
        }
    }
}

/// Cognito's most devices per ListDevices page.
const PAGE: i32 = 60;

impl AuthApi {
    /// ListDevices, every page.
    pub async fn list_devices(
        &self,
        access_token: &SecretString,
    ) -> Result<Vec<DeviceInfo>, Error> {
        let mut devices = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client()
                .list_devices()
                .access_token(access_token.expose_secret())
                .limit(PAGE)
                .set_pagination_token(token.take())
                .send()
                .await
                .map_err(Error::from_sdk)?;
            devices.extend(out.devices().iter().map(DeviceInfo::from));
            match out.pagination_token().filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(devices),
            }
        }
    }

    /// UpdateDeviceStatus: remembered (`true`) or not remembered.
    pub async fn update_device_status(
        &self,
        access_token: &SecretString,
        device_key: &str,
        remembered: bool,
    ) -> Result<(), Error> {
        let status = if remembered {
            DeviceRememberedStatusType::Remembered
        } else {
            DeviceRememberedStatusType::NotRemembered
        };
        self.client()
            .update_device_status()
            .access_token(access_token.expose_secret())
            .device_key(device_key)
            .device_remembered_status(status)
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(())
    }

    /// ForgetDevice in Cognito (the device store is the caller's to clear).
    pub async fn forget_device(
        &self,
        access_token: &SecretString,
        device_key: &str,
    ) -> Result<(), Error> {
        self.client()
            .forget_device()
            .access_token(access_token.expose_secret())
            .device_key(device_key)
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(())
    }
}
