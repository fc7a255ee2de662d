//! Items 3, 6 and 12: forged attributes, user-existence leaks, and answers that
//! differ from measured AWS behaviour.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
    SchemaAttributeType,
};
use cognito_auth_emulator::Emulator;
use cognito_auth_test_support::*;

const NEW_PASSWORD: &str = "Brand-New-Pass-7";

/// Attributes as (name, value) pairs.
type Attributes<'a> = &'a [(&'a str, &'a str)];

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// SignUp with these attributes: the error's (type, message), or "ok".
async fn sign_up_with(
    sdk: &Client,
    client_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> (String, String) {
    let result = sdk
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD)
        .set_user_attributes(Some(
            attributes.iter().map(|(n, v)| attribute(n, v)).collect(),
        ))
        .send()
        .await;
    match result {
        Ok(_) => ("ok".into(), String::new()),
        Err(error) => error_of(&error),
    }
}

async fn password_auth(
    sdk: &Client,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    (String, String),
> {
    sdk.initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|error| error_of(&error))
}

fn schema_error(name: &str) -> (String, String) {
    // amplify-flutter#509, amplify-js#2167: one line per unknown attribute.
    (
        "InvalidParameterException".into(),
        format!(
            "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema.\n"
        ),
    )
}

fn unauthorized() -> (String, String) {
    // aws-sdk-js#1319, #3603 (email_verified at SignUp).
    (
        "NotAuthorizedException".into(),
        "A client attempted to write unauthorized attribute".into(),
    )
}

fn non_mutable(name: &str) -> (String, String) {
    // aws-sdk-ios#2203 (NEW_PASSWORD_REQUIRED); MiniStack for `sub`.
    (
        "InvalidParameterException".into(),
        format!("Cannot modify the non-mutable attribute {name}"),
    )
}

