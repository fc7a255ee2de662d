//! Fixed inputs and expected results, taken from the first user vector
//! (`user-001`) and the first ConfirmDevice vector (`confirm-001`) of
//! `crates/srp/tests/data/cognito-srp-vectors.json` (the `inputs_are_the_vectors`
//! test checks each against the file). Every implementation is benchmarked on these
//! same values, and each deterministic result must equal the expected one.

/// The pool id.
pub const POOL_ID: &str = "us-east-1_AbCdEf123";
/// The app client id (no secret).
pub const CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
/// USERNAME and USER_ID_FOR_SRP.
pub const USERNAME: &str = "alice";
/// The password.
pub const PASSWORD: &str = "Password1!";
/// The client secret a: 128 bytes, 1024 bits.
pub const A_HEX: &str = "0ea2441d2647d4d4ee97d1baec1c2d177e5e9f8842c8979dc473be5cd2e12090ee8c00d6f84792f75299402367898471846f3975c3483ff51fd3966f71f070ca14cdc3c9bcb29b1849289e73be3e87e1b046a8b12017d2bddb8e2eb2500da98a189f0e76ccc7e516dbcffa4d2657851ccf7ffca193e08a4ad273aa630d2a36ad";
/// SALT as sent by Cognito.
pub const SALT_HEX: &str = "4d42f080c41975958ab7c8fd64041c45";
/// SRP_B as sent by Cognito.
pub const SRP_B_HEX: &str = "96ca36879d47517d44ab8633fa90469247703f4b701ccdaec62fdbefcf82da288b4e4d3831d1864de2b30a0eae2313018370cf067c00ca5f07fddb8405fc857f13cf7c78b0534130ba299b273192b46911b652595e9f36d85feeabeafc153d2ef19726f62925766314ce4ba53ffd895045e3f00e26fee5482d11b8b476669933fbd4533987e0808ae069d07b6af19eee46e50bd758047df3a031d85bac327842599b80d53e3ec913cd77d577e13de203252e7d58801d4b4ea9d43c2be06de193820a8d41366f69776f74030e6b4b5c1f4724caa12598ad5a9f1cc3ba924390832eb07fd1491f7e91e73c71a1fe440226f64e065055959494ed939f69c3660e846530f838892a23a1eb58ddc36b054761bee8448d637ddad4805385d79c7d943ffa2430aef31835d3fa551146f81284ad93cf3824bc6d834051e7c295f75258c50fc4fc0ddd3fe5177b3d7ffde543a982eb5bf6d9ffdaef99650c97881a18abd6ff0e2a352065aea9c78646daa9e15f5e7b28489476516e2576e177ad70b4f00a";
/// SECRET_BLOCK (base64).
pub const SECRET_BLOCK: &str = "Ot2f46LKO4+dpdtM8uPm0AeH1GtRHdG5bTqYH3EKqXwM+GzQYfoVqBdcNtVA2tC2A/qYZQwtmjeCGTrTuCE6Z/0/o4erwHFxWW8GbLVksY5Wh428Qe4xS4QlazciFQQ4WursOynWF5ZLmQ0J/lWATcy0O4Vhl2JmXMcis5EbsvUR0keWAGqGUsIl1KlxqkgsT8O4/KeaFa1c/wUAHsTdwX4cKkmzuzB90UnHf1+n+TeVmF+ERyHNMEp0GzcOiIxW9muWXV47FBgvZRQkffx8FfOyUkhDXpmEY2R+HqS92/MOfAupEIYsX3I1G0e1IAKxD37dUH496f0WNYe9vaZBZZM4F1hGqNAKOwsoSeVxs+HY5ISNMpzU68KYVf09LPt/hgwSpP7KG+Ub4rRzmWYZMlCGt8fH7X1l0nbziNAvMDA+XmdJfDnJ81UDuPAdaVS6skOkspo6LCwJP0Z0HsNwRMSv+JEbRxEsh7gDdEAO6/u2o9SDI7aTlngT7UW665OawkZt4FOIEr+4ziGGt1cbquyKwW8T04i2t7j0/57iIyvvIoCOhqzhURDt95STzHRzniAUwN2KicIzX7ptYCGAqZuq/quJfd++mcPjQHQ0avo5RaTjgXTCG7sbk+3r1ug3pS93f6S/QNYwpbzrZyt6iyMJYB9TKiyEEYO65Ck7noehqk5CAVaOpWYGq3JulHyJLdtW6OGGuaVz1whk8QA5JPL6Bdxp1DauCxq3YjR1FBlZcNHRzXdvz/nZV7PeTO8h4vXTp4qTscFX8cwqlfVHGfI6xIf2FBeILjPwv4m2MDQIoDa11SWNcAlR3kxi9eRwTrst+iESJUYWwS4wygtR4vVUVI46WhvkxqxQh8qqiXHj3Vr7Nj0Z7SY8ntPYQjXq0fPxwSzN6lR3OreIZLiKHncwJuASvpxRKlEENxaey0Mpsu85GnNftJ/13k6q9rgl1B+sdt2hxBo8yyZxjbsGs7FglS+aNcSq9+xPo7ZMvO1FZazD5oOsGTNOySNJP7zdv3s0Emh/Fb1A+qnt16wLQcLCWw4xf6fl9+F4CuJ7R7HRHBfLUrGa4UIWm6ca+3de+mJbv26ijNtHx1AIws4Ts7IUTc1BZyXdvN14rXokedxogoqLMFQF/D77USgvQn8un0OBABLQxSr+PtV/zGS7XIkQbpGydi4qlZR0BU+lTzKmwT+kmdRjYTUjEajRP+rYQFLp9YgVHKsMEx1/sGOmaI0+3KUsJzCzvSdGiIt2RyJPVOteqBptaZu7T9fK6aj6NoCGEMomaDz+4pZE6Xa+X/eeGkvZ0WC/RXe4ke15VFyvfq3wj5uB0bjwUtI+W0s/hONVEZFvMGaNPjWsQa6HTFekSKZCHtYRkNNoWaVYfIPXkOqbxMyR3c4qkyMa23xdD/KOChJ2mYCNfYNccOrTJcTa2ichCjKQMT6PF+/MsHAujq5G4xTpiKfS1Hxe6v+JmWYNlfRQ/Ii4zEZiBF8h24FQ2HDuGTVcMuptgmvvtJO6EYPX22z8/zZGWgI=";
/// The TIMESTAMP the claim is signed with.
pub const TIMESTAMP: &str = "Mon Feb 10 18:30:12 UTC 2025";
/// The same instant as Unix seconds.
pub const UNIX_SECONDS: i64 = 1_739_212_212;
/// The expected SRP_A = g^a.
pub const EXPECTED_SRP_A: &str = "39c06fce37ff1f7af69081545893986dcd5949623a569fcf92f6a98e326aceb4c9864cfc6959b1223ed75f8de7e36b5cc993c79d7424650c7ee0923b50e5af31fc36f49498d90259ac937d91e5eddb5b5ec3cc4c6c1e202d6c05bc48346ae79d1bf9a6b897cee233c9afb95d8d49a3e0399d7251a401419cda6b7abce0faf8fe27746055cc30ece3d85adb70b99eb8c06f82d4cf6df586840f3baeb770258714d7d32367ff9705d6557323cce3e446c79e0aac819dcc6f9d593eaca053e366716cef781b0fb9e0f99cc227ebf25fce7d6cee672a5cdc14c8cbc55e644a7bff1ba2b7670b764f84cc6f03d137ae26f9ffc02f5957f4c3fba90396965ebd52a181c03c075aa0067125ceb6762f6c117cf62c5f4fcd1fa27b770ee27aa83dde1a9a9cd542e756fca31b816078609f5a2fb56358284ebbba2785786df7f5763d65a8e97a58355d2bf7fdd1e017613b1fa13ad3646fc265a65a7590a27869f059acd63faa9c309ee271778dd20ae90101ec0d90de2f49b05df3e25d867e0f00156a21";
/// The expected premaster S.
pub const EXPECTED_S: &str = "6ee830be19cb5db1940ff66235dff7a819c018362b066950ea821fc8275162abeae941b9dfc49c92b826ba2de113bc7615d19acbfcfbc33e98adae08fd029f688b4c2036bedcc8f81eeeb219b11a956e56762dc37a97dd57c1288c4a49cd6bfaaf024fe1509549b01b56b053786b63b54b3c307a49f2a956bada3b79c760d1bc391f76f52960e791d0da4e2d7307a06d370d1ed6f04fa198ff2f10fe91a1d6bd6c8483d91d77f5edb03b8d40ac1d7862ec454dc2f533550bb980d738eca0318f4719b858f927c2dd6a9907f9b176c2f483c7cd5674116ba3d253a1dcc520ee1c37f63823bfdf578d34562b1fa00361763e636d99fc5c67e5917e41ef0ea1630acc2cc69cb88467074a3c47e431909b912f6758aa3f1de020ce512efe9d44ba5304d1adf3596ca1d5e8e383ed050dc5ebd698a2024d31f7163cb6e597ee393ff24e5ca159d856406cc4a5e882b6875f8fbfd70763c9721accb68a7a993947a9a4df1fca65925d2cb2beb831d5766b07db4bb430ee48cf88fb779535106c36c337";
/// The scrambler u.
pub const U_HEX: &str = "46a80e972dc34f8c803e24433a360101c02d78b4a8c844737d55bf5f37df9ba0";
/// The private x (256 bits).
pub const X_HEX: &str = "d45171e4ef40d5595b899692eac77aea283ac07e01774204461077b7bec16ab7";
/// The expected PASSWORD_CLAIM_SIGNATURE.
pub const EXPECTED_SIGNATURE: &str = "G4AKhqjQNhxdkSd9QiS5Y2gZnWg1PLhglzqLbWRPmms=";
/// The server's verifier v = g^x.
pub const VERIFIER_HEX: &str = "2621fc6967907426f5f103b363cde9feebcb7a2cfa5d5282359e65f734a40c32b6242a925789ad029e2e94d9ea37887f3cb492f782cb4ad95a8746a1e972770dbc94fbc76e84c1b0d080903fb27bb468272be96a4caa1a14807095337b4d005b64a5469ee811bf9053b5903e45be6bea5aa81f192b9d4a1f2abf4f1b5b26bd6d9a134340d90f35f7957916465f15c160859c26581586ac8cebb6084f0fdd2782cd36e1970992f76fe250fd161a737e2971cafd4b38835d434a32e4cbba8b12aed30e52226c65304b1987b77943af6001242ef6ca30c73d4cf2cc4d4547b61318f5fb83a35b65f3eaac6ea63b751619448373922ccf0bc817b304e45ba2601eeb7c68a96106f45b9bce4f6ae980a5f99b72d2f7d207643a4641abb66f3da9d1db141b0cf700ab2e2ce9289449c84f847409e0f942b39e22d0d30dfdeb0bd7dcdc64db230599f4a583387dc517b17114fc8070ed8253227f225444dedf6db0b41f2949f3a97c512d1af64ee2feea25113ca2e9015167cee2e7d838237648d67556";
/// The server secret b for our fixed-b measurements: the first 32 bytes (256 bits) of the vector's b, the width Cognito and `ServerChallenge::new` use.
pub const SERVER_B_SECRET_HEX: &str =
    "cbb874f2b7c2d828530e153a6a7ecc6fadcc165d082f4b6a8406f76033f59240";
