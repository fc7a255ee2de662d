//! Users: SignUp and ConfirmSignUp, the Admin* user operations, GetUser, and
//! how a password becomes a stored verifier.

use std::collections::BTreeMap;

use cognito_auth_srp::PasswordVerifier;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Service, parse, same_secret};
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
fn user_to_wire(user: &User) -> Value {
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
impl Service {
    /// Stores a new salt and verifier for `password`, after the pool's policy.
    pub(crate) fn set_password(
        &self,
        pool: &Pool,
        user: &mut User,
        password: &SecretString,
    ) -> ApiResult<()> {
        use secrecy::ExposeSecret;
        let min_length = pool
            .policies
            .pointer("/PasswordPolicy/MinimumLength")
            .and_then(Value::as_u64)
            .unwrap_or(8);
        let length = u64::try_from(password.expose_secret().chars().count()).unwrap_or(u64::MAX);
        if length < min_length {
            return Err(ApiError::new(
                ErrorKind::InvalidPassword,
                "Password did not conform with policy: Password not long enough",
            ));
        }
        if length > 256 {
            return Err(ApiError::new(
                ErrorKind::InvalidPassword,
                "Password did not conform with policy: Password too long",
            ));
        }
        let verifier = PasswordVerifier::for_user(&pool.id, &user.username, password)
            .map_err(|_| ApiError::internal("random source failed"))?;
        user.salt = verifier.salt_bytes();
        user.verifier = verifier.verifier_bytes();
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
        candidate == stored
    }

    /// A new user record: the internal name is the sub when the pool signs in
    /// by email, else the given name.
    fn new_user(
        &self,
        pool: &Pool,
        username: &str,
        attributes: Vec<AttributeInput>,
        status: UserStatus,
    ) -> ApiResult<User> {
        if username.is_empty() || username.len() > 128 || username.chars().any(char::is_whitespace)
        {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            ));
        }
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
                return Err(ApiError::new(
                    ErrorKind::UsernameExists,
                    "User account already exists",
                ));
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
            mfa: MfaSettings::default(),
            confirmation_code: None,
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
        let mut user = self.new_user(
            &pool,
            &input.username,
            input.user_attributes,
            UserStatus::Unconfirmed,
        )?;
        let password = SecretString::from(input.password.unwrap_or_default());
        self.set_password(&pool, &mut user, &password)?;
        let code = ids::numeric_code();
        user.confirmation_code = Some(code.clone());
        let (medium, destination) = match (user.email(), user.attributes.get("phone_number")) {
            (Some(email), _) => ("EMAIL", email.to_owned()),
            (None, Some(phone)) => ("SMS", phone.clone()),
            (None, None) => ("EMAIL", user.username.clone()),
        };
        self.store.insert_user(pool.id.as_str(), &user)?;
        self.outbox.send(Message {
            pool_id: pool.id.to_string(),
            username: user.username.clone(),
            medium: medium.into(),
            destination: destination.clone(),
            purpose: "SIGN_UP".into(),
            code,
            sent_at: ids::now(),
        });
        Ok(json!({
            "UserConfirmed": false,
            "UserSub": user.sub,
            "CodeDeliveryDetails": {
                "Destination": mask_destination(&destination),
                "DeliveryMedium": medium,
                "AttributeName": if medium == "EMAIL" { "email" } else { "phone_number" },
            },
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
        let mut user = self.existing_user(&pool, &input.username)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ApiError::not_authorized(
                "User cannot be confirmed. Current status is CONFIRMED",
            ));
        }
        let matches = user
            .confirmation_code
            .as_deref()
            .is_some_and(|code| same_secret(code, &input.confirmation_code));
        if !matches {
            return Err(ApiError::new(
                ErrorKind::CodeMismatch,
                "Invalid verification code provided, please try again.",
            ));
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
        let mut user =
            self.new_user(pool, username, attributes, UserStatus::ForceChangePassword)?;
        match password {
            Some((password, permanent)) => {
                self.set_password(pool, &mut user, password)?;
                if permanent {
                    user.status = UserStatus::Confirmed;
                }
            }
            None => {
                // Cognito mails a temporary password; ours goes to the outbox.
                let temporary = format!("Tmp-{}!a1", ids::numeric_code());
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
        let attributes: Vec<AttributeInput> = parse(attributes)?;
        let mut user = self.new_user(pool, username, attributes, status)?;
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
        for attribute in input.user_attributes {
            if attribute.name == "sub" {
                return Err(ApiError::invalid_parameter(
                    "Cannot modify the non-mutable attribute sub",
                ));
            }
            user.attributes
                .insert(attribute.name, attribute.value.unwrap_or_default());
        }
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({}))
    }

    pub(super) fn get_user(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
        }
        let input: Input = parse(input)?;
        let (_, user, _) = self.authenticate(&input.access_token)?;
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
