//! What a caller asks for: a sign-in, a refresh, and the metadata that rides along.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cognitoidentityprovider::types::{AnalyticsMetadataType, UserContextDataType};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::Tokens;

/// `UserContextData`: the data Cognito's threat protection scores a request by.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserContext {
    /// `IpAddress`: the end user's IP address, for a server signing in on their behalf.
    pub ip_address: Option<String>,
    /// `EncodedData`: the fingerprint from Cognito's advanced-security JS/SDK.
    pub encoded_data: Option<String>,
}

/// ClientMetadata, AnalyticsMetadata and UserContextData: passed through unchanged
/// on every InitiateAuth, RespondToAuthChallenge (and, where the API has the field,
/// every other call) of a sign-in or refresh.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// `ClientMetadata`, handed to the pool's Lambda triggers.
    pub client_metadata: BTreeMap<String, String>,
    /// `AnalyticsMetadata.AnalyticsEndpointId` (Amazon Pinpoint).
    pub analytics_endpoint_id: Option<String>,
    /// `UserContextData`.
    pub user_context: Option<UserContext>,
}

impl Metadata {
    /// Adds one ClientMetadata entry.
    pub fn with_client_metadata(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.client_metadata.insert(key.into(), value.into());
        self
    }

    /// `ClientMetadata` as the SDK's request builders take it (`None` when empty).
    pub fn client_metadata_map(&self) -> Option<HashMap<String, String>> {
        (!self.client_metadata.is_empty()).then(|| {
            self.client_metadata
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
    }

    /// `AnalyticsMetadata` as the SDK's request builders take it.
    pub fn analytics_metadata(&self) -> Option<AnalyticsMetadataType> {
        self.analytics_endpoint_id.as_ref().map(|id| {
            AnalyticsMetadataType::builder()
                .analytics_endpoint_id(id)
                .build()
        })
    }

    /// `UserContextData` as the SDK's request builders take it.
    pub fn user_context_data(&self) -> Option<UserContextDataType> {
        self.user_context.as_ref().map(|context| {
            UserContextDataType::builder()
                .set_ip_address(context.ip_address.clone())
                .set_encoded_data(context.encoded_data.clone())
                .build()
        })
    }
}

/// USER_AUTH's first factor, asked for up front with `PREFERRED_CHALLENGE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FirstFactor {
    /// `PASSWORD_SRP`: SRP with the password (needs it).
    PasswordSrp,
    /// `PASSWORD`: the password in the request (needs it).
    Password,
    /// `EMAIL_OTP`: a code by email.
    EmailOtp,
    /// `SMS_OTP`: a code by SMS.
    SmsOtp,
}

impl FirstFactor {
    /// The challenge name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::Password => "PASSWORD",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
        }
    }
}

/// Which flow a [`SignIn`] uses.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Method {
    /// `USER_SRP_AUTH`: the password never leaves the process. The default.
    Srp,
    /// `USER_PASSWORD_AUTH`: the password goes to Cognito (over TLS).
    Password,
    /// `CUSTOM_AUTH`: the pool's Lambda triggers decide; with `srp_first`, the
    /// password is proven by SRP first (`CHALLENGE_NAME = SRP_A`).
    Custom {
        /// Prove the password with SRP before the custom challenges.
        srp_first: bool,
    },
    /// `USER_AUTH` (choice-based sign-in).
    UserAuth {
        /// `PREFERRED_CHALLENGE`; without it Cognito answers SELECT_CHALLENGE (or
        /// goes straight to tokens with a ConfirmSignUp session).
        preferred: Option<FirstFactor>,
        /// The `Session` ConfirmSignUp returned: signs the new user in without a
        /// first factor.
        session: Option<SecretString>,
    },
}

/// One sign-in: who, with what, how.
#[derive(Clone)]
pub struct SignIn {
    pub(crate) username: String,
    pub(crate) password: Option<SecretString>,
    pub(crate) method: Method,
    pub(crate) metadata: Metadata,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("username", &self.username)
            .field("has_password", &self.password.is_some())
            .field("method", &self.method)
            .field("metadata", &self.metadata)
            .finish()
    }
}

impl SignIn {
    /// USER_SRP_AUTH with `username` as typed (username, email or phone alias).
    pub fn srp(username: impl Into<String>, password: SecretString) -> Self {
        Self::with_method(username, Some(password), Method::Srp)
    }

    /// USER_PASSWORD_AUTH.
    pub fn password(username: impl Into<String>, password: SecretString) -> Self {
        Self::with_method(username, Some(password), Method::Password)
    }

    /// CUSTOM_AUTH without a password.
    pub fn custom(username: impl Into<String>) -> Self {
        Self::with_method(username, None, Method::Custom { srp_first: false })
    }

    /// CUSTOM_AUTH with SRP first (`CHALLENGE_NAME = SRP_A`).
    pub fn custom_with_srp(username: impl Into<String>, password: SecretString) -> Self {
        Self::with_method(username, Some(password), Method::Custom { srp_first: true })
    }

