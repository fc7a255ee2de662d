//! Picking part of a response: AWS Tools' `-Select` and JMESPath `--query`.

use serde_json::Value;

/// Output selection and format failures.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// `--select` named a property the response does not have.
    #[error("--select {path}: the response has no {missing}")]
    NoSuchProperty {
        /// The whole path.
        path: String,
        /// The first missing part.
        missing: String,
    },
    /// `--query` is not valid JMESPath.
    #[error("--query: {0}")]
    Query(String),
}

/// AWS Tools for PowerShell `-Select`: `*` for the whole response, otherwise a
/// property name or a dotted path (`AuthenticationResult.IdToken`).
pub fn select(value: &Value, path: &str) -> Result<Value, SelectError> {
    if path == "*" {
        return Ok(value.clone());
    }
    let mut current = value;
    for part in path.split('.') {
        current = current
            .get(part)
            .ok_or_else(|| SelectError::NoSuchProperty {
                path: path.to_owned(),
                missing: part.to_owned(),
            })?;
    }
    Ok(current.clone())
}

/// A JMESPath `--query`, as the AWS CLI applies it.
pub fn query(value: &Value, expression: &str) -> Result<Value, SelectError> {
    let compiled =
        jmespath::compile(expression).map_err(|err| SelectError::Query(err.to_string()))?;
    let data = jmespath::Variable::from_json(&value.to_string()).map_err(SelectError::Query)?;
    let result = compiled
        .search(data)
        .map_err(|err| SelectError::Query(err.to_string()))?;
    serde_json::to_value(&*result).map_err(|err| SelectError::Query(err.to_string()))
}

pub use crate::format::{OutputFormat, render};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response() -> Value {
        json!({
            "AuthenticationResult": {"IdToken": "id.jwt", "ExpiresIn": 3600, "TokenType": "Bearer"},
            "ChallengeParameters": {}
        })
    }

    #[test]
    fn select_star_property_and_path() {
        let r = response();
        assert_eq!(select(&r, "*").unwrap(), r);
        assert_eq!(
            select(&r, "AuthenticationResult.IdToken").unwrap(),
            json!("id.jwt")
        );
        assert_eq!(
            select(&r, "AuthenticationResult").unwrap()["ExpiresIn"],
            json!(3600)
        );
        let err = select(&r, "AuthenticationResult.Nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "--select AuthenticationResult.Nope: the response has no Nope"
        );
    }

    #[test]
    fn query_is_jmespath() {
        let r = response();
        assert_eq!(
            query(&r, "AuthenticationResult.IdToken").unwrap(),
            json!("id.jwt")
        );
        assert_eq!(
            query(&r, "AuthenticationResult.[TokenType, ExpiresIn]").unwrap(),
            json!(["Bearer", 3600])
        );
        assert!(query(&r, "AuthenticationResult.[").is_err());
    }
}
