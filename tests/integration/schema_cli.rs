//! `scimulate schema KIND` through the binary: the schema on stdout with
//! exit 0, an unknown kind exit 2 with the list of kinds.

use scimulate::schema::SchemaKind;
use std::process::Command;

fn scimulate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn every_kind_prints_its_schema() {
    for kind in SchemaKind::ALL {
        let out = scimulate(&["schema", kind.as_str()]);
        assert_eq!(out.status.code(), Some(0), "{kind}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            kind.schema(),
            "{kind}"
        );
    }
}

#[test]
fn an_unknown_kind_is_bad_input_naming_the_kinds() {
    let out = scimulate(&["schema", "widget"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: unknown schema kind 'widget': expected one of scenario, profile, connector, report, event, alert, targets, endpoints\n"
    );
}

#[test]
fn a_missing_kind_is_bad_input() {
    assert_eq!(scimulate(&["schema"]).status.code(), Some(2));
}
