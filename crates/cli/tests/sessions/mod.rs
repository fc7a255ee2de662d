//! What the `token` and storage tests share: a sign-in with the password on
//! stdin, and where sign-ins are kept.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Output;

use crate::common::{Env, PASSWORD};

/// `sign-in` for `user` of the main pool, the password on stdin, plus `extra`.
pub fn sign_in(env: &Env, user: &str, extra: &[&str]) -> Output {
    env.run_sign_in(
        Env::sign_in_args(user),
        &[&["--password-stdin"], extra].concat(),
        PASSWORD,
    )
}

/// The CLI's data directory in the test's home (Linux layout).
pub fn data_dir(env: &Env) -> PathBuf {
    env.home.path().join(".local/share/cognito-auth")
}
