//! Interop with a Cognito emulator we did not write: MiniStack (PyPI `ministack`,
//! pinned in scripts/interop-requirements.txt), started on a loopback port with its
//! auth checks on (`AUTH=true`: SECRET_HASH and ExplicitAuthFlows enforced).
//! One test per flow, and one for the account calls MiniStack implements (sign-up,
//! confirm, change and reset the password), all against one MiniStack per test
//! process; a failing test prints MiniStack's output. When
//! `COGNITO_AUTH_MINISTACK_ENDPOINT` names one already running (`scripts/test`
//! starts one for the whole run, because cargo-nextest gives every test its own
//! process and a MiniStack start costs a second of CPU), they use that one, and
//! its output from `COGNITO_AUTH_MINISTACK_LOG`.
//!
//! The Python comes from `COGNITO_AUTH_PYTHON`, default `.venv/bin/python` at the
//! workspace root (what .ci/run sets up). If it or MiniStack is missing, these
//! tests FAIL: they never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Credentials;
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use cognito_auth_flows::{
    Answer, AuthApi, ChallengeHandler, ConfirmSignUp, ConfirmSignUpStep, Declined, Error, Flows,
    Prompt, Refresh, ResetPasswordStep, SignIn, SignUp, SignUpStep, Tokens,
};
use cognito_auth_test_support::{
    ClientOptions, PASSWORD, PoolOptions, Setup, add_user, assert_issued_to, create_client,
    create_pool, enable_totp_mfa, local_config, pw, python_with, totp_now,
};
use secrecy::ExposeSecret;
use support::flows_builder;

/// MiniStack, shared by every test of this process: the one the environment
/// names, or a child process.
///
/// A child runs under a `sh` that kills it when its stdin closes, which happens
/// when this process exits however it exits: a static is never dropped.
struct MiniStack {
    endpoint: String,
    log: PathBuf,
    _watchdog: Option<Mutex<(Child, ChildStdin)>>,
}

static MINISTACK: tokio::sync::OnceCell<MiniStack> = tokio::sync::OnceCell::const_new();

impl MiniStack {
    async fn shared() -> &'static Self {
        MINISTACK.get_or_init(Self::start).await
    }

    async fn start() -> Self {
        if let Ok(endpoint) = std::env::var("COGNITO_AUTH_MINISTACK_ENDPOINT") {
            let port = endpoint
                .rsplit(':')
                .next()
                .and_then(|port| port.parse().ok())
                .expect("COGNITO_AUTH_MINISTACK_ENDPOINT is http://127.0.0.1:PORT");
            let ministack = Self {
                endpoint,
                log: std::env::var_os("COGNITO_AUTH_MINISTACK_LOG")
                    .map(PathBuf::from)
                    .unwrap_or_default(),
                _watchdog: None,
            };
            return ministack.ready(port).await;
        }
        let python = python_with("ministack").await;
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("ministack-{}.log", std::process::id()));
        let output = std::fs::File::create(&log).unwrap();
        let mut child = Command::new("sh")
            .args([
                "-c",
                r#""$0" -m ministack </dev/null & ministack=$!; cat >/dev/null; kill $ministack"#,
            ])
            .arg(&python)
            .env("BIND_HOST", "127.0.0.1")
            .env("GATEWAY_PORT", port.to_string())
            .env("IOT_MTLS_ENABLED", "false")
            .env("SERVICES", "cognito-idp")
            .env("AUTH", "true")
            .stdin(Stdio::piped())
            .stdout(output.try_clone().unwrap())
            .stderr(output)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let ministack = Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            _watchdog: Some(Mutex::new((child, stdin))),
        };
        ministack.ready(port).await
    }

    /// Waits (at most 60 s) until MiniStack takes connections.
    async fn ready(self, port: u16) -> Self {
        let ministack = self;
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "MiniStack did not start within 60 s:\n{}",
                ministack.output()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        ministack
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log: {e})"))
    }

    /// An admin client (MiniStack wants credentials for the admin calls).
    fn admin(&self) -> Client {
        Client::from_conf(
            config(&self.endpoint)
                .credentials_provider(Credentials::new("test", "test", None, None, "test"))
                .build(),
        )
    }

    /// A guard that prints MiniStack's output if the test fails.
    fn report_on_failure(&'static self) -> ReportOnFailure {
        ReportOnFailure(self)
    }
}

