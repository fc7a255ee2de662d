//! Helpers shared by the integration tests of the cognito-auth crates: SDK
//! clients for a local endpoint, an in-process emulator with pools and users,
//! SRP sign-in driven through the SDK, TOTP codes and the Python peer. See the
//! README for what each module holds.
//!
//! Every helper panics when something fails: this is test code, and a panic is
//! the test's failure, with the message saying what went wrong.

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod emulator;
pub mod http;
pub mod jwt;
pub mod mfa;
pub mod process;
pub mod python;
pub mod recording;
pub mod sdk;
pub mod sign_in;
pub mod totp;

pub use emulator::*;
pub use http::{post_operation, raw_request};
pub use jwt::{assert_issued_to, jwt_claims};
pub use mfa::*;
pub use process::spawn_listening;
pub use python::{missing_module_hint, python, python_with};
pub use recording::{Exchange, RecordingEmulator};
pub use sdk::{local_config, sdk, unsigned_sdk};
pub use sign_in::*;
pub use totp::totp_now;

/// The password of the users the tests create (and of the CLI tests' seed).
pub const PASSWORD: &str = "Correct-Horse-9";

/// A password as the SRP and flows APIs take it.
pub fn pw(text: &str) -> secrecy::SecretString {
    secrecy::SecretString::from(text.to_owned())
}
