//! Baselines written in C, reached through their C interfaces: GMP 6.3 built for
//! this CPU by `scripts/tuned-gmp` (with `cfg(tuned_gmp)`), and OpenSSL's
//! constant-time `BN_mod_exp_mont_consttime` (the system libcrypto, which picks its
//! MULX/ADX or AVX-512 code at run time).
//!
//! This is the only module of the workspace outside `crates/ctgrind` with `unsafe`
//! code: it calls C functions. Every value crossing the boundary is owned by a Rust
//! type that initialises it on creation and frees it on drop, and each call's
//! SAFETY comment says why its pointers are valid.

#![allow(
    unsafe_code,
    reason = "calls into GMP and libcrypto, see the module docs"
)]

use std::ffi::c_int;

use super::{ModArith, N_HEX, k_bytes};
use crate::hex;

#[cfg(tuned_gmp)]
pub(super) use gmp::TunedGmp;
pub(super) use openssl::OpenSslConstTime;

#[cfg(tuned_gmp)]
mod gmp {
    use std::ffi::c_void;
    use std::ptr;

    use super::*;

    /// GMP's `__mpz_struct`: `int _mp_alloc; int _mp_size; mp_limb_t *_mp_d`.
    #[repr(C)]
    struct MpzStruct {
        alloc: c_int,
        size: c_int,
        limbs: *mut u64,
    }

    // The tuned library's symbols, renamed by scripts/tuned-gmp.
    unsafe extern "C" {
        fn tuned__gmpz_init(x: *mut MpzStruct);
        fn tuned__gmpz_clear(x: *mut MpzStruct);
        fn tuned__gmpz_import(
            rop: *mut MpzStruct,
            count: usize,
            order: c_int,
            size: usize,
            endian: c_int,
            nails: usize,
            op: *const c_void,
        );
        fn tuned__gmpz_export(
            rop: *mut c_void,
            countp: *mut usize,
            order: c_int,
            size: usize,
            endian: c_int,
            nails: usize,
            op: *const MpzStruct,
        ) -> *mut c_void;
        fn tuned__gmpz_sizeinbase(op: *const MpzStruct, base: c_int) -> usize;
        fn tuned__gmpz_powm(
            rop: *mut MpzStruct,
            base: *const MpzStruct,
            exp: *const MpzStruct,
            modulus: *const MpzStruct,
        );
        fn tuned__gmpz_mul(rop: *mut MpzStruct, a: *const MpzStruct, b: *const MpzStruct);
        fn tuned__gmpz_add(rop: *mut MpzStruct, a: *const MpzStruct, b: *const MpzStruct);
        fn tuned__gmpz_sub(rop: *mut MpzStruct, a: *const MpzStruct, b: *const MpzStruct);
        fn tuned__gmpz_mod(rop: *mut MpzStruct, a: *const MpzStruct, d: *const MpzStruct);
        fn tuned__gmpz_cmp_ui(op: *const MpzStruct, value: std::ffi::c_ulong) -> c_int;
    }

    /// An initialised `mpz_t`, cleared on drop.
    struct Mpz(MpzStruct);

    impl Mpz {
        fn zero() -> Self {
            let mut raw = MpzStruct {
                alloc: 0,
                size: 0,
                limbs: ptr::null_mut(),
            };
            // SAFETY: `raw` is a valid, writable __mpz_struct; mpz_init fills it in.
            unsafe { tuned__gmpz_init(&mut raw) };
            Self(raw)
        }

        fn from_be(bytes: &[u8]) -> Self {
            let mut value = Self::zero();
            // SAFETY: `value` is initialised; `bytes` is `bytes.len()` readable
            // one-byte words (order 1 = most significant first, endian 0 = native).
            unsafe {
                tuned__gmpz_import(&mut value.0, bytes.len(), 1, 1, 0, 0, bytes.as_ptr().cast())
            };
            value
        }

        fn to_be(&self) -> Vec<u8> {
            // SAFETY: `self` is initialised. sizeinbase(256) bounds the bytes export
            // writes (it returns 1 for zero, when export writes none).
            let capacity = unsafe { tuned__gmpz_sizeinbase(&self.0, 256) };
            let mut out = vec![0u8; capacity];
            let mut written = 0usize;
            // SAFETY: `out` has room for `capacity` bytes, which export never
            // exceeds; `written` receives the count.
            unsafe {
                tuned__gmpz_export(out.as_mut_ptr().cast(), &mut written, 1, 1, 0, 0, &self.0)
            };
            out.truncate(written);
            out
        }

