//! Who is in a pool: ListUsers with Cognito's `Filter` syntax, DeleteUser, and
//! the page tokens every List* operation shares.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::users::user_to_wire;
use super::{Service, parse};
use crate::error::{ApiError, ApiResult};
use crate::model::User;

/// The most items a List* page holds, and the default page size.
const MAX_PAGE: i64 = 60;

/// The longest `Filter` (`UserFilterType` is 256 characters at most).
const MAX_FILTER: usize = 256;

/// The page size a `Limit` asks for. The texts are AWS's validation messages:
/// `Value '100' at 'limit' failed to satisfy constraint: Member must have value
/// less than or equal to 60` (boto3#1356), and for 0 and below the ones quoted in
/// aws-sdk-js#2193 (`'maxItems'` ... `greater than or equal to 1` for 0).
pub(super) fn page_size(limit: Option<i64>) -> ApiResult<usize> {
    let limit = limit.unwrap_or(MAX_PAGE);
    let (member, bound) = match limit {
        ..0 => ("limit", "greater than or equal to 0"),
        0 => ("maxItems", "greater than or equal to 1"),
        1..=MAX_PAGE => return Ok(usize::try_from(limit).unwrap_or(1)),
        _ => ("limit", "less than or equal to 60"),
    };
    Err(ApiError::invalid_parameter(format!(
        "1 validation error detected: Value '{limit}' at '{member}' failed to satisfy constraint: Member must have value {bound}"
    )))
}

/// One page of `items`, each with the key it is ordered by, after the item
/// whose key the token names; and the token of the next page when more remain.
/// The token carries the last key, not an offset, so a page stays right when
/// items before it come or go between calls.
pub(super) fn paginate<T>(
    mut items: Vec<(String, T)>,
    size: usize,
    token: Option<&str>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let after = token
        .map(|token| {
            URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                // Cognito's own text for a token it did not issue is not recorded.
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token"))
        })
        .transpose()?;
    let mut rest = items
        .into_iter()
        .filter(|(key, _)| after.as_ref().is_none_or(|after| key > after))
        .peekable();
    let mut page = Vec::with_capacity(size);
    let mut last = None;
    while page.len() < size {
        let Some((key, item)) = rest.next() else {
            break;
        };
        page.push(item);
        last = Some(key);
    }
    let next = match (rest.peek(), last) {
        (Some(_), Some(last)) => Some(URL_SAFE_NO_PAD.encode(last)),
        _ => None,
    };
    Ok((page, next))
}

/// How a filter compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comparison {
    /// `=`
    Equals,
    /// `^=`
    StartsWith,
}

/// A parsed `Filter`: `attribute = "value"` or `attribute ^= "value"`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Filter {
    attribute: String,
    comparison: Comparison,
    value: String,
}

/// The attributes ListUsers can search (the ListUsers API reference: "You can
/// only search for the following standard attributes"), and whether the match
/// is case-sensitive: `username` and `status` are, the others are not.
const SEARCHABLE: [(&str, bool); 10] = [
    ("username", true),
    ("email", false),
    ("phone_number", false),
    ("name", false),
    ("given_name", false),
    ("family_name", false),
    ("preferred_username", false),
    ("cognito:user_status", false),
    ("status", true),
    ("sub", false),
];

/// Cognito's answer to a filter it cannot read (aws-sdk-php#1088 capture).
fn unparsable() -> ApiError {
    ApiError::invalid_parameter("Error while parsing filter.")
}

impl Filter {
    /// Parses a filter; `None` for an empty one, which lists every user.
    fn parse(text: &str) -> ApiResult<Option<Self>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let (attribute, rest) = match text.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').ok_or_else(unparsable)?,
            None => text.split_at(
                text.find(|c: char| c.is_whitespace() || c == '=' || c == '^')
                    .unwrap_or(text.len()),
            ),
        };
        let rest = rest.trim_start();
        let (comparison, rest) = if let Some(rest) = rest.strip_prefix("^=") {
            (Comparison::StartsWith, rest)
        } else if let Some(rest) = rest.strip_prefix('=') {
            (Comparison::Equals, rest)
        } else {
            return Err(unparsable());
        };
        let quoted = rest.trim_start().strip_prefix('"').ok_or_else(unparsable)?;
        let mut value = String::new();
        let mut chars = quoted.chars();
        loop {
            match chars.next() {
                None => return Err(unparsable()),
                Some('"') => break,
                Some('\\') => value.push(chars.next().ok_or_else(unparsable)?),
                Some(c) => value.push(c),
            }
        }
        if !chars.as_str().trim().is_empty() || attribute.is_empty() {
            return Err(unparsable());
        }
        if !SEARCHABLE.iter().any(|(name, _)| *name == attribute) {
            // moto's text (its test_list_users_invalid_attributes), from Cognito's.
            return Err(ApiError::invalid_parameter(format!(
                "Invalid search attribute: {attribute}"
            )));
        }
        Ok(Some(Self {
            attribute: attribute.to_owned(),
            comparison,
            value,
        }))
    }

    fn matches(&self, user: &User) -> bool {
        let enabled = if user.enabled { "Enabled" } else { "Disabled" };
        let found = match self.attribute.as_str() {
            "username" => Some(user.username.as_str()),
            "sub" => Some(user.sub.as_str()),
            "status" => Some(enabled),
            "cognito:user_status" => Some(user.status.as_str()),
            other => user.attributes.get(other).map(String::as_str),
        };
        let Some(found) = found else {
            return false;
        };
        let case_sensitive = SEARCHABLE
            .iter()
            .any(|(name, sensitive)| *sensitive && *name == self.attribute);
        let (found, wanted) = if case_sensitive {
            (found.to_owned(), self.value.clone())
        } else {
            (found.to_lowercase(), self.value.to_lowercase())
        };
        match self.comparison {
            Comparison::Equals => found == wanted,
            Comparison::StartsWith => found.starts_with(&wanted),
        }
    }
}

