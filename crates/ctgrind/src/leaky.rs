//! A deliberately leaky exponentiation, compiled only with the `planted-leak` feature:
//! the check must fail on it. It lives here, not in `cognito-auth-srp`.
//!
//! Left-to-right 4-bit fixed-window exponentiation modulo a 63-bit prime with a
//! (constant-time) 64-bit Montgomery multiplication, and two planted leaks:
//! - `branch`: the multiplication is skipped when the window digit is zero, a branch on
//!   the secret exponent;
//! - `index`: the table entry is read as `table[digit]`, a memory address computed
//!   from the secret exponent (what a cache-timing attack observes).
//!
//! Any other `CTGRIND_LEAK` value plants both.

/// 2^63 − 25, prime.
const P: u64 = (1 << 63) - 25;

pub fn describe(kind: &str) -> &'static str {
    match kind {
        "branch" => "secret-dependent branch",
        "index" => "secret-dependent table index",
        _ => "secret-dependent branch and table index",
    }
}

/// −P⁻¹ mod 2^64 by Newton's iteration.
fn neg_inverse() -> u64 {
    let mut inverse = 1u64;
    for _ in 0..6 {
        inverse = inverse.wrapping_mul(2u64.wrapping_sub(P.wrapping_mul(inverse)));
    }
    inverse.wrapping_neg()
}

/// a·b·2^−64 mod P, without a branch. Never inlined, so that the planted `if` below
/// stays a real branch rather than becoming a conditional move.
#[inline(never)]
fn mont_mul(a: u64, b: u64, n_prime: u64) -> u64 {
    let t = u128::from(a) * u128::from(b);
    let m = (t as u64).wrapping_mul(n_prime);
    let r = ((t + u128::from(m) * u128::from(P)) >> 64) as u64;
    let (d, borrow) = r.overflowing_sub(P);
    let mask = 0u64.wrapping_sub(u64::from(borrow));
    (d & !mask) | (r & mask)
}

/// 3^exponent (in Montgomery form) with the planted leak(s).
pub fn run(kind: &str, exponent: &[u8]) -> u64 {
    let n_prime = neg_inverse();
    let r_mod_p = ((1u128 << 64) % u128::from(P)) as u64;
    let base = ((3u128 << 64) % u128::from(P)) as u64;
    let mut table = [r_mod_p; 16];
    for i in 1..16 {
        table[i] = mont_mul(table[i - 1], base, n_prime);
    }
    let branch = kind != "index";
    let index = kind != "branch";
    let mut acc = r_mod_p;
    for byte in exponent {
        for digit in [byte >> 4, byte & 15] {
            for _ in 0..4 {
                acc = mont_mul(acc, acc, n_prime);
            }
            let entry = if index {
                table[usize::from(digit)]
            } else {
                let mut e = 0;
                for (i, t) in table.iter().enumerate() {
                    let mask = 0u64.wrapping_sub(u64::from(i == usize::from(digit)));
                    e |= t & mask;
                }
                e
            };
            if !branch || digit != 0 {
                acc = mont_mul(acc, entry, n_prime);
            }
        }
    }
    acc
}
