//! Signing out: RevokeToken for one refresh token (Amplify's `signOut()`), or
//! GlobalSignOut for every token of the user (`signOut({ global: true })`).

use secrecy::{ExposeSecret, SecretString};

use crate::{AuthApi, Error};

impl AuthApi {
    /// RevokeToken: the refresh token and every access token it issued stop
    /// working. Sends the client secret when the app client has one.
    pub async fn revoke_token(&self, refresh_token: &SecretString) -> Result<(), Error> {
        self.client()
            .revoke_token()
            .token(refresh_token.expose_secret())
            .client_id(self.client_id())
            .set_client_secret(self.client_secret().map(|s| s.expose_secret().to_owned()))
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(())
    }

    /// GlobalSignOut: every refresh token of the user is revoked, on every device.
    pub async fn global_sign_out(&self, access_token: &SecretString) -> Result<(), Error> {
        self.client()
            .global_sign_out()
            .access_token(access_token.expose_secret())
            .send()
            .await
            .map_err(Error::from_sdk)?;
        Ok(())
    }
}
