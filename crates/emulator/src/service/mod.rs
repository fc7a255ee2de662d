//! The user-pool state machine, independent of HTTP: `Service::call(operation,
//! body)` takes an operation name and its JSON input and returns the JSON output or
//! a Cognito error. The HTTP layer only moves bytes.

mod attributes;
mod builtin_triggers;
mod choice;
mod custom;
mod devices;
mod directory;
mod groups;
mod mfa;
mod password;
mod pools;
mod profile;
mod progress;
mod recovery;
mod refresh;
mod sign_in;
mod srp;
#[cfg(test)]
mod tests;
mod users;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::lock;
use crate::lockout::Lockout;
use crate::model::{AppClient, Pool, User};
use crate::outbox::Outbox;
use crate::sessions::Sessions;
use crate::store::{Store, StoreError, StoredKey};
use crate::tokens::{self, PoolKeys, SigningKey, TokenError};
use crate::triggers::{self, TriggerTarget};

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Exists => {
                ApiError::new(ErrorKind::UsernameExists, "User account already exists")
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::internal("Internal server error (storage)")
            }
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Invalid => ApiError::invalid_access_token(),
            TokenError::Crypto(what) => {
                tracing::error!(what, "crypto failure");
                ApiError::internal("Internal server error (crypto)")
            }
        }
    }
}

/// Tunables.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// How far a PASSWORD_VERIFIER TIMESTAMP may be from the server clock.
    pub clock_skew_seconds: i64,
    /// Overrides every client's AuthSessionValidity (tests of expiry).
    pub session_validity_seconds: Option<i64>,
    /// The operator's trigger table: a LambdaConfig name (an ARN, say) to the
    /// command or URL that runs it. See [`crate::triggers`].
    pub triggers: BTreeMap<String, TriggerTarget>,
    /// How long a trigger may take before the sign-in fails.
    pub trigger_timeout: Duration,
    /// RSA signing keys (PKCS#8 DER) handed out in turn to new pools instead of
    /// generating fresh ones. Empty (the default) generates a key per pool and
    /// purpose. Test suites set it: generating two RSA-2048 keys per pool was
    /// most of their CPU time. Never share keys this way with real users.
    pub preset_signing_keys: Arc<[Vec<u8>]>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            clock_skew_seconds: 300,
            session_validity_seconds: None,
            triggers: BTreeMap::new(),
            trigger_timeout: triggers::DEFAULT_TIMEOUT,
            preset_signing_keys: Arc::from([]),
        }
    }
}

/// The emulator's state and every operation on it.
#[derive(Debug)]
pub struct Service {
    store: Store,
    sessions: Mutex<Sessions>,
    lockout: Mutex<Lockout>,
    keys: Mutex<HashMap<String, Arc<PoolKeys>>>,
    outbox: Outbox,
    /// Keys the simulated PASSWORD_VERIFIER for unknown users, so one name always
    /// gets the same salt and internal id within this run.
    simulation_key: Vec<u8>,
    /// pad(v) of a verifier no password answers and its powers, made once: an
    /// unknown user's simulated PASSWORD_VERIFIER uses them, so starting and
    /// answering one costs what a real user's costs (no extra g^x per request).
    simulated_verifier: OnceLock<(Vec<u8>, Vec<u8>)>,
    /// How many password proofs and hashes have run (see [`Service::password_work`]).
    password_work: AtomicU64,
    /// The next of [`ServiceConfig::preset_signing_keys`] to hand out.
    next_preset_key: AtomicUsize,
    config: ServiceConfig,
}

/// Turns a serde error into the error AWS gives: a validation error for a missing
/// member, SerializationException for a wrong type.
fn input_error(error: &serde_json::Error) -> ApiError {
    let text = error.to_string();
    if let Some(rest) = text.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let mut member = field.to_owned();
        if let Some(first) = member.get_mut(0..1) {
            first.make_ascii_lowercase();
        }
        return ApiError::null_member(&member);
    }
    // serde's own text names the type found and expected; it holds no input value
    // beyond a short literal, never a whole secret.
    let detail = text.split(" at line").next().unwrap_or_default();
    ApiError::new(ErrorKind::Serialization, detail)
}

/// An operation's input, typed. Cognito's limits (`crate::limits`) were checked
/// once for the whole request in [`Service::call_in_region`]: a handler may
/// parse one input several ways without checking it again.
pub(crate) fn parse<T: DeserializeOwned>(input: Value) -> ApiResult<T> {
    serde_json::from_value(input).map_err(|e| input_error(&e))
}