#[tokio::test]
async fn hole_03_attribute_writes_follow_cognitos_rules() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool_id = sdk
        .create_user_pool()
        .pool_name("attributes")
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let flows = vec![
        ExplicitAuthFlowsType::AllowUserPasswordAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ];
    let new_client = |name: &'static str, write_attributes: Option<Vec<String>>| {
        sdk.create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name(name)
            .set_explicit_auth_flows(Some(flows.clone()))
            .set_write_attributes(write_attributes)
            .send()
    };
    let client_id = |created: aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientOutput| {
        created.user_pool_client().unwrap().client_id().unwrap().to_owned()
    };
    let open_client = client_id(new_client("default-writes", None).await.unwrap());
    let narrow_client = client_id(
        new_client("writes-name-only", Some(vec!["name".to_owned()]))
            .await
            .unwrap(),
    );

    // SignUp: the forgeries the review found, each refused with Cognito's answer.
    let cases: [(Attributes<'_>, (String, String)); 6] = [
        (&[("email_verified", "true")], unauthorized()),
        (&[("phone_number_verified", "true")], unauthorized()),
        (
            &[("cognito:groups", "admin")],
            schema_error("cognito:groups"),
        ),
        (&[("custom:role", "admin")], schema_error("custom:role")),
        (
            &[("sub", "00000000-0000-0000-0000-000000000000")],
            non_mutable("sub"),
        ),
        (
            &[("nickname", "x"), ("favourite", "y")],
            schema_error("favourite"),
        ),
    ];
    for (attributes, expected) in cases {
        assert_eq!(
            sign_up_with(&sdk, &open_client, "mallory", attributes).await,
            expected,
            "{attributes:?}"
        );
    }
    // The client's WriteAttributes: only `name` through the narrow client.
    assert_eq!(
        sign_up_with(
            &sdk,
            &narrow_client,
            "mallory",
            &[("email", "m@example.com")]
        )
        .await,
        unauthorized()
    );
    assert_eq!(
        sign_up_with(&sdk, &narrow_client, "mallory", &[("name", "Mal")]).await,
        ("ok".to_owned(), String::new())
    );
    // A declared custom attribute is writable.
    assert_eq!(
        sign_up_with(&sdk, &open_client, "trudy", &[("custom:tier", "gold")]).await,
        ("ok".to_owned(), String::new())
    );

    // Admin*: verified flags are the administrator's to set; cognito:* and sub never.
    let admin_create = |attributes: Vec<AttributeType>| {
        sdk.admin_create_user()
            .user_pool_id(&pool_id)
            .username("nina")
            .temporary_password(PASSWORD)
            .set_user_attributes(Some(attributes))
            .send()
    };
    let refused = admin_create(vec![attribute("cognito:groups", "admin")])
        .await
        .unwrap_err();
    assert_eq!(error_of(&refused), schema_error("cognito:groups"));
    admin_create(vec![
        attribute("email", "nina@example.com"),
        attribute("email_verified", "true"),
    ])
    .await
    .unwrap();
    for (name, expected) in [
        ("cognito:groups", schema_error("cognito:groups")),
        ("cognito:username", schema_error("cognito:username")),
        ("sub", non_mutable("sub")),
    ] {
        let error = sdk
            .admin_update_user_attributes()
            .user_pool_id(&pool_id)
            .username("nina")
            .user_attributes(attribute(name, "forged"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_of(&error), expected, "{name}");
    }

    // NEW_PASSWORD_REQUIRED: each forged userAttributes.* is refused (and the
    // session with it, so each try starts again).
    for (name, expected) in [
        ("cognito:groups", schema_error("cognito:groups")),
        ("sub", non_mutable("sub")),
        ("email_verified", non_mutable("email_verified")),
        ("custom:role", schema_error("custom:role")),
    ] {
        let challenged = password_auth(&sdk, &open_client, "nina", PASSWORD)
            .await
            .unwrap();
        assert_eq!(
            challenged.challenge_name(),
            Some(&ChallengeNameType::NewPasswordRequired)
        );
        let key = format!("userAttributes.{name}");
        let error = respond(
            &sdk,
            &open_client,
            ChallengeNameType::NewPasswordRequired,
            challenged.session(),
            &[
                ("USERNAME", "nina"),
                ("NEW_PASSWORD", NEW_PASSWORD),
                (&key, "admin"),
            ],
        )
        .await
        .unwrap_err();
        assert_eq!(error_of(&error), expected, "{name}");
    }
    let challenged = password_auth(&sdk, &open_client, "nina", PASSWORD)
        .await
        .unwrap();
    let done = respond(
        &sdk,
        &open_client,
        ChallengeNameType::NewPasswordRequired,
        challenged.session(),
        &[
            ("USERNAME", "nina"),
            ("NEW_PASSWORD", NEW_PASSWORD),
            ("userAttributes.name", "Nina"),
        ],
    )
    .await
    .unwrap();
    let claims = jwt_claims(done.authentication_result().unwrap().id_token().unwrap());
    let stored = sdk
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("nina")
        .send()
        .await
        .unwrap();
    let sub = stored
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap();
    assert_eq!(claims["sub"], sub);
    assert_eq!(claims["name"], "Nina");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["cognito:username"], "nina");
    assert_eq!(claims["token_use"], "id");
    assert_eq!(claims["aud"], open_client.as_str());
    assert!(claims.get("cognito:groups").is_none(), "{claims}");
    emulator.shutdown().await;
    stored_attributes_never_override_computed_claims().await;
}

/// A user-pool seed whose user carries forged claim names as attributes (an
/// old database, an operator's typo): they must not reach the token.
const FORGED_SEED: &str = r#"
[[pools]]
id = "us-east-1_Forged0001"
name = "forged"

[[pools.clients]]
id = "forgedclient00000000000001"
name = "forged"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "olive"
password = "Correct-Horse-9"
attributes = { "cognito:groups" = "admin", "cognito:username" = "root", sub = "forged-sub", aud = "other-client", token_use = "access", iss = "https://evil.example" }
"#;

async fn stored_attributes_never_override_computed_claims() {
    let emulator = seeded_emulator(FORGED_SEED).await;
    let sdk = sdk(&emulator.endpoint_url());
    let signed_in = password_auth(&sdk, "forgedclient00000000000001", "olive", PASSWORD)
        .await
        .unwrap();
    let claims = jwt_claims(
        signed_in
            .authentication_result()
            .unwrap()
            .id_token()
            .unwrap(),
    );
    assert_eq!(claims["cognito:username"], "olive");
    assert_eq!(claims["aud"], "forgedclient00000000000001");
    assert_eq!(claims["token_use"], "id");
    assert_eq!(
        claims["iss"],
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Forged0001"
    );
    assert_ne!(claims["sub"], "forged-sub");
    assert!(claims.get("cognito:groups").is_none(), "{claims}");
    emulator.shutdown().await;
}

