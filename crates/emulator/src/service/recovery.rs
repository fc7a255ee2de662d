//! Account recovery with one-time codes (issue 15): ForgotPassword and
//! ConfirmForgotPassword, ResendConfirmationCode, AdminResetUserPassword. Codes
//! go to the outbox and are checked by [`crate::codes`], like every other code.

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use super::users::mask_destination;
use super::{Service, lock, parse};
use crate::codes::{self, CONFIRMATION_CODE_SECONDS, OneTimeCode, RECOVERY_CODE_SECONDS};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, Pool, User, UserStatus};
use crate::outbox::Message;

/// ForgotPassword sends its code only to a verified address (developer guide,
/// how-to-recover-a-user-account); this is Cognito's text when there is none.
fn no_verified_contact() -> ApiError {
    ApiError::invalid_parameter(
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
}

/// Where a recovery code goes: the verified email, else the verified phone.
fn verified_contact(user: &User) -> Option<(&'static str, &'static str, String)> {
    let verified = |name: &str| {
        user.attributes
            .get(&format!("{name}_verified"))
            .is_some_and(|v| v == "true")
    };
    if verified("email")
        && let Some(email) = user.email()
    {
        return Some(("EMAIL", "email", email.to_owned()));
    }
    if verified("phone_number")
        && let Some(phone) = user.attributes.get("phone_number")
    {
        return Some(("SMS", "phone_number", phone.clone()));
    }
    None
}

/// Where a sign-up code goes: the email, else the phone, else the username.
pub(super) fn sign_up_contact(user: &User) -> (&'static str, &'static str, String) {
    match (user.email(), user.attributes.get("phone_number")) {
        (Some(email), _) => ("EMAIL", "email", email.to_owned()),
        (None, Some(phone)) => ("SMS", "phone_number", phone.clone()),
        (None, None) => ("EMAIL", "email", user.username.clone()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClientUserInput {
    client_id: String,
    #[serde(default)]
    secret_hash: Option<String>,
    username: String,
}

impl Service {
    /// The app client, pool and user a client-side code operation names, after
    /// its SECRET_HASH; an unknown user is Cognito's "combination not found".
    fn code_subject(&self, input: &ClientUserInput) -> ApiResult<(AppClient, Pool, User)> {
        let client = self.client(&input.client_id)?;
        Self::check_secret_hash(&client, &input.username, input.secret_hash.as_deref())?;
        let pool = self.pool(&client.pool_id)?;
        let user = self
            .find_user(&pool, &input.username)?
            .ok_or_else(ApiError::username_client_not_found)?;
        Ok((client, pool, user))
    }

    /// Sends `code` to the outbox and returns Cognito's CodeDeliveryDetails.
    pub(super) fn deliver(
        &self,
        pool: &Pool,
        user: &User,
        (medium, attribute, destination): (&str, &str, String),
        purpose: &str,
        code: &OneTimeCode,
    ) -> Value {
        self.outbox.send(Message {
            pool_id: pool.id.to_string(),
            username: user.username.clone(),
            medium: medium.into(),
            destination: destination.clone(),
            purpose: purpose.into(),
            code: code.code().to_owned(),
            sent_at: ids::now(),
        });
        json!({
            "Destination": mask_destination(&destination),
            "DeliveryMedium": medium,
            "AttributeName": attribute,
        })
    }

    /// Issues a recovery code for `user` to a verified contact and stores it.
    fn send_recovery_code(&self, pool: &Pool, user: &mut User) -> ApiResult<Value> {
        let contact = verified_contact(user).ok_or_else(no_verified_contact)?;
        let code = OneTimeCode::issue(RECOVERY_CODE_SECONDS);
        let details = self.deliver(pool, user, contact, "FORGOT_PASSWORD", &code);
        user.recovery_code = Some(code);
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), user)?;
        Ok(details)
    }

    pub(super) fn forgot_password(&self, input: Value) -> ApiResult<Value> {
        let input: ClientUserInput = parse(input)?;
        let (_, pool, mut user) = self.code_subject(&input)?;
        if !user.enabled {
            return Err(ApiError::user_disabled());
        }
        let details = self.send_recovery_code(&pool, &mut user)?;
        Ok(json!({ "CodeDeliveryDetails": details }))
    }

    pub(super) fn confirm_forgot_password(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            confirmation_code: String,
            password: String,
        }
        let subject: ClientUserInput = parse(input.clone())?;
        let input: Input = parse(input)?;
        let (_, pool, mut user) = self.code_subject(&subject)?;
        // The new password is checked against the policy before the code, so a
        // weak password costs neither the code nor one of its attempts: the user
        // retries with a stronger one and the same code, as Amplify's
        // Authenticator lets them.
        super::password::PasswordPolicy::of(&pool).check(&input.password)?;
        let checked = codes::check_kept(
            &mut user.recovery_code,
            &input.confirmation_code,
            "Invalid verification code provided, please try again.",
        );
        if let Err(error) = checked {
            self.store.update_user(pool.id.as_str(), &user)?;
            return Err(error);
        }
        self.set_password(&pool, &mut user, &SecretString::from(input.password))?;
        if matches!(
            user.status,
            UserStatus::ResetRequired | UserStatus::ForceChangePassword
        ) {
            user.status = UserStatus::Confirmed;
        }
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        lock(&self.lockout).record_success(pool.id.as_str(), &user.username);
        Ok(json!({}))
    }

    pub(super) fn resend_confirmation_code(&self, input: Value) -> ApiResult<Value> {
        let input: ClientUserInput = parse(input)?;
        let (_, pool, mut user) = self.code_subject(&input)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ApiError::invalid_parameter("User is already confirmed."));
        }
        let code = OneTimeCode::issue(CONFIRMATION_CODE_SECONDS);
        let details = self.deliver(&pool, &user, sign_up_contact(&user), "SIGN_UP", &code);
        user.confirmation_code = Some(code);
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({ "CodeDeliveryDetails": details }))
    }

    /// The user must choose a new password with a recovery code: status
    /// RESET_REQUIRED, a code to the verified contact (AdminResetUserPassword).
    pub(super) fn admin_reset_user_password(&self, input: Value) -> ApiResult<Value> {
        let (pool, mut user) = self.admin_target(input)?;
        user.status = UserStatus::ResetRequired;
        self.send_recovery_code(&pool, &mut user)?;
        Ok(json!({}))
    }
}
