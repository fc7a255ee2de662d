//! The server side, as a Cognito emulator needs it: verifiers, the per-login secret
//! b and SRP_B, and checking a PASSWORD_CLAIM_SIGNATURE.
//!
//! A login binds the client's parsed SRP_A at its first step
//! ([`ServerChallenge::new`]), as the step that answers it with SALT and SRP_B;
//! the claim that follows carries only the fields of RespondToAuthChallenge.

#![forbid(unsafe_code)]

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::arith::{self, Exponent, Residue, SpacedPowers};
use crate::device::DeviceSecretVerifierConfig;
use crate::encoding::{WireInt, decode_base64, hex_minimal, pad_unsigned};
use crate::protocol::{self, Identity};
use crate::timestamp::{ParsedTimestamp, parse_timestamp};
use crate::{Error, PoolId};

/// What a server stores for a password: the salt and v = g^x, and optionally three
/// more powers of v that make every login cheaper ([`Self::precompute`]).
///
/// Never a multiple of N: a verifier read from bytes is refused with
/// [`Error::IllegalVerifier`] if it is, since it would accept any proof. Equality
/// compares v in constant time (the powers follow from v).
#[derive(Clone)]
pub struct PasswordVerifier {
    salt: WireInt,
    verifier: Residue,
    powers: Option<Box<SpacedPowers>>,
}

impl std::fmt::Debug for PasswordVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordVerifier")
            .field("salt", &self.salt)
            .finish_non_exhaustive()
    }
}

impl PartialEq for PasswordVerifier {
    fn eq(&self, other: &Self) -> bool {
        let same_verifier = self
            .verifier
            .to_be_bytes()
            .ct_eq(&other.verifier.to_be_bytes());
        self.salt == other.salt && bool::from(same_verifier)
    }
}

impl Eq for PasswordVerifier {}

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
            powers: None,
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
    /// [`Self::verifier_bytes`] store them). Refuses v ≡ 0 (mod N).
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
        let verifier = Residue::from_be_bytes_mod_n(verifier);
        if verifier.is_zero() {
            return Err(Error::IllegalVerifier);
        }
        Ok(Self {
            salt: WireInt::from_signed_be("Salt", salt)?,
            verifier,
            powers: None,
        })
    }

    /// Computes and keeps v^(2^64), v^(2^128) and v^(2^192), so that the v^u of
    /// every later login is a short comb instead of a 256-bit exponentiation: 192
    /// squarings now (under half a login's work) for about a fifth less work in
    /// every login. A server that stores the verifier should store these too
    /// ([`Self::precomputed_bytes`]) and compute them once, when the password is set.
    pub fn precompute(&mut self) {
        if self.powers.is_none() {
            self.powers = Some(Box::new(SpacedPowers::of(&self.verifier)));
        }
    }

    /// Whether the powers of [`Self::precompute`] are kept.
    pub fn is_precomputed(&self) -> bool {
        self.powers.is_some()
    }

    /// The kept powers as 3 × 384 big-endian bytes, for storage beside
    /// [`Self::verifier_bytes`]; `None` before [`Self::precompute`].
    pub fn precomputed_bytes(&self) -> Option<Vec<u8>> {
        Some(self.powers.as_ref()?.to_be_bytes())
    }

    /// This verifier with the powers [`Self::precomputed_bytes`] gave, read back
    /// from storage. Refuses anything but three non-zero residues of 384 bytes.
    /// They are not checked against v (that costs what computing them does): powers
    /// of another verifier make every login with this one fail, never pass.
    pub fn with_precomputed_bytes(mut self, bytes: &[u8]) -> Result<Self, Error> {
        let powers = SpacedPowers::from_be_bytes(bytes)
            .filter(|powers| !powers.has_zero())
            .ok_or(Error::MalformedPrecomputation)?;
        self.powers = Some(Box::new(powers));
        Ok(self)
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

/// A claim as it arrives in RespondToAuthChallenge (PASSWORD_VERIFIER or
/// DEVICE_PASSWORD_VERIFIER).
#[derive(Clone, Copy, Debug)]
pub struct PasswordClaim<'a> {
    /// PASSWORD_CLAIM_SECRET_BLOCK, base64.
    pub secret_block: &'a str,
    /// TIMESTAMP.
    pub timestamp: &'a str,
    /// PASSWORD_CLAIM_SIGNATURE, base64.
    pub signature: &'a str,
}

