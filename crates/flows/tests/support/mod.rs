//! A scripted fake Cognito (AWS JSON 1.1 over loopback HTTP) that really verifies
//! SRP and device SRP with `cognito_auth_srp`'s server side, enforces SECRET_HASH
//! over the username each step expects, binds Sessions, and records every request.
//! Small and strict on purpose: it checks what the client sends.
//!
//! Also the helpers the tests against real emulators (ours and MiniStack)
//! share: passwords, TOTP codes, SDK configuration, pools and app clients.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use cognito_auth_flows::{Flows, FlowsBuilder};
use cognito_auth_srp::{
    ClientPublic, DeviceSecretVerifierConfig, PasswordClaim, PasswordVerifier, PoolId,
    ServerChallenge, secret_hash,
};
use secrecy::SecretString;
use serde_json::{Value, json};

pub const POOL_ID: &str = "us-east-1_FakePool1";
pub const CLIENT_ID: &str = "fakeclient0123456789abcdef";
pub const CLIENT_SECRET: &str = "fake-client-secret-value";
pub const CODE: &str = "123456";
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
/// The password of the users the emulator and MiniStack tests create.
pub const PASSWORD: &str = "Correct-Horse-9";

/// What comes after a proven password.
#[derive(Clone, Debug, PartialEq)]
pub enum After {
    Tokens,
    SmsMfa,
    TotpMfa,
    SelectMfa,
    SetupTotp,
    NewPassword,
    /// CUSTOM_CHALLENGE forever: a server that never ends the loop.
    Forever,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Confirmed,
    Unconfirmed,
    ResetRequired,
}

#[derive(Clone)]
pub struct User {
    pub username: String,
    pub alias: Option<String>,
    pub password: String,
    pub after: After,
    pub status: Status,
    pub track_devices: bool,
    verifier: PasswordVerifier,
}

impl User {
    pub fn new(username: &str, password: &str) -> Self {
        let pool = PoolId::parse(POOL_ID).unwrap();
        Self {
            username: username.into(),
            alias: None,
            password: password.into(),
            after: After::Tokens,
            status: Status::Confirmed,
            track_devices: false,
            verifier: PasswordVerifier::for_user(
                &pool,
                username,
                &SecretString::from(password.to_owned()),
            )
            .unwrap(),
        }
    }
    pub fn alias(mut self, alias: &str) -> Self {
        self.alias = Some(alias.into());
        self
    }
    pub fn after(mut self, after: After) -> Self {
        self.after = after;
        self
    }
    pub fn status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }
    pub fn track_devices(mut self) -> Self {
        self.track_devices = true;
        self
    }
}

struct SrpPending {
    server: ServerChallenge,
    user: String,
    device_key: Option<String>,
    then_custom: bool,
}

#[derive(Clone)]
struct Device {
    user: String,
    group: String,
    verifier: Option<PasswordVerifier>,
}

#[derive(Clone, Debug)]
struct Session {
    user: String,
    expects: String,
    device_key: Option<String>,
}

#[derive(Default)]
struct Inner {
    counter: u64,
    srp: HashMap<String, SrpPending>,
    sessions: HashMap<String, Session>,
    refresh: HashMap<String, (String, Option<String>)>,
    devices: HashMap<String, Device>,
    failures: HashMap<String, u32>,
    log: Vec<(String, Value)>,
}

pub struct Fake {
    pub secret: Option<String>,
    users: Vec<User>,
    inner: Mutex<Inner>,
}

