//! Which requests a fault kind can shape at all: only those count against
//! its window and draws.

use super::FaultKind;
use super::engine::RequestFacts;
use super::spec::{FaultSpec, Operation};
use crate::scim::schema::ResourceTypeName;
use serde_json::Value;

/// Whether a fault of this kind could change the answer to this request at
/// all. Only such requests count against its window and draws, so
/// `patch_as_put` with `for_requests: 2` shapes the next two PATCHes, not
/// the next two requests of any kind.
pub(super) fn can_shape(spec: &FaultSpec, req: &RequestFacts<'_>) -> bool {
    let post = req.method == "POST";
    let bulk = post && req.path.ends_with("/Bulk");
    let resources = req.resource_type.is_some();
    let on_users = req.resource_type == Some(ResourceTypeName::User);
    let root_search = !resources && post && req.path.ends_with("/.search");
    let discovery =
        !resources && (req.path.contains("/Schemas") || req.path.contains("/ResourceTypes"));
    let provision = resources && req.operation == Operation::Provision;
    let write = resources
        && matches!(req.method, "POST" | "PUT" | "PATCH")
        && req.operation != Operation::Read;
    match spec.kind {
        FaultKind::PatchAsPut => (resources && req.method == "PATCH") || bulk,
        FaultKind::IgnoreDeactivate => {
            (on_users && req.method != "DELETE" && req.operation == Operation::Deprovision) || bulk
        }
        FaultKind::SoftDelete => (on_users && req.method == "DELETE") || bulk,
        FaultKind::Conflict => match &spec.users {
            None => provision || bulk,
            Some(names) => (provision && names_one_of(req.body, names)) || bulk,
        },
        // Applied when switched on; the POSTs it shapes are those for the
        // people it made twins of, which meet the twin's 409.
        FaultKind::JitTwin => {
            provision && names_one_of(req.body, spec.users.as_deref().unwrap_or_default())
        }
        FaultKind::CaseSensitiveUsername => on_users || bulk || root_search,
        FaultKind::SchemaDrift => write || bulk || discovery,
        FaultKind::PartialBulk => bulk,
        FaultKind::StaleReads => req.operation == Operation::Read && (resources || root_search),
        // Applied once when switched on; no request is its to shape.
        FaultKind::ManualChange => false,
        _ => true,
    }
}

/// Whether a POST body's userName is one of `names` (case-insensitively,
/// as userName compares). Parsed only while such a fault is on.
fn names_one_of(body: &[u8], names: &[String]) -> bool {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let Some(name) = map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("userName"))
        .and_then(|(_, v)| v.as_str())
    else {
        return false;
    };
    let name = name.to_lowercase();
    names.iter().any(|n| n.to_lowercase() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

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
        can_shape(
            &spec,
            &RequestFacts {
                method,
                path,
                body: body.as_bytes(),
                resource_type,
                operation: op,
            },
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
}
