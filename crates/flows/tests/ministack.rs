//! Interop with a Cognito emulator we did not write: MiniStack (PyPI `ministack`,
//! pinned in scripts/interop-requirements.txt), started on a loopback port with its
//! auth checks on (`AUTH=true`: SECRET_HASH and ExplicitAuthFlows enforced).
//!
//! The Python comes from `COGNITO_AUTH_PYTHON`, default `.venv/bin/python` at the
//! workspace root (what .ci/run sets up). If it or MiniStack is missing, this test
//! FAILS: it never skips.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Credentials;
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use cognito_auth_flows::{
    Answer, ChallengeHandler, Declined, Error, Flows, Prompt, Refresh, SignIn,
};
use cognito_auth_test_support::{
    ClientOptions, PASSWORD, PoolOptions, Setup, add_user, create_client, create_pool,
    enable_totp_mfa, local_config, pw, python_with, totp_now,
};
use secrecy::ExposeSecret;
use support::flows_builder;

/// MiniStack as a child process; killed when dropped.
struct MiniStack {
    child: tokio::process::Child,
    endpoint: String,
}

impl MiniStack {
    async fn start() -> Self {
        let python = python_with("ministack").await;
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let child = tokio::process::Command::new(&python)
            .args(["-m", "ministack"])
            .env("BIND_HOST", "127.0.0.1")
            .env("GATEWAY_PORT", port.to_string())
            .env("IOT_MTLS_ENABLED", "false")
            .env("SERVICES", "cognito-idp")
            .env("AUTH", "true")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "MiniStack did not start within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for MiniStack {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn config(endpoint: &str) -> aws_sdk_cognitoidentityprovider::config::Builder {
    local_config(endpoint, Duration::from_secs(30))
}

#[derive(Clone, Copy, Default)]
struct Spec {
    secret: bool,
    email_alias: bool,
    email_username: bool,
    mfa: bool,
    srp_only: bool,
}

async fn pool(admin: &Client, spec: Spec) -> Setup {
    let pool = PoolOptions {
        email_alias: spec.email_alias,
        email_username: spec.email_username,
        mfa: spec.mfa.then_some("OPTIONAL"),
        ..PoolOptions::default()
    };
    let pool_id = create_pool(admin, pool).await;
    let mut flows = vec![
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ];
    if !spec.srp_only {
        flows.push(ExplicitAuthFlowsType::AllowUserPasswordAuth);
    }
    let client = ClientOptions {
        secret: spec.secret,
        flows,
        ..ClientOptions::default()
    };
    create_client(admin, &pool_id, client).await
}

async fn user(admin: &Client, pool: &Setup, username: &str, email: Option<&str>, permanent: bool) {
    let mut attributes = Vec::new();
    if let Some(email) = email {
        attributes.extend([("email", email), ("email_verified", "true")]);
    }
    add_user(admin, pool, username, &attributes, permanent).await;
}

fn flows(endpoint: &str, pool: &Setup) -> Flows {
    // The app's client: no credentials at all.
    let client = Client::from_conf(config(endpoint).build());
    flows_builder(client, pool).build().unwrap()
}

struct Person {
    totp_secret: Option<String>,
    new_password: Option<&'static str>,
    wrong_code: bool,
    prompts: Mutex<Vec<String>>,
}

impl Person {
    fn new() -> Self {
        Self {
            totp_secret: None,
            new_password: None,
            wrong_code: false,
            prompts: Mutex::default(),
        }
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
            Prompt::Code { .. } if self.wrong_code => Ok(Answer::code("000000")),
            Prompt::Code { .. } => Ok(Answer::code(totp_now(self.totp_secret.as_deref().unwrap()))),
            Prompt::NewPassword { .. } => Ok(Answer::new_password(pw(self.new_password.unwrap()))),
            other => Err(Declined(format!("{other:?}"))),
        }
    }
}

