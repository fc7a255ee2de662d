//! The core against num-bigint: fixed edge cases and property tests.

#![forbid(unsafe_code)]

use num_bigint::BigUint;
use proptest::prelude::*;

use super::montgomery::{self, Limbs};
use super::*;
use crate::group;

fn n() -> &'static BigUint {
    group::n_biguint()
}

fn to_biguint(limbs: &[u64]) -> BigUint {
    let digits: Vec<u32> = limbs
        .iter()
        .flat_map(|limb| [*limb as u32, (*limb >> 32) as u32])
        .collect();
    BigUint::from_slice(&digits)
}

fn residue(value: &BigUint) -> Residue {
    Residue::from_be_bytes_mod_n(&value.to_bytes_be())
}

fn value(r: &Residue) -> BigUint {
    to_biguint(&r.limbs)
}

fn exponent<const L: usize>(value: &BigUint) -> Exponent<L> {
    let bytes = value.to_bytes_be();
    Exponent::from_be_bytes(&bytes).unwrap_or_else(|| panic!("{} bits > {}", value.bits(), 64 * L))
}

/// 0, 1, 2, N−1, N, N+1, 2N−1, 2N, R−1 = 2^3072−1, 2^3072, R², and N·(R−1).
fn edge_inputs() -> Vec<BigUint> {
    let one = BigUint::from(1u32);
    let r: BigUint = &one << 3072usize;
    vec![
        BigUint::from(0u32),
        one.clone(),
        BigUint::from(2u32),
        n() - &one,
        n().clone(),
        n() + &one,
        n() * 2u32 - &one,
        n() * 2u32,
        &r - &one,
        r.clone(),
        &r * &r,
        n() * (&r - &one),
    ]
}

/// Edge residues: 0, 1, 2, N−1, N−2, (2^3072−1) mod N, and (N+1)/2.
fn edge_residues() -> Vec<BigUint> {
    let one = BigUint::from(1u32);
    vec![
        BigUint::from(0u32),
        one.clone(),
        BigUint::from(2u32),
        n() - &one,
        n() - 2u32,
        ((&one << 3072) - &one) % n(),
        (n() + &one) >> 1,
    ]
}

fn any_residue() -> impl Strategy<Value = BigUint> {
    prop_oneof![
        1 => proptest::sample::select(edge_residues()),
        4 => proptest::collection::vec(any::<u8>(), 384).prop_map(|b| BigUint::from_bytes_be(&b) % n()),
    ]
}

fn any_exponent(bits: usize) -> impl Strategy<Value = BigUint> {
    let one = BigUint::from(1u32);
    let all_ones = (&one << bits) - &one;
    let top_only = &one << (bits - 1);
    prop_oneof![
        1 => proptest::sample::select(vec![BigUint::from(0u32), one.clone(), BigUint::from(2u32), all_ones, top_only]),
        4 => proptest::collection::vec(any::<u8>(), bits / 8).prop_map(|b| BigUint::from_bytes_be(&b)),
    ]
}

/// 256-bit public exponents at the edges of both ways of walking one: the sliding
/// window's (0, 1, 2, 31, 32, all ones, the top bit alone and with bit 0) and the
/// four-row comb's (a bit alone at each end of each row, one row full and the rest
/// empty, so that the top columns are empty).
fn public_exponent_edges() -> Vec<BigUint> {
    let one = BigUint::from(1u32);
    let mut exponents = vec![
        BigUint::from(0u32),
        one.clone(),
        BigUint::from(2u32),
        BigUint::from(31u32),
        BigUint::from(32u32),
        (&one << 256usize) - &one,
        &one << 255usize,
        (&one << 255usize) | &one,
    ];
    for row in 0..4usize {
        exponents.push(&one << (64 * row));
        exponents.push(&one << (64 * row + 63));
        exponents.push(((&one << 64usize) - &one) << (64 * row));
    }
    exponents
}

#[test]
fn pow_public_on_edge_exponents() {
    for base in edge_residues() {
        for e in public_exponent_edges() {
            let got = value(&residue(&base).pow_public(&exponent::<4>(&e)));
            assert_eq!(got, base.modpow(&e, n()), "{base:x} ^ {e:x}");
        }
    }
}

