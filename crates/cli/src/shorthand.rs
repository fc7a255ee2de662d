//! The AWS CLI's map arguments: shorthand `Key1=value1,Key2=value2` or JSON
//! `{"Key1": "value1"}`.

use std::collections::BTreeMap;

/// A map argument that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShorthandError {
    /// JSON that is not an object of strings.
    #[error("{argument}: expected a JSON object of strings: {reason}")]
    Json {
        /// The option name.
        argument: String,
        /// What was wrong.
        reason: String,
    },
    /// A `Key=value` pair without `=`.
    #[error("{argument}: expected Key=value, got {pair:?}")]
    MissingEquals {
        /// The option name.
        argument: String,
        /// The offending text.
        pair: String,
    },
    /// An empty key.
    #[error("{argument}: empty key")]
    EmptyKey {
        /// The option name.
        argument: String,
    },
    /// A quote that never closes.
    #[error("{argument}: unterminated quote")]
    UnterminatedQuote {
        /// The option name.
        argument: String,
    },
    /// The same key twice.
    #[error("{argument}: key {key:?} given twice")]
    DuplicateKey {
        /// The option name.
        argument: String,
        /// The key.
        key: String,
    },
}

/// Parses `text` as JSON (when it starts with `{`) or shorthand.
///
/// Shorthand values may be quoted with `"` or `'` to hold `,` or `=`; a backslash
/// escapes the next character outside single quotes.
pub fn parse_map(argument: &str, text: &str) -> Result<BTreeMap<String, String>, ShorthandError> {
    if text.trim_start().starts_with('{') {
        return parse_json(argument, text);
    }
    let mut map = BTreeMap::new();
    for pair in split_unquoted(argument, text)? {
        let (key, value) = pair
            .split_once('=')
            .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
            .ok_or_else(|| ShorthandError::MissingEquals {
                argument: argument.to_owned(),
                pair: pair.clone(),
            })?;
        insert(argument, &mut map, key, value)?;
    }
    Ok(map)
}

/// Adds one `Key=value` (from a repeatable option) to `map`.
pub fn add_pair(
    argument: &str,
    map: &mut BTreeMap<String, String>,
    pair: &str,
) -> Result<(), ShorthandError> {
    let (key, value) = pair
        .split_once('=')
        .ok_or_else(|| ShorthandError::MissingEquals {
            argument: argument.to_owned(),
            pair: pair.to_owned(),
        })?;
    insert(argument, map, key.trim().to_owned(), value.to_owned())
}

fn insert(
    argument: &str,
    map: &mut BTreeMap<String, String>,
    key: String,
    value: String,
) -> Result<(), ShorthandError> {
    if key.is_empty() {
        return Err(ShorthandError::EmptyKey {
            argument: argument.to_owned(),
        });
    }
    if map.contains_key(&key) {
        return Err(ShorthandError::DuplicateKey {
            argument: argument.to_owned(),
            key,
        });
    }
    map.insert(key, value);
    Ok(())
}

fn parse_json(argument: &str, text: &str) -> Result<BTreeMap<String, String>, ShorthandError> {
    serde_json::from_str::<BTreeMap<String, String>>(text).map_err(|err| ShorthandError::Json {
        argument: argument.to_owned(),
        reason: err.to_string(),
    })
}

/// Splits on commas outside quotes, removing the quotes and escapes.
fn split_unquoted(argument: &str, text: &str) -> Result<Vec<String>, ShorthandError> {
    let mut pairs = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => current.push(c),
            (_, '\\') => match chars.next() {
                Some(escaped) => current.push(escaped),
                None => current.push('\\'),
            },
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, ',') => pairs.push(std::mem::take(&mut current)),
            (None, c) => current.push(c),
        }
    }
    if quote.is_some() {
        return Err(ShorthandError::UnterminatedQuote {
            argument: argument.to_owned(),
        });
    }
    if !current.is_empty() || !pairs.is_empty() {
        pairs.push(current);
    }
    Ok(pairs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn shorthand_and_json_agree() {
        let want = map(&[("USERNAME", "alice"), ("SRP_A", "abc")]);
        assert_eq!(parse_map("--x", "USERNAME=alice,SRP_A=abc").unwrap(), want);
        assert_eq!(
            parse_map("--x", r#"{"USERNAME":"alice","SRP_A":"abc"}"#).unwrap(),
            want
        );
    }

    #[test]
    fn quoted_values_keep_commas_and_equals() {
        assert_eq!(
            parse_map("--x", r#"A="x,y=z",B='it\s',C=p\,q"#).unwrap(),
            map(&[("A", "x,y=z"), ("B", r"it\s"), ("C", "p,q")])
        );
        assert_eq!(parse_map("--x", "K=a=b").unwrap(), map(&[("K", "a=b")]));
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        assert!(matches!(
            parse_map("--auth-parameters", "USERNAME"),
            Err(ShorthandError::MissingEquals { .. })
        ));
        assert!(matches!(
            parse_map("--x", "=v"),
            Err(ShorthandError::EmptyKey { .. })
        ));
        assert!(matches!(
            parse_map("--x", "A=\"open"),
            Err(ShorthandError::UnterminatedQuote { .. })
        ));
        assert!(matches!(
            parse_map("--x", "A=1,A=2"),
            Err(ShorthandError::DuplicateKey { .. })
        ));
        assert!(matches!(
            parse_map("--x", r#"{"A": 1}"#),
            Err(ShorthandError::Json { .. })
        ));
        assert_eq!(parse_map("--x", "").unwrap(), BTreeMap::new());
    }
}
