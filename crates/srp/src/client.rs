//! The client side: USER_SRP_AUTH → PASSWORD_VERIFIER, and DEVICE_SRP_AUTH →
//! DEVICE_PASSWORD_VERIFIER.

#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::arith::{self, Exponent, Residue};
use crate::encoding::{WireInt, decode_base64, encode_base64, hex_minimal};
use crate::protocol::{self, ClaimTranscript, Identity};
use crate::timestamp::{Clock, format_timestamp};
use crate::{AppClient, Error, PoolId};

/// A request's parameters, in the order Cognito's JSON would carry them.
pub type Parameters = BTreeMap<String, String>;

/// Read access to a ChallengeParameters map, whatever map type the caller holds.
pub trait ChallengeParameters {
    /// The value of `name`, if present.
    fn parameter(&self, name: &str) -> Option<&str>;
}

impl<S: BuildHasher> ChallengeParameters for HashMap<String, String, S> {
    fn parameter(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl ChallengeParameters for BTreeMap<String, String> {
    fn parameter(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl<'a> ChallengeParameters for [(&'a str, &'a str)] {
    fn parameter(&self, name: &str) -> Option<&str> {
        self.iter()
            .find_map(|(key, value)| (*key == name).then_some(*value))
    }
}

fn required<'p, P: ChallengeParameters + ?Sized>(
    params: &'p P,
    name: &'static str,
) -> Result<&'p str, Error> {
    params.parameter(name).ok_or(Error::MissingParameter(name))
}

/// The SALT / SRP_B / SECRET_BLOCK triple of a verifier challenge, parsed.
struct VerifierChallenge<'p> {
    salt: WireInt,
    server_public: WireInt,
    secret_block: Vec<u8>,
    secret_block_text: &'p str,
}

impl<'p> VerifierChallenge<'p> {
    fn parse<P: ChallengeParameters + ?Sized>(params: &'p P) -> Result<Self, Error> {
        let salt = WireInt::parse_hex("SALT", required(params, "SALT")?)?;
        let server_public = WireInt::parse_hex("SRP_B", required(params, "SRP_B")?)?;
        if server_public.is_negative() {
            return Err(Error::Negative { field: "SRP_B" });
        }
        let secret_block_text = required(params, "SECRET_BLOCK")?;
        let secret_block = decode_base64("SECRET_BLOCK", secret_block_text)?;
        Ok(Self {
            salt,
            server_public,
            secret_block,
            secret_block_text,
        })
    }
}

/// The client's ephemeral key pair: the secret a (1024 bits) and A = g^a.
struct Ephemeral {
    secret: Exponent<16>,
    public: Residue,
}

impl Ephemeral {
    /// 128 bytes from the operating system's CSPRNG, as every reference does.
    fn generate() -> Result<Self, Error> {
        let mut bytes = Zeroizing::new([0u8; 128]);
        getrandom::fill(bytes.as_mut()).map_err(|_| Error::Random)?;
        Self::from_secret(bytes.as_ref())
    }

    fn from_secret(bytes: &[u8]) -> Result<Self, Error> {
        let secret = Exponent::from_be_bytes(bytes).ok_or(Error::TooLong { field: "a" })?;
        let public = arith::g_pow(&secret);
        if public.is_zero() {
            return Err(Error::IllegalClientValue);
        }
        Ok(Self { secret, public })
    }

    fn public_hex(&self) -> String {
        hex_minimal(&self.public.to_be_bytes())
    }

    /// Computes the claim for `identity` against a parsed verifier challenge.
    fn claim(
        &self,
        identity: Identity<'_>,
        password: &[u8],
        challenge: &VerifierChallenge<'_>,
        timestamp: String,
    ) -> Result<ClaimTranscript, Error> {
        let server_public = Residue::from_be_bytes_mod_n(challenge.server_public.magnitude());
        if server_public.is_zero() {
            return Err(Error::IllegalServerValue);
        }
        let a_public = self.public.to_be_bytes();
        let u = protocol::scrambler(&a_public, challenge.server_public.magnitude())?;
        let identity_hash = protocol::identity_hash(identity, password);
        let x_digest = protocol::private_x(&challenge.salt, &identity_hash);
        let x = protocol::exponent_from_digest(&x_digest);
        let premaster = protocol::client_premaster(&self.secret, &server_public, &u, &x);
        let key = protocol::session_key(&u, &premaster);
        let signature =
            protocol::claim_signature(&key, identity, &challenge.secret_block, &timestamp);
        let premaster_bytes = Zeroizing::new(premaster.to_be_bytes());
        Ok(ClaimTranscript {
            a_padded: crate::encoding::pad_unsigned(&a_public),
            b_padded: challenge.server_public.pad(),
            salt_padded: challenge.salt.pad(),
            u,
            identity_hash,
            x: x_digest,
            premaster_padded: Zeroizing::new(crate::encoding::pad_unsigned(
                premaster_bytes.as_ref(),
            )),
            key,
            message: [
                identity.realm.as_bytes(),
                identity.name.as_bytes(),
                &challenge.secret_block,
                timestamp.as_bytes(),
            ]
            .concat(),
            timestamp,
            signature,
        })
    }
}

