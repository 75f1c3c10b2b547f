//! Schemas derived from the Rust types that read or write a document
//! (`schemars`), so that what a schema accepts and what the code accepts
//! cannot part. The committed `schemas/NAME.schema.json` of a derived kind
//! is this function's output, kept for people without the binary; a test
//! holds the two equal.

use super::SchemaKind;
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

/// RFC 3339 with a time zone, as every timestamp scimulate reads: the
/// `date-time` format alone is not asserted by every validator.
pub const RFC3339_PATTERN: &str =
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$";

/// Which side of the wire the schema describes: what scimulate writes
/// (`Serialize`: a field always written is required) or what it reads
/// (`Deserialize`: a field with a default may be left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Written,
    Read,
}

/// The draft 2020-12 schema of `T` as `kind`'s document, pretty-printed
/// with a final newline: `$schema`, `$id` and `title` first, then the
/// description (the type's doc comment) and the rest as derived.
pub fn generate<T: JsonSchema>(kind: SchemaKind, title: &str, side: Side) -> String {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.contract = match side {
            Side::Written => Contract::Serialize,
            Side::Read => Contract::Deserialize,
        }
    });
    let schema: Schema = settings.into_generator().into_root_schema_for::<T>();
    let Value::Object(mut derived) = schema.to_value() else {
        panic!("{kind}: a document's schema is an object");
    };
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        derived
            .remove("$schema")
            .unwrap_or_else(|| panic!("{kind}: no $schema")),
    );
    root.insert(
        "$id".into(),
        format!("https://scimulate.dev/schemas/{kind}.schema.json").into(),
    );
    root.insert("title".into(), title.into());
    derived.remove("title");
    if let Some(description) = derived.remove("description") {
        root.insert("description".into(), description);
    }
    root.extend(derived);
    let mut text = serde_json::to_string_pretty(&Value::Object(root)).expect("JSON");
    text.push('\n');
    text
}
