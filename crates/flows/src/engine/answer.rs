//! A person's [`Answer`] to the challenge a sign-in waits on, as ChallengeResponses.

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use cognito_auth_srp::{Parameters, UserSrpClient};
use secrecy::ExposeSecret;

use super::Live;
use crate::challenge::Challenge;
use crate::handler::{Answer, MfaKind, Prompt};
use crate::state::{SignInState, Step};
use crate::{Error, Flows};

impl Flows {
    pub(crate) async fn answer_live(
        &self,
        mut state: SignInState,
        answer: Answer,
        live: &mut Live<'_>,
    ) -> Result<Step, Error> {
        // A step-wise answer has no device in hand: fetch the one this sign-in
        // offered, in case Cognito goes on to DEVICE_SRP_AUTH.
        if live.device.is_none()
            && let Some(key) = &state.device_key
        {
            live.device = self
                .load_device(&state.typed_username)
                .await?
                .filter(|device| device.device_key() == key);
        }
        let wrong = |state: &SignInState, detail: &str| Error::WrongAnswerKind {
            challenge: state.challenge.clone(),
            detail: detail.to_owned(),
        };
        let name = ChallengeNameType::from(state.challenge.as_str());
        let waiting = Challenge::parse(&name, &state.parameters, &[]);
        let mut responses = Parameters::new();
        responses.insert("USERNAME".into(), state.username.clone());
        match (waiting, answer) {
            (Challenge::MfaSetup { options }, Answer::Mfa(kind)) if state.setup.is_none() => {
                if !options.contains(&kind) {
                    return Err(wrong(
                        &state,
                        &format!("{} is not offered for setup", kind.challenge_name()),
                    ));
                }
                let prompt = self.setup_prompt(&mut state, kind).await?;
                return Ok(Step::Challenge { state, prompt });
            }
            (Challenge::MfaSetup { options }, Answer::Code(code))
                if setting_up(&state, &options) == Some(MfaKind::Totp) =>
            {
                self.verify_totp_setup(&mut state, &code).await?;
            }
            (Challenge::MfaSetup { options }, Answer::Email(address))
                if setting_up(&state, &options) == Some(MfaKind::Email) =>
            {
                responses.insert("EMAIL".into(), address);
            }
            (Challenge::Ask(Prompt::Code { kind, .. }), Answer::Code(code)) => {
                responses.insert(kind.response_key().into(), code.expose_secret().to_owned());
            }
            (_, Answer::Code(_)) => {
                return Err(wrong(&state, "a code answers only a code challenge"));
            }
            (Challenge::Ask(Prompt::SelectMfa { .. }), Answer::Mfa(kind)) => {
                responses.insert("ANSWER".into(), kind.challenge_name().into());
            }
            (
                Challenge::Ask(Prompt::NewPassword { .. }),
                Answer::NewPassword {
                    password,
                    attributes,
                },
            ) => {
                responses.insert("NEW_PASSWORD".into(), password.expose_secret().to_owned());
                for (name, value) in attributes {
                    let name = name
                        .strip_prefix("userAttributes.")
                        .map(str::to_owned)
                        .unwrap_or(name);
                    responses.insert(format!("userAttributes.{name}"), value);
                }
            }
            (Challenge::Ask(Prompt::Custom { .. }), Answer::Custom { answer, extra }) => {
                for (key, value) in extra {
                    responses.insert(key, value);
                }
                responses.insert("ANSWER".into(), answer.expose_secret().to_owned());
            }
            (
                Challenge::Ask(Prompt::SelectChallenge { .. }),
                Answer::Select {
                    challenge: chosen,
                    password,
                },
            ) => {
                let password = password.as_ref().or(live.password);
                match ChallengeNameType::from(chosen.as_str()) {
                    ChallengeNameType::WebAuthn => return Err(Error::WebAuthnNotSupported),
                    ChallengeNameType::PasswordSrp => {
                        if password.is_none() {
                            return Err(Error::PasswordNeeded {
                                step: "SELECT_CHALLENGE PASSWORD_SRP",
                            });
                        }
                        let srp = UserSrpClient::new(self.pool.clone(), self.api.app().clone())?;
                        responses.insert("SRP_A".into(), srp.srp_a());
                        live.srp = Some(srp);
                    }
                    ChallengeNameType::Password => {
                        let password = password.ok_or(Error::PasswordNeeded {
                            step: "SELECT_CHALLENGE PASSWORD",
                        })?;
                        responses.insert("PASSWORD".into(), password.expose_secret().to_owned());
                    }
                    // EMAIL_OTP, SMS_OTP: Cognito sends the code and asks for it next.
                    _ => {}
                }
                // The password is needed again for PASSWORD_VERIFIER in this call.
                let owned = password.cloned();
                responses.insert("ANSWER".into(), chosen);
                return self
                    .respond_and_drive(state, live, name, responses, owned)
                    .await;
            }
            (_, _) => return Err(wrong(&state, "this answer does not fit the challenge")),
        }
        self.respond_and_drive(state, live, name, responses, None)
            .await
    }
}

/// The factor an MFA_SETUP is setting up: the one chosen, else the only one
/// offered (a state saved before the choice was recorded).
fn setting_up(state: &SignInState, options: &[MfaKind]) -> Option<MfaKind> {
    state.setup.or(match options {
        [only] => Some(*only),
        _ => None,
    })
}
