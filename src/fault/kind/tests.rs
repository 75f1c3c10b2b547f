use super::*;
use crate::fault::FaultSpec;
use crate::scim::schema::ResourceTypeName;
use rstest::rstest;

#[test]
fn names_round_trip_and_match_serde() {
    for k in FaultKind::ALL {
        assert_eq!(FaultKind::parse(k.as_str()), Some(k));
        assert_eq!(
            serde_json::to_value(k).ok(),
            Some(serde_json::Value::String(k.as_str().into()))
        );
    }
}

/// A variant added to the enum but not to the catalogue would be read from
/// files (serde knows it) and then have no facts: serde's own list of the
/// names it knows must be the catalogue's.
#[test]
fn serde_knows_exactly_the_catalogued_kinds() {
    let err = serde_json::from_value::<FaultKind>(serde_json::json!("no_such_kind"))
        .unwrap_err()
        .to_string();
    let listed = err
        .split_once("expected one of ")
        .map(|(_, names)| names)
        .unwrap_or_else(|| panic!("{err}"));
    let catalogued: Vec<String> = CATALOGUE.iter().map(|k| format!("`{}`", k.name)).collect();
    assert_eq!(listed, catalogued.join(", "));
}

#[test]
fn classes_follow_spec_4_3() {
    assert_eq!(
        FaultKind::TokenExpired.alert_class(),
        Some(AlertClass::Authentication)
    );
    assert_eq!(
        FaultKind::Unavailable.alert_class(),
        Some(AlertClass::ServerError)
    );
    assert_eq!(
        FaultKind::ConnectionDrop.alert_class(),
        Some(AlertClass::Connectivity)
    );
    assert_eq!(FaultKind::PatchAsPut.alert_class(), None);
}

/// SPEC §8.3: the kinds that need to own the store are those refused for
/// an upstream target; the rest act at the front door or on answers.
#[test]
fn kinds_owning_the_store_are_those_spec_8_3_names() {
    let owning: Vec<&str> = CATALOGUE
        .iter()
        .filter(|k| matches!(k.stage, Stage::Store | Stage::Once))
        .map(|k| k.name)
        .collect();
    assert_eq!(
        owning,
        [
            "patch_as_put",
            "ignore_deactivate",
            "soft_delete",
            "case_sensitive_username",
            "jit_twin",
            "manual_change"
        ]
    );
}

#[test]
fn a_kind_needs_only_parameters_it_takes() {
    for k in CATALOGUE {
        for need in k.needs {
            assert!(k.takes.contains(&need.param), "{}: {:?}", k.name, need);
        }
    }
}

fn shapes(kind: &str, method: &str, path: &str, op: Operation, body: &str) -> bool {
    let spec: FaultSpec =
        serde_json::from_value(serde_json::json!({"kind": kind, "users": ["bob"]}))
            .or_else(|_| serde_json::from_value(serde_json::json!({"kind": kind})))
            .expect("spec");
    let resource_type = if path.starts_with("/scim/v2/Users") {
        Some(ResourceTypeName::User)
    } else if path.starts_with("/scim/v2/Groups") {
        Some(ResourceTypeName::Group)
    } else {
        None
    };
    spec.kind.info().can_shape(
        &RequestFacts {
            method,
            path,
            body: body.as_bytes(),
            resource_type,
            operation: op,
        },
        spec.users.as_deref(),
    )
}

use Operation::{Deprovision as D, Provision as P, Read as R, Update as U};

#[rstest]
#[case("patch_as_put", "PATCH", "/scim/v2/Users/1", U, "", true)]
#[case("patch_as_put", "PUT", "/scim/v2/Users/1", U, "", false)]
#[case("patch_as_put", "POST", "/scim/v2/Bulk", U, "", true)]
#[case("ignore_deactivate", "PATCH", "/scim/v2/Users/1", D, "", true)]
#[case("ignore_deactivate", "PATCH", "/scim/v2/Users/1", U, "", false)]
#[case("soft_delete", "DELETE", "/scim/v2/Users/1", D, "", true)]
#[case("soft_delete", "DELETE", "/scim/v2/Groups/1", D, "", false)]
#[case("conflict", "POST", "/scim/v2/Users", P, r#"{"userName":"BOB"}"#, true)]
#[case(
    "conflict",
    "POST",
    "/scim/v2/Users",
    P,
    r#"{"userName":"eve"}"#,
    false
)]
#[case("conflict", "POST", "/oauth/token", P, "", false)]
#[case("case_sensitive_username", "GET", "/scim/v2/Users", R, "", true)]
#[case("case_sensitive_username", "POST", "/scim/v2/.search", R, "", true)]
#[case("case_sensitive_username", "GET", "/scim/v2/Schemas", R, "", false)]
#[case("schema_drift", "GET", "/scim/v2/Schemas", R, "", true)]
#[case("schema_drift", "GET", "/scim/v2/ResourceTypes/User", R, "", true)]
#[case("schema_drift", "GET", "/scim/v2/Users", R, "", false)]
#[case("schema_drift", "PUT", "/scim/v2/Users/1", U, "", true)]
#[case("stale_reads", "GET", "/scim/v2/Users/1", R, "", true)]
#[case("stale_reads", "POST", "/scim/v2/Users/.search", R, "", true)]
#[case("stale_reads", "GET", "/scim/v2/ServiceProviderConfig", R, "", false)]
#[case("stale_reads", "POST", "/scim/v2/Users", P, "", false)]
#[case("partial_bulk", "POST", "/scim/v2/Bulk", U, "", true)]
#[case("partial_bulk", "POST", "/scim/v2/Users", P, "", false)]
#[case("manual_change", "DELETE", "/scim/v2/Users/1", D, "", false)]
#[case("server_error", "GET", "/scim/v2/Schemas", R, "", true)]
fn each_kind_reaches_the_requests_it_can_change(
    #[case] kind: &str,
    #[case] method: &str,
    #[case] path: &str,
    #[case] op: Operation,
    #[case] body: &str,
    #[case] expected: bool,
) {
    assert_eq!(shapes(kind, method, path, op, body), expected);
}
