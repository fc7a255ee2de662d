//! End to end against the project's Cognito emulator (`cognito-auth-emulator`,
//! started in-process on a loopback port) over real HTTP, with the real SDK client.
//! The sign-in client has no credentials at all; a second client with dummy
//! credentials does the admin set-up, as an operator would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Credentials;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, DeviceConfigurationType, ExplicitAuthFlowsType,
    MessageActionType, SignInPolicyType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
    UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType,
};
use cognito_auth_emulator::{Emulator, EmulatorConfig, Service};
use cognito_auth_flows::{
    Answer, ChallengeHandler, Declined, DevicePolicy, DeviceStore, Error, FirstFactor,
    MemoryDeviceStore, MfaKind, Notice, Prompt, Refresh, SignIn, SignInState, Step,
};
use secrecy::ExposeSecret;
use support::{
    AppClient, PASSWORD, create_app_client, create_pool, flows_builder, local_config, pw, totp_now,
};

fn config(endpoint: &str) -> aws_sdk_cognitoidentityprovider::config::Builder {
    local_config(endpoint, Duration::from_secs(20))
}

/// The operator's client: admin calls are SigV4-signed (the emulator accepts any
/// signature).
fn admin(endpoint: &str) -> Client {
    Client::from_conf(
        config(endpoint)
            .credentials_provider(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            ))
            .build(),
    )
}

/// The app's client: no credentials provider at all.
fn unsigned(endpoint: &str) -> Client {
    Client::from_conf(config(endpoint).build())
}

struct World {
    emulator: Emulator,
    admin: Client,
    pool_id: String,
    app: AppClient,
}

#[derive(Default)]
struct PoolSpec {
    email_username: bool,
    devices: bool,
    mfa: Option<UserPoolMfaType>,
    choice: bool,
    secret: bool,
    flows: Option<Vec<ExplicitAuthFlowsType>>,
}

async fn world(spec: PoolSpec) -> World {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = admin(&emulator.endpoint_url());
    let mut pool = admin.create_user_pool().pool_name("flows");
    if spec.email_username {
        pool = pool.username_attributes(UsernameAttributeType::Email);
    }
    if spec.devices {
        pool = pool.device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        );
    }
    if let Some(mfa) = spec.mfa {
        pool = pool.mfa_configuration(mfa);
    }
    if spec.choice {
        pool = pool.policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                        .build(),
                )
                .build(),
        );
    }
    let pool_id = create_pool(pool).await;
    let flows = spec.flows.unwrap_or_else(|| {
        vec![
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowUserPasswordAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ExplicitAuthFlowsType::AllowCustomAuth,
            ExplicitAuthFlowsType::AllowUserAuth,
        ]
    });
    let app = create_app_client(&admin, &pool_id, spec.secret, flows).await;
    World {
        admin,
        pool_id,
        app,
        emulator,
    }
}

impl World {
    fn flows(&self) -> cognito_auth_flows::FlowsBuilder {
        flows_builder(
            unsigned(&self.emulator.endpoint_url()),
            &self.pool_id,
            &self.app,
        )
    }

