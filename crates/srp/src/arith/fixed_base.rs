//! `g^e mod N` for the fixed generator g = 2 with comb tables generated at build time
//! (`build.rs`), in the Lim–Lee style.
//!
//! An exponent of up to `BITS` bits is cut into `1 + SLOTS·ROWS` rows of `SPAN` bits:
//! bit `c` of row `ρ` is exponent bit `ρ·SPAN + c`. The walk goes over the `SPAN`
//! columns from the top: square once, then for each slot `s` multiply by the table
//! entry `T_s[j]`, where `j` gathers that column's bits of rows `1 + s·ROWS ..` and
//! `T_s[j] = ∏ g^(2^((1 + s·ROWS + r)·SPAN))` over the set bits `r` of `j`. That is
//! `SPAN − 1` squarings and `SLOTS·SPAN` multiplications in all, against `BITS`
//! squarings for a plain window.
//!
//! Row 0 needs no table because g = 2: its bit in column `c` multiplies by
//! `g^bit = 2^bit`, a modular doubling through a mask, which the later squarings turn
//! into `2^(bit·2^c)`. Every table lookup scans all entries of the slot.

#![forbid(unsafe_code)]

use super::LIMBS;
use super::montgomery::{
    COMB_256, COMB_256_SPAN, COMB_1024, COMB_1024_SPAN, Limbs, R1, digit_at, lookup, mod_add,
    mont_mul, mont_sqr, pow, select_into,
};

/// `2^exponent` in Montgomery form, for an exponent below `2^bits` (`bits` public).
pub(super) fn g_pow_mont(exponent: &[u64], bits: usize) -> Limbs {
    if bits <= 256 {
        comb(&COMB_256, COMB_256_SPAN, exponent)
    } else if bits <= 1024 {
        comb(&COMB_1024, COMB_1024_SPAN, exponent)
    } else {
        // No table this wide: a plain window on Mont(2).
        pow(&mod_add(&R1, &R1), exponent, bits)
    }
}

fn comb<const SLOTS: usize, const ENTRIES: usize>(
    table: &[[Limbs; ENTRIES]; SLOTS],
    span: usize,
    exponent: &[u64],
) -> Limbs {
    let rows = ENTRIES.trailing_zeros() as usize;
    let digit = |slot: usize, column: usize| -> u64 {
        let mut j = 0u64;
        for row in 0..rows {
            j |= digit_at(exponent, (1 + slot * rows + row) * span + column, 1) << row;
        }
        j
    };
    let mut acc = R1;
    for column in (0..span).rev() {
        if column + 1 < span {
            acc = mont_sqr(&acc);
        }
        for (slot, entries) in table.iter().enumerate() {
            let mut entry = lookup(entries, digit(slot, column));
            acc = if column + 1 == span && slot == 0 {
                entry
            } else {
                mont_mul(&acc, &entry)
            };
            zeroize::Zeroize::zeroize(&mut entry);
        }
        double_if(&mut acc, digit_at(exponent, column, 1));
    }
    acc
}

/// `acc = 2·acc mod N` when `bit` is 1, unchanged when 0, without a branch.
#[inline(always)]
fn double_if(acc: &mut Limbs, bit: u64) {
    let doubled = mod_add(acc, acc);
    select_into(acc, &doubled, subtle::Choice::from(bit as u8));
}

const _: () = assert!(LIMBS == 48);
