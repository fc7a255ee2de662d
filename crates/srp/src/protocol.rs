//! The SRP-6a steps shared by client and server, user and device: hashes, the
//! scrambler u, the premaster secret S, the HKDF session key and the claim HMAC.

#![forbid(unsafe_code)]

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::Error;
use crate::arith::{self, Exponent, Residue, SpacedPowers};
use crate::encoding::{WireInt, pad_unsigned};
use crate::group;

/// HKDF `info` for the session key.
const KEY_INFO: &[u8] = b"Caldera Derived Key";

/// Whose password a claim proves: for a user, (pool name, USER_ID_FOR_SRP); for a
/// device, (DeviceGroupKey, DeviceKey). Both the identity hash and the signed message
/// start with `realm ‖ name`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Identity<'a> {
    pub(crate) realm: &'a str,
    pub(crate) name: &'a str,
}

/// `H(realm ‖ name ‖ ":" ‖ password)`.
pub(crate) fn identity_hash(identity: Identity<'_>, password: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut hasher = Sha256::new();
    hasher.update(identity.realm.as_bytes());
    hasher.update(identity.name.as_bytes());
    hasher.update(b":");
    hasher.update(password);
    Zeroizing::new(hasher.finalize().into())
}

/// `x = H(pad(salt) ‖ identity_hash)`, as a 256-bit exponent.
pub(crate) fn private_x(salt: &WireInt, identity_hash: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut hasher = Sha256::new();
    hasher.update(salt.pad());
    hasher.update(identity_hash);
    Zeroizing::new(hasher.finalize().into())
}

/// A 32-byte digest as a 256-bit exponent.
pub(crate) fn exponent_from_digest(digest: &[u8; 32]) -> Exponent<4> {
    // 32 bytes always fit four limbs.
    Exponent::from_be_bytes(digest).unwrap_or_else(|| unreachable!("a digest fits 4 limbs"))
}

/// `v = g^x`.
pub(crate) fn verifier(x: &Exponent<4>) -> Residue {
    arith::g_pow(x)
}

/// k as a residue.
pub(crate) fn k_residue() -> Residue {
    Residue::from_be_bytes_mod_n(&group::k())
}

/// The scrambler `u = H(pad(A) ‖ pad(B))`, refused when zero.
///
/// A and B are hashed as the integers on the wire, not reduced mod N, as every
/// reference does.
pub(crate) fn scrambler(a_public: &[u8], b_public: &[u8]) -> Result<[u8; 32], Error> {
    let mut hasher = Sha256::new();
    hasher.update(pad_unsigned(a_public));
    hasher.update(pad_unsigned(b_public));
    let u: [u8; 32] = hasher.finalize().into();
    if u.iter().all(|b| *b == 0) {
        return Err(Error::IllegalScrambler);
    }
    Ok(u)
}

/// The client's premaster secret `S = (B − k·g^x)^(a + u·x) mod N`.
///
/// `B − k·g^x` is negative for almost every input; [`Residue::sub`] reduces it into
/// `[0, N)` before the exponentiation.
pub(crate) fn client_premaster(
    a: &Exponent<16>,
    b: &Residue,
    u: &[u8; 32],
    x: &Exponent<4>,
) -> Residue {
    let k_times_v = k_residue().mul(&arith::g_pow(x));
    let base = b.sub(&k_times_v);
    let exponent = arith::a_plus_u_x(a, &exponent_from_digest(u), x);
    base.pow(&exponent)
}

/// The server's premaster secret `S = (A · v^u)^b mod N`, with `v^u` from the
/// powers kept beside v when there are some.
pub(crate) fn server_premaster<const L: usize>(
    a: &Residue,
    v: &Residue,
    v_powers: Option<&SpacedPowers>,
    u: &[u8; 32],
    b: &Exponent<L>,
) -> Residue {
    // u = H(A, B) is public: its exponentiation may follow its bits.
    let u = exponent_from_digest(u);
    let v_u = match v_powers {
        Some(powers) => powers.pow_public(v, &u),
        None => v.pow_public(&u),
    };
    a.mul(&v_u).pow(b)
}

/// The 16-byte session key: HKDF-SHA256 with salt `pad(u)`, IKM `pad(S)`, info
/// "Caldera Derived Key".
pub(crate) fn session_key(u: &[u8; 32], premaster: &Residue) -> Zeroizing<[u8; 16]> {
    let premaster_bytes = Zeroizing::new(premaster.to_be_bytes());
    let ikm = Zeroizing::new(pad_unsigned(premaster_bytes.as_ref()));
    let hkdf = Hkdf::<Sha256>::new(Some(&pad_unsigned(u)), &ikm);
    let mut key = Zeroizing::new([0u8; 16]);
    // 16 bytes is far below HKDF-SHA256's limit of 8160.
    hkdf.expand(KEY_INFO, key.as_mut())
        .unwrap_or_else(|_| unreachable!("16 bytes is a valid HKDF length"));
    key
}

/// `HMAC-SHA256(key, realm ‖ name ‖ secret_block ‖ timestamp)`.
pub(crate) fn claim_signature(
    key: &[u8; 16],
    identity: Identity<'_>,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(identity.realm.as_bytes());
    mac.update(identity.name.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Every intermediate value of one password claim, for checking against test
/// vectors and for debugging interop. It holds secrets (x, S, the session key):
/// they are zeroized on drop and left out of `Debug`.
#[derive(Clone)]
pub struct ClaimTranscript {
    /// pad(A): the client's public value as hashed.
    pub a_padded: Vec<u8>,
    /// pad(B): the server's public value as hashed.
    pub b_padded: Vec<u8>,
    /// pad(salt).
    pub salt_padded: Vec<u8>,
    /// u = H(pad(A) ‖ pad(B)).
    pub u: [u8; 32],
    /// H(realm ‖ name ‖ ":" ‖ password).
    pub identity_hash: Zeroizing<[u8; 32]>,
    /// x = H(pad(salt) ‖ identity hash).
    pub x: Zeroizing<[u8; 32]>,
    /// pad(S).
    pub premaster_padded: Zeroizing<Vec<u8>>,
    /// The HKDF session key.
    pub key: Zeroizing<[u8; 16]>,
    /// realm ‖ name ‖ secret block ‖ timestamp.
    pub message: Vec<u8>,
    /// The TIMESTAMP that was signed.
    pub timestamp: String,
    /// HMAC-SHA256(key, message).
    pub signature: [u8; 32],
}

impl std::fmt::Debug for ClaimTranscript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimTranscript")
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}
