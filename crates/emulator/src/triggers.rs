//! Lambda triggers run locally: an external command (the event JSON on stdin, the
//! returned event on stdout) or an HTTP URL (the event POSTed, the returned event
//! in the reply body), or a built-in implementation.
//!
//! A pool's `LambdaConfig` names a trigger the way Cognito does, by a string.
//! `http://` URLs are called directly (an `https://` one is answered with
//! `UnexpectedLambdaException`: triggers run on the operator's machine, and the
//! emulator carries no TLS client of its own). Any other name (an ARN, as
//! infrastructure code sets it) is looked up in the operator's trigger table
//! ([`crate::ServiceConfig::triggers`], filled from the seed file's `[triggers]`
//! and the binary's `--trigger NAME=TARGET`), which maps it to a command or a URL.
//! Commands come only from that table, never from the API: anyone who can reach
//! the emulator may call UpdateUserPool, and that must not run programs.
//!
//! Failures are reported as Cognito reports them: a trigger that cannot be
//! reached or does not answer in time is `UnexpectedLambdaException`, one that
//! fails (non-zero exit, HTTP error status) is `UserLambdaValidationException`
//! "`<Trigger>` failed with error `<message>`.", and an answer that is not the
//! event JSON is `InvalidLambdaResponseException` "Unrecognizable lambda output".

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorKind};

/// The most a trigger may write back; a Lambda response is at most 6 MB, a
/// challenge answer far less.
const MAX_OUTPUT_BYTES: u64 = 1024 * 1024;

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
}

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
    /// A URL when `text` starts with `http://` or `https://`, else a command line
    /// split as a POSIX shell would split it (quotes, no expansion).
    pub fn parse(text: &str) -> Result<Self, TargetError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TargetError::Empty);
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

/// Whether a LambdaConfig value is called directly over HTTP.
pub(crate) fn is_url(text: &str) -> bool {
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
            run_command(trigger, argv, dir.as_ref(), event, timeout)?
        }
        TriggerTarget::Url(url) => post(trigger, url, event, timeout)?,
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

fn unexpected(trigger: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorKind::UnexpectedLambda,
        format!("{trigger} could not be invoked: {why}"),
    )
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

fn run_command(
    trigger: &str,
    argv: &[String],
    dir: Option<&PathBuf>,
    event: &Value,
    timeout: Duration,
) -> ApiResult<Vec<u8>> {
    let Some((program, args)) = argv.split_first() else {
        return Err(unexpected(trigger, "empty command"));
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| unexpected(trigger, format!("starting {program}: {e}")))?;
    // Each pipe has its own thread so a chatty trigger never blocks on a full
    // pipe while we wait on another.
    let input = event.to_string().into_bytes();
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            // A trigger that exits without reading its input is its own business.
            let _ = stdin.write_all(&input);
        }
    });
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || read_limited(stdout));
    let stderr = child.stderr.take();
    let errors = std::thread::spawn(move || read_limited(stderr));

    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = writer.join();
                return Err(unexpected(
                    trigger,
                    format!("{program} did not answer within {} ms", timeout.as_millis()),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => {
                let _ = child.kill();
                return Err(unexpected(trigger, format!("waiting for {program}: {e}")));
            }
        }
    };
    let _ = writer.join();
    let stdout = reader.join().unwrap_or_default();
    let stderr = errors.join().unwrap_or_default();
    if !status.success() {
        let text = String::from_utf8_lossy(&stderr);
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let message = if last.is_empty() {
            format!("exit status {status}")
        } else {
            last.to_owned()
        };
        return Err(failed(trigger, &message));
    }
    Ok(stdout)
}

fn read_limited(pipe: Option<impl Read>) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(pipe) = pipe {
        let _ = pipe.take(MAX_OUTPUT_BYTES).read_to_end(&mut out);
    }
    out
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
        .limit(MAX_OUTPUT_BYTES)
        .read_to_vec()
        .map_err(|e| unexpected(trigger, format!("reading the reply of {url}: {e}")))?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body);
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let message = if first.is_empty() {
            format!("HTTP {status}")
        } else {
            first.to_owned()
        };
        return Err(failed(trigger, &message));
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
