//! The records the emulator keeps: user pools, app clients, users and devices.
//!
//! They are stored as JSON in SQLite (see `store`), so adding a field needs a
//! `#[serde(default)]`, never a migration.

use std::collections::BTreeMap;
use std::fmt;

use cognito_auth_srp::PoolId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A user pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pool {
    /// `<region>_<9 alphanumerics>`, parsed once: SRP hashes its name part.
    #[serde(with = "pool_id_text")]
    pub id: PoolId,
    /// The name given at CreateUserPool.
    pub name: String,
    /// `email` / `phone_number`: users sign in with these instead of a username,
    /// and their internal username is their `sub`.
    #[serde(default)]
    pub username_attributes: Vec<String>,
    /// Attributes that may stand in for the username once verified.
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// Attributes verified automatically (codes sent to the outbox).
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    /// `OFF`, `ON` or `OPTIONAL`.
    #[serde(default = "mfa_off")]
    pub mfa_configuration: String,
    /// Device tracking; `None` means devices are not tracked.
    #[serde(default)]
    pub device_configuration: Option<DeviceConfiguration>,
    /// The Lambda triggers as given (CreateUserPool / UpdateUserPool), echoed back.
    #[serde(default)]
    pub lambda_config: serde_json::Value,
    /// `Policies` as given, echoed back.
    #[serde(default)]
    pub policies: serde_json::Value,
    /// First-factor choices for USER_AUTH (`Policies.SignInPolicy`).
    #[serde(default)]
    pub allowed_first_auth_factors: Vec<String>,
    /// The `custom:` attributes the pool's Schema declares, each with whether it
    /// is Mutable (see `service::attributes`).
    #[serde(default)]
    pub custom_attributes: BTreeMap<String, bool>,
    /// Creation time, Unix seconds.
    pub created: i64,
    /// Last change, Unix seconds.
    pub last_modified: i64,
}

fn mfa_off() -> String {
    "OFF".into()
}

/// A pool id is stored as its text and parsed when read.
mod pool_id_text {
    use super::{Deserialize, Deserializer, PoolId, Serializer};

    pub fn serialize<S: Serializer>(id: &PoolId, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(id.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<PoolId, D::Error> {
        let text = String::deserialize(deserializer)?;
        PoolId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Pool {
    /// The region part of the id.
    pub fn region(&self) -> &str {
        self.id.region()
    }

    /// Whether users sign in with their email instead of a chosen username.
    pub fn email_is_username(&self) -> bool {
        self.username_attributes.iter().any(|a| a == "email")
    }

    /// Whether a verified email may stand in for the username.
    pub fn email_is_alias(&self) -> bool {
        self.alias_attributes.iter().any(|a| a == "email")
    }

    /// The token issuer, as Cognito names it.
    pub fn issuer(&self) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            self.region(),
            self.id
        )
    }
}

/// `DeviceConfiguration`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeviceConfiguration {
    /// Ask for MFA on a device not seen before.
    #[serde(default)]
    pub challenge_required_on_new_device: bool,
    /// Remember a device only when the user asks (UpdateDeviceStatus).
    #[serde(default)]
    pub device_only_remembered_on_user_prompt: bool,
}

/// An app client.
#[derive(Clone, Serialize, Deserialize)]
pub struct AppClient {
    /// Client id, 26 lowercase alphanumerics.
    pub client_id: String,
    /// The pool it belongs to.
    pub pool_id: String,
    /// ClientName.
    pub client_name: String,
    /// The secret, when created with GenerateSecret. Kept because SECRET_HASH is an
    /// HMAC keyed by it; shown by DescribeUserPoolClient as Cognito does, never in
    /// Debug output or logs.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// ExplicitAuthFlows as given (or Cognito's default).
    pub explicit_auth_flows: Vec<String>,
    /// Access token lifetime in seconds.
    pub access_token_seconds: i64,
    /// ID token lifetime in seconds.
    pub id_token_seconds: i64,
    /// Refresh token lifetime in seconds.
    pub refresh_token_seconds: i64,
    /// The validity values and units as given, echoed by DescribeUserPoolClient.
    #[serde(default)]
    pub validity_echo: serde_json::Value,
    /// `LEGACY` or `ENABLED`.
    pub prevent_user_existence_errors: String,
    /// Challenge session lifetime, minutes (3..=15).
    pub auth_session_validity_minutes: i64,
    /// EnableTokenRevocation.
    #[serde(default = "yes")]
    pub enable_token_revocation: bool,
    /// RefreshTokenRotation.Feature == ENABLED.
    #[serde(default)]
    pub refresh_token_rotation: bool,
    /// WriteAttributes as given; `None`: Cognito's default (every attribute of the
    /// schema except the `*_verified` flags).
    #[serde(default)]
    pub write_attributes: Option<Vec<String>>,
    /// Creation time.
    pub created: i64,
    /// Last change.
    pub last_modified: i64,
}

fn yes() -> bool {
    true
}

impl fmt::Debug for AppClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppClient")
            .field("client_id", &self.client_id)
            .field("pool_id", &self.pool_id)
            .field("has_secret", &self.client_secret.is_some())
            .field("explicit_auth_flows", &self.explicit_auth_flows)
            .finish_non_exhaustive()
    }
}

