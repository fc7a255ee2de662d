//! What commands print: results as JSON on stdout (through `--select`, `--query`
//! and `--output`), notices on stderr, and the spinner while waiting.

use cognito_auth_flows::{Notice, Tokens};
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};

use crate::args::Global;
use crate::ui::{self, Output, Spinner};

/// The output options of `global`.
pub fn output(global: &Global) -> Output {
    Output {
        select: global.select.clone(),
        query: global.query.clone(),
        format: global.output,
    }
}

/// Tokens as the AWS CLI prints an InitiateAuth result.
pub fn tokens_json(tokens: &Tokens) -> Value {
    let mut result = Map::new();
    result.insert(
        "AccessToken".into(),
        json!(tokens.access_token().expose_secret()),
    );
    result.insert("ExpiresIn".into(), json!(tokens.expires_in().as_secs()));
    if let Some(t) = tokens.token_type() {
        result.insert("TokenType".into(), json!(t));
    }
    if let Some(t) = tokens.refresh_token() {
        result.insert("RefreshToken".into(), json!(t.expose_secret()));
    }
    if let Some(t) = tokens.id_token() {
        result.insert("IdToken".into(), json!(t.expose_secret()));
    }
    if let Some(d) = tokens.new_device() {
        result.insert(
            "NewDeviceMetadata".into(),
            json!({"DeviceKey": d.device_key, "DeviceGroupKey": d.device_group_key}),
        );
    }
    json!({ "AuthenticationResult": Value::Object(result) })
}

/// One stderr line per notice of a sign-in or refresh (devices confirmed, forgotten).
pub fn report_notices(tokens: &Tokens) {
    for notice in tokens.notices() {
        ui::note(&format!("cognito-auth: {}", notice_text(notice)));
    }
}

/// What a notice says, in a few words.
pub fn notice_text(notice: &Notice) -> String {
    match notice {
        Notice::DeviceConfirmed {
            device_key,
            remembered,
            ..
        } => format!(
            "device {device_key} confirmed{}",
            if *remembered { " and remembered" } else { "" }
        ),
        Notice::DeviceAuthenticated { device_key } => {
            format!("signed in with remembered device {device_key}")
        }
        Notice::DeviceForgotten { device_key } => {
            format!("Cognito no longer knew device {device_key}; it was forgotten")
        }
        Notice::DeviceConfirmFailed { device_key, reason } => {
            format!("device {device_key} was not remembered: {reason}")
        }
        other => format!("{other:?}"),
    }
}

/// Awaits `work`, then stops `spinner`.
pub async fn with_spinner<T>(spinner: &Spinner, work: impl Future<Output = T>) -> T {
    let value = work.await;
    spinner.stop();
    value
}
