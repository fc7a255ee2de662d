//! Reading a person's challenge from its ChallengeParameters into a [`Prompt`].

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::handler::{CodeKind, MfaKind, Prompt};

/// A JSON list of strings inside a challenge parameter (`MFAS_CAN_SETUP`,
/// `requiredAttributes`, ...); empty when absent or not such a list.
pub(crate) fn json_list(text: Option<&String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str::<Vec<String>>(t).ok())
        .unwrap_or_default()
}

/// SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_OTP: where the code went.
pub(crate) fn code(kind: CodeKind, parameters: &BTreeMap<String, String>) -> Prompt {
    Prompt::Code {
        kind,
        destination: parameters.get("CODE_DELIVERY_DESTINATION").cloned(),
        medium: parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM").cloned(),
    }
}

/// SELECT_MFA_TYPE: the known kinds in `MFAS_CAN_CHOOSE`.
pub(crate) fn select_mfa(parameters: &BTreeMap<String, String>) -> Prompt {
    let options = json_list(parameters.get("MFAS_CAN_CHOOSE"))
        .iter()
        .filter_map(|m| MfaKind::from_challenge_name(m))
        .collect();
    Prompt::SelectMfa { options }
}

/// NEW_PASSWORD_REQUIRED: the required attributes (without their
/// `userAttributes.` prefix) and the current ones, values as text.
pub(crate) fn new_password(parameters: &BTreeMap<String, String>) -> Prompt {
    let required_attributes = json_list(parameters.get("requiredAttributes"))
        .into_iter()
        .map(|a| {
            a.strip_prefix("userAttributes.")
                .map(str::to_owned)
                .unwrap_or(a)
        })
        .collect();
    let user_attributes = parameters
        .get("userAttributes")
        .and_then(|t| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t).ok())
        .map(|map| {
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect()
        })
        .unwrap_or_default();
    Prompt::NewPassword {
        required_attributes,
        user_attributes,
    }
}

/// SELECT_CHALLENGE: the reply's `AvailableChallenges`, else the parameter of that
/// name.
pub(crate) fn select_challenge(
    parameters: &BTreeMap<String, String>,
    available: &[ChallengeNameType],
) -> Prompt {
    let mut available: Vec<String> = available.iter().map(|c| c.as_str().to_owned()).collect();
    if available.is_empty() {
        available = json_list(parameters.get("AvailableChallenges"));
    }
    Prompt::SelectChallenge { available }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_parse_challenge_parameters() {
        let mut params = BTreeMap::new();
        params.insert(
            "requiredAttributes".to_owned(),
            r#"["userAttributes.name"]"#.to_owned(),
        );
        params.insert(
            "userAttributes".to_owned(),
            r#"{"email":"a@b.c","email_verified":true}"#.to_owned(),
        );
        let Prompt::NewPassword {
            required_attributes,
            user_attributes,
        } = new_password(&params)
        else {
            panic!("wrong prompt")
        };
        assert_eq!(required_attributes, vec!["name"]);
        assert_eq!(user_attributes["email_verified"], "true");

        let mut params = BTreeMap::new();
        params.insert(
            "MFAS_CAN_CHOOSE".to_owned(),
            r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#.to_owned(),
        );
        let Prompt::SelectMfa { options } = select_mfa(&params) else {
            panic!("wrong prompt")
        };
        assert_eq!(options, vec![MfaKind::Sms, MfaKind::Totp]);
    }

    #[test]
    fn select_challenge_prefers_the_reply_list() {
        let params = BTreeMap::from([(
            "AvailableChallenges".to_owned(),
            r#"["PASSWORD"]"#.to_owned(),
        )]);
        let Prompt::SelectChallenge { available } =
            select_challenge(&params, &[ChallengeNameType::EmailOtp])
        else {
            panic!("wrong prompt")
        };
        assert_eq!(available, vec!["EMAIL_OTP"]);
        let Prompt::SelectChallenge { available } = select_challenge(&params, &[]) else {
            panic!("wrong prompt")
        };
        assert_eq!(available, vec!["PASSWORD"]);
    }
}
