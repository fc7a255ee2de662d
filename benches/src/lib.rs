//! The operations benchmarked by `benches/srp.rs` and counted by the
//! `callgrind-ops` binary, shared so both measure exactly the same code on exactly
//! the same inputs.
//!
//! An [`Op`] is one step of a sign-in (g^a, g^x, the client's S, a whole client
//! claim, a device verifier, the server's B, the server's verification); an
//! [`Impl`] is who computes it: this workspace's `cognito-auth-srp` (through its
//! public API and [`cognito_auth_srp::hazmat`]) and, with the feature `compare`,
//! num-bigint, crypto-bigint, GMP (through `rug`, variable-time `mpz_powm` and
//! constant-time `mpz_powm_sec`) and the crates `aws-cognito-srp` and `cognito_srp`.
//!
//! [`cases`] builds, for one fixture, a closure per (op, implementation) pair that
//! the implementation supports. Each closure returns its result, normalised so
//! that the results of one op can be compared across implementations
//! ([`check`]).

#![allow(
    clippy::expect_used,
    reason = "bench fixtures: a failure is a bug to see at once"
)]

pub mod inputs;
mod ours;
#[cfg(feature = "compare")]
mod reference;

/// One measured operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// `A = g^a mod N`, a of 1024 bits.
    GPowA,
    /// `v = g^x mod N`, x of 256 bits.
    GPowX,
    /// The client's `S = (B − k·g^x)^(a + u·x) mod N` (including g^x).
    ClientPremaster,
    /// A whole PASSWORD_VERIFIER claim from the challenge parameters, including A.
    WholeClaim,
    /// ConfirmDevice's verifier: x from the device password, then g^x.
    DeviceVerifier,
    /// The server's `B = k·v + g^b mod N` for a 256-bit b.
    ServerB,
    /// The same B through `ServerChallenge::with_secret` with a fixed 32-byte b
    /// (ours only), to compare with `new`.
    ServerBWithSecret,
    /// The server's check of a claim: `S = (A·v^u)^b mod N`, key, HMAC, compare.
    ServerVerify,
    /// The same check with the verifier's powers kept
    /// (`PasswordVerifier::precompute`, as the emulator stores them; ours only).
    ServerVerifyKept,
}

impl Op {
    /// Every op, in table order.
    pub const ALL: [Op; 9] = [
        Op::GPowA,
        Op::GPowX,
        Op::ClientPremaster,
        Op::WholeClaim,
        Op::DeviceVerifier,
        Op::ServerB,
        Op::ServerBWithSecret,
        Op::ServerVerify,
        Op::ServerVerifyKept,
    ];

    /// The criterion group name.
    pub fn name(self) -> &'static str {
        match self {
            Op::GPowA => "g_pow_a",
            Op::GPowX => "g_pow_x",
            Op::ClientPremaster => "client_premaster",
            Op::WholeClaim => "whole_claim",
            Op::DeviceVerifier => "device_verifier",
            Op::ServerB => "server_b",
            Op::ServerBWithSecret => "server_b_with_secret",
            Op::ServerVerify => "server_verify",
            Op::ServerVerifyKept => "server_verify_kept",
        }
    }

    /// The op named `name`.
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }
}

/// Who computes an op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Impl {
    /// `cognito-auth-srp`, this workspace, on the core it picks for this CPU.
    Ours,
    /// `cognito-auth-srp` held to its portable core (`hazmat::select_core`).
    OursPortable,
    /// num-bigint's `modpow`.
    NumBigint,
    /// crypto-bigint's constant-time `FixedMontyForm::pow` on `U3072`.
    CryptoBigint,
    /// GMP `mpz_powm` (variable time) through `rug::Integer::pow_mod`.
    GmpPowMod,
    /// GMP `mpz_powm_sec` (constant time) through `rug::Integer::secure_pow_mod`.
    GmpSecurePowMod,
    /// GMP 6.3 `mpz_powm` built for this CPU by `scripts/tuned-gmp` (only in a
    /// build with `COGNITO_AUTH_TUNED_GMP` set): the baseline the headline ratios
    /// are taken against.
    TunedGmpPowMod,
    /// OpenSSL's constant-time `BN_mod_exp_mont_consttime` (system libcrypto).
    OpenSslConstTime,
    /// The crate `aws-cognito-srp` (whole claim only).
    AwsCognitoSrp,
    /// The crate `cognito_srp` (whole claim only).
    CognitoSrp,
}

impl Impl {
    /// Every implementation, in table order.
    pub const ALL: [Impl; 10] = [
        Impl::Ours,
        Impl::OursPortable,
        Impl::TunedGmpPowMod,
        Impl::GmpPowMod,
        Impl::GmpSecurePowMod,
        Impl::OpenSslConstTime,
        Impl::NumBigint,
        Impl::CryptoBigint,
        Impl::AwsCognitoSrp,
        Impl::CognitoSrp,
    ];