impl AppClient {
    /// Whether the client allows `flow` (an `ALLOW_*` name or its legacy spelling).
    pub fn allows(&self, flow: &str) -> bool {
        let legacy = match flow {
            "ALLOW_USER_PASSWORD_AUTH" => Some("USER_PASSWORD_AUTH"),
            "ALLOW_ADMIN_USER_PASSWORD_AUTH" => Some("ADMIN_NO_SRP_AUTH"),
            "ALLOW_CUSTOM_AUTH" => Some("CUSTOM_AUTH_FLOW_ONLY"),
            _ => None,
        };
        self.explicit_auth_flows
            .iter()
            .any(|f| f == flow || Some(f.as_str()) == legacy)
    }
}

/// A user's state, as Cognito names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum UserStatus {
    #[serde(rename = "UNCONFIRMED")]
    Unconfirmed,
    #[serde(rename = "CONFIRMED")]
    Confirmed,
    #[serde(rename = "FORCE_CHANGE_PASSWORD")]
    ForceChangePassword,
    #[serde(rename = "RESET_REQUIRED")]
    ResetRequired,
}

impl UserStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
        }
    }
}

/// A user. The password is kept only as an SRP salt and verifier.
#[derive(Clone, Serialize, Deserialize)]
pub struct User {
    /// The internal username: USER_ID_FOR_SRP, `cognito:username`. The `sub` in
    /// pools whose username attribute is email.
    pub username: String,
    /// The immutable UUID.
    pub sub: String,
    /// Attributes other than `sub`.
    pub attributes: BTreeMap<String, String>,
    /// State.
    pub status: UserStatus,
    /// AdminDisableUser clears this.
    pub enabled: bool,
    /// pad(salt), empty when the user has no password yet.
    #[serde(default, with = "crate::stored_bytes")]
    pub salt: Vec<u8>,
    /// pad(v).
    #[serde(default, with = "crate::stored_bytes")]
    pub verifier: Vec<u8>,
    /// v^(2^64), v^(2^128), v^(2^192) (`PasswordVerifier::precomputed_bytes`), made
    /// when the password is set so that each login's v^u is cheap; empty in records
    /// written before, which sign in the slower way.
    #[serde(
        default,
        with = "crate::stored_bytes",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub verifier_powers: Vec<u8>,
    /// MFA settings.
    #[serde(default)]
    pub mfa: MfaSettings,
    /// A pending sign-up confirmation code.
    #[serde(default)]
    pub confirmation_code: Option<crate::codes::OneTimeCode>,
    /// A pending forgot-password code (ForgotPassword, AdminResetUserPassword).
    #[serde(default)]
    pub recovery_code: Option<crate::codes::OneTimeCode>,
    /// Pending attribute verification codes (GetUserAttributeVerificationCode),
    /// by attribute name.
    #[serde(default)]
    pub verification_codes: BTreeMap<String, crate::codes::OneTimeCode>,
    /// Creation time.
    pub created: i64,
    /// Last change.
    pub last_modified: i64,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("username", &self.username)
            .field("sub", &self.sub)
            .field("status", &self.status)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl User {
    /// The email attribute, if any.
    pub fn email(&self) -> Option<&str> {
        self.attributes.get("email").map(String::as_str)
    }

    /// Whether the email is verified.
    pub fn email_verified(&self) -> bool {
        self.attributes
            .get("email_verified")
            .is_some_and(|v| v == "true")
    }

    /// Attributes as Cognito lists them, `sub` first.
    pub fn attribute_list(&self) -> Vec<serde_json::Value> {
        std::iter::once(("sub", self.sub.as_str()))
            .chain(
                self.attributes
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .map(|(name, value)| serde_json::json!({ "Name": name, "Value": value }))
            .collect()
    }
}

/// Per-user MFA state.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct MfaSettings {
    /// The TOTP secret (base32) from AssociateSoftwareToken; pending until verified.
    #[serde(default)]
    pub totp_secret: Option<String>,
    /// VerifySoftwareToken succeeded.
    #[serde(default)]
    pub totp_verified: bool,
    /// Wrong codes VerifySoftwareToken took for the pending secret.
    #[serde(default)]
    pub totp_wrong_answers: crate::codes::WrongAnswers,
    /// SMS MFA enabled.
    #[serde(default)]
    pub sms_enabled: bool,
    /// TOTP enabled.
    #[serde(default)]
    pub totp_enabled: bool,
    /// Email OTP enabled.
    #[serde(default)]
    pub email_enabled: bool,
    /// `SMS_MFA`, `SOFTWARE_TOKEN_MFA` or `EMAIL_OTP`.
    #[serde(default)]
    pub preferred: Option<String>,
}

impl fmt::Debug for MfaSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaSettings")
            .field("totp_verified", &self.totp_verified)
            .field("factors", &self.enabled_factors())
            .finish_non_exhaustive()
    }
}