/// Compares two strings in constant time.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Service {
    /// A service over the database at `path`, or in memory.
    pub fn open(path: Option<&Path>, config: ServiceConfig) -> Result<Self, StoreError> {
        Ok(Self {
            store: Store::open(path)?,
            sessions: Mutex::default(),
            lockout: Mutex::default(),
            keys: Mutex::default(),
            outbox: Outbox::default(),
            simulation_key: ids::random_bytes(32),
            simulated_verifier: OnceLock::new(),
            password_work: AtomicU64::new(0),
            next_preset_key: AtomicUsize::new(0),
            config,
        })
    }

    /// The outbox.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// How many password checks have run: SRP logins opened and claims verified,
    /// passwords hashed. With PreventUserExistenceErrors, tests compare it for
    /// real and unknown users, who must cost the same work.
    pub fn password_work(&self) -> u64 {
        self.password_work.load(Ordering::Relaxed)
    }

    /// Whether `operation` may wait on more than this process's CPU, or hold it
    /// for long: every operation when the store is a file (each commit is
    /// fsynced) or when the trigger table has a command or URL (a trigger may take
    /// seconds), and CreateUserPool, which generates two RSA keys. The HTTP layer
    /// runs these on Tokio's blocking pool; the others (an SRP login is about a
    /// millisecond of CPU) on the worker that read the request.
    pub fn may_block(&self, operation: &str) -> bool {
        !self.store.is_in_memory()
            || self
                .config
                .triggers
                .values()
                .any(|target| !matches!(target, TriggerTarget::Builtin))
            || operation == "CreateUserPool"
    }

    /// A signing key for a new pool: the next preset key in turn (with a kid of
    /// its own), or a new one.
    /// A preset key that does not load fails here, when the pool is made, not
    /// at its first sign-in.
    pub(crate) fn new_signing_key(&self) -> Result<StoredKey, TokenError> {
        let presets = &self.config.preset_signing_keys;
        if presets.is_empty() {
            return tokens::generate_key();
        }
        let turn = self.next_preset_key.fetch_add(1, Ordering::Relaxed) % presets.len();
        let key = StoredKey {
            kid: ids::key_id(),
            pkcs8: presets[turn].clone(),
        };
        SigningKey::load(&key)?;
        Ok(key)
    }

    /// Counts one unit of [`Self::password_work`].
    pub(crate) fn count_password_work(&self) {
        self.password_work.fetch_add(1, Ordering::Relaxed);
    }

    /// How many sign-in sessions are held (bounded by the session table's caps).
    pub fn live_sessions(&self) -> usize {
        lock(&self.sessions).len()
    }

    /// Runs one operation. `body` is the raw request body.
    pub fn call(&self, operation: &str, body: &[u8]) -> ApiResult<Value> {
        self.call_in_region(operation, body, None)
    }

    /// Runs one operation for a request signed for `region` (pools it creates get
    /// ids in that region).
    pub fn call_in_region(
        &self,
        operation: &str,
        body: &[u8],
        region: Option<&str>,
    ) -> ApiResult<Value> {
        let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(body).map_err(|_| {
                ApiError::new(ErrorKind::Serialization, "Request body is not valid JSON")
            })?
        };
        if !input.is_object() {
            return Err(ApiError::new(
                ErrorKind::Serialization,
                "Start of structure or map expected",
            ));
        }
        crate::limits::check_request(&input)?;
        self.dispatch(operation, input, region.unwrap_or(pools::DEFAULT_REGION))
    }

    fn dispatch(&self, operation: &str, input: Value, region: &str) -> ApiResult<Value> {
        match operation {
            "CreateUserPool" => self.create_user_pool(input, region),
            "DescribeUserPool" => self.describe_user_pool(input),
            "UpdateUserPool" => self.update_user_pool(input),
            "CreateUserPoolClient" => self.create_user_pool_client(input),
            "DescribeUserPoolClient" => self.describe_user_pool_client(input),
            "SignUp" => self.sign_up(input),
            "ConfirmSignUp" => self.confirm_sign_up(input),
            "ResendConfirmationCode" => self.resend_confirmation_code(input),
            "ForgotPassword" => self.forgot_password(input),
            "ConfirmForgotPassword" => self.confirm_forgot_password(input),
            "AdminResetUserPassword" => self.admin_reset_user_password(input),
            "AdminCreateUser" => self.admin_create_user(input),
            "AdminSetUserPassword" => self.admin_set_user_password(input),
            "AdminGetUser" => self.admin_get_user(input),
            "AdminDeleteUser" => self.admin_delete_user(input),
            "AdminDisableUser" => self.admin_set_enabled(input, false),
            "AdminEnableUser" => self.admin_set_enabled(input, true),
            "AdminConfirmSignUp" => self.admin_confirm_sign_up(input),
            "AdminUpdateUserAttributes" => self.admin_update_user_attributes(input),
            "InitiateAuth" => self.initiate_auth(input, false),
            "AdminInitiateAuth" => self.initiate_auth(input, true),
            "RespondToAuthChallenge" => self.respond_to_auth_challenge(input, false),
            "AdminRespondToAuthChallenge" => self.respond_to_auth_challenge(input, true),
            "GetTokensFromRefreshToken" => self.get_tokens_from_refresh_token(input),
            "RevokeToken" => self.revoke_token(input),
            "GlobalSignOut" => self.global_sign_out(input),
            "AdminUserGlobalSignOut" => self.admin_user_global_sign_out(input),
            "GetUser" => self.get_user(input),
            "UpdateUserAttributes" => self.update_user_attributes(input),
            "GetUserAttributeVerificationCode" => self.get_user_attribute_verification_code(input),
            "VerifyUserAttribute" => self.verify_user_attribute(input),
            "ConfirmDevice" => self.confirm_device(input),
            "GetDevice" => self.get_device(input),
            "ListDevices" => self.list_devices(input),
            "UpdateDeviceStatus" => self.update_device_status(input),
            "ForgetDevice" => self.forget_device(input),
            "AssociateSoftwareToken" => self.associate_software_token(input),
            "VerifySoftwareToken" => self.verify_software_token(input),
            "SetUserMFAPreference" => self.set_user_mfa_preference(input),
            "AdminSetUserMFAPreference" => self.admin_set_user_mfa_preference(input),
            "ChangePassword" => self.change_password(input),
            "DeleteUser" => self.delete_user(input),
            "ListUsers" => self.list_users(input),
            "CreateGroup" => self.create_group(input),
            "GetGroup" => self.get_group(input),
            "UpdateGroup" => self.update_group(input),
            "DeleteGroup" => self.delete_group(input),
            "ListGroups" => self.list_groups(input),
            "AdminAddUserToGroup" => self.admin_add_user_to_group(input),
            "AdminRemoveUserFromGroup" => self.admin_remove_user_from_group(input),
            "AdminListGroupsForUser" => self.admin_list_groups_for_user(input),
            "ListUsersInGroup" => self.list_users_in_group(input),
            other => {
                // The name comes from the caller's X-Amz-Target header: it is named
                // back only when it looks like an operation, so an error never
                // echoes arbitrary or huge input (found by the emulator_api fuzzer).
                let plausible = !other.is_empty()
                    && other.len() <= 64
                    && other.bytes().all(|b| b.is_ascii_alphanumeric());
                let message = if plausible {
                    format!("Operation {other} is not supported by this emulator")
                } else {
                    "Unrecognized operation".to_owned()
                };
                Err(ApiError::new(ErrorKind::UnknownOperation, message))
            }
        }
    }

    // ---- lookups shared by the operations ----

    pub(crate) fn pool(&self, pool_id: &str) -> ApiResult<Pool> {
        self.store.pool(pool_id)?.ok_or_else(|| {
            ApiError::resource_not_found(format!("User pool {pool_id} does not exist."))
        })
    }

    pub(crate) fn client(&self, client_id: &str) -> ApiResult<AppClient> {
        self.store.client(client_id)?.ok_or_else(|| {
            ApiError::resource_not_found(format!("User pool client {client_id} does not exist."))
        })
    }

    /// Finds a user by what they typed: the internal username, then (depending on
    /// the pool) the email they sign in with, or a verified email alias.
    pub(crate) fn find_user(&self, pool: &Pool, typed: &str) -> ApiResult<Option<User>> {
        if let Some(user) = self.store.user(pool.id.as_str(), typed)? {
            return Ok(Some(user));
        }
        if pool.email_is_username() {
            return Ok(self.store.user_by_email(pool.id.as_str(), typed)?);
        }
        if pool.email_is_alias() {
            return Ok(self
                .store
                .user_by_email(pool.id.as_str(), typed)?
                .filter(User::email_verified));
        }
        Ok(None)
    }

    /// Like [`Self::find_user`] but a missing user is `User does not exist.`.
    pub(crate) fn existing_user(&self, pool: &Pool, typed: &str) -> ApiResult<User> {
        self.find_user(pool, typed)?
            .ok_or_else(ApiError::user_not_found)
    }

    /// Checks SECRET_HASH over `username` for `client`.
    pub(crate) fn check_secret_hash(
        client: &AppClient,
        username: &str,
        provided: Option<&str>,
    ) -> ApiResult<()> {
        let id = &client.client_id;
        match (&client.client_secret, provided) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(ApiError::invalid_parameter(format!(
                "App client {id} is not configured for secret but secret hash was received"
            ))),
            (Some(_), None) => Err(ApiError::not_authorized(format!(
                "Client {id} is configured with secret but SECRET_HASH was not received"
            ))),
            (Some(secret), Some(hash)) => {
                let expected = cognito_auth_srp::secret_hash(username, id, secret);
                if same_secret(&expected, hash) {
                    Ok(())
                } else {
                    Err(ApiError::not_authorized(format!(
                        "Unable to verify secret hash for client {id}"
                    )))
                }
            }
        }
    }

    pub(crate) fn pool_keys(&self, pool_id: &str) -> ApiResult<Arc<PoolKeys>> {
        if let Some(keys) = lock(&self.keys).get(pool_id) {
            return Ok(Arc::clone(keys));
        }
        let missing = || ApiError::internal("pool signing keys missing");
        let id = self.store.key(pool_id, "id")?.ok_or_else(missing)?;
        let access = self.store.key(pool_id, "access")?.ok_or_else(missing)?;
        let keys = Arc::new(PoolKeys {
            id: SigningKey::load(&id)?,
            access: SigningKey::load(&access)?,
        });
        lock(&self.keys).insert(pool_id.to_owned(), Arc::clone(&keys));
        Ok(keys)
    }

    /// The JWKS of a pool, `None` for an unknown pool.
    pub fn jwks(&self, pool_id: &str) -> ApiResult<Option<Value>> {
        if self.store.pool(pool_id)?.is_none() {
            return Ok(None);
        }
        let keys = self.pool_keys(pool_id)?;
        Ok(Some(json!({ "keys": [keys.id.jwk(), keys.access.jwk()] })))
    }

    /// The OpenID discovery document of a pool, `None` for an unknown pool.
    pub fn openid_configuration(&self, pool_id: &str) -> ApiResult<Option<Value>> {
        Ok(self
            .store
            .pool(pool_id)?
            .map(|pool| tokens::openid_configuration(&pool.issuer())))
    }

    /// [`Self::authenticate`] for an operation whose only input is `AccessToken`
    /// (GetUser, DeleteUser, GlobalSignOut, ListDevices).
    pub(crate) fn authenticate_input(&self, input: Value) -> ApiResult<(Pool, User, Value)> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
        }
        let input: Input = parse(input)?;
        self.authenticate(&input.access_token)
    }

    /// Checks an access token: our signature, unexpired, not revoked, user alive.
    pub(crate) fn authenticate(&self, access_token: &str) -> ApiResult<(Pool, User, Value)> {
        let claims =
            tokens::unverified_claims(access_token).ok_or_else(ApiError::invalid_access_token)?;
        let pool_id = claims
            .get("iss")
            .and_then(Value::as_str)
            .and_then(|iss| iss.rsplit('/').next())
            .ok_or_else(ApiError::invalid_access_token)?;
        let pool = self
            .store
            .pool(pool_id)?
            .ok_or_else(ApiError::invalid_access_token)?;
        let claims = self
            .pool_keys(pool.id.as_str())?
            .access
            .verify(access_token)?;
        if claims.get("token_use").and_then(Value::as_str) != Some("access") {
            return Err(ApiError::invalid_access_token());
        }
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp <= ids::now() {
            return Err(ApiError::not_authorized("Access Token has expired"));
        }
        let origin = claims
            .get("origin_jti")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if self.store.origin_revoked(origin)? {
            return Err(ApiError::not_authorized("Access Token has been revoked"));
        }
        let username = claims
            .get("username")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let user = self
            .store
            .user(pool.id.as_str(), username)?
            .ok_or_else(ApiError::user_not_found)?;
        Ok((pool, user, claims))
    }
}

/// Parses CreateUserPool input (for seed files).
pub(crate) fn parse_create_pool(input: Value) -> ApiResult<pools::CreateUserPoolInput> {
    crate::limits::check_request(&input)?;
    parse(input)
}
