//! The command line before clap reads it, as the AWS CLI treats it: any option's
//! value `file://PATH` is replaced by the file's text and `fileb://PATH` by its
//! bytes (which must be UTF-8 here: no parameter is binary); in the one-pair
//! options (`--answer`, `--auth-parameter`, `--challenge-response`) a value
//! `KEY=file://PATH` reads just the value, without its final line break.
//!
//! It also notes a password typed on the command line (where every user of the
//! machine can read it in the process list), before any file is read, so that
//! `main` can refuse it unless `--allow-secrets-on-argv` is given.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::exit::CliError;
use crate::shorthand;

/// Options whose value is a path, never expanded.
const PATH_OPTIONS: &[&str] = &[
    "--answers-file",
    "--client-secret-file",
    "--new-password-file",
    "--config",
    "--totp-secret-out",
    "--seed",
    "--data",
];

/// Options taking one `KEY=VALUE` pair.
const PAIR_OPTIONS: &[&str] = &["--answer", "--auth-parameter", "--challenge-response"];

/// Options taking a whole map (shorthand or JSON).
const MAP_OPTIONS: &[&str] = &["--auth-parameters", "--challenge-responses"];

/// The command line, expanded, and the first password found written on it.
#[derive(Debug)]
pub struct Argv {
    /// What clap parses.
    pub args: Vec<OsString>,
    /// How a password was given on the command line, and how to avoid it.
    pub secret_on_argv: Option<String>,
}

/// `path` with a leading `~` as the home directory.
pub fn expand_home(path: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(base) = directories::BaseDirs::new()
    {
        return base.home_dir().join(rest);
    }
    path.to_owned()
}

/// True when a map key names a password (not SRP's PASSWORD_CLAIM_* proofs).
pub fn names_password(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    key.contains("PASSWORD") && !key.starts_with("PASSWORD_CLAIM")
}

/// The contents `file://` or `fileb://` names, or `None` when `value` is neither.
fn read_param_file(option: &str, value: &str) -> Result<Option<String>, CliError> {
    let (path, binary) = if let Some(path) = value.strip_prefix("file://") {
        (path, false)
    } else if let Some(path) = value.strip_prefix("fileb://") {
        (path, true)
    } else {
        return Ok(None);
    };
    let path = expand_home(Path::new(path));
    let unreadable = |e: &dyn std::fmt::Display| {
        CliError::usage(format!("{option}: cannot read {}: {e}", path.display()))
    };
    let bytes = std::fs::read(&path).map_err(|e| unreadable(&e))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        unreadable(&if binary {
            "not UTF-8 (no parameter here takes binary data)"
        } else {
            "not UTF-8 text"
        })
    })?;
    Ok(Some(text))
}

fn hint(option: &str, key: &str) -> String {
    let safe = match option {
        "--answer" => format!(
            "leave it out to be prompted, or pass --answer {key}=file://PATH, --answers-file FILE or stdin (--password-stdin)"
        ),
        "--cli-input-json" => "pass --cli-input-json file://PATH".to_owned(),
        _ => format!(
            "pass {option} file://PATH, --cli-input-json file://PATH or {}={key}=file://PATH",
            if option.ends_with('s') {
                option.trim_end_matches('s').to_owned()
            } else {
                option.to_owned()
            }
        ),
    };
    format!(
        "{option} {key}=… puts a password on the command line, where the process list shows it: {safe} (or add --allow-secrets-on-argv)"
    )
}

/// The first password key in a map written on the command line.
fn password_key(map: &BTreeMap<String, String>) -> Option<&String> {
    map.keys().find(|k| names_password(k))
}

fn json_password_key(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    ["AuthParameters", "ChallengeResponses"]
        .iter()
        .filter_map(|field| value.get(field)?.as_object())
        .flat_map(|map| map.keys())
        .find(|k| names_password(k))
        .cloned()
}

