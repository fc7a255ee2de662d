//! Cognito's documented limits on request members, checked before an operation
//! reads its input, so nothing oversized or malformed is ever kept (in the
//! session table, the store or a trigger event).
//!
//! The lengths and patterns are those of the cognito-idp API model (botocore
//! `cognito-idp/2016-04-18/service-2.json`: `UsernameType`, `DeviceKeyType`,
//! `SessionType`, `AttributeValueType`, `StringType` for map entries, ...).
//! Violations are reported as AWS reports them: `InvalidParameterException`
//! "N validation error(s) detected: Value at 'member' failed to satisfy
//! constraint: ..." with every violation joined by "; ". Sensitive members are
//! never quoted; other values are quoted only when short, so an error never
//! echoes a huge input.
//!
//! Inside `AuthParameters` and `ChallengeResponses` (free maps in the model) the
//! entries that name a modelled thing get that thing's limits under its member
//! name: `USERNAME` as `username`, `DEVICE_KEY` as `deviceKey`, `SECRET_HASH`
//! as `secretHash`, `userAttributes.*` as user attributes.
//!
//! `UserPoolId` is left to the lookup ("User pool ... does not exist."), whose
//! message is cut short anyway, and tokens (`TokenModelType`, no length limit)
//! to verification ("Invalid Access Token", "Invalid Refresh Token."): neither
//! is kept, and the body cap bounds them.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// `StringType`: every key and value of AuthParameters, ChallengeResponses and
/// ClientMetadata, and free-form strings such as a device verifier.
pub const STRING_MAX: usize = 131_072;
/// `UsernameType`.
pub const USERNAME_MAX: usize = 128;
/// `AttributeValueType`.
pub const ATTRIBUTE_VALUE_MAX: usize = 2048;
/// `SessionType`.
pub const SESSION_LENGTH: (usize, usize) = (20, 2048);

/// The patterns of the model, anchored (AWS matches the whole value). Java's
/// `\w` and `\S` are ASCII classes, so they are spelled out as ASCII here.
#[derive(Clone, Copy, Debug)]
enum Pattern {
    Username,
    AttributeName,
    DeviceKey,
    ClientId,
    SecretHash,
    NoSpace,
    Digits,
}

impl Pattern {
    /// The pattern as AWS prints it in its messages.
    fn shown(self) -> &'static str {
        match self {
            Self::Username => r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+",
            Self::AttributeName => r"[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+",
            Self::DeviceKey => r"[\w-]+_[0-9a-f-]+",
            Self::ClientId => r"[\w+]+",
            Self::SecretHash => r"[\w+=/]+",
            Self::NoSpace => r"[\S]+",
            Self::Digits => r"[0-9]+",
        }
    }

    /// The same class for the `regex` crate.
    fn source(self) -> &'static str {
        match self {
            Self::Username => r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+",
            Self::AttributeName => r"[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+",
            Self::DeviceKey => r"[A-Za-z0-9_-]+_[0-9a-f-]+",
            Self::ClientId => r"[A-Za-z0-9_+]+",
            Self::SecretHash => r"[A-Za-z0-9_+=/]+",
            Self::NoSpace => r"[^ \t\n\x0B\x0C\r]+",
            Self::Digits => r"[0-9]+",
        }
    }

    fn regex(self) -> Option<&'static Regex> {
        static COMPILED: LazyLock<Vec<Option<Regex>>> = LazyLock::new(|| {
            Pattern::ALL
                .iter()
                .map(|p| Regex::new(&format!("^(?:{})$", p.source())).ok())
                .collect()
        });
        COMPILED.get(self as usize).and_then(Option::as_ref)
    }

    fn matches(self, value: &str) -> bool {
        // Every pattern compiles (a unit test checks it).
        self.regex().is_none_or(|regex| regex.is_match(value))
    }

    const ALL: [Self; 7] = [
        Self::Username,
        Self::AttributeName,
        Self::DeviceKey,
        Self::ClientId,
        Self::SecretHash,
        Self::NoSpace,
        Self::Digits,
    ];
}

