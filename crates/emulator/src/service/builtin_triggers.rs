//! The built-in Define / Create / Verify Auth Challenge set, for pools whose
//! LambdaConfig names `builtin` through the operator's trigger table (a seeded
//! pool, or `--trigger NAME=builtin`); never a default.
//!
//! DefineAuthChallenge asks for the password when the sign-in started with
//! `CHALLENGE_NAME = SRP_A`, then one custom challenge, allows three wrong
//! answers and issues tokens for a right one; CreateAuthChallenge sends a
//! six-digit code to the outbox (the same code again after a wrong answer) and
//! keeps it as `privateChallengeParameters.answer`; VerifyAuthChallengeResponse
//! compares the answer with `answer` in constant time. They read and write the
//! same event JSON as external triggers, so any of them can be swapped for
//! your own.

use serde_json::{Map, Value, json};

use super::progress::Progress;
use super::users::{mask_fully, simulated_destination};
use super::{Service, same_secret};
use crate::sessions::ChallengeRound;

use super::custom::{CREATE, DEFINE};

/// Wrong custom-challenge answers the built-in DefineAuthChallenge allows.
const BUILTIN_ATTEMPTS: usize = 3;

/// How the built-in CreateAuthChallenge remembers its code across a wrong answer.
const CODE_METADATA_PREFIX: &str = "CODE-";

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

impl Service {
    /// Runs the built-in `which` trigger on `event`; its `response`.
    pub(super) fn run_builtin(
        &self,
        progress: &Progress,
        which: &str,
        event: &Value,
    ) -> Map<String, Value> {
        match which {
            DEFINE => builtin_define(&history_of(event)),
            CREATE => self.builtin_create(progress, event),
            _ => builtin_verify(event),
        }
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    /// The built-in CreateAuthChallenge: a code to the outbox.
    fn builtin_create(&self, progress: &Progress, event: &Value) -> Value {
        let user = &progress.user;
        let (medium, destination) = match (user.email(), user.attributes.get("phone_number")) {
            _ if progress.user_not_found => simulated_destination(&user.username),
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
                "CODE_DELIVERY_DESTINATION": mask_fully(&destination),
            },
            "privateChallengeParameters": { "answer": code },
            "challengeMetadata": format!("{CODE_METADATA_PREFIX}{code}"),
        })
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
}
