//! The same operations with other arithmetic (num-bigint, crypto-bigint, GMP) and
//! with the other Cognito SRP crates.
//!
//! The protocol around the arithmetic (hex and base64 parsing, the hashes, HKDF,
//! HMAC) is one generic implementation over [`ModArith`], written like ours, so the
//! differences measured are the arithmetic's. Each backend precomputes N, g and k
//! in its own representation outside the measurement, as ours has them as
//! constants.

use std::hint::black_box;
use std::rc::Rc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_auth_srp::group::{N_HEX, k as k_bytes};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::inputs::*;

#[path = "native.rs"]
mod native;
use crate::{Case, Impl, Op, hex, strip};

/// The modular arithmetic a backend supplies. Inputs and outputs are big-endian
/// bytes; outputs may carry leading zeros.
trait ModArith {
    /// `g^e mod N`. `e` is 32 bytes (x, b) or 128 bytes (a).
    fn g_pow(&self, e: &[u8]) -> Vec<u8>;
    /// The client's `S = (B − k·g^x)^(a + u·x) mod N`.
    fn client_premaster(&self, a: &[u8], b_public: &[u8], u: &[u8], x: &[u8]) -> Vec<u8>;
    /// The server's `B = k·v + g^b mod N`.
    fn server_public(&self, v: &[u8], b: &[u8]) -> Vec<u8>;
    /// The server's `S = (A·v^u)^b mod N`.
    fn server_premaster(&self, a_public: &[u8], v: &[u8], u: &[u8], b: &[u8]) -> Vec<u8>;
    /// Whether `value mod N == 0`.
    fn is_zero_mod_n(&self, value: &[u8]) -> bool;
}

// ---------------------------------------------------------------------------
// The protocol, generic over the arithmetic.

/// Java `BigInteger.toByteArray()` of a non-negative integer.
fn pad(big_endian: &[u8]) -> Vec<u8> {
    let mut out = strip(big_endian);
    if out.first().is_none_or(|b| *b >= 0x80) {
        out.insert(0, 0);
    }
    out
}

/// Hex to bytes, odd length allowed; `None` on anything else.
fn parse_hex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(hex(text))
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn session_key(u: &[u8], premaster: &[u8]) -> [u8; 16] {
    let mut key = [0u8; 16];
    Hkdf::<Sha256>::new(Some(&pad(u)), &pad(premaster))
        .expand(b"Caldera Derived Key", &mut key)
        .expect("16 bytes is a valid HKDF length");
    key
}

