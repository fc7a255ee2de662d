//! Lambda triggers run locally: an external command (the event JSON on stdin, the
//! returned event on stdout), an HTTP URL (the event POSTed, the returned event
//! in the reply body), or the emulator's built-in set.
//!
//! A pool's `LambdaConfig` names a trigger the way Cognito does, by a string,
//! and that string is only a name: it is looked up in the operator's trigger
//! table ([`crate::ServiceConfig::triggers`], filled from the seed file's
//! `[triggers]`, the binary's `--trigger NAME=TARGET`, and `builtin` when a
//! seeded pool's `lambda_config` names it), which maps it to a command, a URL
//! or the built-in set. Targets come only from that table, never from the API:
//! anyone who can reach the emulator may call UpdateUserPool, and that must
//! neither run programs nor make the emulator send requests anywhere. A name
//! the table does not hold, a URL included, is a function that cannot be
//! invoked (`UnexpectedLambdaException`, with no address or network detail).
//!
//! Failures are reported as Cognito reports them: a trigger that cannot be
//! reached or does not answer in time is `UnexpectedLambdaException`, one that
//! fails (non-zero exit, HTTP error status) is `UserLambdaValidationException`
//! "`<Trigger>` failed with error `<message>`.", and an answer that is not the
//! event JSON is `InvalidLambdaResponseException` "Unrecognizable lambda output".

mod command;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorKind};

/// How long a trigger may take: Cognito gives a Lambda trigger 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a named trigger runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TriggerTarget {
    /// A program and its arguments, run without a shell.
    Command {
        /// Program and arguments.
        argv: Vec<String>,
        /// Working directory (a seed file's own folder), or the emulator's.
        dir: Option<PathBuf>,
    },
    /// An HTTP or HTTPS endpoint.
    Url(String),
    /// The emulator's built-in Define / Create / Verify Auth Challenge set
    /// (see `service/builtin_triggers.rs`), named `builtin` in a table entry.
    Builtin,
}

/// What a trigger table entry or a seeded `lambda_config` says to name the
/// built-in set.
pub const BUILTIN: &str = "builtin";

/// Why a trigger target could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Nothing to run.
    #[error("empty trigger target")]
    Empty,
    /// Unbalanced quotes in a command line.
    #[error("cannot split the command line {0:?} (unbalanced quotes?)")]
    Unsplittable(String),
    /// `NAME=TARGET` without the `=`.
    #[error("expected NAME=TARGET, got {0:?}")]
    NoName(String),
}

impl TriggerTarget {
    /// [`TriggerTarget::Builtin`] for `builtin`, a URL when `text` starts with
    /// `http://` or `https://`, else a command line split as a POSIX shell
    /// would split it (quotes, no expansion).
    pub fn parse(text: &str) -> Result<Self, TargetError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TargetError::Empty);
        }
        if text == BUILTIN {
            return Ok(Self::Builtin);
        }
        if is_url(text) {
            return Ok(Self::Url(text.to_owned()));
        }
        let argv = shlex::split(text).ok_or_else(|| TargetError::Unsplittable(text.to_owned()))?;
        if argv.is_empty() {
            return Err(TargetError::Empty);
        }
        Ok(Self::Command { argv, dir: None })
    }

    /// `NAME=TARGET`, as the binary's `--trigger` takes it.
    pub fn parse_named(text: &str) -> Result<(String, Self), TargetError> {
        let (name, target) = text
            .split_once('=')
            .filter(|(name, _)| !name.trim().is_empty())
            .ok_or_else(|| TargetError::NoName(text.to_owned()))?;
        Ok((name.trim().to_owned(), Self::parse(target)?))
    }
}

const HTTPS_REFUSED: &str =
    "https trigger URLs are not supported; serve the trigger on a local http:// address";

fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// Whether a trigger target is an HTTP(S) URL.
fn is_url(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Runs `target` for the trigger `trigger` (`DefineAuthChallenge`, …) with
/// `event`, and returns the `response` member of what it sends back.
pub(crate) fn invoke(
    trigger: &str,
    target: &TriggerTarget,
    event: &Value,
    timeout: Duration,
) -> ApiResult<serde_json::Map<String, Value>> {
    let output = match target {
        TriggerTarget::Command { argv, dir } => {
            command::run(trigger, argv, dir.as_ref(), event, timeout)?
        }
        TriggerTarget::Url(url) => post(trigger, url, event, timeout)?,
        // The built-in set runs inside the service, which never sends it here.
        TriggerTarget::Builtin => {
            return Err(unexpected(trigger, "the built-in set is not external"));
        }
    };
    response_of(&output)
}

/// The `response` object of the returned event. A bare object without a
/// `response` member is taken as the response itself, so a trigger may answer
/// just `{"answerCorrect": true}`.
fn response_of(output: &[u8]) -> ApiResult<serde_json::Map<String, Value>> {
    let unrecognizable = || {
        ApiError::new(
            ErrorKind::InvalidLambdaResponse,
            "Unrecognizable lambda output",
        )
    };
    let value: Value = serde_json::from_slice(output).map_err(|_| unrecognizable())?;
    let Value::Object(mut object) = value else {
        return Err(unrecognizable());
    };
    match object.remove("response") {
        Some(Value::Object(response)) => Ok(response),
        Some(_) => Err(unrecognizable()),
        None => Ok(object),
    }
}

pub(crate) fn unexpected(trigger: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorKind::UnexpectedLambda,
        format!("{trigger} could not be invoked: {why}"),
    )
}