struct ReportOnFailure(&'static MiniStack);

impl Drop for ReportOnFailure {
    // The harness keeps a test's stderr and shows it when the test fails.
    #[allow(clippy::print_stderr)]
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- MiniStack's output ---\n{}", self.0.output());
        }
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

/// A pool shape, the name a user types, and a label for failure messages.
struct Case {
    spec: Spec,
    typed: &'static str,
    label: &'static str,
}

/// Plain and email-alias pools, with and without a client secret, and an
/// email-username pool.
const CASES: [Case; 5] = [
    Case {
        spec: Spec::plain(false),
        typed: "olga",
        label: "plain secret=false",
    },
    Case {
        spec: Spec::plain(true),
        typed: "olga",
        label: "plain secret=true",
    },
    Case {
        spec: Spec::alias(false),
        typed: "nina@example.com",
        label: "email alias secret=false",
    },
    Case {
        spec: Spec::alias(true),
        typed: "nina@example.com",
        label: "email alias secret=true",
    },
    Case {
        spec: Spec {
            secret: true,
            email_username: true,
            email_alias: false,
            mfa: false,
            srp_only: false,
        },
        typed: "pia@example.com",
        label: "email username",
    },
];

impl Spec {
    const fn plain(secret: bool) -> Self {
        Self {
            secret,
            email_alias: false,
            email_username: false,
            mfa: false,
            srp_only: false,
        }
    }
    const fn alias(secret: bool) -> Self {
        Self {
            email_alias: true,
            ..Self::plain(secret)
        }
    }
}

/// A pool of `case`'s shape with its user, and the user's internal name as
/// the pool reports it.
async fn case_pool(admin: &Client, case: &Case) -> (Setup, String) {
    let pool = pool(admin, case.spec).await;
    let (username, email) = if case.spec.email_username {
        (case.typed, Some(case.typed))
    } else if case.spec.email_alias {
        ("nina", Some(case.typed))
    } else {
        (case.typed, None)
    };
    user(admin, &pool, username, email, true).await;
    let internal = admin
        .admin_get_user()
        .user_pool_id(&pool.pool_id)
        .username(username)
        .send()
        .await
        .unwrap()
        .username()
        .to_owned();
    if !case.spec.email_username {
        assert_eq!(internal, username, "{}", case.label);
    }
    (pool, internal)
}

/// The pools of [`CASES`], made once for the tests of every flow.
static CASE_POOLS: tokio::sync::OnceCell<Vec<(Setup, String)>> = tokio::sync::OnceCell::const_new();

/// Each case with its pool, the flows of its app client and the user's
/// internal name.
async fn cases(ministack: &MiniStack) -> Vec<(&'static Case, Flows, &'static Setup, &'static str)> {
    let pools = CASE_POOLS
        .get_or_init(|| async {
            let admin = ministack.admin();
            let mut pools = Vec::new();
            for case in &CASES {
                pools.push(case_pool(&admin, case).await);
            }
            pools
        })
        .await;
    CASES
        .iter()
        .zip(pools)
        .map(|(case, (pool, internal))| {
            (
                case,
                flows(&ministack.endpoint, pool),
                pool,
                internal.as_str(),
            )
        })
        .collect()
}

/// The ID and access tokens were issued to `username` for the app client.
fn check_tokens(label: &str, tokens: &Tokens, pool: &Setup, username: &str) {
    let id = tokens
        .id_token()
        .unwrap_or_else(|| panic!("{label}: no ID token"));
    assert_issued_to(
        label,
        id.expose_secret(),
        tokens.access_token().expose_secret(),
        username,
        &pool.client_id,
    );
}

/// A first sign-in: USER_SRP_AUTH or USER_PASSWORD_AUTH.
#[derive(Clone, Copy, Debug)]
enum FirstSignIn {
    Srp,
    Password,
}

impl FirstSignIn {
    async fn run(self, flows: &Flows, username: &str, password: &str) -> Result<Tokens, Error> {
        match self {
            Self::Srp => flows.sign_in_srp(username, &pw(password)).await,
            Self::Password => flows.sign_in_password(username, &pw(password)).await,
        }
    }
}

/// In every pool shape: the right password gets the user's tokens, a wrong one
/// WrongCredentials, and REFRESH_TOKEN_AUTH with the refresh token of the first
/// sign-in gets the user's tokens again. (The refresh rides on the first
/// sign-in: a sign-in of its own would cost MiniStack's SRP time again.)
async fn sign_in_then_refresh(first: FirstSignIn) {
    let ministack = MiniStack::shared().await;
    let _report = ministack.report_on_failure();
    for (case, flows, pool, internal) in cases(ministack).await {
        let label = format!("{first:?} sign-in, {}", case.label);
        let tokens = first
            .run(&flows, case.typed, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e:?}"));
        check_tokens(&label, &tokens, pool, internal);
        let err = first
            .run(&flows, case.typed, "Wrong-Horse-9")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::WrongCredentials), "{label}: {err:?}");

        let label = format!("REFRESH_TOKEN_AUTH after {label}");
        let refreshed = flows
            .refresh(&Refresh::from_tokens(&tokens).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{label}: {e:?}"));
        check_tokens(&label, &refreshed, pool, internal);
    }
}

