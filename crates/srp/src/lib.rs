//! Amazon Cognito's SRP: the maths behind `USER_SRP_AUTH`, `DEVICE_SRP_AUTH` and
//! `ConfirmDevice`, client and server, byte-exact with real Cognito.
//!
//! No I/O and no async: this crate turns challenge parameters into challenge
//! responses (and, for a server, claims into a verdict). Driving InitiateAuth and
//! RespondToAuthChallenge is `cognito-auth-flows`' job.
//!
//! # Protocol
//!
//! `H` is SHA-256, `‖` concatenation, `pad(n)` Java's `BigInteger.toByteArray()`
//! (minimal two's complement). N is the RFC 5054 3072-bit prime, g = 2.
//!
//! | step | client | | server |
//! |---|---|---|---|
//! | | `k = H(pad(N) ‖ pad(g))` | | `k = H(pad(N) ‖ pad(g))` |
//! | | | | stores `salt`, `v = g^x`; refuses `v mod N = 0` |
//! | 1 | `a` = 128 random bytes, `A = g^a` | `USERNAME, SRP_A →` | abort if `A mod N = 0`; keep A with the login |
//! | 2 | | `← SALT, SRP_B, SECRET_BLOCK, USERNAME, USER_ID_FOR_SRP` | `b` random, `B = k·v + g^b` |
//! | 3 | abort if `B mod N = 0`; `u = H(pad(A) ‖ pad(B))`, abort if `u = 0` | | `u = H(pad(A) ‖ pad(B))` |
//! | 4 | `x = H(pad(salt) ‖ H(pool ‖ USER_ID_FOR_SRP ‖ ":" ‖ password))` | | |
//! | 5 | `S = (B − k·g^x)^(a + u·x)` | | `S = (A·v^u)^b` |
//! | 6 | `K = HKDF(salt = pad(u), ikm = pad(S), "Caldera Derived Key")[..16]` | | same `K` |
//! | 7 | `M = HMAC(K, pool ‖ USER_ID_FOR_SRP ‖ SECRET_BLOCK ‖ TIMESTAMP)` | `USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, PASSWORD_CLAIM_SIGNATURE →` | recompute `M`, compare in constant time |
//!
//! `pool` is the pool name, the part of the pool id after `_`. The device flow is the
//! same with `(DeviceGroupKey, DeviceKey, device password)` in place of `(pool,
//! USER_ID_FOR_SRP, password)`. TIMESTAMP is `EEE MMM d HH:mm:ss 'UTC' yyyy` in
//! English, day not zero-padded, 24-hour clock. SECRET_HASH, where the app client
//! has a secret, is `base64(HMAC(client secret, USERNAME ‖ client id))` over the
//! USERNAME sent in that same request.
//!
//! # Client
//!
//! ```
//! use cognito_auth_srp::{AppClient, FixedClock, PoolId, UserSrpClient};
//! use secrecy::SecretString;
//! # use cognito_auth_srp::{ClientPublic, PasswordVerifier, ServerChallenge};
//! # fn main() -> Result<(), cognito_auth_srp::Error> {
//! let pool = PoolId::parse("us-east-1_AbCdEf123")?;
//! let client = UserSrpClient::new(pool.clone(), AppClient::new("3n4b5urk1ft4fl3mg5e62d9ado"))?;
//!
//! // InitiateAuth(AuthFlow = USER_SRP_AUTH, AuthParameters = this)
//! let auth_parameters = client.initiate_auth_parameters("alice", None);
//! assert_eq!(auth_parameters["SRP_A"], client.srp_a());
//!
//! // ... Cognito answers PASSWORD_VERIFIER with ChallengeParameters:
//! # let password = SecretString::from("Password1!");
//! # let verifier = PasswordVerifier::for_user(&pool, "alice", &password)?;
//! # let server = ServerChallenge::new(&verifier, ClientPublic::parse(&client.srp_a())?)?;
//! # let (salt, srp_b) = (server.salt(), server.srp_b());
//! let challenge_parameters = [
//!     ("SALT", salt.as_str()),
//!     ("SRP_B", srp_b.as_str()),
//!     ("SECRET_BLOCK", "c2VjcmV0IGJsb2Nr"),
//!     ("USERNAME", "alice"),
//!     ("USER_ID_FOR_SRP", "alice"),
//! ];
//! let clock = FixedClock(1_739_212_212); // or SystemClock
//! let responses = client.password_verifier_responses(
//!     &challenge_parameters[..],
//!     &SecretString::from("Password1!"),
//!     None,
//!     &clock,
//! )?;
//! assert_eq!(responses["TIMESTAMP"], "Mon Feb 10 18:30:12 UTC 2025");
//! // RespondToAuthChallenge(ChallengeName = PASSWORD_VERIFIER, ChallengeResponses = responses)
//! # Ok(()) }
//! ```
//!
//! # Server
//!
//! ```
//! use cognito_auth_srp::{
//!     AppClient, ClientPublic, FixedClock, PasswordClaim, PasswordVerifier, PoolId,
//!     ServerChallenge, UserSrpClient,
//! };
//! use secrecy::SecretString;
//! # fn main() -> Result<(), cognito_auth_srp::Error> {
//! let pool = PoolId::parse("eu-west-1_Example12")?;
//! let password = SecretString::from("correct horse");
//!
//! // At sign-up: store the salt and verifier, never the password. Keeping three
//! // powers of v beside it (`precomputed_bytes`, read back with
//! // `with_precomputed_bytes`) makes every later login about a fifth cheaper.
//! let mut verifier = PasswordVerifier::for_user(&pool, "bob", &password)?;
//! verifier.precompute();
//! let stored = (verifier.salt_bytes(), verifier.verifier_bytes(), verifier.precomputed_bytes());
//! # let _ = stored;
//!
//! // InitiateAuth arrives with SRP_A: check it, keep it with b, answer with SALT
//! // and SRP_B.
//! let client = UserSrpClient::new(pool.clone(), AppClient::new("client"))?;
//! let srp_a = ClientPublic::parse(&client.srp_a())?;
//! let server = ServerChallenge::new(&verifier, srp_a)?;
//! let (salt, srp_b) = (server.salt(), server.srp_b());
//! let params = [
//!     ("SALT", salt.as_str()),
//!     ("SRP_B", srp_b.as_str()),
//!     ("SECRET_BLOCK", "AAEC"),
//!     ("USER_ID_FOR_SRP", "bob"),
//! ];
//! let responses =
//!     client.password_verifier_responses(&params[..], &password, None, &FixedClock(0))?;
//!
//! // RespondToAuthChallenge arrives: check the claim against the A bound above.
//! let claim = PasswordClaim {
//!     secret_block: &responses["PASSWORD_CLAIM_SECRET_BLOCK"],
//!     timestamp: &responses["TIMESTAMP"],
//!     signature: &responses["PASSWORD_CLAIM_SIGNATURE"],
//! };
//! let signed_at = server.verify_user_claim(&pool, "bob", &claim)?;
//! assert_eq!(signed_at.unix_seconds, 0);
//! # Ok(()) }
//! ```
//!
//! # Secrets
//!
//! Passwords travel as [`secrecy::SecretString`]. The ephemeral a, x, S and the
//! session key live in fixed-size buffers that are zeroized on drop; no `Debug`
//! output shows them.
//!
//! # Arithmetic, and the one module with `unsafe`
//!
//! Every computation on a secret runs in constant time (no branch, memory address
//! or loop bound depends on it), on one of two Montgomery cores that compute the
//! same values:
//!
//! - on x86-64 CPUs with BMI2 and ADX, inline assembly with MULX, ADCX and ADOX
//!   (two carry chains, as GMP and OpenSSL use on these CPUs), chosen at run time
//!   from the CPU's feature bits. It lives in one private module,
//!   `arith::mulx_adx`: the only `unsafe` code of this crate, each block with its
//!   SAFETY argument, reachable only through a token that feature detection makes.
//!   Every other module is `forbid(unsafe_code)`;
//! - everywhere else, and on request ([`hazmat::select_core`]), portable Rust.
//!
//! `scripts/ctgrind` checks both under valgrind memcheck with the secrets marked
//! undefined; a differential fuzz target compares them (`docs/constant-time.md`).