/// The password work the emulator did while `run` ran.
async fn work_of<F: Future>(emulator: &Emulator, run: F) -> (u64, F::Output) {
    let before = emulator.service().password_work();
    let output = run.await;
    (emulator.service().password_work() - before, output)
}

/// The names of a challenge's parameters, and whether it came with a Session.
fn shape(
    started: &aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
) -> (Option<ChallengeNameType>, Vec<String>, bool) {
    let mut names: Vec<String> = started
        .challenge_parameters()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    (
        started.challenge_name().cloned(),
        names,
        started.session().is_some(),
    )
}

#[tokio::test]
async fn hole_06_unknown_users_cost_the_same_and_look_the_same() {
    let hide = ClientOptions {
        prevent_existence_errors: true,
        ..ClientOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(PoolOptions::default(), hide).await;
    create_user(&sdk, &setup, "rosa", &[]).await;
    create_user(&sdk, &setup, "dora", &[]).await;
    sdk.admin_disable_user()
        .user_pool_id(&setup.pool_id)
        .username("dora")
        .send()
        .await
        .unwrap();
    let incorrect = (
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    );

    // USER_PASSWORD_AUTH, wrong password: a real, a disabled and an unknown name
    // get the same answer for the same work (the password is hashed for each).
    let mut works = Vec::new();
    for name in ["rosa", "dora", "ghost"] {
        let (work, answer) = work_of(
            &emulator,
            password_auth(&sdk, &setup.client_id, name, "Wrong-Pass-1"),
        )
        .await;
        assert_eq!(answer.unwrap_err(), incorrect, "{name}");
        works.push(work);
    }
    assert_eq!(works, [1, 1, 1], "password hashes for rosa, dora, ghost");
    // "User is disabled." only to whoever proves the password (AWS's
    // managing-errors doc: with ENABLED, sign-in failures are the generic one).
    assert_eq!(
        password_auth(&sdk, &setup.client_id, "dora", PASSWORD)
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "User is disabled.".to_owned()
        )
    );

    // USER_SRP_AUTH: the simulated PASSWORD_VERIFIER (RFC 5054 §2.5.1.3, as the
    // doc describes) has the real one's shape, and a wrong proof costs the same
    // exponentiations for every name before the same refusal.
    let srp = srp_client(&setup);
    let mut shapes = Vec::new();
    let mut works = Vec::new();
    for name in ["rosa", "dora", "ghost"] {
        let (start_work, started) =
            work_of(&emulator, start_user_srp(&sdk, &setup, &srp, name)).await;
        let started = started.unwrap();
        shapes.push(shape(&started));
        let (answer_work, answer) = work_of(
            &emulator,
            answer_password_verifier(
                &sdk,
                &setup.client_id,
                &srp,
                started.challenge_parameters().unwrap(),
                started.session(),
                "Wrong-Pass-1",
                None,
            ),
        )
        .await;
        assert_eq!(error_of(&answer.unwrap_err()), incorrect, "{name}");
        works.push((start_work, answer_work));
    }
    assert_eq!(shapes[0], shapes[1]);
    assert_eq!(shapes[0], shapes[2]);
    assert_eq!(
        works,
        [(1, 1), (1, 1), (1, 1)],
        "SRP work for rosa, dora, ghost"
    );
    emulator.shutdown().await;
    choice_and_custom_flows_hide_the_user().await;
}

