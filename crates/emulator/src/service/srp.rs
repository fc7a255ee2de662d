//! The SRP steps of a sign-in: PASSWORD_VERIFIER after USER_SRP_AUTH (or
//! CUSTOM_AUTH with SRP_A), DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER. Every
//! claim is verified in `verify_claim`.

use cognito_auth_srp::{
    ClientPublic, Error as SrpError, PasswordClaim, PasswordVerifier, PoolId, ServerChallenge,
    WireInt, parse_timestamp,
};
use secrecy::SecretString;
use serde_json::{Value, json};

use super::progress::{Parameters, Stage, challenge, required};
use super::{Service, lock};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::lockout::Attempt;
use crate::model::{AppClient, Pool, UserStatus};
use crate::sessions::{ChallengeRound, Session, Step, device_alias, secret_block_alias};

/// Validates SRP_A as Cognito does, without echoing a huge value back.
pub(crate) fn parse_srp_a(srp_a: &str) -> ApiResult<ClientPublic> {
    let shown: String = srp_a.chars().take(64).collect();
    let not_hex = || {
        ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{shown}' at 'sRPA' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-fA-F]+$"
        ))
    };
    if srp_a.is_empty() || !srp_a.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_hex());
    }
    ClientPublic::parse(srp_a).map_err(|error| match error {
        SrpError::InvalidHex { .. } | SrpError::Negative { .. } => not_hex(),
        SrpError::TooLong { .. } => ApiError::invalid_parameter(
            "1 validation error detected: Value at 'sRPA' failed to satisfy constraint: Member must have length less than or equal to 770",
        ),
        _ => ApiError::invalid_parameter("SRP_A is not a valid SRP public value"),
    })
}

/// Cognito's answer to a TIMESTAMP it cannot read.
fn bad_timestamp() -> ApiError {
    ApiError::invalid_parameter("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
}

/// The checks on a PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER answer that need
/// no session, in the order Cognito applies them: the USERNAME and the claim.
fn claim_fields(responses: &Parameters) -> ApiResult<(&str, PasswordClaim<'_>)> {
    let username = required(responses, "USERNAME")?;
    let timestamp = required(responses, "TIMESTAMP")?;
    let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let secret_block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    parse_timestamp(timestamp).map_err(|_| bad_timestamp())?;
    use base64::Engine;
    if base64::engine::general_purpose::STANDARD
        .decode(signature)
        .is_err()
    {
        return Err(ApiError::invalid_parameter(
            "Invalid PASSWORD_CLAIM_SIGNATURE format. Must be a Base64 string.",
        ));
    }
    let claim = PasswordClaim {
        secret_block,
        timestamp,
        signature,
    };
    Ok((username, claim))
}

/// A login of `verifier` bound to the client's SRP_A, the SECRET_BLOCK it hands
/// out, and its SALT, SRP_B and SECRET_BLOCK challenge parameters.
fn open_login(
    verifier: &PasswordVerifier,
    client_public: ClientPublic,
) -> ApiResult<(ServerChallenge, String, Value)> {
    let server = ServerChallenge::new(verifier, client_public)
        .map_err(|_| ApiError::internal("random source failed"))?;
    let secret_block = ids::secret_block();
    let parameters = json!({
        "SALT": server.salt(),
        "SRP_B": server.srp_b(),
        "SECRET_BLOCK": secret_block,
    });
    Ok((server, secret_block, parameters))
}

/// A verifier read back from a record, with the powers kept beside it when the
/// record has them (records written before they were kept have none).
fn stored_verifier(salt: &[u8], verifier: &[u8], powers: &[u8]) -> Option<PasswordVerifier> {
    let verifier = PasswordVerifier::from_signed_bytes(salt, verifier).ok()?;
    if powers.is_empty() {
        return Some(verifier);
    }
    verifier.with_precomputed_bytes(powers).ok()
}

/// Who signs a claim: a user of a pool, or a device of a device group.
enum Claimant<'a> {
    User {
        pool: &'a PoolId,
        user_id_for_srp: &'a str,
    },
    Device {
        device_group_key: &'a str,
        device_key: &'a str,
    },
}