/// Which line of a failed trigger's output carries its error message.
enum Line {
    /// A reply body's first.
    First,
    /// Stderr's last, where a traceback ends.
    Last,
}

/// [`failed`] with the `which` non-empty line of `output`, or `fallback` when
/// there is none.
fn failed_with(
    trigger: &str,
    output: &[u8],
    which: Line,
    fallback: impl FnOnce() -> String,
) -> ApiError {
    let text = String::from_utf8_lossy(output);
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let line = match which {
        Line::First => lines.next(),
        Line::Last => lines.next_back(),
    };
    failed(trigger, &line.map_or_else(fallback, str::to_owned))
}

fn failed(trigger: &str, message: &str) -> ApiError {
    let message: String = message.trim().chars().take(512).collect();
    let message = if message.is_empty() {
        "(no message)".to_owned()
    } else {
        message
    };
    ApiError::new(
        ErrorKind::UserLambdaValidation,
        format!("{trigger} failed with error {message}."),
    )
}

fn post(trigger: &str, url: &str, event: &Value, timeout: Duration) -> ApiResult<Vec<u8>> {
    if is_https(url) {
        return Err(unexpected(trigger, format!("{url}: {HTTPS_REFUSED}")));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("content-type", "application/json")
        .send(event.to_string())
        .map_err(|e| unexpected(trigger, format!("POST {url}: {e}")))?;
    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(command::MAX_OUTPUT_BYTES as u64)
        .read_to_vec()
        .map_err(|e| unexpected(trigger, format!("reading the reply of {url}: {e}")))?;
    if !status.is_success() {
        return Err(failed_with(trigger, &body, Line::First, || {
            format!("HTTP {status}")
        }));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn an_https_trigger_url_is_refused_not_a_panic() {
        let error = post(
            "DefineAuthChallenge",
            "https://127.0.0.1:9/define",
            &serde_json::json!({}),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::UnexpectedLambda);
        assert!(
            error
                .message
                .contains("https trigger URLs are not supported"),
            "{error:?}"
        );
    }

    #[test]
    fn targets_are_urls_or_command_lines() {
        assert_eq!(
            TriggerTarget::parse("http://127.0.0.1:9/define").unwrap(),
            TriggerTarget::Url("http://127.0.0.1:9/define".into())
        );
        assert_eq!(
            TriggerTarget::parse("HTTPS://example.com/x").unwrap(),
            TriggerTarget::Url("HTTPS://example.com/x".into())
        );
        assert_eq!(
            TriggerTarget::parse("python3 'my triggers.py' define").unwrap(),
            TriggerTarget::Command {
                argv: vec!["python3".into(), "my triggers.py".into(), "define".into()],
                dir: None
            }
        );
        assert_eq!(TriggerTarget::parse("builtin"), Ok(TriggerTarget::Builtin));
        assert_eq!(TriggerTarget::parse("  "), Err(TargetError::Empty));
        assert!(matches!(
            TriggerTarget::parse("sh -c 'unbalanced"),
            Err(TargetError::Unsplittable(_))
        ));
        let (name, target) =
            TriggerTarget::parse_named("arn:aws:lambda:us-east-1:1:function:f=./f --x=1").unwrap();
        assert_eq!(name, "arn:aws:lambda:us-east-1:1:function:f");
        assert_eq!(
            target,
            TriggerTarget::Command {
                argv: vec!["./f".into(), "--x=1".into()],
                dir: None
            }
        );
        assert!(matches!(
            TriggerTarget::parse_named("no-equals"),
            Err(TargetError::NoName(_))
        ));
    }

    #[test]
    fn the_response_member_or_the_whole_object_is_the_response() {
        let full = br#"{"request":{},"response":{"answerCorrect":true}}"#;
        assert_eq!(
            response_of(full).unwrap()["answerCorrect"],
            Value::Bool(true)
        );
        let bare = br#"{"answerCorrect":false}"#;
        assert_eq!(
            response_of(bare).unwrap()["answerCorrect"],
            Value::Bool(false)
        );
        for bad in [&b"not json"[..], b"[1]", br#"{"response":3}"#, b""] {
            let error = response_of(bad).unwrap_err();
            assert_eq!(error.kind, ErrorKind::InvalidLambdaResponse);
            assert_eq!(error.message, "Unrecognizable lambda output");
        }
    }
}
