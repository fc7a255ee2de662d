//! What the flows tests share beyond cognito-auth-test-support: a flows builder
//! for an app client, an emulator "world" with a pool and an admin, and two
//! challenge handlers (a script, and a person with a phone, a mailbox and an
//! authenticator).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod recorded;
pub mod scripted;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use cognito_auth_emulator::{Emulator, Service};
use cognito_auth_flows::{
    Answer, ChallengeHandler, CodeKind, Declined, Flows, FlowsBuilder, MfaKind, Prompt,
};
use cognito_auth_test_support::sdk::signed;
use cognito_auth_test_support::{
    ClientOptions, PoolOptions, Setup, add_user, create_client, create_pool, emulator,
    emulator_with_builtin_triggers, last_code, local_config, password_or_email_otp, pw, totp_now,
};
use secrecy::ExposeSecret;

/// A flows builder for the app client of `setup`, with the client secret
/// when the app client has one.
pub fn flows_builder(sdk: Client, setup: &Setup) -> FlowsBuilder {
    let builder = Flows::builder(sdk, &setup.pool_id, &setup.client_id);
    match &setup.client_secret {
        Some(secret) => builder.client_secret(pw(secret)),
        None => builder,
    }
}

/// SDK configuration for the emulator: one attempt, a generous timeout.
fn config(endpoint: &str) -> aws_sdk_cognitoidentityprovider::config::Builder {
    local_config(endpoint, Duration::from_secs(20))
}

/// The app's client: no credentials provider at all.
pub fn unsigned(endpoint: &str) -> Client {
    Client::from_conf(config(endpoint).build())
}

/// The operator's client: admin calls are SigV4-signed (the emulator accepts
/// any signature).
pub fn admin(endpoint: &str) -> Client {
    Client::from_conf(signed(config(endpoint)).build())
}

/// The flows an app client allows unless a test says otherwise.
pub fn every_flow() -> Vec<ExplicitAuthFlowsType> {
    vec![
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        ExplicitAuthFlowsType::AllowUserPasswordAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ExplicitAuthFlowsType::AllowCustomAuth,
        ExplicitAuthFlowsType::AllowUserAuth,
    ]
}

/// An emulator with one pool and app client, and the operator's client.
pub struct World {
    pub emulator: Emulator,
    pub admin: Client,
    pub setup: Setup,
}

/// The pool and app client of a [`World`]: the app client allows
/// [`every_flow`] unless `flows` is given.
#[derive(Default)]
pub struct PoolSpec {
    pub email_username: bool,
    pub devices: bool,
    /// `ON` or `OPTIONAL`.
    pub mfa: Option<&'static str>,
    /// USER_AUTH offers PASSWORD and EMAIL_OTP as first factors.
    pub choice: bool,
    pub secret: bool,
    pub flows: Option<Vec<ExplicitAuthFlowsType>>,
    /// The pool names the emulator's built-in CUSTOM_AUTH triggers.
    pub builtin_triggers: bool,
}

pub async fn world(spec: PoolSpec) -> World {
    let emulator = if spec.builtin_triggers {
        emulator_with_builtin_triggers().await
    } else {
        emulator().await
    };
    let admin = admin(&emulator.endpoint_url());
    let pool = PoolOptions {
        email_username: spec.email_username,
        devices: spec.devices,
        mfa: spec.mfa,
        first_factors: if spec.choice {
            password_or_email_otp()
        } else {
            Vec::new()
        },
        builtin_triggers: spec.builtin_triggers,
        ..PoolOptions::default()
    };
    let pool_id = create_pool(&admin, pool).await;
    let client = ClientOptions {
        secret: spec.secret,
        flows: spec.flows.unwrap_or_else(every_flow),
        ..ClientOptions::default()
    };
    let setup = create_client(&admin, &pool_id, client).await;
    World {
        emulator,
        admin,
        setup,
    }
}

impl World {
    pub fn flows(&self) -> FlowsBuilder {
        flows_builder(unsigned(&self.emulator.endpoint_url()), &self.setup)
    }

