//! The emulator's API as the network sees it: a script of calls into
//! `Service::call` (the function the HTTP layer hands every request body to),
//! each against a fresh copy of one seeded pool.
//!
//! Input: one call a line, `Operation <body>`. Before a body is sent, these words
//! in it are replaced, so mutated scripts still reach deep states:
//! `$POOL` `$CLIENT` `$SCLIENT` (the client with a secret) `$SECRET` (its
//! secret) — the seeded ids;
//! `$SESSION` `$ACCESS` `$REFRESH` `$DEVICE` — the latest of each any reply gave;
//! `$CODE` — the newest outbox code; `$TOTP` — the current code for the latest
//! AssociateSoftwareToken secret; `$SRP_A` / `$DEVICE_SRP_A` — a real client's A.
//! When the body is JSON, string members equal to `$HASH` become the SECRET_HASH
//! of the USERNAME beside them, `$CLAIM` / `$DEVICE_CLAIM` the real
//! PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER answer to the latest challenge,
//! and `DeviceSecretVerifierConfig: "$VERIFIER"` a real device registration.
//! A body that is not JSON is sent as it is.
//!
//! What must hold for every input: no panic; no InternalErrorException (that is
//! our fault, never the caller's); every success is a JSON object; no error
//! message longer than 1 KiB (errors must not echo big input back).
//!
//! `EMULATOR_FUZZ_TRACE=1` prints each call's outcome, for writing seeds:
//! `EMULATOR_FUZZ_TRACE=1 cargo +nightly fuzz run emulator_api fuzz/corpus/emulator_api/srp-sign-in`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cognito_auth_emulator::{ErrorKind, Service, ServiceConfig, totp_code_for_secret};
use cognito_auth_srp::{
    AppClient, DeviceSrpClient, PoolId, RememberedDevice, SystemClock, UserSrpClient,
    register_device,
};
use secrecy::SecretString;
use serde_json::{Map, Value, json};

/// Every seeded user's password.
const PASSWORD: &str = "Fuzz-Password-1";
/// Calls per input: enough for a sign-in with MFA and a device, bounded so one
/// input cannot run for long.
const MAX_CALLS: usize = 24;

struct World {
    dir: PathBuf,
    pool_id: String,
    client_id: String,
    secret_client_id: String,
    client_secret: String,
}

static WORLD: OnceLock<World> = OnceLock::new();

/// `$DEVICE_SRP_A` and `$DEVICE_CLAIM` while the other words are replaced: they
/// must not be read as `$DEVICE` followed by text.
const DEVICE_SRP_A: &str = "#device-srp-a#";
const DEVICE_CLAIM: &str = "#device-claim#";

fn config() -> ServiceConfig {
    ServiceConfig {
        // The trigger table is empty, so a LambdaConfig the script writes (a URL
        // included) names nothing that runs; the short timeout only bounds a
        // trigger should the table ever gain one.
        trigger_timeout: std::time::Duration::from_millis(200),
        ..ServiceConfig::default()
    }
}

fn ok(service: &Service, operation: &str, body: Value) -> Value {
    match service.call(operation, body.to_string().as_bytes()) {
        Ok(output) => output,
        Err(error) => panic!("seeding {operation} failed: {error:?}"),
    }
}

/// Builds the template database once: a pool with optional MFA, device tracking,
/// email alias and every USER_AUTH factor; a client without and one with a
/// secret; users in the states the flows branch on.
fn world() -> &'static World {
    WORLD.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("cognito-auth-fuzz-emulator-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("fuzz work folder");
        let service = Service::open(Some(&dir.join("template.db")), config()).expect("template");
        let pool = ok(
            &service,
            "CreateUserPool",
            json!({
                "PoolName": "fuzz",
                "AliasAttributes": ["email"],
                "MfaConfiguration": "OPTIONAL",
                "DeviceConfiguration": {
                    "ChallengeRequiredOnNewDevice": true,
                    "DeviceOnlyRememberedOnUserPrompt": false,
                },
                "Policies": { "SignInPolicy": {
                    "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"],
                }},
            }),
        );
        let pool_id = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
        let flows = json!([
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_USER_AUTH",
        ]);
        let client = ok(
            &service,
            "CreateUserPoolClient",
            json!({ "UserPoolId": pool_id, "ClientName": "public", "ExplicitAuthFlows": flows,
                    "EnableTokenRevocation": true }),
        );
        let secret_client = ok(
            &service,
            "CreateUserPoolClient",
            json!({ "UserPoolId": pool_id, "ClientName": "secret", "GenerateSecret": true,
                    "ExplicitAuthFlows": flows, "PreventUserExistenceErrors": "ENABLED" }),
        );
        let users = [
            (
                "alice",
                json!([
                    { "Name": "email", "Value": "alice@example.com" },
                    { "Name": "email_verified", "Value": "true" },
                ]),
            ),
            (
                "bob",
                json!([
                    { "Name": "email", "Value": "bob@example.com" },
                    { "Name": "email_verified", "Value": "true" },
                    { "Name": "phone_number", "Value": "+15550100" },
                ]),
            ),
            ("carol", json!([])),
        ];
        for (name, attributes) in users {
            ok(
                &service,
                "AdminCreateUser",
                json!({ "UserPoolId": pool_id, "Username": name, "UserAttributes": attributes,
                        "TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS" }),
            );
            // carol keeps FORCE_CHANGE_PASSWORD (NEW_PASSWORD_REQUIRED).
            if name != "carol" {
                ok(
                    &service,
                    "AdminSetUserPassword",
                    json!({ "UserPoolId": pool_id, "Username": name, "Password": PASSWORD,
                            "Permanent": true }),
                );
            }
        }
        ok(
            &service,
            "AdminSetUserMFAPreference",
            json!({ "UserPoolId": pool_id, "Username": "bob",
                    "SMSMfaSettings": { "Enabled": true, "PreferredMfa": true } }),
        );
        ok(
            &service,
            "SignUp",
            json!({ "ClientId": client["UserPoolClient"]["ClientId"], "Username": "dave",
                    "Password": PASSWORD }),
        );
        drop(service);
        World {
            dir,
            pool_id,
            client_id: client["UserPoolClient"]["ClientId"]
                .as_str()
                .expect("client id")
                .to_owned(),
            secret_client_id: secret_client["UserPoolClient"]["ClientId"]
                .as_str()
                .expect("client id")
                .to_owned(),
            client_secret: secret_client["UserPoolClient"]["ClientSecret"]
                .as_str()
                .expect("client secret")
                .to_owned(),
        }
    })
}