        fn binary(
            a: &Mpz,
            b: &Mpz,
            f: unsafe extern "C" fn(*mut MpzStruct, *const MpzStruct, *const MpzStruct),
        ) -> Self {
            let mut out = Self::zero();
            // SAFETY: all three are initialised mpz_t; GMP allows any aliasing, and
            // `out` is distinct anyway.
            unsafe { f(&mut out.0, &a.0, &b.0) };
            out
        }
    }

    impl Drop for Mpz {
        fn drop(&mut self) {
            // SAFETY: initialised by `zero` and cleared only here.
            unsafe { tuned__gmpz_clear(&mut self.0) };
        }
    }

    /// GMP 6.3 configured for this CPU: `mpz_powm`, the headline baseline.
    pub(crate) struct TunedGmp {
        n: Mpz,
        g: Mpz,
        k: Mpz,
    }

    impl TunedGmp {
        pub(crate) fn new() -> Self {
            Self {
                n: Mpz::from_be(&hex(N_HEX)),
                g: Mpz::from_be(&[2]),
                k: Mpz::from_be(&k_bytes()),
            }
        }

        fn pow(&self, base: &Mpz, exponent: &Mpz) -> Mpz {
            let mut out = Mpz::zero();
            // SAFETY: initialised mpz_t; the exponent is non-negative and N odd.
            unsafe { tuned__gmpz_powm(&mut out.0, &base.0, &exponent.0, &self.n.0) };
            out
        }

        fn reduce(&self, value: &Mpz) -> Mpz {
            Mpz::binary(value, &self.n, tuned__gmpz_mod)
        }
    }

    impl ModArith for TunedGmp {
        fn g_pow(&self, e: &[u8]) -> Vec<u8> {
            self.pow(&self.g, &Mpz::from_be(e)).to_be()
        }

        fn client_premaster(&self, a: &[u8], b_public: &[u8], u: &[u8], x: &[u8]) -> Vec<u8> {
            let x = Mpz::from_be(x);
            let k_gx = self.reduce(&Mpz::binary(
                &self.k,
                &self.pow(&self.g, &x),
                tuned__gmpz_mul,
            ));
            let b = self.reduce(&Mpz::from_be(b_public));
            let base = self.reduce(&Mpz::binary(
                &Mpz::binary(&b, &self.n, tuned__gmpz_add),
                &k_gx,
                tuned__gmpz_sub,
            ));
            let ux = Mpz::binary(&Mpz::from_be(u), &x, tuned__gmpz_mul);
            let exponent = Mpz::binary(&Mpz::from_be(a), &ux, tuned__gmpz_add);
            self.pow(&base, &exponent).to_be()
        }

        fn server_public(&self, v: &[u8], b: &[u8]) -> Vec<u8> {
            let g_b = self.pow(&self.g, &Mpz::from_be(b));
            let k_v = Mpz::binary(&self.k, &Mpz::from_be(v), tuned__gmpz_mul);
            self.reduce(&Mpz::binary(&k_v, &g_b, tuned__gmpz_add))
                .to_be()
        }

        fn server_premaster(&self, a_public: &[u8], v: &[u8], u: &[u8], b: &[u8]) -> Vec<u8> {
            let v_u = self.pow(&Mpz::from_be(v), &Mpz::from_be(u));
            let base = self.reduce(&Mpz::binary(&Mpz::from_be(a_public), &v_u, tuned__gmpz_mul));
            self.pow(&base, &Mpz::from_be(b)).to_be()
        }

        fn is_zero_mod_n(&self, value: &[u8]) -> bool {
            let reduced = self.reduce(&Mpz::from_be(value));
            // SAFETY: initialised mpz_t.
            unsafe { tuned__gmpz_cmp_ui(&reduced.0, 0) == 0 }
        }
    }
}

mod openssl {
    use super::*;

    #[repr(C)]
    struct Bignum {
        _opaque: [u8; 0],
    }
    #[repr(C)]
    struct BnCtx {
        _opaque: [u8; 0],
    }
    #[repr(C)]
    struct BnMontCtx {
        _opaque: [u8; 0],
    }

