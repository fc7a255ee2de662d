//! Passwords and codes for the account commands, never from the argument list: a
//! file, standard input, an environment variable, or a prompt without echo.

use std::path::PathBuf;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

use super::input::{StdinLines, env_secret, interactive, read_secret_file};
use crate::args::Global;
use crate::exit::CliError;

/// Where a new password comes from.
#[derive(Debug, Args, Clone, Default)]
pub struct NewPasswordArgs {
    /// Read the password(s) from standard input, one per line (for change-password:
    /// the current one, then the new one).
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the new password from this file (else COGNITO_NEW_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
}

/// A password typed twice without echo; the two must match.
fn prompt_twice(label: &str) -> Result<SecretString, CliError> {
    let what = label.to_lowercase();
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(SecretString::from)
            .map_err(|e| CliError::usage(format!("reading the {what}: {e}")))
    };
    let first = read(&format!("{label}: "))?;
    let again = read(&format!("{label} again: "))?;
    if first.expose_secret() != again.expose_secret() {
        return Err(CliError::usage(format!("the two {what}s differ")));
    }
    if first.expose_secret().is_empty() {
        return Err(CliError::usage(format!("an empty {what}")));
    }
    Ok(first)
}

/// The new password: `--new-password-file`, else stdin (`--password-stdin`), else
/// COGNITO_NEW_PASSWORD, else a prompt (twice, no echo).
pub fn new_password(
    global: &Global,
    args: &NewPasswordArgs,
    stdin: &mut StdinLines,
) -> Result<SecretString, CliError> {
    if let Some(path) = &args.new_password_file {
        return read_secret_file(path);
    }
    if args.password_stdin {
        return stdin.next("new password");
    }
    if let Some(secret) = env_secret("COGNITO_NEW_PASSWORD") {
        return Ok(secret);
    }
    if interactive(global) {
        return prompt_twice("New password");
    }
    Err(CliError::usage(
        "no new password: use --password-stdin, --new-password-file, COGNITO_NEW_PASSWORD, or run on a terminal",
    ))
}

/// The current password: stdin (`--password-stdin`, the first line), else
/// COGNITO_PASSWORD, else a prompt without echo.
pub fn current_password(
    global: &Global,
    args: &NewPasswordArgs,
    stdin: &mut StdinLines,
) -> Result<SecretString, CliError> {
    if args.password_stdin {
        return stdin.next("current password");
    }
    if let Some(secret) = env_secret("COGNITO_PASSWORD") {
        return Ok(secret);
    }
    if interactive(global) {
        return rpassword::prompt_password("Current password: ")
            .map(SecretString::from)
            .map_err(|e| CliError::usage(format!("reading the password: {e}")));
    }
    Err(CliError::usage(
        "no current password: use --password-stdin, COGNITO_PASSWORD, or run on a terminal",
    ))
}

/// A confirmation code: `--code`, else a prompt without echo.
pub fn read_code(
    global: &Global,
    given: Option<String>,
    prompt: &str,
) -> Result<SecretString, CliError> {
    if let Some(code) = given {
        return Ok(SecretString::from(code.trim().to_owned()));
    }
    if interactive(global) {
        let typed = rpassword::prompt_password(prompt)
            .map_err(|e| CliError::usage(format!("reading the code: {e}")))?;
        return Ok(SecretString::from(typed.trim().to_owned()));
    }
    Err(CliError::usage(
        "no code: pass --code, or run on a terminal to be asked for it",
    ))
}
