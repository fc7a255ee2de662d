//! Groups through the AWS SDK: CreateGroup, GetGroup, ListGroups, UpdateGroup,
//! DeleteGroup, membership, and the `cognito:groups` claim of the tokens.
//! Expected errors are Cognito's: `GroupExistsException` "A group with the name
//! already exists." (amplify-backend#1781), `ResourceNotFoundException` "Group
//! not found." (amplify-cli#2214), `UserNotFoundException` "User does not exist."
//! (facts doc 8.2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_auth_emulator::{Emulator, EmulatorConfig};
use cognito_auth_test_support::*;
use serde_json::{Value, json};

async fn create_group(sdk: &Client, setup: &Setup, name: &str, precedence: Option<i32>) {
    sdk.create_group()
        .user_pool_id(&setup.pool_id)
        .group_name(name)
        .set_precedence(precedence)
        .send()
        .await
        .unwrap();
}

async fn add_to_group(sdk: &Client, setup: &Setup, username: &str, group: &str) {
    sdk.admin_add_user_to_group()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .group_name(group)
        .send()
        .await
        .unwrap();
}

async fn delete_group(sdk: &Client, setup: &Setup, name: &str) {
    sdk.delete_group()
        .user_pool_id(&setup.pool_id)
        .group_name(name)
        .send()
        .await
        .unwrap();
}

/// ListUsersInGroup page by page, NextToken followed: (username, UserStatus).
async fn member_pages(
    sdk: &Client,
    setup: &Setup,
    group: &str,
    limit: Option<i32>,
) -> Vec<Vec<(String, String)>> {
    let pages: Vec<_> = sdk
        .list_users_in_group()
        .user_pool_id(&setup.pool_id)
        .group_name(group)
        .set_limit(limit)
        .into_paginator()
        .send()
        .collect()
        .await;
    let member = |u: &aws_sdk_cognitoidentityprovider::types::UserType| {
        let status = u.user_status().unwrap().as_str().to_owned();
        (u.username().unwrap().to_owned(), status)
    };
    pages
        .into_iter()
        .map(|page| page.unwrap().users().iter().map(member).collect())
        .collect()
}

/// The `cognito:groups` claim of an ID token and of an access token (`Null` when absent).
fn groups_claims(
    tokens: &aws_sdk_cognitoidentityprovider::types::AuthenticationResultType,
) -> (Value, Value) {
    let id = jwt_claims(tokens.id_token().unwrap());
    let access = jwt_claims(tokens.access_token().unwrap());
    (
        id["cognito:groups"].clone(),
        access["cognito:groups"].clone(),
    )
}