    /// A confirmed user with the tests' password.
    pub async fn user(&self, username: &str, attributes: &[(&str, &str)]) {
        add_user(&self.admin, &self.setup, username, attributes, true).await;
    }

    /// A user whose password is temporary (NEW_PASSWORD_REQUIRED).
    pub async fn temporary_user(&self, username: &str, attributes: &[(&str, &str)]) {
        add_user(&self.admin, &self.setup, username, attributes, false).await;
    }

    pub fn person(&self, username: &str) -> Person {
        Person::new(self.emulator.service(), username)
    }
}

/// Answers prompts from a script and records what it was shown.
#[derive(Default)]
pub struct Scripted {
    answers: Mutex<Vec<Answer>>,
    seen: Mutex<Vec<Prompt>>,
}

impl Scripted {
    pub fn new(answers: Vec<Answer>) -> Self {
        Self {
            answers: Mutex::new(answers.into_iter().rev().collect()),
            seen: Mutex::default(),
        }
    }
    pub fn seen(&self) -> Vec<Prompt> {
        self.seen.lock().unwrap().clone()
    }
}

impl ChallengeHandler for Scripted {
    async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        self.seen.lock().unwrap().push(prompt.clone());
        self.answers
            .lock()
            .unwrap()
            .pop()
            .ok_or_else(|| Declined("script ran out".into()))
    }
}

/// A person with a phone and a mailbox (the emulator's outbox) and an
/// authenticator: answers every prompt as that person would, and records it.
pub struct Person {
    service: Arc<Service>,
    pub username: String,
    pub totp_secret: Mutex<Option<String>>,
    pub new_password: Option<String>,
    /// Attributes sent with the new password.
    pub new_attributes: BTreeMap<String, String>,
    /// The first factor chosen at SELECT_CHALLENGE.
    pub choose: Option<String>,
    seen: Mutex<Vec<Prompt>>,
}

impl Person {
    pub fn new(service: &Arc<Service>, username: &str) -> Self {
        Self {
            service: Arc::clone(service),
            username: username.into(),
            totp_secret: Mutex::new(None),
            new_password: None,
            new_attributes: BTreeMap::new(),
            choose: None,
            seen: Mutex::default(),
        }
    }

    /// The newest code sent to this person.
    pub fn last_code(&self) -> String {
        last_code(&self.service, &self.username)
    }

    /// The challenge names of the prompts shown, in order.
    pub fn prompts(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|p| p.challenge_name().to_owned())
            .collect()
    }

    /// The prompts shown, in order.
    pub fn seen(&self) -> Vec<Prompt> {
        self.seen.lock().unwrap().clone()
    }
}

impl ChallengeHandler for Person {
    async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        self.seen.lock().unwrap().push(prompt.clone());
        match prompt {
            Prompt::Code { kind, .. } => match kind {
                CodeKind::SoftwareTokenMfa => {
                    let secret = self.totp_secret.lock().unwrap().clone().unwrap();
                    Ok(Answer::code(totp_now(&secret)))
                }
                _ => Ok(Answer::code(self.last_code())),
            },
            Prompt::TotpSetup(setup) => {
                let secret = setup.secret.expose_secret().to_owned();
                assert!(setup.uri.expose_secret().starts_with("otpauth://totp/"));
                assert!(setup.uri.expose_secret().contains(&secret));
                *self.totp_secret.lock().unwrap() = Some(secret.clone());
                Ok(Answer::code(totp_now(&secret)))
            }
            Prompt::SelectMfa { options } => {
                assert!(options.contains(&MfaKind::Totp));
                Ok(Answer::Mfa(MfaKind::Totp))
            }
            Prompt::NewPassword { .. } => Ok(Answer::NewPassword {
                password: pw(self.new_password.as_deref().unwrap()),
                attributes: self.new_attributes.clone(),
            }),
            Prompt::Custom { .. } => Ok(Answer::custom(self.last_code())),
            Prompt::SelectChallenge { available } => {
                let choice = self.choose.clone().unwrap();
                assert!(available.contains(&choice), "{available:?}");
                Ok(Answer::select(choice))
            }
            other => Err(Declined(format!("{other:?}"))),
        }
    }
}
