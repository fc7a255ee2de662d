//! The server side, as a Cognito emulator needs it: verifiers, the per-login secret
//! b and SRP_B, and checking a PASSWORD_CLAIM_SIGNATURE.

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::arith::{self, Exponent, Residue};
use crate::device::DeviceSecretVerifierConfig;
use crate::encoding::{WireInt, decode_base64, hex_minimal, pad_unsigned};
use crate::protocol::{self, Identity};
use crate::timestamp::{ParsedTimestamp, parse_timestamp};
use crate::{Error, PoolId};

/// What a server stores for a password: the salt and v = g^x.
#[derive(Clone)]
pub struct PasswordVerifier {
    salt: WireInt,
    verifier: Residue,
}

impl std::fmt::Debug for PasswordVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordVerifier")
            .field("salt", &self.salt)
            .finish_non_exhaustive()
    }
}

impl PasswordVerifier {
    /// A verifier for a user with a fresh random 16-byte salt. `user_id_for_srp` is
    /// the internal username (what PASSWORD_VERIFIER will send as USER_ID_FOR_SRP).
    pub fn for_user(
        pool: &PoolId,
        user_id_for_srp: &str,
        password: &SecretString,
    ) -> Result<Self, Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| Error::Random)?;
        Ok(Self::for_user_with_salt(
            pool,
            user_id_for_srp,
            password,
            WireInt::from_unsigned_be(&salt),
        ))
    }

    /// A user verifier with a given salt.
    pub fn for_user_with_salt(
        pool: &PoolId,
        user_id_for_srp: &str,
        password: &SecretString,
        salt: WireInt,
    ) -> Self {
        let identity = Identity {
            realm: pool.name(),
            name: user_id_for_srp,
        };
        Self::derive(identity, password.expose_secret().as_bytes(), salt)
    }

    pub(crate) fn derive(identity: Identity<'_>, password: &[u8], salt: WireInt) -> Self {
        let identity_hash = protocol::identity_hash(identity, password);
        let x = protocol::exponent_from_digest(&protocol::private_x(&salt, &identity_hash));
        Self {
            salt,
            verifier: protocol::verifier(&x),
        }
    }

    /// The verifier a device registered with ConfirmDevice.
    pub fn from_device_config(config: &DeviceSecretVerifierConfig) -> Result<Self, Error> {
        let salt = decode_base64("Salt", &config.salt)?;
        let verifier = decode_base64("PasswordVerifier", &config.password_verifier)?;
        Self::from_signed_bytes(&salt, &verifier)
    }

    /// A verifier from the big-endian two's-complement bytes of salt and v, as
    /// ConfirmDevice carries them (and as [`Self::salt_bytes`] and
    /// [`Self::verifier_bytes`] store them).
    pub fn from_signed_bytes(salt: &[u8], verifier: &[u8]) -> Result<Self, Error> {
        if salt.is_empty() || salt[0] >= 0x80 {
            return Err(Error::Negative { field: "Salt" });
        }
        if verifier.is_empty() || verifier[0] >= 0x80 {
            return Err(Error::Negative {
                field: "PasswordVerifier",
            });
        }
        if verifier.len() > crate::encoding::MAX_WIRE_INT_BYTES
            || salt.len() > crate::encoding::MAX_WIRE_INT_BYTES
        {
            return Err(Error::TooLong {
                field: "PasswordVerifier",
            });
        }
        Ok(Self {
            salt: WireInt::from_unsigned_be(salt),
            verifier: Residue::from_be_bytes_mod_n(verifier),
        })
    }

    /// The salt.
    pub fn salt(&self) -> &WireInt {
        &self.salt
    }

    /// pad(salt), for storage.
    pub fn salt_bytes(&self) -> Vec<u8> {
        self.salt.pad()
    }

    /// pad(v), for storage.
    pub fn verifier_bytes(&self) -> Vec<u8> {
        pad_unsigned(&self.verifier.to_be_bytes())
    }
}

/// The server's per-login secret: 256 bits for logins we start, or any width up to
/// 1024 bits when a test supplies one.
enum ServerSecret {
    Short(Exponent<4>),
    Long(Exponent<16>),
}

/// A claim as it arrives in RespondToAuthChallenge, plus the SRP_A from
/// InitiateAuth (or DEVICE_SRP_AUTH).
#[derive(Clone, Copy, Debug)]
pub struct PasswordClaim<'a> {
    /// SRP_A, hex.
    pub srp_a: &'a str,
    /// PASSWORD_CLAIM_SECRET_BLOCK, base64.
    pub secret_block: &'a str,
    /// TIMESTAMP.
    pub timestamp: &'a str,
    /// PASSWORD_CLAIM_SIGNATURE, base64.
    pub signature: &'a str,
}

/// One login on the server side: b, B = k·v + g^b, and the verifier it answers for.
pub struct ServerChallenge {
    secret: ServerSecret,
    public: Residue,
    verifier: Residue,
    salt: WireInt,
}

impl std::fmt::Debug for ServerChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerChallenge")
            .field("srp_b", &self.srp_b())
            .finish_non_exhaustive()
    }
}

/// SRP_A checked: not negative, not too long, not a multiple of N.
#[derive(Clone, Debug)]
pub struct ClientPublic {
    wire: WireInt,
    residue: Residue,
}

