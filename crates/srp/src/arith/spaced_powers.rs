//! A long-lived base kept with three more powers of itself, `x^(2^64)`, `x^(2^128)`
//! and `x^(2^192)`, so that `x^u` for a 256-bit **public** u is a four-row comb:
//! 63 squarings and at most 64 multiplications, plus 11 to build the 16-entry
//! table, instead of the 255 squarings and about 60 multiplications of
//! [`super::montgomery::pow_public`]. A server computes `v^u` in every login for
//! the same verifier v, so it pays the 192 squarings once, when the verifier is
//! set, and keeps the powers beside it.
//!
//! Bit `c` of row `r` is exponent bit `64·r + c`; column `c` multiplies by the
//! product of the rows whose bit is set. Which products run and which entry is
//! read follow u's bits, which travel in the clear; the powers themselves are as
//! secret as the verifier, and every product on them is constant-time.

#![forbid(unsafe_code)]

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::montgomery::{Limbs, R1, from_mont, mont_mul, mont_sqr, to_mont};
use super::{Exponent, LIMBS, N_BYTES, Residue};

/// Bits between two kept powers.
const SPACING: usize = 64;
/// Rows of the comb: the base and the powers kept beside it.
const ROWS: usize = 4;

/// `x^(2^64)`, `x^(2^128)` and `x^(2^192)` of some base x, in plain form.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SpacedPowers {
    higher: [Limbs; ROWS - 1],
}

impl std::fmt::Debug for SpacedPowers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpacedPowers(..)")
    }
}

impl SpacedPowers {
    /// How many residues are kept besides the base.
    pub(crate) const COUNT: usize = ROWS - 1;

    /// The powers of `base`: 192 squarings.
    pub(crate) fn of(base: &Residue) -> Self {
        let mut running = to_mont(&base.limbs);
        let mut higher = [[0u64; LIMBS]; ROWS - 1];
        for slot in higher.iter_mut() {
            for _ in 0..SPACING {
                running = mont_sqr(&running);
            }
            *slot = from_mont(&running);
        }
        running.zeroize();
        Self { higher }
    }

    /// The kept powers, in order.
    pub(crate) fn residues(&self) -> [Residue; ROWS - 1] {
        self.higher.map(|limbs| Residue { limbs })
    }

    /// The kept powers as `COUNT` × 384 big-endian bytes, in order: the stored form.
    pub(crate) fn to_be_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(Self::COUNT * N_BYTES);
        for residue in self.residues() {
            bytes.extend_from_slice(&residue.to_be_bytes());
        }
        bytes
    }

    /// Powers read back from [`Self::to_be_bytes`], each reduced mod N; `None`
    /// unless `bytes` is exactly `COUNT` × 384 long. They are not checked against
    /// the base (that costs what computing them does): powers that do not belong
    /// to the base give a wrong `x^u`, so a login fails, never passes.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::COUNT * N_BYTES {
            return None;
        }
        let mut higher = [[0u64; LIMBS]; ROWS - 1];
        for (slot, chunk) in higher.iter_mut().zip(bytes.chunks_exact(N_BYTES)) {
            *slot = Residue::from_be_bytes_mod_n(chunk).limbs;
        }
        Some(Self { higher })
    }

    /// Whether any kept power is 0 (mod N): never a power of a non-zero base.
    pub(crate) fn has_zero(&self) -> bool {
        self.residues().iter().any(Residue::is_zero)
    }

    /// `base^exponent mod N` for the base these powers were made from and a
    /// **public** 256-bit exponent.
    pub(crate) fn pow_public(&self, base: &Residue, exponent: &Exponent<4>) -> Residue {
        let mut rows = [[0u64; LIMBS]; ROWS];
        rows[0] = to_mont(&base.limbs);
        for (row, higher) in rows[1..].iter_mut().zip(self.higher.iter()) {
            *row = to_mont(higher);
        }
        // table[j] = the product of the rows whose bit is set in j.
        let mut table = [[0u64; LIMBS]; 1 << ROWS];
        table[0] = R1;
        for j in 1..table.len() {
            let lowest = j.trailing_zeros() as usize;
            let rest = j & (j - 1);
            table[j] = if rest == 0 {
                rows[lowest]
            } else {
                mont_mul(&table[rest], &rows[lowest])
            };
        }
        let limbs = &exponent.limbs;
        // None stands for 1, so the squarings of 1 above the top set column are skipped.
        let mut acc: Option<Limbs> = None;
        for column in (0..SPACING).rev() {
            if let Some(value) = acc.as_mut() {
                *value = mont_sqr(value);
            }
            let digit = (0..ROWS).fold(0usize, |digit, row| {
                digit | (((limbs[row] >> column) & 1) as usize) << row
            });
            if digit != 0 {
                acc = Some(match acc {
                    Some(value) => mont_mul(&value, &table[digit]),
                    None => table[digit],
                });
            }
        }
        let mut result = acc.unwrap_or(R1);
        let plain = from_mont(&result);
        result.zeroize();
        if let Some(value) = acc.as_mut() {
            value.zeroize();
        }
        rows.zeroize();
        table.zeroize();
        Residue { limbs: plain }
    }
}

const _: () = assert!(SPACING * ROWS == 256);
