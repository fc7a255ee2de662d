//! Errors as the CLI reports them: one line on stderr and an exit code per class.

use cognito_auth_flows::Error as FlowsError;

/// Exit codes, one per error class (documented in `--help` and the README).
pub mod code {
    /// Success.
    pub const OK: u8 = 0;
    /// Anything not classified below.
    pub const OTHER: u8 = 1;
    /// Bad usage: arguments, missing input, unreadable files.
    pub const USAGE: u8 = 2;
    /// Wrong username or password (or unknown user).
    pub const WRONG_CREDENTIALS: u8 = 3;
    /// Temporarily locked out after too many failures.
    pub const LOCKED_OUT: u8 = 4;
    /// The user's state forbids the call: disabled, unconfirmed, must reset the
    /// password; or, at sign-up, the username or alias is taken.
    pub const USER_STATE: u8 = 5;
    /// A challenge went wrong: wrong or expired code, expired session, unanswered
    /// challenge, refused new password or refresh token.
    pub const CHALLENGE: u8 = 6;
    /// Configuration: flow not enabled, SECRET_HASH, bad pool id, device store.
    pub const CONFIG: u8 = 7;
    /// Network, timeout, throttling, server error.
    pub const NETWORK: u8 = 8;
    /// A malformed reply or an unsupported challenge.
    pub const UNSUPPORTED: u8 = 9;
    /// Token verification failed.
    pub const VERIFY: u8 = 10;
}

/// A failure: what to print and how to exit.
#[derive(Debug)]
pub struct CliError {
    /// Exit code.
    pub code: u8,
    /// One line.
    pub message: String,
}

impl CliError {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: code::USAGE,
            message: message.into(),
        }
    }

    /// Any other failure (exit 1).
    pub fn other(message: impl Into<String>) -> Self {
        Self {
            code: code::OTHER,
            message: message.into(),
        }
    }

    /// A configuration failure (exit 7).
    pub fn config(message: impl Into<String>) -> Self {
        Self {
            code: code::CONFIG,
            message: message.into(),
        }
    }
}

/// The exit code for a flows error.
pub fn code_for(error: &FlowsError) -> u8 {
    match error {
        FlowsError::WrongCredentials
        | FlowsError::UserNotFound
        | FlowsError::NotAuthorized { .. } => code::WRONG_CREDENTIALS,
        FlowsError::LockedOut => code::LOCKED_OUT,
        FlowsError::UserDisabled
        | FlowsError::UserNotConfirmed
        | FlowsError::PasswordResetRequired
        | FlowsError::UsernameExists { .. }
        | FlowsError::AliasExists { .. } => code::USER_STATE,
        FlowsError::CodeMismatch
        | FlowsError::CodeExpired
        | FlowsError::SessionExpired
        | FlowsError::RefreshTokenRefused { .. }
        | FlowsError::InvalidNewPassword { .. }
        | FlowsError::DeviceNotFound
        | FlowsError::TooManyRounds { .. }
        | FlowsError::NotAnswered { .. }
        | FlowsError::WrongAnswerKind { .. }
        | FlowsError::PasswordNeeded { .. } => code::CHALLENGE,
        FlowsError::FlowNotEnabled { .. }
        | FlowsError::SecretHash { .. }
        | FlowsError::Config(_)
        | FlowsError::DeviceStore(_) => code::CONFIG,
        FlowsError::Throttled { .. }
        | FlowsError::LimitExceeded { .. }
        | FlowsError::Timeout
        | FlowsError::Network { .. }
        | FlowsError::Server { .. } => code::NETWORK,
        FlowsError::MalformedReply { .. }
        | FlowsError::UnsupportedChallenge { .. }
        | FlowsError::WebAuthnNotSupported
        | FlowsError::Srp(_) => code::UNSUPPORTED,
        FlowsError::Verify(_) => code::VERIFY,
        _ => code::OTHER,
    }
}

impl From<FlowsError> for CliError {
    fn from(error: FlowsError) -> Self {
        let message = match error {
            FlowsError::Timeout => {
                "request timed out: no reply within the connect or read timeout \
                 (--cli-connect-timeout, --cli-read-timeout; 60 s each by default)"
                    .to_owned()
            }
            _ => one_line(&error.to_string()),
        };
        Self {
            code: code_for(&error),
            message,
        }
    }
}

impl From<crate::shorthand::ShorthandError> for CliError {
    fn from(error: crate::shorthand::ShorthandError) -> Self {
        Self::usage(error.to_string())
    }
}

impl From<crate::select::SelectError> for CliError {
    fn from(error: crate::select::SelectError) -> Self {
        Self::usage(error.to_string())
    }
}

impl From<crate::config::ConfigError> for CliError {
    fn from(error: crate::config::ConfigError) -> Self {
        Self::config(error.to_string())
    }
}

/// Collapses whitespace so a message is one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The exit-code table, for `--help`.
pub const TABLE: &str = "\
Exit codes:
  0   success
  1   any other error
  2   usage: bad arguments, missing password or answer, unreadable file,
      a password on the command line, a --region contradicting the pool id
  3   wrong username or password (or unknown user)
  4   locked out after too many failed attempts
  5   user state: disabled, not confirmed, password reset required,
      username or email/phone already taken
  6   challenge: wrong or expired code, expired session, unanswered challenge,
      refused new password or refresh token
  7   configuration: flow not enabled for the app client, SECRET_HASH, bad pool id
  8   network, timeout, throttling, attempt limit exceeded or server error
  9   malformed reply or unsupported challenge
  10  token verification failed";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_documented_codes() {
        assert_eq!(code_for(&FlowsError::WrongCredentials), 3);
        assert_eq!(code_for(&FlowsError::LockedOut), 4);
        assert_eq!(code_for(&FlowsError::UserNotConfirmed), 5);
        assert_eq!(code_for(&FlowsError::CodeMismatch), 6);
        assert_eq!(
            code_for(&FlowsError::FlowNotEnabled {
                message: String::new()
            }),
            7
        );
        assert_eq!(code_for(&FlowsError::Timeout), 8);
        assert_eq!(
            code_for(&FlowsError::LimitExceeded {
                message: String::new()
            }),
            8
        );
        assert_eq!(
            code_for(&FlowsError::UsernameExists {
                message: String::new()
            }),
            5
        );
        assert_eq!(
            code_for(&FlowsError::UnsupportedChallenge {
                name: String::new()
            }),
            9
        );
        assert_eq!(code_for(&FlowsError::Verify(String::new())), 10);
        assert_eq!(
            code_for(&FlowsError::Service {
                code: String::new(),
                message: String::new()
            }),
            1
        );
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(one_line("a\n  b\tc"), "a b c");
    }
}