/// Deletes the template database's folder, if one was made. For the seed replay
/// test, which runs once per process; a fuzzing process keeps the folder to the end.
pub fn remove_work_dir() {
    if let Some(world) = WORLD.get() {
        let _ = std::fs::remove_dir_all(&world.dir);
    }
}

/// What the script has learned from the replies so far.
#[derive(Default)]
struct Script {
    session: String,
    access: String,
    refresh: String,
    device_key: String,
    device_group_key: String,
    totp_secret: String,
    challenge: Map<String, Value>,
    user_srp: Option<UserSrpClient>,
    device: Option<RememberedDevice>,
    device_srp: Option<DeviceSrpClient>,
}

impl Script {
    fn learn(&mut self, output: &Value) {
        let slots = [
            ("/Session", &mut self.session),
            ("/AuthenticationResult/AccessToken", &mut self.access),
            ("/AuthenticationResult/RefreshToken", &mut self.refresh),
            (
                "/AuthenticationResult/NewDeviceMetadata/DeviceKey",
                &mut self.device_key,
            ),
            (
                "/AuthenticationResult/NewDeviceMetadata/DeviceGroupKey",
                &mut self.device_group_key,
            ),
            ("/SecretCode", &mut self.totp_secret),
        ];
        for (pointer, slot) in slots {
            if let Some(text) = output.pointer(pointer).and_then(Value::as_str) {
                text.clone_into(slot);
            }
        }
        if let Some(parameters) = output.get("ChallengeParameters").and_then(Value::as_object) {
            self.challenge = parameters.clone();
        }
    }

    fn app(&self, world: &World, client_id: &str) -> AppClient {
        if client_id == world.secret_client_id {
            AppClient::with_secret(client_id, SecretString::from(world.client_secret.clone()))
        } else {
            AppClient::new(client_id)
        }
    }

    fn substitute(&mut self, world: &World, service: &Service, body: &str) -> String {
        let mut body = body
            .replace("$POOL", &world.pool_id)
            .replace("$SCLIENT", &world.secret_client_id)
            .replace("$SECRET", &world.client_secret)
            .replace("$CLIENT", &world.client_id)
            .replace("$SESSION", &self.session)
            .replace("$ACCESS", &self.access)
            .replace("$REFRESH", &self.refresh)
            .replace("$DEVICE_SRP_A", DEVICE_SRP_A)
            .replace("$DEVICE_CLAIM", DEVICE_CLAIM)
            .replace("$DEVICE", &self.device_key);
        if body.contains("$CODE") {
            let code = service
                .outbox()
                .messages(None)
                .last()
                .map(|m| m.code.clone())
                .unwrap_or_default();
            body = body.replace("$CODE", &code);
        }
        if body.contains("$TOTP") {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let code = totp_code_for_secret(&self.totp_secret, now).unwrap_or_default();
            body = body.replace("$TOTP", &code);
        }
        if body.contains("$SRP_A") {
            let client_id = client_in(&body).unwrap_or_else(|| world.client_id.clone());
            let pool = PoolId::parse(&world.pool_id).expect("seeded pool id parses");
            let srp = UserSrpClient::new(pool, self.app(world, &client_id)).expect("random a");
            body = body.replace("$SRP_A", &srp.srp_a());
            self.user_srp = Some(srp);
        }
        if body.contains(DEVICE_SRP_A) {
            let srp_a = match &self.device {
                Some(device) => {
                    let client_id = client_in(&body).unwrap_or_else(|| world.client_id.clone());
                    let srp = DeviceSrpClient::new(self.app(world, &client_id), device.clone())
                        .expect("random a");
                    let srp_a = srp.srp_a();
                    self.device_srp = Some(srp);
                    srp_a
                }
                None => String::new(),
            };
            body = body.replace(DEVICE_SRP_A, &srp_a);
        }
        body
    }