/// The four fields every verifier response carries.
fn claim_responses(
    username: &str,
    challenge: &VerifierChallenge<'_>,
    transcript: &ClaimTranscript,
) -> Parameters {
    let mut responses = Parameters::new();
    responses.insert("USERNAME".into(), username.into());
    responses.insert(
        "PASSWORD_CLAIM_SECRET_BLOCK".into(),
        challenge.secret_block_text.into(),
    );
    responses.insert("TIMESTAMP".into(), transcript.timestamp.clone());
    responses.insert(
        "PASSWORD_CLAIM_SIGNATURE".into(),
        encode_base64(&transcript.signature),
    );
    responses
}

fn insert_optional(map: &mut Parameters, key: &str, value: Option<impl Into<String>>) {
    if let Some(value) = value {
        map.insert(key.into(), value.into());
    }
}

/// One USER_SRP_AUTH sign-in attempt: holds the ephemeral secret a from
/// InitiateAuth until the PASSWORD_VERIFIER response is computed.
///
/// Create one per attempt; never reuse it for a second InitiateAuth.
pub struct UserSrpClient {
    pool: PoolId,
    app: AppClient,
    ephemeral: Ephemeral,
}

impl std::fmt::Debug for UserSrpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserSrpClient")
            .field("pool", &self.pool)
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

impl UserSrpClient {
    /// A new attempt with a fresh random a.
    pub fn new(pool: PoolId, app: AppClient) -> Result<Self, Error> {
        Ok(Self {
            pool,
            app,
            ephemeral: Ephemeral::generate()?,
        })
    }

    /// An attempt with a caller-chosen a (big-endian, at most 128 bytes).
    ///
    /// For reproducing test vectors only: a predictable a gives away the session.
    pub fn with_ephemeral_secret(pool: PoolId, app: AppClient, a: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            pool,
            app,
            ephemeral: Ephemeral::from_secret(a)?,
        })
    }

    /// The pool this attempt signs in to.
    pub fn pool(&self) -> &PoolId {
        &self.pool
    }

    /// The app client.
    pub fn app_client(&self) -> &AppClient {
        &self.app
    }

    /// `SRP_A`: A as minimal lowercase hex, as Amplify sends it.
    pub fn srp_a(&self) -> String {
        self.ephemeral.public_hex()
    }

    /// InitiateAuth `AuthParameters` for USER_SRP_AUTH: USERNAME (as typed), SRP_A,
    /// SECRET_HASH over the typed name when the client has a secret, and DEVICE_KEY
    /// for a remembered device. For CUSTOM_AUTH with SRP first, add
    /// `CHALLENGE_NAME = SRP_A`.
    pub fn initiate_auth_parameters(&self, username: &str, device_key: Option<&str>) -> Parameters {
        let mut params = Parameters::new();
        params.insert("USERNAME".into(), username.into());
        params.insert("SRP_A".into(), self.srp_a());
        insert_optional(&mut params, "SECRET_HASH", self.app.secret_hash(username));
        insert_optional(&mut params, "DEVICE_KEY", device_key);
        params
    }

    /// The PASSWORD_VERIFIER `ChallengeResponses`.
    ///
    /// x and the signature use `USER_ID_FOR_SRP` (the internal name: a UUID when the
    /// user signed in with an email or phone alias). The response's USERNAME is the
    /// challenge's `USERNAME` (falling back to `USER_ID_FOR_SRP`), and SECRET_HASH is
    /// computed over that same string.
    pub fn password_verifier_responses<P: ChallengeParameters + ?Sized>(
        &self,
        params: &P,
        password: &SecretString,
        device_key: Option<&str>,
        clock: &dyn Clock,
    ) -> Result<Parameters, Error> {
        let challenge = VerifierChallenge::parse(params)?;
        let user_id = required(params, "USER_ID_FOR_SRP")?;
        let username = params.parameter("USERNAME").unwrap_or(user_id);
        let transcript = self.claim(&challenge, user_id, password, clock)?;
        let mut responses = claim_responses(username, &challenge, &transcript);
        insert_optional(
            &mut responses,
            "SECRET_HASH",
            self.app.secret_hash(username),
        );
        insert_optional(&mut responses, "DEVICE_KEY", device_key);
        Ok(responses)
    }

    /// Every intermediate value of the PASSWORD_VERIFIER claim (hazmat: contains
    /// secrets). For test vectors and interop debugging.
    pub fn claim_transcript<P: ChallengeParameters + ?Sized>(
        &self,
        params: &P,
        password: &SecretString,
        clock: &dyn Clock,
    ) -> Result<ClaimTranscript, Error> {
        let challenge = VerifierChallenge::parse(params)?;
        let user_id = required(params, "USER_ID_FOR_SRP")?;
        self.claim(&challenge, user_id, password, clock)
    }

    fn claim(
        &self,
        challenge: &VerifierChallenge<'_>,
        user_id: &str,
        password: &SecretString,
        clock: &dyn Clock,
    ) -> Result<ClaimTranscript, Error> {
        let identity = Identity {
            realm: self.pool.name(),
            name: user_id,
        };
        let timestamp = format_timestamp(clock.now_unix())?;
        self.ephemeral.claim(
            identity,
            password.expose_secret().as_bytes(),
            challenge,
            timestamp,
        )
    }
}

