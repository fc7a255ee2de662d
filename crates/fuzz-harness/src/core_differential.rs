//! The arithmetic core against num-bigint, through the public `hazmat` API:
//! g^a, g^x, the client's S = (B − k·g^x)^(a + u·x) and the server's
//! S = (A·v^u)^b (also from the powers of v a server keeps), on arbitrary operands, including values ≥ N, multiples of N,
//! N − 1, 2^3072 − 1, inputs longer than 384 bytes and leading zero bytes.
//!
//! Input: three mode bytes, then u16-length-prefixed chunks a, A/B, v, u, x, b.

use crate::support::{Chunks, be384, g, java_bytes, k, n, operand};
use cognito_auth_srp::hazmat;
use num_bigint::BigUint;

/// The bytes handed to the API for an operand: minimal, with the raw chunk's
/// leading zeros (only where the operand is the chunk's own value), or padded with
/// extra zeros, by `mode`.
fn encode(mode: u8, operand_mode: u8, raw: &[u8], value: &BigUint) -> Vec<u8> {
    match mode % 10 {
        1 if operand_mode % 10 <= 2 => raw.to_vec(),
        2 => {
            let mut padded = vec![0u8; 17];
            padded.extend_from_slice(&value.to_bytes_be());
            padded
        }
        _ => value.to_bytes_be(),
    }
}

fn fixed32(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[32 - bytes.len().min(32)..].copy_from_slice(&bytes[..bytes.len().min(32)]);
    out
}

/// Runs one fuzz input; panics on a finding.
pub fn run(data: &[u8]) {
    let mut input = Chunks::new(data);
    let modes = [input.byte(), input.byte(), input.byte()];
    let a = input.chunk(136).to_vec();
    let raw_public = input.chunk(1200);
    let raw_verifier = input.chunk(1200);
    let u = fixed32(input.chunk(32));
    let x = fixed32(input.chunk(32));
    let b = input.chunk(136).to_vec();

    let n = n();
    let g = g();
    let a_int = BigUint::from_bytes_be(&a);
    let b_int = BigUint::from_bytes_be(&b);
    let u_int = BigUint::from_bytes_be(&u);
    let x_int = BigUint::from_bytes_be(&x);
    let public = operand(modes[0], raw_public);
    let verifier = operand(modes[1], raw_verifier);
    let public_bytes = encode(modes[2], modes[0], raw_public, &public);
    let verifier_bytes = encode(modes[2] / 10, modes[1], raw_verifier, &verifier);

    // A = g^a: defined for a of at most 128 bytes, None beyond.
    let got = hazmat::client_public(&a);
    assert_eq!(
        got.is_some(),
        a.len() <= 128,
        "client_public length contract"
    );
    if let Some(got) = got {
        assert_eq!(got, be384(&g.modpow(&a_int, &n)), "g^a");
    }

    // v = g^x, as pad(v).
    let g_x = g.modpow(&x_int, &n);
    assert_eq!(hazmat::verifier(&x), java_bytes(&g_x), "g^x");

    // The client's S.
    let got = hazmat::client_premaster(&a, &public_bytes, &u, &x);
    assert_eq!(
        got.is_some(),
        a.len() <= 128,
        "client_premaster length contract"
    );
    if let Some(got) = got {
        let base = (&public % &n + &n - (k() * &g_x) % &n) % &n;
        let exponent = &a_int + &u_int * &x_int;
        assert_eq!(*got, be384(&base.modpow(&exponent, &n)), "client S");
    }

    // The server's S.
    let got = hazmat::server_premaster(&public_bytes, &verifier_bytes, &u, &b);
    assert_eq!(
        got.is_some(),
        b.len() <= 128,
        "server_premaster length contract"
    );
    let want = (b.len() <= 128).then(|| {
        let base = (&public % &n) * verifier.modpow(&u_int, &n) % &n;
        be384(&base.modpow(&b_int, &n))
    });
    if let (Some(got), Some(want)) = (got, &want) {
        assert_eq!(*got, *want, "server S");
    }

    // The powers of v a server keeps, and the server's S from them.
    let powers = hazmat::verifier_powers(&verifier_bytes);
    for (index, power) in powers.chunks(384).enumerate() {
        let exponent = BigUint::from(1u32) << (64 * (index + 1));
        assert_eq!(
            power,
            be384(&verifier.modpow(&exponent, &n)),
            "v^(2^{})",
            64 * (index + 1)
        );
    }
    let kept =
        hazmat::server_premaster_with_powers(&public_bytes, &verifier_bytes, &powers, &u, &b);
    assert_eq!(
        kept.is_some(),
        want.is_some(),
        "server_premaster_with_powers length contract"
    );
    if let (Some(kept), Some(want)) = (kept, &want) {
        assert_eq!(*kept, *want, "server S from the kept powers");
    }
}
