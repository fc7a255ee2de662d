//! [`Flows`]: one app client of one user pool, its sign-in loops and its own calls.
//!
//! The pieces live beside it: the builder (`builder`), refresh (`refresh`), the
//! challenge engine (`engine`), and the raw calls every one of them sends through
//! ([`AuthApi`]).

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceSecretVerifierConfigType,
};
use cognito_auth_srp::{Clock, PoolId, RememberedDevice, register_device};
use secrecy::{ExposeSecret, SecretString};

use crate::devices::{DevicePolicy, DeviceStore};
use crate::engine::Live;
use crate::handler::{Answer, ChallengeHandler, NoHandler};
use crate::request::{Metadata, SignIn};
use crate::state::{SignInState, Step};
use crate::tokens::{NewDevice, Tokens};
use crate::{AuthApi, Error};

/// Signs users in to one app client of one user pool.
///
/// Built from an SDK [`Client`] the caller configured (region, endpoint, timeouts,
/// retries; no credentials are needed: Cognito does not sign InitiateAuth,
/// RespondToAuthChallenge, ConfirmDevice, AssociateSoftwareToken,
/// VerifySoftwareToken, UpdateDeviceStatus or GetTokensFromRefreshToken). Cheap to
/// clone; share it.
#[derive(Clone)]
pub struct Flows {
    pub(crate) api: AuthApi,
    pub(crate) pool: PoolId,
    pub(crate) devices: Option<Arc<dyn DeviceStore>>,
    pub(crate) device_policy: DevicePolicy,
    pub(crate) max_rounds: u32,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) totp_issuer: String,
    pub(crate) totp_device_name: Option<String>,
}

impl std::fmt::Debug for Flows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flows")
            .field("pool", &self.pool)
            .field("app", self.api.app())
            .field("has_device_store", &self.devices.is_some())
            .field("device_policy", &self.device_policy)
            .field("max_rounds", &self.max_rounds)
            .finish_non_exhaustive()
    }
}

impl Flows {
    /// The SDK client.
    pub fn client(&self) -> &Client {
        self.api.client()
    }

    /// The user pool.
    pub fn pool_id(&self) -> &PoolId {
        &self.pool
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        self.api.client_id()
    }

    /// The raw calls this `Flows` sends through: InitiateAuth and
    /// RespondToAuthChallenge with SECRET_HASH added (no metadata of its own).
    pub fn api(&self) -> &AuthApi {
        &self.api
    }