    unsafe extern "C" {
        fn BN_new() -> *mut Bignum;
        fn BN_free(a: *mut Bignum);
        fn BN_bin2bn(s: *const u8, len: c_int, ret: *mut Bignum) -> *mut Bignum;
        fn BN_bn2bin(a: *const Bignum, to: *mut u8) -> c_int;
        fn BN_num_bits(a: *const Bignum) -> c_int;
        fn BN_is_zero(a: *const Bignum) -> c_int;
        fn BN_CTX_new() -> *mut BnCtx;
        fn BN_CTX_free(c: *mut BnCtx);
        fn BN_MONT_CTX_new() -> *mut BnMontCtx;
        fn BN_MONT_CTX_set(mont: *mut BnMontCtx, modulus: *const Bignum, ctx: *mut BnCtx) -> c_int;
        fn BN_MONT_CTX_free(mont: *mut BnMontCtx);
        fn BN_mod_exp_mont_consttime(
            rr: *mut Bignum,
            a: *const Bignum,
            p: *const Bignum,
            m: *const Bignum,
            ctx: *mut BnCtx,
            in_mont: *mut BnMontCtx,
        ) -> c_int;
        fn BN_mod_mul(
            r: *mut Bignum,
            a: *const Bignum,
            b: *const Bignum,
            m: *const Bignum,
            ctx: *mut BnCtx,
        ) -> c_int;
        fn BN_mod_add(
            r: *mut Bignum,
            a: *const Bignum,
            b: *const Bignum,
            m: *const Bignum,
            ctx: *mut BnCtx,
        ) -> c_int;
        fn BN_mod_sub(
            r: *mut Bignum,
            a: *const Bignum,
            b: *const Bignum,
            m: *const Bignum,
            ctx: *mut BnCtx,
        ) -> c_int;
        fn BN_mul(r: *mut Bignum, a: *const Bignum, b: *const Bignum, ctx: *mut BnCtx) -> c_int;
        fn BN_add(r: *mut Bignum, a: *const Bignum, b: *const Bignum) -> c_int;
        fn BN_nnmod(r: *mut Bignum, a: *const Bignum, m: *const Bignum, ctx: *mut BnCtx) -> c_int;
    }

    /// A `BIGNUM`, freed on drop.
    struct Bn(*mut Bignum);

    impl Bn {
        fn new() -> Self {
            // SAFETY: BN_new has no preconditions; a null result (out of memory)
            // is refused at once.
            let raw = unsafe { BN_new() };
            assert!(!raw.is_null(), "BN_new: out of memory");
            Self(raw)
        }

        fn from_be(bytes: &[u8]) -> Self {
            let value = Self::new();
            let len = c_int::try_from(bytes.len()).expect("short input");
            // SAFETY: `bytes` has `len` readable bytes; `value.0` is a live BIGNUM.
            let out = unsafe { BN_bin2bn(bytes.as_ptr(), len, value.0) };
            assert!(!out.is_null(), "BN_bin2bn failed");
            value
        }

        fn to_be(&self) -> Vec<u8> {
            // SAFETY: a live BIGNUM.
            let bits = unsafe { BN_num_bits(self.0) };
            let mut out = vec![0u8; usize::try_from(bits).expect("non-negative").div_ceil(8)];
            // SAFETY: `out` has BN_num_bytes bytes, exactly what BN_bn2bin writes.
            let written = unsafe { BN_bn2bin(self.0, out.as_mut_ptr()) };
            out.truncate(usize::try_from(written).expect("non-negative"));
            out
        }
    }

    impl Drop for Bn {
        fn drop(&mut self) {
            // SAFETY: allocated by BN_new, freed only here.
            unsafe { BN_free(self.0) };
        }
    }

    fn ok(status: c_int, what: &str) {
        assert!(status == 1, "{what} failed");
    }

    /// OpenSSL's constant-time Montgomery exponentiation
    /// (`BN_mod_exp_mont_consttime`, the path RSA and DH take), with the
    /// Montgomery context for N made once, outside the measurement.
    pub(crate) struct OpenSslConstTime {
        n: Bn,
        g: Bn,
        k: Bn,
        ctx: *mut BnCtx,
        mont: *mut BnMontCtx,
    }

