//! One-time codes: issued with an expiry, checked against a budget of wrong
//! answers. Every code the emulator sends (sign-up confirmation, sign-in OTPs
//! and MFA codes, custom challenge answers) and the TOTP a user verifies are
//! checked here, so the limits live in one place.
//!
//! Two kinds of budget:
//! - a code kept with the user (ConfirmSignUp's, the TOTP being verified) takes
//!   [`MAX_WRONG_ANSWERS_PER_CODE`] wrong answers, then it is spent and a new
//!   one must be requested;
//! - a sign-in session (which carries its code, or expects a TOTP or a custom
//!   answer) takes [`MAX_WRONG_ANSWERS_PER_SESSION`] wrong answers, then it
//!   is gone and the sign-in starts over. Its code expires with the session
//!   (the app client's AuthSessionValidity, 3 minutes by default).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::service::same_secret;
use crate::sessions::ChallengeRound;

/// Wrong answers a code kept with the user takes: the first five are
/// CodeMismatchException, then LimitExceededException. AWS does not publish the
/// number ("we do not share externally the exact limits involved",
/// amazon-cognito-identity-js#548); five is what users observed for a
/// confirmation code (amplify-ui-android#180: "Code is incorrect for the first
/// five times", then LimitExceededException), and five is also where Cognito's
/// MFA lockout starts (developer guide, user-pool-settings-mfa: "After five
/// unsuccessful attempts to present an MFA code").
pub const MAX_WRONG_ANSWERS_PER_CODE: u32 = 5;

/// Wrong answers one sign-in session takes. AWS documents no number; against
/// real Cognito, six wrong EMAIL_OTP codes in one USER_AUTH session each got
/// CodeMismatchException with the session still usable (a recorded spike,
/// "6 wrong codes → CodeMismatchException each time"). So six are answered,
/// and the sixth ends the session: no more than six guesses per code sent.
pub const MAX_WRONG_ANSWERS_PER_SESSION: u32 = 6;

/// Sign-up confirmation codes live 24 hours, not configurable (AWS, in
/// amazon-cognito-identity-js#54, #189 and #380: "Confirmation and verification
/// code are valid for 24 hours and this is not configurable").
pub const CONFIRMATION_CODE_SECONDS: i64 = 24 * 60 * 60;

/// Forgot-password codes live one hour (developer guide,
/// how-to-recover-a-user-account: "The recovery code is valid for one hour";
/// AWS in amazon-cognito-identity-js#189: "Forgot password codes are valid for
/// 1 hour only").
pub const RECOVERY_CODE_SECONDS: i64 = 60 * 60;

/// What a check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The right answer, in time, with budget left.
    Correct,
    /// A wrong answer; it was counted.
    Wrong,
    /// The budget was used up before this answer: not even compared.
    Spent,
    /// Past the code's expiry: not compared.
    Expired,
}

/// A code for a sign-in challenge (SMS_MFA, EMAIL_OTP, SMS_OTP, the built-in
/// custom challenge). It needs no expiry or count of its own: it lives in the
/// session, which expires and counts wrong answers
/// ([`crate::sessions::Sessions::retry`]).
pub fn sign_in_code() -> String {
    ids::numeric_code()
}

/// Whether a wrong custom-challenge answer now, after the rounds of `history`,
/// uses up the sign-in's budget: however lenient DefineAuthChallenge is, one
/// sign-in takes [`MAX_WRONG_ANSWERS_PER_SESSION`] wrong answers, and the last
/// fails it as DefineAuthChallenge's `failAuthentication` would.
pub fn custom_answers_spent(history: Option<&[ChallengeRound]>) -> bool {
    let mut wrong = WrongAnswers::default();
    for round in history.unwrap_or_default() {
        if round.challenge_name == "CUSTOM_CHALLENGE" && !round.challenge_result {
            wrong.record();
        }
    }
    wrong.record();
    wrong.reached(MAX_WRONG_ANSWERS_PER_SESSION)
}

/// Checks `answer` against a code kept with the user, with Cognito's answers:
/// CodeMismatchException with `mismatch_message` for a wrong code,
/// ExpiredCodeException once it expired (or when none is pending), and
/// LimitExceededException once it took [`MAX_WRONG_ANSWERS_PER_CODE`] wrong
/// answers. `kept` changes (the count), so store it again whatever the result.
pub fn check_kept(
    kept: &mut Option<OneTimeCode>,
    answer: &str,
    mismatch_message: &str,
) -> ApiResult<()> {
    let verdict = kept
        .as_mut()
        .map_or(Verdict::Expired, |code| code.check(answer));
    match verdict {
        Verdict::Correct => {
            *kept = None;
            Ok(())
        }
        Verdict::Wrong => Err(ApiError::new(ErrorKind::CodeMismatch, mismatch_message)),
        // amplify-ui-android#180 (LimitExceededException after five wrong
        // codes); the message is Cognito's for its attempt limits
        // (aws-sdk-android#627, amplify-js#8013).
        Verdict::Spent => Err(ApiError::attempt_limit_exceeded()),
        // Captured from Cognito: `x-amzn-ErrorType: ExpiredCodeException:`,
        // `x-amzn-ErrorMessage: Invalid code provided, please request a code
        // again.` (awslabs/aws-sdk-ios-samples#144, amplify-flutter#1128).
        Verdict::Expired => Err(ApiError::new(
            ErrorKind::ExpiredCode,
            "Invalid code provided, please request a code again.",
        )),
    }
}