    /// The `$HASH`, `$CLAIM`, `$DEVICE_CLAIM` and `$VERIFIER` members.
    fn complete(&mut self, world: &World, request: &mut Value) {
        let client_id = request
            .get("ClientId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let app = self.app(world, &client_id);
        for field in ["AuthParameters", "ChallengeResponses"] {
            let Some(map) = request.get_mut(field).and_then(Value::as_object_mut) else {
                continue;
            };
            let marker = |map: &Map<String, Value>, key: &str, word: &str| {
                map.get(key).and_then(Value::as_str) == Some(word)
            };
            let claim = if marker(map, "PASSWORD_CLAIM_SIGNATURE", "$CLAIM") {
                self.user_srp.as_ref().and_then(|srp| {
                    srp.password_verifier_responses(
                        &self.challenge_strings(),
                        &SecretString::from(PASSWORD),
                        None,
                        &SystemClock,
                    )
                    .ok()
                })
            } else if marker(map, "PASSWORD_CLAIM_SIGNATURE", DEVICE_CLAIM) {
                let username = self
                    .challenge
                    .get("USERNAME")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                self.device_srp.as_ref().and_then(|srp| {
                    srp.device_password_verifier_responses(
                        &self.challenge_strings(),
                        username,
                        &SystemClock,
                    )
                    .ok()
                })
            } else {
                None
            };
            for (key, value) in claim.iter().flatten() {
                if matches!(
                    key.as_str(),
                    "PASSWORD_CLAIM_SIGNATURE" | "PASSWORD_CLAIM_SECRET_BLOCK" | "TIMESTAMP"
                ) {
                    map.insert(key.clone(), Value::String(value.clone()));
                }
            }
            if marker(map, "SECRET_HASH", "$HASH") {
                let username = map
                    .get("USERNAME")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let hash = app.secret_hash(&username).unwrap_or_default();
                map.insert("SECRET_HASH".to_owned(), Value::String(hash));
            }
        }
        if request
            .get("DeviceSecretVerifierConfig")
            .and_then(Value::as_str)
            == Some("$VERIFIER")
        {
            let device_key = request
                .get("DeviceKey")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if let Ok(registration) = register_device(&self.device_group_key, &device_key) {
                request["DeviceSecretVerifierConfig"] = json!({
                    "PasswordVerifier": registration.verifier_config.password_verifier,
                    "Salt": registration.verifier_config.salt,
                });
                self.device = Some(registration.device);
            }
        }
    }

    fn challenge_strings(&self) -> std::collections::BTreeMap<String, String> {
        self.challenge
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect()
    }
}

/// The `"ClientId": "..."` of a body that is not parsed yet.
fn client_in(body: &str) -> Option<String> {
    let rest = body.split("\"ClientId\"").nth(1)?;
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    Some(rest[start..end].to_owned())
}

/// A fresh service over a copy of the template database.
fn fresh_service(world: &World) -> Service {
    let run = world.dir.join("run.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(world.dir.join(format!("run.db{suffix}")));
    }
    std::fs::copy(world.dir.join("template.db"), &run).expect("copy template");
    Service::open(Some(&run), config()).expect("open copy")
}

fn trace(operation: &str, outcome: &str) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("EMULATOR_FUZZ_TRACE").is_some()) {
        #[allow(
            clippy::print_stderr,
            reason = "the trace asked for by EMULATOR_FUZZ_TRACE"
        )]
        {
            eprintln!("{operation}: {outcome}");
        }
    }
}

/// Runs one fuzz input; panics on a finding.
pub fn run(data: &[u8]) {
    let world = world();
    let service = fresh_service(world);
    let text = String::from_utf8_lossy(data);
    let mut script = Script::default();
    for line in text.lines().take(MAX_CALLS) {
        let (operation, body) = line.split_once(' ').unwrap_or((line, ""));
        let body = script.substitute(world, &service, body);
        let body = match serde_json::from_str::<Value>(&body) {
            Ok(mut request) => {
                script.complete(world, &mut request);
                request.to_string()
            }
            Err(_) => body,
        };
        match service.call(operation, body.as_bytes()) {
            Ok(output) => {
                assert!(
                    output.is_object(),
                    "{operation} answered a non-object: {output}"
                );
                let next = output
                    .get("ChallengeName")
                    .and_then(Value::as_str)
                    .unwrap_or(if output.get("AuthenticationResult").is_some() {
                        "tokens"
                    } else {
                        "ok"
                    });
                trace(operation, next);
                script.learn(&output);
            }
            Err(error) => {
                trace(operation, &format!("{:?}: {}", error.kind, error.message));
                assert_ne!(
                    error.kind,
                    ErrorKind::InternalError,
                    "{operation} failed on our side: {}",
                    error.message
                );
                assert!(
                    error.message.len() <= 1024,
                    "{operation}: a {}-byte error message",
                    error.message.len()
                );
            }
        }
    }
}
