//! What a finished sign-in or refresh gives back.

use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider::types::AuthenticationResultType;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::Error;

/// `NewDeviceMetadata`: Cognito started tracking this device at this sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDevice {
    /// `DeviceKey`, e.g. `us-east-1_0f5c…`.
    pub device_key: String,
    /// `DeviceGroupKey`.
    pub device_group_key: String,
}

/// Something that happened along the way that the caller may want to show or log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Notice {
    /// Cognito no longer knew the remembered device: it was removed from the device
    /// store and the request was repeated without it.
    DeviceForgotten {
        /// The stale DeviceKey.
        device_key: String,
    },
    /// The new device was confirmed (ConfirmDevice) and stored.
    DeviceConfirmed {
        /// The DeviceKey.
        device_key: String,
        /// `UserConfirmationNecessary` from ConfirmDevice: the pool remembers devices
        /// only when the user opts in.
        user_confirmation_necessary: bool,
        /// Whether UpdateDeviceStatus marked it remembered.
        remembered: bool,
    },
    /// Cognito returned NewDeviceMetadata but ConfirmDevice failed; the tokens are
    /// good, the device is not remembered.
    DeviceConfirmFailed {
        /// The DeviceKey.
        device_key: String,
        /// Why.
        reason: String,
    },
    /// The sign-in went through the remembered device (DEVICE_SRP_AUTH).
    DeviceAuthenticated {
        /// The DeviceKey.
        device_key: String,
    },
}

/// Tokens from a sign-in or a refresh.
///
/// The tokens are secrets: `Debug` shows none of them. They serialize (serde) so an
/// app can keep a session across restarts: the serialized form holds the tokens in
/// the clear, so store it as you would a password (see `TokenStore`). Notices are
/// about the call that produced the tokens and are not serialized.
#[derive(Clone)]
pub struct Tokens {
    pub(crate) access_token: SecretString,
    pub(crate) id_token: Option<SecretString>,
    pub(crate) refresh_token: Option<SecretString>,
    pub(crate) token_type: Option<String>,
    pub(crate) expires_in: Duration,
    pub(crate) expires_at: SystemTime,
    pub(crate) new_device: Option<NewDevice>,
    pub(crate) device_key: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) notices: Vec<Notice>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("expires_at", &self.expires_at)
            .field("has_id_token", &self.id_token.is_some())
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("new_device", &self.new_device)
            .field("device_key", &self.device_key)
            .field("username", &self.username)
            .field("notices", &self.notices)
            .finish_non_exhaustive()
    }
}

/// The serialized form of [`Tokens`]: times as Unix seconds, tokens as strings.
#[derive(Serialize, Deserialize)]
struct StoredTokens {
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_type: Option<String>,
    expires_in: u64,
    expires_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    new_device: Option<NewDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
}

impl Serialize for Tokens {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let expose =
            |token: &Option<SecretString>| token.as_ref().map(|t| t.expose_secret().to_owned());
        let stored = zeroize::Zeroizing::new(StoredTokens {
            access_token: self.access_token.expose_secret().to_owned(),
            id_token: expose(&self.id_token),
            refresh_token: expose(&self.refresh_token),
            token_type: self.token_type.clone(),
            expires_in: self.expires_in.as_secs(),
            expires_at: unix_seconds(self.expires_at),
            new_device: self.new_device.clone(),
            device_key: self.device_key.clone(),
            username: self.username.clone(),
        });
        stored.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Tokens {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = zeroize::Zeroizing::new(StoredTokens::deserialize(deserializer)?);
        let secret = |token: &Option<String>| token.as_deref().map(SecretString::from);
        Ok(Self {
            access_token: SecretString::from(stored.access_token.as_str()),
            id_token: secret(&stored.id_token),
            refresh_token: secret(&stored.refresh_token),
            token_type: stored.token_type.clone(),
            expires_in: Duration::from_secs(stored.expires_in),
            expires_at: SystemTime::UNIX_EPOCH
                .checked_add(Duration::from_secs(stored.expires_at))
                .ok_or_else(|| serde::de::Error::custom("expires_at is out of range"))?,
            new_device: stored.new_device.clone(),
            device_key: stored.device_key.clone(),
            username: stored.username.clone(),
            notices: Vec::new(),
        })
    }
}

impl zeroize::Zeroize for StoredTokens {
    fn zeroize(&mut self) {
        self.access_token.zeroize();
        self.id_token.zeroize();
        self.refresh_token.zeroize();
    }
}

fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl Tokens {
    /// Tokens from their parts, for tokens obtained elsewhere (another client, an
    /// older cache). `expires_at` is when the access and ID tokens expire; the
    /// username and device key default to the access token's `username` and
    /// `device_key` claims.
    pub fn new(
        access_token: SecretString,
        id_token: Option<SecretString>,
        refresh_token: Option<SecretString>,
        expires_at: SystemTime,
    ) -> Self {
        let claims = Claims::decode(access_token.expose_secret()).ok();
        let claim = |name: &str| claims.as_ref().and_then(|c| c.str(name)).map(str::to_owned);
        let expires_in = expires_at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        Self {
            username: claim("username"),
            device_key: claim("device_key"),
            access_token,
            id_token,
            refresh_token,
            token_type: Some("Bearer".to_owned()),
            expires_in,
            expires_at,
            new_device: None,
            notices: Vec::new(),
        }
    }

    /// The same tokens with another refresh token (REFRESH_TOKEN_AUTH without
    /// rotation returns none: the one that was used stays valid).
    pub fn with_refresh_token(mut self, refresh_token: SecretString) -> Self {
        self.refresh_token = Some(refresh_token);
        self
    }

    /// The tokens in an `AuthenticationResult`, expiring `ExpiresIn` from now; the
    /// caller fills in the username, device and notices.
    pub(crate) fn from_result(result: &AuthenticationResultType) -> Result<Self, Error> {
        let access_token = result.access_token().ok_or_else(|| Error::MalformedReply {
            detail: "AuthenticationResult without AccessToken".into(),
        })?;
        let expires_in = Duration::from_secs(u64::try_from(result.expires_in()).unwrap_or(0));
        Ok(Self {
            access_token: SecretString::from(access_token.to_owned()),
            id_token: result.id_token().map(|t| SecretString::from(t.to_owned())),
            refresh_token: result
                .refresh_token()
                .map(|t| SecretString::from(t.to_owned())),
            token_type: result.token_type().map(str::to_owned),
            expires_in,
            expires_at: SystemTime::now() + expires_in,
            new_device: result.new_device_metadata().and_then(|d| {
                Some(NewDevice {
                    device_key: d.device_key()?.to_owned(),
                    device_group_key: d.device_group_key()?.to_owned(),
                })
            }),
            device_key: None,
            username: None,
            notices: Vec::new(),
        })
    }

    /// The access token.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The ID token (absent only from odd servers).
    pub fn id_token(&self) -> Option<&SecretString> {
        self.id_token.as_ref()
    }

    /// The refresh token. After REFRESH_TOKEN_AUTH without rotation Cognito sends
    /// none; the one that was used is carried over.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// `TokenType`, normally `Bearer`.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// `ExpiresIn`: the access and ID tokens' lifetime.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// When the access and ID tokens expire (local clock at receipt + ExpiresIn).
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Whether the access token has expired, or will within `margin`.
    pub fn expires_within(&self, margin: Duration) -> bool {
        SystemTime::now() + margin >= self.expires_at
    }

    /// `NewDeviceMetadata`, when Cognito started tracking a device at this sign-in.
    pub fn new_device(&self) -> Option<&NewDevice> {
        self.new_device.as_ref()
    }

    /// The device these tokens were issued to: a remembered device used at sign-in,
    /// the new device, or the access token's `device_key` claim. Refresh sends it as
    /// DEVICE_KEY.
    pub fn device_key(&self) -> Option<&str> {
        self.device_key.as_deref()
    }

    /// The pool's internal username (what SECRET_HASH is computed over on refresh):
    /// the access token's `username` claim, else the last challenge's USERNAME.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// What happened along the way (a forgotten device, a confirmed device, ...).
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// Whether a stale remembered device was forgotten and the request repeated.
    pub fn device_was_forgotten(&self) -> bool {
        self.notices
            .iter()
            .any(|n| matches!(n, Notice::DeviceForgotten { .. }))
    }

    /// The access token's claims, decoded but **not verified**.
    pub fn access_claims(&self) -> Result<Claims, Error> {
        Claims::decode(self.access_token.expose_secret())
    }

    /// The ID token's claims, decoded but **not verified**.
    pub fn id_claims(&self) -> Result<Claims, Error> {
        let token = self
            .id_token
            .as_ref()
            .ok_or_else(|| Error::MalformedReply {
                detail: "no IdToken in the result".into(),
            })?;
        Claims::decode(token.expose_secret())
    }
}

/// A JWT's payload, decoded from base64url JSON. **Not verified**: anyone can make a
/// token with any claims. Use it to read your own fresh tokens (username, expiry,
/// groups); use the `verify` feature to check a token you were handed.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims(pub serde_json::Map<String, serde_json::Value>);

