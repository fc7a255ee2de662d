//! Token verification against the pool's JWKS (the `verify` feature).

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};

use crate::{Claims, Error};

/// Which token a verification expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    /// An ID token: `token_use = id`, `aud` = the client id.
    Id,
    /// An access token: `token_use = access`, `client_id` = the client id.
    Access,
}

impl TokenUse {
    fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

/// Checks Cognito tokens: RS256 signature by a key of the pool's JWKS (found by
/// `kid`), `iss`, `exp` (with leeway), `token_use`, and `aud` (ID token) or
/// `client_id` (access token).
///
/// The JWKS is at `<issuer>/.well-known/jwks.json` ([`Self::jwks_url`]); fetch it
/// with the HTTP client you already use and cache it (Cognito rotates keys rarely).
#[derive(Clone)]
pub struct TokenVerifier {
    issuer: String,
    client_id: String,
    keys: JwkSet,
    leeway_seconds: u64,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("keys", &self.keys.keys.len())
            .finish()
    }
}

impl TokenVerifier {
    /// A verifier for tokens from `issuer` for app client `client_id`.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>, keys: JwkSet) -> Self {
        Self {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            client_id: client_id.into(),
            keys,
            leeway_seconds: 60,
        }
    }

    /// As [`Self::new`], with the JWKS document as JSON text.
    pub fn from_jwks_json(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        jwks_json: &str,
    ) -> Result<Self, Error> {
        let keys: JwkSet = serde_json::from_str(jwks_json)
            .map_err(|e| Error::Verify(format!("JWKS is not a JWK set: {e}")))?;
        Ok(Self::new(issuer, client_id, keys))
    }

    /// Real Cognito's issuer for a pool: `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    pub fn cognito_issuer(pool_id: &cognito_auth_srp::PoolId) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            pool_id.region(),
            pool_id.as_str()
        )
    }

    /// Where the issuer publishes its keys.
    pub fn jwks_url(issuer: &str) -> String {
        format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'))
    }

    /// Clock skew allowed on `exp` (default 60 s).
    pub fn with_leeway_seconds(mut self, seconds: u64) -> Self {
        self.leeway_seconds = seconds;
        self
    }

    /// Verifies `token` and returns its claims.
    pub fn verify(&self, token: &str, expected: TokenUse) -> Result<Claims, Error> {
        let header = decode_header(token).map_err(|e| Error::Verify(format!("header: {e}")))?;
        let kid = header
            .kid
            .ok_or_else(|| Error::Verify("token header has no kid".into()))?;
        let jwk = self
            .keys
            .find(&kid)
            .ok_or_else(|| Error::Verify(format!("no key {kid} in the JWKS")))?;
        let key =
            DecodingKey::from_jwk(jwk).map_err(|e| Error::Verify(format!("key {kid}: {e}")))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.leeway_seconds;
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        match expected {
            TokenUse::Id => validation.set_audience(&[&self.client_id]),
            TokenUse::Access => validation.validate_aud = false,
        }
        let data = decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &validation)
            .map_err(|e| Error::Verify(e.to_string()))?;
        let claims = Claims(data.claims);
        if claims.token_use() != Some(expected.as_str()) {
            return Err(Error::Verify(format!(
                "token_use is {:?}, expected {}",
                claims.token_use(),
                expected.as_str()
            )));
        }
        if expected == TokenUse::Access && claims.str("client_id") != Some(self.client_id.as_str())
        {
            return Err(Error::Verify("client_id does not match".into()));
        }
        Ok(claims)
    }
}