// `deny`, not `forbid`, here and in `arith`: one module, `arith::mulx_adx`, holds
// inline assembly. Every other module of this crate is `forbid(unsafe_code)`.
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod arith;
mod client;
mod device;
mod encoding;
mod error;
pub mod group;
mod pool;
mod protocol;
mod secret_hash;
mod server;
mod timestamp;

pub use client::{
    ChallengeParameters, DeviceSrpClient, Parameters, RememberedDevice, UserSrpClient,
};
pub use device::{
    DeviceRegistration, DeviceSecretVerifierConfig, register_device, register_device_with,
};
pub use encoding::{WireInt, hex_minimal, pad_unsigned};
pub use error::Error;
pub use pool::PoolId;
pub use protocol::ClaimTranscript;
pub use secret_hash::{AppClient, secret_hash};
pub use server::{ClientPublic, PasswordClaim, PasswordVerifier, ServerChallenge};
pub use timestamp::{
    Clock, FixedClock, ParsedTimestamp, SystemClock, format_timestamp, parse_timestamp,
};

/// Low-level steps, exposed for checking test vectors and debugging interop. The
/// values they return are secrets; nothing here is needed to sign in.
pub mod hazmat {
    use zeroize::Zeroizing;

    pub use crate::arith::Core;
    #[cfg(target_arch = "x86_64")]
    #[doc(hidden)]
    pub use crate::arith::assume_adx;
    use crate::arith::{self, Exponent, Residue, SpacedPowers};
    use crate::encoding::WireInt;
    use crate::protocol::{self, Identity};

