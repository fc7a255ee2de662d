//! `cognito-auth demo`: a local emulator with a demo pool, and every kind of
//! sign-in against it (and a sign-up before one), step by step and timed.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use cognito_auth_emulator::{Emulator, EmulatorConfig};
use cognito_auth_flows::{
    Answer, ChallengeHandler, ConfirmSignUp, Declined, DevicePolicy, Error as FlowsError, Flows,
    MemoryDeviceStore, Notice, Prompt, Refresh, SignIn, SignUp, SignUpStep, Tokens,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::output::notice_text;
use crate::exit::{CliError, code};
use crate::prompt::totp_code;
use crate::ui::{self, paint};

const POOL: &str = "us-east-1_DemoPool1";
const CLIENT: &str = "demo0app0client0000000001";
const MFA_POOL: &str = "us-east-1_DemoMfa01";
const MFA_CLIENT: &str = "demo0mfa0client0000000001";
const USER: &str = "alice";
const MFA_USER: &str = "bob";
const PASSWORD: &str = "Demo-Password-1";

const SEED: &str = r#"
[[pools]]
id = "us-east-1_DemoPool1"
name = "demo"
lambda_config = { DefineAuthChallenge = "builtin", CreateAuthChallenge = "builtin", VerifyAuthChallengeResponse = "builtin" }
[pools.devices]
challenge_required_on_new_device = true
device_only_remembered_on_user_prompt = false
[[pools.clients]]
id = "demo0app0client0000000001"
name = "demo-app"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
[[pools.users]]
username = "alice"
password = "Demo-Password-1"
attributes = { email = "alice@example.com", email_verified = "true" }

[[pools]]
id = "us-east-1_DemoMfa01"
name = "demo-mfa"
mfa = "ON"
[[pools.clients]]
id = "demo0mfa0client0000000001"
name = "demo-mfa-app"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
[[pools.users]]
username = "bob"
password = "Demo-Password-1"
"#;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Ok,
    Skipped,
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug)]
struct StepResult {
    key: &'static str,
    title: &'static str,
    status: Status,
    millis: f64,
    details: Vec<String>,
}

/// Answers what a demo user would type: TOTP codes from the secret, custom answers
/// from the emulator's outbox.
#[derive(Debug)]
struct DemoHandler {
    totp_secret: Mutex<Option<String>>,
    emulator: Arc<cognito_auth_emulator::Service>,
    seen: Mutex<Vec<String>>,
}

impl DemoHandler {
    fn secret(&self) -> Option<String> {
        self.totp_secret.lock().ok().and_then(|s| s.clone())
    }
}

impl ChallengeHandler for DemoHandler {
    async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(prompt.challenge_name().to_owned());
        }
        match prompt {
            Prompt::TotpSetup(setup) => {
                let secret = setup.secret.expose_secret().to_owned();
                let code = totp_code(&secret).ok_or_else(|| Declined("bad TOTP secret".into()))?;
                if let Ok(mut slot) = self.totp_secret.lock() {
                    *slot = Some(secret);
                }
                Ok(Answer::code(code))
            }
            Prompt::Code { .. } if prompt.challenge_name() == "SOFTWARE_TOKEN_MFA" => {
                let secret = self
                    .secret()
                    .ok_or_else(|| Declined("no TOTP secret yet".into()))?;
                totp_code(&secret)
                    .map(Answer::code)
                    .ok_or_else(|| Declined("bad TOTP secret".into()))
            }
            Prompt::Custom { parameters } => {
                let from_outbox = self
                    .emulator
                    .outbox()
                    .messages(None)
                    .into_iter()
                    .rev()
                    .find(|m| m.purpose == "CUSTOM_CHALLENGE")
                    .map(|m| m.code);
                let answer = from_outbox
                    .or_else(|| parameters.get("answer").cloned())
                    .ok_or_else(|| Declined("no custom challenge answer found".into()))?;
                Ok(Answer::custom(answer))
            }
            other => Err(Declined(format!(
                "the demo does not answer {}",
                other.challenge_name()
            ))),
        }
    }
}

fn summary(tokens: &Tokens) -> Vec<String> {
    let mut lines = Vec::new();
    if let Ok(claims) = tokens.access_claims() {
        lines.push(format!(
            "access token for {} (sub {}), expires in {} s",
            claims.username().unwrap_or("?"),
            claims.sub().unwrap_or("?"),
            tokens.expires_in().as_secs()
        ));
    }
    if tokens.id_token().is_some() && tokens.refresh_token().is_some() {
        lines.push("also an ID token and a refresh token".into());
    }
    lines.extend(tokens.notices().iter().map(notice_text));
    lines
}