/// A device Cognito remembers: what the client stores after ConfirmDevice to sign
/// in with DEVICE_SRP_AUTH later.
#[derive(Clone)]
pub struct RememberedDevice {
    device_key: String,
    device_group_key: String,
    device_password: SecretString,
}

impl std::fmt::Debug for RememberedDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RememberedDevice")
            .field("device_key", &self.device_key)
            .field("device_group_key", &self.device_group_key)
            .finish_non_exhaustive()
    }
}

impl RememberedDevice {
    /// A device from its stored parts.
    pub fn new(
        device_key: impl Into<String>,
        device_group_key: impl Into<String>,
        device_password: SecretString,
    ) -> Self {
        Self {
            device_key: device_key.into(),
            device_group_key: device_group_key.into(),
            device_password,
        }
    }

    /// The DeviceKey Cognito assigned.
    pub fn device_key(&self) -> &str {
        &self.device_key
    }

    /// The DeviceGroupKey Cognito assigned.
    pub fn device_group_key(&self) -> &str {
        &self.device_group_key
    }

    /// The random password the client made for the device.
    pub fn device_password(&self) -> &SecretString {
        &self.device_password
    }

    pub(crate) fn identity(&self) -> Identity<'_> {
        Identity {
            realm: &self.device_group_key,
            name: &self.device_key,
        }
    }
}

/// One DEVICE_SRP_AUTH exchange, with its own fresh ephemeral a.
pub struct DeviceSrpClient {
    app: AppClient,
    device: RememberedDevice,
    ephemeral: Ephemeral,
}

impl std::fmt::Debug for DeviceSrpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSrpClient")
            .field("app", &self.app)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl DeviceSrpClient {
    /// A new exchange with a fresh random a.
    pub fn new(app: AppClient, device: RememberedDevice) -> Result<Self, Error> {
        Ok(Self {
            app,
            device,
            ephemeral: Ephemeral::generate()?,
        })
    }

    /// An exchange with a caller-chosen a; for test vectors only.
    pub fn with_ephemeral_secret(
        app: AppClient,
        device: RememberedDevice,
        a: &[u8],
    ) -> Result<Self, Error> {
        Ok(Self {
            app,
            device,
            ephemeral: Ephemeral::from_secret(a)?,
        })
    }

    /// `SRP_A` for this exchange.
    pub fn srp_a(&self) -> String {
        self.ephemeral.public_hex()
    }

    /// The DEVICE_SRP_AUTH `ChallengeResponses`: USERNAME (the internal name, i.e.
    /// the USERNAME of the previous challenge), DEVICE_KEY, SRP_A and SECRET_HASH.
    pub fn device_srp_auth_responses(&self, username: &str) -> Parameters {
        let mut responses = Parameters::new();
        responses.insert("USERNAME".into(), username.into());
        responses.insert("DEVICE_KEY".into(), self.device.device_key.clone());
        responses.insert("SRP_A".into(), self.srp_a());
        insert_optional(
            &mut responses,
            "SECRET_HASH",
            self.app.secret_hash(username),
        );
        responses
    }

    /// The DEVICE_PASSWORD_VERIFIER `ChallengeResponses`. USERNAME is the
    /// challenge's USERNAME, falling back to `username` (the name sent in
    /// DEVICE_SRP_AUTH), and SECRET_HASH is over that same string.
    pub fn device_password_verifier_responses<P: ChallengeParameters + ?Sized>(
        &self,
        params: &P,
        username: &str,
        clock: &dyn Clock,
    ) -> Result<Parameters, Error> {
        let challenge = VerifierChallenge::parse(params)?;
        let username = params.parameter("USERNAME").unwrap_or(username);
        let transcript = self.claim(&challenge, clock)?;
        let mut responses = claim_responses(username, &challenge, &transcript);
        responses.insert("DEVICE_KEY".into(), self.device.device_key.clone());
        insert_optional(
            &mut responses,
            "SECRET_HASH",
            self.app.secret_hash(username),
        );
        Ok(responses)
    }

    /// Every intermediate value of the device claim (hazmat: contains secrets).
    pub fn claim_transcript<P: ChallengeParameters + ?Sized>(
        &self,
        params: &P,
        clock: &dyn Clock,
    ) -> Result<ClaimTranscript, Error> {
        self.claim(&VerifierChallenge::parse(params)?, clock)
    }

    fn claim(
        &self,
        challenge: &VerifierChallenge<'_>,
        clock: &dyn Clock,
    ) -> Result<ClaimTranscript, Error> {
        let timestamp = format_timestamp(clock.now_unix())?;
        self.ephemeral.claim(
            self.device.identity(),
            self.device.device_password.expose_secret().as_bytes(),
            challenge,
            timestamp,
        )
    }
}
