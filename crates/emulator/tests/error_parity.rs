//! Error type and message per operation, against what AWS answers: one row per
//! case, each with the source of its expected answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_auth_test_support::*;
use serde_json::{Value, json};

/// One case: an operation, its input, and AWS's answer with where it is from.
struct Case {
    operation: &'static str,
    input: Value,
    error_type: &'static str,
    message: &'static str,
    source: &'static str,
}

#[tokio::test]
async fn errors_match_aws_per_operation() {
    let (emulator, sdk, legacy) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    let hiding = create_client(
        &sdk,
        &legacy.pool_id,
        ClientOptions {
            prevent_existence_errors: true,
            ..ClientOptions::default()
        },
    )
    .await;
    let by_email = setup(
        &sdk,
        PoolOptions {
            email_username: true,
            ..PoolOptions::default()
        },
        ClientOptions::default(),
    )
    .await;
    create_user(&sdk, &legacy, "uma", &[]).await;
    create_user(&sdk, &legacy, "dan", &[]).await;
    sdk.admin_disable_user()
        .user_pool_id(&legacy.pool_id)
        .username("dan")
        .send()
        .await
        .unwrap();
    sign_up(&sdk, &by_email, "eve@example.com", &[]).await;

    let (pool, client, hiding) = (&legacy.pool_id, &legacy.client_id, &hiding.client_id);
    let password_auth = |client: &str, username: &str, password: &str| {
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client,
            "AuthParameters": { "USERNAME": username, "PASSWORD": password },
        })
    };
    let cases = [
        Case {
            operation: "ConfirmSignUp",
            input: json!({ "ClientId": client, "Username": "nobody", "ConfirmationCode": "123456" }),
            error_type: "UserNotFoundException",
            message: "Username/client id combination not found.",
            source: "MiniStack PR #1758, AWS measured in eu-central-1",
        },
        Case {
            operation: "SignUp",
            input: json!({ "ClientId": client, "Username": "uma", "Password": PASSWORD }),
            error_type: "UsernameExistsException",
            message: "User already exists",
            source: "MiniStack PR #1758, AWS measured in eu-central-1",
        },
        Case {
            operation: "SignUp",
            input: json!({ "ClientId": by_email.client_id, "Username": "eve@example.com", "Password": PASSWORD }),
            error_type: "UsernameExistsException",
            message: "An account with the given email already exists.",
            source: "MiniStack PR #1758 (email as username), AWS measured in eu-central-1",
        },
        Case {
            operation: "AdminCreateUser",
            input: json!({ "UserPoolId": pool, "Username": "uma" }),
            error_type: "UsernameExistsException",
            message: "User account already exists",
            source: "MiniStack PR #1758, AWS measured in eu-central-1",
        },
        Case {
            operation: "InitiateAuth",
            input: password_auth(client, "nobody", PASSWORD),
            error_type: "UserNotFoundException",
            message: "User does not exist.",
            source: "AWS docs, cognito-user-pool-managing-errors (LEGACY)",
        },
        Case {
            operation: "InitiateAuth",
            input: password_auth(hiding, "nobody", PASSWORD),
            error_type: "NotAuthorizedException",
            message: "Incorrect username or password.",
            source: "AWS docs, cognito-user-pool-managing-errors (ENABLED)",
        },
        Case {
            operation: "InitiateAuth",
            input: password_auth(client, "uma", "Wrong-Pass-1"),
            error_type: "NotAuthorizedException",
            message: "Incorrect username or password.",
            source: "amazon-cognito-identity-dart PR #62 (captured AWS answer)",
        },
        Case {
            operation: "InitiateAuth",
            input: password_auth(client, "dan", PASSWORD),
            error_type: "NotAuthorizedException",
            message: "User is disabled.",
            source: "moto and MiniStack agree (facts doc 8.2)",
        },
        Case {
            operation: "InitiateAuth",
            input: password_auth(hiding, "dan", "Wrong-Pass-1"),
            error_type: "NotAuthorizedException",
            message: "Incorrect username or password.",
            source: "AWS docs, cognito-user-pool-managing-errors: ENABLED answers sign-in failures generically",
        },
        Case {
            operation: "SignUp",
            input: json!({
                "ClientId": client, "Username": "mallory", "Password": PASSWORD,
                "UserAttributes": [{ "Name": "email_verified", "Value": "true" }],
            }),
            error_type: "NotAuthorizedException",
            message: "A client attempted to write unauthorized attribute",
            source: "aws-sdk-js#3603 (email_verified at SignUp)",
        },
        Case {
            operation: "SignUp",
            input: json!({
                "ClientId": client, "Username": "mallory", "Password": PASSWORD,
                "UserAttributes": [{ "Name": "cognito:groups", "Value": "admin" }],
            }),
            error_type: "InvalidParameterException",
            message: "Attributes did not conform to the schema: cognito:groups: Attribute does not exist in the schema.\n",
            source: "amplify-flutter#509, amplify-js#2167 (AWS's text for an attribute outside the schema)",
        },
        Case {
            operation: "AdminUpdateUserAttributes",
            input: json!({
                "UserPoolId": pool, "Username": "uma",
                "UserAttributes": [{ "Name": "sub", "Value": "forged" }],
            }),
            error_type: "InvalidParameterException",
            message: "Cannot modify the non-mutable attribute sub",
            source: "aws-sdk-ios#2203 (AWS's text for a non-mutable attribute)",
        },
        Case {
            operation: "RespondToAuthChallenge",
            input: json!({
                "ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": "AYABeNoSuchSessionAtAll0123456789",
                "ChallengeResponses": { "USERNAME": "uma", "NEW_PASSWORD": "Brand-New-Pass-7" },
            }),
            error_type: "NotAuthorizedException",
            message: "Invalid session for the user.",
            source: "amplify-js#10959 (captured AWS answer)",
        },
    ];
    for case in cases {
        let body = serde_json::to_vec(&case.input).unwrap();
        let (status, _, reply) = post_operation(emulator.address(), case.operation, &body).await;
        let reply: Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(
            (status, reply["__type"].as_str(), reply["message"].as_str()),
            (400, Some(case.error_type), Some(case.message)),
            "{} {} (expected per {})",
            case.operation,
            case.input,
            case.source
        );
    }
    emulator.shutdown().await;
}
