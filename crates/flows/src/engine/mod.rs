//! The challenge engine: from a Cognito reply to tokens or to a prompt, answering
//! what needs no person (SRP, device SRP) itself.
//!
//! `start` makes the first InitiateAuth, `answer` turns a person's [`Answer`] into
//! ChallengeResponses, `drive` (here) loops over Cognito's replies, `setup` runs
//! MFA_SETUP's AssociateSoftwareToken, and `finish` turns the tokens into
//! [`Tokens`] and confirms a new device.
//!
//! [`Answer`]: crate::Answer

mod answer;
mod finish;
mod setup;
mod start;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use cognito_auth_srp::{DeviceSrpClient, Parameters, RememberedDevice, UserSrpClient};
use secrecy::{ExposeSecret, SecretString};

use crate::challenge::Challenge;
use crate::handler::Prompt;
use crate::state::{SignInState, Step};
use crate::tokens::Notice;
use crate::{Error, Flows, Reply};

/// What lives only for the duration of one call into the engine: the password,
/// the SRP ephemerals, the remembered device. Never serialized.
pub(crate) struct Live<'a> {
    password: Option<&'a SecretString>,
    srp: Option<UserSrpClient>,
    device: Option<RememberedDevice>,
    device_srp: Option<DeviceSrpClient>,
}

impl<'a> Live<'a> {
    pub(crate) fn new(password: Option<&'a SecretString>) -> Self {
        Self {
            password,
            srp: None,
            device: None,
            device_srp: None,
        }
    }
}

impl Flows {
    async fn respond_and_drive(
        &self,
        mut state: SignInState,
        live: &mut Live<'_>,
        challenge: ChallengeNameType,
        responses: Parameters,
        password: Option<SecretString>,
    ) -> Result<Step, Error> {
        let reply = self.respond_round(&mut state, challenge, responses).await?;
        match password {
            Some(password) => {
                let mut inner = Live {
                    password: Some(&password),
                    srp: live.srp.take(),
                    device: live.device.take(),
                    device_srp: live.device_srp.take(),
                };
                let result = self.drive(state, &mut inner, reply).await;
                if matches!(result, Err(Error::DeviceNotFound))
                    && let Some(device) = &inner.device
                {
                    self.forget_device(device.device_key()).await?;
                }
                result
            }
            None => self.drive(state, live, reply).await,
        }
    }

    fn count_round(&self, state: &mut SignInState) -> Result<(), Error> {
        if state.rounds >= self.max_rounds {
            return Err(Error::TooManyRounds {
                rounds: self.max_rounds,
            });
        }
        state.rounds += 1;
        Ok(())
    }

    /// RespondToAuthChallenge, with SECRET_HASH over the responses' USERNAME.
    async fn respond_round(
        &self,
        state: &mut SignInState,
        challenge: ChallengeNameType,
        responses: Parameters,
    ) -> Result<Reply, Error> {
        self.count_round(state)?;
        let session = state.session.as_ref().map(|s| s.expose_secret().to_owned());
        self.api
            .respond_with(challenge, responses, session.as_deref(), &state.metadata)
            .await
    }

    /// Runs from a Cognito reply until tokens or a prompt.
    async fn drive(
        &self,
        mut state: SignInState,
        live: &mut Live<'_>,
        mut reply: Reply,
    ) -> Result<Step, Error> {
        loop {
            state.session = reply.session.take();
            if let Some(result) = reply.authentication_result.take() {
                return self.finish(state, live, &result).await.map(Step::Done);
            }
            let Some(name) = reply.challenge_name.take() else {
                return Err(Error::MalformedReply {
                    detail: "neither AuthenticationResult nor ChallengeName".into(),
                });
            };
            let parameters = std::mem::take(&mut reply.challenge_parameters);
            if let Some(username) = parameters
                .get("USERNAME")
                .or_else(|| parameters.get("USER_ID_FOR_SRP"))
                .filter(|u| !u.is_empty())
            {
                state.username = username.clone();
            }
            tracing::debug!(challenge = name.as_str(), "Cognito challenge");
            state.challenge = name.as_str().to_owned();
            let responses = match Challenge::parse(&name, &parameters, &reply.available_challenges)
            {
                Challenge::PasswordVerifier => {
                    let srp = live.srp.as_ref().ok_or_else(|| Error::MalformedReply {
                        detail: "PASSWORD_VERIFIER without an SRP_A having been sent".into(),
                    })?;
                    let password = live.password.ok_or(Error::PasswordNeeded {
                        step: "PASSWORD_VERIFIER",
                    })?;
                    let device_key = live.device.as_ref().map(|d| d.device_key().to_owned());
                    srp.password_verifier_responses(
                        &parameters,
                        password,
                        device_key.as_deref(),
                        self.clock.as_ref(),
                    )?
                }
                Challenge::DeviceSrpAuth => {
                    let device = live.device.clone().ok_or_else(|| Error::MalformedReply {
                        detail: "DEVICE_SRP_AUTH without a remembered device".into(),
                    })?;
                    let device_srp = DeviceSrpClient::new(self.api.app().clone(), device)?;
                    let responses = device_srp.device_srp_auth_responses(&state.username);
                    live.device_srp = Some(device_srp);
                    responses
                }
                Challenge::DevicePasswordVerifier => {
                    let device_srp =
                        live.device_srp
                            .as_ref()
                            .ok_or_else(|| Error::MalformedReply {
                                detail: "DEVICE_PASSWORD_VERIFIER before DEVICE_SRP_AUTH".into(),
                            })?;
                    let responses = device_srp.device_password_verifier_responses(
                        &parameters,
                        &state.username,
                        self.clock.as_ref(),
                    )?;
                    if let Some(device) = &live.device {
                        state.notices.push(Notice::DeviceAuthenticated {
                            device_key: device.device_key().to_owned(),
                        });
                    }
                    responses
                }
                Challenge::WebAuthn => return Err(Error::WebAuthnNotSupported),
                Challenge::Unsupported(name) => {
                    return Err(Error::UnsupportedChallenge { name });
                }
                Challenge::MfaSetup { options } => {
                    state.parameters = parameters;
                    state.setup = None;
                    let prompt = match options.as_slice() {
                        [only] => self.setup_prompt(&mut state, *only).await?,
                        _ => Prompt::SelectMfaSetup { options },
                    };
                    return Ok(Step::Challenge { state, prompt });
                }
                Challenge::Ask(prompt) => {
                    state.parameters = parameters;
                    return Ok(Step::Challenge { state, prompt });
                }
            };
            reply = self.respond_round(&mut state, name, responses).await?;
        }
    }
}
