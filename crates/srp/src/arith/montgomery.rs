//! Fixed-width constant-time arithmetic modulo N in Montgomery form, R = 2^3072.
//!
//! Every function here runs the same instructions on the same addresses whatever the
//! values: loop bounds are constants, there are no data-dependent branches, and each
//! final reduction is a subtraction whose result is kept or dropped through a mask
//! (`subtle`), never through a branch.
//!
//! N is the RFC 3526 prime: its lowest limb is 2^64 − 1, so −N⁻¹ mod 2^64 = 1. The
//! Montgomery quotient digit is then simply the current low word, and the product
//! of that digit with N's lowest limb folds into a carry (see [`reduce_wide`]).

use subtle::{Choice, ConditionallySelectable};

use super::LIMBS;

/// A 3072-bit number as little-endian 64-bit limbs.
pub(super) type Limbs = [u64; LIMBS];

include!(concat!(env!("OUT_DIR"), "/arith_tables.rs"));

#[inline(always)]
fn carrying_add(a: u64, b: u64, carry: bool) -> (u64, bool) {
    let (s, c0) = a.overflowing_add(b);
    let (s, c1) = s.overflowing_add(u64::from(carry));
    (s, c0 | c1)
}

#[inline(always)]
fn borrowing_sub(a: u64, b: u64, borrow: bool) -> (u64, bool) {
    let (d, b0) = a.overflowing_sub(b);
    let (d, b1) = d.overflowing_sub(u64::from(borrow));
    (d, b0 | b1)
}

/// Reduces `value + carry·R` (known to be below 2N) into `[0, N)` in constant time.
#[inline(always)]
fn subtract_n_if_needed(value: &mut Limbs, carry: u64) {
    let mut difference = [0u64; LIMBS];
    let mut borrow = false;
    for ((d, v), n) in difference.iter_mut().zip(value.iter()).zip(N.iter()) {
        (*d, borrow) = borrowing_sub(*v, *n, borrow);
    }
    // value ≥ N exactly when the top carry is set or the subtraction did not borrow.
    let keep_difference = Choice::from((carry as u8 & 1) | (u8::from(borrow) ^ 1));
    select_into(value, &difference, keep_difference);
}

/// `dst = choice ? src : dst`, over every limb.
#[inline(always)]
pub(super) fn select_into(dst: &mut Limbs, src: &Limbs, choice: Choice) {
    for (d, s) in dst.iter_mut().zip(src.iter()) {
        d.conditional_assign(s, choice);
    }
}

/// `table[index]`, reading every entry (a constant-time scan); `index` may be secret.
#[inline(always)]
pub(super) fn lookup(table: &[Limbs], index: u64) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (i, entry) in table.iter().enumerate() {
        let hit = subtle::ConstantTimeEq::ct_eq(&(i as u64), &index);
        let mask = 0u64.wrapping_sub(u64::from(hit.unwrap_u8()));
        for (o, e) in out.iter_mut().zip(entry.iter()) {
            *o |= mask & *e;
        }
    }
    out
}

/// Montgomery product `a·b·R⁻¹ mod N` for `a, b < N`, in `[0, N)`.
///
/// The full 96-limb product by operand scanning (one fixed-length row per limb of
/// `a`), then a separate Montgomery reduction ([`reduce_wide`]).
pub(super) fn mont_mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = [0u64; 2 * LIMBS];
    for (i, ai) in a.iter().enumerate() {
        let ai = u128::from(*ai);
        let mut carry = 0u64;
        for (tj, bj) in t[i..i + LIMBS].iter_mut().zip(b.iter()) {
            let p = ai * u128::from(*bj) + u128::from(carry);
            let p = p + u128::from(*tj);
            *tj = p as u64;
            carry = (p >> 64) as u64;
        }
        t[i + LIMBS] = carry;
    }
    reduce_wide(&mut t)
}

/// Montgomery square `a²·R⁻¹ mod N` for `a < N`, in `[0, N)`.
///
/// The full 96-limb square first: each off-diagonal product `a_i·a_j` (i < j) once,
/// by operand scanning, then the whole doubled by a shift and the diagonal `a_i²`
/// added; then a separate Montgomery reduction ([`reduce_wide`]). All loop bounds are
/// constants or depend on the row index only.
pub(super) fn mont_sqr(a: &Limbs) -> Limbs {
    let mut t = [0u64; 2 * LIMBS];
    for i in 0..LIMBS - 1 {
        let ai = u128::from(a[i]);
        let mut carry = 0u64;
        for (tj, aj) in t[2 * i + 1..i + LIMBS].iter_mut().zip(a[i + 1..].iter()) {
            let p = ai * u128::from(*aj) + u128::from(carry);
            let p = p + u128::from(*tj);
            *tj = p as u64;
            carry = (p >> 64) as u64;
        }
        t[i + LIMBS] = carry;
    }
    // t = 2·t + Σ a_i²·2^(128·i)
    let mut shifted_out = 0u64;
    let mut carry = false;
    for (pair, ai) in t.chunks_exact_mut(2).zip(a.iter()) {
        let (lo, hi) = (pair[0], pair[1]);
        let doubled_lo = lo << 1 | shifted_out;
        let doubled_hi = hi << 1 | lo >> 63;
        shifted_out = hi >> 63;
        let square = u128::from(*ai) * u128::from(*ai);
        let (s0, c0) = carrying_add(doubled_lo, square as u64, carry);
        let (s1, c1) = carrying_add(doubled_hi, (square >> 64) as u64, c0);
        pair[0] = s0;
        pair[1] = s1;
        carry = c1;
    }
    reduce_wide(&mut t)
}

