//! The `--output` formats: `json`, the AWS CLI's `text`, `yaml` and a simple
//! `table`. Outside JSON (which escapes them itself), control characters in
//! values are escaped first, so text from the server cannot drive the terminal.
//!
//! `text` follows the AWS CLI's rules: a scalar prints alone; a list of scalars
//! prints tab-separated (each on its own line, after the upper-cased key, when it
//! sits under a key); an object prints its scalar values tab-separated in key
//! order, after its upper-cased key when it is nested, then each nested value
//! under its own key; the objects of a list share one column set, the union of
//! their scalar keys, with empty cells for keys an object lacks.

use serde_json::{Map, Value};

/// The `--output` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Pretty JSON.
    Json,
    /// The AWS CLI's text format: tab-separated, nested objects labelled with
    /// their upper-cased key.
    Text,
    /// YAML (the AWS CLI's `yaml-stream` is taken as `yaml`: results here are
    /// never paginated).
    #[value(alias = "yaml-stream")]
    Yaml,
    /// A table of property paths and values.
    Table,
}

/// Renders `value` in `format`, with a trailing newline.
pub fn render(value: &Value, format: OutputFormat) -> String {
    if format == OutputFormat::Json {
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.push('\n');
        return text;
    }
    let value = escaped(value);
    match format {
        OutputFormat::Yaml => serde_norway::to_string(&value).unwrap_or_default(),
        OutputFormat::Table => table(&value),
        OutputFormat::Json | OutputFormat::Text => {
            let mut lines = Vec::new();
            text_item(&value, None, None, &mut lines);
            lines.iter().map(|l| format!("{l}\n")).collect()
        }
    }
}

/// `value` with control characters in its strings (and keys) escaped.
fn escaped(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(crate::ui::escape_control(s)),
        Value::Array(items) => Value::Array(items.iter().map(escaped).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (crate::ui::escape_control(k), escaped(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A scalar as the AWS CLI prints it (Python's `str`).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("None".to_owned()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn is_scalar(value: &Value) -> bool {
    scalar(value).is_some()
}

fn text_item(
    value: &Value,
    label: Option<&str>,
    columns: Option<&[String]>,
    lines: &mut Vec<String>,
) {
    match value {
        Value::Object(fields) => text_object(fields, label, columns, lines),
        Value::Array(items) => text_list(items, label, lines),
        other => lines.extend(scalar(other)),
    }
}

fn text_list(items: &[Value], label: Option<&str>, lines: &mut Vec<String>) {
    if items.iter().any(Value::is_object) {
        let mut columns: Vec<String> = items
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|o| {
                o.iter()
                    .filter(|(_, v)| is_scalar(v))
                    .map(|(k, _)| k.clone())
            })
            .collect();
        columns.sort();
        columns.dedup();
        for item in items {
            text_item(item, label, Some(&columns), lines);
        }
    } else if items.iter().any(Value::is_array) {
        let scalars: Vec<Value> = items.iter().filter(|v| is_scalar(v)).cloned().collect();
        if !scalars.is_empty() {
            text_scalars(&scalars, label, lines);
        }
        for nested in items.iter().filter(|v| !is_scalar(v)) {
            text_item(nested, label, None, lines);
        }
    } else if !items.is_empty() {
        text_scalars(items, label, lines);
    }
}

fn text_scalars(items: &[Value], label: Option<&str>, lines: &mut Vec<String>) {
    match label {
        Some(label) => lines.extend(
            items
                .iter()
                .filter_map(scalar)
                .map(|s| format!("{}\t{s}", label.to_uppercase())),
        ),
        None => lines.push(
            items
                .iter()
                .filter_map(scalar)
                .collect::<Vec<_>>()
                .join("\t"),
        ),
    }
}

fn text_object(
    fields: &Map<String, Value>,
    label: Option<&str>,
    columns: Option<&[String]>,
    lines: &mut Vec<String>,
) {
    let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let (mut cells, nested): (Vec<String>, Vec<(&String, &Value)>) = match columns {
        None => (
            sorted.iter().filter_map(|(_, v)| scalar(v)).collect(),
            sorted
                .iter()
                .filter(|(_, v)| !is_scalar(v))
                .copied()
                .collect(),
        ),
        Some(columns) => (
            columns
                .iter()
                .map(|k| fields.get(k).and_then(scalar).unwrap_or_default())
                .collect(),
            sorted
                .iter()
                .filter(|(k, _)| !columns.contains(k))
                .copied()
                .collect(),
        ),
    };
    if !cells.is_empty() {
        if let Some(label) = label {
            cells.insert(0, label.to_uppercase());
        }
        lines.push(cells.join("\t"));
    }
    for (key, value) in nested {
        text_item(value, Some(key), None, lines);
    }
}

/// Every scalar with its path (`A.B`, `List[0].C`), in document order.
fn flatten(value: &Value, path: &str, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (k, v) in fields {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(v, &child, rows);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, &format!("{path}[{i}]"), rows);
            }
        }
        other => rows.push((path.to_owned(), scalar(other).unwrap_or_default())),
    }
}

/// A two-column table of paths and values, in box-drawing ASCII.
fn table(value: &Value) -> String {
    let mut rows = Vec::new();
    flatten(value, "", &mut rows);
    if rows.is_empty() {
        return String::new();
    }
    let width = |f: fn(&(String, String)) -> &String| {
        rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0)
    };
    let (left, right) = (width(|r| &r.0), width(|r| &r.1));
    let rule = format!("+{}+{}+\n", "-".repeat(left + 2), "-".repeat(right + 2));
    let mut text = rule.clone();
    for (path, value) in &rows {
        let path = if path.is_empty() { "-" } else { path.as_str() };
        text.push_str(&format!("| {path:<left$} | {value:<right$} |\n"));
    }
    text.push_str(&rule);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    #[test]
    fn text_labels_nested_objects_and_lists() {
        let value = json!({
            "Z": null,
            "A": true,
            "Inner": {"b": 2, "a": "one", "Deeper": {"k": "v"}},
            "Tags": ["x", "y"],
            "Items": [{"Name": "n1", "Size": 1}, {"Name": "n2", "Extra": "e"}],
            "Empty": {}
        });
        assert_eq!(
            render(&value, OutputFormat::Text),
            "True\tNone\n\
             INNER\tone\t2\n\
             DEEPER\tv\n\
             ITEMS\t\tn1\t1\n\
             ITEMS\te\tn2\t\n\
             TAGS\tx\n\
             TAGS\ty\n"
        );
    }

    #[test]
    fn other_formats_escape_control_characters() {
        let value = json!({"M": "red \u{1b}[31m bell \u{7}"});
        assert_eq!(
            render(&value, OutputFormat::Text),
            "red \\x1b[31m bell \\x07\n"
        );
        assert_eq!(
            render(&value, OutputFormat::Yaml),
            "M: red \\x1b[31m bell \\x07\n"
        );
        assert!(render(&value, OutputFormat::Json).contains("\\u001b"));
        assert_eq!(
            render(&json!({"A": {"B": "x"}, "C": [1]}), OutputFormat::Table),
            "+------+---+\n| A.B  | x |\n| C[0] | 1 |\n+------+---+\n"
        );
    }
}
