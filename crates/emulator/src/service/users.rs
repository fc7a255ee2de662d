//! Users: SignUp and ConfirmSignUp, the Admin* user operations, GetUser, and
//! how a password becomes a stored verifier.

use std::collections::BTreeMap;

use cognito_auth_srp::PasswordVerifier;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use super::attributes::{self, Occasion, Writer};
use super::recovery::sign_up_contact;
use super::{Service, parse};
use crate::codes::{self, CONFIRMATION_CODE_SECONDS, OneTimeCode};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::model::{MfaSettings, Pool, User, UserStatus};
use crate::outbox::Message;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeInput {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}
pub(super) fn user_to_wire(user: &User) -> Value {
    json!({
        "Username": user.username,
        "Attributes": user.attribute_list(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.last_modified,
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

/// Masks an address the way Cognito shows CodeDeliveryDetails.Destination.
pub(crate) fn mask_destination(destination: &str) -> String {
    match destination.split_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().unwrap_or('*');
            format!("{first}***@{domain}")
        }
        None => {
            let tail: String = destination
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("+*******{tail}")
        }
    }
}
/// Masks a destination with its domain masked too: how the built-in
/// CreateAuthChallenge shows where its code went, so that the simulated address
/// of a hidden unknown user (which has no real domain) looks like a real one.
pub(crate) fn mask_fully(destination: &str) -> String {
    match destination.split_once('@') {
        Some((local, domain)) => {
            let first = |part: &str| part.chars().next().unwrap_or('*');
            format!("{}***@{}***", first(local), first(domain))
        }
        None => mask_destination(destination),
    }
}

/// Where a hidden unknown user's code would go: chosen by the format of the
/// name typed, as AWS documents for ForgotPassword's simulated delivery
/// (cognito-user-pool-managing-errors). A plain name gets a stand-in address,
/// stable for the name.
pub(crate) fn simulated_destination(typed: &str) -> (&'static str, String) {
    let phone = typed
        .strip_prefix('+')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
    if typed.contains('@') {
        ("EMAIL", typed.to_owned())
    } else if phone {
        ("SMS", typed.to_owned())
    } else {
        let hash = typed
            .bytes()
            .fold(0u8, |acc, b| acc.wrapping_mul(31).wrapping_add(b));
        let letter = char::from(b'a' + hash % 26);
        ("EMAIL", format!("{typed}@{letter}"))
    }
}

impl Service {
    /// Stores a new salt and verifier for `password`, after the pool's policy.
    pub(crate) fn set_password(
        &self,
        pool: &Pool,
        user: &mut User,
        password: &SecretString,
    ) -> ApiResult<()> {
        use secrecy::ExposeSecret;
        super::password::PasswordPolicy::of(pool).check(password.expose_secret())?;
        let mut verifier = PasswordVerifier::for_user(&pool.id, &user.username, password)
            .map_err(|_| ApiError::internal("random source failed"))?;
        verifier.precompute();
        user.salt = verifier.salt_bytes();
        user.verifier = verifier.verifier_bytes();
        user.verifier_powers = verifier.precomputed_bytes().unwrap_or_default();
        Ok(())
    }

    /// Whether `password` is the user's, by recomputing the verifier with the
    /// stored salt: the password itself is never stored.
    pub(crate) fn password_matches(
        &self,
        pool: &Pool,
        user: &User,
        password: &SecretString,
    ) -> bool {
        if user.salt.is_empty() {
            return false;
        }
        let Ok(stored) = PasswordVerifier::from_signed_bytes(&user.salt, &user.verifier) else {
            return false;
        };
        let candidate = PasswordVerifier::for_user_with_salt(
            &pool.id,
            &user.username,
            password,
            stored.salt().clone(),
        );
        self.count_password_work();
        candidate == stored
    }

    /// A new user record: the internal name is the sub when the pool signs in
    /// by email, else the given name. `writer` picks Cognito's wording when the
    /// name is taken.
    fn new_user(
        &self,
        pool: &Pool,
        username: &str,
        attributes: Vec<AttributeInput>,
        status: UserStatus,
        writer: Writer<'_>,
    ) -> ApiResult<User> {
        let sub = ids::uuid();
        let mut attrs: BTreeMap<String, String> = BTreeMap::new();
        for attribute in attributes {
            if attribute.name == "sub" {
                continue;
            }
            attrs.insert(attribute.name, attribute.value.unwrap_or_default());
        }
        let internal = if pool.email_is_username() {
            if !username.contains('@') {
                return Err(ApiError::invalid_parameter("Username should be an email."));
            }
            attrs.insert("email".into(), username.to_owned());
            if self
                .store
                .user_by_email(pool.id.as_str(), username)?
                .is_some()
            {
                return Err(ApiError::new(
                    ErrorKind::UsernameExists,
                    "An account with the given email already exists.",
                ));
            }
            sub.clone()
        } else {
            if self.store.user(pool.id.as_str(), username)?.is_some() {
                // MiniStack PR #1758 (AWS measured in eu-central-1): SignUp says
                // "User already exists", AdminCreateUser "User account already exists".
                let message = match writer {
                    Writer::App(_) => "User already exists",
                    Writer::Admin => "User account already exists",
                };
                return Err(ApiError::new(ErrorKind::UsernameExists, message));
            }
            username.to_owned()
        };
        let now = ids::now();
        Ok(User {
            username: internal,
            sub,
            attributes: attrs,
            status,
            enabled: true,
            salt: Vec::new(),
            verifier: Vec::new(),
            verifier_powers: Vec::new(),
            mfa: MfaSettings::default(),
            confirmation_code: None,
            recovery_code: None,
            verification_codes: BTreeMap::new(),
            created: now,
            last_modified: now,
        })
    }

    pub(super) fn sign_up(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            client_id: String,
            #[serde(default)]
            secret_hash: Option<String>,
            username: String,
            password: Option<String>,
            #[serde(default)]
            user_attributes: Vec<AttributeInput>,
        }
        let input: Input = parse(input)?;
        let client = self.client(&input.client_id)?;
        Self::check_secret_hash(&client, &input.username, input.secret_hash.as_deref())?;
        let pool = self.pool(&client.pool_id)?;
        attributes::check_writes(
            &pool,
            Writer::App(&client),
            Occasion::Create,
            input.user_attributes.iter().map(|a| a.name.as_str()),
        )?;
        let mut user = self.new_user(
            &pool,
            &input.username,
            input.user_attributes,
            UserStatus::Unconfirmed,
            Writer::App(&client),
        )?;
        let password = SecretString::from(input.password.unwrap_or_default());
        self.set_password(&pool, &mut user, &password)?;
        let code = OneTimeCode::issue(CONFIRMATION_CODE_SECONDS);
        user.confirmation_code = Some(code.clone());
        // Stored before the code is in the outbox, so it can be confirmed at once;
        // delivered as ResendConfirmationCode delivers it.
        self.store.insert_user(pool.id.as_str(), &user)?;
        let details = self.deliver(&pool, &user, sign_up_contact(&user), "SIGN_UP", &code);
        Ok(json!({
            "UserConfirmed": false,
            "UserSub": user.sub,
            "CodeDeliveryDetails": details,
        }))
    }

    pub(super) fn confirm_sign_up(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            client_id: String,
            #[serde(default)]
            secret_hash: Option<String>,
            username: String,
            confirmation_code: String,
        }
        let input: Input = parse(input)?;
        let client = self.client(&input.client_id)?;
        Self::check_secret_hash(&client, &input.username, input.secret_hash.as_deref())?;
        let pool = self.pool(&client.pool_id)?;
        let mut user = self
            .find_user(&pool, &input.username)?
            .ok_or_else(ApiError::username_client_not_found)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ApiError::not_authorized(
                "User cannot be confirmed. Current status is CONFIRMED",
            ));
        }
        let checked = codes::check_kept(
            &mut user.confirmation_code,
            &input.confirmation_code,
            "Invalid verification code provided, please try again.",
        );
        if let Err(error) = checked {
            // The wrong answer counts toward the code's limit.
            self.store.update_user(pool.id.as_str(), &user)?;
            return Err(error);
        }
        self.confirm(&pool, &mut user)?;
        match self.sign_up_session(pool, client, user) {
            Some(session) => Ok(json!({ "Session": session })),
            None => Ok(json!({})),
        }
    }

    fn confirm(&self, pool: &Pool, user: &mut User) -> ApiResult<()> {
        user.status = UserStatus::Confirmed;
        user.confirmation_code = None;
        if pool.auto_verified_attributes.iter().any(|a| a == "email") && user.email().is_some() {
            user.attributes
                .insert("email_verified".into(), "true".into());
        }
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), user)?;
        Ok(())
    }

    pub(super) fn admin_confirm_sign_up(&self, input: Value) -> ApiResult<Value> {
        let (pool, mut user) = self.admin_target(input)?;
        if user.status == UserStatus::Unconfirmed {
            self.confirm(&pool, &mut user)?;
        }
        Ok(json!({}))
    }

    /// Pool and user of an `Admin*` call (UserPoolId + Username).
    pub(super) fn admin_target(&self, input: Value) -> ApiResult<(Pool, User)> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            username: String,
        }
        let input: Input = parse(input)?;
        let pool = self.pool(&input.user_pool_id)?;
        let user = self.existing_user(&pool, &input.username)?;
        Ok((pool, user))
    }

    /// Creates a user directly (AdminCreateUser, seed files).
    pub(crate) fn admin_create_user_record(
        &self,
        pool: &Pool,
        username: &str,
        attributes: Vec<AttributeInput>,
        password: Option<(&SecretString, bool)>,
    ) -> ApiResult<User> {
        let mut user = self.new_user(
            pool,
            username,
            attributes,
            UserStatus::ForceChangePassword,
            Writer::Admin,
        )?;
        match password {
            Some((password, permanent)) => {
                self.set_password(pool, &mut user, password)?;
                if permanent {
                    user.status = UserStatus::Confirmed;
                }
            }
            None => {
                // Cognito mails a temporary password; ours goes to the outbox.
                let temporary = super::password::PasswordPolicy::of(pool).temporary_password();
                self.set_password(pool, &mut user, &SecretString::from(temporary.clone()))?;
                self.outbox.send(Message {
                    pool_id: pool.id.to_string(),
                    username: user.username.clone(),
                    medium: "EMAIL".into(),
                    destination: user.email().unwrap_or(&user.username).to_owned(),
                    purpose: "TEMPORARY_PASSWORD".into(),
                    code: temporary,
                    sent_at: ids::now(),
                });
            }
        }
        self.store.insert_user(pool.id.as_str(), &user)?;
        Ok(user)
    }

    /// Creates a user with a known password and status (seed files).
    pub(crate) fn seed_user(
        &self,
        pool: &Pool,
        username: &str,
        attributes: Value,
        password: &SecretString,
        status: UserStatus,
    ) -> ApiResult<()> {
        // Requests' usernames are checked as the request comes in; a seed
        // file's are not.
        crate::limits::check_username(username)?;
        let attributes: Vec<AttributeInput> = parse(attributes)?;
        let mut user = self.new_user(pool, username, attributes, status, Writer::Admin)?;
        self.set_password(pool, &mut user, password)?;
        self.store.insert_user(pool.id.as_str(), &user)?;
        Ok(())
    }

    pub(super) fn admin_create_user(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            username: String,
            #[serde(default)]
            user_attributes: Vec<AttributeInput>,
            #[serde(default)]
            temporary_password: Option<String>,
        }
        let input: Input = parse(input)?;
        let pool = self.pool(&input.user_pool_id)?;
        attributes::check_writes(
            &pool,
            Writer::Admin,
            Occasion::Create,
            input.user_attributes.iter().map(|a| a.name.as_str()),
        )?;
        let temporary = input.temporary_password.map(SecretString::from);
        let user = self.admin_create_user_record(
            &pool,
            &input.username,
            input.user_attributes,
            temporary.as_ref().map(|p| (p, false)),
        )?;
        Ok(json!({ "User": user_to_wire(&user) }))
    }

    pub(super) fn admin_set_user_password(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            password: String,
            #[serde(default)]
            permanent: bool,
        }
        let (pool, mut user) = self.admin_target(input.clone())?;
        let input: Input = parse(input)?;
        self.set_password(&pool, &mut user, &SecretString::from(input.password))?;
        user.status = if input.permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({}))
    }

    pub(super) fn admin_get_user(&self, input: Value) -> ApiResult<Value> {
        let (_, user) = self.admin_target(input)?;
        let mut wire = json!({
            "Username": user.username,
            "UserAttributes": user.attribute_list(),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.last_modified,
            "Enabled": user.enabled,
            "UserStatus": user.status.as_str(),
        });
        add_mfa_fields(&mut wire, &user);
        Ok(wire)
    }

    pub(super) fn admin_delete_user(&self, input: Value) -> ApiResult<Value> {
        let (pool, user) = self.admin_target(input)?;
        self.store.delete_user(pool.id.as_str(), &user.username)?;
        Ok(json!({}))
    }

    pub(super) fn admin_set_enabled(&self, input: Value, enabled: bool) -> ApiResult<Value> {
        let (pool, mut user) = self.admin_target(input)?;
        user.enabled = enabled;
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        if !enabled {
            self.store.revoke_user(pool.id.as_str(), &user.username)?;
        }
        Ok(json!({}))
    }

    pub(super) fn admin_update_user_attributes(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_attributes: Vec<AttributeInput>,
        }
        let (pool, mut user) = self.admin_target(input.clone())?;
        let input: Input = parse(input)?;
        attributes::check_writes(
            &pool,
            Writer::Admin,
            Occasion::Update,
            input.user_attributes.iter().map(|a| a.name.as_str()),
        )?;
        for attribute in input.user_attributes {
            user.attributes
                .insert(attribute.name, attribute.value.unwrap_or_default());
        }
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({}))
    }

    pub(super) fn get_user(&self, input: Value) -> ApiResult<Value> {
        let (_, user, _) = self.authenticate_input(input)?;
        let mut wire = json!({
            "Username": user.username,
            "UserAttributes": user.attribute_list(),
        });
        add_mfa_fields(&mut wire, &user);
        Ok(wire)
    }
}

/// PreferredMfaSetting and UserMFASettingList, as AdminGetUser / GetUser show them.
pub(crate) fn add_mfa_fields(wire: &mut Value, user: &User) {
    let factors = user.mfa.enabled_factors();
    if !factors.is_empty() {
        wire["UserMFASettingList"] = json!(factors);
    }
    if let Some(preferred) = &user.mfa.preferred {
        wire["PreferredMfaSetting"] = json!(preferred);
    }
}
