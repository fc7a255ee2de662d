//! The Montgomery multiplication and squaring on x86-64 CPUs with BMI2 and ADX:
//! the one module of this crate with `unsafe` code, and the only one with inline
//! assembly.
//!
//! Portable Rust cannot use the two independent carry flags these CPUs offer, so
//! it runs one carry chain where GMP and OpenSSL run two: `mulx` multiplies
//! without touching the flags, `adcx` adds along the carry flag and `adox` along
//! the overflow flag. Everything here is rows `dst[..48] += src[..48]·q` with
//! those two chains (as GMP's `mpn_addmul_1` for these CPUs), each row unrolled
//! ([`row_48`]) and the rows looped inside one `asm!` block:
//!
//! | operation | rows |
//! |---|---|
//! | product `a·b` | 48 full rows, `q = a_i` |
//! | square `a²` | 47 rows `a_i·a_(i+1..48)`, entered at limb `i + 1` through a table; then doubled and the squares added (Rust) |
//! | reduction (REDC) | 48 full rows, `q = t_i` (N′ = 1), limb 0 folded |
//!
//! Constant time: the instructions executed and the addresses touched depend only
//! on the row index, never on a value: no branch, jump target or address is
//! computed from a limb. `scripts/ctgrind` runs this path under valgrind memcheck
//! (which executes MULX, ADCX and ADOX) as it runs the portable one.
//!
//! Safety: executing `mulx`/`adcx`/`adox` on a CPU without them is an illegal
//! instruction. The functions here take a [`MulxAdx`] token, which only
//! [`MulxAdx::detect`] makes, after the CPU has reported both features (ADX may
//! instead be vouched for by the caller of the `unsafe` [`assume_adx`], for
//! valgrind, which hides it).

#![allow(
    unsafe_code,
    reason = "inline assembly; see the module docs for the safety argument"
)]

use std::arch::asm;
use std::sync::atomic::{AtomicBool, Ordering};

use super::LIMBS;
use super::montgomery::{Limbs, N, subtract_n_if_needed};

/// One limb of a row `dst += src·rdx` at limb `j` (label `2jj`, where a triangle row
/// that starts at limb `j` enters), for even `j`: the product's low
/// word takes the previous high word (`{h}`) along the carry flag and `dst[j]` along
/// the overflow flag; its high word goes to `{t1}` for limb `j + 1`.
macro_rules! even_limb {
    ($j:literal, $label:literal) => {
        concat!(
            $label,
            ":\n",
            "mulx {t1}, {t0}, qword ptr [{src} + 8*",
            $j,
            "]\n",
            "adcx {t0}, {h}\n",
            "adox {t0}, qword ptr [{dst} + 8*",
            $j,
            "]\n",
            "mov qword ptr [{dst} + 8*",
            $j,
            "], {t0}\n",
        )
    };
}

/// [`even_limb`] for odd `j`: the previous high word is in `{t1}`, the new one goes
/// to `{h}`.
macro_rules! odd_limb {
    ($j:literal, $label:literal) => {
        concat!(
            $label,
            ":\n",
            "mulx {h}, {t0}, qword ptr [{src} + 8*",
            $j,
            "]\n",
            "adcx {t0}, {t1}\n",
            "adox {t0}, qword ptr [{dst} + 8*",
            $j,
            "]\n",
            "mov qword ptr [{dst} + 8*",
            $j,
            "], {t0}\n",
        )
    };
}

/// A whole 48-limb row `dst[..48] += src[..48]·rdx`, unrolled, with CF = OF = 0 and
/// `{h}` = 0 on entry; on exit the row's carry limb is `{h}` + CF + OF.
macro_rules! row_48 {
    () => {
        concat!(
            even_limb!(0, "200"),
            odd_limb!(1, "201"),
            even_limb!(2, "202"),
            odd_limb!(3, "203"),
            even_limb!(4, "204"),
            odd_limb!(5, "205"),
            even_limb!(6, "206"),
            odd_limb!(7, "207"),
            even_limb!(8, "208"),
            odd_limb!(9, "209"),
            even_limb!(10, "210"),
            odd_limb!(11, "211"),
            even_limb!(12, "212"),
            odd_limb!(13, "213"),
            even_limb!(14, "214"),
            odd_limb!(15, "215"),
            even_limb!(16, "216"),
            odd_limb!(17, "217"),
            even_limb!(18, "218"),
            odd_limb!(19, "219"),
            even_limb!(20, "220"),
            odd_limb!(21, "221"),
            even_limb!(22, "222"),
            odd_limb!(23, "223"),
            even_limb!(24, "224"),
            odd_limb!(25, "225"),
            even_limb!(26, "226"),
            odd_limb!(27, "227"),
            even_limb!(28, "228"),
            odd_limb!(29, "229"),
            even_limb!(30, "230"),
            odd_limb!(31, "231"),
            even_limb!(32, "232"),
            odd_limb!(33, "233"),
            even_limb!(34, "234"),
            odd_limb!(35, "235"),
            even_limb!(36, "236"),
            odd_limb!(37, "237"),
            even_limb!(38, "238"),
            odd_limb!(39, "239"),
            even_limb!(40, "240"),
            odd_limb!(41, "241"),
            even_limb!(42, "242"),
            odd_limb!(43, "243"),
            even_limb!(44, "244"),
            odd_limb!(45, "245"),
            even_limb!(46, "246"),
            odd_limb!(47, "247"),
        )
    };
}

