//! Arithmetic modulo the group prime N: the one module that knows how numbers are
//! represented and how they are multiplied.
//!
//! Everything above this module handles [`Residue`] (an element of Z/NZ held as 48
//! little-endian 64-bit limbs) and [`Exponent`] (a fixed-width secret exponent). Both
//! are plain arrays, so they can be zeroized, and their width never depends on the
//! value they hold.
//!
//! The operations are currently carried out with `num-bigint`, which is variable-time.
//! The constant-time core replaces the bodies of [`Residue::pow`], [`g_pow`],
//! [`Residue::mul`] and the conversions without touching any caller.

use num_bigint::BigUint;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::group;

/// Limbs in a residue: 48 × 64 = 3072 bits, the width of N.
pub(crate) const LIMBS: usize = 48;
/// Bytes in a full-width residue.
pub(crate) const N_BYTES: usize = LIMBS * 8;

/// An integer in `[0, N)`.
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
    pub(crate) fn from_be_bytes_mod_n(bytes: &[u8]) -> Self {
        let value = BigUint::from_bytes_be(bytes) % group::n_biguint();
        Self::from_reduced_biguint(&value)
    }

    fn from_reduced_biguint(value: &BigUint) -> Self {
        let mut limbs = [0u64; LIMBS];
        for (limb, digit) in limbs.iter_mut().zip(value.iter_u64_digits()) {
            *limb = digit;
        }
        Self { limbs }
    }

    fn to_biguint(&self) -> BigUint {
        BigUint::from_slice(&limbs_to_u32(&self.limbs))
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
        let product = self.to_biguint() * other.to_biguint() % group::n_biguint();
        Self::from_reduced_biguint(&product)
    }

    /// `self + other mod N`.
    pub(crate) fn add(&self, other: &Self) -> Self {
        let sum = (self.to_biguint() + other.to_biguint()) % group::n_biguint();
        Self::from_reduced_biguint(&sum)
    }

    /// `self − other mod N`, in `[0, N)`.
    pub(crate) fn sub(&self, other: &Self) -> Self {
        let n = group::n_biguint();
        let difference = (self.to_biguint() + n) - other.to_biguint();
        Self::from_reduced_biguint(&(difference % n))
    }

    /// `self^exponent mod N`.
    pub(crate) fn pow<const L: usize>(&self, exponent: &Exponent<L>) -> Self {
        let result = self
            .to_biguint()
            .modpow(&exponent.to_biguint(), group::n_biguint());
        Self::from_reduced_biguint(&result)
    }
}

/// `g^exponent mod N` for the group generator g = 2.
pub(crate) fn g_pow<const L: usize>(exponent: &Exponent<L>) -> Residue {
    let result = BigUint::from(group::G).modpow(&exponent.to_biguint(), group::n_biguint());
    Residue::from_reduced_biguint(&result)
}

/// A secret exponent of exactly `L` 64-bit limbs (little-endian limb order).
///
/// The width is part of the type, so every operation on it runs over all `L` limbs
/// whatever the value.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Exponent<const L: usize> {
    limbs: [u64; L],
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
        Some(Self { limbs })
    }

    fn to_biguint(&self) -> BigUint {
        BigUint::from_slice(&limbs_to_u32(&self.limbs))
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
    Exponent { limbs: sum }
}

fn limbs_to_u32(limbs: &[u64]) -> Vec<u32> {
    limbs
        .iter()
        .flat_map(|limb| [*limb as u32, (*limb >> 32) as u32])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plus_u_x_matches_biguint() {
        let a = Exponent::<16>::from_be_bytes(&[0xff; 128]).unwrap();
        let u = Exponent::<4>::from_be_bytes(&[0xff; 32]).unwrap();
        let x = Exponent::<4>::from_be_bytes(&[0xfe; 32]).unwrap();
        let got = a_plus_u_x(&a, &u, &x).to_biguint();
        let want = a.to_biguint() + u.to_biguint() * x.to_biguint();
        assert_eq!(got, want);
        assert_eq!(got.bits(), 1025);
    }

    #[test]
    fn exponent_rejects_oversized_input() {
        assert!(Exponent::<4>::from_be_bytes(&[1; 33]).is_none());
        let e = Exponent::<4>::from_be_bytes(&[1, 2]).unwrap();
        assert_eq!(e.limbs(), &[0x0102, 0, 0, 0]);
    }

    #[test]
    fn residue_round_trips_and_reduces() {
        let n = group::n_biguint().to_bytes_be();
        assert!(Residue::from_be_bytes_mod_n(&n).is_zero());
        let mut n_plus_5 = group::n_biguint().clone();
        n_plus_5 += 5u32;
        let r = Residue::from_be_bytes_mod_n(&n_plus_5.to_bytes_be());
        let bytes = r.to_be_bytes();
        assert_eq!(bytes[N_BYTES - 1], 5);
        assert!(bytes[..N_BYTES - 1].iter().all(|b| *b == 0));
    }
}
