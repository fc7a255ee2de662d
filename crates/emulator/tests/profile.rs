//! A signed-in user's own attributes (issue 15): UpdateUserAttributes,
//! GetUserAttributeVerificationCode and VerifyUserAttribute, with codes read
//! from the outbox.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, VerifiedAttributeType,
};
use cognito_auth_test_support::*;

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

async fn attribute_of(sdk: &Client, access_token: &str, name: &str) -> Option<String> {
    sdk.get_user()
        .access_token(access_token)
        .send()
        .await
        .unwrap()
        .user_attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
        .map(str::to_owned)
}

async fn update(
    sdk: &Client,
    access_token: &str,
    name: &str,
    value: &str,
) -> Result<Vec<(String, String, String)>, (String, String)> {
    sdk.update_user_attributes()
        .access_token(access_token)
        .user_attributes(attribute(name, value))
        .send()
        .await
        .map(|out| {
            out.code_delivery_details_list()
                .iter()
                .map(|d| {
                    (
                        d.destination().unwrap_or_default().to_owned(),
                        d.delivery_medium()
                            .map(|m| m.as_str().to_owned())
                            .unwrap_or_default(),
                        d.attribute_name().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .map_err(|error| error_of(&error))
}

async fn verify(
    sdk: &Client,
    access_token: &str,
    name: &str,
    code: &str,
) -> Result<(), (String, String)> {
    sdk.verify_user_attribute()
        .access_token(access_token)
        .attribute_name(name)
        .code(code)
        .send()
        .await
        .map(|_| ())
        .map_err(|error| error_of(&error))
}

fn pair(kind: &str, message: &str) -> (String, String) {
    (kind.to_owned(), message.to_owned())
}

#[tokio::test]
async fn users_update_and_verify_their_own_attributes() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool_id = sdk
        .create_user_pool()
        .pool_name("profiles")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let setup = create_client(
        &sdk,
        &pool_id,
        ClientOptions {
            flows: vec![
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ],
            ..ClientOptions::default()
        },
    )
    .await;
    create_user(
        &sdk,
        &setup,
        "paula",
        &[("email", "paula@example.com"), ("email_verified", "true")],
    )
    .await;
    let signed_in = sdk
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "paula")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    let token = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();

    // A plain attribute: written, nothing to verify.
    assert_eq!(update(&sdk, &token, "name", "Paula").await, Ok(vec![]));
    assert_eq!(
        attribute_of(&sdk, &token, "name").await.as_deref(),
        Some("Paula")
    );
    // The attribute rules hold here too (aws-sdk-js#3603, amplify-flutter#509,
    // aws-sdk-ios#2203).
    assert_eq!(
        update(&sdk, &token, "email_verified", "true").await,
        Err(pair(
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute"
        ))
    );
    assert_eq!(
        update(&sdk, &token, "cognito:groups", "admin").await,
        Err(pair(
            "InvalidParameterException",
            "Attributes did not conform to the schema: cognito:groups: Attribute does not exist in the schema.\n"
        ))
    );
    assert_eq!(
        update(&sdk, &token, "sub", "forged").await,
        Err(pair(
            "InvalidParameterException",
            "Cannot modify the non-mutable attribute sub"
        ))
    );

    // A new email: unverified until the code from the outbox comes back.
    assert_eq!(
        update(&sdk, &token, "email", "pia@example.org").await,
        Ok(vec![(
            "p***@example.org".to_owned(),
            "EMAIL".to_owned(),
            "email".to_owned()
        )])
    );
    assert_eq!(
        attribute_of(&sdk, &token, "email_verified")
            .await
            .as_deref(),
        Some("false")
    );
    let code = last_code(emulator.service(), "paula");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // floci PR #2018 (checked on AWS in eu-central-1) for both answers.
    assert_eq!(
        verify(&sdk, &token, "email", wrong).await,
        Err(pair(
            "CodeMismatchException",
            "Invalid verification code provided, please try again."
        ))
    );
    assert_eq!(verify(&sdk, &token, "email", &code).await, Ok(()));
    assert_eq!(
        attribute_of(&sdk, &token, "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        verify(&sdk, &token, "email", &code).await,
        Err(pair(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again."
        ))
    );

    // A fresh code on request, for an attribute that has one.
    let sent = sdk
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    let details = sent.code_delivery_details().unwrap();
    assert_eq!(details.destination(), Some("p***@example.org"));
    assert_eq!(details.attribute_name(), Some("email"));
    let again = last_code(emulator.service(), "paula");
    assert_eq!(verify(&sdk, &token, "email", &again).await, Ok(()));
    for (name, message) in [
        (
            "name",
            "Invalid attribute name. Only phone_number and email can be verified",
        ),
        (
            "phone_number",
            "User has no attribute phone_number to verify",
        ),
    ] {
        let error = sdk
            .get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name(name)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_of(&error),
            pair("InvalidParameterException", message),
            "{name}"
        );
    }
    // Not without a valid access token.
    let error = sdk
        .update_user_attributes()
        .access_token("not-a-token")
        .user_attributes(attribute("name", "x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        pair("NotAuthorizedException", "Invalid Access Token")
    );
    emulator.shutdown().await;
}