#[test]
fn spaced_powers_are_the_powers_and_give_pow_public() {
    for base in edge_residues() {
        let base_residue = residue(&base);
        let powers = SpacedPowers::of(&base_residue);
        let kept: Vec<BigUint> = powers.residues().iter().map(value).collect();
        let want: Vec<BigUint> = (1..4u32)
            .map(|row| base.modpow(&(BigUint::from(1u32) << (64 * row)), n()))
            .collect();
        assert_eq!(kept, want, "{base:x}");
        for e in public_exponent_edges() {
            let got = value(&powers.pow_public(&base_residue, &exponent::<4>(&e)));
            assert_eq!(got, base.modpow(&e, n()), "{base:x} ^ {e:x}");
        }
    }
}

/// Powers read back give what computed ones give; powers of another base give a
/// different (wrong) result, not the right one.
#[test]
fn spaced_powers_from_storage() {
    let base = BigUint::from(0x1234_5678_9abc_def0u64) << 1000usize;
    let base_residue = residue(&base);
    let computed = SpacedPowers::of(&base_residue);
    let read_back = SpacedPowers::from_be_bytes(&computed.to_be_bytes()).unwrap();
    let e = (BigUint::from(0xdead_beef_u32) << 200usize) | BigUint::from(77u32);
    let got = value(&read_back.pow_public(&base_residue, &exponent::<4>(&e)));
    assert_eq!(got, base.modpow(&e, n()));
    let other = SpacedPowers::of(&residue(&(base + 1u32)));
    let wrong = value(&other.pow_public(&base_residue, &exponent::<4>(&e)));
    assert_ne!(wrong, got);
}

#[test]
fn generated_constants_match_group() {
    assert_eq!(to_biguint(&montgomery::N), *n());
    let r = BigUint::from(1u32) << 3072;
    assert_eq!(to_biguint(&montgomery::R1), &r % n());
    assert_eq!(to_biguint(&R2), (&r * &r) % n());
}

#[test]
fn reduction_of_edges() {
    for input in edge_inputs() {
        let got = value(&residue(&input));
        assert_eq!(got, &input % n(), "{input:x}");
    }
    // Leading zero bytes and the empty input.
    assert!(Residue::from_be_bytes_mod_n(&[]).is_zero());
    let mut padded = vec![0u8; 1000];
    padded.extend_from_slice(&n().to_bytes_be());
    assert!(Residue::from_be_bytes_mod_n(&padded).is_zero());
    assert!(residue(&(n() * 2u32)).is_zero());
}

#[test]
fn arithmetic_on_edges() {
    let edges = edge_residues();
    for a in &edges {
        for b in &edges {
            let (ra, rb) = (residue(a), residue(b));
            assert_eq!(value(&ra.mul(&rb)), (a * b) % n());
            assert_eq!(value(&ra.add(&rb)), (a + b) % n());
            assert_eq!(value(&ra.sub(&rb)), (a + n() - b) % n());
        }
        let m = montgomery::to_mont(&residue(a).limbs);
        assert_eq!(montgomery::mont_sqr(&m), montgomery::mont_mul(&m, &m));
        let square = montgomery::from_mont(&montgomery::mont_sqr(&m));
        assert_eq!(to_biguint(&square), (a * a) % n());
    }
}

#[test]
fn a_plus_u_x_matches_biguint() {
    let a = Exponent::<16>::from_be_bytes(&[0xff; 128]).unwrap();
    let u = Exponent::<4>::from_be_bytes(&[0xff; 32]).unwrap();
    let x = Exponent::<4>::from_be_bytes(&[0xfe; 32]).unwrap();
    let got = to_biguint(&a_plus_u_x(&a, &u, &x).limbs);
    let want = to_biguint(&a.limbs) + to_biguint(&u.limbs) * to_biguint(&x.limbs);
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
    let n_bytes = n().to_bytes_be();
    assert!(Residue::from_be_bytes_mod_n(&n_bytes).is_zero());
    let n_plus_5 = n() + 5u32;
    let r = Residue::from_be_bytes_mod_n(&n_plus_5.to_bytes_be());
    let bytes = r.to_be_bytes();
    assert_eq!(bytes[N_BYTES - 1], 5);
    assert!(bytes[..N_BYTES - 1].iter().all(|b| *b == 0));
}

fn check_g_pow<const L: usize>(e: &BigUint) {
    let got = value(&g_pow(&exponent::<L>(e)));
    assert_eq!(
        got,
        BigUint::from(2u32).modpow(e, n()),
        "L = {L}, e = {e:x}"
    );
}

