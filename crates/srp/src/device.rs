//! Device registration: the device password and the `DeviceSecretVerifierConfig`
//! sent with ConfirmDevice.

#![forbid(unsafe_code)]

use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::Error;
use crate::client::RememberedDevice;
use crate::encoding::{WireInt, encode_base64};
use crate::protocol::Identity;

/// ConfirmDevice's `DeviceSecretVerifierConfig`: both values base64 of `pad()`ed
/// big-endian integers. Cognito reads them as signed, so a value whose top bit is set
/// carries a `00` sign byte; without it ConfirmDevice rejects the value as negative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSecretVerifierConfig {
    /// `PasswordVerifier`: base64(pad(g^x)).
    pub password_verifier: String,
    /// `Salt`: base64(pad(salt)).
    pub salt: String,
}

/// A freshly registered device: what to store, and what to send to ConfirmDevice.
#[derive(Clone, Debug)]
pub struct DeviceRegistration {
    /// Store this (it holds the device password) for later DEVICE_SRP_AUTH.
    pub device: RememberedDevice,
    /// Send this with ConfirmDevice.
    pub verifier_config: DeviceSecretVerifierConfig,
}

/// Registers a device Cognito returned in `NewDeviceMetadata`: a random device
/// password (40 bytes, base64) and a random 16-byte salt.
pub fn register_device(
    device_group_key: &str,
    device_key: &str,
) -> Result<DeviceRegistration, Error> {
    let mut password_bytes = Zeroizing::new([0u8; 40]);
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(password_bytes.as_mut()).map_err(|_| Error::Random)?;
    getrandom::fill(&mut salt_bytes).map_err(|_| Error::Random)?;
    Ok(register_device_with(
        device_group_key,
        device_key,
        &password_bytes,
        &salt_bytes,
    ))
}

/// [`register_device`] with caller-supplied randomness; for test vectors only.
pub fn register_device_with(
    device_group_key: &str,
    device_key: &str,
    password_bytes: &[u8; 40],
    salt_bytes: &[u8; 16],
) -> DeviceRegistration {
    let device_password = SecretString::from(encode_base64(password_bytes));
    let device = RememberedDevice::new(device_key, device_group_key, device_password);
    let salt = WireInt::from_unsigned_be(salt_bytes);
    let identity = Identity {
        realm: device_group_key,
        name: device_key,
    };
    let password = Zeroizing::new(encode_base64(password_bytes));
    let verifier = crate::server::PasswordVerifier::derive(identity, password.as_bytes(), salt);
    let verifier_config = DeviceSecretVerifierConfig {
        password_verifier: encode_base64(&verifier.verifier_bytes()),
        salt: encode_base64(&verifier.salt().pad()),
    };
    DeviceRegistration {
        device,
        verifier_config,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_registrations_differ_and_keep_the_password_out_of_debug() {
        let one = register_device("-ZhUnQ0bW", "us-east-1_device").unwrap();
        let two = register_device("-ZhUnQ0bW", "us-east-1_device").unwrap();
        assert_ne!(one.verifier_config, two.verifier_config);
        let shown = format!("{one:?}");
        use secrecy::ExposeSecret;
        assert!(!shown.contains(one.device.device_password().expose_secret()));
        assert_eq!(one.device.device_password().expose_secret().len(), 56);
    }
}
