//! Every Amazon Cognito user-pool sign-in loop, driven to tokens over the AWS SDK.
//!
//! A sign-in is a loop of InitiateAuth and RespondToAuthChallenge whose next step
//! depends on the pool: SRP, remembered devices, MFA, new-password, custom Lambda
//! challenges, USER_AUTH choices. [`Flows`] runs that loop. It answers
//! PASSWORD_VERIFIER, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER itself (with
//! `cognito-auth-srp`), and asks a [`ChallengeHandler`] for what only a person
//! knows. SECRET_HASH goes on every request over the username Cognito expects at
//! that step; ClientMetadata, AnalyticsMetadata and UserContextData ride along on
//! every call; a bounded number of rounds guards the loop.
//!
//! ```no_run
//! use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
//! use cognito_auth_flows::{Flows, Refresh};
//! use secrecy::SecretString;
//!
//! # async fn run() -> Result<(), cognito_auth_flows::Error> {
//! // No credentials needed: Cognito does not sign these calls.
//! let config = aws_sdk_cognitoidentityprovider::Config::builder()
//!     .behavior_version(BehaviorVersion::latest())
//!     .region(Region::new("eu-west-1"))
//!     .build();
//! let client = aws_sdk_cognitoidentityprovider::Client::from_conf(config);
//! let flows = Flows::builder(client, "eu-west-1_AbCdEf123", "3n4b5urk1ft4fl3mg5e62d9ado").build()?;
//!
//! let tokens = flows
//!     .sign_in_srp("alice@example.com", &SecretString::from("correct horse"))
//!     .await?;
//! println!("{:?}", tokens.access_claims()?.username());
//!
//! let fresh = flows.refresh(&Refresh::from_tokens(&tokens).unwrap()).await?;
//! # let _ = fresh; Ok(()) }
//! ```
//!
//! For web backends, [`Flows::start`] and [`Flows::answer`] run the same engine one
//! step at a time; the [`SignInState`] between steps is serializable and holds no
//! secret but Cognito's Session.
//!
//! # The account around sign-in
//!
//! [`AuthApi`] also makes the calls around a sign-in: sign-up and its code,
//! forgotten and changed passwords, the user's attributes and their codes,
//! sign-out, account deletion, devices and MFA settings. Each returns Amplify JS
//! v6's next step as a type ([`SignUpStep`], [`ConfirmSignUpStep`],
//! [`ResetPasswordStep`], [`AttributeStep`]) with where the code went
//! ([`CodeDelivery`]); Cognito's refusals are typed [`Error`]s.
//!
//! # The raw layer
//!
//! [`AuthApi`] is what [`Flows`] sends every InitiateAuth and
//! RespondToAuthChallenge through, and needs no pool id: an SDK client, an app
//! client (id, optional secret) and the [`Metadata`]. Its calls take any AuthFlow
//! and any parameter map, add SECRET_HASH over the map's USERNAME and attach the
//! metadata, and return a [`Reply`], which prints as the JSON the AWS CLI prints for
//! `initiate-auth` and `respond-to-auth-challenge` ([`Reply::to_aws_cli_json`]).
//! [`Error::from_sdk`] classifies any SDK call's error the way this crate does.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod account;
mod api;
mod builder;
mod challenge;
mod devices;
mod engine;
mod error;
mod flows;
mod handler;
#[cfg(feature = "jwks")]
mod jwks;
mod otpauth;
mod prompt;
mod refresh;
mod reply;
mod request;
mod sdk_error;
mod session;
mod state;
mod token_file;
#[cfg(feature = "keyring")]
mod token_keyring;
mod tokens;
pub mod unsigned;
#[cfg(feature = "verify")]
mod verify;

pub use account::{
    AttributeStep, AttributeUpdate, CodeDelivery, ConfirmSignUp, ConfirmSignUpStep, DeviceInfo,
    MfaPreference, MfaSetting, ResetPasswordStep, SignUp, SignUpOutcome, SignUpStep, UserProfile,
};
pub use api::AuthApi;
/// The attribute that implements [`DeviceStore`] (from the `async-trait` crate).
pub use async_trait::async_trait;
pub use builder::{DEFAULT_MAX_ROUNDS, FlowsBuilder};
pub use cognito_auth_srp::{Clock, FixedClock, PoolId, SystemClock};
pub use devices::{
    DevicePolicy, DeviceRecord, DeviceRecords, DeviceStore, MemoryDeviceStore, RememberedDevice,
    StoreError,
};
pub use error::Error;
pub use flows::Flows;
pub use handler::{
    Answer, ChallengeHandler, CodeKind, Declined, MfaKind, NoHandler, Prompt, TotpSetup,
};
/// A JSON Web Key Set, as [`TokenVerifier`] takes it.
#[cfg(feature = "verify")]
pub use jsonwebtoken::jwk::JwkSet;
#[cfg(feature = "jwks")]
pub use jwks::{DEFAULT_MIN_REFETCH, HttpTimeouts, JwksCache, JwksFetcher};
pub use reply::Reply;
pub use request::{FirstFactor, Metadata, Method, Refresh, SignIn, UserContext};
pub use sdk_error::classify;
pub use session::{MemoryTokenStore, Session, SessionKey, TokenStore};
pub use state::{SignInState, Step};
pub use token_file::FileTokenStore;
#[cfg(feature = "keyring")]
pub use token_keyring::{DEFAULT_KEYRING_SERVICE, KeyringTokenStore};
pub use tokens::{Claims, NewDevice, Notice, Tokens};
#[cfg(feature = "verify")]
pub use verify::{TokenUse, TokenVerifier};

/// The SDK crate this one is built on, for its types (`Client`, `Config`,
/// `AuthFlowType`, ...).
pub use aws_sdk_cognitoidentityprovider as sdk;

/// The README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
