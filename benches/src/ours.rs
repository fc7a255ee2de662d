//! `cognito-auth-srp` through its public API and `hazmat`.

use std::hint::black_box;
use std::rc::Rc;

use cognito_auth_srp::hazmat::Core;
use cognito_auth_srp::{
    AppClient, ClientPublic, FixedClock, PasswordClaim, PasswordVerifier, PoolId, ServerChallenge,
    UserSrpClient, WireInt, hazmat, register_device_with,
};
use secrecy::SecretString;

use crate::inputs::*;
use crate::{Case, Impl, Op, hex, strip};

/// Parsed inputs, built once, outside the measurements.
struct Fixture {
    pool: PoolId,
    a: Vec<u8>,
    b_public: Vec<u8>,
    u: [u8; 32],
    x: [u8; 32],
    password: SecretString,
    verifier: PasswordVerifier,
    /// The vector's A, as a server binds it at InitiateAuth.
    client_public: ClientPublic,
    device_password: [u8; 40],
    device_salt: [u8; 16],
}

impl Fixture {
    fn new() -> Self {
        let verifier = PasswordVerifier::from_signed_bytes(
            &WireInt::from_unsigned_be(&hex(SALT_HEX)).pad(),
            &WireInt::from_unsigned_be(&hex(VERIFIER_HEX)).pad(),
        )
        .expect("vector verifier");
        let pool = PoolId::parse(POOL_ID).expect("vector pool id");
        let a = hex(A_HEX);
        let client =
            UserSrpClient::with_ephemeral_secret(pool.clone(), AppClient::new(CLIENT_ID), &a)
                .expect("vector a");
        let client_public = ClientPublic::parse(&client.srp_a()).expect("vector A");
        Self {
            pool,
            a,
            b_public: hex(SRP_B_HEX),
            u: hex(U_HEX).try_into().expect("u is 32 bytes"),
            x: hex(X_HEX).try_into().expect("x is 32 bytes"),
            password: SecretString::from(PASSWORD),
            verifier,
            client_public,
            device_password: hex(DEVICE_PASSWORD_BYTES_HEX).try_into().expect("40 bytes"),
            device_salt: hex(DEVICE_SALT_BYTES_HEX).try_into().expect("16 bytes"),
        }
    }

    /// A whole client claim against `srp_b`: A, then the PASSWORD_VERIFIER
    /// responses.
    fn claim(&self, srp_b: &str) -> (String, cognito_auth_srp::Parameters) {
        let client = UserSrpClient::with_ephemeral_secret(
            self.pool.clone(),
            AppClient::new(CLIENT_ID),
            &self.a,
        )
        .expect("vector a");
        let srp_a = client.srp_a();
        let challenge = [
            ("SALT", SALT_HEX),
            ("SRP_B", srp_b),
            ("SECRET_BLOCK", SECRET_BLOCK),
            ("USERNAME", USERNAME),
            ("USER_ID_FOR_SRP", USERNAME),
        ];
        let responses = client
            .password_verifier_responses(
                &challenge[..],
                &self.password,
                None,
                &FixedClock(UNIX_SECONDS),
            )
            .expect("vector claim");
        (srp_a, responses)
    }
}

/// A server login and a valid claim against it, ready to verify.
struct Login {
    server: ServerChallenge,
    secret_block: String,
    timestamp: String,
    signature: String,
}

impl Login {
    fn new(fixture: &Fixture, server: ServerChallenge) -> Self {
        let (_, responses) = fixture.claim(&server.srp_b());
        Self {
            server,
            secret_block: responses["PASSWORD_CLAIM_SECRET_BLOCK"].clone(),
            timestamp: responses["TIMESTAMP"].clone(),
            signature: responses["PASSWORD_CLAIM_SIGNATURE"].clone(),
        }
    }

    fn verify(&self, pool: &PoolId) -> bool {
        let claim = PasswordClaim {
            secret_block: &self.secret_block,
            timestamp: &self.timestamp,
            signature: &self.signature,
        };
        self.server
            .verify_user_claim(pool, USERNAME, &claim)
            .is_ok()
    }
}

/// A claim against the B of a caller-chosen b, for the reference servers, which
/// verify it with the same b.
#[cfg(feature = "compare")]
pub(crate) struct FixedLogin {
    pub(crate) srp_b: Vec<u8>,
    pub(crate) srp_a: String,
    pub(crate) secret_block: String,
    pub(crate) timestamp: String,
    pub(crate) signature: String,
}

#[cfg(feature = "compare")]
impl FixedLogin {
    pub(crate) fn new(b: &[u8]) -> Self {
        let fixture = Fixture::new();
        let server =
            ServerChallenge::with_secret(&fixture.verifier, fixture.client_public.clone(), b)
                .expect("b fits");
        let login = Login::new(&fixture, server);
        assert!(login.verify(&fixture.pool), "our server accepts our claim");
        Self {
            srp_b: hex(&login.server.srp_b()),
            srp_a: fixture.claim(&login.server.srp_b()).0,
            secret_block: login.secret_block,
            timestamp: login.timestamp,
            signature: login.signature,
        }
    }
}

