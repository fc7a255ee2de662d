//! Picking part of a response: AWS Tools' `-Select`, JMESPath `--query`, and the
//! `json` / `text` output formats.

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

/// The `--output` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Pretty JSON.
    Json,
    /// The AWS CLI's text format: scalars bare, arrays tab-separated, objects as
    /// their values in key order.
    Text,
}

/// Renders `value` in `format`, with a trailing newline.
pub fn render(value: &Value, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
            text.push('\n');
            text
        }
        OutputFormat::Text => {
            let mut lines = Vec::new();
            text_lines(value, &mut lines);
            let mut text = lines.join("\n");
            text.push('\n');
            text
        }
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("None".to_owned()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn text_lines(value: &Value, lines: &mut Vec<String>) {
    match value {
        Value::Array(items) if items.iter().all(|item| scalar(item).is_some()) => {
            lines.push(
                items
                    .iter()
                    .filter_map(scalar)
                    .collect::<Vec<_>>()
                    .join("\t"),
            );
        }
        Value::Array(items) => items.iter().for_each(|item| text_lines(item, lines)),
        Value::Object(fields) => {
            let scalars: Vec<String> = fields.values().filter_map(scalar).collect();
            if !scalars.is_empty() {
                lines.push(scalars.join("\t"));
            }
            for nested in fields.values().filter(|v| scalar(v).is_none()) {
                text_lines(nested, lines);
            }
        }
        other => lines.extend(scalar(other)),
    }
}

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

    #[test]
    fn text_output_is_bare() {
        assert_eq!(render(&json!("id.jwt"), OutputFormat::Text), "id.jwt\n");
        assert_eq!(
            render(&json!(["Bearer", 3600]), OutputFormat::Text),
            "Bearer\t3600\n"
        );
        assert_eq!(
            render(&json!({"A": "x", "B": 1}), OutputFormat::Text),
            "x\t1\n"
        );
    }
}
