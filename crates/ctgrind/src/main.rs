//! ctgrind for the SRP core: runs the secret-dependent computations of a Cognito SRP
//! login through `cognito_auth_srp::hazmat` under valgrind memcheck, with the secrets
//! marked undefined. Memcheck then reports every conditional branch, conditional move
//! feeding a branch, and memory address that depends on a secret, and
//! `valgrind --error-exitcode=1` turns any report into a failure.
//!
//! Run it through `scripts/ctgrind`. What is and is not covered: `docs/constant-time.md`.
//!
//! Secrets (marked undefined): the password, the client's ephemeral `a`, the
//! server's ephemeral `b`, the stored verifier `v`, and everything derived from them
//! inside the library (`x`, `a + u·x`, the powers of v a server keeps, the S bases,
//! S itself). Public (left defined):
//! N, g, k, the salt, the identities, B and A as inputs, `u`. Outputs are declassified
//! only once they are public (A) or once the check is done with them (S, compared
//! between client and server to make sure the run computed the right thing).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use cognito_auth_srp::hazmat::Core;
use cognito_auth_srp::{WireInt, group, hazmat, pad_unsigned};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

mod valgrind;

#[cfg(feature = "planted-leak")]
mod leaky;

use valgrind::{declassify, mark_secret};

/// Deterministic filler for the test secrets (the check does not depend on them).
fn bytes<const LEN: usize>(seed: u8) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    let mut state = u32::from(seed).wrapping_mul(0x9e37_79b9) | 1;
    for byte in &mut out {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = (state >> 24) as u8;
    }
    out
}

/// Public values computed up front, with nothing marked.
struct Setup {
    salt: WireInt,
    u: [u8; 32],
    a_public: [u8; 384],
    b_public: Vec<u8>,
    verifier: Vec<u8>,
}

fn setup(password: &[u8], a: &[u8], b: &[u8]) -> Option<Setup> {
    let salt = WireInt::from_unsigned_be(&bytes::<16>(7));
    let identity = hazmat::identity_hash("Example12", "alice", password);
    let x = hazmat::private_x(&salt, &identity);
    let verifier = hazmat::verifier(&x);
    let a_public = hazmat::client_public(a)?;
    // B = k·v + g^b mod N, with num-bigint: public values only.
    let n = BigUint::from_bytes_be(&group::n_bytes());
    let k = BigUint::from_bytes_be(&group::k());
    let v = BigUint::from_bytes_be(&verifier);
    let g_b = BigUint::from(group::G).modpow(&BigUint::from_bytes_be(b), &n);
    let b_public = ((k * v + g_b) % &n).to_bytes_be();
    let mut hasher = Sha256::new();
    hasher.update(pad_unsigned(&a_public));
    hasher.update(pad_unsigned(&b_public));
    let u: [u8; 32] = hasher.finalize().into();
    Some(Setup {
        salt,
        u,
        a_public,
        b_public,
        verifier,
    })
}

fn main() -> ExitCode {
    if !valgrind::have_client_requests() {
        eprintln!("ctgrind: built without valgrind/memcheck.h; install valgrind and rebuild");
        return ExitCode::from(2);
    }
    if !valgrind::running_on_valgrind() {
        eprintln!("ctgrind: not running under valgrind; use scripts/ctgrind");
        return ExitCode::from(2);
    }

    let password = *b"correct horse battery staple";
    let a = bytes::<128>(1);
    let b = bytes::<128>(2);
    let Some(public) = setup(&password, &a, &b) else {
        eprintln!("ctgrind: setup failed");
        return ExitCode::FAILURE;
    };

    // Every core this CPU runs is checked: on x86-64 the MULX/ADX assembly (which
    // valgrind executes) and the portable Rust.
    let mut cores = vec![Core::Portable];
    #[cfg(target_arch = "x86_64")]
    {
        // valgrind hides ADX from the CPUID it emulates but executes ADCX/ADOX;
        // scripts/ctgrind says whether the host has ADX.
        if std::env::var_os("CTGRIND_HOST_HAS_ADX").is_some_and(|v| v == "1") {
            // SAFETY: the host CPU, which valgrind runs this code on, has ADX
            // (scripts/ctgrind read it from /proc/cpuinfo).
            #[allow(unsafe_code, reason = "vouches for ADX, which valgrind hides")]
            unsafe {
                hazmat::assume_adx()
            };
        }
        if !hazmat::select_core(Core::MulxAdx) {
            eprintln!(
                "ctgrind: this CPU (as valgrind reports it) lacks BMI2 or ADX; the MULX/ADX core would go unchecked"
            );
            return ExitCode::FAILURE;
        }
        cores.insert(0, Core::MulxAdx);
    }
    for core in cores {
        if !hazmat::select_core(core) {
            eprintln!("ctgrind: cannot select the {core:?} core");
            return ExitCode::FAILURE;
        }
        println!("ctgrind: {core:?} core");
        if let Err(message) = check(&public, password, a, b) {
            eprintln!("ctgrind: {core:?} core: {message}");
            return ExitCode::FAILURE;
        }
    }
    println!("ctgrind: done");
    ExitCode::SUCCESS
}

