//! From Cognito's error types and the SDK's errors to [`Error`]: one classification
//! for every caller, so "wrong password", "locked out" and "throttled" mean the
//! same wherever the call was made.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

use crate::Error;

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
        "TooManyRequestsException" | "ThrottlingException" => Error::Throttled { message },
        "LimitExceededException" => Error::LimitExceeded { message },
        "UsernameExistsException" => Error::UsernameExists { message },
        "AliasExistsException" => Error::AliasExists { message },
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

impl Error {
    /// Maps any operation's `SdkError` to an [`Error`]: the one classifier for
    /// every SDK call, this crate's and its callers' (`.map_err(Error::from_sdk)`).
    ///
    /// A service error goes through [`classify`] by its error type; a 5xx with no
    /// error type, or with a type [`classify`] does not know, is
    /// [`Error::Server`]; a reply the SDK could not read is
    /// [`Error::MalformedReply`] (or [`Error::Server`] for a 5xx); timeouts are
    /// [`Error::Timeout`]; connection failures [`Error::Network`].
    pub fn from_sdk<E>(error: SdkError<E>) -> Self
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
        match classify(
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        ) {
            Error::LimitExceeded { message } => {
                assert_eq!(
                    message,
                    "Attempt limit exceeded, please try after some time."
                )
            }
            other => panic!("{other:?}"),
        }
        match classify("UsernameExistsException", "User already exists") {
            Error::UsernameExists { message } => assert_eq!(message, "User already exists"),
            other => panic!("{other:?}"),
        }
        match classify(
            "AliasExistsException",
            "An account with the given email already exists.",
        ) {
            Error::AliasExists { message } => {
                assert_eq!(message, "An account with the given email already exists.")
            }
            other => panic!("{other:?}"),
        }
        match classify(
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have uppercase characters",
        ) {
            Error::InvalidNewPassword { message } => assert_eq!(
                message,
                "Password did not conform with policy: Password must have uppercase characters"
            ),
            other => panic!("{other:?}"),
        }
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

    use aws_sdk_cognitoidentityprovider::config::http::HttpResponse;
    use aws_sdk_cognitoidentityprovider::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;

    fn http(status: u16) -> HttpResponse {
        HttpResponse::new(status.try_into().unwrap(), "{}".into())
    }

    fn service(status: u16, code: Option<&str>, message: Option<&str>) -> Error {
        let mut meta = ErrorMetadata::builder();
        if let Some(code) = code {
            meta = meta.code(code);
        }
        if let Some(message) = message {
            meta = meta.message(message);
        }
        let error = InitiateAuthError::generic(meta.build());
        Error::from_sdk(SdkError::service_error(error, http(status)))
    }

    #[test]
    fn from_sdk_classifies_service_errors_by_type() {
        assert!(matches!(
            service(
                400,
                Some("NotAuthorizedException"),
                Some("Incorrect username or password.")
            ),
            Error::WrongCredentials
        ));
        match service(400, Some("InvalidLambdaResponseException"), Some("bad")) {
            Error::Service { code, message } => {
                assert_eq!(code, "InvalidLambdaResponseException");
                assert_eq!(message, "bad");
            }
            other => panic!("{other:?}"),
        }
        match service(503, Some("InternalErrorException"), Some("try later")) {
            Error::Server { status, message } => {
                assert_eq!(status, 503);
                assert_eq!(message, "try later");
            }
            other => panic!("{other:?}"),
        }
        match service(502, Some("SomethingNewException"), Some("boom")) {
            Error::Server { status, message } => {
                assert_eq!(status, 502);
                assert_eq!(message, "SomethingNewException: boom");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn from_sdk_makes_an_untyped_5xx_a_server_error() {
        match service(500, None, None) {
            Error::Server { status, message } => {
                assert_eq!(status, 500);
                assert_eq!(message, "no error type in the reply");
            }
            other => panic!("{other:?}"),
        }
        match service(504, None, Some("Gateway Timeout")) {
            Error::Server { status, message } => {
                assert_eq!(status, 504);
                assert_eq!(message, "Gateway Timeout");
            }
            other => panic!("{other:?}"),
        }
        match service(400, None, None) {
            Error::MalformedReply { detail } => {
                assert!(detail.starts_with("HTTP 400: "), "{detail}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn from_sdk_separates_transport_failures() {
        type Sdk = SdkError<InitiateAuthError>;
        assert!(matches!(
            Error::from_sdk(Sdk::timeout_error("operation timeout")),
            Error::Timeout
        ));
        assert!(matches!(
            Error::from_sdk(Sdk::dispatch_failure(ConnectorError::timeout(
                "read timeout".into()
            ))),
            Error::Timeout
        ));
        match Error::from_sdk(Sdk::dispatch_failure(ConnectorError::io(
            "connection refused".into(),
        ))) {
            Error::Network { message } => {
                assert!(message.contains("connection refused"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        match Error::from_sdk(Sdk::response_error("not JSON", http(200))) {
            Error::MalformedReply { detail } => assert!(detail.contains("not JSON"), "{detail}"),
            other => panic!("{other:?}"),
        }
        match Error::from_sdk(Sdk::response_error("unreadable body", http(502))) {
            Error::Server { status, message } => {
                assert_eq!(status, 502);
                assert!(message.contains("unreadable body"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Error::from_sdk(Sdk::response_error("read timed out", http(200))),
            Error::Timeout
        ));
        match Error::from_sdk(Sdk::construction_failure("missing field")) {
            Error::Config(detail) => assert!(detail.contains("missing field"), "{detail}"),
            other => panic!("{other:?}"),
        }
    }
}
