//! The crate's error type, and the mapping from the SDK's errors to it.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

/// Everything that can end a sign-in, a refresh or a device confirmation.
///
/// Each Cognito answer that a caller would treat differently gets its own variant,
/// so "wrong password", "locked out" and "not confirmed" never have to be told
/// apart by string matching. No variant carries a password, a token, a Session or a
/// device secret: messages are Cognito's own texts, which never echo them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `NotAuthorizedException: Incorrect username or password.` (a failed SRP proof
    /// ends the same way). Also what an unknown user gets when the app client has
    /// PreventUserExistenceErrors enabled.
    #[error("incorrect username or password")]
    WrongCredentials,
    /// `NotAuthorizedException: Password attempts exceeded`: Cognito's temporary
    /// lockout after repeated failures. Retrying now extends it.
    #[error("too many failed attempts: the user is temporarily locked out")]
    LockedOut,
    /// `NotAuthorizedException: User is disabled.`
    #[error("the user is disabled")]
    UserDisabled,
    /// `UserNotFoundException`: no such user (app clients with
    /// PreventUserExistenceErrors = LEGACY).
    #[error("user not found")]
    UserNotFound,
    /// `UserNotConfirmedException`: the user signed up but never confirmed.
    #[error("the user is not confirmed")]
    UserNotConfirmed,
    /// `PasswordResetRequiredException`: the user must reset the password
    /// (ForgotPassword / ConfirmForgotPassword) before signing in.
    #[error("the user must reset the password")]
    PasswordResetRequired,
    /// `CodeMismatchException` (also VerifySoftwareToken's
    /// `EnableSoftwareTokenMFAException: Code mismatch`): a wrong MFA or OTP code.
    #[error("the code is wrong")]
    CodeMismatch,
    /// `ExpiredCodeException`: the code was right once but has expired.
    #[error("the code has expired")]
    CodeExpired,
    /// `NotAuthorizedException: Invalid session for the user.`: the challenge
    /// Session expired (3–15 minutes) or does not belong to this sign-in. Start over.
    #[error("the sign-in session has expired or is invalid; start the sign-in again")]
    SessionExpired,
    /// The refresh token was refused: invalid, revoked, expired, issued to another
    /// app client, or (with device tracking) sent without its DEVICE_KEY.
    #[error("refresh token refused: {message}")]
    RefreshTokenRefused {
        /// Cognito's message, e.g. `Invalid Refresh Token.` or `Refresh Token has
        /// been revoked`.
        message: String,
    },
    /// A stored session cannot give tokens any more: nothing is stored, there is no
    /// refresh token, or Cognito refused it (revoked, expired). Sign in again.
    #[error("{reason}: sign in again")]
    SignInRequired {
        /// Why.
        reason: String,
    },
    /// A `TokenStore` could not read or write.
    #[error("token store: {message}")]
    TokenStore {
        /// What failed.
        message: String,
    },
    /// The auth flow is not enabled for this app client (its ExplicitAuthFlows), or
    /// not available on the pool's tier.
    #[error("auth flow not enabled for this app client: {message}")]
    FlowNotEnabled {
        /// Cognito's message, e.g. `USER_PASSWORD_AUTH flow not enabled for this client`.
        message: String,
    },
    /// SECRET_HASH was missing, wrong, or sent to a client without a secret: the
    /// client secret given to [`crate::Flows`] does not match the app client.
    #[error("SECRET_HASH refused: {message}")]
    SecretHash {
        /// Cognito's message.
        message: String,
    },
    /// `InvalidPasswordException` / `PasswordHistoryPolicyViolationException`: a new
    /// password does not meet the pool's policy.
    #[error("the new password was refused: {message}")]
    InvalidNewPassword {
        /// Cognito's message.
        message: String,
    },
    /// Cognito no longer knows the remembered device (`ResourceNotFoundException:
    /// Device does not exist.`). Sign-in and refresh already retry without the device;
    /// this is returned only where a retry is impossible (a step-wise answer).
    #[error("the remembered device is unknown to Cognito (it was forgotten); start again")]
    DeviceNotFound,
    /// `TooManyRequestsException` / `LimitExceededException`, after the SDK's own
    /// retries.
    #[error("throttled by Cognito: {message}")]
    Throttled {
        /// Cognito's message.
        message: String,
    },
    /// The request or a read timed out (SDK operation, attempt or read timeout).
    #[error("request to Cognito timed out")]
    Timeout,
    /// The connection failed: refused, reset, DNS, TLS.
    #[error("network error talking to Cognito: {message}")]
    Network {
        /// What the connector reported.
        message: String,
    },
    /// The reply could not be read: not JSON, truncated, or missing a field this
    /// step needs.
    #[error("malformed reply from Cognito: {detail}")]
    MalformedReply {
        /// What was wrong with it.
        detail: String,
    },
    /// A 5xx or `InternalErrorException` after the SDK's retries.
    #[error("Cognito server error (HTTP {status}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// Cognito's message, or a description of the body.
        message: String,
    },
    /// Cognito asked for a challenge this crate cannot answer.
    #[error("unsupported challenge {name}")]
    UnsupportedChallenge {
        /// The ChallengeName.
        name: String,
    },
    /// WEB_AUTHN (passkeys) needs a browser authenticator; it is not supported.
    #[error("WEB_AUTHN (passkey) sign-in is not supported; choose another challenge")]
    WebAuthnNotSupported,
    /// The server kept answering with challenges past the round limit.
    #[error("sign-in did not finish within {rounds} rounds")]
    TooManyRounds {
        /// The limit that was hit.
        rounds: u32,
    },
    /// The handler could not or would not answer a challenge.
    #[error("challenge {challenge} not answered: {reason}")]
    NotAnswered {
        /// The ChallengeName.
        challenge: String,
        /// Why.
        reason: String,
    },
    /// The answer does not fit the challenge (e.g. a code for NEW_PASSWORD_REQUIRED).
    #[error("answer does not fit challenge {challenge}: {detail}")]
    WrongAnswerKind {
        /// The ChallengeName.
        challenge: String,
        /// What was expected.
        detail: String,
    },
    /// A password is needed for this step but none was given.
    #[error("a password is needed for {step}")]
    PasswordNeeded {
        /// The step.
        step: &'static str,
    },
    /// A configuration problem on our side (bad pool id, missing username for
    /// SECRET_HASH on refresh, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// The SRP computation refused the server's values (or the clock).
    #[error("SRP: {0}")]
    Srp(#[from] cognito_auth_srp::Error),
    /// The device store failed.
    #[error("device store: {0}")]
    DeviceStore(String),
    /// Token verification failed (the `verify` feature).
    #[error("token verification failed: {0}")]
    Verify(String),
    /// Any other NotAuthorizedException.
    #[error("not authorized: {message}")]
    NotAuthorized {
        /// Cognito's message.
        message: String,
    },
    /// Any other error Cognito returned, by its type.
    #[error("{code}: {message}")]
    Service {
        /// The error type, e.g. `InvalidParameterException`.
        code: String,
        /// Cognito's message.
        message: String,
    },
}

