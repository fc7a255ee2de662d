//! Shared by the integration tests: an emulator started in-process on a random
//! loopback port, recording every call the binary makes, and the built binary
//! run with no AWS configuration anywhere.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cognito_auth_test_support::RecordingEmulator;
// Not every test binary that includes this module uses both.
#[allow(unused_imports)]
pub use cognito_auth_test_support::{PASSWORD, totp_now};

// The main pool of SEED, its app client, and its app client with a secret.
pub const POOL: &str = "us-east-1_TestPool1";
pub const CLIENT: &str = "test0app0client0000000001";
pub const SECRET_CLIENT: &str = "test0secret0client0000001";
pub const CLIENT_SECRET: &str = "the-client-secret-1234567890";

pub const SEED: &str = r#"
[[pools]]
id = "us-east-1_TestPool1"
name = "test"
# Confirming a sign-up verifies the email its code went to, so the address can
# receive ForgotPassword's code.
auto_verified_attributes = ["email"]
lambda_config = { DefineAuthChallenge = "builtin", CreateAuthChallenge = "builtin", VerifyAuthChallengeResponse = "builtin" }
[pools.devices]
challenge_required_on_new_device = true
device_only_remembered_on_user_prompt = false
[[pools.clients]]
id = "test0app0client0000000001"
name = "app"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"]
[[pools.clients]]
id = "test0secret0client0000001"
name = "secret-app"
secret = "the-client-secret-1234567890"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
[[pools.users]]
username = "alice"
password = "Correct-Horse-9"
attributes = { email = "alice@example.com" }
[[pools.users]]
username = "dave"
password = "Correct-Horse-9"
[[pools.users]]
username = "frank"
password = "Correct-Horse-9"
[[pools.users]]
username = "erin"
password = "Correct-Horse-9"
[[pools.users]]
username = "carol"
password = "Temporary-Pass-1"
status = "FORCE_CHANGE_PASSWORD"

[[pools]]
id = "us-east-1_TestMfa01"
name = "test-mfa"
mfa = "ON"
[[pools.clients]]
id = "test0mfa0client0000000001"
name = "mfa-app"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
[[pools.users]]
username = "bob"
password = "Correct-Horse-9"
[[pools.users]]
username = "tess"
password = "Correct-Horse-9"
"#;

// SEED's pool where every sign-in asks for a second factor, and its app client.
pub const MFA_POOL: &str = "us-east-1_TestMfa01";
pub const MFA_CLIENT: &str = "test0mfa0client0000000001";

/// An emulator, a home directory with nothing in it, and the binary.
pub struct Env {
    runtime: tokio::runtime::Runtime,
    emulator: RecordingEmulator,
    pub endpoint: String,
    pub home: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime.block_on(RecordingEmulator::seeded(SEED));
        Self {
            endpoint: emulator.endpoint_url(),
            runtime,
            emulator,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// The binary with a clean environment: no AWS_* variables, HOME an empty
    /// temporary directory, no XDG overrides, no colour.
    pub fn bare(&self) -> Command {
        let mut command = Command::new(bin());
        command
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command
    }

    /// `bare()` plus `--endpoint-url`.
    pub fn cmd(&self) -> Command {
        let mut command = self.bare();
        command.arg("--endpoint-url").arg(&self.endpoint);
        command
    }

    /// `sign-in` args for a user of the main pool.
    pub fn sign_in_args(user: &str) -> Vec<String> {
        sign_in_args(POOL, CLIENT, user)
    }

    /// `sign-in` args for a user of the MFA pool, where every sign-in asks for
    /// a second factor.
    pub fn mfa_sign_in_args(user: &str) -> Vec<String> {
        sign_in_args(MFA_POOL, MFA_CLIENT, user)
    }

    /// Runs `cmd()` with these arguments: most tests just run one command.
    pub fn run_args<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = self.cmd();
        command.args(args);
        run(command)
    }

    /// [`Env::run_args`] with `stdin` piped in (a password, a refresh token).
    pub fn run_args_with_stdin<I, S>(&self, args: I, stdin: &str) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = self.cmd();
        command.args(args);
        run_with_stdin(command, stdin)
    }

    /// Runs `cmd()` with `base` args (a sign-in: [`Env::sign_in_args`] or
    /// [`Env::mfa_sign_in_args`]), then the `extra` options a test varies, with
    /// `stdin` (the password) piped in.
    pub fn run_sign_in(&self, base: Vec<String>, extra: &[&str], stdin: &str) -> Output {
        let mut command = self.cmd();
        command.args(base).args(extra);
        run_with_stdin(command, stdin)
    }

    /// The newest code the emulator "sent" for `purpose` (its outbox).
    pub fn outbox_code(&self, purpose: &str) -> Option<String> {
        self.emulator
            .service()
            .outbox()
            .messages(None)
            .into_iter()
            .rev()
            .find(|m| m.purpose == purpose)
            .map(|m| m.code)
    }

    /// The request bodies the emulator got for `operation`, oldest first.
    pub fn requests(&self, operation: &str) -> Vec<serde_json::Value> {
        self.emulator.requests(operation)
    }

    /// The reply bodies the emulator sent for `operation`, oldest first.
    pub fn replies(&self, operation: &str) -> Vec<serde_json::Value> {
        self.emulator.replies(operation)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cognito-auth")
}

/// Runs with `stdin` piped in.
pub fn run_with_stdin(mut command: Command, stdin: &str) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn run(mut command: Command) -> Output {
    command.output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success and parses stdout as JSON.
pub fn ok_json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(output)))
}

fn sign_in_args(pool: &str, client: &str, user: &str) -> Vec<String> {
    [
        "sign-in",
        "--pool-id",
        pool,
        "--client-id",
        client,
        "--username",
        user,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// The TOTP secret an MFA_SETUP printed on stderr.
pub fn secret_from(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("secret: "))
        .unwrap_or_else(|| panic!("no secret in: {stderr}"))
        .trim()
        .to_owned()
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// `command` for `user` of the main pool's app client, then `extra`.
pub fn account_args<'a>(command: &'a str, user: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        command,
        "--pool-id",
        POOL,
        "--client-id",
        CLIENT,
        "--username",
        user,
    ];
    args.extend_from_slice(extra);
    args
}

/// `sign-in` of `user` in the main pool, PASSWORD on stdin, then `extra`.
pub fn sign_in(env: &Env, user: &str, extra: &[&str]) -> Output {
    env.run_sign_in(Env::sign_in_args(user), extra, &format!("{PASSWORD}\n"))
}

/// What `user`'s last sign-in cached in the token file (refresh token, device
/// key, ...).
pub fn cached_tokens(env: &Env, user: &str) -> serde_json::Value {
    let path = env
        .home
        .path()
        .join(".local/share/cognito-auth/tokens")
        .join(POOL)
        .join(CLIENT)
        .join(format!("{user}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}
