//! CUSTOM_AUTH, driven by Define / Create / Verify Auth Challenge triggers that
//! receive and return Cognito's Lambda event JSON.
//!
//! Each of the three triggers is whatever the operator's trigger table maps the
//! name in the pool's `LambdaConfig` to (see [`crate::triggers`]): a command, a
//! URL, or the built-in set of [`super::builtin_triggers`]. A pool that names no
//! DefineAuthChallenge, CreateAuthChallenge or VerifyAuthChallengeResponse
//! gets Cognito's InvalidParameterException "Custom auth lambda trigger is not
//! configured for the user pool.".
//!
//! The loop is Cognito's: InitiateAuth calls Define with the challenges so far
//! (`SRP_A` when SRP comes first); Define answers `failAuthentication`,
//! `issueTokens` or a `challengeName`; for `CUSTOM_CHALLENGE` Create makes the
//! challenge, whose `publicChallengeParameters` (plus `USERNAME`) the client
//! sees; the client's ANSWER goes to Verify with the private parameters; its
//! verdict joins the history and Define is asked again.

use serde_json::{Map, Value, json};

use super::Service;
use super::progress::{Parameters, Progress, challenge, required};
use super::srp::parse_srp_a;
use crate::codes;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::model::{AppClient, Pool, User, UserStatus};
use crate::sessions::{ChallengeRound, Step};
use crate::triggers::{self, TriggerTarget};

pub(super) const DEFINE: &str = "DefineAuthChallenge";
pub(super) const CREATE: &str = "CreateAuthChallenge";
const VERIFY: &str = "VerifyAuthChallengeResponse";

/// What DefineAuthChallenge decided.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Fail,
    IssueTokens,
    Challenge(String),
}

/// Cognito's answer to CUSTOM_AUTH on a pool without the custom auth triggers.
fn not_configured() -> ApiError {
    ApiError::invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
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
        verifier_powers: Vec::new(),
        mfa: Default::default(),
        confirmation_code: None,
        recovery_code: None,
        verification_codes: Default::default(),
        created: now,
        last_modified: now,
    }
}

impl Service {
    /// Where the pool's `which` trigger runs: the operator's trigger table
    /// entry for the name the pool's LambdaConfig gives it. A LambdaConfig value
    /// is only ever a name, so a caller of UpdateUserPool can neither run a
    /// program nor make the emulator send a request (see [`crate::triggers`]).
    fn trigger_target(&self, pool: &Pool, which: &str) -> ApiResult<TriggerTarget> {
        let name = match pool.lambda_config.get(which) {
            None | Some(Value::Null) => return Err(not_configured()),
            Some(Value::String(name)) if name.is_empty() => return Err(not_configured()),
            Some(Value::String(name)) => name,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorKind::UnexpectedLambda,
                    format!("{which} in the pool's LambdaConfig is not a string"),
                ));
            }
        };
        self.config.triggers.get(name).cloned().ok_or_else(|| {
            let shown: String = name.chars().take(200).collect();
            tracing::warn!(trigger = which, pool = %pool.id, name = ?shown, "LambdaConfig names a trigger the trigger table does not hold");
            // The name stays out of the answer: it may be a URL, and the caller
            // learns nothing about what the emulator can reach.
            triggers::unexpected(
                which,
                "the pool's LambdaConfig names a function that the emulator's trigger table does not hold (the operator maps names with --trigger NAME=TARGET or the seed file's [triggers] table)",
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
        match self.trigger_target(&progress.pool, which)? {
            TriggerTarget::Builtin => Ok(self.run_builtin(progress, which, &event)),
            target => {
                tracing::debug!(trigger = which, pool = %progress.pool.id, "invoking trigger");
                triggers::invoke(which, &target, &event, self.config.trigger_timeout)
            }
        }
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
            Decision::IssueTokens if progress.user.status == UserStatus::Unconfirmed => {
                Err(ApiError::user_not_confirmed())
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
        // Resolve the triggers before anything runs, so a pool without them,
        // or with names the trigger table lacks, fails the same way for every
        // user (and for names nobody has).
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
        // Hiding user existence, "not confirmed" waits for the proof (see `act`).
        if user.status == UserStatus::Unconfirmed
            && client.prevent_user_existence_errors != "ENABLED"
        {
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
        if !correct && codes::custom_answers_spent(progress.custom_auth.as_deref()) {
            return Err(ApiError::incorrect_credentials());
        }
        self.next_custom_step(progress, "CUSTOM_CHALLENGE", correct, metadata.clone())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

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