struct Runner {
    json: bool,
    colour: bool,
    total: usize,
    results: Vec<StepResult>,
}

impl Runner {
    /// Records a step that failed with `error`.
    fn failed(
        &mut self,
        key: &'static str,
        title: &'static str,
        started: Instant,
        error: &dyn std::fmt::Display,
    ) {
        self.record(key, title, started, Status::Failed, vec![error.to_string()]);
    }

    fn record(
        &mut self,
        key: &'static str,
        title: &'static str,
        started: Instant,
        status: Status,
        details: Vec<String>,
    ) {
        let result = StepResult {
            key,
            title,
            status,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            details,
        };
        if !self.json {
            let n = self.results.len() + 1;
            let badge = match status {
                Status::Ok => paint(self.colour, "1;32", "ok"),
                Status::Skipped => paint(self.colour, "1;33", "skipped"),
                Status::Failed => paint(self.colour, "1;31", "FAILED"),
            };
            let heading = format!("{n}/{}  {title}", self.total);
            let timing = paint(self.colour, "2", &format!("{:>8.1} ms", result.millis));
            ui::out(&format!("{heading:<58} {badge:<7} {timing}\n"));
            for line in &result.details {
                ui::out(&format!("      {line}\n"));
            }
        }
        self.results.push(result);
    }
}

fn flows(
    endpoint: &str,
    pool: &str,
    client: &str,
) -> Result<cognito_auth_flows::FlowsBuilder, CliError> {
    Ok(Flows::builder(
        crate::sdk::local_client(endpoint, "us-east-1"),
        pool,
        client,
    ))
}

/// The user the demo signs up.
const NEW_USER: &str = "carol";

/// SignUp, ConfirmSignUp with the code from the emulator's outbox, SRP sign-in.
async fn sign_up_then_sign_in(
    flows: &Flows,
    emulator: &cognito_auth_emulator::Service,
) -> Result<Tokens, FlowsError> {
    let password = SecretString::from(PASSWORD);
    let request =
        SignUp::new(NEW_USER, password.clone()).with_attribute("email", "carol@example.com");
    let outcome = flows.api().sign_up(&request).await?;
    if !matches!(outcome.next, SignUpStep::ConfirmSignUp { .. }) {
        return Err(FlowsError::Config(format!(
            "expected CONFIRM_SIGN_UP, got {:?}",
            outcome.next
        )));
    }
    let code = emulator
        .outbox()
        .messages(Some(NEW_USER))
        .last()
        .map(|m| m.code.clone())
        .ok_or_else(|| FlowsError::Config("no sign-up code in the outbox".into()))?;
    let confirm = ConfirmSignUp::new(NEW_USER, SecretString::from(code));
    flows.api().confirm_sign_up(&confirm).await?;
    flows.sign_in_srp(NEW_USER, &password).await
}