#[tokio::test]
async fn user_srp_auth_then_refresh_token_auth() {
    sign_in_then_refresh(FirstSignIn::Srp).await;
}

#[tokio::test]
async fn user_password_auth_then_refresh_token_auth() {
    sign_in_then_refresh(FirstSignIn::Password).await;
}

/// An SRP-only pool with the user quin.
async fn srp_only_pool(ministack: &MiniStack) -> Flows {
    let admin = ministack.admin();
    let srp_only = pool(
        &admin,
        Spec {
            srp_only: true,
            ..Spec::default()
        },
    )
    .await;
    user(&admin, &srp_only, "quin", None, true).await;
    flows(&ministack.endpoint, &srp_only)
}

#[tokio::test]
async fn unknown_user_is_user_not_found() {
    let ministack = MiniStack::shared().await;
    let _report = ministack.report_on_failure();
    let only = srp_only_pool(ministack).await;
    let err = only.sign_in_srp("nobody", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
}

#[tokio::test]
async fn user_password_auth_on_an_srp_only_client_is_not_enabled() {
    let ministack = MiniStack::shared().await;
    let _report = ministack.report_on_failure();
    let only = srp_only_pool(ministack).await;
    let err = only
        .sign_in_password("quin", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::FlowNotEnabled { .. }), "{err:?}");
}

/// A pool with a client secret and optional MFA, and rosa: with a temporary
/// password, or a permanent one.
async fn rosa_pool(ministack: &MiniStack, permanent: bool) -> (Setup, Flows) {
    let admin = ministack.admin();
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
        permanent,
    )
    .await;
    let app = flows(&ministack.endpoint, &secret_pool);
    (secret_pool, app)
}

