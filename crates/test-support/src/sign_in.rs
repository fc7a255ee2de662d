//! Sign-in driven step by step through the SDK, the proofs computed with
//! cognito-auth-srp: for tests that look at each challenge, or answer one in an
//! unusual way.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::admin_respond_to_auth_challenge::AdminRespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::operation::confirm_device::ConfirmDeviceOutput;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceSecretVerifierConfigType,
};
use cognito_auth_srp::{
    Clock, DeviceRegistration, DeviceSrpClient, PoolId, SystemClock, UserSrpClient,
};
use secrecy::SecretString;

use crate::emulator::{Setup, error_of};

/// The outcome of a RespondToAuthChallenge, kept as a `Result` so tests can
/// check refusals as well as successes.
pub type Responded = Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>>;

/// The outcome of the PASSWORD_VERIFIER step of a USER_SRP_AUTH sign-in: Ok
/// also when the server asks for another challenge (MFA, a new password...).
pub type Verified = Responded;

/// What every sign-in step (InitiateAuth, RespondToAuthChallenge and their
/// Admin forms) answers: tokens, or the next challenge.
pub trait SignInStep {
    fn challenge(&self) -> Option<&ChallengeNameType>;
    fn tokens(&self) -> Option<&AuthenticationResultType>;
}

macro_rules! sign_in_step {
    ($($output:ty),*) => {$(
        impl SignInStep for $output {
            fn challenge(&self) -> Option<&ChallengeNameType> {
                self.challenge_name()
            }
            fn tokens(&self) -> Option<&AuthenticationResultType> {
                self.authentication_result()
            }
        }
    )*};
}

sign_in_step!(
    InitiateAuthOutput,
    RespondToAuthChallengeOutput,
    AdminInitiateAuthOutput,
    AdminRespondToAuthChallengeOutput
);

/// The tokens a sign-in step ended with. Fails the test naming what came
/// instead: the error's code and message, or the challenge the server asked
/// for next. `Ok` alone does not mean "signed in".
pub fn expect_tokens<S: SignInStep, E: ProvideErrorMetadata + std::fmt::Debug>(
    step: Result<S, SdkError<E>>,
) -> AuthenticationResultType {
    let step = match step {
        Ok(step) => step,
        Err(error) => panic!(
            "expected tokens, got the error {:?}: {error:?}",
            error_of(&error)
        ),
    };
    if let Some(challenge) = step.challenge() {
        panic!("expected tokens, got the challenge {challenge}");
    }
    step.tokens()
        .unwrap_or_else(|| panic!("expected tokens, got neither tokens nor a challenge"))
        .clone()
}

/// The step, which must be the challenge `expected`. Fails the test naming
/// what came instead: the error, tokens, or another challenge.
pub fn expect_challenge<S: SignInStep, E: ProvideErrorMetadata + std::fmt::Debug>(
    step: Result<S, SdkError<E>>,
    expected: ChallengeNameType,
) -> S {
    let step = match step {
        Ok(step) => step,
        Err(error) => panic!(
            "expected the challenge {expected}, got the error {:?}: {error:?}",
            error_of(&error)
        ),
    };
    match step.challenge() {
        Some(challenge) if *challenge == expected => step,
        Some(challenge) => panic!("expected the challenge {expected}, got {challenge}"),
        None => panic!("expected the challenge {expected}, got tokens"),
    }
}

/// A USER_SRP_AUTH client for the pool and app client of `setup`.
pub fn srp_client(setup: &Setup) -> UserSrpClient {
    UserSrpClient::new(PoolId::parse(&setup.pool_id).unwrap(), setup.app()).unwrap()
}

/// InitiateAuth(USER_SRP_AUTH) with the SRP_A (and SECRET_HASH) of `srp`, not
/// yet answered: for tests that look at the challenge or its refusal, or that
/// answer it in an unusual way.
pub async fn start_user_srp(
    sdk: &Client,
    setup: &Setup,
    srp: &UserSrpClient,
    username: &str,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    let parameters = srp
        .initiate_auth_parameters(username, None)
        .into_iter()
        .collect();
    initiate_with(sdk, &setup.client_id, AuthFlowType::UserSrpAuth, parameters).await
}

/// The PASSWORD_VERIFIER answers `srp` computes from `password` for these
/// challenge parameters, timestamped by `clock` (tests skew it on purpose).
pub fn password_verifier_responses(
    srp: &UserSrpClient,
    challenge: &HashMap<String, String>,
    password: &str,
    device_key: Option<&str>,
    clock: &dyn Clock,
) -> HashMap<String, String> {
    srp.password_verifier_responses(
        challenge,
        &SecretString::from(password.to_owned()),
        device_key,
        clock,
    )
    .unwrap()
    .into_iter()
    .collect()
}

/// RespondToAuthChallenge to `challenge` with the given answers (USERNAME and
/// the code, the answer, the new password...), the way an app answers a
/// challenge it was shown.
pub async fn respond(
    sdk: &Client,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: &[(&str, &str)],
) -> Responded {
    respond_with(sdk, client_id, challenge, session, pairs(responses)).await
}