impl Service {
    pub(super) fn list_users(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
            #[serde(default)]
            attributes_to_get: Option<Vec<String>>,
            #[serde(default)]
            limit: Option<i64>,
            #[serde(default)]
            pagination_token: Option<String>,
            #[serde(default)]
            filter: Option<String>,
        }
        let input: Input = parse(input)?;
        let filter_text = input.filter.unwrap_or_default();
        if filter_text.chars().count() > MAX_FILTER {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256",
            ));
        }
        let size = page_size(input.limit)?;
        let pool = self.pool(&input.user_pool_id)?;
        let filter = Filter::parse(&filter_text)?;
        let users = self
            .store
            .users(pool.id.as_str())?
            .into_iter()
            .filter(|user| filter.as_ref().is_none_or(|f| f.matches(user)))
            .map(|user| (user.username.clone(), user))
            .collect();
        let (page, next) = paginate(users, size, input.pagination_token.as_deref())?;
        let wanted = input.attributes_to_get;
        let users: Vec<Value> = page
            .iter()
            .map(|user| {
                let mut wire = user_to_wire(user);
                if let (Some(wanted), Some(Value::Array(attributes))) =
                    (&wanted, wire.get_mut("Attributes"))
                {
                    attributes.retain(|a| {
                        a.get("Name")
                            .and_then(Value::as_str)
                            .is_some_and(|name| wanted.iter().any(|w| w == name))
                    });
                }
                wire
            })
            .collect();
        let mut output = json!({ "Users": users });
        if let Some(next) = next {
            output["PaginationToken"] = json!(next);
        }
        Ok(output)
    }

    pub(super) fn delete_user(&self, input: Value) -> ApiResult<Value> {
        let (pool, user, _) = self.authenticate_input(input)?;
        self.store.delete_user(pool.id.as_str(), &user.username)?;
        Ok(json!({}))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parsed(text: &str) -> (String, Comparison, String) {
        let filter = Filter::parse(text).unwrap().unwrap();
        (filter.attribute, filter.comparison, filter.value)
    }

    #[test]
    fn filters_parse_as_cognito_writes_them() {
        assert_eq!(
            parsed(r#"family_name = "Reddy""#),
            ("family_name".into(), Comparison::Equals, "Reddy".into())
        );
        assert_eq!(
            parsed(r#"  email^="jo"  "#),
            ("email".into(), Comparison::StartsWith, "jo".into())
        );
        assert_eq!(
            parsed(r#""cognito:user_status" = "CONFIRMED""#),
            (
                "cognito:user_status".into(),
                Comparison::Equals,
                "CONFIRMED".into()
            )
        );
        assert_eq!(
            parsed(r#"name = "say \"hi\" \\ bye""#),
            (
                "name".into(),
                Comparison::Equals,
                r#"say "hi" \ bye"#.into()
            )
        );
        assert_eq!(Filter::parse("   ").unwrap(), None);
    }

    #[test]
    fn malformed_filters_are_refused() {
        for text in [
            "foo",
            "email",
            r#"email == "a""#,
            r#"email != "a""#,
            r#"email = a"#,
            r#"email = "a"#,
            r#"email = "a" extra"#,
            r#"= "a""#,
            r#""email = "a""#,
            r#"email = "a\"#,
        ] {
            let error = Filter::parse(text).unwrap_err();
            assert_eq!(error.message, "Error while parsing filter.", "{text}");
        }
        let error = Filter::parse(r#"custom:team = "x""#).unwrap_err();
        assert_eq!(error.message, "Invalid search attribute: custom:team");
    }

    #[test]
    fn pages_follow_the_last_key() {
        let items: Vec<(String, u8)> = (0..5u8).map(|i| (format!("k{i}"), i)).collect();
        let (first, token) = paginate(items.clone(), 2, None).unwrap();
        assert_eq!(first, [0, 1]);
        let (second, token) = paginate(items.clone(), 2, token.as_deref()).unwrap();
        assert_eq!(second, [2, 3]);
        let (third, token) = paginate(items.clone(), 2, token.as_deref()).unwrap();
        assert_eq!((third, token), (vec![4], None));
        let (all, token) = paginate(items, 5, None).unwrap();
        assert_eq!((all.len(), token), (5, None));
        let bad = paginate(Vec::<(String, u8)>::new(), 2, Some("!!")).unwrap_err();
        assert_eq!(bad.message, "Invalid pagination token");
    }

    #[test]
    fn limits_are_checked_with_aws_validation_texts() {
        assert_eq!(page_size(None).unwrap(), 60);
        assert_eq!(page_size(Some(1)).unwrap(), 1);
        assert!(page_size(Some(61)).unwrap_err().message.ends_with(
            "Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
        ));
        assert!(page_size(Some(0)).unwrap_err().message.ends_with(
            "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ));
    }
}
