//! The recording emulator the `recorded_*` tests run against: one seeded
//! pool with a public and a secret app client, users given as seed TOML.

use cognito_auth_flows::{Answer, Error, Flows, Prompt, SignIn, Tokens};
use cognito_auth_test_support::{PASSWORD, RecordingEmulator, Setup, prefer_sms_mfa};
use serde_json::Value;
use std::collections::BTreeMap;

use super::{Scripted, admin, flows_builder, unsigned};

pub const POOL_ID: &str = "us-east-1_Recorded1";

pub const CLIENT_ID: &str = "recorded0public0client001";

pub const SECRET_CLIENT_ID: &str = "recorded0secret0client001";

pub const CLIENT_SECRET: &str = "recorded-client-secret-0123456789";

/// A seed with one pool (its settings in `pool`: TOML keys and tables; its
/// LambdaConfig names the built-in CUSTOM_AUTH triggers), a public and a
/// secret app client allowing every flow, and `users`.
pub fn seed(pool: &str, users: &[String]) -> String {
    let flows = r#"["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"]"#;
    format!(
        r#"
[[pools]]
id = "{POOL_ID}"
name = "recorded"
lambda_config = {{ DefineAuthChallenge = "builtin", CreateAuthChallenge = "builtin", VerifyAuthChallengeResponse = "builtin" }}
{pool}
[[pools.clients]]
id = "{CLIENT_ID}"
name = "app"
explicit_auth_flows = {flows}
[[pools.clients]]
id = "{SECRET_CLIENT_ID}"
name = "server"
secret = "{CLIENT_SECRET}"
explicit_auth_flows = {flows}
{}"#,
        users.concat()
    )
}

/// A seeded user with [`PASSWORD`]; `extra` adds TOML keys (status,
/// attributes).
pub fn user(username: &str, extra: &str) -> String {
    format!("[[pools.users]]\nusername = \"{username}\"\npassword = \"{PASSWORD}\"\n{extra}\n")
}

pub fn app(secret: bool) -> Setup {
    Setup {
        pool_id: POOL_ID.into(),
        client_id: if secret { SECRET_CLIENT_ID } else { CLIENT_ID }.into(),
        client_secret: secret.then(|| CLIENT_SECRET.to_owned()),
    }
}

/// A recording emulator seeded with `pool` settings and `users`, and flows
/// for its public or its secret app client.
pub async fn setup(pool: &str, users: &[String], secret: bool) -> (RecordingEmulator, Flows) {
    let emulator = RecordingEmulator::seeded(&seed(pool, users)).await;
    let flows = flows_builder(unsigned(&emulator.endpoint_url()), &app(secret))
        .build()
        .unwrap();
    (emulator, flows)
}

/// Signs in answering prompts from `answers` in order; returns the outcome
/// and the prompts the user was shown.
pub async fn sign_in_showing(
    flows: &Flows,
    sign_in: &SignIn,
    answers: Vec<Answer>,
) -> (Result<Tokens, Error>, Vec<Prompt>) {
    let handler = Scripted::new(answers);
    let outcome = flows.sign_in(sign_in, &handler).await;
    (outcome, handler.seen())
}

pub const EMAIL_ALIAS: &str = "alias_attributes = [\"email\"]";

pub fn verified_email(email: &str) -> String {
    format!("attributes = {{ email = \"{email}\", email_verified = \"true\" }}")
}

pub const MFA_ON: &str = "mfa = \"ON\"";

/// The operator prefers SMS MFA for `username` (through the admin API, so
/// the call is recorded too).
pub async fn prefer_sms(emulator: &RecordingEmulator, username: &str) {
    prefer_sms_mfa(&admin(&emulator.endpoint_url()), &app(false), username).await;
}

pub const MFA_OPTIONAL: &str = "mfa = \"OPTIONAL\"";

/// A pool where every sign-in of `username` (with a phone) asks for an SMS code.
pub async fn sms_user(username: &str, secret: bool) -> (RecordingEmulator, Flows) {
    let phone = "attributes = { phone_number = \"+15555550122\" }";
    let (emulator, flows) = setup(MFA_ON, &[user(username, phone)], secret).await;
    prefer_sms(&emulator, username).await;
    (emulator, flows)
}

/// The ChallengeParameters of a recorded reply, as a prompt shows them.
pub fn parameters(reply: &Value) -> BTreeMap<String, String> {
    serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap()
}