    /// SECRET_HASH for `username`, or `None` without a client secret: for callers of
    /// [`Self::initiate`] / [`Self::respond`].
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.api.secret_hash(username)
    }

    // ---------------------------------------------------------------- whole loops

    /// Signs in, asking `handler` for whatever only a person knows, until tokens.
    pub async fn sign_in<H: ChallengeHandler>(
        &self,
        sign_in: &SignIn,
        handler: &H,
    ) -> Result<Tokens, Error> {
        let mut live = Live::new(sign_in.password.as_ref());
        let mut step = self.start_live(sign_in, &mut live).await?;
        loop {
            match step {
                Step::Done(tokens) => return Ok(tokens),
                Step::Challenge { state, prompt } => {
                    let answer =
                        handler
                            .answer(&prompt)
                            .await
                            .map_err(|declined| Error::NotAnswered {
                                challenge: prompt.challenge_name().to_owned(),
                                reason: declined.0,
                            })?;
                    step = self.answer_live(state, answer, &mut live).await?;
                }
                other => return Err(other.into_error()),
            }
        }
    }

    /// USER_SRP_AUTH with no handler: any challenge beyond SRP and device SRP ends it
    /// with [`Error::NotAnswered`].
    pub async fn sign_in_srp(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<Tokens, Error> {
        self.sign_in(&SignIn::srp(username, password.clone()), &NoHandler)
            .await
    }

    /// USER_PASSWORD_AUTH with no handler.
    pub async fn sign_in_password(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<Tokens, Error> {
        self.sign_in(&SignIn::password(username, password.clone()), &NoHandler)
            .await
    }

    // ---------------------------------------------------------------- step-wise

    /// Starts a sign-in and runs it as far as it goes without a person: SRP, device
    /// SRP, and straight to tokens when nothing else is asked. A user who must
    /// confirm the sign-up or reset the password is [`Step::ConfirmSignUp`] /
    /// [`Step::ResetPassword`], not an error.
    pub async fn start(&self, sign_in: &SignIn) -> Result<Step, Error> {
        let mut live = Live::new(sign_in.password.as_ref());
        Step::from_user_state(self.start_live(sign_in, &mut live).await, &sign_in.username)
    }

    /// Answers the challenge `state` is waiting on, and runs on as far as it goes.
    pub async fn answer(&self, state: SignInState, answer: Answer) -> Result<Step, Error> {
        let mut live = Live::new(None);
        let username = state.typed_username.clone();
        Step::from_user_state(self.answer_live(state, answer, &mut live).await, &username)
    }

    // ---------------------------------------------------------------- raw calls

    /// InitiateAuth as given (no SECRET_HASH or DEVICE_KEY added: see
    /// [`Self::secret_hash`], or [`AuthApi::initiate_auth`] which adds it), with the
    /// metadata.
    pub async fn initiate(
        &self,
        flow: AuthFlowType,
        parameters: HashMap<String, String>,
        session: Option<&str>,
        metadata: &Metadata,
    ) -> Result<InitiateAuthOutput, Error> {
        self.api
            .send_initiate(flow, parameters, session, metadata)
            .await
    }

    /// RespondToAuthChallenge as given, with the metadata.
    pub async fn respond(
        &self,
        challenge: ChallengeNameType,
        session: Option<&str>,
        responses: HashMap<String, String>,
        metadata: &Metadata,
    ) -> Result<RespondToAuthChallengeOutput, Error> {
        self.api
            .send_respond(challenge, responses, session, metadata)
            .await
    }

    /// ConfirmDevice for a new device with a fresh verifier. Returns the device to
    /// store and `UserConfirmationNecessary`. (Does not touch the device store.)
    pub async fn confirm_device(
        &self,
        access_token: &SecretString,
        new_device: &NewDevice,
        device_name: Option<&str>,
    ) -> Result<(RememberedDevice, bool), Error> {
        let registration = register_device(&new_device.device_group_key, &new_device.device_key)?;
        let config = DeviceSecretVerifierConfigType::builder()
            .password_verifier(registration.verifier_config.password_verifier.clone())
            .salt(registration.verifier_config.salt.clone())
            .build();
        let out = self
            .client()
            .confirm_device()
            .access_token(access_token.expose_secret())
            .device_key(&new_device.device_key)
            .device_secret_verifier_config(config)
            .set_device_name(device_name.map(str::to_owned))
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok((registration.device, out.user_confirmation_necessary()))
    }

    // ---------------------------------------------------------------- device store

    pub(crate) async fn load_device(
        &self,
        username: &str,
    ) -> Result<Option<RememberedDevice>, Error> {
        match &self.devices {
            Some(store) => store
                .load(self.pool.as_str(), username)
                .await
                .map_err(|e| Error::DeviceStore(e.0)),
            None => Ok(None),
        }
    }

    pub(crate) async fn forget_device(&self, device_key: &str) -> Result<(), Error> {
        tracing::info!(
            device_key,
            "Cognito no longer knows the device; forgetting it"
        );
        match &self.devices {
            Some(store) => store
                .forget(self.pool.as_str(), device_key)
                .await
                .map_err(|e| Error::DeviceStore(e.0)),
            None => Ok(()),
        }
    }
}

#[allow(dead_code)]
fn _assert_send() {
    fn is_send<T: Send>(_: T) {}
    fn check(flows: &Flows, sign_in: &SignIn) {
        is_send(flows.sign_in(sign_in, &NoHandler));
        is_send(flows.start(sign_in));
    }
    let _ = check;
}
