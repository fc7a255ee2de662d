//! Second factors: SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA (real TOTP),
//! SELECT_MFA_TYPE and MFA_SETUP, plus the operations that configure them.

use serde::Deserialize;
use serde_json::{Value, json};

use super::progress::{Parameters, Progress, Stage, challenge, required};
use super::users::mask_destination;
use super::{Service, lock, parse, same_secret};
use crate::codes::{self, MAX_WRONG_ANSWERS_PER_CODE, Verdict};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::model::{AppClient, User};
use crate::outbox::Message;
use crate::sessions::{Session, Step};
use crate::totp;

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct FactorSetting {
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    preferred_mfa: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PreferenceInput {
    #[serde(default, rename = "SMSMfaSettings")]
    sms: Option<FactorSetting>,
    #[serde(default)]
    software_token_mfa_settings: Option<FactorSetting>,
    #[serde(default)]
    email_mfa_settings: Option<FactorSetting>,
}

impl Service {
    /// Whether this sign-in needs a second factor.
    pub(crate) fn mfa_required(&self, progress: &Progress) -> ApiResult<bool> {
        let needed = match progress.pool.mfa_configuration.as_str() {
            "ON" => true,
            "OPTIONAL" => !progress.user.mfa.enabled_factors().is_empty(),
            _ => false,
        };
        if !needed {
            return Ok(false);
        }
        // A remembered device that proved itself skips MFA.
        if progress.device_authenticated
            && let Some(key) = &progress.device_key
            && let Some(device) = self.store.device(key)?
            && device.remembered_status == "remembered"
        {
            return Ok(false);
        }
        Ok(true)
    }

    /// Asks for the user's second factor (or to choose or set one up).
    pub(crate) fn mfa_challenge(&self, progress: Progress) -> ApiResult<Value> {
        let factors = progress.user.mfa.enabled_factors();
        let chosen = match progress.user.mfa.preferred.as_deref() {
            Some(p) if factors.contains(&p) => Some(p.to_owned()),
            _ if factors.len() == 1 => factors.first().map(|f| (*f).to_owned()),
            _ => None,
        };
        match chosen {
            Some(name) => self.send_factor(progress, &name),
            None if factors.is_empty() => {
                let step = Step::MfaSetup {
                    verified: false,
                    wrong_answers: Default::default(),
                };
                let token = self.next_session(&progress, step, vec![]);
                Ok(challenge(
                    "MFA_SETUP",
                    &token,
                    json!({ "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]" }),
                ))
            }
            None => {
                let token = self.next_session(&progress, Step::SelectMfaType, vec![]);
                Ok(challenge(
                    "SELECT_MFA_TYPE",
                    &token,
                    json!({ "MFAS_CAN_CHOOSE": json!(factors).to_string() }),
                ))
            }
        }
    }

    /// Issues one factor's challenge; SMS and email codes go to the outbox.
    fn send_factor(&self, progress: Progress, name: &str) -> ApiResult<Value> {
        let (challenge_name, medium, attribute): (&'static str, &str, &str) = match name {
            "SMS_MFA" => ("SMS_MFA", "SMS", "phone_number"),
            "EMAIL_OTP" => ("EMAIL_OTP", "EMAIL", "email"),
            _ => ("SOFTWARE_TOKEN_MFA", "", ""),
        };
        let mut parameters = json!({ "USER_ID_FOR_SRP": progress.user.username });
        let code = if challenge_name == "SOFTWARE_TOKEN_MFA" {
            None
        } else {
            let destination = progress
                .user
                .attributes
                .get(attribute)
                .cloned()
                .unwrap_or_default();
            let code = codes::sign_in_code();
            self.outbox.send(Message {
                pool_id: progress.pool.id.to_string(),
                username: progress.user.username.clone(),
                medium: medium.into(),
                destination: destination.clone(),
                purpose: challenge_name.into(),
                code: code.clone(),
                sent_at: ids::now(),
            });
            parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] = json!(medium);
            parameters["CODE_DELIVERY_DESTINATION"] = json!(mask_destination(&destination));
            Some(code)
        };
        let token = self.next_session(
            &progress,
            Step::MfaCode {
                challenge_name,
                code,
                wrong_answers: Default::default(),
            },
            vec![],
        );
        Ok(challenge(challenge_name, &token, parameters))
    }

    pub(super) fn answer_mfa(
        &self,
        client: AppClient,
        name: &str,
        token: Option<&str>,
        responses: &Parameters,
    ) -> ApiResult<Value> {
        let session = self.take_session(&client, token, None)?;
        let mut progress = self.progress(client, &session)?;
        self.check_response_user(&progress, responses)?;
        match (&session.step, name) {
            (
                Step::MfaCode {
                    challenge_name,
                    code,
                    ..
                },
                _,
            ) if *challenge_name == name => {
                let correct = match (name, code) {
                    ("SOFTWARE_TOKEN_MFA", _) => {
                        let answer = required(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
                        let secret = progress.user.mfa.totp_secret.clone().unwrap_or_default();
                        totp::verify(&secret, answer, ids::now())
                    }
                    ("SMS_MFA", Some(code)) => {
                        let answer = responses
                            .get("SMS_MFA_CODE")
                            .or_else(|| responses.get("SMS_CODE"))
                            .ok_or_else(|| ApiError::missing_parameter("SMS_MFA_CODE"))?;
                        same_secret(code, answer)
                    }
                    (_, Some(code)) => same_secret(code, required(responses, "EMAIL_OTP_CODE")?),
                    (_, None) => false,
                };
                if !correct {
                    return Err(self.wrong_code(token, session));
                }
                self.advance(progress, Stage::Mfa)
            }
            (
                Step::OtpFirstFactor {
                    challenge_name,
                    code,
                    ..
                },
                _,
            ) if *challenge_name == name => {
                if !Self::first_factor_otp_matches(name, code, responses)? {
                    return Err(self.wrong_code(token, session));
                }
                self.after_otp_first_factor(progress)
            }
            (Step::SelectMfaType, "SELECT_MFA_TYPE") => {
                let answer = required(responses, "ANSWER")?;
                if !progress.user.mfa.enabled_factors().contains(&answer) {
                    return Err(ApiError::invalid_parameter("Invalid MFA type selected"));
                }
                let answer = answer.to_owned();
                self.send_factor(progress, &answer)
            }
            (Step::MfaSetup { verified: true, .. }, "MFA_SETUP") => {
                progress.user = self
                    .store
                    .user(progress.pool.id.as_str(), &progress.user.username)?
                    .ok_or_else(ApiError::user_not_found)?;
                self.advance(progress, Stage::Mfa)
            }
            (Step::MfaSetup { .. }, "MFA_SETUP") => Err(ApiError::invalid_parameter(
                "Software token MFA has not been verified for this session",
            )),
            _ => Err(ApiError::invalid_session()),
        }
    }

    /// A wrong code: the session may be answered again, up to its budget of
    /// wrong answers (see [`crate::codes`]); then it is gone.
    fn wrong_code(&self, token: Option<&str>, session: Session) -> ApiError {
        lock(&self.sessions).retry(token.unwrap_or_default(), session);
        ApiError::code_mismatch()
    }

    /// The user an MFA-configuration call is about: by access token, or by the
    /// Session of an MFA_SETUP challenge (returned with the session's token).
    fn mfa_subject(
        &self,
        access_token: Option<&str>,
        session: Option<&str>,
    ) -> ApiResult<(String, User, Option<Session>)> {
        if let Some(token) = access_token {
            let (pool, user, _) = self.authenticate(token)?;
            return Ok((pool.id.to_string(), user, None));
        }
        let Some(session_token) = session else {
            return Err(ApiError::invalid_parameter(
                "Either AccessToken or Session must be provided",
            ));
        };
        let session = lock(&self.sessions)
            .take(session_token, ids::now())
            .map_err(|_| ApiError::invalid_session())?;
        if !matches!(session.step, Step::MfaSetup { .. }) {
            return Err(ApiError::invalid_session());
        }
        let user = self
            .store
            .user(&session.pool_id, &session.username)?
            .ok_or_else(ApiError::user_not_found)?;
        Ok((session.pool_id.clone(), user, Some(session)))
    }

    pub(super) fn associate_software_token(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            #[serde(default)]
            access_token: Option<String>,
            #[serde(default)]
            session: Option<String>,
        }
        let input: Input = parse(input)?;
        let (pool_id, mut user, session) =
            self.mfa_subject(input.access_token.as_deref(), input.session.as_deref())?;
        let secret = totp::base32_encode(&ids::random_bytes(20));
        user.mfa.totp_secret = Some(secret.clone());
        user.mfa.totp_verified = false;
        user.mfa.totp_wrong_answers = Default::default();
        user.last_modified = ids::now();
        self.store.update_user(&pool_id, &user)?;
        let mut output = json!({ "SecretCode": secret });
        if let Some(session) = session {
            output["Session"] = json!(lock(&self.sessions).insert(session, vec![]));
        }
        Ok(output)
    }

    pub(super) fn verify_software_token(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            #[serde(default)]
            access_token: Option<String>,
            #[serde(default)]
            session: Option<String>,
            user_code: String,
        }
        let input: Input = parse(input)?;
        let (pool_id, mut user, session) =
            self.mfa_subject(input.access_token.as_deref(), input.session.as_deref())?;
        let secret = user.mfa.totp_secret.clone().ok_or_else(|| {
            ApiError::new(
                ErrorKind::SoftwareTokenMfaNotFound,
                "Software Token MFA has not been associated with this user.",
            )
        })?;
        let verdict = user
            .mfa
            .totp_wrong_answers
            .check(MAX_WRONG_ANSWERS_PER_CODE, || {
                totp::verify(&secret, &input.user_code, ids::now())
            });
        if verdict != Verdict::Correct {
            if user
                .mfa
                .totp_wrong_answers
                .reached(MAX_WRONG_ANSWERS_PER_CODE)
            {
                // The association is spent: guessing on needs a new secret.
                user.mfa.totp_secret = None;
            }
            user.last_modified = ids::now();
            self.store.update_user(&pool_id, &user)?;
            if let (Some(session), Some(token)) = (session, input.session) {
                lock(&self.sessions).retry(&token, session);
            }
            return Err(ApiError::new(
                ErrorKind::EnableSoftwareTokenMfa,
                "Code mismatch and fail enable Software Token MFA",
            ));
        }
        user.mfa.totp_verified = true;
        user.mfa.totp_enabled = true;
        user.last_modified = ids::now();
        self.store.update_user(&pool_id, &user)?;
        let mut output = json!({ "Status": "SUCCESS" });
        if let Some(mut session) = session {
            session.step = Step::MfaSetup {
                verified: true,
                wrong_answers: Default::default(),
            };
            output["Session"] = json!(lock(&self.sessions).insert(session, vec![]));
        }
        Ok(output)
    }

    fn apply_preferences(
        &self,
        pool_id: &str,
        mut user: User,
        input: PreferenceInput,
    ) -> ApiResult<()> {
        let mut apply = |setting: Option<FactorSetting>, name: &str| -> ApiResult<()> {
            let Some(setting) = setting else {
                return Ok(());
            };
            let enabled = setting.enabled.unwrap_or(false);
            match name {
                "SMS_MFA" => user.mfa.sms_enabled = enabled,
                "SOFTWARE_TOKEN_MFA" => {
                    if enabled && !user.mfa.totp_verified {
                        return Err(ApiError::new(
                            ErrorKind::InvalidParameter,
                            "User has not verified software token mfa",
                        ));
                    }
                    user.mfa.totp_enabled = enabled;
                }
                _ => user.mfa.email_enabled = enabled,
            }
            if setting.preferred_mfa == Some(true) && enabled {
                user.mfa.preferred = Some(name.to_owned());
            } else if (!enabled || setting.preferred_mfa == Some(false))
                && user.mfa.preferred.as_deref() == Some(name)
            {
                user.mfa.preferred = None;
            }
            Ok(())
        };
        apply(input.sms, "SMS_MFA")?;
        apply(input.software_token_mfa_settings, "SOFTWARE_TOKEN_MFA")?;
        apply(input.email_mfa_settings, "EMAIL_OTP")?;
        user.last_modified = ids::now();
        self.store.update_user(pool_id, &user)?;
        Ok(())
    }

    pub(super) fn set_user_mfa_preference(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
        }
        let token: Input = parse(input.clone())?;
        let preferences: PreferenceInput = parse(input)?;
        let (pool, user, _) = self.authenticate(&token.access_token)?;
        self.apply_preferences(pool.id.as_str(), user, preferences)?;
        Ok(json!({}))
    }

    pub(super) fn admin_set_user_mfa_preference(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            username: String,
        }
        let target: Input = parse(input.clone())?;
        let preferences: PreferenceInput = parse(input)?;
        let pool = self.pool(&target.user_pool_id)?;
        let user = self.existing_user(&pool, &target.username)?;
        self.apply_preferences(pool.id.as_str(), user, preferences)?;
        Ok(json!({}))
    }
}
