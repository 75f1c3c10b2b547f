//! Which requests a fault kind can shape at all: only those count against
//! its window and draws.

use super::FaultKind;
use super::engine::RequestFacts;
use super::spec::{FaultSpec, Operation};
use crate::target::profile::ResourceTypeName;
use serde_json::Value;

/// Whether a fault of this kind could change the answer to this request at
/// all. Only such requests count against its window and draws, so
/// `patch_as_put` with `for_requests: 2` shapes the next two PATCHes, not
/// the next two requests of any kind.
pub(super) fn can_shape(spec: &FaultSpec, req: &RequestFacts<'_>) -> bool {
    let bulk = req.method == "POST" && req.path.ends_with("/Bulk");
    let users = req.resource_type != Some(ResourceTypeName::Group);
    let provision = req.operation == Operation::Provision;
    match spec.kind {
        FaultKind::PatchAsPut => req.method == "PATCH" || bulk,
        FaultKind::IgnoreDeactivate => {
            (req.method != "DELETE" && req.operation == Operation::Deprovision && users) || bulk
        }
        FaultKind::SoftDelete => (req.method == "DELETE" && users) || bulk,
        FaultKind::Conflict => match &spec.users {
            None => provision || bulk,
            Some(names) => (provision && names_one_of(req.body, names)) || bulk,
        },
        // Applied when switched on; the POSTs it shapes are those for the
        // people it made twins of, which meet the twin's 409.
        FaultKind::JitTwin => {
            provision && names_one_of(req.body, spec.users.as_deref().unwrap_or_default())
        }
        FaultKind::CaseSensitiveUsername => users,
        FaultKind::PartialBulk => bulk,
        FaultKind::StaleReads => req.operation == Operation::Read,
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