fn signature(
    key: &[u8],
    realm: &str,
    name: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(realm.as_bytes());
    mac.update(name.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().into()
}

fn lower_hex(bytes: &[u8]) -> String {
    strip(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Inputs shared by the generic protocol functions.
struct Fixture {
    pool_name: &'static str,
    a: Vec<u8>,
    u: Vec<u8>,
    x: Vec<u8>,
    b_public: Vec<u8>,
    verifier: Vec<u8>,
    server_secret: Vec<u8>,
    device_password: Vec<u8>,
    device_salt: Vec<u8>,
    login: crate::ours::FixedLogin,
}

impl Fixture {
    fn new() -> Self {
        let server_secret = hex(SERVER_B_SECRET_HEX);
        Self {
            pool_name: POOL_ID.split_once('_').expect("pool id").1,
            a: hex(A_HEX),
            u: hex(U_HEX),
            x: hex(X_HEX),
            b_public: hex(SRP_B_HEX),
            verifier: hex(VERIFIER_HEX),
            device_password: hex(DEVICE_PASSWORD_BYTES_HEX),
            device_salt: hex(DEVICE_SALT_BYTES_HEX),
            login: crate::ours::FixedLogin::new(&server_secret),
            server_secret,
        }
    }
}

/// A whole PASSWORD_VERIFIER claim: SRP_A, then the signature.
fn claim<M: ModArith>(m: &M, f: &Fixture) -> Vec<u8> {
    let salt = parse_hex(black_box(SALT_HEX)).expect("SALT");
    let b_public = parse_hex(black_box(SRP_B_HEX)).expect("SRP_B");
    let secret_block = BASE64.decode(SECRET_BLOCK).expect("SECRET_BLOCK");
    assert!(!m.is_zero_mod_n(&b_public), "B mod N == 0");
    let a_public = m.g_pow(&f.a);
    black_box(lower_hex(&a_public)); // SRP_A, as InitiateAuth sends it
    let u = sha256(&[&pad(&a_public), &pad(&b_public)]);
    assert!(u != [0; 32], "u == 0");
    let identity = sha256(&[
        f.pool_name.as_bytes(),
        USERNAME.as_bytes(),
        b":",
        PASSWORD.as_bytes(),
    ]);
    let x = sha256(&[&pad(&salt), &identity]);
    let premaster = m.client_premaster(&f.a, &b_public, &u, &x);
    let key = session_key(&u, &premaster);
    let sig = signature(&key, f.pool_name, USERNAME, &secret_block, TIMESTAMP);
    BASE64.encode(sig).into_bytes()
}

/// ConfirmDevice's PasswordVerifier (base64) from the device password and salt.
fn device_verifier<M: ModArith>(m: &M, f: &Fixture) -> Vec<u8> {
    let password = BASE64.encode(&f.device_password);
    let identity = sha256(&[
        DEVICE_GROUP_KEY.as_bytes(),
        DEVICE_KEY.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    let x = sha256(&[&pad(&f.device_salt), &identity]);
    let v = m.g_pow(&x);
    black_box(BASE64.encode(pad(&f.device_salt)));
    BASE64.encode(pad(&v)).into_bytes()
}

/// The server's check of a PASSWORD_VERIFIER claim for the fixed 256-bit b.
fn server_verify<M: ModArith>(m: &M, f: &Fixture) -> Vec<u8> {
    let login = &f.login;
    let secret_block = BASE64.decode(&login.secret_block).expect("secret block");
    let presented = BASE64.decode(&login.signature).expect("signature");
    let a_public = parse_hex(&login.srp_a).expect("SRP_A");
    assert!(!m.is_zero_mod_n(&a_public), "A mod N == 0");
    let u = sha256(&[&pad(&a_public), &pad(&login.srp_b)]);
    let premaster = m.server_premaster(&a_public, &f.verifier, &u, &f.server_secret);
    let key = session_key(&u, &premaster);
    let expected = signature(&key, f.pool_name, USERNAME, &secret_block, &login.timestamp);
    vec![u8::from(expected.as_slice() == presented.as_slice())]
}

fn backend_cases<M: ModArith + 'static>(imp: Impl, m: M, f: &Rc<Fixture>) -> Vec<Case> {
    let m = Rc::new(m);
    let mut cases = Vec::new();
    let (mm, ff) = (m.clone(), f.clone());
    cases.push(Case::new(Op::GPowA, imp, true, move || {
        strip(&mm.g_pow(black_box(&ff.a)))
    }));
    let (mm, ff) = (m.clone(), f.clone());
    cases.push(Case::new(Op::GPowX, imp, true, move || {
        strip(&mm.g_pow(black_box(&ff.x)))
    }));
    let (mm, ff) = (m.clone(), f.clone());
    cases.push(Case::new(Op::ClientPremaster, imp, true, move || {
        strip(&mm.client_premaster(black_box(&ff.a), &ff.b_public, &ff.u, &ff.x))
    }));
    let (mm, ff) = (m.clone(), f.clone());
    cases.push(Case::new(Op::WholeClaim, imp, true, move || {
        claim(&*mm, &ff)
    }));
    let (mm, ff) = (m.clone(), f.clone());
    cases.push(Case::new(Op::DeviceVerifier, imp, true, move || {
        device_verifier(&*mm, &ff)
    }));
    let (mm, ff) = (m.clone(), f.clone());
    cases.push(Case::new(Op::ServerB, imp, true, move || {
        strip(&mm.server_public(black_box(&ff.verifier), &ff.server_secret))
    }));
    let (mm, ff) = (m, f.clone());
    cases.push(Case::new(Op::ServerVerify, imp, true, move || {
        server_verify(&*mm, &ff)
    }));
    cases
}

pub(crate) fn cases() -> Vec<Case> {
    let f = Rc::new(Fixture::new());
    let mut cases = Vec::new();
    cases.extend(backend_cases(Impl::GmpPowMod, gmp::Gmp::new(false), &f));
    cases.extend(backend_cases(
        Impl::GmpSecurePowMod,
        gmp::Gmp::new(true),
        &f,
    ));
    #[cfg(tuned_gmp)]
    cases.extend(backend_cases(
        Impl::TunedGmpPowMod,
        native::TunedGmp::new(),
        &f,
    ));
    cases.extend(backend_cases(
        Impl::OpenSslConstTime,
        native::OpenSslConstTime::new(),
        &f,
    ));
    cases.extend(backend_cases(Impl::NumBigint, num::NumBigint::new(), &f));
    cases.extend(backend_cases(
        Impl::CryptoBigint,
        cb::CryptoBigint::new(),
        &f,
    ));
    cases.extend(peers::cases());
    cases
}

// ---------------------------------------------------------------------------
// Backends.

mod num {
    use num_bigint::BigUint;

    use super::ModArith;
    use crate::hex;

    pub(super) struct NumBigint {
        n: BigUint,
        g: BigUint,
        k: BigUint,
    }

    impl NumBigint {
        pub(super) fn new() -> Self {
            Self {
                n: BigUint::from_bytes_be(&hex(super::N_HEX)),
                g: BigUint::from(2u32),
                k: BigUint::from_bytes_be(&super::k_bytes()),
            }
        }
    }

    fn int(bytes: &[u8]) -> BigUint {
        BigUint::from_bytes_be(bytes)
    }

    impl ModArith for NumBigint {
        fn g_pow(&self, e: &[u8]) -> Vec<u8> {
            self.g.modpow(&int(e), &self.n).to_bytes_be()
        }

        fn client_premaster(&self, a: &[u8], b_public: &[u8], u: &[u8], x: &[u8]) -> Vec<u8> {
            let x = int(x);
            let k_gx = (&self.k * self.g.modpow(&x, &self.n)) % &self.n;
            let base = (int(b_public) % &self.n + &self.n - k_gx) % &self.n;
            let exponent = int(a) + int(u) * x;
            base.modpow(&exponent, &self.n).to_bytes_be()
        }

        fn server_public(&self, v: &[u8], b: &[u8]) -> Vec<u8> {
            ((&self.k * int(v) + self.g.modpow(&int(b), &self.n)) % &self.n).to_bytes_be()
        }

        fn server_premaster(&self, a_public: &[u8], v: &[u8], u: &[u8], b: &[u8]) -> Vec<u8> {
            let v_u = int(v).modpow(&int(u), &self.n);
            ((int(a_public) * v_u) % &self.n)
                .modpow(&int(b), &self.n)
                .to_bytes_be()
        }

        fn is_zero_mod_n(&self, value: &[u8]) -> bool {
            int(value) % &self.n == BigUint::default()
        }
    }
}

mod gmp {
    use rug::Integer;
    use rug::integer::Order;

    use super::ModArith;
    use crate::hex;

    /// GMP: `mpz_powm` when `secure` is false, `mpz_powm_sec` when true.
    pub(super) struct Gmp {
        n: Integer,
        g: Integer,
        k: Integer,
        secure: bool,
    }

    impl Gmp {
        pub(super) fn new(secure: bool) -> Self {
            Self {
                n: int(&hex(super::N_HEX)),
                g: Integer::from(2),
                k: int(&super::k_bytes()),
                secure,
            }
        }

        fn pow(&self, base: &Integer, exponent: &Integer) -> Integer {
            if self.secure {
                Integer::from(base.secure_pow_mod_ref(exponent, &self.n))
            } else {
                Integer::from(
                    base.pow_mod_ref(exponent, &self.n)
                        .expect("non-negative exponent"),
                )
            }
        }

        fn reduce(&self, value: Integer) -> Integer {
            // Non-negative operands only, so truncating `%` is the residue.
            value % &self.n
        }
    }

    fn int(bytes: &[u8]) -> Integer {
        Integer::from_digits(bytes, Order::Msf)
    }

    fn bytes(value: &Integer) -> Vec<u8> {
        value.to_digits::<u8>(Order::Msf)
    }

    impl ModArith for Gmp {
        fn g_pow(&self, e: &[u8]) -> Vec<u8> {
            bytes(&self.pow(&self.g, &int(e)))
        }

        fn client_premaster(&self, a: &[u8], b_public: &[u8], u: &[u8], x: &[u8]) -> Vec<u8> {
            let x = int(x);
            let k_gx = self.reduce(Integer::from(&self.k * &self.pow(&self.g, &x)));
            let base = self.reduce(self.reduce(int(b_public)) + &self.n - k_gx);
            let exponent = int(a) + int(u) * x;
            bytes(&self.pow(&base, &exponent))
        }

        fn server_public(&self, v: &[u8], b: &[u8]) -> Vec<u8> {
            let g_b = self.pow(&self.g, &int(b));
            bytes(&self.reduce(Integer::from(&self.k * &int(v)) + g_b))
        }

        fn server_premaster(&self, a_public: &[u8], v: &[u8], u: &[u8], b: &[u8]) -> Vec<u8> {
            let v_u = self.pow(&int(v), &int(u));
            let base = self.reduce(int(a_public) * v_u);
            bytes(&self.pow(&base, &int(b)))
        }

        fn is_zero_mod_n(&self, value: &[u8]) -> bool {
            self.reduce(int(value)) == 0
        }
    }
}

mod cb {
    use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
    use crypto_bigint::{Odd, U256, U1024, U3072, Uint};

    use super::ModArith;
    use crate::hex;

    const LIMBS: usize = U3072::LIMBS;
    /// a + u·x has at most 1025 bits: 17 limbs.
    type Exponent = Uint<17>;

    /// crypto-bigint's constant-time Montgomery exponentiation, fixed 3072-bit
    /// width, exponents as fixed-width `Uint`s (256 bits for x, u, b; 1024 for a).
    pub(super) struct CryptoBigint {
        params: FixedMontyParams<LIMBS>,
        g: FixedMontyForm<LIMBS>,
        k: FixedMontyForm<LIMBS>,
    }

    /// A big-endian integer of at most `L` limbs.
    fn uint<const L: usize>(bytes: &[u8]) -> Uint<L> {
        let bytes = crate::strip(bytes);
        let mut buf = vec![0u8; Uint::<L>::BYTES];
        buf[Uint::<L>::BYTES - bytes.len()..].copy_from_slice(&bytes);
        Uint::<L>::from_be_slice(&buf)
    }

    impl CryptoBigint {
        pub(super) fn new() -> Self {
            let n = Odd::new(uint::<LIMBS>(&hex(super::N_HEX))).expect("N is odd");
            let params = FixedMontyParams::new_vartime(n);
            Self {
                g: FixedMontyForm::new(&U3072::from(2u64), &params),
                k: FixedMontyForm::new(&uint(&super::k_bytes()), &params),
                params,
            }
        }

        fn residue(&self, bytes: &[u8]) -> FixedMontyForm<LIMBS> {
            FixedMontyForm::new(&uint(bytes), &self.params)
        }

        fn out(value: &FixedMontyForm<LIMBS>) -> Vec<u8> {
            value.retrieve().to_be_bytes().as_ref().to_vec()
        }
    }

    impl ModArith for CryptoBigint {
        fn g_pow(&self, e: &[u8]) -> Vec<u8> {
            let power = if e.len() <= 32 {
                self.g.pow(&uint::<{ U256::LIMBS }>(e))
            } else {
                self.g.pow(&uint::<{ U1024::LIMBS }>(e))
            };
            Self::out(&power)
        }

        fn client_premaster(&self, a: &[u8], b_public: &[u8], u: &[u8], x: &[u8]) -> Vec<u8> {
            let x: U256 = uint(x);
            let u: U256 = uint(u);
            let a: U1024 = uint(a);
            let base = self.residue(b_public) - self.k * self.g.pow(&x);
            let (lo, hi) = u.widening_mul(&x);
            let u_x: Exponent = lo.concat(&hi).resize();
            let exponent = a.resize::<17>().wrapping_add(&u_x);
            Self::out(&base.pow(&exponent))
        }

        fn server_public(&self, v: &[u8], b: &[u8]) -> Vec<u8> {
            let b: U256 = uint(b);
            Self::out(&(self.k * self.residue(v) + self.g.pow(&b)))
        }

        fn server_premaster(&self, a_public: &[u8], v: &[u8], u: &[u8], b: &[u8]) -> Vec<u8> {
            let u: U256 = uint(u);
            let b: U256 = uint(b);
            let base = self.residue(a_public) * self.residue(v).pow(&u);
            Self::out(&base.pow(&b))
        }

        fn is_zero_mod_n(&self, value: &[u8]) -> bool {
            self.residue(value).retrieve() == U3072::ZERO
        }
    }
}

// ---------------------------------------------------------------------------
// The other Cognito SRP crates: their whole claim, as a sign-in needs it (SRP_A
// for InitiateAuth, then the PASSWORD_VERIFIER responses). Both draw their own a
// and read the system clock, so their results are not comparable with ours, and
// both compute A a second time inside the claim.

mod peers {
    use std::collections::HashMap;

    use super::*;

    pub(super) fn cases() -> Vec<Case> {
        vec![
            Case::new(Op::WholeClaim, Impl::AwsCognitoSrp, false, || {
                use aws_cognito_srp::{SrpClient, User};
                let client =
                    SrpClient::new(User::new(POOL_ID, USERNAME, PASSWORD), CLIENT_ID, None);
                black_box(client.get_auth_parameters().a);
                let responses = client
                    .verify(SECRET_BLOCK, USERNAME, SALT_HEX, SRP_B_HEX)
                    .expect("aws-cognito-srp claim");
                responses.password_claim_signature.into_bytes()
            }),
            Case::new(Op::WholeClaim, Impl::CognitoSrp, false, || {
                let client =
                    cognito_srp::SrpClient::new(USERNAME, PASSWORD, POOL_ID, CLIENT_ID, None);
                black_box(client.get_auth_params().expect("cognito_srp auth params"));
                let challenge: HashMap<String, String> = [
                    ("SALT", SALT_HEX),
                    ("SRP_B", SRP_B_HEX),
                    ("SECRET_BLOCK", SECRET_BLOCK),
                    ("USERNAME", USERNAME),
                    ("USER_ID_FOR_SRP", USERNAME),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
                let mut responses = client
                    .process_challenge(challenge)
                    .expect("cognito_srp claim");
                responses
                    .remove("PASSWORD_CLAIM_SIGNATURE")
                    .expect("signature")
                    .into_bytes()
            }),
        ]
    }
}