    /// Turns on SMS MFA for the user and makes it the preferred factor, so
    /// sign-in asks for an SMS code.
    async fn prefer_sms_mfa(&self, username: &str) {
        self.admin
            .admin_set_user_mfa_preference()
            .user_pool_id(&self.pool_id)
            .username(username)
            .sms_mfa_settings(
                SmsMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    async fn user(&self, username: &str, attributes: &[(&str, &str)]) {
        self.user_with(username, attributes, true).await;
    }

    async fn user_with(&self, username: &str, attributes: &[(&str, &str)], permanent: bool) {
        let attributes: Vec<AttributeType> = attributes
            .iter()
            .map(|(n, v)| AttributeType::builder().name(*n).value(*v).build().unwrap())
            .collect();
        self.admin
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(username)
            .set_user_attributes(Some(attributes))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        self.admin
            .admin_set_user_password()
            .user_pool_id(&self.pool_id)
            .username(username)
            .password(PASSWORD)
            .permanent(permanent)
            .send()
            .await
            .unwrap();
    }
}

/// A person with a phone, a mailbox (the emulator's outbox) and an authenticator.
struct Person {
    service: Arc<Service>,
    username: String,
    totp_secret: Mutex<Option<String>>,
    new_password: Option<String>,
    choose: Option<String>,
    prompts: Mutex<Vec<String>>,
}

impl Person {
    fn new(world: &World, username: &str) -> Self {
        Self {
            service: world.emulator.service().clone(),
            username: username.into(),
            totp_secret: Mutex::new(None),
            new_password: None,
            choose: None,
            prompts: Mutex::default(),
        }
    }

    fn last_code(&self) -> String {
        self.service
            .outbox()
            .messages(Some(&self.username))
            .last()
            .map(|m| m.code.clone())
            .unwrap_or_default()
    }

    fn prompts(&self) -> Vec<String> {
        self.prompts.lock().unwrap().clone()
    }
}

impl ChallengeHandler for Person {
    async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        self.prompts
            .lock()
            .unwrap()
            .push(prompt.challenge_name().to_owned());
        match prompt {
            Prompt::Code { kind, .. } => match kind {
                cognito_auth_flows::CodeKind::SoftwareTokenMfa => {
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
            Prompt::NewPassword { .. } => Ok(Answer::new_password(pw(self
                .new_password
                .as_deref()
                .unwrap()))),
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

#[tokio::test]
async fn srp_and_password_sign_in_refresh_and_typed_errors() {
    let world = world(PoolSpec {
        secret: true,
        ..PoolSpec::default()
    })
    .await;
    world.user("alice", &[("email", "alice@example.com")]).await;
    let flows = world.flows().build().unwrap();

    let tokens = flows.sign_in_srp("alice", &pw(PASSWORD)).await.unwrap();
    assert_eq!(tokens.username(), Some("alice"));
    let id = tokens.id_claims().unwrap();
    assert_eq!(id.client_id(), Some(world.app.client_id.as_str()));
    assert_eq!(id.str("email"), Some("alice@example.com"));
    assert_eq!(tokens.token_type(), Some("Bearer"));
    assert!(tokens.expires_at() > SystemTime::now() + Duration::from_secs(600));

    let err = flows
        .sign_in_srp("alice", &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    let err = flows
        .sign_in_srp("nobody", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");

    let tokens = flows
        .sign_in_password("alice", &pw(PASSWORD))
        .await
        .unwrap();
    let err = flows
        .sign_in_password("alice", &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.username(), Some("alice"));
    let rotated = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap().rotating())
        .await
        .unwrap();
    assert!(rotated.access_token().expose_secret().len() > 100);
    let err = flows
        .refresh(&Refresh::new(pw("not-a-refresh-token")).with_username("alice"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RefreshTokenRefused { .. }), "{err:?}");
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn lockout_flow_not_enabled_unconfirmed_and_bad_secret() {
    let world = world(PoolSpec {
        flows: Some(vec![
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ]),
        ..PoolSpec::default()
    })
    .await;
    world.user("bob", &[]).await;
    let flows = world.flows().build().unwrap();

    let err = flows
        .sign_in_password("bob", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::FlowNotEnabled { .. }), "{err:?}");

    let mut outcomes = Vec::new();
    for _ in 0..8 {
        outcomes.push(
            flows
                .sign_in_srp("bob", &pw("Wrong-Horse-9"))
                .await
                .unwrap_err(),
        );
    }
    assert!(
        outcomes[..5]
            .iter()
            .all(|e| matches!(e, Error::WrongCredentials)),
        "{outcomes:?}"
    );
    assert!(
        outcomes.iter().any(|e| matches!(e, Error::LockedOut)),
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|e| matches!(e, Error::WrongCredentials | Error::LockedOut)),
        "{outcomes:?}"
    );

    // A user who signed up but never confirmed.
    unsigned(&world.emulator.endpoint_url())
        .sign_up()
        .client_id(&world.app.client_id)
        .username("carl")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let err = flows.sign_in_srp("carl", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::UserNotConfirmed), "{err:?}");

    // A client secret the app client does not have.
    let with_secret = world
        .flows()
        .client_secret(pw("made-up-secret"))
        .build()
        .unwrap();
    let err = with_secret
        .sign_in_srp("bob", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHash { .. }), "{err:?}");
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn email_username_pool_with_secret_uses_the_internal_name_after_initiate() {
    let world = world(PoolSpec {
        email_username: true,
        secret: true,
        ..PoolSpec::default()
    })
    .await;
    world
        .user("dora@example.com", &[("email", "dora@example.com")])
        .await;
    let flows = world.flows().build().unwrap();
    let tokens = flows
        .sign_in_srp("dora@example.com", &pw(PASSWORD))
        .await
        .unwrap();
    let internal = tokens.username().unwrap().to_owned();
    assert_ne!(internal, "dora@example.com", "the sub, not the email");
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.username(), Some(internal.as_str()));
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn sms_mfa_and_totp_setup_then_select_mfa_type() {
    let world = world(PoolSpec {
        mfa: Some(UserPoolMfaType::On),
        ..PoolSpec::default()
    })
    .await;
    world
        .user("erin", &[("phone_number", "+15555550100")])
        .await;
    world.prefer_sms_mfa("erin").await;
    let flows = world.flows().build().unwrap();
    let person = Person::new(&world, "erin");
    flows
        .sign_in(&SignIn::srp("erin", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["SMS_MFA"]);

    // A wrong SMS code is a code mismatch.
    struct WrongCode;
    impl ChallengeHandler for WrongCode {
        async fn answer(&self, _: &Prompt) -> Result<Answer, Declined> {
            Ok(Answer::code("000000"))
        }
    }
    let err = flows
        .sign_in(&SignIn::srp("erin", pw(PASSWORD)), &WrongCode)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");

    // MFA_SETUP: a user with no factor yet sets up TOTP during sign-in.
    world.user("fred", &[]).await;
    let person = Person::new(&world, "fred");
    let tokens = flows
        .sign_in(&SignIn::srp("fred", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["MFA_SETUP"]);

    // With TOTP and SMS both enabled and no preference, the user chooses.
    flows
        .client()
        .set_user_mfa_preference()
        .access_token(tokens.access_token().expose_secret())
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    world
        .admin
        .admin_update_user_attributes()
        .user_pool_id(&world.pool_id)
        .username("fred")
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555550199")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let again = Person::new(&world, "fred");
    *again.totp_secret.lock().unwrap() = person.totp_secret.lock().unwrap().clone();
    flows
        .sign_in(&SignIn::srp("fred", pw(PASSWORD)), &again)
        .await
        .unwrap();
    assert_eq!(again.prompts(), ["SELECT_MFA_TYPE", "SOFTWARE_TOKEN_MFA"]);
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn new_password_required_for_a_temporary_password() {
    let world = world(PoolSpec::default()).await;
    world.user_with("gail", &[], false).await;
    let flows = world.flows().build().unwrap();
    let mut person = Person::new(&world, "gail");
    person.new_password = Some("Brand-New-Pass-7".into());
    flows
        .sign_in(&SignIn::srp("gail", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["NEW_PASSWORD_REQUIRED"]);
    flows
        .sign_in_srp("gail", &pw("Brand-New-Pass-7"))
        .await
        .unwrap();
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn custom_auth_with_and_without_srp_and_user_auth_choices() {
    let world = world(PoolSpec {
        choice: true,
        secret: true,
        ..PoolSpec::default()
    })
    .await;
    world.user("hana", &[("email", "hana@example.com")]).await;
    let flows = world.flows().build().unwrap();

    let person = Person::new(&world, "hana");
    flows
        .sign_in(&SignIn::custom("hana"), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["CUSTOM_CHALLENGE"]);
    let person = Person::new(&world, "hana");
    flows
        .sign_in(&SignIn::custom_with_srp("hana", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["CUSTOM_CHALLENGE"]);
    let err = flows
        .sign_in(
            &SignIn::custom_with_srp("hana", pw("Wrong-Horse-9")),
            &person,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    // USER_AUTH: SELECT_CHALLENGE, each first factor.
    for choice in ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"] {
        let mut person = Person::new(&world, "hana");
        person.choose = Some(choice.into());
        flows
            .sign_in(
                &SignIn::user_auth("hana").with_password(pw(PASSWORD)),
                &person,
            )
            .await
            .unwrap_or_else(|e| panic!("{choice}: {e:?}"));
        assert_eq!(person.prompts()[0], "SELECT_CHALLENGE");
    }
    let mut person = Person::new(&world, "hana");
    person.choose = Some("PASSWORD_SRP".into());
    let err = flows
        .sign_in(
            &SignIn::user_auth("hana").with_password(pw("Wrong-Horse-9")),
            &person,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    // USER_AUTH with PREFERRED_CHALLENGE.
    for (factor, password) in [
        (FirstFactor::PasswordSrp, Some(pw(PASSWORD))),
        (FirstFactor::Password, Some(pw(PASSWORD))),
        (FirstFactor::EmailOtp, None),
    ] {
        let person = Person::new(&world, "hana");
        flows
            .sign_in(
                &SignIn::user_auth_preferring("hana", factor, password),
                &person,
            )
            .await
            .unwrap_or_else(|e| panic!("{factor:?}: {e:?}"));
    }

    // USER_AUTH with the Session from ConfirmSignUp.
    let app = unsigned(&world.emulator.endpoint_url());
    let mut sign_up = app
        .sign_up()
        .client_id(&world.app.client_id)
        .username("ivy")
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("ivy@example.com")
                .build()
                .unwrap(),
        );
    if let Some(hash) = flows.secret_hash("ivy") {
        sign_up = sign_up.secret_hash(hash);
    }
    sign_up.send().await.unwrap();
    let mut confirm = app
        .confirm_sign_up()
        .client_id(&world.app.client_id)
        .username("ivy")
        .confirmation_code(Person::new(&world, "ivy").last_code());
    if let Some(hash) = flows.secret_hash("ivy") {
        confirm = confirm.secret_hash(hash);
    }
    let session = confirm.send().await.unwrap().session().unwrap().to_owned();
    let tokens = flows
        .sign_in(
            &SignIn::user_auth_after_sign_up("ivy", pw(&session)),
            &Person::new(&world, "ivy"),
        )
        .await
        .unwrap();
    assert_eq!(
        tokens.id_claims().unwrap().str("email"),
        Some("ivy@example.com")
    );
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn step_wise_sign_in_and_an_expired_session() {
    let world = world(PoolSpec {
        mfa: Some(UserPoolMfaType::On),
        secret: true,
        ..PoolSpec::default()
    })
    .await;
    world
        .user("jack", &[("phone_number", "+15555550102")])
        .await;
    world.prefer_sms_mfa("jack").await;
    let flows = world.flows().build().unwrap();
    let Step::Challenge { state, prompt } = flows
        .start(&SignIn::srp("jack", pw(PASSWORD)))
        .await
        .unwrap()
    else {
        panic!("expected SMS_MFA")
    };
    assert_eq!(prompt.challenge_name(), "SMS_MFA");
    let saved = serde_json::to_string(&state).unwrap();
    assert!(!saved.contains(PASSWORD));
    let code = Person::new(&world, "jack").last_code();

    let restored: SignInState = serde_json::from_str(&saved).unwrap();
    let tokens = flows
        .answer(restored, Answer::code(&code))
        .await
        .unwrap()
        .tokens()
        .unwrap();
    assert_eq!(tokens.username(), Some("jack"));
    // The emulator's sessions are single-use: the saved state is now stale.
    let replay: SignInState = serde_json::from_str(&saved).unwrap();
    let err = flows.answer(replay, Answer::code(&code)).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn device_remember_device_srp_refresh_and_forget() {
    let world = world(PoolSpec {
        devices: true,
        mfa: Some(UserPoolMfaType::On),
        secret: true,
        email_username: true,
        ..PoolSpec::default()
    })
    .await;
    world
        .user(
            "kate@example.com",
            &[
                ("email", "kate@example.com"),
                ("phone_number", "+15555550103"),
            ],
        )
        .await;
    world.prefer_sms_mfa("kate@example.com").await;
    let store = Arc::new(MemoryDeviceStore::new());
    let flows = world
        .flows()
        .device_store(store.clone())
        .device_policy(DevicePolicy::Remember {
            device_name: Some("ci".into()),
        })
        .build()
        .unwrap();

    // First sign-in: SMS MFA, a new device, confirmed and stored.
    // The SMS goes to the phone (the internal name is a sub).
    let person = Person::new(&world, "+15555550103");
    let first = flows
        .sign_in(&SignIn::srp("kate@example.com", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["SMS_MFA"]);
    let device = first.new_device().unwrap().clone();
    assert!(
        first
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::DeviceConfirmed { device_key, .. } if *device_key == device.device_key)),
        "{:?}",
        first.notices()
    );
    let stored = store
        .load(&world.pool_id, "kate@example.com")
        .unwrap()
        .unwrap();
    assert_eq!(stored.device_key(), device.device_key);

    // Second sign-in: DEVICE_SRP_AUTH, and the remembered device skips MFA.
    let second = flows
        .sign_in_srp("kate@example.com", &pw(PASSWORD))
        .await
        .unwrap();
    assert!(
        second
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::DeviceAuthenticated { .. })),
        "{:?}",
        second.notices()
    );
    assert_eq!(second.device_key(), Some(device.device_key.as_str()));
    assert_eq!(
        second.access_claims().unwrap().device_key(),
        Some(device.device_key.as_str())
    );

    // Refresh sends DEVICE_KEY; without it the emulator refuses the device's token.
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&second).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.device_key(), Some(device.device_key.as_str()));
    let storeless = world.flows().build().unwrap();
    let err = storeless
        .refresh(
            &Refresh::new(second.refresh_token().unwrap().clone())
                .with_username(second.username().unwrap()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RefreshTokenRefused { .. }), "{err:?}");

    // The user forgets the device; Cognito then answers "Device does not exist.",
    // and the next sign-in drops it, retries without, falls back to MFA and gets a
    // new device, which replaces the old one in the store.
    flows
        .client()
        .forget_device()
        .access_token(second.access_token().expose_secret())
        .device_key(&device.device_key)
        .send()
        .await
        .unwrap();
    // The SMS goes to the phone (the internal name is a sub).
    let person = Person::new(&world, "+15555550103");
    let third = flows
        .sign_in(&SignIn::srp("kate@example.com", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["SMS_MFA"]);
    assert!(third.device_was_forgotten(), "{:?}", third.notices());
    let replacement = third.new_device().unwrap();
    assert_ne!(replacement.device_key, device.device_key);
    assert_eq!(
        store
            .load(&world.pool_id, "kate@example.com")
            .unwrap()
            .unwrap()
            .device_key(),
        replacement.device_key
    );
    world.emulator.shutdown().await;
}

#[cfg(feature = "verify")]
#[tokio::test]
async fn verify_tokens_against_the_pool_jwks() {
    use cognito_auth_flows::{TokenUse, TokenVerifier};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let world = world(PoolSpec::default()).await;
    world.user("liam", &[]).await;
    let flows = world.flows().build().unwrap();
    let tokens = flows.sign_in_srp("liam", &pw(PASSWORD)).await.unwrap();

    let mut stream = tokio::net::TcpStream::connect(world.emulator.address())
        .await
        .unwrap();
    let request = format!(
        "GET /{}/.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        world.pool_id
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1;

    let issuer = tokens.id_claims().unwrap().issuer().unwrap().to_owned();
    assert_eq!(
        issuer,
        TokenVerifier::cognito_issuer(flows.pool_id()),
        "the emulator issues as Cognito does"
    );
    let verifier = TokenVerifier::from_jwks_json(&issuer, &world.app.client_id, body).unwrap();
    let id = verifier
        .verify(tokens.id_token().unwrap().expose_secret(), TokenUse::Id)
        .unwrap();
    assert_eq!(id.username(), Some("liam"));
    verifier
        .verify(tokens.access_token().expose_secret(), TokenUse::Access)
        .unwrap();
    // Wrong use, wrong audience, wrong issuer, tampered: refused.
    assert!(matches!(
        verifier.verify(tokens.access_token().expose_secret(), TokenUse::Id),
        Err(Error::Verify(_))
    ));
    let other_client = TokenVerifier::from_jwks_json(&issuer, "someone-else", body).unwrap();
    assert!(
        other_client
            .verify(tokens.id_token().unwrap().expose_secret(), TokenUse::Id)
            .is_err()
    );
    assert!(
        other_client
            .verify(tokens.access_token().expose_secret(), TokenUse::Access)
            .is_err()
    );
    let other_issuer =
        TokenVerifier::from_jwks_json("https://example.invalid/x", &world.app.client_id, body)
            .unwrap();
    assert!(
        other_issuer
            .verify(tokens.id_token().unwrap().expose_secret(), TokenUse::Id)
            .is_err()
    );
    let token = tokens.id_token().unwrap().expose_secret().to_owned();
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert!(verifier.verify(&tampered, TokenUse::Id).is_err());
    world.emulator.shutdown().await;
}
