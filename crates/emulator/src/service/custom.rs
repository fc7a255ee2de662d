//! CUSTOM_AUTH, driven by Define / Create / Verify Auth Challenge triggers that
//! receive and return Cognito's Lambda event JSON.
//!
//! Each of the three triggers is whatever the pool's `LambdaConfig` names (see
//! [`crate::triggers`]), or, when it names nothing or `builtin`, a built-in
//! implementation that needs no code: DefineAuthChallenge asks for the password
//! when the sign-in started with `CHALLENGE_NAME = SRP_A`, then one custom
//! challenge, allows three wrong answers and issues tokens for a right one;
//! CreateAuthChallenge sends a six-digit code to the outbox (the same code again
//! after a wrong answer) and keeps it as `privateChallengeParameters.answer`;
//! VerifyAuthChallengeResponse compares the answer with `answer` in constant
//! time. The built-ins read and write the same event JSON as external triggers,
//! so any of them can be swapped for your own.
//!
//! The loop is Cognito's: InitiateAuth calls Define with the challenges so far
//! (`SRP_A` when SRP comes first); Define answers `failAuthentication`,
//! `issueTokens` or a `challengeName`; for `CUSTOM_CHALLENGE` Create makes the
//! challenge, whose `publicChallengeParameters` (plus `USERNAME`) the client
//! sees; the client's ANSWER goes to Verify with the private parameters; its
//! verdict joins the history and Define is asked again.

use serde_json::{Map, Value, json};

use super::progress::{Parameters, Progress, challenge, required};
use super::srp::parse_srp_a;
use super::users::mask_destination;
use super::{Service, same_secret};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::model::{AppClient, Pool, User, UserStatus};
use crate::sessions::{ChallengeRound, Step};
use crate::triggers::{self, TriggerTarget};

const DEFINE: &str = "DefineAuthChallenge";
const CREATE: &str = "CreateAuthChallenge";
const VERIFY: &str = "VerifyAuthChallengeResponse";

/// Wrong custom-challenge answers the built-in DefineAuthChallenge allows.
const BUILTIN_ATTEMPTS: usize = 3;

/// What DefineAuthChallenge decided.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Fail,
    IssueTokens,
    Challenge(String),
}

fn invalid_response(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidLambdaResponse, message)
}

/// A response member that must be a boolean when present.
fn flag(response: &Map<String, Value>, trigger: &str, name: &str) -> ApiResult<bool> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(invalid_response(format!(
            "Invalid lambda response: {trigger} returned a non-boolean {name}"
        ))),
    }
}

/// A response member that must be a map of strings when present.
fn string_map(response: &Map<String, Value>, trigger: &str, name: &str) -> ApiResult<Parameters> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(Parameters::new()),
        Some(Value::Object(members)) => members
            .iter()
            .map(|(key, value)| match value {
                Value::String(text) => Ok((key.clone(), text.clone())),
                _ => Err(invalid_response(format!(
                    "Invalid lambda response: {trigger} returned a non-string value for {name}.{key}"
                ))),
            })
            .collect(),
        Some(_) => Err(invalid_response(format!(
            "Invalid lambda response: {trigger} returned a {name} that is not a map"
        ))),
    }
}

fn history_json(rounds: &[ChallengeRound]) -> Value {
    Value::Array(
        rounds
            .iter()
            .map(|round| {
                let mut entry = json!({
                    "challengeName": round.challenge_name,
                    "challengeResult": round.challenge_result,
                });
                if let Some(metadata) = &round.challenge_metadata {
                    entry["challengeMetadata"] = json!(metadata);
                }
                entry
            })
            .collect(),
    )
}