    /// USER_AUTH without a preferred challenge: Cognito answers SELECT_CHALLENGE.
    /// Add a password with [`Self::with_password`] to have `PASSWORD` /
    /// `PASSWORD_SRP` answered without asking for it again.
    pub fn user_auth(username: impl Into<String>) -> Self {
        Self::with_method(
            username,
            None,
            Method::UserAuth {
                preferred: None,
                session: None,
            },
        )
    }

    /// USER_AUTH with `PREFERRED_CHALLENGE`.
    pub fn user_auth_preferring(
        username: impl Into<String>,
        preferred: FirstFactor,
        password: Option<SecretString>,
    ) -> Self {
        Self::with_method(
            username,
            password,
            Method::UserAuth {
                preferred: Some(preferred),
                session: None,
            },
        )
    }

    /// USER_AUTH with the Session ConfirmSignUp returned.
    pub fn user_auth_after_sign_up(username: impl Into<String>, session: SecretString) -> Self {
        Self::with_method(
            username,
            None,
            Method::UserAuth {
                preferred: None,
                session: Some(session),
            },
        )
    }

    /// Any method.
    pub fn with_method(
        username: impl Into<String>,
        password: Option<SecretString>,
        method: Method,
    ) -> Self {
        Self {
            username: username.into(),
            password,
            method,
            metadata: Metadata::default(),
        }
    }

    /// Sets the password.
    pub fn with_password(mut self, password: SecretString) -> Self {
        self.password = Some(password);
        self
    }

    /// Sets the metadata sent on every call.
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// The username as typed.
    pub fn username(&self) -> &str {
        &self.username
    }
}

/// One refresh.
#[derive(Clone)]
pub struct Refresh {
    pub(crate) refresh_token: SecretString,
    pub(crate) username: Option<String>,
    pub(crate) device_key: Option<String>,
    pub(crate) metadata: Metadata,
    pub(crate) rotate: bool,
}

impl std::fmt::Debug for Refresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refresh")
            .field("username", &self.username)
            .field("device_key", &self.device_key)
            .field("metadata", &self.metadata)
            .field("rotate", &self.rotate)
            .finish_non_exhaustive()
    }
}

impl Refresh {
    /// REFRESH_TOKEN_AUTH with this refresh token. For an app client with a secret,
    /// also give the internal username ([`Self::with_username`]).
    pub fn new(refresh_token: SecretString) -> Self {
        Self {
            refresh_token,
            username: None,
            device_key: None,
            metadata: Metadata::default(),
            rotate: false,
        }
    }

    /// Everything from earlier tokens: refresh token, internal username, device.
    /// `None` when they hold no refresh token.
    pub fn from_tokens(tokens: &Tokens) -> Option<Self> {
        let mut refresh = Self::new(tokens.refresh_token()?.clone());
        refresh.username = tokens.username().map(str::to_owned);
        refresh.device_key = tokens.device_key().map(str::to_owned);
        Some(refresh)
    }

    /// The pool's internal username (not an alias): SECRET_HASH is computed over it.
    pub fn with_username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The device the refresh token was issued to (DEVICE_KEY). Without it the
    /// device store is asked, by username.
    pub fn with_device_key(mut self, device_key: impl Into<String>) -> Self {
        self.device_key = Some(device_key.into());
        self
    }

    /// Metadata for the call.
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Use GetTokensFromRefreshToken (needed with refresh-token rotation; returns a
    /// new refresh token) instead of InitiateAuth REFRESH_TOKEN_AUTH.
    pub fn rotating(mut self) -> Self {
        self.rotate = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_passwords_and_refresh_tokens() {
        let sign_in = SignIn::srp("alice", SecretString::from("hunter2-password"));
        let shown = format!("{sign_in:?}");
        assert!(
            shown.contains("alice") && !shown.contains("hunter2"),
            "{shown}"
        );
        let session = SignIn::user_auth_after_sign_up("bob", SecretString::from("session-xyz"));
        assert!(!format!("{session:?}").contains("session-xyz"));
        let refresh = Refresh::new(SecretString::from("refresh-token-abc")).with_username("u");
        assert!(!format!("{refresh:?}").contains("refresh-token-abc"));
    }

    #[test]
    fn metadata_converts_to_the_sdk_types() {
        assert_eq!(Metadata::default().client_metadata_map(), None);
        assert_eq!(Metadata::default().analytics_metadata(), None);
        assert_eq!(Metadata::default().user_context_data(), None);

        let metadata = Metadata {
            analytics_endpoint_id: Some("endpoint-7".into()),
            user_context: Some(UserContext {
                ip_address: Some("192.0.2.1".into()),
                encoded_data: None,
            }),
            ..Metadata::default()
        }
        .with_client_metadata("tenant", "blue");
        assert_eq!(
            metadata.client_metadata_map(),
            Some(HashMap::from([("tenant".to_owned(), "blue".to_owned())]))
        );
        let analytics = metadata.analytics_metadata().unwrap();
        assert_eq!(analytics.analytics_endpoint_id(), Some("endpoint-7"));
        let context = metadata.user_context_data().unwrap();
        assert_eq!(context.ip_address(), Some("192.0.2.1"));
        assert_eq!(context.encoded_data(), None);
    }
}
