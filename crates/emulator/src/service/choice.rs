//! USER_AUTH (choice-based sign-in).
//!
//! USER_AUTH offers the pool's `SignInPolicy.AllowedFirstAuthFactors`: PASSWORD
//! (which also offers PASSWORD_SRP), EMAIL_OTP and SMS_OTP (codes to the outbox),
//! WEB_AUTHN (refused: the emulator has no passkeys).

use serde_json::{Value, json};

use super::progress::{Parameters, Progress, Stage, challenge, required};
use super::users::mask_destination;
use super::{Service, same_secret};
use crate::codes;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::model::{AppClient, Pool, User, UserStatus};
use crate::outbox::Message;
use crate::sessions::Step;

/// The first factors USER_AUTH offers `user`; for a hidden unknown user
/// (`None`), every factor the pool allows.
fn first_factors(pool: &Pool, user: Option<&User>) -> Vec<String> {
    // A user who must still choose a password is offered no one-time code:
    // Cognito answered PREFERRED_CHALLENGE=EMAIL_OTP for a FORCE_CHANGE_PASSWORD
    // user with SELECT_CHALLENGE [PASSWORD_SRP, PASSWORD] (a recorded spike
    // against a real pool), so the temporary password cannot be skipped.
    let codes_allowed = user.is_none_or(|u| u.status != UserStatus::ForceChangePassword);
    let mut available = Vec::new();
    for factor in &pool.allowed_first_auth_factors {
        match factor.as_str() {
            "PASSWORD" => available.extend(["PASSWORD_SRP".to_owned(), "PASSWORD".to_owned()]),
            "EMAIL_OTP" if codes_allowed && user.is_none_or(|u| u.email().is_some()) => {
                available.push("EMAIL_OTP".to_owned());
            }
            "SMS_OTP"
                if codes_allowed
                    && user.is_none_or(|u| u.attributes.contains_key("phone_number")) =>
            {
                available.push("SMS_OTP".to_owned());
            }
            "WEB_AUTHN" => available.push("WEB_AUTHN".to_owned()),
            _ => {}
        }
    }
    available
}

fn web_authn_not_configured() -> ApiError {
    ApiError::new(
        ErrorKind::InvalidParameter,
        "WebAuthn is not configured for this user pool",
    )
}

impl Service {
    pub(crate) fn progress_for(
        &self,
        pool: Pool,
        client: AppClient,
        user: User,
        admin: bool,
    ) -> Progress {
        Progress {
            pool,
            client,
            user,
            admin,
            custom_auth: None,
            client_metadata: Default::default(),
            user_not_found: false,
            device_key: None,
            device_authenticated: false,
            auth_time: 0,
        }
    }

