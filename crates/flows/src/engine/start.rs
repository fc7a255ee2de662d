//! The first call of a sign-in: InitiateAuth for the chosen method, with the
//! remembered device, retried without it if Cognito forgot it.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_auth_srp::{Parameters, RememberedDevice, UserSrpClient};
use secrecy::ExposeSecret;

use super::Live;
use crate::request::{FirstFactor, Method, SignIn};
use crate::state::{SignInState, Step};
use crate::tokens::Notice;
use crate::{Error, Flows};

impl Flows {
    pub(crate) async fn start_live(
        &self,
        sign_in: &SignIn,
        live: &mut Live<'_>,
    ) -> Result<Step, Error> {
        let uses_device = !matches!(sign_in.method, Method::Custom { srp_first: false });
        let device = if uses_device {
            self.load_device(&sign_in.username).await?
        } else {
            None
        };
        let stale = device.as_ref().map(|d| d.device_key().to_owned());
        match self.attempt(sign_in, live, device, Vec::new()).await {
            Err(Error::DeviceNotFound) if stale.is_some() => {
                let stale = stale.unwrap_or_default();
                self.forget_device(&stale).await?;
                live.srp = None;
                live.device_srp = None;
                let notices = vec![Notice::DeviceForgotten { device_key: stale }];
                self.attempt(sign_in, live, None, notices).await
            }
            other => other,
        }
    }

    async fn attempt(
        &self,
        sign_in: &SignIn,
        live: &mut Live<'_>,
        device: Option<RememberedDevice>,
        notices: Vec<Notice>,
    ) -> Result<Step, Error> {
        let username = sign_in.username.as_str();
        let mut state = SignInState::new(username, sign_in.metadata.clone(), notices);
        state.device_key = device.as_ref().map(|d| d.device_key().to_owned());
        let device_key = state.device_key.clone();
        live.device = device;

        let mut parameters = Parameters::new();
        let mut session = None;
        let needs_password = matches!(
            &sign_in.method,
            Method::Srp
                | Method::Password
                | Method::Custom { srp_first: true }
                | Method::UserAuth {
                    preferred: Some(FirstFactor::PasswordSrp | FirstFactor::Password),
                    ..
                }
        );
        if needs_password && sign_in.password.is_none() {
            return Err(Error::PasswordNeeded {
                step: "this sign-in method",
            });
        }
        let flow = match &sign_in.method {
            Method::Srp | Method::Custom { srp_first: true } => {
                let srp = UserSrpClient::new(self.pool.clone(), self.api.app().clone())?;
                parameters = srp.initiate_auth_parameters(username, device_key.as_deref());
                live.srp = Some(srp);
                if matches!(sign_in.method, Method::Srp) {
                    AuthFlowType::UserSrpAuth
                } else {
                    parameters.insert("CHALLENGE_NAME".into(), "SRP_A".into());
                    AuthFlowType::CustomAuth
                }
            }
            Method::Password => {
                let password = sign_in.password.as_ref().ok_or(Error::PasswordNeeded {
                    step: "USER_PASSWORD_AUTH",
                })?;
                parameters.insert("USERNAME".into(), username.into());
                parameters.insert("PASSWORD".into(), password.expose_secret().to_owned());
                if let Some(key) = &device_key {
                    parameters.insert("DEVICE_KEY".into(), key.clone());
                }
                AuthFlowType::UserPasswordAuth
            }
            Method::Custom { srp_first: false } => {
                parameters.insert("USERNAME".into(), username.into());
                AuthFlowType::CustomAuth
            }
            Method::UserAuth {
                preferred,
                session: sign_up_session,
            } => {
                parameters.insert("USERNAME".into(), username.into());
                if let Some(key) = &device_key {
                    parameters.insert("DEVICE_KEY".into(), key.clone());
                }
                session = sign_up_session
                    .as_ref()
                    .map(|s| s.expose_secret().to_owned());
                if let Some(factor) = preferred {
                    parameters.insert("PREFERRED_CHALLENGE".into(), factor.as_str().into());
                    match factor {
                        FirstFactor::PasswordSrp => {
                            let srp =
                                UserSrpClient::new(self.pool.clone(), self.api.app().clone())?;
                            parameters.insert("SRP_A".into(), srp.srp_a());
                            live.srp = Some(srp);
                        }
                        FirstFactor::Password => {
                            let password =
                                sign_in.password.as_ref().ok_or(Error::PasswordNeeded {
                                    step: "USER_AUTH with PREFERRED_CHALLENGE=PASSWORD",
                                })?;
                            parameters
                                .insert("PASSWORD".into(), password.expose_secret().to_owned());
                        }
                        FirstFactor::EmailOtp | FirstFactor::SmsOtp => {}
                    }
                }
                AuthFlowType::UserAuth
            }
        };
        // SECRET_HASH goes over USERNAME: the name as typed.
        self.count_round(&mut state)?;
        let reply = self
            .api
            .initiate_with(flow, parameters, session.as_deref(), &state.metadata)
            .await?;
        self.drive(state, live, reply).await
    }
}