    impl OpenSslConstTime {
        pub(crate) fn new() -> Self {
            let n = Bn::from_be(&hex(N_HEX));
            // SAFETY: no preconditions; null results are refused below.
            let (ctx, mont) = unsafe { (BN_CTX_new(), BN_MONT_CTX_new()) };
            assert!(!ctx.is_null() && !mont.is_null(), "out of memory");
            // SAFETY: live context objects and a live odd modulus.
            ok(
                unsafe { BN_MONT_CTX_set(mont, n.0, ctx) },
                "BN_MONT_CTX_set",
            );
            Self {
                n,
                g: Bn::from_be(&[2]),
                k: Bn::from_be(&k_bytes()),
                ctx,
                mont,
            }
        }

        fn pow(&self, base: &Bn, exponent: &Bn) -> Bn {
            let out = Bn::new();
            // SAFETY: live BIGNUMs, base < N, `mont` set for `n`, `ctx` live.
            ok(
                unsafe {
                    BN_mod_exp_mont_consttime(
                        out.0, base.0, exponent.0, self.n.0, self.ctx, self.mont,
                    )
                },
                "BN_mod_exp_mont_consttime",
            );
            out
        }

        fn modular(
            &self,
            a: &Bn,
            b: &Bn,
            f: unsafe extern "C" fn(
                *mut Bignum,
                *const Bignum,
                *const Bignum,
                *const Bignum,
                *mut BnCtx,
            ) -> c_int,
        ) -> Bn {
            let out = Bn::new();
            // SAFETY: live BIGNUMs and context.
            ok(
                unsafe { f(out.0, a.0, b.0, self.n.0, self.ctx) },
                "modular op",
            );
            out
        }

        fn reduce(&self, value: &Bn) -> Bn {
            let out = Bn::new();
            // SAFETY: live BIGNUMs and context.
            ok(
                unsafe { BN_nnmod(out.0, value.0, self.n.0, self.ctx) },
                "BN_nnmod",
            );
            out
        }
    }

    impl Drop for OpenSslConstTime {
        fn drop(&mut self) {
            // SAFETY: allocated in `new`, freed only here.
            unsafe {
                BN_MONT_CTX_free(self.mont);
                BN_CTX_free(self.ctx);
            }
        }
    }

    impl ModArith for OpenSslConstTime {
        fn g_pow(&self, e: &[u8]) -> Vec<u8> {
            self.pow(&self.g, &Bn::from_be(e)).to_be()
        }

        fn client_premaster(&self, a: &[u8], b_public: &[u8], u: &[u8], x: &[u8]) -> Vec<u8> {
            let x = Bn::from_be(x);
            let k_gx = self.modular(&self.k, &self.pow(&self.g, &x), BN_mod_mul);
            let b = self.reduce(&Bn::from_be(b_public));
            let base = self.modular(&b, &k_gx, BN_mod_sub);
            let ux = Bn::new();
            let exponent = Bn::new();
            // SAFETY: live BIGNUMs and context.
            unsafe {
                ok(BN_mul(ux.0, Bn::from_be(u).0, x.0, self.ctx), "BN_mul");
                ok(BN_add(exponent.0, Bn::from_be(a).0, ux.0), "BN_add");
            }
            self.pow(&base, &exponent).to_be()
        }

        fn server_public(&self, v: &[u8], b: &[u8]) -> Vec<u8> {
            let g_b = self.pow(&self.g, &Bn::from_be(b));
            let k_v = self.modular(&self.k, &Bn::from_be(v), BN_mod_mul);
            self.modular(&k_v, &g_b, BN_mod_add).to_be()
        }

        fn server_premaster(&self, a_public: &[u8], v: &[u8], u: &[u8], b: &[u8]) -> Vec<u8> {
            let v_u = self.pow(&Bn::from_be(v), &Bn::from_be(u));
            let a = self.reduce(&Bn::from_be(a_public));
            let base = self.modular(&a, &v_u, BN_mod_mul);
            self.pow(&base, &Bn::from_be(b)).to_be()
        }

        fn is_zero_mod_n(&self, value: &[u8]) -> bool {
            let reduced = self.reduce(&Bn::from_be(value));
            // SAFETY: a live BIGNUM.
            unsafe { BN_is_zero(reduced.0) == 1 }
        }
    }
}