fn check_pow<const L: usize>(base: &BigUint, e: &BigUint) {
    let got = value(&residue(base).pow(&exponent::<L>(e)));
    assert_eq!(got, base.modpow(e, n()), "L = {L}");
}

#[test]
fn g_pow_edges_every_width() {
    let one = BigUint::from(1u32);
    for bits in [64usize, 128, 256] {
        for e in [
            BigUint::from(0u32),
            one.clone(),
            (&one << bits) - &one,
            &one << (bits - 1),
        ] {
            match bits {
                64 => check_g_pow::<1>(&e),
                128 => check_g_pow::<2>(&e),
                _ => check_g_pow::<4>(&e),
            }
            check_g_pow::<16>(&e);
        }
    }
    for e in [(&one << 1024) - &one, &one << 1023, (&one << 1024) / 3u32] {
        check_g_pow::<16>(&e);
        check_g_pow::<17>(&e);
    }
    check_g_pow::<8>(&((&one << 512) - &one));
    // Past every table: the plain-window fallback.
    check_g_pow::<17>(&((&one << 1088) - &one));
}

#[test]
fn pow_edges() {
    let one = BigUint::from(1u32);
    let exponents = [
        BigUint::from(0u32),
        one.clone(),
        BigUint::from(2u32),
        (&one << 256) - &one,
    ];
    for base in edge_residues() {
        for e in &exponents {
            check_pow::<4>(&base, e);
        }
    }
    let base = residue(&(n() - 2u32));
    let a = Exponent::<16>::from_be_bytes(&[0xff; 128]).unwrap();
    let u = Exponent::<4>::from_be_bytes(&[0xff; 32]).unwrap();
    let e = a_plus_u_x(&a, &u, &u);
    assert_eq!(
        value(&base.pow(&e)),
        (n() - 2u32).modpow(&to_biguint(&e.limbs), n())
    );
    check_pow::<16>(&(n() - &one), &((&one << 1024) - &one));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reduction_of_any_length(bytes in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let got = value(&Residue::from_be_bytes_mod_n(&bytes));
        prop_assert_eq!(got, BigUint::from_bytes_be(&bytes) % n());
    }

    #[test]
    fn reduction_of_values_at_least_n(k in 1u32..1000, offset in any_residue()) {
        let input = n() * k + &offset;
        prop_assert_eq!(value(&residue(&input)), offset);
    }

    #[test]
    fn mul_add_sub_square(a in any_residue(), b in any_residue()) {
        let (ra, rb) = (residue(&a), residue(&b));
        prop_assert_eq!(value(&ra.mul(&rb)), (&a * &b) % n());
        prop_assert_eq!(value(&ra.add(&rb)), (&a + &b) % n());
        prop_assert_eq!(value(&ra.sub(&rb)), (&a + n() - &b) % n());
        let m = montgomery::to_mont(&ra.limbs);
        let square: Limbs = montgomery::from_mont(&montgomery::mont_sqr(&m));
        prop_assert_eq!(to_biguint(&square), (&a * &a) % n());
    }
}

proptest! {
    // Each case is one to five exponentiations here and in num-bigint.
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn pow_256(base in any_residue(), e in any_exponent(256)) {
        check_pow::<4>(&base, &e);
    }

    #[test]
    fn pow_public_256(base in any_residue(), e in any_exponent(256)) {
        let got = value(&residue(&base).pow_public(&exponent::<4>(&e)));
        prop_assert_eq!(got, base.modpow(&e, n()));
    }

    #[test]
    fn spaced_powers_pow_public_256(base in any_residue(), e in any_exponent(256)) {
        let base_residue = residue(&base);
        let powers = SpacedPowers::of(&base_residue);
        let got = value(&powers.pow_public(&base_residue, &exponent::<4>(&e)));
        prop_assert_eq!(got, base.modpow(&e, n()));
    }

    #[test]
    fn pow_1024(base in any_residue(), e in any_exponent(1024)) {
        check_pow::<16>(&base, &e);
    }

    #[test]
    fn pow_a_plus_u_x(base in any_residue(), a in any_exponent(1024), u in any_exponent(256), x in any_exponent(256)) {
        let e = a_plus_u_x(&exponent::<16>(&a), &exponent::<4>(&u), &exponent::<4>(&x));
        let want = base.modpow(&(&a + &u * &x), n());
        prop_assert_eq!(value(&residue(&base).pow(&e)), want);
    }

    // One width per case, drawn with the exponent, so that a case costs one
    // num-bigint exponentiation; over 256 cases each width gets about 50.
    #[test]
    fn g_pow_every_width(e in any_exponent(1024), width in 0usize..5) {
        let one = BigUint::from(1u32);
        let low = |bits: usize| &e % (&one << bits);
        match width {
            0 => check_g_pow::<1>(&low(64)),
            1 => check_g_pow::<4>(&low(256)),
            2 => check_g_pow::<8>(&low(512)),
            3 => check_g_pow::<16>(&e),
            _ => check_g_pow::<17>(&e),
        }
    }
}