impl ClientPublic {
    /// Parses SRP_A and refuses A mod N == 0.
    pub fn parse(srp_a: &str) -> Result<Self, Error> {
        let wire = WireInt::parse_hex("SRP_A", srp_a)?;
        if wire.is_negative() {
            return Err(Error::Negative { field: "SRP_A" });
        }
        let residue = Residue::from_be_bytes_mod_n(wire.magnitude());
        if residue.is_zero() {
            return Err(Error::IllegalClientValue);
        }
        Ok(Self { wire, residue })
    }
}

impl ServerChallenge {
    /// A login with a fresh 256-bit b.
    pub fn new(verifier: &PasswordVerifier) -> Result<Self, Error> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|_| Error::Random)?;
        let secret = Exponent::<4>::from_be_bytes(bytes.as_ref()).ok_or(Error::Random)?;
        let g_b = arith::g_pow(&secret);
        Ok(Self::assemble(ServerSecret::Short(secret), g_b, verifier))
    }

    /// A login with a caller-chosen b (at most 128 bytes); for test vectors only.
    pub fn with_secret(verifier: &PasswordVerifier, b: &[u8]) -> Result<Self, Error> {
        let secret = Exponent::<16>::from_be_bytes(b).ok_or(Error::TooLong { field: "b" })?;
        let g_b = arith::g_pow(&secret);
        Ok(Self::assemble(ServerSecret::Long(secret), g_b, verifier))
    }

    fn assemble(secret: ServerSecret, g_b: Residue, verifier: &PasswordVerifier) -> Self {
        let k_times_v = protocol::k_residue().mul(&verifier.verifier);
        let public = k_times_v.add(&g_b);
        Self {
            secret,
            public,
            verifier: verifier.verifier.clone(),
            salt: verifier.salt.clone(),
        }
    }

    /// SRP_B as Cognito sends it: lowercase hex, no leading zeros.
    pub fn srp_b(&self) -> String {
        hex_minimal(&self.public.to_be_bytes())
    }

    /// SALT as Cognito sends it (Java `BigInteger.toString(16)`).
    pub fn salt(&self) -> String {
        self.salt.to_hex()
    }

    /// pad(S) for a client's A (hazmat: S is the shared secret).
    pub fn premaster_padded(&self, client: &ClientPublic) -> Result<Zeroizing<Vec<u8>>, Error> {
        let (_, premaster) = self.premaster(client)?;
        let bytes = Zeroizing::new(premaster.to_be_bytes());
        Ok(Zeroizing::new(pad_unsigned(bytes.as_ref())))
    }

    fn premaster(&self, client: &ClientPublic) -> Result<([u8; 32], Residue), Error> {
        let u = protocol::scrambler(client.wire.magnitude(), &self.public.to_be_bytes())?;
        let premaster = match &self.secret {
            ServerSecret::Short(b) => {
                protocol::server_premaster(&client.residue, &self.verifier, &u, b)
            }
            ServerSecret::Long(b) => {
                protocol::server_premaster(&client.residue, &self.verifier, &u, b)
            }
        };
        Ok((u, premaster))
    }

    /// Checks a PASSWORD_VERIFIER claim for user `user_id_for_srp` of `pool`.
    ///
    /// Returns the claim's time, for the caller's clock-skew policy.
    pub fn verify_user_claim(
        &self,
        pool: &PoolId,
        user_id_for_srp: &str,
        claim: &PasswordClaim<'_>,
    ) -> Result<ParsedTimestamp, Error> {
        let identity = Identity {
            realm: pool.name(),
            name: user_id_for_srp,
        };
        self.verify(identity, claim)
    }

    /// Checks a DEVICE_PASSWORD_VERIFIER claim.
    pub fn verify_device_claim(
        &self,
        device_group_key: &str,
        device_key: &str,
        claim: &PasswordClaim<'_>,
    ) -> Result<ParsedTimestamp, Error> {
        let identity = Identity {
            realm: device_group_key,
            name: device_key,
        };
        self.verify(identity, claim)
    }

    fn verify(
        &self,
        identity: Identity<'_>,
        claim: &PasswordClaim<'_>,
    ) -> Result<ParsedTimestamp, Error> {
        // The cheap checks first, so malformed claims cost no exponentiation.
        let timestamp = parse_timestamp(claim.timestamp)?;
        let secret_block = decode_base64("PASSWORD_CLAIM_SECRET_BLOCK", claim.secret_block)?;
        let presented = decode_base64("PASSWORD_CLAIM_SIGNATURE", claim.signature)?;
        let client = ClientPublic::parse(claim.srp_a)?;
        let (u, premaster) = self.premaster(&client)?;
        let key = protocol::session_key(&u, &premaster);
        // Sign the canonical form of the instant, not the received string: a
        // zero-padded day or a wrong weekday then fails as NotAuthorized, as on
        // Cognito.
        let expected =
            protocol::claim_signature(&key, identity, &secret_block, &timestamp.canonical);
        if bool::from(expected.as_slice().ct_eq(presented.as_slice())) {
            Ok(timestamp)
        } else {
            Err(Error::SignatureMismatch)
        }
    }
}