#[tokio::test]
async fn new_password_required_for_an_admin_created_user() {
    let ministack = MiniStack::shared().await;
    let _report = ministack.report_on_failure();
    let (pool, app) = rosa_pool(ministack, false).await;
    let mut person = Person::new();
    person.new_password = Some("Brand-New-Pass-7");
    let tokens = app
        .sign_in(&SignIn::srp("rosa", pw(PASSWORD)), &person)
        .await
        .unwrap_or_else(|e| panic!("NEW_PASSWORD_REQUIRED: {e:?}"));
    assert_eq!(person.prompts(), ["NEW_PASSWORD_REQUIRED"]);
    check_tokens("NEW_PASSWORD_REQUIRED", &tokens, &pool, "rosa");
    let err = app.sign_in_srp("rosa", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn software_token_mfa_right_and_wrong_code() {
    let ministack = MiniStack::shared().await;
    let _report = ministack.report_on_failure();
    let (pool, app) = rosa_pool(ministack, true).await;
    // Set TOTP up with the access token, then sign in with it.
    let tokens = app.sign_in_srp("rosa", &pw(PASSWORD)).await.unwrap();
    let access = tokens.access_token().expose_secret().to_owned();
    let secret = enable_totp_mfa(app.client(), &access).await;
    let mut person = Person::new();
    person.totp_secret = Some(secret.clone());
    let tokens = app
        .sign_in(&SignIn::srp("rosa", pw(PASSWORD)), &person)
        .await
        .unwrap_or_else(|e| panic!("SOFTWARE_TOKEN_MFA: {e:?}"));
    assert_eq!(person.prompts(), ["SOFTWARE_TOKEN_MFA"]);
    check_tokens("SOFTWARE_TOKEN_MFA", &tokens, &pool, "rosa");
    let mut wrong = Person::new();
    wrong.wrong_code = true;
    let err = app
        .sign_in(&SignIn::srp("rosa", pw(PASSWORD)), &wrong)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
}

/// Our account calls against MiniStack: SignUp, ConfirmSignUp, ChangePassword,
/// ForgotPassword and ConfirmForgotPassword (MiniStack's codes are fixed:
/// 123456 to sign up, 654321 to reset), with SECRET_HASH checked.
#[tokio::test]
async fn sign_up_confirm_change_and_reset_the_password() {
    let ministack = MiniStack::shared().await;
    let _report = ministack.report_on_failure();
    let setup = pool(&ministack.admin(), Spec::plain(true)).await;
    let flows = flows(&ministack.endpoint, &setup);
    let api = AuthApi::new(
        Client::from_conf(config(&ministack.endpoint).build()),
        &setup.client_id,
    )
    .with_client_secret(pw(setup.client_secret.as_deref().unwrap()));
    let request = SignUp::new("lena", pw(PASSWORD)).with_attribute("email", "lena@example.com");

    let outcome = api.sign_up(&request).await.unwrap();
    let SignUpStep::ConfirmSignUp { delivery, .. } = outcome.next else {
        panic!("{:?}", outcome.next)
    };
    let delivery = delivery.unwrap();
    assert_eq!(delivery.medium.as_deref(), Some("EMAIL"));
    assert_eq!(delivery.attribute.as_deref(), Some("email"));
    match api.sign_up(&request).await.unwrap_err() {
        Error::UsernameExists { message } => assert_eq!(message, "User already exists."),
        other => panic!("{other:?}"),
    }
    let err = api
        .confirm_sign_up(&ConfirmSignUp::new("lena", pw("000000")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    let step = api
        .confirm_sign_up(&ConfirmSignUp::new("lena", pw("123456")))
        .await
        .unwrap();
    assert!(matches!(step, ConfirmSignUpStep::Done), "{step:?}");

    let tokens = flows.sign_in_srp("lena", &pw(PASSWORD)).await.unwrap();
    let err = api
        .change_password(
            tokens.access_token(),
            &pw("Wrong-Horse-1"),
            &pw("Changed-Horse-7"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    api.change_password(tokens.access_token(), &pw(PASSWORD), &pw("Changed-Horse-7"))
        .await
        .unwrap();
    flows
        .sign_in_srp("lena", &pw("Changed-Horse-7"))
        .await
        .unwrap();

    let step = api.forgot_password("lena").await.unwrap();
    assert!(
        matches!(
            step,
            ResetPasswordStep::ConfirmResetPasswordWithCode { delivery: Some(_) }
        ),
        "{step:?}"
    );
    let err = api
        .confirm_forgot_password("lena", &pw("000000"), &pw("Reset-Horse-5"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    let err = api
        .confirm_forgot_password("lena", &pw("654321"), &pw("short"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidNewPassword { .. }), "{err:?}");
    let step = api
        .confirm_forgot_password("lena", &pw("654321"), &pw("Reset-Horse-5"))
        .await
        .unwrap();
    assert_eq!(step, ResetPasswordStep::Done);
    let tokens = flows
        .sign_in_srp("lena", &pw("Reset-Horse-5"))
        .await
        .unwrap();
    assert_eq!(tokens.access_claims().unwrap().username(), Some("lena"));
}

/// Groups: an administrator puts gina in two groups on MiniStack, and our client
/// reads `cognito:groups` from both tokens it signs in for. (boto3 runs the same
/// group calls against our emulator: crates/emulator/tests/interop.rs.)
#[tokio::test]
async fn group_membership_reaches_the_tokens_our_client_reads() {
    let ministack = MiniStack::shared().await;
    let _report = ministack.report_on_failure();
    let admin = ministack.admin();
    let setup = pool(&admin, Spec::default()).await;
    user(&admin, &setup, "gina", None, true).await;
    for (group, precedence) in [("staff", 10), ("admins", 1)] {
        admin
            .create_group()
            .user_pool_id(&setup.pool_id)
            .group_name(group)
            .precedence(precedence)
            .send()
            .await
            .unwrap();
        admin
            .admin_add_user_to_group()
            .user_pool_id(&setup.pool_id)
            .username("gina")
            .group_name(group)
            .send()
            .await
            .unwrap();
    }
    let tokens = flows(&ministack.endpoint, &setup)
        .sign_in_srp("gina", &pw(PASSWORD))
        .await
        .unwrap();
    for (label, claims) in [
        ("id", tokens.id_claims().unwrap()),
        ("access", tokens.access_claims().unwrap()),
    ] {
        let mut groups = claims.groups();
        // Precedence order is the emulator's promise; MiniStack's order is its own.
        groups.sort_unstable();
        assert_eq!(groups, ["admins", "staff"], "{label} token");
    }
}