async fn groups_for_user(sdk: &Client, setup: &Setup, username: &str) -> Vec<String> {
    sdk.admin_list_groups_for_user()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .send()
        .await
        .unwrap()
        .groups()
        .iter()
        .map(|g| g.group_name().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn groups_are_created_read_listed_updated_and_deleted() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;

    let created = sdk
        .create_group()
        .user_pool_id(&setup.pool_id)
        .group_name("admins")
        .description("the admins")
        .precedence(3)
        .role_arn("arn:aws:iam::123456789012:role/admins")
        .send()
        .await
        .unwrap();
    let group = created.group().unwrap();
    assert_eq!(group.group_name(), Some("admins"));
    assert_eq!(group.user_pool_id(), Some(setup.pool_id.as_str()));
    assert_eq!(group.description(), Some("the admins"));
    assert_eq!(group.precedence(), Some(3));
    assert_eq!(
        group.role_arn(),
        Some("arn:aws:iam::123456789012:role/admins")
    );
    assert!(group.creation_date().is_some() && group.last_modified_date().is_some());

    let fetched = sdk
        .get_group()
        .user_pool_id(&setup.pool_id)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.group().unwrap().description(), Some("the admins"));

    let again = sdk
        .create_group()
        .user_pool_id(&setup.pool_id)
        .group_name("admins")
        .send()
        .await;
    assert_eq!(
        refused(again),
        expected(
            "GroupExistsException",
            "A group with the name already exists."
        )
    );

    let negative = sdk
        .create_group()
        .user_pool_id(&setup.pool_id)
        .group_name("negative")
        .precedence(-1)
        .send()
        .await;
    assert_eq!(
        refused(negative),
        expected(
            "InvalidParameterException",
            "1 validation error detected: Value '-1' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0"
        )
    );

    let no_pool = sdk
        .create_group()
        .user_pool_id("us-east-1_nothere00")
        .group_name("x")
        .send()
        .await;
    assert_eq!(
        refused(no_pool),
        expected(
            "ResourceNotFoundException",
            "User pool us-east-1_nothere00 does not exist."
        )
    );

    // UpdateGroup changes what it is given and keeps the rest.
    let updated = sdk
        .update_group()
        .user_pool_id(&setup.pool_id)
        .group_name("admins")
        .precedence(1)
        .send()
        .await
        .unwrap();
    let group = updated.group().unwrap();
    assert_eq!(
        (group.precedence(), group.description()),
        (Some(1), Some("the admins"))
    );

    // ListGroups pages by name, two at a time.
    create_group(&sdk, &setup, "editors", None).await;
    create_group(&sdk, &setup, "readers", Some(9)).await;
    let first = sdk
        .list_groups()
        .user_pool_id(&setup.pool_id)
        .limit(2)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = first
        .groups()
        .iter()
        .map(|g| g.group_name().unwrap())
        .collect();
    assert_eq!(names, ["admins", "editors"]);
    let token = first.next_token().expect("a second page").to_owned();
    let second = sdk
        .list_groups()
        .user_pool_id(&setup.pool_id)
        .limit(2)
        .next_token(token)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = second
        .groups()
        .iter()
        .map(|g| g.group_name().unwrap())
        .collect();
    assert_eq!(names, ["readers"]);
    assert_eq!(second.next_token(), None);

    let too_many = sdk
        .list_groups()
        .user_pool_id(&setup.pool_id)
        .limit(61)
        .send()
        .await;
    assert_eq!(
        refused(too_many),
        expected(
            "InvalidParameterException",
            "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
        )
    );

    delete_group(&sdk, &setup, "admins").await;
    let get = sdk
        .get_group()
        .user_pool_id(&setup.pool_id)
        .group_name("admins")
        .send()
        .await;
    let delete = sdk
        .delete_group()
        .user_pool_id(&setup.pool_id)
        .group_name("admins")
        .send()
        .await;
    let gone = expected("ResourceNotFoundException", "Group not found.");
    assert_eq!((refused(get), refused(delete)), (gone.clone(), gone));
    emulator.shutdown().await;
}

