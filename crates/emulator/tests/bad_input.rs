//! Hostile and broken requests get Cognito errors, never a panic or a 500.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_auth_test_support::*;
use serde_json::{Value, json};

fn error_type(body: &str) -> (String, String) {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    (
        value["__type"].as_str().unwrap_or_default().to_owned(),
        value["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn broken_requests_get_cognito_errors() {
    let emulator = emulator().await;
    let address = emulator.address();
    let sdk = sdk(&emulator.endpoint_url());
    let setup = setup(&sdk, PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "olga", &[]).await;

    // Malformed JSON.
    let (status, head, body) = post_operation(address, "InitiateAuth", b"{not json").await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body).0, "SerializationException");
    assert!(
        head.to_ascii_lowercase()
            .contains("x-amzn-errortype: serializationexception")
    );

    // JSON that is not an object.
    let (status, _, body) = post_operation(address, "InitiateAuth", b"[1,2,3]").await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body).0, "SerializationException");

    // Wrong types.
    let wrong = json!({ "AuthFlow": 7, "ClientId": setup.client_id });
    let (status, _, body) =
        post_operation(address, "InitiateAuth", wrong.to_string().as_bytes()).await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body).0, "SerializationException");
    let wrong = json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": setup.client_id, "AuthParameters": {"USERNAME": 5} });
    let (status, _, body) =
        post_operation(address, "InitiateAuth", wrong.to_string().as_bytes()).await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body).0, "SerializationException");

    // A missing required member.
    let (status, _, body) = post_operation(address, "InitiateAuth", b"{}").await;
    assert_eq!(status, 400);
    assert_eq!(
        error_type(&body),
        (
            "InvalidParameterException".to_owned(),
            "1 validation error detected: Value null at 'authFlow' failed to satisfy constraint: Member must not be null".to_owned()
        )
    );

    // Unknown operation, missing target.
    let (status, head, body) = post_operation(address, "StealAllTheTokens", b"{}").await;
    assert_eq!(status, 400);
    assert_eq!(
        error_type(&body),
        (
            "UnknownOperationException".to_owned(),
            "Operation StealAllTheTokens is not supported by this emulator".to_owned()
        )
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("x-amzn-errortype: unknownoperationexception:")
    );
    let (status, _, body) = post_operation(address, &"Steal".repeat(2000), b"{}").await;
    assert_eq!(status, 400);
    assert_eq!(
        error_type(&body),
        (
            "UnknownOperationException".to_owned(),
            "Unrecognized operation".to_owned()
        ),
        "a huge target is not echoed back"
    );
    // Caller values quoted in a message are cut short.
    let huge_pool = json!({ "UserPoolId": "x".repeat(100_000) });
    let (status, head, body) = post_operation(
        address,
        "DescribeUserPool",
        huge_pool.to_string().as_bytes(),
    )
    .await;
    assert_eq!(status, 400);
    let (kind, message) = error_type(&body);
    assert_eq!(kind, "ResourceNotFoundException");
    assert!(message.starts_with("User pool xxx"), "{message}");
    assert!(
        message.len() <= 512 && message.ends_with("..."),
        "{message}"
    );
    assert!(head.len() < 2048, "the message header is cut too");
    let (status, _, body) = raw_request(address, "POST / HTTP/1.1", b"{}").await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body).0, "UnknownOperationException");

    // Oversized body.
    let huge = vec![b' '; cognito_auth_emulator::http::MAX_BODY_BYTES + 10];
    let (status, _, body) = post_operation(address, "InitiateAuth", &huge).await;
    assert_eq!(status, 413);
    assert_eq!(error_type(&body).0, "InvalidParameterException");

    // Unknown client and pool.
    let unknown = json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": "nope", "AuthParameters": {"USERNAME": "olga", "SRP_A": "ab"} });
    let (status, _, body) =
        post_operation(address, "InitiateAuth", unknown.to_string().as_bytes()).await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body).0, "ResourceNotFoundException");

    // SRP_A: non-hex, huge, zero, missing.
    let srp = |srp_a: Value| {
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": setup.client_id,
            "AuthParameters": { "USERNAME": "olga", "SRP_A": srp_a },
        })
        .to_string()
    };
    for bad in [
        json!("xyz"),
        json!("-12"),
        json!("f".repeat(100_000)),
        json!("0"),
        json!(format!("{:0>768}", "")),
        json!(""),
    ] {
        let (status, _, body) =
            post_operation(address, "InitiateAuth", srp(bad.clone()).as_bytes()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_type(&body).0, "InvalidParameterException", "{body}");
        assert!(body.len() < 1000, "errors do not echo huge input");
    }
    let missing = json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": setup.client_id, "AuthParameters": {"USERNAME": "olga"} });
    let (_, _, body) =
        post_operation(address, "InitiateAuth", missing.to_string().as_bytes()).await;
    assert_eq!(
        error_type(&body),
        (
            "InvalidParameterException".to_owned(),
            "Missing required parameter SRP_A".to_owned()
        )
    );

    // Unknown flow, empty challenge responses, short and forged sessions.
    let flow = json!({ "AuthFlow": "MAGIC", "ClientId": setup.client_id });
    let (status, _, body) =
        post_operation(address, "InitiateAuth", flow.to_string().as_bytes()).await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body).0, "InvalidParameterException");
    let empty = json!({ "ChallengeName": "PASSWORD_VERIFIER", "ClientId": setup.client_id, "ChallengeResponses": {} });
    let (_, _, body) = post_operation(
        address,
        "RespondToAuthChallenge",
        empty.to_string().as_bytes(),
    )
    .await;
    assert_eq!(
        error_type(&body).1,
        "Missing required parameter challenge responses."
    );
    let forged = json!({
        "ChallengeName": "SOFTWARE_TOKEN_MFA",
        "ClientId": setup.client_id,
        "Session": "Z".repeat(40),
        "ChallengeResponses": { "USERNAME": "olga", "SOFTWARE_TOKEN_MFA_CODE": "123456" },
    });
    let (_, _, body) = post_operation(
        address,
        "RespondToAuthChallenge",
        forged.to_string().as_bytes(),
    )
    .await;
    assert_eq!(
        error_type(&body),
        (
            "NotAuthorizedException".to_owned(),
            "Invalid session for the user.".to_owned()
        )
    );
    let verifier = json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ClientId": setup.client_id,
        "ChallengeResponses": {
            "USERNAME": "olga",
            "TIMESTAMP": "Mon Feb 10 18:30:12 UTC 2025",
            "PASSWORD_CLAIM_SIGNATURE": "not base64!!",
            "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA",
        },
    });
    let (_, _, body) = post_operation(
        address,
        "RespondToAuthChallenge",
        verifier.to_string().as_bytes(),
    )
    .await;
    assert_eq!(
        error_type(&body).1,
        "Invalid PASSWORD_CLAIM_SIGNATURE format. Must be a Base64 string."
    );

    // Garbage access tokens.
    for token in ["", "a.b.c", "x", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."] {
        let body = json!({ "AccessToken": token }).to_string();
        let (status, _, body) = post_operation(address, "GetUser", body.as_bytes()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_type(&body).0, "NotAuthorizedException");
    }

    // JWKS of an unknown pool is a 404, not a crash.
    let (status, _, _) = raw_request(
        address,
        "GET /us-east-1_nothere00/.well-known/jwks.json HTTP/1.1",
        b"",
    )
    .await;
    assert_eq!(status, 404);

    // And the server still works.
    expect_tokens(srp_sign_in(&sdk, &setup, "olga", PASSWORD, None).await);
    emulator.shutdown().await;
}