// The MULX/ADX core against the portable one, value for value. On x86-64 the CPU
// must have BMI2 and ADX (every x86-64 CPU since 2015 has): a machine without them
// would leave the fast core untested, so that is a failure here, not a skip.

#[cfg(target_arch = "x86_64")]
fn mulx_adx() -> mulx_adx::MulxAdx {
    mulx_adx::MulxAdx::detect()
        .unwrap_or_else(|| panic!("this CPU lacks BMI2 or ADX: the MULX/ADX core cannot be tested"))
}

/// Operands that stress the carry chains: the edge residues, in plain and in
/// Montgomery form, and the largest residues with long runs of one-bits.
#[cfg(target_arch = "x86_64")]
fn core_operands() -> Vec<Limbs> {
    let one = BigUint::from(1u32);
    let mut values = edge_residues();
    values.push(n() - (&one << 64usize));
    values.push((&one << 3071usize) - &one);
    values.push(n() - (&one << 3008usize));
    let mut operands: Vec<Limbs> = values.iter().map(|v| residue(v).limbs).collect();
    let mont: Vec<Limbs> = operands.iter().map(montgomery::to_mont).collect();
    operands.extend(mont);
    operands
}

#[cfg(target_arch = "x86_64")]
#[test]
fn mulx_adx_core_matches_portable_on_edges() {
    let core = mulx_adx();
    let operands = core_operands();
    for a in &operands {
        for b in &operands {
            let want = montgomery::mont_mul_portable(a, b);
            assert_eq!(
                core.mont_mul(a, b),
                want,
                "mul {:x} {:x}",
                to_biguint(a),
                to_biguint(b)
            );
        }
        assert_eq!(
            core.mont_sqr(a),
            montgomery::mont_sqr_portable(a),
            "sqr {:x}",
            to_biguint(a)
        );
        // And against the oracle: a·a·R⁻¹ ≡ mont_sqr(a) (mod N), so mont_sqr(a)·R ≡ a².
        let square = to_biguint(&core.mont_sqr(a));
        let r = BigUint::from(1u32) << 3072usize;
        assert_eq!((square * r) % n(), (to_biguint(a) * to_biguint(a)) % n());
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn selected_core_is_mulx_adx_here_and_portable_when_asked() {
    mulx_adx();
    assert_eq!(core(), Core::MulxAdx);
    // Results never depend on the core: g^x through both.
    let x = exponent::<4>(&BigUint::from(0x1234_5678_9abc_def0u64));
    let fast = g_pow(&x).limbs;
    assert!(select_core(Core::Portable));
    assert_eq!(core(), Core::Portable);
    let portable = g_pow(&x).limbs;
    assert!(select_core(Core::MulxAdx));
    assert_eq!(core(), Core::MulxAdx);
    assert_eq!(fast, portable);
    let want = BigUint::from(2u32).modpow(&to_biguint(&x.limbs), n());
    assert_eq!(to_biguint(&fast), want);
}

#[cfg(target_arch = "x86_64")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mulx_adx_core_matches_portable(a in any_residue(), b in any_residue(), mont in any::<bool>()) {
        let core = mulx_adx();
        let (mut a, mut b) = (residue(&a).limbs, residue(&b).limbs);
        if mont {
            a = montgomery::to_mont(&a);
            b = montgomery::to_mont(&b);
        }
        prop_assert_eq!(core.mont_mul(&a, &b), montgomery::mont_mul_portable(&a, &b));
        prop_assert_eq!(core.mont_sqr(&a), montgomery::mont_sqr_portable(&a));
    }
}
