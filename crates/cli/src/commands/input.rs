//! Input from outside the argument list: secret files, environment variables,
//! standard input, and whether a person is at the terminal.

use std::io::{IsTerminal, Read};
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use crate::args::Global;
use crate::argv::expand_home;
use crate::exit::CliError;

/// A secret file's text without its trailing line break; `~` is the home directory.
pub fn read_secret_file(path: &Path) -> Result<SecretString, CliError> {
    let path = expand_home(path);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(SecretString::from(
        text.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

/// A secret from the environment variable `name`, unless it is unset or empty.
pub fn env_secret(name: &str) -> Option<SecretString> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

/// Whether prompting is allowed and someone is there to answer.
pub fn interactive(global: &Global) -> bool {
    !global.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The first line of standard input; `what` names it in errors.
pub fn read_stdin_line(what: &str) -> Result<SecretString, CliError> {
    StdinLines::default().next(what)
}

/// Lines of standard input, read once, handed out in order. They are secrets
/// (passwords, tokens): kept as such, and the text read is zeroized.
#[derive(Debug, Default)]
pub struct StdinLines(Option<std::vec::IntoIter<SecretString>>);

impl StdinLines {
    /// The next line of standard input; `what` names it in errors.
    pub fn next(&mut self, what: &str) -> Result<SecretString, CliError> {
        if self.0.is_none() {
            let mut text = zeroize::Zeroizing::new(String::new());
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::usage(format!("reading {what} from stdin: {e}")))?;
            let lines: Vec<SecretString> = text.lines().map(SecretString::from).collect();
            self.0 = Some(lines.into_iter());
        }
        self.0
            .as_mut()
            .and_then(Iterator::next)
            .filter(|line| !line.expose_secret().is_empty())
            .ok_or_else(|| CliError::usage(format!("no {what} on stdin")))
    }
}
