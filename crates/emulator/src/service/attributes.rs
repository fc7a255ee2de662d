//! Cognito's rules for writing user attributes, in one place for every operation
//! that writes them: SignUp, the `userAttributes.*` of NEW_PASSWORD_REQUIRED,
//! AdminCreateUser and AdminUpdateUserAttributes.
//!
//! An attribute must be in the pool's schema (a standard attribute or a
//! `custom:` one the pool declared); `cognito:*` names never are. `sub` is
//! immutable, as are custom attributes declared with `Mutable: false` once set.
//! An app (a caller with only a client id) may not set the `*_verified` flags
//! and may write only its client's WriteAttributes; an administrator may set
//! the verified flags, as Cognito lets AdminCreateUser and
//! AdminUpdateUserAttributes do.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::model::{AppClient, Pool};

/// The standard attributes every user pool's schema holds.
const STANDARD_ATTRIBUTES: [&str; 20] = [
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
];

/// The flags Cognito sets when a code proves an address.
const VERIFIED_FLAGS: [&str; 2] = ["email_verified", "phone_number_verified"];

/// The longest custom attribute name Cognito takes (`CustomAttributeNameType`).
const MAX_CUSTOM_NAME: usize = 20;

/// One entry of CreateUserPool's `Schema`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SchemaAttributeInput {
    name: String,
    #[serde(default)]
    mutable: Option<bool>,
    #[serde(default)]
    developer_only_attribute: bool,
}

/// Who writes: an app through its client (SignUp, a challenge answer), or an
/// administrator (the signed `Admin*` operations).
#[derive(Clone, Copy)]
pub(crate) enum Writer<'a> {
    App(&'a AppClient),
    Admin,
}

/// When the write happens: creating the user, or changing one that exists
/// (NEW_PASSWORD_REQUIRED is its own case: Cognito calls its refusals there
/// changes to non-mutable attributes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occasion {
    Create,
    Update,
    NewPassword,
}

/// The `custom:` attributes a Schema declares, by full name, with whether each
/// is mutable. Standard attributes in the Schema only restate what every pool has.
pub(crate) fn declared_custom_attributes(
    schema: &[SchemaAttributeInput],
) -> ApiResult<BTreeMap<String, bool>> {
    let mut declared = BTreeMap::new();
    for attribute in schema {
        let name = attribute
            .name
            .strip_prefix("custom:")
            .unwrap_or(&attribute.name);
        if STANDARD_ATTRIBUTES.contains(&name) || attribute.developer_only_attribute {
            // Developer-only attributes are `dev:custom:` and never user-writable.
            continue;
        }
        if name.is_empty() || name.chars().count() > MAX_CUSTOM_NAME {
            let shown: String = name.chars().take(64).collect();
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '{shown}' at 'schema.member.name' failed to satisfy constraint: Member must have length less than or equal to {MAX_CUSTOM_NAME}"
            )));
        }
        declared.insert(format!("custom:{name}"), attribute.mutable.unwrap_or(true));
    }
    Ok(declared)
}

/// Whether `name` is in the pool's schema.
fn in_schema(pool: &Pool, name: &str) -> bool {
    STANDARD_ATTRIBUTES.contains(&name) || pool.custom_attributes.contains_key(name)
}

/// CreateUserPoolClient's WriteAttributes must name attributes of the schema,
/// and never `sub`.
pub(crate) fn check_client_write_attributes(pool: &Pool, names: &[String]) -> ApiResult<()> {
    if names.iter().any(|n| n == "sub" || !in_schema(pool, n)) {
        // aws-cdk#20760: the InvalidParameterException Cognito gives.
        return Err(ApiError::invalid_parameter(
            "Invalid write attributes specified while creating a client",
        ));
    }
    Ok(())
}

/// `A client attempted to write unauthorized attribute` (NotAuthorizedException),
/// as quoted in aws-sdk-js#1319 and #3603.
pub(crate) fn unauthorized_attribute() -> ApiError {
    ApiError::not_authorized("A client attempted to write unauthorized attribute")
}

/// `Cannot modify the non-mutable attribute <name>` (InvalidParameterException),
/// as quoted in aws-sdk-ios#2203.
pub(crate) fn non_mutable(name: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Cannot modify the non-mutable attribute {name}"))
}

/// Checks that `writer` may write the attributes `names` on this `occasion`;
/// the first refusal, with Cognito's exception and message.
pub(crate) fn check_writes<'n>(
    pool: &Pool,
    writer: Writer<'_>,
    occasion: Occasion,
    names: impl IntoIterator<Item = &'n str>,
) -> ApiResult<()> {
    let names: Vec<&str> = names.into_iter().collect();
    // Cognito lists every unknown attribute, one line each (quoted in
    // amplify-flutter#509 and amplify-js#2167).
    let unknown: String = names
        .iter()
        .filter(|name| name.starts_with("cognito:") || !in_schema(pool, name))
        .map(|name| {
            let shown: String = name.chars().take(64).collect();
            format!("{shown}: Attribute does not exist in the schema.\n")
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "Attributes did not conform to the schema: {unknown}"
        )));
    }
    for name in names {
        if name == "sub" {
            return Err(non_mutable(name));
        }
        if occasion != Occasion::Create && pool.custom_attributes.get(name) == Some(&false) {
            return Err(non_mutable(name));
        }
        let Writer::App(client) = writer else {
            continue;
        };
        if VERIFIED_FLAGS.contains(&name) {
            return Err(if occasion == Occasion::NewPassword {
                non_mutable(name)
            } else {
                unauthorized_attribute()
            });
        }
        if let Some(allowed) = &client.write_attributes
            && !allowed.iter().any(|a| a == name)
        {
            return Err(unauthorized_attribute());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn schema(json: serde_json::Value) -> Vec<SchemaAttributeInput> {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn schema_declares_custom_attributes_by_full_name() {
        let declared = declared_custom_attributes(&schema(serde_json::json!([
            { "Name": "email", "Required": true },
            { "Name": "tier", "Mutable": false },
            { "Name": "custom:team" },
            { "Name": "secret", "DeveloperOnlyAttribute": true },
        ])))
        .unwrap();
        let expected: BTreeMap<String, bool> = [
            ("custom:team".to_owned(), true),
            ("custom:tier".to_owned(), false),
        ]
        .into();
        assert_eq!(declared, expected);
        let too_long = declared_custom_attributes(&schema(serde_json::json!([
            { "Name": "a".repeat(21) },
        ])));
        assert_eq!(
            too_long.unwrap_err().kind,
            crate::error::ErrorKind::InvalidParameter
        );
    }
}
