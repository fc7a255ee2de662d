//! The Cognito SRP test vectors, loaded and checked once per test binary, and the
//! small readers `vectors.rs` and `regressions.rs` share.
//!
//! The file is `tests/data/cognito-srp-vectors.json`, or the file that
//! `COGNITO_SRP_VECTORS` names. Either must hold every section the schema defines,
//! at least the entry counts `tests/data/README.md` states (the committed file
//! exactly those) and every tag it lists, so that a truncated or unrelated file
//! fails instead of passing with less to check.

#![allow(dead_code, reason = "each test binary uses a subset of the readers")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use cognito_auth_srp::AppClient;
use secrecy::SecretString;
use serde_json::Value;

/// The array sections the schema defines; `constants` is the one object.
pub const SECTIONS: [&str; 7] = [
    "user_srp",
    "device_srp",
    "confirm_device",
    "timestamps",
    "secret_hash",
    "pad_hex",
    "negative",
];

/// The sections whose entries carry `tags`.
const TAGGED: [&str; 2] = ["user_srp", "device_srp"];

/// The vectors file this run checks.
#[derive(Debug)]
pub struct Vectors {
    pub doc: Value,
    pub path: PathBuf,
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The vectors, read and validated on first use.
pub fn vectors() -> &'static Vectors {
    static VECTORS: OnceLock<Vectors> = OnceLock::new();
    VECTORS.get_or_init(load)
}

fn load() -> Vectors {
    let (path, committed) = match std::env::var_os("COGNITO_SRP_VECTORS") {
        Some(path) => (PathBuf::from(path), false),
        None => (data_dir().join("cognito-srp-vectors.json"), true),
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read the SRP vectors at {}: {err} (they are required, not optional)",
            path.display()
        )
    });
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not valid JSON: {err}", path.display()));
    let vectors = Vectors { doc, path };
    vectors.check_schema(&Readme::load(), committed);
    vectors
}

impl Vectors {
    /// The entries of `name`, one of [`SECTIONS`] (all present: checked at load).
    pub fn section(&self, name: &str) -> &Vec<Value> {
        assert!(SECTIONS.contains(&name), "{name} is not a vectors section");
        self.doc[name].as_array().expect("checked at load")
    }

    pub fn constants(&self) -> &Value {
        &self.doc["constants"]
    }

    /// The entry `id` of `section`.
    pub fn entry(&self, section: &str, id: &str) -> &Value {
        self.section(section)
            .iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("vector {id} missing from {}", self.path.display()))
    }

    fn check_schema(&self, readme: &Readme, committed: bool) {
        let file = self.path.display();
        assert_eq!(
            self.doc.get("schema_version").and_then(Value::as_u64),
            Some(1),
            "{file}: schema_version"
        );
        assert!(
            self.doc.get("constants").is_some_and(Value::is_object),
            "{file}: the section constants is missing or not an object"
        );
        for name in SECTIONS {
            let Some(Value::Array(entries)) = self.doc.get(name) else {
                panic!("{file}: the section {name} is missing or not an array");
            };
            let stated = readme.counts[name];
            if committed {
                assert_eq!(
                    entries.len(),
                    stated,
                    "{file}: {name} entries (tests/data/README.md states {stated})"
                );
            } else {
                assert!(
                    entries.len() >= stated,
                    "{file}: {} {name} entries, fewer than the {stated} of tests/data/README.md",
                    entries.len()
                );
            }
        }
        for name in TAGGED {
            let present: BTreeSet<&str> = self.doc[name]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|entry| entry["tags"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            let missing: Vec<&str> = readme.tags[name]
                .iter()
                .map(String::as_str)
                .filter(|tag| !present.contains(tag))
                .collect();
            assert!(
                missing.is_empty(),
                "{file}: no {name} entry is tagged {missing:?}"
            );
        }
    }
}

/// What `tests/data/README.md` states about the file: entries per section, and the
/// tags each tagged section covers.
struct Readme {
    counts: BTreeMap<&'static str, usize>,
    tags: BTreeMap<&'static str, Vec<String>>,
}

impl Readme {
    fn load() -> Self {
        let path = data_dir().join("README.md");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
        let mut counts = BTreeMap::new();
        let mut tags = BTreeMap::new();
        for line in text.lines() {
            for name in SECTIONS {
                if let Some(row) = line.strip_prefix(&format!("| `{name}[]` |")) {
                    counts.insert(
                        name,
                        last_parenthesised_count(row).unwrap_or_else(|| {
                            panic!("README.md: the {name} row states no count: {line}")
                        }),
                    );
                }
                if let Some(list) = line.strip_prefix(&format!("* `{name}[]` tags:")) {
                    tags.insert(name, backticked(list));
                }
            }
        }
        for name in SECTIONS {
            assert!(
                counts.contains_key(name),
                "README.md states no {name} count"
            );
        }
        for name in TAGGED {
            assert!(
                tags.get(name).is_some_and(|list| !list.is_empty()),
                "README.md lists no {name} tags"
            );
        }
        Self { counts, tags }
    }
}

/// The number in the last `(digits)` of `text`.
fn last_parenthesised_count(text: &str) -> Option<usize> {
    text.match_indices('(').rev().find_map(|(start, _)| {
        let rest = &text[start + 1..];
        rest[..rest.find(')')?].parse().ok()
    })
}

/// The `quoted` words of `text`.
fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

// ---- readers of vector entries ----

/// The string field `key`; panics naming it when absent.
pub fn s<'v>(value: &'v Value, key: &str) -> &'v str {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("field {key} missing or not a string in {value}"))
}

/// The field `key` when it is a string, `None` when absent or null.
pub fn opt<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    match value.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(other) => panic!("field {key} is neither null nor a string: {other}"),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// An object of strings, such as `challenge_parameters`.
pub fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .expect("an object of strings")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_owned()))
        .collect()
}

pub fn unix_seconds(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

/// The vector's app client, with its secret when it has one.
pub fn app_client(vector: &Value) -> AppClient {
    let client_id = s(vector, "client_id");
    match opt(vector, "client_secret") {
        Some(secret) => AppClient::with_secret(client_id, SecretString::from(secret)),
        None => AppClient::new(client_id),
    }
}