type Reply = Result<Value, (StatusCode, &'static str, String)>;

/// Takes the request's Session out of the fake (sessions are single-use), or
/// refuses the call as Cognito refuses an unknown or used session.
fn take_session(
    inner: &mut Inner,
    body: &Value,
) -> Result<Session, (StatusCode, &'static str, String)> {
    let id = body
        .get("Session")
        .and_then(Value::as_str)
        .unwrap_or_default();
    inner
        .sessions
        .remove(id)
        .ok_or_else(|| err("NotAuthorizedException", "Invalid session for the user."))
}

/// The fake has one app client; any other is refused as Cognito refuses it.
fn known_client(body: &Value) -> Result<(), (StatusCode, &'static str, String)> {
    if body["ClientId"] == CLIENT_ID {
        Ok(())
    } else {
        Err(err(
            "ResourceNotFoundException",
            "User pool client does not exist.",
        ))
    }
}

fn err(code: &'static str, message: &str) -> (StatusCode, &'static str, String) {
    (StatusCode::BAD_REQUEST, code, message.to_owned())
}

fn b64url(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

impl Fake {
    pub fn new(users: Vec<User>, secret: bool) -> Arc<Self> {
        Arc::new(Self {
            secret: secret.then(|| CLIENT_SECRET.to_owned()),
            users,
            inner: Mutex::new(Inner::default()),
        })
    }

    /// Every request: (operation, JSON body).
    pub fn log(&self) -> Vec<(String, Value)> {
        self.inner.lock().unwrap().log.clone()
    }

    pub fn requests(&self, op: &str) -> Vec<Value> {
        self.log()
            .into_iter()
            .filter(|(o, _)| o == op)
            .map(|(_, v)| v)
            .collect()
    }

    /// Cognito forgets a device (e.g. an admin called AdminForgetDevice).
    pub fn forget_device(&self, device_key: &str) {
        self.inner.lock().unwrap().devices.remove(device_key);
    }

    pub fn device_count(&self) -> usize {
        self.inner.lock().unwrap().devices.len()
    }

    fn user(&self, name: &str) -> Option<User> {
        self.users
            .iter()
            .find(|u| u.username == name || u.alias.as_deref() == Some(name))
            .cloned()
    }

    fn next(&self, inner: &mut Inner, prefix: &str) -> String {
        inner.counter += 1;
        format!("{prefix}-{:0>32}", inner.counter)
    }

    fn check_hash(
        &self,
        map: &Value,
        username: &str,
    ) -> Result<(), (StatusCode, &'static str, String)> {
        let sent = map.get("SECRET_HASH").and_then(Value::as_str);
        match (&self.secret, sent) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(err(
                "InvalidParameterException",
                &format!(
                    "App client {CLIENT_ID} is not configured for secret but secret hash was received"
                ),
            )),
            (Some(_), None) => Err(err(
                "NotAuthorizedException",
                &format!(
                    "Client {CLIENT_ID} is configured with secret but SECRET_HASH was not received"
                ),
            )),
            (Some(secret), Some(hash)) => {
                if hash == secret_hash(username, CLIENT_ID, secret) {
                    Ok(())
                } else {
                    Err(err(
                        "NotAuthorizedException",
                        &format!("Unable to verify secret hash for client {CLIENT_ID}"),
                    ))
                }
            }
        }
    }

    fn session(
        &self,
        inner: &mut Inner,
        user: &str,
        expects: &str,
        device_key: Option<String>,
    ) -> String {
        let id = self.next(inner, "session");
        inner.sessions.insert(
            id.clone(),
            Session {
                user: user.into(),
                expects: expects.into(),
                device_key,
            },
        );
        id
    }

    fn challenge(
        &self,
        inner: &mut Inner,
        user: &User,
        name: &str,
        mut params: Value,
        device_key: Option<String>,
    ) -> Value {
        let session = self.session(inner, &user.username, name, device_key);
        if params.get("USER_ID_FOR_SRP").is_none() {
            params["USER_ID_FOR_SRP"] = json!(user.username);
        }
        json!({"ChallengeName": name, "Session": session, "ChallengeParameters": params})
    }

    fn tokens(&self, inner: &mut Inner, user: &User, device_key: Option<String>) -> Value {
        let mut result = json!({"ExpiresIn": 3600, "TokenType": "Bearer"});
        let mut device = device_key.clone();
        if device.is_none() && user.track_devices {
            let key = format!("us-east-1_{}", self.next(inner, "dev"));
            inner.devices.insert(
                key.clone(),
                Device {
                    user: user.username.clone(),
                    group: "-grpKey01".into(),
                    verifier: None,
                },
            );
            result["NewDeviceMetadata"] = json!({"DeviceKey": key, "DeviceGroupKey": "-grpKey01"});
            device = Some(key);
        }
        let exp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600;
        let header = b64url(&json!({"alg": "RS256", "kid": "fake"}));
        let mut access = json!({"sub": format!("sub-{}", user.username), "username": user.username,
            "client_id": CLIENT_ID, "token_use": "access", "exp": exp,
            "iss": format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}")});
        if let Some(key) = &device {
            access["device_key"] = json!(key);
        }
        let id = json!({"sub": format!("sub-{}", user.username), "cognito:username": user.username,
            "aud": CLIENT_ID, "token_use": "id", "exp": exp, "email": user.alias});
        result["AccessToken"] = json!(format!("{header}.{}.sig", b64url(&access)));
        result["IdToken"] = json!(format!("{header}.{}.sig", b64url(&id)));
        let refresh = self.next(inner, "refresh");
        inner
            .refresh
            .insert(refresh.clone(), (user.username.clone(), device));
        result["RefreshToken"] = json!(refresh);
        json!({"AuthenticationResult": result, "ChallengeParameters": {}})
    }

    fn after_password(&self, inner: &mut Inner, user: &User, custom: bool) -> Value {
        if custom {
            return self.challenge(
                inner,
                user,
                "CUSTOM_CHALLENGE",
                json!({"question": "6*7"}),
                None,
            );
        }
        // Every outcome but tokens is a challenge with these parameters.
        let (name, parameters) = match user.after {
            After::Tokens => return self.tokens(inner, user, None),
            After::SmsMfa => (
                "SMS_MFA",
                json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+******1234"}),
            ),
            After::TotpMfa => ("SOFTWARE_TOKEN_MFA", json!({})),
            After::SelectMfa => (
                "SELECT_MFA_TYPE",
                json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]"}),
            ),
            After::SetupTotp => (
                "MFA_SETUP",
                json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
            ),
            After::NewPassword => (
                "NEW_PASSWORD_REQUIRED",
                json!({"requiredAttributes": "[\"userAttributes.name\"]",
                       "userAttributes": "{\"email\":\"x@example.com\",\"email_verified\":\"true\"}"}),
            ),
            After::Forever => ("CUSTOM_CHALLENGE", json!({"round": "again"})),
        };
        self.challenge(inner, user, name, parameters, None)
    }

    fn srp_challenge(
        &self,
        inner: &mut Inner,
        user: &User,
        srp_a: &str,
        device_key: Option<String>,
        then_custom: bool,
    ) -> Value {
        let server =
            ServerChallenge::new(&user.verifier, ClientPublic::parse(srp_a).unwrap()).unwrap();
        let block_id = self.next(inner, "block");
        let secret_block = base64::engine::general_purpose::STANDARD.encode(&block_id);
        let params = json!({"SALT": server.salt(), "SRP_B": server.srp_b(), "SECRET_BLOCK": secret_block,
            "USERNAME": user.username, "USER_ID_FOR_SRP": user.username});
        inner.srp.insert(
            secret_block,
            SrpPending {
                server,
                user: user.username.clone(),
                device_key,
                then_custom,
            },
        );
        // Like MiniStack and (measured) AWS: no Session on PASSWORD_VERIFIER.
        json!({"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": params})
    }

    fn wrong_password(&self, inner: &mut Inner, user: &str) -> (StatusCode, &'static str, String) {
        let count = inner.failures.entry(user.to_owned()).or_insert(0);
        *count += 1;
        if *count > 5 {
            err("NotAuthorizedException", "Password attempts exceeded")
        } else {
            err("NotAuthorizedException", "Incorrect username or password.")
        }
    }

    fn status_check(&self, user: &User) -> Result<(), (StatusCode, &'static str, String)> {
        match user.status {
            Status::Confirmed => Ok(()),
            Status::Unconfirmed => Err(err("UserNotConfirmedException", "User is not confirmed.")),
            Status::ResetRequired => Err(err(
                "PasswordResetRequiredException",
                "Password reset required for the user",
            )),
        }
    }

    fn locked(&self, inner: &Inner, user: &str) -> bool {
        inner.failures.get(user).copied().unwrap_or(0) > 5
    }

    fn initiate(&self, body: &Value) -> Reply {
        known_client(body)?;
        let params = &body["AuthParameters"];
        let flow = body["AuthFlow"].as_str().unwrap_or_default();
        let mut inner = self.inner.lock().unwrap();
        if flow == "REFRESH_TOKEN_AUTH" || flow == "REFRESH_TOKEN" {
            let token = params["REFRESH_TOKEN"].as_str().unwrap_or_default();
            let Some((name, device)) = inner.refresh.get(token).cloned() else {
                return Err(err("NotAuthorizedException", "Invalid Refresh Token."));
            };
            self.check_hash(params, &name)?;
            let sent_device = params
                .get("DEVICE_KEY")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let Some(key) = &sent_device
                && !inner.devices.contains_key(key)
            {
                return Err(err("ResourceNotFoundException", "Device does not exist."));
            }
            if device.is_some()
                && inner.devices.contains_key(device.as_deref().unwrap())
                && sent_device != device
            {
                return Err(err("NotAuthorizedException", "Invalid Refresh Token."));
            }
            let user = self.user(&name).unwrap();
            let mut reply = self.tokens(&mut inner, &user, device.or(Some("none".into())));
            let result = reply["AuthenticationResult"].as_object_mut().unwrap();
            result.remove("RefreshToken");
            result.remove("NewDeviceMetadata");
            return Ok(reply);
        }
        let typed = params["USERNAME"].as_str().unwrap_or_default().to_owned();
        self.check_hash(params, &typed)?;
        let Some(user) = self.user(&typed) else {
            return Err(err("UserNotFoundException", "User does not exist."));
        };
        self.status_check(&user)?;
        let device_key = params
            .get("DEVICE_KEY")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match flow {
            "USER_SRP_AUTH" => {
                let srp_a = params["SRP_A"].as_str().unwrap_or_default();
                if srp_a.is_empty() {
                    return Err(err(
                        "InvalidParameterException",
                        "Missing required parameter SRP_A",
                    ));
                }
                Ok(self.srp_challenge(&mut inner, &user, srp_a, device_key, false))
            }
            "USER_PASSWORD_AUTH" => {
                if self.locked(&inner, &user.username) {
                    return Err(err("NotAuthorizedException", "Password attempts exceeded"));
                }
                if params["PASSWORD"].as_str() != Some(&user.password) {
                    return Err(self.wrong_password(&mut inner, &user.username));
                }
                Ok(self.after_password(&mut inner, &user, false))
            }
            "CUSTOM_AUTH" => {
                if params.get("CHALLENGE_NAME").and_then(Value::as_str) == Some("SRP_A") {
                    let srp_a = params["SRP_A"].as_str().unwrap_or_default();
                    Ok(self.srp_challenge(&mut inner, &user, srp_a, None, true))
                } else {
                    Ok(self.after_password(&mut inner, &user, true))
                }
            }
            "USER_AUTH" => {
                if let Some(session) = body.get("Session").and_then(Value::as_str) {
                    if session == format!("signup-session-for-{}-0123456789", user.username) {
                        return Ok(self.tokens(&mut inner, &user, None));
                    }
                    return Err(err(
                        "NotAuthorizedException",
                        "Invalid session for the user.",
                    ));
                }
                match params.get("PREFERRED_CHALLENGE").and_then(Value::as_str) {
                    Some("PASSWORD_SRP") => {
                        let srp_a = params["SRP_A"].as_str().unwrap_or_default();
                        Ok(self.srp_challenge(&mut inner, &user, srp_a, device_key, false))
                    }
                    Some("PASSWORD") => {
                        if params["PASSWORD"].as_str() != Some(&user.password) {
                            return Err(self.wrong_password(&mut inner, &user.username));
                        }
                        Ok(self.after_password(&mut inner, &user, false))
                    }
                    Some("EMAIL_OTP") => Ok(self.challenge(
                        &mut inner,
                        &user,
                        "EMAIL_OTP",
                        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***"}),
                        None,
                    )),
                    _ => {
                        let session = self.session(&mut inner, &user.username, "SELECT_CHALLENGE", None);
                        Ok(json!({"ChallengeName": "SELECT_CHALLENGE", "Session": session,
                            "ChallengeParameters": {}, "AvailableChallenges": ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}))
                    }
                }
            }
            other => Err(err(
                "InvalidParameterException",
                &format!("Unsupported AuthFlow: {other}"),
            )),
        }
    }

    fn respond(&self, body: &Value) -> Reply {
        known_client(body)?;
        let responses = &body["ChallengeResponses"];
        let challenge = body["ChallengeName"].as_str().unwrap_or_default();
        let username = responses["USERNAME"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.check_hash(responses, &username)?;
        let mut inner = self.inner.lock().unwrap();
        match challenge {
            "PASSWORD_VERIFIER" => {
                let block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
                    .as_str()
                    .unwrap_or_default();
                let Some(pending) = inner.srp.remove(block) else {
                    return Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ));
                };
                if username != pending.user {
                    return Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ));
                }
                if self.locked(&inner, &pending.user) {
                    return Err(err("NotAuthorizedException", "Password attempts exceeded"));
                }
                let claim = PasswordClaim {
                    secret_block: block,
                    timestamp: responses["TIMESTAMP"].as_str().unwrap_or_default(),
                    signature: responses["PASSWORD_CLAIM_SIGNATURE"]
                        .as_str()
                        .unwrap_or_default(),
                };
                let pool = PoolId::parse(POOL_ID).unwrap();
                if pending
                    .server
                    .verify_user_claim(&pool, &pending.user, &claim)
                    .is_err()
                {
                    return Err(self.wrong_password(&mut inner, &pending.user));
                }
                inner.failures.remove(&pending.user);
                let user = self.user(&pending.user).unwrap();
                let device_key = responses
                    .get("DEVICE_KEY")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or(pending.device_key);
                if let Some(key) = device_key {
                    match inner.devices.get(&key) {
                        Some(device)
                            if device.verifier.is_some() && device.user == user.username =>
                        {
                            return Ok(self.challenge(
                                &mut inner,
                                &user,
                                "DEVICE_SRP_AUTH",
                                json!({"USERNAME": user.username}),
                                Some(key),
                            ));
                        }
                        Some(_) => {}
                        None => {
                            return Err(err("ResourceNotFoundException", "Device does not exist."));
                        }
                    }
                }
                Ok(self.after_password(&mut inner, &user, pending.then_custom))
            }
            _ => {
                let session = take_session(&mut inner, body)?;
                if session.expects != challenge || session.user != username {
                    return Err(err(
                        "NotAuthorizedException",
                        "Invalid session for the user.",
                    ));
                }
                let user = self.user(&session.user).unwrap();
                self.respond_in_session(&mut inner, &user, challenge, responses, session)
            }
        }
    }

    fn respond_in_session(
        &self,
        inner: &mut Inner,
        user: &User,
        challenge: &str,
        responses: &Value,
        session: Session,
    ) -> Reply {
        let field = |name: &str| {
            responses
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match challenge {
            "SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP" => {
                let key = match challenge {
                    "SMS_MFA" => "SMS_MFA_CODE",
                    "SOFTWARE_TOKEN_MFA" => "SOFTWARE_TOKEN_MFA_CODE",
                    _ => "EMAIL_OTP_CODE",
                };
                if field(key) != CODE {
                    return Err(err(
                        "CodeMismatchException",
                        "Invalid code received for user",
                    ));
                }
                Ok(self.tokens(inner, user, None))
            }
            "SELECT_MFA_TYPE" => match field("ANSWER").as_str() {
                "SMS_MFA" => Ok(self.challenge(
                    inner,
                    user,
                    "SMS_MFA",
                    json!({"CODE_DELIVERY_DESTINATION": "+***4"}),
                    None,
                )),
                "SOFTWARE_TOKEN_MFA" => {
                    Ok(self.challenge(inner, user, "SOFTWARE_TOKEN_MFA", json!({}), None))
                }
                _ => Err(err("InvalidParameterException", "Invalid MFA type")),
            },
            "NEW_PASSWORD_REQUIRED" => {
                if field("NEW_PASSWORD").len() < 8 {
                    return Err(err(
                        "InvalidPasswordException",
                        "Password does not conform to policy: Password not long enough",
                    ));
                }
                if field("userAttributes.name").is_empty() {
                    return Err(err(
                        "InvalidParameterException",
                        "Missing required attribute name",
                    ));
                }
                Ok(self.tokens(inner, user, None))
            }
            "MFA_SETUP" => Ok(self.tokens(inner, user, None)),
            "CUSTOM_CHALLENGE" => {
                if user.after == After::Forever {
                    return Ok(self.challenge(
                        inner,
                        user,
                        "CUSTOM_CHALLENGE",
                        json!({"round": "again"}),
                        None,
                    ));
                }
                if field("ANSWER") == "42" {
                    Ok(self.tokens(inner, user, None))
                } else {
                    Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ))
                }
            }
            "SELECT_CHALLENGE" => match field("ANSWER").as_str() {
                "PASSWORD_SRP" => Ok(self.srp_challenge(inner, user, &field("SRP_A"), None, false)),
                "PASSWORD" => {
                    if field("PASSWORD") != user.password {
                        return Err(self.wrong_password(inner, &user.username));
                    }
                    Ok(self.after_password(inner, user, false))
                }
                "EMAIL_OTP" => Ok(self.challenge(
                    inner,
                    user,
                    "EMAIL_OTP",
                    json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}),
                    None,
                )),
                _ => Err(err("InvalidParameterException", "Invalid ANSWER")),
            },
            "DEVICE_SRP_AUTH" => {
                let key = field("DEVICE_KEY");
                if Some(&key) != session.device_key.as_ref() {
                    return Err(err(
                        "NotAuthorizedException",
                        "Invalid session for the user.",
                    ));
                }
                let Some(device) = inner.devices.get(&key).cloned() else {
                    return Err(err("ResourceNotFoundException", "Device does not exist."));
                };
                let verifier = device.verifier.clone().unwrap();
                let srp_a = ClientPublic::parse(&field("SRP_A")).unwrap();
                let server = ServerChallenge::new(&verifier, srp_a).unwrap();
                let block_id = self.next(inner, "dblock");
                let secret_block = base64::engine::general_purpose::STANDARD.encode(&block_id);
                let params = json!({"SALT": server.salt(), "SRP_B": server.srp_b(), "SECRET_BLOCK": secret_block,
                    "USERNAME": user.username, "DEVICE_KEY": key});
                inner.srp.insert(
                    secret_block,
                    SrpPending {
                        server,
                        user: user.username.clone(),
                        device_key: Some(key.clone()),
                        then_custom: false,
                    },
                );
                let session =
                    self.session(inner, &user.username, "DEVICE_PASSWORD_VERIFIER", Some(key));
                Ok(
                    json!({"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": params}),
                )
            }
            "DEVICE_PASSWORD_VERIFIER" => {
                let block = field("PASSWORD_CLAIM_SECRET_BLOCK");
                let Some(pending) = inner.srp.remove(&block) else {
                    return Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ));
                };
                let key = pending.device_key.clone().unwrap_or_default();
                let Some(device) = inner.devices.get(&key).cloned() else {
                    return Err(err("ResourceNotFoundException", "Device does not exist."));
                };
                let claim = PasswordClaim {
                    secret_block: &block,
                    timestamp: &field("TIMESTAMP"),
                    signature: &field("PASSWORD_CLAIM_SIGNATURE"),
                };
                if pending
                    .server
                    .verify_device_claim(&device.group, &key, &claim)
                    .is_err()
                {
                    return Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ));
                }
                Ok(self.tokens(inner, user, Some(key)))
            }
            other => Err(err(
                "InvalidParameterException",
                &format!("Unknown challenge {other}"),
            )),
        }
    }

    fn access_token_user(&self, token: &str) -> Option<(String, Option<String>)> {
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        let claims: Value = serde_json::from_slice(&bytes).ok()?;
        Some((
            claims["username"].as_str()?.to_owned(),
            claims
                .get("device_key")
                .and_then(Value::as_str)
                .map(str::to_owned),
        ))
    }

    fn other(&self, op: &str, body: &Value) -> Reply {
        let mut inner = self.inner.lock().unwrap();
        match op {
            "ConfirmDevice" => {
                let Some((user, _)) =
                    self.access_token_user(body["AccessToken"].as_str().unwrap_or_default())
                else {
                    return Err(err("NotAuthorizedException", "Invalid Access Token"));
                };
                let key = body["DeviceKey"].as_str().unwrap_or_default();
                let config = &body["DeviceSecretVerifierConfig"];
                let verifier = PasswordVerifier::from_device_config(&DeviceSecretVerifierConfig {
                    password_verifier: config["PasswordVerifier"]
                        .as_str()
                        .unwrap_or_default()
                        .into(),
                    salt: config["Salt"].as_str().unwrap_or_default().into(),
                })
                .map_err(|e| err("InvalidParameterException", &e.to_string()))?;
                let Some(device) = inner.devices.get_mut(key) else {
                    return Err(err("ResourceNotFoundException", "Device does not exist."));
                };
                if device.user != user {
                    return Err(err("NotAuthorizedException", "Invalid Access Token"));
                }
                device.verifier = Some(verifier);
                Ok(json!({"UserConfirmationNecessary": false}))
            }
            "AssociateSoftwareToken" => {
                let session = take_session(&mut inner, body)?;
                let user = session.user.clone();
                let new_session = self.session(&mut inner, &user, "VERIFY_TOTP", None);
                Ok(json!({"SecretCode": TOTP_SECRET, "Session": new_session}))
            }
            "VerifySoftwareToken" => {
                let session = take_session(&mut inner, body)?;
                if body["UserCode"] != CODE {
                    return Err(err(
                        "EnableSoftwareTokenMFAException",
                        "Code mismatch and fail enable Software Token MFA",
                    ));
                }
                let new_session = self.session(&mut inner, &session.user, "MFA_SETUP", None);
                Ok(json!({"Status": "SUCCESS", "Session": new_session}))
            }
            "GetTokensFromRefreshToken" => {
                let token = body["RefreshToken"].as_str().unwrap_or_default();
                let Some((name, device)) = inner.refresh.get(token).cloned() else {
                    return Err(err("NotAuthorizedException", "Invalid Refresh Token."));
                };
                if self.secret.as_deref() != body.get("ClientSecret").and_then(Value::as_str) {
                    return Err(err(
                        "NotAuthorizedException",
                        "Unable to verify secret hash for client",
                    ));
                }
                let user = self.user(&name).unwrap();
                let mut reply = self.tokens(&mut inner, &user, device.or(Some("none".into())));
                reply.as_object_mut().unwrap().remove("ChallengeParameters");
                Ok(reply)
            }
            "UpdateDeviceStatus" => Ok(json!({})),
            _ => Err((
                StatusCode::BAD_REQUEST,
                "InvalidAction",
                format!("Unknown action {op}"),
            )),
        }
    }

    pub fn handle(&self, op: &str, body: Value) -> Response {
        self.inner
            .lock()
            .unwrap()
            .log
            .push((op.to_owned(), body.clone()));
        let reply = match op {
            "InitiateAuth" => self.initiate(&body),
            "RespondToAuthChallenge" => self.respond(&body),
            other => self.other(other, &body),
        };
        match reply {
            Ok(value) => (
                StatusCode::OK,
                [("content-type", "application/x-amz-json-1.1")],
                value.to_string(),
            )
                .into_response(),
            Err((status, code, message)) => (
                status,
                [
                    ("content-type", "application/x-amz-json-1.1".to_owned()),
                    ("x-amzn-errortype", format!("{code}:")),
                ],
                json!({"__type": code, "message": message}).to_string(),
            )
                .into_response(),
        }
    }
}

