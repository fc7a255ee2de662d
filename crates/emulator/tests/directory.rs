//! ListUsers (Cognito's `Filter` syntax, AttributesToGet, Limit and
//! PaginationToken), DeleteUser, ChangePassword and the pool's password policy,
//! through the AWS SDK. Sources of the expected texts: "Error while parsing
//! filter." (aws-sdk-php#1088 capture), "Invalid search attribute: X" (moto's
//! test of Cognito's answer), the Limit validation text (boto3#1356),
//! "Incorrect username or password." (facts doc 8.2), and the
//! "Password did not conform with policy: ..." texts as Cognito apps match them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, PasswordPolicyType, UserPoolPolicyType,
};
use cognito_auth_test_support::*;

/// The usernames ListUsers answers for `filter`, page by page, every page
/// followed until one comes without a PaginationToken.
async fn pages(sdk: &Client, setup: &Setup, filter: &str, limit: Option<i32>) -> Vec<Vec<String>> {
    let pages: Vec<_> = sdk
        .list_users()
        .user_pool_id(&setup.pool_id)
        .filter(filter)
        .set_limit(limit)
        .into_paginator()
        .send()
        .collect()
        .await;
    pages
        .into_iter()
        .map(|page| {
            let page = page.unwrap();
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_owned())
                .collect()
        })
        .collect()
}

/// The usernames ListUsers answers for `filter`, every page followed.
async fn usernames(sdk: &Client, setup: &Setup, filter: &str) -> Vec<String> {
    pages(sdk, setup, filter, None).await.concat()
}

async fn list_users_error(
    sdk: &Client,
    setup: &Setup,
    filter: &str,
    limit: i32,
) -> (String, String) {
    let error = sdk
        .list_users()
        .user_pool_id(&setup.pool_id)
        .filter(filter)
        .limit(limit)
        .send()
        .await;
    refused(error)
}