/// USER_AUTH honours PREFERRED_CHALLENGE for unknown users as for real ones;
/// CUSTOM_AUTH does not say "not confirmed" before any proof.
async fn choice_and_custom_flows_hide_the_user() {
    let (emulator, sdk, setup) = emulator_with_pool(
        PoolOptions {
            first_factors: vec![AuthFactorType::Password],
            builtin_triggers: true,
            ..PoolOptions::default()
        },
        ClientOptions {
            prevent_existence_errors: true,
            flows: vec![
                ExplicitAuthFlowsType::AllowUserAuth,
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowCustomAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ],
            ..ClientOptions::default()
        },
    )
    .await;
    create_user(&sdk, &setup, "rosa", &[("email", "rosa@example.com")]).await;
    sign_up(&sdk, &setup, "ursula", &[("email", "ursula@example.com")]).await;
    let srp = srp_client(&setup);
    let mut shapes = Vec::new();
    for name in ["rosa", "ghost"] {
        let mut parameters: HashMap<String, String> = srp
            .initiate_auth_parameters(name, None)
            .into_iter()
            .collect();
        parameters.insert("PREFERRED_CHALLENGE".into(), "PASSWORD_SRP".into());
        let started = initiate_with(&sdk, &setup.client_id, AuthFlowType::UserAuth, parameters)
            .await
            .unwrap();
        shapes.push(shape(&started));
    }
    assert_eq!(shapes[0].0, Some(ChallengeNameType::PasswordVerifier));
    assert_eq!(shapes[0], shapes[1]);

    // CUSTOM_AUTH (the built-in code challenge): an unconfirmed user is
    // challenged like a confirmed one, not told "User is not confirmed.".
    let custom_auth = |name: &str| {
        initiate_with(
            &sdk,
            &setup.client_id,
            AuthFlowType::CustomAuth,
            [("USERNAME".to_owned(), name.to_owned())].into(),
        )
    };
    let mut names = Vec::new();
    for name in ["rosa", "ursula"] {
        let started = custom_auth(name).await.map_err(|error| error_of(&error));
        names.push(started.map(|s| s.challenge_name().cloned()));
    }
    assert_eq!(names[1], names[0]);
    assert_eq!(names[0], Ok(Some(ChallengeNameType::CustomChallenge)));

    // Where the code went: the same shape for a real user and an unknown one.
    let mut deliveries = Vec::new();
    for name in ["rosa", "ghost"] {
        let started = custom_auth(name).await.unwrap();
        let parameters = started.challenge_parameters().unwrap();
        let destination = parameters["CODE_DELIVERY_DESTINATION"].clone();
        let (local, domain) = destination.split_once('@').expect("an email shape");
        assert_eq!(
            (
                local.chars().skip(1).collect::<String>(),
                domain.chars().skip(1).collect::<String>()
            ),
            ("***".to_owned(), "***".to_owned()),
            "{name}: {destination}"
        );
        deliveries.push(parameters["CODE_DELIVERY_DELIVERY_MEDIUM"].clone());
    }
    assert_eq!(deliveries, ["EMAIL", "EMAIL"]);
    emulator.shutdown().await;
}

#[tokio::test]
async fn hole_12_answers_match_measured_aws() {
    let hide = ClientOptions {
        prevent_existence_errors: true,
        ..ClientOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(PoolOptions::default(), hide).await;
    create_user(&sdk, &setup, "uma", &[]).await;

    // PASSWORD_VERIFIER carries no Session, for real and simulated users alike
    // (MiniStack PR #1758, AWS measured in eu-central-1), and is answered without one.
    let srp = srp_client(&setup);
    for name in ["uma", "nobody"] {
        let started = start_user_srp(&sdk, &setup, &srp, name).await.unwrap();
        assert_eq!(started.session(), None, "{name}");
    }
    let started = start_user_srp(&sdk, &setup, &srp, "uma").await.unwrap();
    let done = answer_password_verifier(
        &sdk,
        &setup.client_id,
        &srp,
        started.challenge_parameters().unwrap(),
        None,
        PASSWORD,
        None,
    )
    .await
    .unwrap();
    assert!(done.authentication_result().unwrap().id_token().is_some());

    // ConfirmSignUp for an unknown user (MiniStack PR #1758).
    let error = sdk
        .confirm_sign_up()
        .client_id(&setup.client_id)
        .username("nobody")
        .confirmation_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "UserNotFoundException".to_owned(),
            "Username/client id combination not found.".to_owned()
        )
    );
    // SignUp for a taken name says "User already exists" (MiniStack PR #1758).
    assert_eq!(
        sign_up_with(&sdk, &setup.client_id, "uma", &[]).await,
        (
            "UsernameExistsException".to_owned(),
            "User already exists".to_owned()
        )
    );
    // AdminCreateUser keeps "User account already exists".
    let error = sdk
        .admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username("uma")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "UsernameExistsException".to_owned(),
            "User account already exists".to_owned()
        )
    );
    emulator.shutdown().await;
}