/// One pass over the secret computations on the selected core.
fn check(public: &Setup, password: [u8; 28], a: [u8; 128], b: [u8; 128]) -> Result<(), String> {
    // 1. A = g^a: fixed-base comb, 1024-bit secret exponent.
    let secret_a = a;
    mark_secret(&secret_a);
    let Some(a_public) = hazmat::client_public(&secret_a) else {
        return Err("client_public refused a 128-byte a".into());
    };
    declassify(&a_public);
    println!("ctgrind: A = g^a checked");

    // 2. The client's claim up to S: identity hash and x from the secret password
    //    (SHA-256), g^x (256-bit comb), k·g^x, B − k·g^x, a + u·x and the 1025-bit
    //    variable-base exponentiation, with a and the password secret.
    let mut secret_password = password;
    mark_secret(&secret_password);
    let identity = hazmat::identity_hash("Example12", "alice", &secret_password);
    let x = hazmat::private_x(&public.salt, &identity);
    let Some(client_s) = hazmat::client_premaster(&secret_a, &public.b_public, &public.u, &x)
    else {
        return Err("client_premaster refused a 128-byte a".into());
    };
    println!("ctgrind: client S = (B - k·g^x)^(a + u·x) checked");

    // 3. The server's S = (A·v^u)^b with the verifier and b secret.
    let secret_b = b;
    let secret_v = public.verifier.clone();
    mark_secret(&secret_b);
    mark_secret(&secret_v);
    let Some(server_s) =
        hazmat::server_premaster(&public.a_public, &secret_v, &public.u, &secret_b)
    else {
        return Err("server_premaster refused a 128-byte b".into());
    };
    println!("ctgrind: server S = (A·v^u)^b checked");

    // 3b. The same with v^u from the powers a server keeps beside v: computing them
    //     (192 squarings of the secret v), then the comb over them (u public).
    let powers = hazmat::verifier_powers(&secret_v);
    let Some(server_s_kept) = hazmat::server_premaster_with_powers(
        &public.a_public,
        &secret_v,
        &powers,
        &public.u,
        &secret_b,
    ) else {
        return Err("server_premaster_with_powers refused its input".into());
    };
    println!("ctgrind: verifier powers and server S from them checked");

    // 4. Planted leaks, to show the check fails on them.
    #[cfg(feature = "planted-leak")]
    {
        let kind = std::env::var("CTGRIND_LEAK").unwrap_or_default();
        let result = leaky::run(&kind, &secret_a);
        declassify(&result.to_le_bytes());
        println!("ctgrind: planted leak ({}) ran", leaky::describe(&kind));
    }

    // The check is over: declassify and compare, so the run also proves it computed
    // the real thing (client and server agree on S, A is g^a).
    declassify(client_s.as_ref());
    declassify(server_s.as_ref());
    declassify(server_s_kept.as_ref());
    mark_secret(&secret_password);
    secret_password.fill(0);
    if a_public != public.a_public
        || client_s.as_ref() != server_s.as_ref()
        || server_s_kept.as_ref() != server_s.as_ref()
    {
        return Err("the computations disagree".into());
    }
    println!("ctgrind: client and server S agree");
    Ok(())
}