/// The limits of one member.
#[derive(Clone, Copy, Debug)]
struct Rule {
    min: usize,
    max: Option<usize>,
    pattern: Option<Pattern>,
    /// Sensitive in the model: AWS never quotes the value.
    sensitive: bool,
}

const fn rule(min: usize, max: Option<usize>, pattern: Option<Pattern>, sensitive: bool) -> Rule {
    Rule {
        min,
        max,
        pattern,
        sensitive,
    }
}

const USERNAME: Rule = rule(1, Some(USERNAME_MAX), Some(Pattern::Username), true);
const DEVICE_KEY: Rule = rule(1, Some(55), Some(Pattern::DeviceKey), false);
const SECRET_HASH: Rule = rule(1, Some(128), Some(Pattern::SecretHash), true);
const PASSWORD: Rule = rule(0, Some(256), Some(Pattern::NoSpace), true);
const FREE_STRING: Rule = rule(0, Some(STRING_MAX), None, false);
const ATTRIBUTE_NAME: Rule = rule(1, Some(32), Some(Pattern::AttributeName), false);
const ATTRIBUTE_VALUE: Rule = rule(0, Some(ATTRIBUTE_VALUE_MAX), None, true);

/// Top-level string members: (member, name in messages, limits).
const MEMBERS: &[(&str, &str, Rule)] = &[
    ("Username", "username", USERNAME),
    (
        "Session",
        "session",
        rule(SESSION_LENGTH.0, Some(SESSION_LENGTH.1), None, true),
    ),
    (
        "ClientId",
        "clientId",
        rule(1, Some(128), Some(Pattern::ClientId), true),
    ),
    (
        "ClientSecret",
        "clientSecret",
        rule(24, Some(64), Some(Pattern::ClientId), true),
    ),
    ("SecretHash", "secretHash", SECRET_HASH),
    ("DeviceKey", "deviceKey", DEVICE_KEY),
    ("DeviceName", "deviceName", rule(1, Some(1024), None, false)),
    ("FriendlyDeviceName", "friendlyDeviceName", FREE_STRING),
    (
        "ConfirmationCode",
        "confirmationCode",
        rule(1, Some(2048), Some(Pattern::NoSpace), false),
    ),
    (
        "UserCode",
        "userCode",
        rule(6, Some(6), Some(Pattern::Digits), true),
    ),
    ("Password", "password", PASSWORD),
    ("TemporaryPassword", "temporaryPassword", PASSWORD),
    ("PreviousPassword", "previousPassword", PASSWORD),
    ("ProposedPassword", "proposedPassword", PASSWORD),
];

/// Free maps of `StringType` keys and values.
const MAPS: &[(&str, &str)] = &[
    ("AuthParameters", "authParameters"),
    ("ChallengeResponses", "challengeResponses"),
    ("ClientMetadata", "clientMetadata"),
];

/// Entries of AuthParameters / ChallengeResponses that name a modelled thing.
const ENTRIES: &[(&str, &str, Rule)] = &[
    ("USERNAME", "username", USERNAME),
    ("DEVICE_KEY", "deviceKey", DEVICE_KEY),
    ("SECRET_HASH", "secretHash", SECRET_HASH),
];

/// Lists of `AttributeType` ({Name, Value}).
const ATTRIBUTE_LISTS: &[(&str, &str)] = &[
    ("UserAttributes", "userAttributes"),
    ("ValidationData", "validationData"),
];

/// AWS counts Java characters, UTF-16 code units: one per UTF-8 sequence, two
/// for a four-byte one (outside the BMP). Counted on bytes, without decoding:
/// values reach 256 KB and every request is checked.
fn utf16_len(value: &str) -> usize {
    if value.is_ascii() {
        return value.len();
    }
    value.bytes().fold(0, |units, byte| {
        units
            + match byte {
                0x80..=0xBF => 0,
                0xF0..=0xFF => 2,
                _ => 1,
            }
    })
}