/// One option's value: expanded, and checked for a password when typed inline.
fn value_of(option: &str, value: &str, secret: &mut Option<String>) -> Result<String, CliError> {
    if PATH_OPTIONS.contains(&option) {
        return Ok(value.to_owned());
    }
    if let Some(text) = read_param_file(option, value)? {
        return Ok(text);
    }
    if PAIR_OPTIONS.contains(&option)
        && let Some((key, pair_value)) = value.split_once('=')
    {
        if let Some(text) = read_param_file(option, pair_value)? {
            let text = text.strip_suffix('\n').unwrap_or(&text);
            return Ok(format!("{key}={}", text.strip_suffix('\r').unwrap_or(text)));
        }
        if names_password(key.trim()) {
            secret.get_or_insert_with(|| hint(option, key.trim()));
        }
    } else if MAP_OPTIONS.contains(&option)
        && let Ok(map) = shorthand::parse_map(option, value)
        && let Some(key) = password_key(&map)
    {
        secret.get_or_insert_with(|| hint(option, key));
    } else if option == "--cli-input-json"
        && let Some(key) = json_password_key(value)
    {
        secret.get_or_insert_with(|| hint(option, &key));
    }
    Ok(value.to_owned())
}

/// Expands `raw` (the program name first) and notes any password on it.
pub fn prepare(raw: Vec<OsString>) -> Result<Argv, CliError> {
    let mut args = Vec::with_capacity(raw.len());
    let mut secret = None;
    let mut pending: Option<String> = None;
    let mut rest = raw.into_iter();
    if let Some(program) = rest.next() {
        args.push(program);
    }
    while let Some(arg) = rest.next() {
        let Some(text) = arg.to_str().map(str::to_owned) else {
            pending = None;
            args.push(arg);
            continue;
        };
        if text == "--" {
            args.push(arg);
            args.extend(rest.by_ref());
            break;
        }
        if text.starts_with("--") {
            pending = None;
            match text.split_once('=') {
                Some((option, value)) => {
                    let value = value_of(option, value, &mut secret)?;
                    args.push(OsString::from(format!("{option}={value}")));
                }
                None => {
                    pending = Some(text);
                    args.push(arg);
                }
            }
        } else if let Some(option) = pending.take() {
            args.push(OsString::from(value_of(&option, &text, &mut secret)?));
        } else {
            args.push(arg);
        }
    }
    Ok(Argv {
        args,
        secret_on_argv: secret,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn prepared(args: &[&str]) -> Argv {
        let mut raw = vec![OsString::from("cognito-auth")];
        raw.extend(args.iter().map(OsString::from));
        prepare(raw).unwrap()
    }

    #[test]
    fn passwords_inline_are_noted_but_not_other_keys() {
        for args in [
            &["--answer", "NEW_PASSWORD=x"][..],
            &["--auth-parameters", "USERNAME=a,PASSWORD=x"],
            &["--auth-parameters={\"PASSWORD\": \"x\"}"],
            &["--challenge-response", "NEW_PASSWORD=x"],
            &[
                "--cli-input-json",
                "{\"AuthParameters\": {\"PASSWORD\": \"x\"}}",
            ],
        ] {
            assert!(prepared(args).secret_on_argv.is_some(), "{args:?}");
        }
        for args in [
            &["--answer", "SOFTWARE_TOKEN_MFA=123456"][..],
            &[
                "--challenge-responses",
                "PASSWORD_CLAIM_SIGNATURE=s,USERNAME=a",
            ],
            &["--answer", "SELECT_CHALLENGE=PASSWORD"],
            &["--username", "PASSWORD=x"],
        ] {
            assert!(prepared(args).secret_on_argv.is_none(), "{args:?}");
        }
    }

    #[test]
    fn files_are_read_for_values_and_pair_values() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v");
        std::fs::write(&file, "secret\n").unwrap();
        let url = format!("file://{}", file.display());
        let argv = prepared(&[
            "--session",
            &url,
            &format!("--client-id=fileb://{}", file.display()),
            "--answer",
            &format!("NEW_PASSWORD={url}"),
            "--answers-file",
            &url,
        ]);
        assert_eq!(
            argv.args[1..],
            [
                "--session",
                "secret\n",
                "--client-id=secret\n",
                "--answer",
                "NEW_PASSWORD=secret",
                "--answers-file",
                url.as_str(),
            ]
            .map(OsString::from)
        );
        assert!(argv.secret_on_argv.is_none());
        let missing = prepare(vec![
            "c".into(),
            "--session".into(),
            "file:///nonexistent/x".into(),
        ]);
        assert_eq!(missing.unwrap_err().code, crate::exit::code::USAGE);
    }
}
