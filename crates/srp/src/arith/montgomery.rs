//! Fixed-width constant-time arithmetic modulo N in Montgomery form, R = 2^3072.
//!
//! Every function here runs the same instructions on the same addresses whatever the
//! values: loop bounds are constants, there are no data-dependent branches, and each
//! final reduction is a subtraction whose result is kept or dropped through a mask
//! (`subtle`), never through a branch.
//!
//! N is the RFC 3526 prime: its lowest limb is 2^64 − 1, so −N⁻¹ mod 2^64 = 1. The
//! Montgomery quotient digit is then simply the low accumulator word, and the product
//! of that digit with N's lowest limb folds into a shift (see [`mont_mul`]).

#![forbid(unsafe_code)]

use subtle::{Choice, ConditionallySelectable};

use super::LIMBS;

/// A 3072-bit number as little-endian 64-bit limbs.
pub(super) type Limbs = [u64; LIMBS];

include!(concat!(env!("OUT_DIR"), "/arith_tables.rs"));

/// A three-word column accumulator for product scanning.
#[derive(Clone, Copy)]
struct Acc {
    lo: u64,
    hi: u64,
    top: u64,
}

impl Acc {
    const ZERO: Self = Self {
        lo: 0,
        hi: 0,
        top: 0,
    };

    /// `self += a · b`.
    #[inline(always)]
    fn mac(&mut self, a: u64, b: u64) {
        let product = u128::from(a) * u128::from(b);
        let (sum, carry) =
            (u128::from(self.hi) << 64 | u128::from(self.lo)).overflowing_add(product);
        self.lo = sum as u64;
        self.hi = (sum >> 64) as u64;
        self.top = self.top.wrapping_add(u64::from(carry));
    }

    /// `self += other`.
    #[inline(always)]
    fn add(&mut self, other: Self) {
        let (lo, c0) = self.lo.overflowing_add(other.lo);
        let (hi, c1) = carrying_add(self.hi, other.hi, c0);
        self.lo = lo;
        self.hi = hi;
        self.top = self.top.wrapping_add(other.top).wrapping_add(u64::from(c1));
    }

    /// `self *= 2`.
    #[inline(always)]
    fn double(&mut self) {
        self.top = self.top << 1 | self.hi >> 63;
        self.hi = self.hi << 1 | self.lo >> 63;
        self.lo <<= 1;
    }

    /// Ends a reduction column below R: with `q = lo` the quotient digit,
    /// `self + q·N₀ = self + q·2^64 − q` has a zero low word, so the shifted
    /// accumulator is `(self >> 64) + q`.
    #[inline(always)]
    fn fold_quotient_and_shift(&mut self) -> u64 {
        let q = self.lo;
        let (lo, carry) = self.hi.overflowing_add(q);
        self.lo = lo;
        self.hi = self.top.wrapping_add(u64::from(carry));
        self.top = 0;
        q
    }

    /// Ends a column above R: emits the low word and shifts.
    #[inline(always)]
    fn shift(&mut self) -> u64 {
        let out = self.lo;
        self.lo = self.hi;
        self.hi = self.top;
        self.top = 0;
        out
    }
}

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

/// `Σ x[i]·y[k−i]` over the given index range, added into `acc`. Both slices have the
/// same length; `y` is walked backwards.
///
/// The low and high halves of the products go into two separate 128-bit sums (each
/// `u128 += u64` is one add and one add-with-carry, and a column has at most 48
/// terms), combined once per column. Unrolled by eight; the lengths are public (they
/// depend on the column index only).
#[inline(always)]
fn column(acc: &mut Acc, x: &[u64], y: &[u64]) {
    let mut low = 0u128;
    let mut high = 0u128;
    let mut x_chunks = x.chunks_exact(8);
    let mut y_chunks = y.rchunks_exact(8);
    for (a, b) in (&mut x_chunks).zip(&mut y_chunks) {
        for i in 0..8 {
            let p = u128::from(a[i]) * u128::from(b[7 - i]);
            low += u128::from(p as u64);
            high += p >> 64;
        }
    }
    for (a, b) in x_chunks
        .remainder()
        .iter()
        .zip(y_chunks.remainder().iter().rev())
    {
        let p = u128::from(*a) * u128::from(*b);
        low += u128::from(p as u64);
        high += p >> 64;
    }
    // acc += low + high·2^64
    let (lo, c0) = acc.lo.overflowing_add(low as u64);
    let (hi, c1) = carrying_add(acc.hi, (low >> 64) as u64, c0);
    let (hi, c2) = hi.overflowing_add(high as u64);
    acc.lo = lo;
    acc.hi = hi;
    acc.top = acc
        .top
        .wrapping_add((high >> 64) as u64)
        .wrapping_add(u64::from(c1))
        .wrapping_add(u64::from(c2));
}

