//! Errors as Cognito puts them on the wire: an exception type and a message.
//!
//! Every failure the emulator reports to a client is an [`ApiError`]; its `kind` is
//! the `__type` of the JSON body and the `x-amzn-ErrorType` header, and its message
//! is, wherever the facts document records one, Cognito's exact text.

use std::fmt;

/// Cognito's exception types that the emulator sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ErrorKind {
    NotAuthorized,
    InvalidParameter,
    UserNotFound,
    UserNotConfirmed,
    PasswordResetRequired,
    ResourceNotFound,
    UsernameExists,
    CodeMismatch,
    ExpiredCode,
    LimitExceeded,
    InvalidPassword,
    AliasExists,
    EnableSoftwareTokenMfa,
    SoftwareTokenMfaNotFound,
    InvalidLambdaResponse,
    UnexpectedLambda,
    UserLambdaValidation,
    UnknownOperation,
    Serialization,
    RequestTooLarge,
    DeviceKeyExists,
    UnsupportedOperation,
    InvalidUserPoolConfiguration,
    GroupExists,
    InternalError,
}

impl ErrorKind {
    /// The `__type` string.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::NotAuthorized => "NotAuthorizedException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::UserNotFound => "UserNotFoundException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
            Self::PasswordResetRequired => "PasswordResetRequiredException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::UsernameExists => "UsernameExistsException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::LimitExceeded => "LimitExceededException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::AliasExists => "AliasExistsException",
            Self::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            Self::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            Self::InvalidLambdaResponse => "InvalidLambdaResponseException",
            Self::UnexpectedLambda => "UnexpectedLambdaException",
            Self::UserLambdaValidation => "UserLambdaValidationException",
            Self::UnknownOperation => "UnknownOperationException",
            Self::Serialization => "SerializationException",
            Self::RequestTooLarge => "InvalidParameterException",
            Self::DeviceKeyExists => "DeviceKeyExistsException",
            Self::UnsupportedOperation => "UnsupportedOperationException",
            Self::InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException",
            Self::GroupExists => "GroupExistsException",
            Self::InternalError => "InternalErrorException",
        }
    }

    /// The HTTP status: 400 for client errors, 413 for an oversized body, 500 only
    /// for our own faults (storage), as Cognito models InternalErrorException.
    pub fn status(self) -> u16 {
        match self {
            Self::RequestTooLarge => 413,
            Self::InternalError => 500,
            _ => 400,
        }
    }
}

/// One error answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ApiError {
    /// The exception type.
    pub kind: ErrorKind,
    /// The message, Cognito's text where known. Never holds a secret.
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.type_name(), self.message)
    }
}

/// Shorthand for results of operations.
pub type ApiResult<T> = Result<T, ApiError>;

/// The longest message an error carries. Messages quote caller values (pool ids,
/// enum values, client ids) as Cognito's do; the cap keeps a hostile value from
/// being echoed whole in the body and the `x-amzn-errormessage` header.
pub const MAX_MESSAGE_BYTES: usize = 512;

impl ApiError {
    /// An error of `kind` with `message`, cut to [`MAX_MESSAGE_BYTES`] (ending
    /// in `...`) when longer.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if message.len() > MAX_MESSAGE_BYTES {
            let mut end = MAX_MESSAGE_BYTES - 3;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
            message.push_str("...");
        }
        Self { kind, message }
    }

    /// NotAuthorizedException.
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }

    /// InvalidParameterException.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    /// ResourceNotFoundException.
    pub fn resource_not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceNotFound, message)
    }

    /// The one answer to every wrong password, failed proof and (with
    /// PreventUserExistenceErrors) unknown user.
    pub fn incorrect_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }

    /// Lockout after repeated failures.
    pub fn attempts_exceeded() -> Self {
        Self::not_authorized("Password attempts exceeded")
    }

    /// LimitExceededException `Attempt limit exceeded, please try after some
    /// time.`: Cognito's answer at its attempt limits (a one-time code tried too
    /// often; ChangePassword while the user is locked out).
    pub fn attempt_limit_exceeded() -> Self {
        Self::new(
            ErrorKind::LimitExceeded,
            "Attempt limit exceeded, please try after some time.",
        )
    }

    /// `User does not exist.`
    pub fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFound, "User does not exist.")
    }

    /// `Username/client id combination not found.`: what the sign-up and
    /// recovery calls (ConfirmSignUp, ForgotPassword, ResendConfirmationCode)
    /// answer for an unknown user (MiniStack PR #1758, measured on AWS).
    pub fn username_client_not_found() -> Self {
        Self::new(
            ErrorKind::UserNotFound,
            "Username/client id combination not found.",
        )
    }

    /// `User is not confirmed.`
    pub fn user_not_confirmed() -> Self {
        Self::new(ErrorKind::UserNotConfirmed, "User is not confirmed.")
    }

    /// `User is disabled.`
    pub fn user_disabled() -> Self {
        Self::not_authorized("User is disabled.")
    }

    /// `Password reset required for the user`.
    pub fn password_reset_required() -> Self {
        Self::new(
            ErrorKind::PasswordResetRequired,
            "Password reset required for the user",
        )
    }

    /// An unknown or consumed challenge session.
    pub fn invalid_session() -> Self {
        Self::not_authorized("Invalid session for the user.")
    }

    /// A challenge session past its AuthSessionValidity.
    pub fn expired_session() -> Self {
        Self::not_authorized("Invalid session for the user, session is expired.")
    }

    /// A wrong one-time code.
    pub fn code_mismatch() -> Self {
        Self::new(ErrorKind::CodeMismatch, "Invalid code received for user")
    }

    /// `Missing required parameter X`.
    pub fn missing_parameter(name: &str) -> Self {
        Self::invalid_parameter(format!("Missing required parameter {name}"))
    }

    /// AWS's validation text for a required member left out.
    pub fn null_member(member: &str) -> Self {
        Self::invalid_parameter(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    }

    /// `Invalid Access Token`.
    pub fn invalid_access_token() -> Self {
        Self::not_authorized("Invalid Access Token")
    }

    /// A storage failure: our fault, not the client's.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InternalError, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        let short = ApiError::resource_not_found("User pool eu-west-1_abc does not exist.");
        assert_eq!(short.message, "User pool eu-west-1_abc does not exist.");

        let pool_id = "é".repeat(10_000);
        let long = ApiError::resource_not_found(format!("User pool {pool_id} does not exist."));
        assert!(long.message.len() <= MAX_MESSAGE_BYTES);
        assert!(long.message.len() >= MAX_MESSAGE_BYTES - 4);
        assert!(long.message.starts_with("User pool éé"));
        assert!(long.message.ends_with("é..."));
    }
}