    /// The criterion benchmark id.
    pub fn name(self) -> &'static str {
        match self {
            Impl::Ours => "ours",
            Impl::OursPortable => "ours-portable",
            Impl::NumBigint => "num-bigint",
            Impl::CryptoBigint => "crypto-bigint",
            Impl::GmpPowMod => "gmp-pow_mod",
            Impl::GmpSecurePowMod => "gmp-secure_pow_mod",
            Impl::TunedGmpPowMod => "gmp-tuned-pow_mod",
            Impl::OpenSslConstTime => "openssl-consttime",
            Impl::AwsCognitoSrp => "aws-cognito-srp",
            Impl::CognitoSrp => "cognito_srp",
        }
    }

    /// The implementation named `name`.
    pub fn from_name(name: &str) -> Option<Impl> {
        Impl::ALL.into_iter().find(|imp| imp.name() == name)
    }
}

/// A runnable (op, implementation) pair.
pub struct Case {
    /// The op.
    pub op: Op,
    /// Who computes it.
    pub imp: Impl,
    /// Whether the result depends only on the fixed inputs (false where the
    /// implementation draws its own randomness, so the result cannot be compared).
    pub deterministic: bool,
    /// Runs the op once and returns its normalised result.
    pub run: Box<dyn Fn() -> Vec<u8>>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("op", &self.op)
            .field("imp", &self.imp)
            .field("deterministic", &self.deterministic)
            .finish_non_exhaustive()
    }
}

impl Case {
    pub(crate) fn new(
        op: Op,
        imp: Impl,
        deterministic: bool,
        run: impl Fn() -> Vec<u8> + 'static,
    ) -> Self {
        Self {
            op,
            imp,
            deterministic,
            run: Box::new(run),
        }
    }
}

/// Every case this build supports, ours first.
pub fn cases() -> Vec<Case> {
    #[allow(unused_mut, reason = "extended only with the feature `compare`")]
    let mut all = ours::cases();
    #[cfg(feature = "compare")]
    all.extend(reference::cases());
    all
}

/// The one case for (op, imp), if this build has it.
pub fn case(op: Op, imp: Impl) -> Option<Case> {
    cases().into_iter().find(|c| c.op == op && c.imp == imp)
}

/// The normalised result every deterministic case of `op` must return: the
/// vector constants in [`inputs`], never a value computed by the code measured.
pub fn expected(op: Op) -> Vec<u8> {
    use inputs::*;
    match op {
        Op::GPowA => hex(EXPECTED_SRP_A),
        Op::GPowX => hex(VERIFIER_HEX),
        Op::ClientPremaster => hex(EXPECTED_S),
        Op::WholeClaim => EXPECTED_SIGNATURE.as_bytes().to_vec(),
        Op::DeviceVerifier => EXPECTED_DEVICE_VERIFIER.as_bytes().to_vec(),
        Op::ServerB | Op::ServerBWithSecret => hex(EXPECTED_SERVER_B_FIXED),
        // The claim made against the server's own B verifies.
        Op::ServerVerify | Op::ServerVerifyKept => vec![1],
    }
}

/// Runs every case once and checks that each deterministic result equals the
/// vectors' ([`expected`]), so all implementations agree with the vectors and
/// with each other. Returns the number of cases, or a description of the first
/// disagreement.
pub fn check() -> Result<usize, String> {
    let all = cases();
    for case in all.iter().filter(|c| c.deterministic) {
        if (case.run)() != expected(case.op) {
            return Err(format!(
                "{}: {} disagrees with the vectors",
                case.op.name(),
                case.imp.name()
            ));
        }
    }
    Ok(all.len())
}

/// Lowercase hex to bytes (odd length allowed). Panics on bad input: only used on
/// the constants in [`inputs`].
pub fn hex(text: &str) -> Vec<u8> {
    let padded = if text.len() % 2 == 1 {
        format!("0{text}")
    } else {
        text.to_owned()
    };
    (0..padded.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&padded[i..i + 2], 16).expect("hex constant"))
        .collect()
}

/// Big-endian bytes without leading zeros: the normal form results are compared in.
pub fn strip(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_agrees_with_the_vectors() {
        let n = check().unwrap();
        assert!(n >= Op::ALL.len());
        // Only ours' ServerB draws its own b; every other op is compared.
        let compared: std::collections::BTreeSet<Op> = cases()
            .iter()
            .filter(|c| c.deterministic)
            .map(|c| c.op)
            .collect();
        let all_but_server_b: std::collections::BTreeSet<Op> = Op::ALL
            .into_iter()
            .filter(|op| *op != Op::ServerB)
            .collect();
        assert!(compared.is_superset(&all_but_server_b), "{compared:?}");
    }

    #[test]
    fn names_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(op));
        }
        for imp in Impl::ALL {
            assert_eq!(Impl::from_name(imp.name()), Some(imp));
        }
    }
}
