//! Arithmetic modulo the group prime N: the one module that knows how numbers are
//! represented and how they are multiplied.
//!
//! Everything above this module handles [`Residue`] (an element of Z/NZ held as 48
//! little-endian 64-bit limbs) and [`Exponent`] (a fixed-width secret exponent). Both
//! are plain arrays, so they can be zeroized, and their width never depends on the
//! value they hold.
//!
//! The operations are constant-time with respect to the values (not to the lengths of
//! wire inputs, which are public): [`montgomery`] holds a fixed-width Montgomery
//! multiplication and squaring (R = 2^3072, product scanning with the reduction
//! interleaved), constant-time final subtractions and a fixed-window exponentiation
//! whose table lookups read every entry; [`fixed_base`] computes `g^e` with comb
//! tables that `build.rs` generates; [`spaced_powers`]
//! computes `v^u` for a public u from three powers a server keeps beside v. No branch, memory index or loop bound depends on
//! a residue or an exponent value; the exponent's bit length is fixed by its type and
//! constructor. `docs/constant-time.md` says how this is checked (valgrind, ctgrind)
//! and what that check does not cover. num-bigint remains only as the oracle in tests.

use std::sync::atomic::{AtomicBool, Ordering};

use zeroize::{Zeroize, ZeroizeOnDrop};

mod fixed_base;
mod montgomery;
#[cfg(target_arch = "x86_64")]
mod mulx_adx;
mod spaced_powers;
#[cfg(target_arch = "x86_64")]
pub use mulx_adx::assume_adx;

use montgomery::R2;
pub(crate) use spaced_powers::SpacedPowers;

/// The code that multiplies residues. Both compute the same values in constant
/// time; the choice depends only on the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Core {
    /// Portable Rust, on every target.
    Portable,
    /// x86-64 assembly with MULX, ADCX and ADOX (two carry chains), on CPUs with
    /// BMI2 and ADX.
    MulxAdx,
}

/// Set when the caller asked for the portable core (tests, benchmarks).
static PORTABLE_ONLY: AtomicBool = AtomicBool::new(false);

#[cfg(target_arch = "x86_64")]
type FastCore = mulx_adx::MulxAdx;
#[cfg(not(target_arch = "x86_64"))]
type FastCore = std::convert::Infallible;

/// The fast core, when this CPU has it and it has not been switched off. (The
/// standard library caches the CPU's feature bits, so asking costs two loads.)
#[inline]
fn fast_core() -> Option<FastCore> {
    if PORTABLE_ONLY.load(Ordering::Relaxed) {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    return mulx_adx::MulxAdx::detect();
    #[cfg(not(target_arch = "x86_64"))]
    return None;
}

/// The core the arithmetic runs on now.
pub(crate) fn core() -> Core {
    match fast_core() {
        Some(_) => Core::MulxAdx,
        None => Core::Portable,
    }
}

/// Makes the whole process use `core`; false (and no change) when this CPU lacks it.
pub(crate) fn select_core(core: Core) -> bool {
    match core {
        Core::Portable => {
            PORTABLE_ONLY.store(true, Ordering::Relaxed);
            true
        }
        Core::MulxAdx => {
            PORTABLE_ONLY.store(false, Ordering::Relaxed);
            fast_core().is_some()
        }
    }
}

/// Limbs in a residue: 48 × 64 = 3072 bits, the width of N.
pub(crate) const LIMBS: usize = 48;
/// Bytes in a full-width residue.
pub(crate) const N_BYTES: usize = LIMBS * 8;

/// An integer in `[0, N)`, in plain (not Montgomery) form.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Residue {
    limbs: [u64; LIMBS],
}

impl std::fmt::Debug for Residue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Residue(..)")
    }
}

impl Residue {
    /// Reads a big-endian unsigned integer of any length and reduces it mod N.
    ///
    /// Constant-time in the value; the running time depends only on the length. The
    /// input is cut into 384-byte chunks from the least significant end, each chunk
    /// (below R < 2N) is brought below N by one conditional subtraction, and they are
    /// combined by Horner's rule, `acc·R mod N` being one Montgomery product by R².
    pub(crate) fn from_be_bytes_mod_n(bytes: &[u8]) -> Self {
        let mut acc = [0u64; LIMBS];
        for (index, chunk) in bytes.rchunks(N_BYTES).rev().enumerate() {
            let mut limbs = [0u64; LIMBS];
            for (position, byte) in chunk.iter().rev().enumerate() {
                limbs[position / 8] |= u64::from(*byte) << (8 * (position % 8));
            }
            montgomery::reduce_below_r(&mut limbs);
            if index > 0 {
                acc = montgomery::mont_mul(&acc, &R2);
            }
            acc = montgomery::mod_add(&acc, &limbs);
            limbs.zeroize();
        }
        Self { limbs: acc }
    }

