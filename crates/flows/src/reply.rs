//! One Cognito answer to InitiateAuth or RespondToAuthChallenge, whichever call
//! gave it, and its rendering as the AWS CLI prints it.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

/// Cognito's answer to InitiateAuth or RespondToAuthChallenge: either the next
/// challenge (with its Session and parameters) or the tokens.
///
/// `Debug` shows neither the Session nor any token.
#[derive(Clone, Default)]
pub struct Reply {
    pub(crate) challenge_name: Option<ChallengeNameType>,
    pub(crate) session: Option<SecretString>,
    pub(crate) challenge_parameters: BTreeMap<String, String>,
    pub(crate) authentication_result: Option<AuthenticationResultType>,
    pub(crate) available_challenges: Vec<ChallengeNameType>,
}

impl Reply {
    /// `ChallengeName`: the challenge to answer next, if any.
    pub fn challenge_name(&self) -> Option<&ChallengeNameType> {
        self.challenge_name.as_ref()
    }

    /// `Session`: hand it back with the answer to the challenge.
    pub fn session(&self) -> Option<&SecretString> {
        self.session.as_ref()
    }

    /// `ChallengeParameters` (empty when Cognito sent none).
    pub fn challenge_parameters(&self) -> &BTreeMap<String, String> {
        &self.challenge_parameters
    }

    /// `AuthenticationResult`: the tokens, when the sign-in is done.
    pub fn authentication_result(&self) -> Option<&AuthenticationResultType> {
        self.authentication_result.as_ref()
    }

    /// `AvailableChallenges` (InitiateAuth with USER_AUTH; empty otherwise).
    pub fn available_challenges(&self) -> &[ChallengeNameType] {
        &self.available_challenges
    }

    /// The reply as the AWS CLI prints it for `initiate-auth` and
    /// `respond-to-auth-challenge`: `ChallengeName`, `Session`,
    /// `ChallengeParameters` (always present, keys sorted), `AuthenticationResult`
    /// (`ExpiresIn` a number, `NewDeviceMetadata` nested) and, when not empty,
    /// `AvailableChallenges`. Tokens and the Session are in it: it is output for the
    /// person who asked, never a log line.
    pub fn to_aws_cli_json(&self) -> Value {
        let mut value = Map::new();
        if let Some(name) = &self.challenge_name {
            value.insert("ChallengeName".into(), json!(name.as_str()));
        }
        if let Some(session) = &self.session {
            value.insert("Session".into(), json!(session.expose_secret()));
        }
        value.insert(
            "ChallengeParameters".into(),
            json!(self.challenge_parameters),
        );
        if let Some(result) = &self.authentication_result {
            value.insert("AuthenticationResult".into(), result_json(result));
        }
        if !self.available_challenges.is_empty() {
            let names: Vec<&str> = self
                .available_challenges
                .iter()
                .map(ChallengeNameType::as_str)
                .collect();
            value.insert("AvailableChallenges".into(), json!(names));
        }
        Value::Object(value)
    }
}

fn result_json(result: &AuthenticationResultType) -> Value {
    let mut out = Map::new();
    if let Some(token) = result.access_token() {
        out.insert("AccessToken".into(), json!(token));
    }
    out.insert("ExpiresIn".into(), json!(result.expires_in()));
    if let Some(kind) = result.token_type() {
        out.insert("TokenType".into(), json!(kind));
    }
    if let Some(token) = result.refresh_token() {
        out.insert("RefreshToken".into(), json!(token));
    }
    if let Some(token) = result.id_token() {
        out.insert("IdToken".into(), json!(token));
    }
    if let Some(device) = result.new_device_metadata() {
        let mut metadata = Map::new();
        if let Some(key) = device.device_key() {
            metadata.insert("DeviceKey".into(), json!(key));
        }
        if let Some(key) = device.device_group_key() {
            metadata.insert("DeviceGroupKey".into(), json!(key));
        }
        out.insert("NewDeviceMetadata".into(), Value::Object(metadata));
    }
    Value::Object(out)
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("challenge_name", &self.challenge_name)
            .field("has_session", &self.session.is_some())
            .field("challenge_parameters", &self.challenge_parameters)
            .field(
                "has_authentication_result",
                &self.authentication_result.is_some(),
            )
            .field("available_challenges", &self.available_challenges)
            .finish()
    }
}