/// The session history as a trigger received it in `event.request.session`.
fn history_of(event: &Value) -> Vec<ChallengeRound> {
    event["request"]["session"]
        .as_array()
        .map(|rounds| {
            rounds
                .iter()
                .map(|round| ChallengeRound {
                    challenge_name: round["challengeName"].as_str().unwrap_or_default().into(),
                    challenge_result: round["challengeResult"].as_bool().unwrap_or(false),
                    challenge_metadata: round["challengeMetadata"].as_str().map(str::to_owned),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The built-in DefineAuthChallenge.
fn builtin_define(history: &[ChallengeRound]) -> Value {
    let wrong = history
        .iter()
        .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE" && !r.challenge_result)
        .count();
    let (challenge_name, issue_tokens, fail) = match history.last() {
        Some(last) if last.challenge_name == "SRP_A" => ("PASSWORD_VERIFIER", false, false),
        Some(last) if last.challenge_name == "PASSWORD_VERIFIER" && !last.challenge_result => {
            ("", false, true)
        }
        Some(last) if last.challenge_name == "CUSTOM_CHALLENGE" && last.challenge_result => {
            ("", true, false)
        }
        _ if wrong >= BUILTIN_ATTEMPTS => ("", false, true),
        _ => ("CUSTOM_CHALLENGE", false, false),
    };
    let mut response = json!({ "issueTokens": issue_tokens, "failAuthentication": fail });
    if !challenge_name.is_empty() {
        response["challengeName"] = json!(challenge_name);
    }
    response
}

/// The built-in VerifyAuthChallengeResponse.
fn builtin_verify(event: &Value) -> Value {
    let expected = event["request"]["privateChallengeParameters"]["answer"].as_str();
    let answer = event["request"]["challengeAnswer"]
        .as_str()
        .unwrap_or_default();
    let correct = expected.is_some_and(|expected| same_secret(expected, answer));
    json!({ "answerCorrect": correct })
}

/// The user a hidden unknown name signs in as: no attributes, no password.
fn stand_in_user(typed: &str) -> User {
    let now = crate::ids::now();
    User {
        username: typed.to_owned(),
        sub: String::new(),
        attributes: Default::default(),
        status: UserStatus::Confirmed,
        enabled: true,
        salt: Vec::new(),
        verifier: Vec::new(),
        mfa: Default::default(),
        confirmation_code: None,
        created: now,
        last_modified: now,
    }
}

/// How the built-in CreateAuthChallenge remembers its code across a wrong answer.
const CODE_METADATA_PREFIX: &str = "CODE-";

impl Service {
    /// Where the pool's `which` trigger runs: `None` for the built-in one.
    fn trigger_target(&self, pool: &Pool, which: &str) -> ApiResult<Option<TriggerTarget>> {
        let name = match pool.lambda_config.get(which) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(name)) => name,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorKind::UnexpectedLambda,
                    format!("{which} in the pool's LambdaConfig is not a string"),
                ));
            }
        };
        if name.starts_with("builtin") {
            return Ok(None);
        }
        if triggers::is_url(name) {
            return Ok(Some(TriggerTarget::Url(name.clone())));
        }
        self.config.triggers.get(name).cloned().map(Some).ok_or_else(|| {
            ApiError::new(
                ErrorKind::UnexpectedLambda,
                format!(
                    "{which} is {name}, which the emulator cannot run: map it to a command or URL with --trigger '{name}=TARGET' or the seed file's [triggers] table"
                ),
            )
        })
    }

    /// Cognito's event for `which`, around `request`.
    fn trigger_event(&self, progress: &Progress, which: &str, mut request: Value) -> Value {
        let user = &progress.user;
        let mut attributes: Map<String, Value> = user
            .attributes
            .iter()
            .map(|(name, value)| (name.clone(), json!(value)))
            .collect();
        if !progress.user_not_found {
            attributes.insert("sub".into(), json!(user.sub));
            attributes.insert("cognito:user_status".into(), json!(user.status.as_str()));
        }
        request["userAttributes"] = Value::Object(attributes);
        request["clientMetadata"] = json!(progress.client_metadata);
        if progress.client.prevent_user_existence_errors == "ENABLED" {
            request["userNotFound"] = json!(progress.user_not_found);
        }
        let source = match which {
            VERIFY => "VerifyAuthChallengeResponse_Authentication",
            CREATE => "CreateAuthChallenge_Authentication",
            _ => "DefineAuthChallenge_Authentication",
        };
        json!({
            "version": "1",
            "triggerSource": source,
            "region": progress.pool.region(),
            "userPoolId": progress.pool.id.as_str(),
            "userName": user.username,
            "callerContext": {
                "awsSdkVersion": concat!("cognito-auth-emulator-", env!("CARGO_PKG_VERSION")),
                "clientId": progress.client.client_id,
            },
            "request": request,
            "response": {},
        })
    }

    /// Runs the pool's `which` trigger and returns its `response`.
    fn run_trigger(
        &self,
        progress: &Progress,
        which: &str,
        request: Value,
    ) -> ApiResult<Map<String, Value>> {
        let event = self.trigger_event(progress, which, request);
        let response = match self.trigger_target(&progress.pool, which)? {
            Some(target) => {
                tracing::debug!(trigger = which, pool = %progress.pool.id, "invoking trigger");
                triggers::invoke(which, &target, &event, self.config.trigger_timeout)?
            }
            None => match which {
                DEFINE => builtin_define(&history_of(&event)),
                CREATE => self.builtin_create(progress, &event),
                _ => builtin_verify(&event),
            }
            .as_object()
            .cloned()
            .unwrap_or_default(),
        };
        Ok(response)
    }

    /// The built-in CreateAuthChallenge: a code to the outbox.
    fn builtin_create(&self, progress: &Progress, event: &Value) -> Value {
        let user = &progress.user;
        let (medium, destination) = match (user.email(), user.attributes.get("phone_number")) {
            (Some(email), _) => ("EMAIL", email.to_owned()),
            (None, Some(phone)) => ("SMS", phone.clone()),
            (None, None) => ("EMAIL", user.username.clone()),
        };
        // After a wrong answer the same code stands, as a person would expect.
        let previous = history_of(event).last().and_then(|round| {
            (round.challenge_name == "CUSTOM_CHALLENGE" && !round.challenge_result)
                .then(|| round.challenge_metadata.clone())
                .flatten()
                .and_then(|m| m.strip_prefix(CODE_METADATA_PREFIX).map(str::to_owned))
        });
        let code = previous.unwrap_or_else(|| {
            if progress.user_not_found {
                // Nobody to send it to; a code nobody knows.
                return crate::ids::numeric_code();
            }
            self.send_code(
                &progress.pool,
                user,
                medium,
                &destination,
                "CUSTOM_CHALLENGE",
            )
        });
        json!({
            "publicChallengeParameters": {
                "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
                "CODE_DELIVERY_DESTINATION": mask_destination(&destination),
            },
            "privateChallengeParameters": { "answer": code },
            "challengeMetadata": format!("{CODE_METADATA_PREFIX}{code}"),
        })
    }

    /// Asks DefineAuthChallenge what comes after the challenges so far.
    fn define(&self, progress: &Progress) -> ApiResult<Decision> {
        let history = progress.custom_auth.as_deref().unwrap_or_default();
        let response = self.run_trigger(
            progress,
            DEFINE,
            json!({ "session": history_json(history) }),
        )?;
        if flag(&response, DEFINE, "failAuthentication")? {
            return Ok(Decision::Fail);
        }
        if flag(&response, DEFINE, "issueTokens")? {
            return Ok(Decision::IssueTokens);
        }
        match response.get("challengeName") {
            Some(Value::String(name)) if !name.is_empty() => Ok(Decision::Challenge(name.clone())),
            _ => Err(invalid_response(
                "Invalid lambda response: DefineAuthChallenge set none of challengeName, issueTokens, failAuthentication",
            )),
        }
    }

    /// Carries out a decision of DefineAuthChallenge.
    fn act(&self, mut progress: Progress, decision: Decision) -> ApiResult<Value> {
        match decision {
            Decision::Fail => Err(ApiError::incorrect_credentials()),
            // A trigger that would sign in a user who does not exist is
            // overruled: there is nobody to issue tokens to.
            Decision::IssueTokens if progress.user_not_found => {
                Err(ApiError::incorrect_credentials())
            }
            Decision::IssueTokens => {
                progress.custom_auth = None;
                self.finish(progress)
            }
            Decision::Challenge(name) if name == "CUSTOM_CHALLENGE" => self.create(progress),
            Decision::Challenge(name) if name == "PASSWORD_VERIFIER" => Err(invalid_response(
                "Invalid lambda response: DefineAuthChallenge asked for PASSWORD_VERIFIER, which only follows SRP_A (InitiateAuth with CHALLENGE_NAME=SRP_A and SRP_A)",
            )),
            Decision::Challenge(name) => {
                let shown: String = name.chars().take(64).collect();
                Err(invalid_response(format!(
                    "Invalid lambda response: the emulator's custom flow supports the challengeName CUSTOM_CHALLENGE or PASSWORD_VERIFIER, not {shown}"
                )))
            }
        }
    }

    /// Records the answer to `challenge_name` and asks DefineAuthChallenge again.
    pub(crate) fn next_custom_step(
        &self,
        mut progress: Progress,
        challenge_name: &str,
        result: bool,
        metadata: Option<String>,
    ) -> ApiResult<Value> {
        progress
            .custom_auth
            .get_or_insert_with(Vec::new)
            .push(ChallengeRound {
                challenge_name: challenge_name.to_owned(),
                challenge_result: result,
                challenge_metadata: metadata,
            });
        let decision = self.define(&progress)?;
        self.act(progress, decision)
    }

    /// CreateAuthChallenge, then the CUSTOM_CHALLENGE it made.
    fn create(&self, progress: Progress) -> ApiResult<Value> {
        let history = progress.custom_auth.as_deref().unwrap_or_default();
        let response = self.run_trigger(
            &progress,
            CREATE,
            json!({ "challengeName": "CUSTOM_CHALLENGE", "session": history_json(history) }),
        )?;
        let public = string_map(&response, CREATE, "publicChallengeParameters")?;
        let private = string_map(&response, CREATE, "privateChallengeParameters")?;
        let metadata = match response.get("challengeMetadata") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                return Err(invalid_response(
                    "Invalid lambda response: CreateAuthChallenge returned a non-string challengeMetadata",
                ));
            }
        };
        let mut parameters: Map<String, Value> = public
            .into_iter()
            .map(|(name, value)| (name, Value::String(value)))
            .collect();
        parameters.insert("USERNAME".into(), json!(progress.user.username));
        let step = Step::CustomChallenge {
            private,
            metadata,
            user_not_found: progress.user_not_found,
        };
        let token = self.next_session(&progress, step, vec![]);
        Ok(challenge(
            "CUSTOM_CHALLENGE",
            &token,
            Value::Object(parameters),
        ))
    }

    pub(super) fn start_custom_auth(
        &self,
        pool: Pool,
        client: AppClient,
        params: &Parameters,
        admin: bool,
        client_metadata: Parameters,
    ) -> ApiResult<Value> {
        let srp_first = params.get("CHALLENGE_NAME").map(String::as_str) == Some("SRP_A");
        let typed = required(params, "USERNAME")?;
        if srp_first {
            parse_srp_a(required(params, "SRP_A")?)?;
        }
        Self::check_secret_hash(
            &client,
            typed,
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        // Resolve the triggers before anything runs, so a misconfigured pool
        // fails the same way for every user.
        for which in [DEFINE, CREATE, VERIFY] {
            self.trigger_target(&pool, which)?;
        }
        let (user, user_not_found) = match self.first_factor_user(&pool, &client, typed)? {
            Some(user) => (user, false),
            // Hidden unknown user (PreventUserExistenceErrors ENABLED): the
            // simulated PASSWORD_VERIFIER that no password answers, or the
            // triggers run with userNotFound, as Cognito runs them, so the
            // answer looks the same as for a real user.
            None if srp_first => {
                return self.start_srp(pool, client, params, admin, Some(Vec::new()));
            }
            None => (stand_in_user(typed), true),
        };
        if user.status == UserStatus::Unconfirmed {
            return Err(ApiError::user_not_confirmed());
        }
        let mut progress = self.progress_for(pool, client, user, admin);
        progress.user_not_found = user_not_found;
        progress.client_metadata = client_metadata;
        let mut history = Vec::new();
        if srp_first {
            history.push(ChallengeRound {
                challenge_name: "SRP_A".into(),
                challenge_result: true,
                challenge_metadata: None,
            });
        }
        progress.custom_auth = Some(history);
        match self.define(&progress)? {
            Decision::Challenge(name) if name == "PASSWORD_VERIFIER" && srp_first => self
                .start_srp(
                    progress.pool,
                    progress.client,
                    params,
                    admin,
                    progress.custom_auth,
                ),
            decision => self.act(progress, decision),
        }
    }

    pub(super) fn answer_custom_challenge(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
        client_metadata: Parameters,
    ) -> ApiResult<Value> {
        let session = self.take_session(&client, token, None)?;
        let Step::CustomChallenge {
            private,
            metadata,
            user_not_found,
        } = &session.step
        else {
            return Err(ApiError::invalid_session());
        };
        let mut progress = if *user_not_found {
            let typed = required(responses, "USERNAME")?;
            Self::check_secret_hash(
                &client,
                typed,
                responses.get("SECRET_HASH").map(String::as_str),
            )?;
            if typed != session.username {
                return Err(ApiError::incorrect_credentials());
            }
            let pool = self.pool(&session.pool_id)?;
            let mut progress = self.progress_for(pool, client, stand_in_user(typed), session.admin);
            progress.custom_auth = session.custom_auth.clone();
            progress.user_not_found = true;
            progress
        } else {
            let progress = self.progress(client, &session)?;
            self.check_response_user(&progress, responses)?;
            progress
        };
        progress.client_metadata = client_metadata;
        let answer = required(responses, "ANSWER")?;
        let response = self.run_trigger(
            &progress,
            VERIFY,
            json!({
                "privateChallengeParameters": private,
                "challengeAnswer": answer,
            }),
        )?;
        let correct = flag(&response, VERIFY, "answerCorrect")?;
        self.next_custom_step(progress, "CUSTOM_CHALLENGE", correct, metadata.clone())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn round(name: &str, result: bool) -> ChallengeRound {
        ChallengeRound {
            challenge_name: name.into(),
            challenge_result: result,
            challenge_metadata: None,
        }
    }

    #[test]
    fn the_builtin_define_follows_the_documented_sequence() {
        let ask = |history: &[ChallengeRound]| builtin_define(history);
        assert_eq!(ask(&[])["challengeName"], "CUSTOM_CHALLENGE");
        assert_eq!(
            ask(&[round("SRP_A", true)])["challengeName"],
            "PASSWORD_VERIFIER"
        );
        let wrong_password = ask(&[round("SRP_A", true), round("PASSWORD_VERIFIER", false)]);
        assert_eq!(wrong_password["failAuthentication"], true);
        let proven = ask(&[round("SRP_A", true), round("PASSWORD_VERIFIER", true)]);
        assert_eq!(proven["challengeName"], "CUSTOM_CHALLENGE");
        let answered = ask(&[
            round("CUSTOM_CHALLENGE", false),
            round("CUSTOM_CHALLENGE", true),
        ]);
        assert_eq!(answered["issueTokens"], true);
        let two_wrong = ask(&[
            round("CUSTOM_CHALLENGE", false),
            round("CUSTOM_CHALLENGE", false),
        ]);
        assert_eq!(two_wrong["challengeName"], "CUSTOM_CHALLENGE");
        let three_wrong = ask(&[
            round("CUSTOM_CHALLENGE", false),
            round("CUSTOM_CHALLENGE", false),
            round("CUSTOM_CHALLENGE", false),
        ]);
        assert_eq!(three_wrong["failAuthentication"], true);
        assert!(three_wrong.get("challengeName").is_none());
    }

    #[test]
    fn the_builtin_verify_compares_with_the_private_answer() {
        let event = |answer: &str| {
            json!({ "request": {
                "privateChallengeParameters": { "answer": "123456" },
                "challengeAnswer": answer,
            }})
        };
        assert_eq!(builtin_verify(&event("123456"))["answerCorrect"], true);
        assert_eq!(builtin_verify(&event("123457"))["answerCorrect"], false);
        assert_eq!(
            builtin_verify(&json!({ "request": { "challengeAnswer": "" } }))["answerCorrect"],
            false
        );
    }

    #[test]
    fn define_responses_are_checked() {
        let response = |v: Value| v.as_object().cloned().unwrap();
        assert!(!flag(&response(json!({})), DEFINE, "issueTokens").unwrap());
        assert!(
            flag(
                &response(json!({"issueTokens": true})),
                DEFINE,
                "issueTokens"
            )
            .unwrap()
        );
        let error = flag(
            &response(json!({"issueTokens": "yes"})),
            DEFINE,
            "issueTokens",
        );
        assert_eq!(error.unwrap_err().kind, ErrorKind::InvalidLambdaResponse);
        let map = string_map(&response(json!({"p": {"a": "1"}})), CREATE, "p").unwrap();
        assert_eq!(map.get("a").map(String::as_str), Some("1"));
        let error = string_map(&response(json!({"p": {"a": 1}})), CREATE, "p").unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidLambdaResponse);
    }
}