    pub(super) fn start_user_auth(
        &self,
        pool: Pool,
        client: AppClient,
        params: &Parameters,
        admin: bool,
    ) -> ApiResult<Value> {
        let typed = required(params, "USERNAME")?;
        Self::check_secret_hash(
            &client,
            typed,
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        let Some(user) = self.first_factor_user(&pool, &client, typed)? else {
            // An unknown user, hidden: a preferred password factor starts as it
            // would for a real user (the simulated PASSWORD_VERIFIER, or the
            // hashed password's refusal); otherwise a choice that leads nowhere.
            let password_allowed = pool
                .allowed_first_auth_factors
                .iter()
                .any(|f| f == "PASSWORD");
            match params.get("PREFERRED_CHALLENGE").map(String::as_str) {
                Some("PASSWORD_SRP") if password_allowed => {
                    return self.start_srp(pool, client, params, admin, None);
                }
                Some("PASSWORD") if password_allowed => {
                    return self.password_sign_in(pool, client, params, admin);
                }
                _ => {}
            }
            return Ok(json!({
                "ChallengeName": "SELECT_CHALLENGE",
                "Session": ids::session(),
                "ChallengeParameters": {},
                "AvailableChallenges": first_factors(&pool, None),
            }));
        };
        let available = first_factors(&pool, Some(&user));
        if let Some(preferred) = params.get("PREFERRED_CHALLENGE")
            && available.contains(preferred)
        {
            let preferred = preferred.clone();
            return self.begin_first_factor(pool, client, user, params, admin, &preferred);
        }
        let progress = self.progress_for(pool, client, user, admin);
        let token = self.next_session(
            &progress,
            Step::SelectChallenge {
                available: available.clone(),
            },
            vec![],
        );
        Ok(json!({
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": token,
            "ChallengeParameters": {},
            "AvailableChallenges": available,
        }))
    }

    /// USER_AUTH with the Session ConfirmSignUp returned: tokens, no password.
    pub(super) fn user_auth_after_sign_up(
        &self,
        client: AppClient,
        token: &str,
        params: &Parameters,
    ) -> ApiResult<Value> {
        let typed = required(params, "USERNAME")?;
        Self::check_secret_hash(
            &client,
            typed,
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        let session = self.take_session(&client, Some(token), None)?;
        if !matches!(session.step, Step::SignUpConfirmed) {
            return Err(ApiError::invalid_session());
        }
        let mut progress = self.progress(client, &session)?;
        let named = self.find_user(&progress.pool, typed)?;
        if named.is_none_or(|u| u.username != progress.user.username) {
            return Err(ApiError::invalid_session());
        }
        progress.auth_time = ids::now();
        self.finish(progress)
    }

    /// The Session ConfirmSignUp hands out when the client allows USER_AUTH.
    pub(crate) fn sign_up_session(
        &self,
        pool: Pool,
        client: AppClient,
        user: User,
    ) -> Option<String> {
        if !client.allows("ALLOW_USER_AUTH") {
            return None;
        }
        let progress = self.progress_for(pool, client, user, false);
        Some(self.next_session(&progress, Step::SignUpConfirmed, vec![]))
    }

    fn begin_first_factor(
        &self,
        pool: Pool,
        client: AppClient,
        user: User,
        params: &Parameters,
        admin: bool,
        factor: &str,
    ) -> ApiResult<Value> {
        match factor {
            "PASSWORD" => self.password_sign_in(pool, client, params, admin),
            "PASSWORD_SRP" => self.start_srp(pool, client, params, admin, None),
            "EMAIL_OTP" | "SMS_OTP" => {
                let (challenge_name, medium, attribute): (&'static str, &str, &str) =
                    if factor == "EMAIL_OTP" {
                        ("EMAIL_OTP", "EMAIL", "email")
                    } else {
                        ("SMS_OTP", "SMS", "phone_number")
                    };
                let destination = user.attributes.get(attribute).cloned().unwrap_or_default();
                let code = self.send_code(&pool, &user, medium, &destination, challenge_name);
                let progress = self.progress_for(pool, client, user, admin);
                let token = self.next_session(
                    &progress,
                    Step::OtpFirstFactor {
                        challenge_name,
                        code,
                        wrong_answers: Default::default(),
                    },
                    vec![],
                );
                Ok(challenge(
                    challenge_name,
                    &token,
                    json!({
                        "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
                        "CODE_DELIVERY_DESTINATION": mask_destination(&destination),
                    }),
                ))
            }
            _ => Err(web_authn_not_configured()),
        }
    }

    /// Sends a fresh code to the outbox and returns it.
    pub(crate) fn send_code(
        &self,
        pool: &Pool,
        user: &User,
        medium: &str,
        destination: &str,
        purpose: &str,
    ) -> String {
        let code = codes::sign_in_code();
        self.outbox.send(Message {
            pool_id: pool.id.to_string(),
            username: user.username.clone(),
            medium: medium.into(),
            destination: destination.into(),
            purpose: purpose.into(),
            code: code.clone(),
            sent_at: ids::now(),
        });
        code
    }

    pub(super) fn answer_select_challenge(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
    ) -> ApiResult<Value> {
        let session = self.take_session(&client, token, None)?;
        let Step::SelectChallenge { available } = &session.step else {
            return Err(ApiError::invalid_session());
        };
        let progress = self.progress(client, &session)?;
        self.check_response_user(&progress, responses)?;
        let answer = required(responses, "ANSWER")?;
        if !available.iter().any(|a| a == answer) {
            return Err(ApiError::invalid_parameter(format!(
                "The challenge {answer} is not available for this user"
            )));
        }
        let answer = answer.to_owned();
        self.begin_first_factor(
            progress.pool,
            progress.client,
            progress.user,
            responses,
            session.admin,
            &answer,
        )
    }

    /// The OTP answer of a USER_AUTH EMAIL_OTP / SMS_OTP first factor.
    pub(super) fn first_factor_otp_matches(
        challenge_name: &str,
        code: &str,
        responses: &Parameters,
    ) -> ApiResult<bool> {
        let field = if challenge_name == "EMAIL_OTP" {
            "EMAIL_OTP_CODE"
        } else {
            "SMS_OTP_CODE"
        };
        let answer = required(responses, field)?;
        Ok(same_secret(code, answer))
    }

    /// After a right EMAIL_OTP / SMS_OTP first factor, the account-state checks
    /// password sign-in makes after its proof: an unconfirmed user is refused
    /// (UserNotConfirmedException, as for a right password), a user with a
    /// temporary password must choose a new one (NEW_PASSWORD_REQUIRED) before
    /// any token. A disabled user was refused when the session was taken.
    pub(super) fn after_otp_first_factor(&self, mut progress: Progress) -> ApiResult<Value> {
        progress.auth_time = ids::now();
        match progress.user.status {
            UserStatus::Unconfirmed => Err(ApiError::user_not_confirmed()),
            UserStatus::ForceChangePassword => self.advance(progress, Stage::Password),
            _ => self.advance(progress, Stage::Mfa),
        }
    }
}