impl Claims {
    /// Decodes the payload (second part) of a compact JWS.
    pub fn decode(token: &str) -> Result<Self, Error> {
        let malformed = |detail: &str| Error::MalformedReply {
            detail: format!("token is not a JWT: {detail}"),
        };
        let mut parts = token.split('.');
        let (Some(_header), Some(payload), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("expected three dot-separated parts"));
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| malformed("payload is not base64url"))?;
        match serde_json::from_slice(&bytes) {
            Ok(serde_json::Value::Object(map)) => Ok(Self(map)),
            _ => Err(malformed("payload is not a JSON object")),
        }
    }

    /// A string claim.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(serde_json::Value::as_str)
    }

    /// An integer claim.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(serde_json::Value::as_i64)
    }

    /// `sub`.
    pub fn sub(&self) -> Option<&str> {
        self.str("sub")
    }

    /// `token_use`: `id` or `access`.
    pub fn token_use(&self) -> Option<&str> {
        self.str("token_use")
    }

    /// The internal username: `username` (access) or `cognito:username` (id).
    pub fn username(&self) -> Option<&str> {
        self.str("username")
            .or_else(|| self.str("cognito:username"))
    }

    /// `iss`.
    pub fn issuer(&self) -> Option<&str> {
        self.str("iss")
    }

    /// `client_id` (access token) or `aud` (ID token).
    pub fn client_id(&self) -> Option<&str> {
        self.str("client_id").or_else(|| self.str("aud"))
    }

    /// `device_key` (access token, with device tracking).
    pub fn device_key(&self) -> Option<&str> {
        self.str("device_key")
    }

    /// `exp` as an instant.
    pub fn expires_at(&self) -> Option<SystemTime> {
        let exp = u64::try_from(self.int("exp")?).ok()?;
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(exp))
    }

    /// `cognito:groups`.
    pub fn groups(&self) -> Vec<&str> {
        self.0
            .get("cognito:groups")
            .and_then(serde_json::Value::as_array)
            .map(|groups| groups.iter().filter_map(|g| g.as_str()).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            engine.encode(r#"{"alg":"RS256"}"#),
            engine.encode(payload)
        )
    }

    #[test]
    fn decodes_claims_without_trusting_them() {
        let claims = Claims::decode(&jwt(
            r#"{"sub":"s-1","username":"alice","token_use":"access","exp":1700000000,"cognito:groups":["a","b"],"client_id":"c"}"#,
        ))
        .unwrap();
        assert_eq!(claims.sub(), Some("s-1"));
        assert_eq!(claims.username(), Some("alice"));
        assert_eq!(claims.token_use(), Some("access"));
        assert_eq!(claims.client_id(), Some("c"));
        assert_eq!(claims.groups(), vec!["a", "b"]);
        assert_eq!(
            claims.expires_at(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
    }

    #[test]
    fn refuses_garbage() {
        assert!(Claims::decode("abc").is_err());
        assert!(Claims::decode("a.b.c.d").is_err());
        assert!(Claims::decode("a.!!!.c").is_err());
        assert!(Claims::decode(&jwt("[1,2]")).is_err());
    }

    fn sample_tokens() -> Tokens {
        let access = jwt(
            r#"{"username":"alice-internal","device_key":"us-east-1_d1","token_use":"access"}"#,
        );
        let mut tokens = Tokens::new(
            SecretString::from(access),
            Some(SecretString::from("id-secret-value")),
            Some(SecretString::from("refresh-secret-value")),
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000),
        );
        tokens.new_device = Some(NewDevice {
            device_key: "us-east-1_d1".into(),
            device_group_key: "-group".into(),
        });
        tokens
    }

    #[test]
    fn tokens_survive_a_serde_round_trip() {
        let tokens = sample_tokens();
        let json = serde_json::to_string(&tokens).unwrap();
        let back: Tokens = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.access_token().expose_secret(),
            tokens.access_token().expose_secret()
        );
        assert_eq!(back.id_token().unwrap().expose_secret(), "id-secret-value");
        assert_eq!(
            back.refresh_token().unwrap().expose_secret(),
            "refresh-secret-value"
        );
        assert_eq!(
            back.expires_at(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000)
        );
        assert_eq!(back.username(), Some("alice-internal"));
        assert_eq!(back.device_key(), Some("us-east-1_d1"));
        assert_eq!(back.new_device(), tokens.new_device());
        assert_eq!(back.token_type(), Some("Bearer"));
        // Debug stays redacted after the round trip.
        let shown = format!("{back:?}");
        assert!(!shown.contains("secret-value"), "{shown}");
    }

    #[test]
    fn stored_tokens_name_their_fields() {
        let value = serde_json::to_value(sample_tokens()).unwrap();
        assert_eq!(value["refresh_token"], "refresh-secret-value");
        assert_eq!(value["expires_at"], 1_900_000_000_u64);
        assert_eq!(value["device_key"], "us-east-1_d1");
        assert!(value.get("notices").is_none());
    }

    #[test]
    fn a_stored_form_without_an_access_token_is_refused() {
        let error = serde_json::from_str::<Tokens>(r#"{"expires_in":1,"expires_at":2}"#);
        assert!(error.unwrap_err().to_string().contains("access_token"));
    }

    #[test]
    fn debug_hides_tokens() {
        let tokens = Tokens {
            access_token: SecretString::from("access-secret-value"),
            id_token: Some(SecretString::from("id-secret-value")),
            refresh_token: Some(SecretString::from("refresh-secret-value")),
            token_type: Some("Bearer".into()),
            expires_in: Duration::from_secs(3600),
            expires_at: SystemTime::now(),
            new_device: None,
            device_key: None,
            username: Some("alice".into()),
            notices: vec![],
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("secret-value"), "{shown}");
        assert!(shown.contains("alice"));
    }
}