impl Service {
    pub(crate) fn start_srp(
        &self,
        pool: Pool,
        client: AppClient,
        params: &Parameters,
        admin: bool,
        custom_auth: Option<Vec<ChallengeRound>>,
    ) -> ApiResult<Value> {
        let typed = required(params, "USERNAME")?;
        let client_public = parse_srp_a(required(params, "SRP_A")?)?;
        Self::check_secret_hash(
            &client,
            typed,
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        let (internal, verifier, simulated) = match self
            .password_factor_user(&pool, &client, typed)?
        {
            Some(user) => {
                let verifier = stored_verifier(&user.salt, &user.verifier, &user.verifier_powers)
                    .ok_or_else(|| ApiError::internal("stored verifier is malformed"))?;
                (user.username, verifier, false)
            }
            None => {
                let (fake_id, verifier) = self.simulated_verifier(&pool.id, typed)?;
                (fake_id, verifier, true)
            }
        };
        let (server, secret_block, mut parameters) = open_login(&verifier, client_public)?;
        self.count_password_work();
        parameters["USERNAME"] = json!(internal);
        parameters["USER_ID_FOR_SRP"] = json!(internal);
        let session = Session {
            pool_id: pool.id.to_string(),
            client_id: client.client_id.clone(),
            username: internal,
            admin,
            custom_auth,
            device_key: params.get("DEVICE_KEY").cloned(),
            device_authenticated: false,
            auth_time: 0,
            step: Step::PasswordVerifier {
                challenge: Box::new(server),
                secret_block: secret_block.clone(),
                simulated,
            },
            expires: self.session_expiry(&client),
        };
        // AWS sends no Session with PASSWORD_VERIFIER (MiniStack PR #1758, measured
        // in eu-central-1): the answer finds this login by its SECRET_BLOCK.
        lock(&self.sessions).insert(session, vec![secret_block_alias(&secret_block)]);
        Ok(json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": parameters,
        }))
    }

    /// RFC 5054 §2.5.1.3: an unknown user gets a challenge indistinguishable from a
    /// real one, stable per name, that no password can answer. Its verifier is
    /// made once, so the challenge costs what a real user's does.
    fn simulated_verifier(
        &self,
        pool_id: &PoolId,
        typed: &str,
    ) -> ApiResult<(String, PasswordVerifier)> {
        let (fake_id, salt) = self.simulated_identity(pool_id, typed)?;
        // Kept with its powers, as a real user's verifier is.
        let (unknowable, powers) = self.simulated_verifier.get_or_init(|| {
            let password = SecretString::from(ids::uuid());
            let mut verifier =
                PasswordVerifier::for_user_with_salt(pool_id, &fake_id, &password, salt.clone());
            verifier.precompute();
            let powers = verifier.precomputed_bytes().unwrap_or_default();
            (verifier.verifier_bytes(), powers)
        });
        let verifier = stored_verifier(&salt.pad(), unknowable, powers)
            .ok_or_else(|| ApiError::internal("simulated verifier"))?;
        Ok((fake_id, verifier))
    }

    /// USER_PASSWORD_AUTH for an unknown user: the password is hashed as a real
    /// user's would be (same work), and never matches.
    pub(crate) fn simulated_password_check(
        &self,
        pool_id: &PoolId,
        typed: &str,
        password: &SecretString,
    ) -> ApiError {
        let (fake_id, verifier) = match self.simulated_verifier(pool_id, typed) {
            Ok(simulated) => simulated,
            Err(error) => return error,
        };
        let candidate = PasswordVerifier::for_user_with_salt(
            pool_id,
            &fake_id,
            password,
            verifier.salt().clone(),
        );
        self.count_password_work();
        // A uuid password nobody knows: equality here is as good as impossible,
        // and refused anyway.
        std::hint::black_box(candidate == verifier);
        ApiError::incorrect_credentials()
    }

    /// The internal id (UUID format) and salt an unknown name gets, stable for
    /// the name and pool within this run.
    fn simulated_identity(&self, pool_id: &PoolId, typed: &str) -> ApiResult<(String, WireInt)> {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.simulation_key)
            .map_err(|_| ApiError::internal("hmac key"))?;
        mac.update(pool_id.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(typed.as_bytes());
        let digest = mac.finalize().into_bytes();
        let fake_id = uuid::Builder::from_random_bytes(
            <[u8; 16]>::try_from(&digest[16..32]).unwrap_or_default(),
        )
        .into_uuid()
        .to_string();
        Ok((fake_id, WireInt::from_unsigned_be(&digest[..16])))
    }

    pub(super) fn answer_password_verifier(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
        client_metadata: Parameters,
    ) -> ApiResult<Value> {
        let (username, claim) = claim_fields(responses)?;
        let alias = secret_block_alias(claim.secret_block);
        let session = self.take_session(&client, token, Some(&alias))?;
        let Step::PasswordVerifier {
            challenge: server,
            secret_block: issued_block,
            simulated,
        } = &session.step
        else {
            return Err(ApiError::invalid_session());
        };
        if *simulated {
            Self::check_secret_hash(
                &client,
                username,
                responses.get("SECRET_HASH").map(String::as_str),
            )?;
            // The same proof check a real user's answer gets, against a verifier
            // no password matches: the failure costs the same work.
            let pool = self.pool(&session.pool_id)?;
            let claimant = Claimant::User {
                pool: &pool.id,
                user_id_for_srp: &session.username,
            };
            let _ = self.verify_claim(server, issued_block, claimant, &claim, ids::now());
            return Err(ApiError::incorrect_credentials());
        }
        // A disabled user is told so only after proving the password when the
        // client hides user existence (see `password_factor_user`).
        let mut progress = self.progress_any_state(client, &session)?;
        progress.client_metadata = client_metadata;
        self.check_response_user(&progress, responses)?;
        let now = ids::now();
        let pool_name = progress.pool.id.as_str().to_owned();
        let user_name = progress.user.username.clone();
        let attempt = Attempt::begin(&self.lockout, &pool_name, &user_name, now)
            .ok_or_else(ApiError::attempts_exceeded)?;
        let claimant = Claimant::User {
            pool: &progress.pool.id,
            user_id_for_srp: &user_name,
        };
        let verdict = self.verify_claim(server, issued_block, claimant, &claim, now);
        if let Err(error) = verdict {
            if error == ApiError::incorrect_credentials() {
                attempt.failed(now);
                if progress.custom_auth.is_some() {
                    // CUSTOM_AUTH with SRP first: DefineAuthChallenge hears of the
                    // wrong password and decides (it usually fails the sign-in).
                    return self.next_custom_step(progress, "PASSWORD_VERIFIER", false, None);
                }
            }
            return Err(error);
        }
        attempt.succeeded();
        if !progress.user.enabled {
            return Err(ApiError::user_disabled());
        }
        if progress.user.status == UserStatus::Unconfirmed {
            return Err(ApiError::user_not_confirmed());
        }
        if let Some(device_key) = responses.get("DEVICE_KEY") {
            progress.device_key = Some(device_key.clone());
        }
        // A device the user no longer has (forgotten, or never theirs) is refused
        // as Cognito refuses it, so clients can drop it and sign in again without:
        // amazon-cognito-identity-js and Amplify retry on exactly this answer.
        if let Some(device_key) = &progress.device_key {
            let known = self.store.device(device_key)?.is_some_and(|device| {
                device.pool_id == progress.pool.id.as_str()
                    && device.username == progress.user.username
            });
            if !known {
                return Err(ApiError::resource_not_found("Device does not exist."));
            }
        }
        progress.auth_time = now;
        self.advance(progress, Stage::Password)
    }

    pub(super) fn answer_device_srp_auth(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
    ) -> ApiResult<Value> {
        let username = required(responses, "USERNAME")?;
        let device_key = required(responses, "DEVICE_KEY")?;
        let client_public = parse_srp_a(required(responses, "SRP_A")?)?;
        // Without a Session, the pending step is found by user and device; the
        // USERNAME may be an alias, so resolve it first.
        let alias = match token {
            Some(_) => None,
            None => {
                let pool = self.pool(&client.pool_id)?;
                let internal = self
                    .find_user(&pool, username)?
                    .map_or_else(|| username.to_owned(), |u| u.username);
                Some(device_alias(&client.client_id, &internal, device_key))
            }
        };
        let session = self.take_session(&client, token, alias.as_deref())?;
        let Step::DeviceSrpAuth {
            device_key: expected,
        } = &session.step
        else {
            return Err(ApiError::invalid_session());
        };
        if expected != device_key {
            return Err(ApiError::incorrect_credentials());
        }
        let progress = self.progress(client, &session)?;
        self.check_response_user(&progress, responses)?;
        let device = self
            .offered_device(&progress)?
            .ok_or_else(|| ApiError::resource_not_found("Device does not exist."))?;
        let verifier = stored_verifier(&device.salt, &device.verifier, &device.verifier_powers)
            .ok_or_else(|| ApiError::internal("stored device verifier is malformed"))?;
        let (server, secret_block, mut parameters) = open_login(&verifier, client_public)?;
        parameters["USERNAME"] = json!(progress.user.username);
        parameters["DEVICE_KEY"] = json!(device.device_key);
        let token = self.next_session(
            &progress,
            Step::DevicePasswordVerifier {
                challenge: Box::new(server),
                secret_block: secret_block.clone(),
                device_key: device.device_key.clone(),
                device_group_key: device.device_group_key.clone(),
            },
            vec![secret_block_alias(&secret_block)],
        );
        Ok(challenge("DEVICE_PASSWORD_VERIFIER", &token, parameters))
    }

    pub(super) fn answer_device_password_verifier(
        &self,
        client: AppClient,
        token: Option<&str>,
        responses: &Parameters,
    ) -> ApiResult<Value> {
        let (_, claim) = claim_fields(responses)?;
        let device_key = required(responses, "DEVICE_KEY")?;
        let alias = secret_block_alias(claim.secret_block);
        let session = self.take_session(&client, token, Some(&alias))?;
        let Step::DevicePasswordVerifier {
            challenge: server,
            secret_block: issued_block,
            device_key: expected_key,
            device_group_key,
        } = &session.step
        else {
            return Err(ApiError::invalid_session());
        };
        let mut progress = self.progress(client, &session)?;
        self.check_response_user(&progress, responses)?;
        if expected_key != device_key {
            return Err(ApiError::incorrect_credentials());
        }
        let now = ids::now();
        let claimant = Claimant::Device {
            device_group_key,
            device_key,
        };
        self.verify_claim(server, issued_block, claimant, &claim, now)?;
        if let Some(mut device) = self.store.device(device_key)? {
            device.last_authenticated = now;
            self.store.put_device(&device)?;
        }
        progress.device_key = Some(device_key.to_owned());
        progress.device_authenticated = true;
        self.advance(progress, Stage::Device)
    }

    /// Where every PASSWORD_VERIFIER and DEVICE_PASSWORD_VERIFIER claim is
    /// checked, against the login its session holds (which bound SRP_A when it
    /// handed out SRP_B). The block must be the one this login handed out (a
    /// session token with another login's block is a forgery), the signature must
    /// match, and the claim's time must be within the clock skew of `now`.
    fn verify_claim(
        &self,
        login: &ServerChallenge,
        issued_block: &str,
        claimant: Claimant<'_>,
        claim: &PasswordClaim<'_>,
        now: i64,
    ) -> ApiResult<()> {
        if issued_block != claim.secret_block {
            return Err(ApiError::incorrect_credentials());
        }
        self.count_password_work();
        let verdict = match claimant {
            Claimant::User {
                pool,
                user_id_for_srp,
            } => login.verify_user_claim(pool, user_id_for_srp, claim),
            Claimant::Device {
                device_group_key,
                device_key,
            } => login.verify_device_claim(device_group_key, device_key, claim),
        };
        match verdict {
            Ok(signed_at)
                if (signed_at.unix_seconds - now).abs() <= self.config.clock_skew_seconds =>
            {
                Ok(())
            }
            Err(SrpError::InvalidTimestamp) => Err(bad_timestamp()),
            Ok(_) | Err(_) => Err(ApiError::incorrect_credentials()),
        }
    }
}