/// USER_SRP_AUTH right and wrong, USER_PASSWORD_AUTH right and wrong,
/// REFRESH_TOKEN_AUTH, for one pool shape.
async fn password_flows(endpoint: &str, admin: &Client, spec: Spec, typed: &str, label: &str) {
    let pool = pool(admin, spec).await;
    let (username, email) = if spec.email_username {
        (typed, Some(typed))
    } else if spec.email_alias {
        ("nina", Some(typed))
    } else {
        (typed, None)
    };
    user(admin, &pool, username, email, true).await;
    let flows = flows(endpoint, &pool);

    let tokens = flows
        .sign_in_srp(typed, &pw(PASSWORD))
        .await
        .unwrap_or_else(|e| panic!("{label}: SRP sign-in: {e:?}"));
    assert!(tokens.id_token().is_some(), "{label}");
    let err = flows
        .sign_in_srp(typed, &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{label}: {err:?}");

    let by_password = flows
        .sign_in_password(typed, &pw(PASSWORD))
        .await
        .unwrap_or_else(|e| panic!("{label}: password sign-in: {e:?}"));
    let err = flows
        .sign_in_password(typed, &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{label}: {err:?}");

    for tokens in [&tokens, &by_password] {
        let refreshed = flows
            .refresh(&Refresh::from_tokens(tokens).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{label}: refresh: {e:?}"));
        assert!(
            refreshed.access_token().expose_secret().len() > 20,
            "{label}"
        );
    }
}

#[tokio::test]
async fn ministack_interop() {
    let ministack = MiniStack::start().await;
    let endpoint = ministack.endpoint.clone();
    let admin = Client::from_conf(
        config(&endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .build(),
    );

    // USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH: plain and email-alias
    // pools, with and without a client secret; and an email-username pool.
    for secret in [false, true] {
        let plain = Spec {
            secret,
            ..Spec::default()
        };
        password_flows(
            &endpoint,
            &admin,
            plain,
            "olga",
            &format!("plain secret={secret}"),
        )
        .await;
        let alias = Spec {
            secret,
            email_alias: true,
            ..Spec::default()
        };
        password_flows(
            &endpoint,
            &admin,
            alias,
            "nina@example.com",
            &format!("email alias secret={secret}"),
        )
        .await;
    }
    let by_email = Spec {
        secret: true,
        email_username: true,
        ..Spec::default()
    };
    password_flows(
        &endpoint,
        &admin,
        by_email,
        "pia@example.com",
        "email username",
    )
    .await;

    // Unknown user; USER_PASSWORD_AUTH on an SRP-only client.
    let srp_only = pool(
        &admin,
        Spec {
            srp_only: true,
            ..Spec::default()
        },
    )
    .await;
    user(&admin, &srp_only, "quin", None, true).await;
    let only = flows(&endpoint, &srp_only);
    let err = only.sign_in_srp("nobody", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
    let err = only
        .sign_in_password("quin", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::FlowNotEnabled { .. }), "{err:?}");

    // NEW_PASSWORD_REQUIRED: an admin-created user with a temporary password.
    let secret_pool = pool(
        &admin,
        Spec {
            secret: true,
            mfa: true,
            ..Spec::default()
        },
    )
    .await;
    user(
        &admin,
        &secret_pool,
        "rosa",
        Some("rosa@example.com"),
        false,
    )
    .await;
    let app = flows(&endpoint, &secret_pool);
    let mut person = Person::new();
    person.new_password = Some("Brand-New-Pass-7");
    let tokens = app
        .sign_in(&SignIn::srp("rosa", pw(PASSWORD)), &person)
        .await
        .unwrap_or_else(|e| panic!("NEW_PASSWORD_REQUIRED: {e:?}"));
    assert_eq!(person.prompts(), ["NEW_PASSWORD_REQUIRED"]);
    let err = app.sign_in_srp("rosa", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    // SOFTWARE_TOKEN_MFA: set TOTP up with the access token, then sign in with it.
    let access = tokens.access_token().expose_secret().to_owned();
    let secret = enable_totp_mfa(app.client(), &access).await;
    let mut person = Person::new();
    person.totp_secret = Some(secret.clone());
    app.sign_in(&SignIn::srp("rosa", pw("Brand-New-Pass-7")), &person)
        .await
        .unwrap_or_else(|e| panic!("SOFTWARE_TOKEN_MFA: {e:?}"));
    assert_eq!(person.prompts(), ["SOFTWARE_TOKEN_MFA"]);
    let mut wrong = Person::new();
    wrong.wrong_code = true;
    let err = app
        .sign_in(&SignIn::srp("rosa", pw("Brand-New-Pass-7")), &wrong)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    drop(ministack);
}
