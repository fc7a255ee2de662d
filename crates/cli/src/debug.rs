//! `--debug`: each request and reply on stderr, as the AWS CLI's `--debug` shows
//! them, but with every value that could be a secret redacted. Only values under
//! keys known to be harmless (ids, names, flow and challenge names, delivery
//! hints, error types) are shown; passwords, SRP values, tokens, sessions, codes
//! and anything new the service sends are replaced by their length.

use aws_sdk_cognitoidentityprovider::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_cognitoidentityprovider::config::{ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_cognitoidentityprovider::error::BoxError;
use serde_json::Value;

use crate::ui;

/// Keys whose values `--debug` prints as they are.
const SHOWN: &[&str] = &[
    "AuthFlow",
    "ChallengeName",
    "ClientId",
    "USERNAME",
    "USER_ID_FOR_SRP",
    "ExpiresIn",
    "TokenType",
    "DeviceKey",
    "DeviceGroupKey",
    "DeviceName",
    "DEVICE_KEY",
    "CODE_DELIVERY_DELIVERY_MEDIUM",
    "CODE_DELIVERY_DESTINATION",
    "MFAS_CAN_SETUP",
    "MFAS_CAN_CHOOSE",
    "PREFERRED_CHALLENGE",
    "AvailableChallenges",
    "requiredAttributes",
    "__type",
    "message",
    "Message",
];

/// `value` with every string outside [`SHOWN`] keys replaced by its length.
pub fn redact(value: &Value) -> Value {
    redact_under(value, false)
}

fn redact_under(value: &Value, shown: bool) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), redact_under(v, SHOWN.contains(&k.as_str()))))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact_under(v, shown)).collect()),
        Value::String(s) if !shown => Value::String(format!("<redacted, {} chars>", s.len())),
        other => other.clone(),
    }
}

/// A body as `--debug` prints it: redacted JSON, else only its size.
fn body_text(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "<streaming body>".to_owned(),
        Some([]) => "<empty body>".to_owned(),
        Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
            Ok(json) => ui::escape_control(&redact(&json).to_string()),
            Err(_) => format!("<{} bytes, not JSON>", bytes.len()),
        },
    }
}

/// The interceptor `--debug` adds to the client.
#[derive(Debug)]
pub struct Trace;

impl Intercept for Trace {
    fn name(&self) -> &'static str {
        "cognito-auth::debug::Trace"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let target = request
            .headers()
            .get("x-amz-target")
            .unwrap_or("-")
            .to_owned();
        let region = cfg.load::<Region>().map_or("-", |r| r.as_ref()).to_owned();
        ui::note(&format!(
            "debug: request {} {} region={region} target={target} body={}",
            request.method(),
            ui::escape_control(request.uri()),
            body_text(request.body().bytes())
        ));
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        ui::note(&format!(
            "debug: reply {} body={}",
            response.status().as_u16(),
            body_text(response.body().bytes())
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_harmless_values_survive() {
        let redacted = redact(&json!({
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": "alice", "SRP_A": "abcd", "PASSWORD": "pw"},
            "Session": "sess",
            "ChallengeParameters": {"SALT": "s1", "SECRET_BLOCK": "blk"},
            "ExpiresIn": 3600
        }));
        assert_eq!(
            redacted,
            json!({
                "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": "alice", "SRP_A": "<redacted, 4 chars>", "PASSWORD": "<redacted, 2 chars>"},
                "Session": "<redacted, 4 chars>",
                "ChallengeParameters": {"SALT": "<redacted, 2 chars>", "SECRET_BLOCK": "<redacted, 3 chars>"},
                "ExpiresIn": 3600
            })
        );
    }
}