async fn route(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let op = target.rsplit('.').next().unwrap_or_default().to_owned();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    fake.handle(&op, body)
}

/// Serves `fake` on a loopback port; returns the endpoint URL.
pub async fn serve(fake: Arc<Fake>) -> String {
    let app = axum::Router::new()
        .route("/", axum::routing::post(route))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// An SDK client for `endpoint` with no credentials at all, short timeouts and few
/// retries.
pub fn sdk_client(endpoint: &str) -> Client {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(2))
                .build(),
        )
        .build();
    Client::from_conf(config)
}

/// A password as the flows API takes it.
pub fn pw(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

/// The TOTP code an authenticator app shows now for a base32 secret (with or
/// without `=` padding: MiniStack pads, the emulator does not).
pub fn totp_now(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    cognito_auth_emulator::totp_code_for_secret(secret, i64::try_from(now).unwrap())
        .unwrap_or_else(|| panic!("not a base32 TOTP secret: {secret}"))
}

/// SDK configuration for a local Cognito (the emulator, MiniStack): one
/// attempt, so a refusal shows at once, and `timeout` for each operation.
pub fn local_config(
    endpoint: &str,
    timeout: Duration,
) -> aws_sdk_cognitoidentityprovider::config::Builder {
    aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .timeout_config(TimeoutConfig::builder().operation_timeout(timeout).build())
}

/// Sends a CreateUserPool the test has configured; the new pool's id.
pub async fn create_pool(request: CreateUserPoolFluentBuilder) -> String {
    request
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

/// An app client made through the admin API, as the flows need it.
pub struct AppClient {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// Creates an app client named "flows" allowing `flows`, with a generated
/// secret when `secret` is set.
pub async fn create_app_client(
    admin: &Client,
    pool_id: &str,
    secret: bool,
    flows: Vec<ExplicitAuthFlowsType>,
) -> AppClient {
    let created = admin
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("flows")
        .generate_secret(secret)
        .set_explicit_auth_flows(Some(flows))
        .send()
        .await
        .unwrap();
    let client = created.user_pool_client().unwrap();
    AppClient {
        client_id: client.client_id().unwrap().to_owned(),
        client_secret: client.client_secret().map(str::to_owned),
    }
}

/// A flows builder for the app's client, with the client secret when the app
/// client has one.
pub fn flows_builder(sdk: Client, pool_id: &str, app: &AppClient) -> FlowsBuilder {
    let builder = Flows::builder(sdk, pool_id, &app.client_id);
    match &app.client_secret {
        Some(secret) => builder.client_secret(pw(secret)),
        None => builder,
    }
}