/// One login on the server side: the client's A, b, B = k·v + g^b, and the
/// verifier it answers for.
pub struct ServerChallenge {
    client: ClientPublic,
    secret: ServerSecret,
    public: Residue,
    verifier: PasswordVerifier,
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
    /// A login for the client whose SRP_A is `client`, with a fresh 256-bit b.
    pub fn new(verifier: &PasswordVerifier, client: ClientPublic) -> Result<Self, Error> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|_| Error::Random)?;
        Self::with_secret(verifier, client, bytes.as_ref())
    }

    /// [`Self::new`] with a caller-chosen b (at most 128 bytes); for test vectors
    /// only.
    pub fn with_secret(
        verifier: &PasswordVerifier,
        client: ClientPublic,
        b: &[u8],
    ) -> Result<Self, Error> {
        // The exponent's width follows b's length (public), not its value, so a
        // 32-byte b costs what `new` costs.
        let (secret, g_b) = match Exponent::<4>::from_be_bytes(b) {
            Some(short) => {
                let g_b = arith::g_pow(&short);
                (ServerSecret::Short(short), g_b)
            }
            None => {
                let long = Exponent::<16>::from_be_bytes(b).ok_or(Error::TooLong { field: "b" })?;
                let g_b = arith::g_pow(&long);
                (ServerSecret::Long(long), g_b)
            }
        };
        Ok(Self::assemble(secret, g_b, verifier, client))
    }

    fn assemble(
        secret: ServerSecret,
        g_b: Residue,
        verifier: &PasswordVerifier,
        client: ClientPublic,
    ) -> Self {
        let k_times_v = protocol::k_residue().mul(&verifier.verifier);
        let public = k_times_v.add(&g_b);
        Self {
            client,
            secret,
            public,
            verifier: verifier.clone(),
        }
    }

    /// SRP_B as Cognito sends it: lowercase hex, no leading zeros.
    pub fn srp_b(&self) -> String {
        hex_minimal(&self.public.to_be_bytes())
    }

    /// SALT as Cognito sends it (Java `BigInteger.toString(16)`).
    pub fn salt(&self) -> String {
        self.verifier.salt.to_hex()
    }

    /// pad(S) for the client's A (hazmat: S is the shared secret).
    pub fn premaster_padded(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let (_, premaster) = self.premaster()?;
        let bytes = Zeroizing::new(premaster.to_be_bytes());
        Ok(Zeroizing::new(pad_unsigned(bytes.as_ref())))
    }

    fn premaster(&self) -> Result<([u8; 32], Residue), Error> {
        let client = &self.client;
        let u = protocol::scrambler(client.wire.magnitude(), &self.public.to_be_bytes())?;
        let (v, powers) = (&self.verifier.verifier, self.verifier.powers.as_deref());
        let premaster = match &self.secret {
            ServerSecret::Short(b) => protocol::server_premaster(&client.residue, v, powers, &u, b),
            ServerSecret::Long(b) => protocol::server_premaster(&client.residue, v, powers, &u, b),
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
        let (u, premaster) = self.premaster()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::encode_base64;
    use crate::group::n_bytes;

    /// pad(N) and pad(2N): both ≡ 0 (mod N), as are 0 itself and its longer forms.
    fn multiples_of_n() -> Vec<Vec<u8>> {
        let n = n_bytes();
        let mut two_n = vec![0u8; n.len() + 1];
        let mut carry = 0u8;
        for (index, byte) in n.iter().enumerate().rev() {
            let doubled = u16::from(*byte) * 2 + u16::from(carry);
            two_n[index + 1] = doubled.to_le_bytes()[0];
            carry = doubled.to_le_bytes()[1];
        }
        two_n[0] = carry;
        vec![
            vec![0],
            vec![0, 0, 0],
            pad_unsigned(&n),
            pad_unsigned(&two_n),
        ]
    }

    /// Issue 14.11: ConfirmDevice accepted v ≡ 0 (mod N), and then S = (A·v^u)^b = 0
    /// for every login, so any claim signed with S = 0 passed without the device
    /// password.
    #[test]
    fn device_verifier_zero_mod_n_is_refused() {
        for verifier in multiples_of_n() {
            let config = DeviceSecretVerifierConfig {
                password_verifier: encode_base64(&verifier),
                salt: encode_base64(&[0x2a; 16]),
            };
            assert_eq!(
                PasswordVerifier::from_device_config(&config).err(),
                Some(Error::IllegalVerifier),
                "{}",
                config.password_verifier
            );
        }
    }

    /// The same for a user verifier read back from storage.
    #[test]
    fn user_verifier_zero_mod_n_is_refused() {
        for verifier in multiples_of_n() {
            assert_eq!(
                PasswordVerifier::from_signed_bytes(&[0x2a; 16], &verifier).err(),
                Some(Error::IllegalVerifier)
            );
        }
    }

    fn example_verifier(password: &str) -> PasswordVerifier {
        let pool = PoolId::parse("eu-west-1_Example12").unwrap();
        let salt = WireInt::from_unsigned_be(&[0x2a; 16]);
        PasswordVerifier::for_user_with_salt(&pool, "bob", &password.into(), salt)
    }

    #[test]
    fn precomputed_powers_round_trip_and_are_refused_when_malformed() {
        let mut verifier = example_verifier("correct horse");
        assert!(verifier.precomputed_bytes().is_none());
        verifier.precompute();
        let bytes = verifier.precomputed_bytes().unwrap();
        assert_eq!(bytes.len(), 3 * 384);
        let plain =
            PasswordVerifier::from_signed_bytes(&verifier.salt_bytes(), &verifier.verifier_bytes())
                .unwrap();
        assert!(!plain.is_precomputed());
        let read_back = plain.clone().with_precomputed_bytes(&bytes).unwrap();
        assert!(read_back.is_precomputed());
        assert_eq!(read_back.precomputed_bytes(), Some(bytes.clone()));
        for length in [0, 1, 384, 3 * 384 - 1, 3 * 384 + 1, 4 * 384] {
            assert_eq!(
                plain.clone().with_precomputed_bytes(&vec![7; length]).err(),
                Some(Error::MalformedPrecomputation),
                "{length} bytes"
            );
        }
        // A slot that holds 0 or N (≡ 0) cannot be a power of a verifier.
        for slot in 0..3 {
            for zero in [vec![0u8; 384], n_bytes().to_vec()] {
                let mut zeroed = bytes.clone();
                zeroed[slot * 384..(slot + 1) * 384].copy_from_slice(&zero);
                assert_eq!(
                    plain.clone().with_precomputed_bytes(&zeroed).err(),
                    Some(Error::MalformedPrecomputation),
                    "slot {slot}"
                );
            }
        }
    }

    /// Powers that belong to another verifier make the right password fail.
    #[test]
    fn powers_of_another_verifier_fail_the_login() {
        use crate::{AppClient, UserSrpClient};
        let pool = PoolId::parse("eu-west-1_Example12").unwrap();
        let verifier = example_verifier("correct horse");
        let mut other = example_verifier("battery staple");
        other.precompute();
        let mixed = verifier
            .clone()
            .with_precomputed_bytes(&other.precomputed_bytes().unwrap())
            .unwrap();
        let client = UserSrpClient::with_ephemeral_secret(
            pool.clone(),
            AppClient::new("client"),
            &[0x11; 128],
        )
        .unwrap();
        let mut verdicts = Vec::new();
        for kept in [verifier, mixed] {
            let srp_a = ClientPublic::parse(&client.srp_a()).unwrap();
            let server = ServerChallenge::with_secret(&kept, srp_a, &[0x22; 32]).unwrap();
            verdicts.push(server.premaster_padded().unwrap());
        }
        assert_ne!(*verdicts[0], *verdicts[1]);
    }

    #[test]
    fn verifiers_are_equal_when_salt_and_v_are() {
        let pool = PoolId::parse("eu-west-1_Example12").unwrap();
        let salt = WireInt::from_unsigned_be(&[0x2a; 16]);
        let password = SecretString::from("correct horse");
        let one = PasswordVerifier::for_user_with_salt(&pool, "bob", &password, salt.clone());
        let read_back =
            PasswordVerifier::from_signed_bytes(&one.salt_bytes(), &one.verifier_bytes()).unwrap();
        assert_eq!(read_back, one);
        let other_password =
            PasswordVerifier::for_user_with_salt(&pool, "bob", &"wrong".into(), salt);
        assert_ne!(other_password, one);
        let other_salt = PasswordVerifier::for_user_with_salt(
            &pool,
            "bob",
            &password,
            WireInt::from_unsigned_be(&[0x2b; 16]),
        );
        assert_ne!(other_salt, one);
    }
}