/// Montgomery reduction `t·R⁻¹ mod N` of a 96-limb `t < N·R`, in `[0, N)`.
///
/// Operand scanning, one row per quotient digit: `q = t_i` (N′ = 1), and since
/// `N₀ = 2^64 − 1`, `t_i + q·N₀ = q·2^64`: the row starts at `N₁` with carry `q`.
#[inline(always)]
fn reduce_wide(t: &mut [u64; 2 * LIMBS]) -> Limbs {
    let mut top = 0u64;
    for i in 0..LIMBS {
        let q = t[i];
        let q128 = u128::from(q);
        let mut carry = q;
        let row: &mut [u64; LIMBS - 1] = (&mut t[i + 1..i + LIMBS])
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        let n_high: &[u64; LIMBS - 1] = N[1..].try_into().unwrap_or_else(|_| unreachable!());
        for (tj, nj) in row.iter_mut().zip(n_high.iter()) {
            let p = q128 * u128::from(*nj) + u128::from(carry);
            let p = p + u128::from(*tj);
            *tj = p as u64;
            carry = (p >> 64) as u64;
        }
        let s = u128::from(t[i + LIMBS]) + u128::from(carry) + u128::from(top);
        t[i + LIMBS] = s as u64;
        top = (s >> 64) as u64;
    }
    let mut out = [0u64; LIMBS];
    out.copy_from_slice(&t[LIMBS..]);
    subtract_n_if_needed(&mut out, top);
    out
}

/// `a + b mod N` for `a, b < N`.
#[inline(always)]
pub(super) fn mod_add(a: &Limbs, b: &Limbs) -> Limbs {
    let mut sum = [0u64; LIMBS];
    let mut carry = false;
    for ((s, x), y) in sum.iter_mut().zip(a.iter()).zip(b.iter()) {
        (*s, carry) = carrying_add(*x, *y, carry);
    }
    subtract_n_if_needed(&mut sum, u64::from(carry));
    sum
}

/// `a − b mod N` for `a, b < N`.
pub(super) fn mod_sub(a: &Limbs, b: &Limbs) -> Limbs {
    let mut difference = [0u64; LIMBS];
    let mut borrow = false;
    for ((d, x), y) in difference.iter_mut().zip(a.iter()).zip(b.iter()) {
        (*d, borrow) = borrowing_sub(*x, *y, borrow);
    }
    // On a borrow the true difference is negative: add N back, through a mask.
    let mask = 0u64.wrapping_sub(u64::from(Choice::from(u8::from(borrow)).unwrap_u8()));
    let mut carry = false;
    for (d, n) in difference.iter_mut().zip(N.iter()) {
        (*d, carry) = carrying_add(*d, *n & mask, carry);
    }
    difference
}

/// Brings any value below R into `[0, N)` (R < 2N, so one conditional subtraction).
pub(super) fn reduce_below_r(value: &mut Limbs) {
    subtract_n_if_needed(value, 0);
}

/// `x·R mod N`: into Montgomery form.
pub(super) fn to_mont(x: &Limbs) -> Limbs {
    mont_mul(x, &R2)
}

/// `x·R⁻¹ mod N`: out of Montgomery form.
pub(super) fn from_mont(x: &Limbs) -> Limbs {
    let mut one = [0u64; LIMBS];
    one[0] = 1;
    mont_mul(x, &one)
}

/// The `width`-bit digit of `limbs` starting at bit `position` (both public); bits
/// past the end read as zero.
#[inline(always)]
pub(super) fn digit_at(limbs: &[u64], position: usize, width: usize) -> u64 {
    let index = position / 64;
    let shift = position % 64;
    let low = limbs.get(index).copied().unwrap_or(0) >> shift;
    let high = if shift == 0 {
        0
    } else {
        limbs.get(index + 1).copied().unwrap_or(0) << (64 - shift)
    };
    (low | high) & ((1u64 << width) - 1)
}

/// `base^exponent` in Montgomery form, for a Montgomery-form `base` and an exponent
/// below `2^bits`. Fixed window: `bits` squarings and one multiplication per window
/// whatever the exponent, each table entry read on every lookup. `bits` is public
/// (fixed by the exponent's type and constructor), the exponent's value is not.
pub(super) fn pow(base: &Limbs, exponent: &[u64], bits: usize) -> Limbs {
    if bits > 512 {
        pow_window::<5, 32>(base, exponent, bits)
    } else {
        pow_window::<4, 16>(base, exponent, bits)
    }
}

fn pow_window<const W: usize, const E: usize>(
    base: &Limbs,
    exponent: &[u64],
    bits: usize,
) -> Limbs {
    let mut table = [[0u64; LIMBS]; E];
    table[0] = R1;
    table[1] = *base;
    for i in 2..E {
        table[i] = if i % 2 == 0 {
            mont_sqr(&table[i / 2])
        } else {
            mont_mul(&table[i - 1], base)
        };
    }
    let windows = bits.div_ceil(W).max(1);
    let top = (windows - 1) * W;
    let mut acc = lookup(&table, digit_at(exponent, top, W));
    for window in (0..windows - 1).rev() {
        for _ in 0..W {
            acc = mont_sqr(&acc);
        }
        let mut entry = lookup(&table, digit_at(exponent, window * W, W));
        acc = mont_mul(&acc, &entry);
        zeroize::Zeroize::zeroize(&mut entry);
    }
    zeroize::Zeroize::zeroize(&mut table);
    acc
}