/// Ends a row: its carry limb `{h}` + CF + OF, into `{h}` (it cannot overflow:
/// `dst + src·q < 2^(64·49)`).
macro_rules! row_carry {
    () => {
        concat!("mov {t0:e}, 0\n", "adcx {h}, {t0}\n", "adox {h}, {t0}\n")
    };
}

/// The entry of each limb of [`row_48`] relative to the table's label 9.
macro_rules! entry_table {
    () => {
        concat!(
            ".long 200f - 9b, 201f - 9b, 202f - 9b, 203f - 9b, 204f - 9b, 205f - 9b\n",
            ".long 206f - 9b, 207f - 9b, 208f - 9b, 209f - 9b, 210f - 9b, 211f - 9b\n",
            ".long 212f - 9b, 213f - 9b, 214f - 9b, 215f - 9b, 216f - 9b, 217f - 9b\n",
            ".long 218f - 9b, 219f - 9b, 220f - 9b, 221f - 9b, 222f - 9b, 223f - 9b\n",
            ".long 224f - 9b, 225f - 9b, 226f - 9b, 227f - 9b, 228f - 9b, 229f - 9b\n",
            ".long 230f - 9b, 231f - 9b, 232f - 9b, 233f - 9b, 234f - 9b, 235f - 9b\n",
            ".long 236f - 9b, 237f - 9b, 238f - 9b, 239f - 9b, 240f - 9b, 241f - 9b\n",
            ".long 242f - 9b, 243f - 9b, 244f - 9b, 245f - 9b, 246f - 9b, 247f - 9b\n",
        )
    };
}

const _: () = assert!(LIMBS == 48, "row_48 is written for 48 limbs");

static ASSUME_ADX: AtomicBool = AtomicBool::new(false);

/// Treats the CPU as having ADX although CPUID does not say so. valgrind executes
/// ADCX and ADOX but hides ADX from the CPUID it emulates; the constant-time check
/// (`crates/ctgrind`) calls this so that the MULX/ADX core runs under valgrind too.
///
/// # Safety
///
/// The CPU that really runs the code must execute ADCX and ADOX (the host running
/// valgrind has ADX). BMI2 is still taken from CPUID.
pub unsafe fn assume_adx() {
    ASSUME_ADX.store(true, Ordering::Relaxed);
}

/// Proof that this CPU has BMI2 and ADX.
#[derive(Clone, Copy, Debug)]
pub(super) struct MulxAdx(());

impl MulxAdx {
    /// The token, when the CPU reports BMI2 and ADX (or ADX is vouched for by
    /// [`assume_adx`]).
    pub(super) fn detect() -> Option<Self> {
        let adx = std::arch::is_x86_feature_detected!("adx") || ASSUME_ADX.load(Ordering::Relaxed);
        (std::arch::is_x86_feature_detected!("bmi2") && adx).then_some(Self(()))
    }

    /// Montgomery product `a·b·R⁻¹ mod N` for `a, b < N`, in `[0, N)`: the product
    /// by rows, then [`Self::redc`].
    pub(super) fn mont_mul(self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut t = [0u64; 2 * LIMBS];
        // SAFETY: the CPU has BMI2 and ADX (`self`). Row i reads `a[i]`, `b[..48]` and
        // `t[i..i + 48]` and writes `t[i..=i + 48]` (i < 48, so within t's 96 limbs);
        // `{dst}` and `{a}` advance one limb per row for exactly 48 rows. `t` is a
        // local array, so it does not overlap `a` or `b`. No stack is used.
        unsafe {
            asm!(
                "2:",
                "mov rdx, qword ptr [{a}]",
                "xor {h:e}, {h:e}", // also CF = OF = 0
                row_48!(),
                row_carry!(),
                "mov qword ptr [{dst} + 8*48], {h}",
                "lea {dst}, [{dst} + 8]",
                "lea {a}, [{a} + 8]",
                "dec {rows}",
                "jnz 2b",
                a = inout(reg) a.as_ptr() => _,
                src = in(reg) b.as_ptr(),
                dst = inout(reg) t.as_mut_ptr() => _,
                rows = inout(reg) LIMBS => _,
                out("rdx") _,
                t0 = out(reg) _,
                t1 = out(reg) _,
                h = out(reg) _,
                options(nostack),
            );
        }
        self.redc(&mut t)
    }