/// DeviceGroupKey.
pub const DEVICE_GROUP_KEY: &str = "-ZhUnQ0bW";
/// DeviceKey.
pub const DEVICE_KEY: &str = "eu-west-1_11111111-2222-3333-4444-555555555555";
/// The 40 random bytes of the device password.
pub const DEVICE_PASSWORD_BYTES_HEX: &str =
    "da50994b299f2b12a165f14bbd0c50b22c043b0f2f48472b0572b642dad07d4bb322333a45284890";
/// The 16 random bytes of the device salt.
pub const DEVICE_SALT_BYTES_HEX: &str = "dffe8a00d108ac4e57236b0682711f74";
/// The expected DeviceSecretVerifierConfig.PasswordVerifier (base64).
pub const EXPECTED_DEVICE_VERIFIER: &str = "F+Wob0QVRWP8wHRmHJYl+gg8VDs4dHwosH3xcGAQp59x0S8hQkYZ7WLfshUZaDIufODno7WWygWDTHepany4XAS74o/qU+j0RYfQhSqW398JqNjhURkZBz1Lga3z0XY/KopOMOrt7CL6ghoMZ5HEwDmeHhe4fWYKKNpKDZI9DBL2GB5lE7k5xjGJgBr05W+d9YHA5xYkZCyKYBNowkvTneGquJfTAlClOjYb8EkBVnVlQdmCpxk7a/ivWFAQsQcqJDX3h3KBJ4JNOwJvupvThblqdR1FYxYp/rL3NIW3Z1iuWMsGGhF0EjsGRZlbT2DQAwO4nbmuvYbpV+Q9bzpD6aw22meEC6XLscqrJu2yOQxjYw5XWou1DLEEEVrTdmnViClzUz1lL3WOFkwDL9LZWVjIKnF/AWYlnoqX0cjbXQa2WB+EvOfQoujQuhwrx+hayu+WI446wFiBkz9fGSdEBzc6tBZkT1+Fqyos+BDYNnx9tFVPnHgv76Z/HkPE1NRQ";
/// The expected B = k·v + g^b mod N for [`SERVER_B_SECRET_HEX`] and
/// [`VERIFIER_HEX`]: not in the vectors (their b is 128 bytes); computed with
/// Python's built-in integers from the file's N, g and k:
/// `format((k * v + pow(g, b, N)) % N, "x")`.
pub const EXPECTED_SERVER_B_FIXED: &str = "6ee24f03eb0002537f19090bcc9623d0d23e985b9b4d8ec0ad619abaa42d932116d044afd428cadbec21730b7093b6d620b51855c9f2cd6c04ffaf5646fff85e508f82adf25e66a93899c2783e45735c9b29398e89763d08d7928c5c0c6c7d1b70d57f769371528bf8a7bbe667ca4391e83051e71989ff607566a1fe35bb1804cd21f932e13c033e5c03c70cf0115459b0f52096c65ab635c2568a5e7aca180ab75f0f268693664200f1d35f07a57f4e0145cf53045d27e5ef65065244d1fa7ddf553dfd4ab28081fb0394e6571bf67954a58c1f0b12cfe7060705ceaaea2632ae542caab1ea91b6580e03d5c006a8d3c5c6b8a43af4c1afc5912a5b54925c87f2b096d25820fe4e29c8f779ed20b4f288b6bbb1f83c3246cd5404c6823dfb8c67ef5e391b4969daa936624dad1103e5c6c6a284bbe164da2a41d4021afff9723e7c2bd476caae6cc34669b3153b66dcf71bb5b9e5293b06c7be17cec56f9e65cd48f64edab0508201830f00078b180f031ca397d0e171594ac754c29e818d57";

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;
    use serde_json::Value;

    use super::*;

    fn vectors() -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/srp/tests/data/cognito-srp-vectors.json");
        let text = std::fs::read_to_string(&path).expect("the vectors in the repository");
        serde_json::from_str(&text).expect("vectors are JSON")
    }

    fn entry<'v>(doc: &'v Value, section: &str, id: &str) -> &'v Value {
        doc[section]
            .as_array()
            .expect("a section")
            .iter()
            .find(|v| v["id"] == id)
            .expect("the vector")
    }

    fn int(hex: &str) -> BigUint {
        BigUint::parse_bytes(hex.as_bytes(), 16).expect("hex")
    }

    #[test]
    fn inputs_are_the_vectors() {
        let doc = vectors();
        let user = entry(&doc, "user_srp", "user-001");
        let (challenge, expected) = (&user["challenge_parameters"], &user["expected"]);
        assert_eq!(user["pool_id"], POOL_ID);
        assert_eq!(user["client_id"], CLIENT_ID);
        assert_eq!(user["username"], USERNAME);
        assert_eq!(challenge["USER_ID_FOR_SRP"], USERNAME);
        assert_eq!(user["password"], PASSWORD);
        assert_eq!(user["a"], A_HEX);
        assert_eq!(challenge["SALT"], SALT_HEX);
        assert_eq!(challenge["SRP_B"], SRP_B_HEX);
        assert_eq!(challenge["SECRET_BLOCK"], SECRET_BLOCK);
        assert_eq!(expected["timestamp"], TIMESTAMP);
        assert_eq!(user["timestamp_utc"], "2025-02-10T18:30:12Z");
        assert_eq!(UNIX_SECONDS, 1_739_212_212, "2025-02-10T18:30:12Z");
        assert_eq!(expected["A"], EXPECTED_SRP_A);
        assert_eq!(expected["S"], EXPECTED_S);
        assert_eq!(expected["u"], U_HEX);
        assert_eq!(expected["x"], X_HEX);
        assert_eq!(expected["password_claim_signature"], EXPECTED_SIGNATURE);
        let verifier = user["server"]["verifier"].as_str().expect("verifier");
        assert_eq!(int(verifier), int(VERIFIER_HEX));
        let b = user["server"]["b"].as_str().expect("b");
        assert_eq!(&b[..64], SERVER_B_SECRET_HEX);

        let confirm = entry(&doc, "confirm_device", "confirm-001");
        assert_eq!(confirm["device_group_key"], DEVICE_GROUP_KEY);
        assert_eq!(confirm["device_key"], DEVICE_KEY);
        assert_eq!(
            confirm["device_password_random_bytes"],
            DEVICE_PASSWORD_BYTES_HEX
        );
        assert_eq!(confirm["salt_random_bytes"], DEVICE_SALT_BYTES_HEX);
        assert_eq!(
            confirm["expected"]["DeviceSecretVerifierConfig"]["PasswordVerifier"],
            EXPECTED_DEVICE_VERIFIER
        );

        // The one expected value the file lacks, from its constants and num-bigint.
        let constants = &doc["constants"];
        let n = int(constants["N"].as_str().expect("N"));
        let g: BigUint = constants["g"].as_str().expect("g").parse().expect("g");
        let k = int(constants["k"].as_str().expect("k"));
        let b = int(SERVER_B_SECRET_HEX);
        let server_b = (k * int(VERIFIER_HEX) + g.modpow(&b, &n)) % &n;
        assert_eq!(server_b, int(EXPECTED_SERVER_B_FIXED));
    }
}
