//! The group Cognito uses: the RFC 5054 / RFC 3526 3072-bit prime N, g = 2, and the
//! SRP-6a multiplier k.

#![forbid(unsafe_code)]

use std::sync::OnceLock;

use num_bigint::BigUint;
use sha2::{Digest, Sha256};

/// N as lowercase hex, 768 digits (RFC 3526 group 15; `initN` in amazon-cognito-identity-js).
pub const N_HEX: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
    "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
    "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
    "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
    "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
    "08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
);

/// The generator.
pub const G: u32 = 2;

/// N as an arbitrary-precision integer.
pub(crate) fn n_biguint() -> &'static BigUint {
    static N: OnceLock<BigUint> = OnceLock::new();
    N.get_or_init(|| BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default())
}

/// N as 384 big-endian bytes.
pub fn n_bytes() -> [u8; 384] {
    let mut out = [0u8; 384];
    let bytes = n_biguint().to_bytes_be();
    out[384 - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// `k = H(pad(N) ‖ pad(g))`, computed from N and g: `H(0x00 ‖ N ‖ 0x02)`.
///
/// Both values are encoded as Java `BigInteger.toByteArray()`, not padded to the
/// width of N; two emulators that padded differently broke every login.
pub fn k() -> [u8; 32] {
    static K: OnceLock<[u8; 32]> = OnceLock::new();
    *K.get_or_init(|| {
        let mut hasher = Sha256::new();
        hasher.update(crate::encoding::pad_unsigned(&n_bytes()));
        hasher.update(crate::encoding::pad_unsigned(&G.to_be_bytes()));
        hasher.finalize().into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_is_the_3072_bit_prime() {
        assert_eq!(n_biguint().bits(), 3072);
        assert_eq!(N_HEX.len(), 768);
        // Fermat check with base 3: a cheap sanity test that no digit was mistyped.
        let n = n_biguint();
        let one = BigUint::from(1u32);
        assert_eq!(BigUint::from(3u32).modpow(&(n - &one), n), one);
    }

    #[test]
    fn k_matches_the_value_cognito_clients_use() {
        let expected = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6";
        let hex: String = k().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }
}