/// What a violation says, after "Value at 'path' failed to satisfy constraint: ".
fn violations(value: &str, rule: Rule) -> Vec<String> {
    let length = utf16_len(value);
    let mut found = Vec::new();
    if let Some(max) = rule.max
        && length > max
    {
        found.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    if length < rule.min {
        found.push(format!(
            "Member must have length greater than or equal to {}",
            rule.min
        ));
    }
    if let Some(pattern) = rule.pattern
        && !pattern.matches(value)
    {
        found.push(format!(
            "Member must satisfy regular expression pattern: {}",
            pattern.shown()
        ));
    }
    found
}

/// Collects the violations of a request.
#[derive(Default)]
struct Report {
    errors: Vec<String>,
}

impl Report {
    fn member(&mut self, path: &str, value: &str, rule: Rule) {
        for violation in violations(value, rule) {
            // Only short, non-sensitive values are quoted back.
            let quoted = if rule.sensitive || value.chars().nth(64).is_some() {
                String::new()
            } else {
                format!(" '{value}'")
            };
            self.errors.push(format!(
                "Value{quoted} at '{path}' failed to satisfy constraint: {violation}"
            ));
        }
    }

    fn map(&mut self, path: &str, map: &Map<String, Value>) {
        let free = rule(0, Some(STRING_MAX), None, true);
        let too_long = |s: &str| !violations(s, free).is_empty();
        let constraint = format!(
            "[Member must have length less than or equal to {STRING_MAX}, Member must have length greater than or equal to 0]"
        );
        if map.keys().any(|k| too_long(k)) {
            self.errors.push(format!(
                "Value at '{path}' failed to satisfy constraint: Map key must satisfy constraint: {constraint}"
            ));
        }
        if map.values().filter_map(Value::as_str).any(too_long) {
            self.errors.push(format!(
                "Value at '{path}' failed to satisfy constraint: Map value must satisfy constraint: {constraint}"
            ));
        }
    }

    fn entries(&mut self, map: &Map<String, Value>) {
        for (key, value) in map {
            let Some(value) = value.as_str() else {
                continue;
            };
            if let Some((_, path, rule)) = ENTRIES.iter().find(|(name, _, _)| name == key) {
                // The maps are sensitive as a whole: no entry is quoted.
                let rule = Rule {
                    sensitive: true,
                    ..*rule
                };
                self.member(path, value, rule);
            } else if let Some(name) = key.strip_prefix("userAttributes.") {
                self.member("userAttributes.member.name", name, ATTRIBUTE_NAME);
                self.member("userAttributes.member.value", value, ATTRIBUTE_VALUE);
            }
        }
    }

    fn attributes(&mut self, path: &str, list: &[Value]) {
        for (index, attribute) in list.iter().enumerate() {
            let at = |member: &str| format!("{path}.{}.member.{member}", index + 1);
            if let Some(name) = attribute.get("Name").and_then(Value::as_str) {
                self.member(&at("name"), name, ATTRIBUTE_NAME);
            }
            if let Some(value) = attribute.get("Value").and_then(Value::as_str) {
                self.member(&at("value"), value, ATTRIBUTE_VALUE);
            }
        }
    }

    fn into_result(self) -> ApiResult<()> {
        match self.errors.len() {
            0 => Ok(()),
            1 => Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: {}",
                self.errors.join("; ")
            ))),
            n => Err(ApiError::invalid_parameter(format!(
                "{n} validation errors detected: {}",
                self.errors.join("; ")
            ))),
        }
    }
}

/// Checks a request's members against Cognito's limits. Members of the wrong
/// JSON type are left to deserialization (SerializationException).
pub(crate) fn check_request(input: &Value) -> ApiResult<()> {
    let Some(object) = input.as_object() else {
        return Ok(());
    };
    let mut report = Report::default();
    for (member, path, rule) in MEMBERS {
        if let Some(value) = object.get(*member).and_then(Value::as_str) {
            report.member(path, value, *rule);
        }
    }
    for (member, path) in MAPS {
        if let Some(map) = object.get(*member).and_then(Value::as_object) {
            report.map(path, map);
            if *member != "ClientMetadata" {
                report.entries(map);
            }
        }
    }
    for (member, path) in ATTRIBUTE_LISTS {
        if let Some(list) = object.get(*member).and_then(Value::as_array) {
            report.attributes(path, list);
        }
    }
    if let Some(config) = object
        .get("DeviceSecretVerifierConfig")
        .and_then(Value::as_object)
    {
        for (member, path) in [
            (
                "PasswordVerifier",
                "deviceSecretVerifierConfig.passwordVerifier",
            ),
            ("Salt", "deviceSecretVerifierConfig.salt"),
        ] {
            if let Some(value) = config.get(member).and_then(Value::as_str) {
                report.member(path, value, FREE_STRING);
            }
        }
    }
    report.into_result()
}