/// [`respond`] with answers already in a map (as cognito-auth-srp computes
/// them), so tests can change them before sending.
pub async fn respond_with(
    sdk: &Client,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: HashMap<String, String>,
) -> Responded {
    sdk.respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(challenge)
        .set_session(session.map(str::to_owned))
        .set_challenge_responses(Some(responses))
        .send()
        .await
}

/// InitiateAuth with a flow and its parameters, for the flows that need no
/// SRP (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, USER_AUTH, CUSTOM_AUTH).
pub async fn initiate(
    sdk: &Client,
    client_id: &str,
    flow: AuthFlowType,
    parameters: &[(&str, &str)],
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    initiate_with(sdk, client_id, flow, pairs(parameters)).await
}

/// [`initiate`] with parameters already in a map (as cognito-auth-srp makes
/// them), so tests can add or drop some before sending.
pub async fn initiate_with(
    sdk: &Client,
    client_id: &str,
    flow: AuthFlowType,
    parameters: HashMap<String, String>,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    sdk.initiate_auth()
        .auth_flow(flow)
        .client_id(client_id)
        .set_auth_parameters(Some(parameters))
        .send()
        .await
}

fn pairs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// ConfirmDevice with the verifier of a fresh registration, so the device can
/// later sign in with DEVICE_SRP_AUTH.
pub async fn confirm_device(
    sdk: &Client,
    access_token: &str,
    device_key: &str,
    device_name: Option<&str>,
    registration: &DeviceRegistration,
) -> ConfirmDeviceOutput {
    sdk.confirm_device()
        .access_token(access_token)
        .device_key(device_key)
        .set_device_name(device_name.map(str::to_owned))
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(&registration.verifier_config.password_verifier)
                .salt(&registration.verifier_config.salt)
                .build(),
        )
        .send()
        .await
        .unwrap()
}

/// The device half of a remembered-device sign-in, after PASSWORD_VERIFIER
/// asked for DEVICE_SRP_AUTH: DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER
/// with the proof `device` computes. With `session` None neither step sends a
/// Session (the emulator finds the sign-in by the device's SRP state).
pub async fn answer_device_challenges(
    sdk: &Client,
    setup: &Setup,
    device: &DeviceSrpClient,
    username: &str,
    session: Option<&str>,
) -> Responded {
    let srp_step = respond_with(
        sdk,
        &setup.client_id,
        ChallengeNameType::DeviceSrpAuth,
        session,
        device
            .device_srp_auth_responses(username)
            .into_iter()
            .collect(),
    )
    .await
    .unwrap();
    assert_eq!(
        srp_step.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let responses: HashMap<String, String> = device
        .device_password_verifier_responses(
            srp_step.challenge_parameters().unwrap(),
            username,
            &SystemClock,
        )
        .unwrap()
        .into_iter()
        .collect();
    let session = session.and(srp_step.session());
    respond_with(
        sdk,
        &setup.client_id,
        ChallengeNameType::DevicePasswordVerifier,
        session,
        responses,
    )
    .await
}

/// InitiateAuth(USER_SRP_AUTH) then RespondToAuthChallenge(PASSWORD_VERIFIER),
/// computing the proof with cognito-auth-srp. Ok also when the server asks for
/// another challenge: pass the outcome to [`expect_tokens`] where the sign-in
/// must end in tokens.
pub async fn srp_sign_in(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    password: &str,
    device_key: Option<&str>,
) -> Verified {
    let srp = srp_client(setup);
    let params: HashMap<String, String> = srp
        .initiate_auth_parameters(username, device_key)
        .into_iter()
        .collect();
    let started = initiate_with(sdk, &setup.client_id, AuthFlowType::UserSrpAuth, params)
        .await
        .unwrap();
    prove_password(sdk, &setup.client_id, &srp, &started, password, device_key).await
}

/// Checks that an InitiateAuth (USER_SRP_AUTH, CUSTOM_AUTH with SRP_A first,
/// USER_AUTH preferring PASSWORD_SRP) asked for PASSWORD_VERIFIER without a
/// session, as AWS does (the SECRET_BLOCK carries the state; MiniStack PR
/// #1758 measured it), and answers it with the proof of `password`.
pub async fn prove_password(
    sdk: &Client,
    client_id: &str,
    srp: &UserSrpClient,
    started: &InitiateAuthOutput,
    password: &str,
    device_key: Option<&str>,
) -> Verified {
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    assert_eq!(
        started.session(),
        None,
        "AWS sends PASSWORD_VERIFIER without a Session"
    );
    answer_password_verifier(
        sdk,
        client_id,
        srp,
        started.challenge_parameters().unwrap(),
        None,
        password,
        device_key,
    )
    .await
}

/// RespondToAuthChallenge(PASSWORD_VERIFIER) to the challenge parameters of an
/// InitiateAuth, the proof computed by `srp` from `password`.
pub async fn answer_password_verifier(
    sdk: &Client,
    client_id: &str,
    srp: &UserSrpClient,
    challenge: &HashMap<String, String>,
    session: Option<&str>,
    password: &str,
    device_key: Option<&str>,
) -> Verified {
    let responses = password_verifier_responses(srp, challenge, password, device_key, &SystemClock);
    respond_with(
        sdk,
        client_id,
        ChallengeNameType::PasswordVerifier,
        session,
        responses,
    )
    .await
}