    /// Montgomery square `a²·R⁻¹ mod N` for `a < N`, in `[0, N)`: each product
    /// `a_i·a_j` (i < j) once, doubled, plus the squares `a_i²`, then [`Self::redc`].
    pub(super) fn mont_sqr(self, a: &Limbs) -> Limbs {
        let mut t = [0u64; 2 * LIMBS];
        // Row i (0 ≤ i < 47) is `t[2i+1 .. i+48] += a[i+1 .. 48]·a[i]`, carry to
        // `t[i+48]`: the unrolled row entered at limb j = i + 1 (through a table of
        // the limbs' offsets), with dst = t + i. The entry point depends only on the
        // row index.
        //
        // SAFETY: the CPU has BMI2 and ADX (`self`). Row i reads `a[i]`, `a[i+1..48]`
        // and `t[2i+1..i+48]` and writes those limbs of t and `t[i+48]` (all below 95);
        // `{dst}` advances one limb per row and `{j}` runs from 1 to 47. The jump goes
        // to one of the 48 labels of `row_48!` in this block, through the table of
        // their offsets, indexed by `{j}` < 48. The table sits in the code after an
        // unconditional jump, so it is never executed. `t` is a local array (no
        // overlap with `a`). No stack is used.
        unsafe {
            asm!(
                "jmp 8f",
                ".p2align 2",
                "9:",
                entry_table!(),
                "8:",
                "lea {tab}, [rip + 9b]",
                "3:",
                "mov rdx, qword ptr [{src} + 8*{j} - 8]", // a[i], i = j − 1
                "movsxd {t0}, dword ptr [{tab} + 4*{j}]",
                "add {t0}, {tab}",
                "xor {h:e}, {h:e}", // CF = OF = 0 from here on
                "xor {t1:e}, {t1:e}",
                "jmp {t0}",
                row_48!(),
                row_carry!(),
                "mov qword ptr [{dst} + 8*48], {h}",
                "lea {dst}, [{dst} + 8]",
                "inc {j}",
                "cmp {j}, 48",
                "jne 3b",
                src = in(reg) a.as_ptr(),
                dst = inout(reg) t.as_mut_ptr() => _,
                j = inout(reg) 1usize => _,
                tab = out(reg) _,
                out("rdx") _,
                t0 = out(reg) _,
                t1 = out(reg) _,
                h = out(reg) _,
                options(nostack),
            );
        }
        // t = 2·t + Σ a_i²·2^(128·i), in one pass (the doubling fits: the
        // off-diagonal sum is below 2^6143).
        let mut shifted_in = 0u64;
        let mut carry = 0u128;
        for (i, &ai) in a.iter().enumerate() {
            let square = u128::from(ai) * u128::from(ai);
            let low = t[2 * i];
            let high = t[2 * i + 1];
            let sum = u128::from(low << 1 | shifted_in) + u128::from(square as u64) + carry;
            t[2 * i] = sum as u64;
            let sum = u128::from(high << 1 | low >> 63) + (square >> 64) + (sum >> 64);
            t[2 * i + 1] = sum as u64;
            carry = sum >> 64;
            shifted_in = high >> 63;
        }
        self.redc(&mut t)
    }

    /// `t·R⁻¹ mod N` for `t < N·R`, in `[0, N)`. N′ = 1 (N's lowest limb is
    /// 2^64 − 1), so each quotient digit is the current low limb; each row's carry
    /// is parked in the limb the row has just cleared and added in at the end, as
    /// GMP's `mpn_redc_1` does.
    fn redc(self, t: &mut [u64; 2 * LIMBS]) -> Limbs {
        // SAFETY: the CPU has BMI2 and ADX (`self`). Row i reads `N[..48]` and reads
        // and writes `t[i..i + 48]` (i < 48, so within t's 96 limbs); `{dst}` advances
        // one limb per row for exactly 48 rows. `t` is exclusively borrowed and `N` a
        // constant, so they do not overlap. No stack is used.
        unsafe {
            asm!(
                "2:",
                // q = t[i], as N' = 1. Limb 0 needs no multiplication: N's lowest
                // limb is 2^64 − 1, so t[i] + q·(2^64 − 1) = q·2^64 leaves 0 there and
                // carries q into limb 1, which takes its previous high word from {t1}.
                "mov rdx, qword ptr [{dst}]",
                "mov {t1}, rdx",
                "xor {h:e}, {h:e}", // CF = OF = 0
                "jmp 201f",
                row_48!(),
                row_carry!(),
                "mov qword ptr [{dst}], {h}", // t[i] is spent: park the carry there
                "lea {dst}, [{dst} + 8]",
                "dec {rows}",
                "jnz 2b",
                src = in(reg) N.as_ptr(),
                dst = inout(reg) t.as_mut_ptr() => _,
                rows = inout(reg) LIMBS => _,
                out("rdx") _,
                t0 = out(reg) _,
                t1 = out(reg) _,
                h = out(reg) _,
                options(nostack),
            );
        }
        let mut out = [0u64; LIMBS];
        let mut carry = false;
        for (o, (high, parked)) in out.iter_mut().zip(t[LIMBS..].iter().zip(&t[..LIMBS])) {
            let (sum, c0) = high.overflowing_add(*parked);
            let (sum, c1) = sum.overflowing_add(u64::from(carry));
            *o = sum;
            carry = c0 | c1;
        }
        subtract_n_if_needed(&mut out, u64::from(carry));
        out
    }
}