/// Checks a username that does not arrive as a request's `Username` member (a
/// seed file's users) against the same `UsernameType` rule.
pub(crate) fn check_username(username: &str) -> ApiResult<()> {
    let mut report = Report::default();
    report.member("username", username, USERNAME);
    report.into_result()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn utf16_length_counts_java_characters() {
        for value in [
            "",
            "alice",
            "é",
            "日本語",
            "a😀b",
            "😀😀",
            "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}",
        ] {
            assert_eq!(utf16_len(value), value.encode_utf16().count(), "{value:?}");
        }
    }

    fn message(input: Value) -> String {
        check_request(&input).unwrap_err().message
    }

    #[test]
    fn every_pattern_compiles() {
        for pattern in Pattern::ALL {
            assert!(pattern.regex().is_some(), "{pattern:?}");
        }
    }

    #[test]
    fn usernames_follow_the_model() {
        assert!(check_request(&json!({ "Username": "alice@example.com" })).is_ok());
        assert!(check_request(&json!({ "Username": "Zoë_ß-1" })).is_ok());
        assert_eq!(
            message(json!({ "Username": "x".repeat(129) })),
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"
        );
        // The AWS text quoted in ks888/LambStatus#6 for an empty username.
        assert_eq!(
            message(json!({ "Username": "" })),
            "2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
        );
        assert!(check_request(&json!({ "Username": "a b" })).is_err());
        assert!(check_request(&json!({ "Username": "a\u{200b}b" })).is_err());
    }

    #[test]
    fn device_keys_and_sessions() {
        assert!(
            check_request(
                &json!({ "DeviceKey": "us-east-1_0f3b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b" })
            )
            .is_ok()
        );
        assert_eq!(
            message(json!({ "DeviceKey": "nope" })),
            "1 validation error detected: Value 'nope' at 'deviceKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+"
        );
        assert_eq!(
            message(json!({ "Session": "short" })),
            "1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20"
        );
        assert!(check_request(&json!({ "Session": "s".repeat(2048) })).is_ok());
        assert!(check_request(&json!({ "Session": "s".repeat(2049) })).is_err());
    }

    #[test]
    fn map_entries_and_attributes() {
        let huge = "d".repeat(200_000);
        let text = message(json!({ "AuthParameters": { "USERNAME": "bob", "DEVICE_KEY": huge } }));
        assert_eq!(
            text,
            "3 validation errors detected: Value at 'authParameters' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 131072, Member must have length greater than or equal to 0]; Value at 'deviceKey' failed to satisfy constraint: Member must have length less than or equal to 55; Value at 'deviceKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+"
        );
        let text = message(json!({ "UserAttributes": [
            { "Name": "email", "Value": "a@b.c" },
            { "Name": "name", "Value": "n".repeat(2049) },
        ] }));
        assert_eq!(
            text,
            "1 validation error detected: Value at 'userAttributes.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"
        );
        let text =
            message(json!({ "ChallengeResponses": { "userAttributes.name": "n".repeat(2049) } }));
        assert!(text.contains("'userAttributes.member.value'"), "{text}");
        let metadata = json!({ "ClientMetadata": { "k": "v".repeat(STRING_MAX + 1) } });
        assert!(message(metadata).contains("'clientMetadata'"));
        // Values of the wrong type are serde's to report.
        assert!(
            check_request(&json!({ "Username": 5, "AuthParameters": { "USERNAME": 5 } })).is_ok()
        );
    }
}
