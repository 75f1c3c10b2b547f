//! The schemas of the wire payloads are derived from the types that read
//! or write them (`scimulate::schema::generate`). The committed
//! `schemas/NAME.schema.json` files, which the binary embeds and people
//! read without it, must be exactly that output: this test fails when one
//! differs, and `UPDATE_SCHEMAS=1 cargo test --test integration schema_generated`
//! rewrites them.

use scimulate::contract::alert_wire::NativeAlert;
use scimulate::contract::event::Event;
use scimulate::contract::targets_file::TargetsFile;
use scimulate::report::RunReport;
use scimulate::schema::SchemaKind;
use scimulate::schema::generate::{Side, generate};
use scimulate::serve::Endpoints;
use std::path::Path;

/// Each derived kind: its type, title and side of the wire.
fn derived() -> Vec<(SchemaKind, String)> {
    vec![
        (
            SchemaKind::Report,
            generate::<RunReport>(SchemaKind::Report, "scimulate JSON report", Side::Written),
        ),
        (
            SchemaKind::Event,
            generate::<Event>(
                SchemaKind::Event,
                "scimulate lifecycle event",
                Side::Written,
            ),
        ),
        (
            SchemaKind::Alert,
            generate::<NativeAlert>(SchemaKind::Alert, "scimulate alert", Side::Read),
        ),
        (
            SchemaKind::Targets,
            generate::<TargetsFile>(SchemaKind::Targets, "scimulate targets file", Side::Written),
        ),
        (
            SchemaKind::Endpoints,
            generate::<Endpoints>(
                SchemaKind::Endpoints,
                "scimulate endpoints file",
                Side::Written,
            ),
        ),
    ]
}

#[test]
fn committed_derived_schemas_are_what_the_types_generate() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (kind, generated) in derived() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(format!("{kind}.schema.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == generated {
            continue;
        }
        if update {
            std::fs::write(&path, &generated).unwrap();
        } else {
            stale.push(kind.to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/ differ from what the types generate for {}: run UPDATE_SCHEMAS=1 cargo test --test schema_generated",
        stale.join(", ")
    );
}