    /// The value as 384 big-endian bytes (leading zeros kept).
    pub(crate) fn to_be_bytes(&self) -> [u8; N_BYTES] {
        let mut out = [0u8; N_BYTES];
        for (chunk, limb) in out.chunks_exact_mut(8).rev().zip(self.limbs.iter()) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// Whether the value is zero. Only used on public values (A, B, u·v checks).
    pub(crate) fn is_zero(&self) -> bool {
        self.limbs.iter().fold(0u64, |acc, limb| acc | limb) == 0
    }

    /// `self · other mod N`.
    pub(crate) fn mul(&self, other: &Self) -> Self {
        // Mont(self) · other · R⁻¹ = self · other.
        let mut self_mont = montgomery::to_mont(&self.limbs);
        let limbs = montgomery::mont_mul(&self_mont, &other.limbs);
        self_mont.zeroize();
        Self { limbs }
    }

    /// `self + other mod N`.
    pub(crate) fn add(&self, other: &Self) -> Self {
        Self {
            limbs: montgomery::mod_add(&self.limbs, &other.limbs),
        }
    }

    /// `self − other mod N`, in `[0, N)`.
    pub(crate) fn sub(&self, other: &Self) -> Self {
        Self {
            limbs: montgomery::mod_sub(&self.limbs, &other.limbs),
        }
    }

    /// `self^exponent mod N`.
    pub(crate) fn pow<const L: usize>(&self, exponent: &Exponent<L>) -> Self {
        self.pow_in_montgomery_form(|base| montgomery::pow(base, &exponent.limbs, exponent.bits()))
    }

    /// `self^exponent mod N` for a **public** exponent (u): faster than
    /// [`Residue::pow`], and variable-time in the exponent, never in `self`.
    pub(crate) fn pow_public<const L: usize>(&self, exponent: &Exponent<L>) -> Self {
        self.pow_in_montgomery_form(|base| montgomery::pow_public(base, &exponent.limbs))
    }

    /// Into Montgomery form, `power`, and back, wiping the intermediates.
    fn pow_in_montgomery_form(
        &self,
        power: impl FnOnce(&montgomery::Limbs) -> montgomery::Limbs,
    ) -> Self {
        let mut base = montgomery::to_mont(&self.limbs);
        let mut result = power(&base);
        let limbs = montgomery::from_mont(&result);
        base.zeroize();
        result.zeroize();
        Self { limbs }
    }
}

/// `g^exponent mod N` for the group generator g = 2.
pub(crate) fn g_pow<const L: usize>(exponent: &Exponent<L>) -> Residue {
    let mut result = fixed_base::g_pow_mont(&exponent.limbs, exponent.bits());
    let limbs = montgomery::from_mont(&result);
    result.zeroize();
    Residue { limbs }
}

/// A secret exponent of exactly `L` 64-bit limbs (little-endian limb order).
///
/// The width is part of the type, so every operation on it runs over all `L` limbs
/// whatever the value. `bits` is a public bound on its length, fixed by the
/// constructor (`64·L` from bytes, 1025 for `a + u·x`), never by the value.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Exponent<const L: usize> {
    limbs: [u64; L],
    #[zeroize(skip)]
    bits: u32,
}

impl<const L: usize> Exponent<L> {
    /// Reads a big-endian integer of at most `8·L` bytes; `None` when it is longer.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > L * 8 {
            return None;
        }
        let mut limbs = [0u64; L];
        for (index, byte) in bytes.iter().rev().enumerate() {
            limbs[index / 8] |= u64::from(*byte) << (8 * (index % 8));
        }
        Some(Self {
            limbs,
            bits: (64 * L) as u32,
        })
    }

    /// The public bound on the exponent's bit length.
    fn bits(&self) -> usize {
        (self.bits as usize).min(64 * L)
    }

    #[cfg(test)]
    pub(crate) fn limbs(&self) -> &[u64; L] {
        &self.limbs
    }
}

/// The client's secret exponent `a + u·x` for a 1024-bit `a`, a 256-bit public `u`
/// and a 256-bit `x`. The sum needs at most 1025 bits, so 17 limbs always hold it.
///
/// Schoolbook multiplication with full carry propagation: no branch or index depends
/// on the values.
pub(crate) fn a_plus_u_x(a: &Exponent<16>, u: &Exponent<4>, x: &Exponent<4>) -> Exponent<17> {
    let mut product = [0u64; 8];
    for (i, &ui) in u.limbs.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &xj) in x.limbs.iter().enumerate() {
            let t = u128::from(ui) * u128::from(xj) + u128::from(product[i + j]) + carry;
            product[i + j] = t as u64;
            carry = t >> 64;
        }
        product[i + 4] = carry as u64;
    }
    let mut sum = [0u64; 17];
    let mut carry = 0u128;
    for (i, slot) in sum.iter_mut().enumerate().take(16) {
        let p = if i < 8 { product[i] } else { 0 };
        let t = u128::from(a.limbs[i]) + u128::from(p) + carry;
        *slot = t as u64;
        carry = t >> 64;
    }
    sum[16] = carry as u64;
    product.zeroize();
    Exponent {
        limbs: sum,
        bits: 1025,
    }
}

#[cfg(test)]
mod tests;
