//! A signed-in user's own attributes: UpdateUserAttributes,
//! GetUserAttributeVerificationCode and VerifyUserAttribute. Writes follow the
//! rules in `attributes`, with the app client the access token was issued to;
//! codes go to the outbox.

use serde::Deserialize;
use serde_json::{Value, json};

use super::attributes::{self, Occasion, Writer};
use super::users::AttributeInput;
use super::{Service, parse};
use crate::codes::{self, CONFIRMATION_CODE_SECONDS, OneTimeCode};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, Pool, User};

/// The attributes a code can verify, and how each code travels.
fn verifiable(name: &str) -> ApiResult<&'static str> {
    match name {
        "email" => Ok("EMAIL"),
        "phone_number" => Ok("SMS"),
        // floci PR #2018 (checked on AWS in eu-central-1): only these two;
        // the text as quoted in amplify-js#3652.
        _ => Err(ApiError::invalid_parameter(
            "Invalid attribute name. Only phone_number and email can be verified",
        )),
    }
}

impl Service {
    /// The pool, user and app client of an access token.
    fn token_owner(&self, access_token: &str) -> ApiResult<(Pool, User, AppClient)> {
        let (pool, user, claims) = self.authenticate(access_token)?;
        let client_id = claims
            .get("client_id")
            .and_then(Value::as_str)
            .ok_or_else(ApiError::invalid_access_token)?;
        let client = self.client(client_id)?;
        Ok((pool, user, client))
    }

    /// Sends a fresh code for `name` to the outbox, keeps it on the user, and
    /// returns the CodeDeliveryDetails.
    fn send_verification_code(&self, pool: &Pool, user: &mut User, name: &str) -> ApiResult<Value> {
        let medium = verifiable(name)?;
        let destination = user.attributes.get(name).cloned().ok_or_else(|| {
            ApiError::invalid_parameter(format!("User has no attribute {name} to verify"))
        })?;
        // Attribute verification codes last as long as sign-up codes (24 h).
        let code = OneTimeCode::issue(CONFIRMATION_CODE_SECONDS);
        let details = self.deliver(
            pool,
            user,
            (medium, name, destination),
            "VERIFY_ATTRIBUTE",
            &code,
        );
        user.verification_codes.insert(name.to_owned(), code);
        Ok(details)
    }

    pub(super) fn update_user_attributes(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
            user_attributes: Vec<AttributeInput>,
        }
        let input: Input = parse(input)?;
        let (pool, mut user, client) = self.token_owner(&input.access_token)?;
        attributes::check_writes(
            &pool,
            Writer::App(&client),
            Occasion::Update,
            input.user_attributes.iter().map(|a| a.name.as_str()),
        )?;
        let mut to_verify = Vec::new();
        for attribute in input.user_attributes {
            let value = attribute.value.unwrap_or_default();
            let changed = user.attributes.get(&attribute.name) != Some(&value);
            if changed && verifiable(&attribute.name).is_ok() {
                // A new address is unproven until its code comes back.
                user.attributes
                    .insert(format!("{}_verified", attribute.name), "false".into());
                user.verification_codes.remove(&attribute.name);
                if pool.auto_verified_attributes.contains(&attribute.name) {
                    to_verify.push(attribute.name.clone());
                }
            }
            user.attributes.insert(attribute.name, value);
        }
        let mut deliveries = Vec::new();
        for name in to_verify {
            deliveries.push(self.send_verification_code(&pool, &mut user, &name)?);
        }
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({ "CodeDeliveryDetailsList": deliveries }))
    }

    pub(super) fn get_user_attribute_verification_code(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
            attribute_name: String,
        }
        let input: Input = parse(input)?;
        let (pool, mut user, _) = self.token_owner(&input.access_token)?;
        let details = self.send_verification_code(&pool, &mut user, &input.attribute_name)?;
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({ "CodeDeliveryDetails": details }))
    }

    pub(super) fn verify_user_attribute(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
            attribute_name: String,
            code: String,
        }
        let input: Input = parse(input)?;
        let (pool, mut user, _) = self.token_owner(&input.access_token)?;
        verifiable(&input.attribute_name)?;
        // floci PR #2018 (checked on AWS in eu-central-1): no code outstanding
        // (never sent, or used) is ExpiredCode, a wrong one CodeMismatch with
        // this message; the attempt limit and expiry are every kept code's.
        let mut pending = user.verification_codes.remove(&input.attribute_name);
        let checked = codes::check_kept(
            &mut pending,
            &input.code,
            "Invalid verification code provided, please try again.",
        );
        if let Err(error) = checked {
            if let Some(still_pending) = pending {
                user.verification_codes
                    .insert(input.attribute_name.clone(), still_pending);
            }
            self.store.update_user(pool.id.as_str(), &user)?;
            return Err(error);
        }
        user.attributes
            .insert(format!("{}_verified", input.attribute_name), "true".into());
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({}))
    }
}