/// A case's body, shared by its two variants (CPU's core, portable core).
type SharedRun = Rc<dyn Fn() -> Vec<u8>>;

pub(crate) fn cases() -> Vec<Case> {
    let f = Rc::new(Fixture::new());
    // The realistic server: a fresh 256-bit b from `ServerChallenge::new`, so B
    // differs from run to run; the claim is made against that B once, here.
    let login = Rc::new(Login::new(
        &f,
        ServerChallenge::new(&f.verifier, f.client_public.clone()).expect("server challenge"),
    ));
    let mut kept = f.verifier.clone();
    kept.precompute();
    let login_kept = Rc::new(Login::new(
        &f,
        ServerChallenge::new(&kept, f.client_public.clone()).expect("server challenge"),
    ));
    let mut cases: Vec<(Op, bool, SharedRun)> = Vec::new();
    let c = f.clone();
    cases.push((
        Op::GPowA,
        true,
        Rc::new(move || strip(&hazmat::client_public(black_box(&c.a)).expect("a fits"))),
    ));
    let c = f.clone();
    cases.push((
        Op::GPowX,
        true,
        Rc::new(move || strip(&hazmat::verifier(black_box(&c.x)))),
    ));
    let c = f.clone();
    cases.push((
        Op::ClientPremaster,
        true,
        Rc::new(move || {
            let s =
                hazmat::client_premaster(black_box(&c.a), &c.b_public, &c.u, &c.x).expect("a fits");
            strip(s.as_ref())
        }),
    ));
    let c = f.clone();
    cases.push((
        Op::WholeClaim,
        true,
        Rc::new(move || {
            let (srp_a, responses) = c.claim(black_box(SRP_B_HEX));
            black_box(srp_a);
            responses["PASSWORD_CLAIM_SIGNATURE"].as_bytes().to_vec()
        }),
    ));
    let c = f.clone();
    cases.push((
        Op::DeviceVerifier,
        true,
        Rc::new(move || {
            let registration = register_device_with(
                DEVICE_GROUP_KEY,
                DEVICE_KEY,
                &c.device_password,
                &c.device_salt,
            );
            registration
                .verifier_config
                .password_verifier
                .as_bytes()
                .to_vec()
        }),
    ));
    let c = f.clone();
    cases.push((
        Op::ServerB,
        false,
        Rc::new(move || {
            let server = ServerChallenge::new(black_box(&c.verifier), c.client_public.clone())
                .expect("server challenge");
            server.srp_b().into_bytes()
        }),
    ));
    let c = f.clone();
    let b = hex(SERVER_B_SECRET_HEX);
    cases.push((
        Op::ServerBWithSecret,
        true,
        Rc::new(move || {
            let server =
                ServerChallenge::with_secret(black_box(&c.verifier), c.client_public.clone(), &b)
                    .expect("a 32-byte b fits");
            hex(&server.srp_b())
        }),
    ));
    let c = f.clone();
    cases.push((
        Op::ServerVerify,
        true,
        Rc::new(move || vec![u8::from(login.verify(&c.pool))]),
    ));
    let c = f;
    cases.push((
        Op::ServerVerifyKept,
        true,
        Rc::new(move || vec![u8::from(login_kept.verify(&c.pool))]),
    ));
    // Each op twice: on the core this CPU picks, and held to the portable core.
    let mut out = Vec::new();
    for (op, deterministic, run) in &cases {
        let run = run.clone();
        out.push(Case::new(*op, Impl::Ours, *deterministic, move || run()));
    }
    for (op, deterministic, run) in cases {
        out.push(Case::new(
            op,
            Impl::OursPortable,
            deterministic,
            move || {
                hazmat::select_core(Core::Portable);
                let result = run();
                // Back to the CPU's own choice (a no-op request where it has no other).
                hazmat::select_core(Core::MulxAdx);
                result
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: Op) -> Vec<u8> {
        let case = cases()
            .into_iter()
            .find(|c| c.op == op)
            .expect("ours has every op");
        (case.run)()
    }

    #[test]
    fn ours_matches_the_vectors() {
        assert_eq!(run(Op::GPowA), hex(EXPECTED_SRP_A));
        assert_eq!(run(Op::GPowX), hex(VERIFIER_HEX));
        assert_eq!(run(Op::ClientPremaster), hex(EXPECTED_S));
        assert_eq!(run(Op::WholeClaim), EXPECTED_SIGNATURE.as_bytes());
        assert_eq!(run(Op::DeviceVerifier), EXPECTED_DEVICE_VERIFIER.as_bytes());
        assert_eq!(run(Op::ServerVerify), vec![1]);
        assert_eq!(run(Op::ServerVerifyKept), vec![1]);
        assert!(!run(Op::ServerB).is_empty());
    }
}
