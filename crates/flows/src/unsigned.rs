//! GetTokensFromRefreshToken goes out unsigned, like the other sign-in calls.
//!
//! Cognito does not evaluate IAM for it, but the SDK's model (1.87) lists only
//! SigV4 for the operation, so a client built without credentials fails with "no
//! identity resolver". For that one call we give the SDK placeholder credentials
//! and strip the signature before the request leaves, so it is sent exactly as
//! InitiateAuth is: without an Authorization header, whatever the caller configured.
//!
//! Public so that a caller building its own SDK client (the `cognito-auth` CLI
//! does) can send every request unsigned the same way.

use aws_sdk_cognitoidentityprovider::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_cognitoidentityprovider::config::{
    ConfigBag, Credentials, Intercept, RuntimeComponents,
};
use aws_sdk_cognitoidentityprovider::error::BoxError;

/// Placeholder credentials: never sent, the signature is removed.
pub fn placeholder_credentials() -> Credentials {
    Credentials::new(
        "UNSIGNED",
        "UNSIGNED",
        None,
        None,
        "cognito-auth-flows-unsigned",
    )
}

/// Removes SigV4 headers just before transmission.
#[derive(Debug)]
pub struct StripSignature;

impl Intercept for StripSignature {
    fn name(&self) -> &'static str {
        "cognito-auth-flows::StripSignature"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request_mut().headers_mut();
        for name in [
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
        ] {
            headers.remove(name);
        }
        Ok(())
    }
}