#[tokio::test]
async fn list_users_filters_and_pages() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(
        &sdk,
        &setup,
        "ann",
        &[
            ("email", "ann@example.com"),
            ("given_name", "Ann"),
            ("family_name", "Reddy"),
        ],
    )
    .await;
    create_user(
        &sdk,
        &setup,
        "anne",
        &[("email", "Anne@Example.com"), ("family_name", "reddy")],
    )
    .await;
    create_user(&sdk, &setup, "bob", &[("phone_number", "+15550100")]).await;
    create_user(&sdk, &setup, "carl", &[]).await;
    sdk.admin_disable_user()
        .user_pool_id(&setup.pool_id)
        .username("carl")
        .send()
        .await
        .unwrap();
    sign_up(&sdk, &setup, "dora", &[("email", "dora@example.com")]).await;
    let ann_sub = sdk
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("ann")
        .send()
        .await
        .unwrap()
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap()
        .to_owned();

    let cases: [(&str, &[&str]); 14] = [
        ("", &["ann", "anne", "bob", "carl", "dora"]),
        (r#"username = "ann""#, &["ann"]),
        (r#"username ^= "ann""#, &["ann", "anne"]),
        // username and status match case-sensitively, the rest do not.
        (r#"username = "ANN""#, &[]),
        (r#"email ^= "ANN""#, &["ann", "anne"]),
        (r#"email = "anne@example.com""#, &["anne"]),
        (r#"family_name = "Reddy""#, &["ann", "anne"]),
        (r#"given_name = "Ann""#, &["ann"]),
        (r#"phone_number = "+15550100""#, &["bob"]),
        (r#"status = "Disabled""#, &["carl"]),
        (r#"status = "disabled""#, &[]),
        (r#"cognito:user_status = "unconfirmed""#, &["dora"]),
        (
            r#""cognito:user_status" = "CONFIRMED""#,
            &["ann", "anne", "bob", "carl"],
        ),
        (r#"preferred_username = "ann""#, &[]),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            usernames(&sdk, &setup, filter).await,
            expected,
            "filter {filter:?}"
        );
    }
    assert_eq!(
        usernames(&sdk, &setup, &format!("sub = \"{ann_sub}\"")).await,
        ["ann"]
    );

    // Two per page: three pages, in username order, the last without a token.
    assert_eq!(
        pages(&sdk, &setup, "", Some(2)).await,
        [vec!["ann", "anne"], vec!["bob", "carl"], vec!["dora"]]
    );

    // AttributesToGet keeps only the attributes asked for.
    let listed = sdk
        .list_users()
        .user_pool_id(&setup.pool_id)
        .filter(r#"username = "ann""#)
        .attributes_to_get("email")
        .attributes_to_get("given_name")
        .send()
        .await
        .unwrap();
    let user = &listed.users()[0];
    let attributes: Vec<_> = user
        .attributes()
        .iter()
        .map(|a| (a.name(), a.value().unwrap()))
        .collect();
    assert_eq!(
        attributes,
        [("email", "ann@example.com"), ("given_name", "Ann")]
    );
    assert!(user.enabled());
    assert_eq!(user.user_status().map(|s| s.as_str()), Some("CONFIRMED"));

    let parse_error = expected("InvalidParameterException", "Error while parsing filter.");
    for malformed in [
        "email",
        r#"email == "a""#,
        r#"email = a"#,
        r#"email = "a" b"#,
    ] {
        assert_eq!(
            list_users_error(&sdk, &setup, malformed, 10).await,
            parse_error,
            "{malformed}"
        );
    }
    assert_eq!(
        list_users_error(&sdk, &setup, r#"custom:team = "x""#, 10).await,
        expected(
            "InvalidParameterException",
            "Invalid search attribute: custom:team"
        )
    );
    assert_eq!(
        list_users_error(&sdk, &setup, "", 61).await,
        expected(
            "InvalidParameterException",
            "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
        )
    );
    let no_pool = sdk
        .list_users()
        .user_pool_id("us-east-1_nothere00")
        .send()
        .await;
    assert_eq!(
        refused(no_pool),
        expected(
            "ResourceNotFoundException",
            "User pool us-east-1_nothere00 does not exist."
        )
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn delete_user_with_an_access_token() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "ann", &[]).await;
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "ann", PASSWORD, None).await);
    let access = tokens.access_token().unwrap();

    let bad = sdk.delete_user().access_token("not-a-token").send().await;
    assert_eq!(
        refused(bad),
        expected("NotAuthorizedException", "Invalid Access Token")
    );
    sdk.delete_user().access_token(access).send().await.unwrap();
    let gone = sdk
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("ann")
        .send()
        .await;
    assert_eq!(
        refused(gone),
        expected("UserNotFoundException", "User does not exist.")
    );
    // The deleted user's tokens are dead.
    let after = sdk.get_user().access_token(access).send().await;
    assert_eq!(
        refused(after),
        expected("NotAuthorizedException", "Access Token has been revoked")
    );
    emulator.shutdown().await;
}

/// The old password given to ChangePassword is a guess like a sign-in's: wrong
/// ones count toward the lockout, and while the user is locked even the right
/// one gets Cognito's LimitExceededException (cognito-api-facts.md, "too many
/// requests"), so it cannot be guessed without limit with a stolen access token.
#[tokio::test]
async fn wrong_old_passwords_to_change_password_count_toward_the_lockout() {
    // Five failures and the check after them fall in the same second.
    let _frozen = cognito_auth_emulator::freeze_clock();
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "gus", &[]).await;
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "gus", PASSWORD, None).await);
    let access = tokens.access_token().unwrap();
    let change = |previous: String| {
        sdk.change_password()
            .access_token(access)
            .previous_password(previous)
            .proposed_password("Brand-New-Pass-7")
            .send()
    };
    for guess in 0..5 {
        let wrong = change(format!("Guess-{guess}-Password")).await.unwrap_err();
        assert_eq!(
            error_of(&wrong),
            expected("NotAuthorizedException", "Incorrect username or password."),
            "guess {guess}"
        );
    }
    let locked = change(PASSWORD.to_owned()).await.unwrap_err();
    assert_eq!(
        error_of(&locked),
        expected(
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time."
        )
    );
    // The sign-in is locked out by the same failures.
    let sign_in = srp_sign_in(&sdk, &setup, "gus", PASSWORD, None)
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&sign_in),
        expected("NotAuthorizedException", "Password attempts exceeded")
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn change_password_checks_the_old_one_and_the_policy() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "ann", &[]).await;
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "ann", PASSWORD, None).await);
    let access = tokens.access_token().unwrap();
    let change = |previous: &str, proposed: &str| {
        sdk.change_password()
            .access_token(access)
            .previous_password(previous)
            .proposed_password(proposed)
            .send()
    };

    let wrong = change("Not-The-Password-1", "Brand-New-Pass-7")
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&wrong),
        expected("NotAuthorizedException", "Incorrect username or password.")
    );
    let weak = change(PASSWORD, "Short-1").await.unwrap_err();
    assert_eq!(
        error_of(&weak),
        expected(
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough"
        )
    );
    let no_symbol = change(PASSWORD, "BrandNewPass7").await.unwrap_err();
    assert_eq!(
        error_of(&no_symbol).1,
        "Password did not conform with policy: Password must have symbol characters"
    );
    change(PASSWORD, "Brand-New-Pass-7").await.unwrap();

    // SRP takes the new password and refuses the old one.
    expect_tokens(srp_sign_in(&sdk, &setup, "ann", "Brand-New-Pass-7", None).await);
    let old = srp_sign_in(&sdk, &setup, "ann", PASSWORD, None)
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&old),
        expected("NotAuthorizedException", "Incorrect username or password.")
    );
    let bad_token = sdk
        .change_password()
        .access_token("not-a-token")
        .previous_password(PASSWORD)
        .proposed_password("Brand-New-Pass-8")
        .send()
        .await;
    assert_eq!(
        refused(bad_token),
        expected("NotAuthorizedException", "Invalid Access Token")
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn every_password_setter_follows_the_pool_policy() {
    let (emulator, sdk, default_setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    let message = |rule: &str| {
        (
            "InvalidPasswordException".to_owned(),
            format!("Password did not conform with policy: {rule}"),
        )
    };

    // A pool without a PasswordPolicy gets Cognito's default: every class required.
    sdk.admin_create_user()
        .user_pool_id(&default_setup.pool_id)
        .username("ann")
        .temporary_password(PASSWORD)
        .send()
        .await
        .unwrap();
    let set = |password: &'static str, pool_id: String| {
        sdk.admin_set_user_password()
            .user_pool_id(pool_id)
            .username("ann")
            .password(password)
            .permanent(true)
            .send()
    };
    for (password, rule) in [
        ("CORRECT-HORSE-9", "Password must have lowercase characters"),
        ("correct-horse-9", "Password must have uppercase characters"),
        ("Correct-Horse-x", "Password must have numeric characters"),
        ("CorrectHorse9", "Password must have symbol characters"),
        ("Co-9", "Password not long enough"),
    ] {
        let refusal = refused(set(password, default_setup.pool_id.clone()).await);
        assert_eq!(refusal, message(rule), "{password}");
    }

    // NEW_PASSWORD_REQUIRED checks the same policy.
    let started = srp_sign_in(&sdk, &default_setup, "ann", PASSWORD, None).await;
    let challenge = expect_challenge(started, ChallengeNameType::NewPasswordRequired);
    let answered = respond(
        &sdk,
        &default_setup.client_id,
        ChallengeNameType::NewPasswordRequired,
        challenge.session(),
        &[("USERNAME", "ann"), ("NEW_PASSWORD", "alllowercase-9")],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&answered),
        message("Password must have uppercase characters")
    );

    // A pool's own policy: 10 characters and a symbol, nothing else.
    let pool = sdk
        .create_user_pool()
        .pool_name("policy")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_symbols(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let setup = create_client(&sdk, &pool_id, ClientOptions::default()).await;
    let sign_up = |password: &'static str| {
        sdk.sign_up()
            .client_id(&setup.client_id)
            .username("bea")
            .password(password)
            .send()
    };
    assert_eq!(
        error_of(&sign_up("abcdefghij").await.unwrap_err()),
        message("Password must have symbol characters")
    );
    assert_eq!(
        error_of(&sign_up("abc-def").await.unwrap_err()),
        message("Password not long enough")
    );
    sign_up("lower-only-ok").await.unwrap();
    emulator.shutdown().await;
}