impl Error {
    /// True when retrying the same request later may succeed (throttling, timeouts,
    /// network faults, server errors).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Throttled { .. } | Self::Timeout | Self::Network { .. } | Self::Server { .. }
        )
    }
}

/// Maps a Cognito error type and message to an [`Error`]. Exposed for callers that
/// make their own SDK calls and want the same classification.
pub fn classify(code: &str, message: &str) -> Error {
    // awsJson 1.1: a `__type` may carry a `namespace#` prefix.
    let code = code.rsplit('#').next().unwrap_or(code);
    let message = message.to_owned();
    let lower = message.to_ascii_lowercase();
    match code {
        "NotAuthorizedException" => {
            if lower.contains("password attempts exceeded") {
                Error::LockedOut
            } else if lower.contains("incorrect username or password") {
                Error::WrongCredentials
            } else if lower.contains("user is disabled") {
                Error::UserDisabled
            } else if lower.contains("invalid session") || lower.contains("session is expired") {
                Error::SessionExpired
            } else if lower.contains("refresh token") {
                Error::RefreshTokenRefused { message }
            } else if lower.contains("secret hash") || lower.contains("secret_hash") {
                Error::SecretHash { message }
            } else if lower.contains("flow not enabled") || lower.contains("flow is not enabled") {
                Error::FlowNotEnabled { message }
            } else if lower.contains("password reset required") {
                Error::PasswordResetRequired
            } else {
                Error::NotAuthorized { message }
            }
        }
        "UserNotFoundException" => Error::UserNotFound,
        "UserNotConfirmedException" => Error::UserNotConfirmed,
        "PasswordResetRequiredException" => Error::PasswordResetRequired,
        "CodeMismatchException" => Error::CodeMismatch,
        "EnableSoftwareTokenMFAException" if lower.contains("mismatch") => Error::CodeMismatch,
        "ExpiredCodeException" => Error::CodeExpired,
        "InvalidPasswordException" | "PasswordHistoryPolicyViolationException" => {
            Error::InvalidNewPassword { message }
        }
        "TooManyRequestsException" | "LimitExceededException" | "ThrottlingException" => {
            Error::Throttled { message }
        }
        "ResourceNotFoundException" if lower.contains("device") => Error::DeviceNotFound,
        "InvalidParameterException" | "UnsupportedOperationException"
            if lower.contains("flow not enabled")
                || lower.contains("flow is not enabled")
                || lower.contains("unsupported authflow") =>
        {
            Error::FlowNotEnabled { message }
        }
        "InvalidParameterException" if lower.contains("secret hash") => {
            Error::SecretHash { message }
        }
        "FeatureUnavailableInTierException" => Error::FlowNotEnabled { message },
        "InternalErrorException" => Error::Server {
            status: 500,
            message,
        },
        _ => Error::Service {
            code: code.to_owned(),
            message,
        },
    }
}