impl MfaSettings {
    /// The enabled second factors, as challenge names.
    pub fn enabled_factors(&self) -> Vec<&'static str> {
        let mut factors = Vec::new();
        if self.sms_enabled {
            factors.push("SMS_MFA");
        }
        if self.totp_enabled && self.totp_verified {
            factors.push("SOFTWARE_TOKEN_MFA");
        }
        if self.email_enabled {
            factors.push("EMAIL_OTP");
        }
        factors
    }
}

/// A device a user signed in from.
#[derive(Clone, Serialize, Deserialize)]
pub struct Device {
    /// `<region>_<uuid>`.
    pub device_key: String,
    /// The user's device group key (the SRP realm).
    pub device_group_key: String,
    /// Pool.
    pub pool_id: String,
    /// Internal username.
    pub username: String,
    /// Set by ConfirmDevice.
    #[serde(default)]
    pub name: Option<String>,
    /// pad(salt) from ConfirmDevice.
    #[serde(default, with = "crate::stored_bytes")]
    pub salt: Vec<u8>,
    /// pad(v) from ConfirmDevice.
    #[serde(default, with = "crate::stored_bytes")]
    pub verifier: Vec<u8>,
    /// The verifier's powers, as for a user's.
    #[serde(
        default,
        with = "crate::stored_bytes",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub verifier_powers: Vec<u8>,
    /// ConfirmDevice happened.
    pub confirmed: bool,
    /// `remembered` or `not_remembered`.
    pub remembered_status: String,
    /// Creation time.
    pub created: i64,
    /// Last change.
    pub last_modified: i64,
    /// Last sign-in with it.
    pub last_authenticated: i64,
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("device_key", &self.device_key)
            .field("username", &self.username)
            .field("confirmed", &self.confirmed)
            .field("remembered_status", &self.remembered_status)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// The device as GetDevice / ListDevices show it.
    pub fn to_wire(&self) -> serde_json::Value {
        let mut attributes = vec![serde_json::json!({
            "Name": "device_status", "Value": self.remembered_status
        })];
        if let Some(name) = &self.name {
            attributes.push(serde_json::json!({ "Name": "device_name", "Value": name }));
        }
        serde_json::json!({
            "DeviceKey": self.device_key,
            "DeviceAttributes": attributes,
            "DeviceCreateDate": self.created,
            "DeviceLastModifiedDate": self.last_modified,
            "DeviceLastAuthenticatedDate": self.last_authenticated,
        })
    }
}

/// A refresh token's record; the token itself is kept only as a SHA-256 hash.
#[derive(Clone, Debug)]
pub struct RefreshRecord {
    /// Pool.
    pub pool_id: String,
    /// Client it was issued to.
    pub client_id: String,
    /// Internal username.
    pub username: String,
    /// Device it was issued to, when device tracking was on.
    pub device_key: Option<String>,
    /// The sign-in this token and its access tokens descend from.
    pub origin_jti: String,
    /// The original authentication time.
    pub auth_time: i64,
    /// Expiry, Unix seconds.
    pub expires: i64,
    /// RevokeToken, GlobalSignOut or rotation revoked it.
    pub revoked: bool,
}

/// A user-pool group (CreateGroup). Members are kept beside it in the store.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Group {
    /// GroupName, unique in its pool.
    pub name: String,
    /// The pool it belongs to.
    pub pool_id: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// RoleArn.
    #[serde(default)]
    pub role_arn: Option<String>,
    /// Precedence: the lower, the earlier in `cognito:groups`.
    #[serde(default)]
    pub precedence: Option<i64>,
    /// Creation time.
    pub created: i64,
    /// Last change.
    pub last_modified: i64,
}

impl Group {
    /// The group as CreateGroup, GetGroup and ListGroups show it.
    pub fn to_wire(&self) -> serde_json::Value {
        let mut wire = serde_json::json!({
            "GroupName": self.name,
            "UserPoolId": self.pool_id,
            "CreationDate": self.created,
            "LastModifiedDate": self.last_modified,
        });
        if let Some(description) = &self.description {
            wire["Description"] = serde_json::json!(description);
        }
        if let Some(role_arn) = &self.role_arn {
            wire["RoleArn"] = serde_json::json!(role_arn);
        }
        if let Some(precedence) = self.precedence {
            wire["Precedence"] = serde_json::json!(precedence);
        }
        wire
    }
}