/// Reduces `value + carry·R` (known to be below 2N) into `[0, N)` in constant time.
#[inline(always)]
pub(super) fn subtract_n_if_needed(value: &mut Limbs, carry: u64) {
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

/// Montgomery product `a·b·R⁻¹ mod N` for `a, b < N`, in `[0, N)`, on the core
/// selected for this CPU (see [`super::fast_core`]).
#[inline]
pub(super) fn mont_mul(a: &Limbs, b: &Limbs) -> Limbs {
    match super::fast_core() {
        #[cfg(target_arch = "x86_64")]
        Some(core) => core.mont_mul(a, b),
        _ => mont_mul_portable(a, b),
    }
}

/// Montgomery square `a²·R⁻¹ mod N` for `a < N`, in `[0, N)`, on the selected core.
#[inline]
pub(super) fn mont_sqr(a: &Limbs) -> Limbs {
    match super::fast_core() {
        #[cfg(target_arch = "x86_64")]
        Some(core) => core.mont_sqr(a),
        _ => mont_sqr_portable(a),
    }
}

/// [`mont_mul`] in portable Rust.
///
/// Product scanning with the reduction interleaved column by column (Koç's FIPS):
/// column k gathers `a_i·b_(k−i)` and `q_i·N_(k−i)`, then fixes the quotient digit
/// `q_k` (N′ = 1). The accumulator is three words, so the carries never branch.
pub(super) fn mont_mul_portable(a: &Limbs, b: &Limbs) -> Limbs {
    let mut q = [0u64; LIMBS];
    let mut acc = Acc::ZERO;
    for k in 0..LIMBS {
        column(&mut acc, &a[..=k], &b[..=k]);
        column(&mut acc, &q[..k], &N[1..=k]);
        q[k] = acc.fold_quotient_and_shift();
    }
    let mut out = q;
    for k in LIMBS..2 * LIMBS {
        let start = k + 1 - LIMBS;
        column(&mut acc, &a[start..], &b[start..]);
        column(&mut acc, &out[start..], &N[start..]);
        out[k - LIMBS] = acc.shift();
    }
    let carry = acc.lo;
    subtract_n_if_needed(&mut out, carry);
    out
}

/// [`mont_sqr`] in portable Rust: as [`mont_mul_portable`], with each
/// off-diagonal product computed once and doubled.
pub(super) fn mont_sqr_portable(a: &Limbs) -> Limbs {
    let mut q = [0u64; LIMBS];
    let mut acc = Acc::ZERO;
    for k in 0..LIMBS {
        square_column(&mut acc, a, k);
        column(&mut acc, &q[..k], &N[1..=k]);
        q[k] = acc.fold_quotient_and_shift();
    }
    let mut out = q;
    for k in LIMBS..2 * LIMBS {
        square_column(&mut acc, a, k);
        let start = k + 1 - LIMBS;
        column(&mut acc, &out[start..], &N[start..]);
        out[k - LIMBS] = acc.shift();
    }
    let carry = acc.lo;
    subtract_n_if_needed(&mut out, carry);
    out
}

/// Adds `Σ_(i+j=k) a_i·a_j` to `acc`.
#[inline(always)]
fn square_column(acc: &mut Acc, a: &Limbs, k: usize) {
    let low = (k + 1).saturating_sub(LIMBS);
    // Pairs i < j with i + j = k: i in [low, (k+1)/2).
    let half = k.div_ceil(2);
    let mut cross = Acc::ZERO;
    if half > low {
        let high_end = k - low;
        let high_start = k + 1 - half;
        column(&mut cross, &a[low..half], &a[high_start..=high_end]);
    }
    cross.double();
    if k.is_multiple_of(2) {
        cross.mac(a[k / 2], a[k / 2]);
    }
    acc.add(cross);
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

/// `base^exponent` in Montgomery form for a **public** exponent (u = H(A, B), which
/// travels in the clear), by a left-to-right sliding window of five bits over the
/// odd powers `base^1, base^3, …, base^31`: about 20 fewer products than
/// [`pow`]'s fixed window for 256 bits. Which products run and which entry each
/// reads follow the exponent's bits, so it must never see a secret exponent; the
/// base may be secret (each product is constant-time, and the entries are read
/// by public index).
pub(super) fn pow_public(base: &Limbs, exponent: &[u64]) -> Limbs {
    const WINDOW: usize = 5;
    let mut odd = [[0u64; LIMBS]; 1 << (WINDOW - 1)];
    odd[0] = *base;
    let square = mont_sqr(base);
    for i in 1..odd.len() {
        odd[i] = mont_mul(&odd[i - 1], &square);
    }
    let bit = |i: usize| (exponent[i / 64] >> (i % 64)) & 1;
    // None stands for 1, so the leading squarings of 1 are skipped.
    let mut acc: Option<Limbs> = None;
    let mut top = exponent.len() * 64;
    while top > 0 {
        let i = top - 1;
        if bit(i) == 0 {
            if let Some(value) = acc.as_mut() {
                *value = mont_sqr(value);
            }
            top = i;
            continue;
        }
        // The widest window [low, i] of at most WINDOW bits that ends in a set bit.
        let mut low = (i + 1).saturating_sub(WINDOW);
        while bit(low) == 0 {
            low += 1;
        }
        let mut digit = 0usize;
        for position in (low..=i).rev() {
            digit = digit << 1 | bit(position) as usize;
            if let Some(value) = acc.as_mut() {
                *value = mont_sqr(value);
            }
        }
        let entry = &odd[digit >> 1];
        acc = Some(match acc {
            Some(value) => mont_mul(&value, entry),
            None => *entry,
        });
        top = low;
    }
    zeroize::Zeroize::zeroize(&mut odd);
    acc.unwrap_or(R1)
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
