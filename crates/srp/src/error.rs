//! The one error type of the crate.

#![forbid(unsafe_code)]

/// Everything that can go wrong computing or checking an SRP step.
///
/// Each variant names the wire field at fault where there is one, so a caller can
/// report which parameter Cognito (or a client) got wrong. No variant carries secret
/// material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A required challenge parameter or response field is absent.
    #[error("missing parameter {0}")]
    MissingParameter(&'static str),
    /// A hex field holds something other than an optional `-` and hex digits.
    #[error("{field} is not valid hex")]
    InvalidHex {
        /// The wire field.
        field: &'static str,
    },
    /// A hex field is longer than the group allows (more bytes than pad(N)).
    #[error("{field} is longer than the group modulus")]
    TooLong {
        /// The wire field.
        field: &'static str,
    },
    /// A field that must be a non-negative integer arrived with a `-`.
    #[error("{field} is negative")]
    Negative {
        /// The wire field.
        field: &'static str,
    },
    /// A base64 field does not decode.
    #[error("{field} is not valid base64")]
    InvalidBase64 {
        /// The wire field.
        field: &'static str,
    },
    /// The server's public value B is a multiple of N: continuing would let the
    /// server fix the session key.
    #[error("illegal SRP_B from server: B mod N == 0")]
    IllegalServerValue,
    /// The client's public value A is a multiple of N.
    #[error("illegal SRP_A from client: A mod N == 0")]
    IllegalClientValue,
    /// A stored or registered verifier v is a multiple of N: every proof would
    /// then match S = 0, whatever the password.
    #[error("illegal PasswordVerifier: v mod N == 0")]
    IllegalVerifier,
    /// Stored verifier powers ([`crate::PasswordVerifier::with_precomputed_bytes`])
    /// are not three non-zero residues of 384 bytes each.
    #[error("stored verifier powers are malformed: expected 3 non-zero 384-byte residues")]
    MalformedPrecomputation,
    /// The scrambling parameter u = H(A ‖ B) is zero.
    #[error("illegal scrambling parameter: u == 0")]
    IllegalScrambler,
    /// The user pool id is empty or not of the form `<region>_<name>`.
    #[error("invalid user pool id {0:?}: expected <region>_<name>")]
    InvalidPoolId(String),
    /// A TIMESTAMP does not match `EEE MMM d HH:mm:ss z yyyy` in English (UTC).
    #[error("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")]
    InvalidTimestamp,
    /// The clock is outside the years a TIMESTAMP can express (0001–9999).
    #[error("clock is outside the range a TIMESTAMP can express")]
    ClockOutOfRange,
    /// The claim's signature does not match: wrong password, or a tampered block,
    /// timestamp or identity.
    #[error("password claim signature does not match")]
    SignatureMismatch,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
}