    /// The multiplication core this process uses: [`Core::MulxAdx`] where the CPU
    /// has BMI2 and ADX, else [`Core::Portable`].
    pub fn core() -> Core {
        arith::core()
    }

    /// Switches the whole process to `core` (for tests, the constant-time check,
    /// differential fuzzing and benchmarks); returns false, changing nothing, when
    /// this CPU cannot run it. Results never depend on the core, only speed does.
    pub fn select_core(core: Core) -> bool {
        arith::select_core(core)
    }

    /// `a·b mod N` as 384 big-endian bytes, for big-endian `a` and `b` of any
    /// length (each reduced mod N first): two Montgomery products on the selected
    /// core, with operands the caller chooses (the differential fuzz target's
    /// way into the core).
    pub fn mul_mod(a: &[u8], b: &[u8]) -> Zeroizing<[u8; 384]> {
        let a = Residue::from_be_bytes_mod_n(a);
        let b = Residue::from_be_bytes_mod_n(b);
        Zeroizing::new(a.mul(&b).to_be_bytes())
    }

    /// `H(realm ‖ name ‖ ":" ‖ password)`: realm and name are (pool name,
    /// USER_ID_FOR_SRP) for users, (DeviceGroupKey, DeviceKey) for devices.
    pub fn identity_hash(realm: &str, name: &str, password: &[u8]) -> Zeroizing<[u8; 32]> {
        protocol::identity_hash(Identity { realm, name }, password)
    }

    /// `x = H(pad(salt) ‖ identity_hash)`.
    pub fn private_x(salt: &WireInt, identity_hash: &[u8; 32]) -> Zeroizing<[u8; 32]> {
        protocol::private_x(salt, identity_hash)
    }

    /// `pad(g^x mod N)` for a 32-byte x.
    pub fn verifier(x: &[u8; 32]) -> Vec<u8> {
        let v = protocol::verifier(&protocol::exponent_from_digest(x));
        crate::encoding::pad_unsigned(&v.to_be_bytes())
    }

    /// `A = g^a mod N` as 384 big-endian bytes, for `a` of at most 128 bytes.
    pub fn client_public(a: &[u8]) -> Option<[u8; 384]> {
        let a = Exponent::<16>::from_be_bytes(a)?;
        Some(arith::g_pow(&a).to_be_bytes())
    }

    /// The client's `S = (B − k·g^x)^(a + u·x) mod N` as 384 big-endian bytes.
    /// `None` when `a` is longer than 128 bytes.
    pub fn client_premaster(
        a: &[u8],
        b_public: &[u8],
        u: &[u8; 32],
        x: &[u8; 32],
    ) -> Option<Zeroizing<[u8; 384]>> {
        let a = Exponent::<16>::from_be_bytes(a)?;
        let b = Residue::from_be_bytes_mod_n(b_public);
        let x = protocol::exponent_from_digest(x);
        Some(Zeroizing::new(
            protocol::client_premaster(&a, &b, u, &x).to_be_bytes(),
        ))
    }

    /// v^(2^64), v^(2^128) and v^(2^192) as 3 × 384 big-endian bytes, as
    /// [`crate::PasswordVerifier::precomputed_bytes`] keeps them.
    pub fn verifier_powers(verifier: &[u8]) -> Zeroizing<Vec<u8>> {
        let v = Residue::from_be_bytes_mod_n(verifier);
        Zeroizing::new(SpacedPowers::of(&v).to_be_bytes())
    }

    /// [`server_premaster`] with `v^u` from the verifier's kept powers
    /// ([`verifier_powers`]), as a server that keeps them computes it. `None` when
    /// `b` is longer than 128 bytes or the powers are not 3 × 384 bytes.
    pub fn server_premaster_with_powers(
        a_public: &[u8],
        verifier: &[u8],
        powers: &[u8],
        u: &[u8; 32],
        b: &[u8],
    ) -> Option<Zeroizing<[u8; 384]>> {
        let b = Exponent::<16>::from_be_bytes(b)?;
        let powers = SpacedPowers::from_be_bytes(powers)?;
        let a = Residue::from_be_bytes_mod_n(a_public);
        let v = Residue::from_be_bytes_mod_n(verifier);
        Some(Zeroizing::new(
            protocol::server_premaster(&a, &v, Some(&powers), u, &b).to_be_bytes(),
        ))
    }

    /// The server's `S = (A · v^u)^b mod N` as 384 big-endian bytes. `None` when
    /// `b` is longer than 128 bytes.
    pub fn server_premaster(
        a_public: &[u8],
        verifier: &[u8],
        u: &[u8; 32],
        b: &[u8],
    ) -> Option<Zeroizing<[u8; 384]>> {
        let b = Exponent::<16>::from_be_bytes(b)?;
        let a = Residue::from_be_bytes_mod_n(a_public);
        let v = Residue::from_be_bytes_mod_n(verifier);
        Some(Zeroizing::new(
            protocol::server_premaster(&a, &v, None, u, &b).to_be_bytes(),
        ))
    }
}
