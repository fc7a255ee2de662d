//! Second factors set up the way a user (or an admin) does it through the SDK.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    EmailMfaSettingsType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
};

use crate::emulator::Setup;
use crate::totp::totp_now;

/// The admin turns SMS MFA on for `username` and makes it the preferred
/// factor, so sign-in asks for an SMS code.
pub async fn prefer_sms_mfa(sdk: &Client, setup: &Setup, username: &str) {
    sdk.admin_set_user_mfa_preference()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// The admin turns email MFA on for `username` and makes it the preferred
/// factor, so sign-in asks for an EMAIL_OTP code.
pub async fn prefer_email_mfa(sdk: &Client, setup: &Setup, username: &str) {
    sdk.admin_set_user_mfa_preference()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// The user enables TOTP as the preferred factor (already verified).
pub async fn prefer_totp_mfa(sdk: &Client, access_token: &str) {
    sdk.set_user_mfa_preference()
        .access_token(access_token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// The user enables both SMS and TOTP and prefers neither, so sign-in asks
/// which to use (SELECT_MFA_TYPE).
pub async fn enable_sms_and_totp_mfa(sdk: &Client, access_token: &str) {
    sdk.set_user_mfa_preference()
        .access_token(access_token)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// The user associates an authenticator (AssociateSoftwareToken), not yet
/// verified. The TOTP secret.
pub async fn associate_totp(sdk: &Client, access_token: &str) -> String {
    sdk.associate_software_token()
        .access_token(access_token)
        .send()
        .await
        .unwrap()
        .secret_code()
        .unwrap()
        .to_owned()
}

/// The user associates an authenticator and verifies it with its current
/// code (which sets no preference). The TOTP secret.
pub async fn verify_totp(sdk: &Client, access_token: &str) -> String {
    let secret = associate_totp(sdk, access_token).await;
    sdk.verify_software_token()
        .access_token(access_token)
        .user_code(totp_now(&secret))
        .send()
        .await
        .unwrap();
    secret
}

/// [`verify_totp`], then the user prefers TOTP: sign-in then asks for
/// SOFTWARE_TOKEN_MFA. The TOTP secret.
pub async fn enable_totp_mfa(sdk: &Client, access_token: &str) -> String {
    let secret = verify_totp(sdk, access_token).await;
    prefer_totp_mfa(sdk, access_token).await;
    secret
}