/// Wrong answers counted against a budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WrongAnswers(u32);

impl WrongAnswers {
    /// Counts one wrong answer.
    pub fn record(&mut self) {
        self.0 = self.0.saturating_add(1);
    }

    /// Whether `limit` wrong answers have been given.
    pub fn reached(self, limit: u32) -> bool {
        self.0 >= limit
    }

    /// Checks an answer whose rightness `correct` decides (a TOTP, say) against
    /// `limit`: a spent budget refuses without asking, a wrong answer counts.
    pub fn check(&mut self, limit: u32, correct: impl FnOnce() -> bool) -> Verdict {
        if self.reached(limit) {
            return Verdict::Spent;
        }
        if correct() {
            Verdict::Correct
        } else {
            self.record();
            Verdict::Wrong
        }
    }
}

/// A code sent to a user, kept with an expiry and its wrong answers.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredCode")]
pub struct OneTimeCode {
    code: String,
    /// Unix seconds.
    expires: i64,
    #[serde(default)]
    wrong_answers: WrongAnswers,
}

/// How a code is stored: this module's record, or the bare code string that
/// older databases kept (no expiry recorded: treated as expired).
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredCode {
    Current {
        code: String,
        expires: i64,
        #[serde(default)]
        wrong_answers: WrongAnswers,
    },
    Legacy(String),
}

impl From<StoredCode> for OneTimeCode {
    fn from(stored: StoredCode) -> Self {
        match stored {
            StoredCode::Current {
                code,
                expires,
                wrong_answers,
            } => Self {
                code,
                expires,
                wrong_answers,
            },
            StoredCode::Legacy(code) => Self {
                code,
                expires: 0,
                wrong_answers: WrongAnswers::default(),
            },
        }
    }
}

/// The code is a secret: Debug shows only its expiry and count.
impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneTimeCode")
            .field("expires", &self.expires)
            .field("wrong_answers", &self.wrong_answers)
            .finish_non_exhaustive()
    }
}

impl OneTimeCode {
    /// A fresh six-digit code valid for `lifetime_seconds` from now.
    pub fn issue(lifetime_seconds: i64) -> Self {
        Self {
            code: ids::numeric_code(),
            expires: ids::now().saturating_add(lifetime_seconds),
            wrong_answers: WrongAnswers::default(),
        }
    }

    /// The code, to send to the outbox.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Checks `answer` now against [`MAX_WRONG_ANSWERS_PER_CODE`]; a wrong
    /// answer is counted, so the caller must store the code again.
    pub fn check(&mut self, answer: &str) -> Verdict {
        if ids::now() > self.expires {
            return Verdict::Expired;
        }
        let code = &self.code;
        self.wrong_answers
            .check(MAX_WRONG_ANSWERS_PER_CODE, || same_secret(code, answer))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_code_takes_five_wrong_answers_then_refuses_even_the_right_one() {
        let mut code = OneTimeCode::issue(60);
        let right = code.code().to_owned();
        let wrong = if right == "000000" {
            "111111"
        } else {
            "000000"
        };
        for _ in 0..MAX_WRONG_ANSWERS_PER_CODE {
            assert_eq!(code.check(wrong), Verdict::Wrong);
        }
        assert_eq!(code.check(&right), Verdict::Spent);
    }

    #[test]
    fn a_right_answer_within_budget_is_correct() {
        let mut code = OneTimeCode::issue(60);
        let right = code.code().to_owned();
        assert_eq!(code.check("not-it"), Verdict::Wrong);
        assert_eq!(code.check(&right), Verdict::Correct);
    }

    #[test]
    fn an_expired_code_is_not_compared() {
        let mut code = OneTimeCode::issue(-1);
        let right = code.code().to_owned();
        assert_eq!(code.check(&right), Verdict::Expired);
    }

    #[test]
    fn stored_codes_round_trip_and_legacy_strings_are_expired() {
        let code = OneTimeCode::issue(60);
        let json = serde_json::to_string(&code).unwrap();
        let back: OneTimeCode = serde_json::from_str(&json).unwrap();
        assert_eq!(back, code);
        let mut legacy: OneTimeCode = serde_json::from_str("\"123456\"").unwrap();
        assert_eq!(legacy.check("123456"), Verdict::Expired);
    }

    #[test]
    fn kept_codes_answer_with_cognitos_exceptions() {
        let mut kept = Some(OneTimeCode::issue(60));
        let right = kept.as_ref().unwrap().code().to_owned();
        let wrong = if right == "000000" {
            "111111"
        } else {
            "000000"
        };
        let kind = |result: ApiResult<()>| result.unwrap_err().kind;
        for _ in 0..MAX_WRONG_ANSWERS_PER_CODE {
            assert_eq!(
                kind(check_kept(&mut kept, wrong, "m")),
                ErrorKind::CodeMismatch
            );
        }
        assert_eq!(
            kind(check_kept(&mut kept, &right, "m")),
            ErrorKind::LimitExceeded
        );
        let mut fresh = Some(OneTimeCode::issue(60));
        let right = fresh.as_ref().unwrap().code().to_owned();
        assert!(check_kept(&mut fresh, &right, "m").is_ok());
        assert!(fresh.is_none());
        assert_eq!(
            kind(check_kept(&mut fresh, &right, "m")),
            ErrorKind::ExpiredCode
        );
    }

    #[test]
    fn debug_output_hides_the_code() {
        let code = OneTimeCode::issue(60);
        assert!(!format!("{code:?}").contains(code.code()));
    }
}