#[tokio::test]
async fn tokens_carry_cognito_groups_in_precedence_order() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "ann", &[]).await;
    create_user(&sdk, &setup, "bob", &[]).await;

    // Without groups the claim is absent from both tokens.
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "ann", PASSWORD, None).await);
    assert_eq!(groups_claims(&tokens), (Value::Null, Value::Null));

    // Lower precedence first, ties by name, groups without precedence last.
    create_group(&sdk, &setup, "readers", None).await;
    create_group(&sdk, &setup, "editors", Some(5)).await;
    create_group(&sdk, &setup, "zeta", Some(1)).await;
    create_group(&sdk, &setup, "admins", Some(1)).await;
    create_group(&sdk, &setup, "auditors", None).await;
    for group in ["readers", "editors", "zeta", "admins", "auditors"] {
        add_to_group(&sdk, &setup, "ann", group).await;
    }
    // Adding a member again changes nothing.
    add_to_group(&sdk, &setup, "ann", "admins").await;
    let order = json!(["admins", "zeta", "editors", "auditors", "readers"]);
    assert_eq!(json!(groups_for_user(&sdk, &setup, "ann").await), order);

    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "ann", PASSWORD, None).await);
    assert_eq!(groups_claims(&tokens), (order.clone(), order.clone()));
    let bob = expect_tokens(srp_sign_in(&sdk, &setup, "bob", PASSWORD, None).await);
    assert_eq!(groups_claims(&bob), (Value::Null, Value::Null));

    // Removal and group deletion show in the next tokens, refreshed ones too.
    sdk.admin_remove_user_from_group()
        .user_pool_id(&setup.pool_id)
        .username("ann")
        .group_name("zeta")
        .send()
        .await
        .unwrap();
    delete_group(&sdk, &setup, "readers").await;
    let refreshed = expect_tokens(
        initiate(
            &sdk,
            &setup.client_id,
            AuthFlowType::RefreshTokenAuth,
            &[("REFRESH_TOKEN", tokens.refresh_token().unwrap())],
        )
        .await,
    );
    let order = json!(["admins", "editors", "auditors"]);
    assert_eq!(groups_claims(&refreshed), (order.clone(), order));

    let confirmed = |name: &str| (name.to_owned(), "CONFIRMED".to_owned());
    assert_eq!(
        member_pages(&sdk, &setup, "admins", None).await,
        [vec![confirmed("ann")]]
    );
    add_to_group(&sdk, &setup, "bob", "admins").await;
    assert_eq!(
        member_pages(&sdk, &setup, "admins", Some(1)).await,
        [vec![confirmed("ann")], vec![confirmed("bob")]]
    );

    // Deleting a user takes them out of their groups.
    sdk.admin_delete_user()
        .user_pool_id(&setup.pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        member_pages(&sdk, &setup, "admins", None).await,
        [vec![confirmed("ann")]]
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn membership_errors_name_the_missing_user_or_group() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "ann", &[]).await;
    create_group(&sdk, &setup, "admins", None).await;
    let pool = setup.pool_id.as_str();
    let no_user = || expected("UserNotFoundException", "User does not exist.");
    let no_group = || expected("ResourceNotFoundException", "Group not found.");

    let add = |username: &'static str, group: &'static str| {
        sdk.admin_add_user_to_group()
            .user_pool_id(pool)
            .username(username)
            .group_name(group)
            .send()
    };
    assert_eq!(refused(add("nobody", "admins").await), no_user());
    assert_eq!(refused(add("ann", "ghosts").await), no_group());
    let remove = sdk
        .admin_remove_user_from_group()
        .user_pool_id(pool)
        .username("ann")
        .group_name("ghosts")
        .send()
        .await;
    assert_eq!(refused(remove), no_group());
    let list = sdk
        .admin_list_groups_for_user()
        .user_pool_id(pool)
        .username("nobody")
        .send()
        .await;
    assert_eq!(refused(list), no_user());
    let members = sdk
        .list_users_in_group()
        .user_pool_id(pool)
        .group_name("ghosts")
        .send()
        .await;
    assert_eq!(refused(members), no_group());
    emulator.shutdown().await;
}

#[tokio::test]
async fn groups_and_members_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || EmulatorConfig {
        data: Some(dir.path().join("cognito.sqlite")),
        ..emulator_config()
    };
    let emulator = Emulator::start(config()).await.unwrap();
    let sdk = sdk(&emulator.endpoint_url());
    let setup = setup(&sdk, PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "ann", &[]).await;
    create_group(&sdk, &setup, "admins", Some(2)).await;
    create_group(&sdk, &setup, "staff", Some(1)).await;
    add_to_group(&sdk, &setup, "ann", "admins").await;
    add_to_group(&sdk, &setup, "ann", "staff").await;
    emulator.shutdown().await;

    let emulator = Emulator::start(config()).await.unwrap();
    let sdk = cognito_auth_test_support::sdk(&emulator.endpoint_url());
    assert_eq!(
        groups_for_user(&sdk, &setup, "ann").await,
        ["staff", "admins"]
    );
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "ann", PASSWORD, None).await);
    let order = json!(["staff", "admins"]);
    assert_eq!(groups_claims(&tokens), (order.clone(), order));
    emulator.shutdown().await;
}