fn sorted(
    parameters: Option<&std::collections::HashMap<String, String>>,
) -> BTreeMap<String, String> {
    parameters
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl From<InitiateAuthOutput> for Reply {
    fn from(out: InitiateAuthOutput) -> Self {
        Self {
            challenge_parameters: sorted(out.challenge_parameters()),
            challenge_name: out.challenge_name,
            session: out.session.map(SecretString::from),
            authentication_result: out.authentication_result,
            available_challenges: out.available_challenges.unwrap_or_default(),
        }
    }
}

impl From<RespondToAuthChallengeOutput> for Reply {
    fn from(out: RespondToAuthChallengeOutput) -> Self {
        Self {
            challenge_parameters: sorted(out.challenge_parameters()),
            challenge_name: out.challenge_name,
            session: out.session.map(SecretString::from),
            authentication_result: out.authentication_result,
            available_challenges: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::types::NewDeviceMetadataType;

    use super::*;

    fn tokens() -> AuthenticationResultType {
        AuthenticationResultType::builder()
            .access_token("eyJ.access.sig")
            .expires_in(3600)
            .token_type("Bearer")
            .refresh_token("eyJ.refresh.sig")
            .id_token("eyJ.id.sig")
            .new_device_metadata(
                NewDeviceMetadataType::builder()
                    .device_key("eu-west-1_dev-1")
                    .device_group_key("-group")
                    .build(),
            )
            .build()
    }

    #[test]
    fn initiate_challenge_prints_as_the_aws_cli_does() {
        let out = InitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::SelectChallenge)
            .session("AYABeSession")
            .challenge_parameters("USERNAME", "alice")
            .challenge_parameters("AvailableChallenges", r#"["PASSWORD","EMAIL_OTP"]"#)
            .available_challenges(ChallengeNameType::Password)
            .available_challenges(ChallengeNameType::EmailOtp)
            .build();
        let json = Reply::from(out).to_aws_cli_json();
        assert_eq!(
            json,
            json!({
                "ChallengeName": "SELECT_CHALLENGE",
                "Session": "AYABeSession",
                "ChallengeParameters": {
                    "AvailableChallenges": "[\"PASSWORD\",\"EMAIL_OTP\"]",
                    "USERNAME": "alice",
                },
                "AvailableChallenges": ["PASSWORD", "EMAIL_OTP"],
            })
        );
        assert_eq!(
            json.to_string(),
            r#"{"AvailableChallenges":["PASSWORD","EMAIL_OTP"],"ChallengeName":"SELECT_CHALLENGE","ChallengeParameters":{"AvailableChallenges":"[\"PASSWORD\",\"EMAIL_OTP\"]","USERNAME":"alice"},"Session":"AYABeSession"}"#
        );
    }

    #[test]
    fn tokens_print_with_a_numeric_expiry_and_nested_device() {
        let out = RespondToAuthChallengeOutput::builder()
            .authentication_result(tokens())
            .build();
        let json = Reply::from(out).to_aws_cli_json();
        assert_eq!(
            json,
            json!({
                "ChallengeParameters": {},
                "AuthenticationResult": {
                    "AccessToken": "eyJ.access.sig",
                    "ExpiresIn": 3600,
                    "TokenType": "Bearer",
                    "RefreshToken": "eyJ.refresh.sig",
                    "IdToken": "eyJ.id.sig",
                    "NewDeviceMetadata": {
                        "DeviceKey": "eu-west-1_dev-1",
                        "DeviceGroupKey": "-group",
                    },
                },
            })
        );
        assert!(json["AuthenticationResult"]["ExpiresIn"].is_i64());
    }

    #[test]
    fn a_reply_without_tokens_omits_them_and_keeps_empty_parameters() {
        let out = RespondToAuthChallengeOutput::builder()
            .challenge_name(ChallengeNameType::SmsMfa)
            .session("s-2")
            .build();
        assert_eq!(
            Reply::from(out).to_aws_cli_json(),
            json!({"ChallengeName": "SMS_MFA", "Session": "s-2", "ChallengeParameters": {}})
        );
    }

    #[test]
    fn debug_hides_session_and_tokens() {
        let out = InitiateAuthOutput::builder()
            .session("AYABeSecretSession")
            .authentication_result(tokens())
            .challenge_parameters("USERNAME", "alice")
            .build();
        let shown = format!("{:?}", Reply::from(out));
        assert!(shown.contains("alice"), "{shown}");
        for secret in ["AYABeSecretSession", "eyJ.access", "eyJ.refresh", "eyJ.id"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