/// Runs the demo.
pub async fn run(json_output: bool) -> Result<u8, CliError> {
    let started_all = Instant::now();
    let seed: cognito_auth_emulator::seed::Seed =
        toml::from_str(SEED).map_err(|e| CliError::other(format!("demo seed: {e}")))?;
    // The seed names the built-in CUSTOM_AUTH triggers, so they join the
    // emulator's trigger table.
    let emulator = Emulator::start_seeded(EmulatorConfig::default(), &seed)
        .await
        .map_err(|e| CliError::other(format!("starting the emulator: {e}")))?;
    let endpoint = emulator.endpoint_url();
    let colour = ui::stdout_colour();
    if !json_output {
        ui::out(&format!(
            "{} a local Cognito emulator at {endpoint}\n      pool {POOL}, app client {CLIENT}, user {USER}; no AWS account or credentials used\n\n",
            paint(colour, "1", "cognito-auth demo:")
        ));
    }
    let mut runner = Runner {
        json: json_output,
        colour,
        total: 9,
        results: Vec::new(),
    };
    let handler = DemoHandler {
        totp_secret: Mutex::new(None),
        emulator: Arc::clone(emulator.service()),
        seen: Mutex::new(Vec::new()),
    };
    let password = SecretString::from(PASSWORD);

    let plain = flows(&endpoint, POOL, CLIENT)?.build()?;
    let devices = Arc::new(MemoryDeviceStore::new());
    let with_device = flows(&endpoint, POOL, CLIENT)?
        .device_store(devices.clone())
        .device_policy(DevicePolicy::Remember {
            device_name: Some("cognito-auth demo".into()),
        })
        .build()?;
    let mfa = flows(&endpoint, MFA_POOL, MFA_CLIENT)?.build()?;

    // 1. SRP.
    let t = Instant::now();
    let first = plain.sign_in_srp(USER, &password).await;
    let mut srp_tokens = None;
    match first {
        Ok(tokens) => {
            let mut details = vec![
                "USER_SRP_AUTH + PASSWORD_VERIFIER: the password never left this process"
                    .to_owned(),
            ];
            details.extend(summary(&tokens));
            runner.record(
                "srp_sign_in",
                "SRP sign-in (USER_SRP_AUTH)",
                t,
                Status::Ok,
                details,
            );
            srp_tokens = Some(tokens);
        }
        Err(e) => runner.failed("srp_sign_in", "SRP sign-in (USER_SRP_AUTH)", t, &e),
    }

    // 2. Remember the device.
    let t = Instant::now();
    let remembered = with_device.sign_in_srp(USER, &password).await;
    let mut device_tokens = None;
    match remembered {
        Ok(tokens)
            if tokens
                .notices()
                .iter()
                .any(|n| matches!(n, Notice::DeviceConfirmed { .. })) =>
        {
            runner.record(
                "remember_device",
                "SRP sign-in, remembering the device (ConfirmDevice)",
                t,
                Status::Ok,
                summary(&tokens),
            );
            device_tokens = Some(tokens);
        }
        Ok(tokens) => {
            let mut details = vec!["no device was confirmed".to_owned()];
            details.extend(summary(&tokens));
            runner.record(
                "remember_device",
                "SRP sign-in, remembering the device (ConfirmDevice)",
                t,
                Status::Failed,
                details,
            );
        }
        Err(e) => runner.failed(
            "remember_device",
            "SRP sign-in, remembering the device (ConfirmDevice)",
            t,
            &e,
        ),
    }

    // 3. Device SRP.
    let t = Instant::now();
    let title = "Sign-in with the remembered device (DEVICE_SRP_AUTH)";
    match with_device.sign_in_srp(USER, &password).await {
        Ok(tokens)
            if tokens
                .notices()
                .iter()
                .any(|n| matches!(n, Notice::DeviceAuthenticated { .. })) =>
        {
            runner.record("device_srp_sign_in", title, t, Status::Ok, summary(&tokens));
        }
        Ok(tokens) => {
            let mut details = vec!["signed in, but not through the device".to_owned()];
            details.extend(summary(&tokens));
            runner.record("device_srp_sign_in", title, t, Status::Failed, details);
        }
        Err(e) => runner.failed("device_srp_sign_in", title, t, &e),
    }

    // 4. TOTP setup.
    let t = Instant::now();
    let title = "TOTP MFA set up at sign-in (MFA_SETUP)";
    match mfa
        .sign_in(&SignIn::srp(MFA_USER, password.clone()), &handler)
        .await
    {
        Ok(tokens) => {
            let mut details = vec![format!(
                "pool {MFA_POOL} requires MFA; user {MFA_USER} associated an authenticator and answered with its code"
            )];
            details.extend(summary(&tokens));
            runner.record("totp_mfa_setup", title, t, Status::Ok, details);
        }
        Err(e) => runner.failed("totp_mfa_setup", title, t, &e),
    }

    // 5. TOTP sign-in.
    let t = Instant::now();
    let title = "TOTP MFA sign-in (SOFTWARE_TOKEN_MFA)";
    let before = handler.seen.lock().map(|s| s.len()).unwrap_or(0);
    match mfa
        .sign_in(&SignIn::srp(MFA_USER, password.clone()), &handler)
        .await
    {
        Ok(tokens) => {
            let asked: Vec<String> = handler
                .seen
                .lock()
                .map(|s| s.iter().skip(before).cloned().collect())
                .unwrap_or_default();
            let mut details = vec![format!("challenges answered: {}", asked.join(", "))];
            details.extend(summary(&tokens));
            let status = if asked.iter().any(|c| c == "SOFTWARE_TOKEN_MFA") {
                Status::Ok
            } else {
                Status::Failed
            };
            runner.record("totp_mfa_sign_in", title, t, status, details);
        }
        Err(e) => runner.failed("totp_mfa_sign_in", title, t, &e),
    }

    // 6. CUSTOM_AUTH.
    let t = Instant::now();
    let title = "Custom challenge sign-in (CUSTOM_AUTH)";
    match plain
        .sign_in(&SignIn::custom_with_srp(USER, password.clone()), &handler)
        .await
    {
        Ok(tokens) => {
            let mut details = vec![
                "SRP first, then the pool's CUSTOM_CHALLENGE answered with the code it sent"
                    .to_owned(),
            ];
            details.extend(summary(&tokens));
            runner.record("custom_auth", title, t, Status::Ok, details);
        }
        Err(e) => runner.record("custom_auth", title, t, Status::Failed, vec![e.to_string()]),
    }

    // 7. Refresh.
    let t = Instant::now();
    let title = "Refresh (REFRESH_TOKEN_AUTH)";
    let source = device_tokens.as_ref().or(srp_tokens.as_ref());
    match source.and_then(Refresh::from_tokens) {
        Some(refresh) => match with_device.refresh(&refresh).await {
            Ok(tokens) => {
                let mut details =
                    vec!["new access and ID tokens from the refresh token".to_owned()];
                details.extend(summary(&tokens));
                runner.record("refresh", title, t, Status::Ok, details);
            }
            Err(e) => runner.record("refresh", title, t, Status::Failed, vec![e.to_string()]),
        },
        None => runner.record(
            "refresh",
            title,
            t,
            Status::Failed,
            vec!["no refresh token from an earlier step".into()],
        ),
    }

    // 8. Wrong password.
    let t = Instant::now();
    let title = "Wrong password refused";
    match plain
        .sign_in_srp(USER, &SecretString::from("not-the-password"))
        .await
    {
        Err(FlowsError::WrongCredentials) => runner.record(
            "wrong_password_refused",
            title,
            t,
            Status::Ok,
            vec![format!(
                "refused: {} (exit code {} from sign-in)",
                FlowsError::WrongCredentials,
                code::WRONG_CREDENTIALS
            )],
        ),
        Err(e) => runner.record(
            "wrong_password_refused",
            title,
            t,
            Status::Failed,
            vec![format!("unexpected error: {e}")],
        ),
        Ok(_) => runner.record(
            "wrong_password_refused",
            title,
            t,
            Status::Failed,
            vec!["a wrong password was accepted".into()],
        ),
    }

    // 9. The account around sign-in: sign up, confirm with the mailed code, sign in.
    let t = Instant::now();
    let title = "Sign-up, confirm with the emailed code, sign-in";
    match sign_up_then_sign_in(&plain, emulator.service()).await {
        Ok(tokens) => {
            let mut details = vec![format!(
                "SignUp {NEW_USER} -> CONFIRM_SIGN_UP (code to the outbox) -> ConfirmSignUp -> SRP sign-in"
            )];
            details.extend(summary(&tokens));
            runner.record("sign_up_lifecycle", title, t, Status::Ok, details);
        }
        Err(e) => runner.failed("sign_up_lifecycle", title, t, &e),
    }

    emulator.shutdown().await;
    let failed = runner
        .results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .count();
    let skipped = runner
        .results
        .iter()
        .filter(|r| r.status == Status::Skipped)
        .count();
    let total_ms = started_all.elapsed().as_secs_f64() * 1000.0;
    if json_output {
        let steps: Vec<Value> = runner
            .results
            .iter()
            .map(|r| {
                json!({
                    "step": r.key,
                    "title": r.title,
                    "status": r.status.as_str(),
                    "ok": r.status == Status::Ok,
                    "millis": (r.millis * 10.0).round() / 10.0,
                    "details": r.details,
                })
            })
            .collect();
        let value = json!({
            "endpoint": endpoint,
            "pool_id": POOL,
            "client_id": CLIENT,
            "ok": failed == 0,
            "failed": failed,
            "skipped": skipped,
            "total_millis": (total_ms * 10.0).round() / 10.0,
            "steps": steps,
        });
        ui::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ));
    } else {
        let ok = runner.results.len() - failed - skipped;
        ui::out(&format!(
            "\n{ok} ok, {skipped} skipped, {failed} failed in {:.0} ms\n",
            total_ms
        ));
    }
    Ok(if failed == 0 { code::OK } else { code::OTHER })
}
