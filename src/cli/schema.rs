//! `scimulate schema KIND`: print the JSON Schema of a file or payload.

use super::CliError;
use crate::schema::SchemaKind;
use std::io::Write;

/// Prints the schema; an unknown kind is bad input (exit 2) listing the
/// kinds there are.
pub fn run(kind: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let kind: SchemaKind = kind.parse().map_err(CliError::BadInput)?;
    out.write_all(kind.schema().as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Harness(format!("could not write the schema: {e}")))
}
