//! The crate's error type. The mapping from Cognito's and the SDK's errors to it
//! lives in `sdk_error`.

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
    /// `UserNotConfirmedException`: the user signed up but never confirmed. The
    /// step-wise [`crate::Flows::start`] returns [`crate::Step::ConfirmSignUp`]
    /// instead; confirm with [`crate::AuthApi::confirm_sign_up`].
    #[error("the user is not confirmed")]
    UserNotConfirmed,
    /// `PasswordResetRequiredException`: the user must reset the password
    /// ([`crate::AuthApi::forgot_password`], then
    /// [`crate::AuthApi::confirm_forgot_password`]) before signing in. The step-wise
    /// [`crate::Flows::start`] returns [`crate::Step::ResetPassword`] instead.
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
    /// password does not meet the pool's policy. The message is Cognito's, which
    /// names the rule broken (e.g. `Password did not conform with policy: Password
    /// must have uppercase characters`).
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
    /// `UsernameExistsException`: SignUp (or an alias update) names a user that
    /// already exists.
    #[error("the username is taken: {message}")]
    UsernameExists {
        /// Cognito's message, e.g. `User already exists`.
        message: String,
    },
    /// `AliasExistsException`: the email or phone number is already another
    /// user's alias (ConfirmSignUp, UpdateUserAttributes).
    #[error("the email or phone number belongs to another account: {message}")]
    AliasExists {
        /// Cognito's message.
        message: String,
    },
    /// `LimitExceededException`: too many attempts at this operation for the user
    /// (codes sent, password resets, attribute updates). Wait before trying again.
    #[error("limit exceeded: {message}")]
    LimitExceeded {
        /// Cognito's message, e.g. `Attempt limit exceeded, please try after some
        /// time.`
        message: String,
    },
    /// `TooManyRequestsException` / `ThrottlingException`, after the SDK's own
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
            Self::Throttled { .. }
                | Self::LimitExceeded { .. }
                | Self::Timeout
                | Self::Network { .. }
                | Self::Server { .. }
        )
    }
}
