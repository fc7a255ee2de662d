//! The MULX/ADX core against the portable core, through the public `hazmat` API,
//! on the same operands: `a·b mod N` on operands the fuzzer picks limb by limb
//! (values at and above N, long runs of ones, which stress the carry chains), and,
//! when the mode byte asks, the exponentiations g^a, g^x, the client's S and the
//! server's S. Both cores must give the same bytes. `core_differential` checks the
//! CPU's own core against num-bigint; this target is cheaper per input, so it
//! explores more operands.
//!
//! Input: a mode byte, then u16-length-prefixed chunks: two factors, a, A/B, v, u,
//! x, b.

use cognito_auth_srp::hazmat::{self, Core};

use crate::support::{Chunks, be384, operand};

/// Every result the input asks for, on the selected core.
fn results(mode: u8, parts: &Parts<'_>) -> Vec<Vec<u8>> {
    let mut out = vec![hazmat::mul_mod(&parts.left, &parts.right).to_vec()];
    if mode & 1 == 1 {
        out.push(
            hazmat::client_public(parts.a)
                .map(|v| v.to_vec())
                .unwrap_or_default(),
        );
        out.push(hazmat::verifier(&parts.x));
    }
    if mode & 2 == 2 {
        let s = hazmat::client_premaster(parts.a, &parts.public, &parts.u, &parts.x);
        out.push(s.map(|v| v.to_vec()).unwrap_or_default());
    }
    if mode & 4 == 4 {
        let s = hazmat::server_premaster(&parts.public, &parts.verifier, &parts.u, parts.b);
        out.push(s.map(|v| v.to_vec()).unwrap_or_default());
    }
    out
}

struct Parts<'a> {
    left: Vec<u8>,
    right: Vec<u8>,
    a: &'a [u8],
    public: Vec<u8>,
    verifier: Vec<u8>,
    u: [u8; 32],
    x: [u8; 32],
    b: &'a [u8],
}

fn fixed32(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let len = bytes.len().min(32);
    out[32 - len..].copy_from_slice(&bytes[..len]);
    out
}

/// The operand for `raw` by `mode` (see [`operand`]), as bytes; values of more than
/// 3072 bits stay as they are (the API reduces any length).
fn bytes(mode: u8, raw: &[u8]) -> Vec<u8> {
    let value = operand(mode, raw);
    if value.bits() <= 3072 {
        be384(&value).to_vec()
    } else {
        value.to_bytes_be()
    }
}

/// Runs one fuzz input; panics on a finding.
pub fn run(data: &[u8]) {
    let mut input = Chunks::new(data);
    let mode = input.byte();
    let operand_modes = input.byte();
    let parts = Parts {
        left: bytes(operand_modes, input.chunk(800)),
        right: bytes(operand_modes / 10, input.chunk(800)),
        a: input.chunk(136),
        public: bytes(mode >> 3, input.chunk(800)),
        verifier: input.chunk(800).to_vec(),
        u: fixed32(input.chunk(32)),
        x: fixed32(input.chunk(32)),
        b: input.chunk(136),
    };
    if !hazmat::select_core(Core::MulxAdx) {
        // Off x86-64 there is only the portable core; on it, a CPU without BMI2 or
        // ADX would leave the fast core unchecked, which is a failure.
        #[cfg(target_arch = "x86_64")]
        panic!("this x86-64 CPU lacks BMI2 or ADX: the MULX/ADX core cannot be fuzzed");
        #[cfg(not(target_arch = "x86_64"))]
        return;
    }
    let fast = results(mode, &parts);
    assert!(hazmat::select_core(Core::Portable));
    let portable = results(mode, &parts);
    hazmat::select_core(Core::MulxAdx);
    for (index, (f, p)) in fast.iter().zip(&portable).enumerate() {
        assert_eq!(
            f, p,
            "result {index}: the MULX/ADX and portable cores disagree"
        );
    }
}