/// Maps any operation's `SdkError` to an [`Error`].
pub(crate) fn from_sdk<E>(error: SdkError<E>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let chain = source_chain(&error);
    match error {
        SdkError::TimeoutError(_) => Error::Timeout,
        SdkError::DispatchFailure(failure) => {
            if failure.is_timeout() {
                Error::Timeout
            } else {
                Error::Network { message: chain }
            }
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            let detail = chain;
            if detail.to_ascii_lowercase().contains("timeout")
                || detail.to_ascii_lowercase().contains("timed out")
            {
                Error::Timeout
            } else if status >= 500 {
                Error::Server {
                    status,
                    message: detail,
                }
            } else {
                Error::MalformedReply { detail }
            }
        }
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            let err = context.err();
            match err.code() {
                Some(code) => {
                    let mapped = classify(code, err.message().unwrap_or_default());
                    match mapped {
                        Error::Service { code, message } if status >= 500 => Error::Server {
                            status,
                            message: format!("{code}: {message}"),
                        },
                        Error::Server { message, .. } => Error::Server { status, message },
                        other => other,
                    }
                }
                None if status >= 500 => Error::Server {
                    status,
                    message: err
                        .message()
                        .map_or_else(|| "no error type in the reply".to_owned(), str::to_owned),
                },
                None => Error::MalformedReply {
                    detail: format!("HTTP {status}: {}", source_chain(err)),
                },
            }
        }
        SdkError::ConstructionFailure(_) => Error::Config(chain),
        _ => Error::Network { message: chain },
    }
}

/// The error and its sources, joined: the SDK's top-level messages ("dispatch
/// failure", "unhandled error") say little on their own.
fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    let mut depth = 0;
    while let Some(inner) = source {
        let part = inner.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = inner.source();
        depth += 1;
        if depth > 8 {
            break;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_not_authorized_messages() {
        assert!(matches!(
            classify("NotAuthorizedException", "Incorrect username or password."),
            Error::WrongCredentials
        ));
        assert!(matches!(
            classify("NotAuthorizedException", "Password attempts exceeded"),
            Error::LockedOut
        ));
        assert!(matches!(
            classify("NotAuthorizedException", "Invalid session for the user."),
            Error::SessionExpired
        ));
        assert!(matches!(
            classify(
                "NotAuthorizedException",
                "Invalid session for the user, session is expired."
            ),
            Error::SessionExpired
        ));
        assert!(matches!(
            classify("NotAuthorizedException", "Invalid Refresh Token."),
            Error::RefreshTokenRefused { .. }
        ));
        assert!(matches!(
            classify(
                "NotAuthorizedException",
                "Unable to verify secret hash for client abc"
            ),
            Error::SecretHash { .. }
        ));
        assert!(matches!(
            classify(
                "NotAuthorizedException",
                "Client abc is configured with secret but SECRET_HASH was not received"
            ),
            Error::SecretHash { .. }
        ));
        assert!(matches!(
            classify("NotAuthorizedException", "User is disabled."),
            Error::UserDisabled
        ));
    }

    #[test]
    fn maps_other_types() {
        assert!(matches!(
            classify("UserNotFoundException", "User does not exist."),
            Error::UserNotFound
        ));
        assert!(matches!(
            classify("UserNotConfirmedException", "User is not confirmed."),
            Error::UserNotConfirmed
        ));
        assert!(matches!(
            classify(
                "PasswordResetRequiredException",
                "Password reset required for the user"
            ),
            Error::PasswordResetRequired
        ));
        assert!(matches!(
            classify("CodeMismatchException", "Invalid code received for user"),
            Error::CodeMismatch
        ));
        assert!(matches!(
            classify(
                "InvalidParameterException",
                "USER_PASSWORD_AUTH flow not enabled for this client"
            ),
            Error::FlowNotEnabled { .. }
        ));
        assert!(matches!(
            classify("TooManyRequestsException", "Rate exceeded"),
            Error::Throttled { .. }
        ));
        assert!(matches!(
            classify("ResourceNotFoundException", "Device does not exist."),
            Error::DeviceNotFound
        ));
        assert!(matches!(
            classify("aws.cognito#UserNotFoundException", "x"),
            Error::UserNotFound
        ));
        assert!(matches!(
            classify(
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output"
            ),
            Error::Service { .. }
        ));
    }
}
