//! Discovery endpoints (RFC 7644 §4): `/ServiceProviderConfig`,
//! `/Schemas`, `/ResourceTypes`, and `/Me`, which this target does not
//! implement (501, §3.11 allows it).

use super::params::LIST_RESPONSE;
use super::response::scim_json;
use super::segment::Segment;
use crate::mock::faults;
use crate::mock::profile::SchemaName;
use crate::mock::state::TargetState;
use crate::scim::ScimError;
use crate::scim::schema::ResourceTypeName;
use crate::scim::schema::{ResourceType, Schema, core};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;

type Target = State<Arc<TargetState>>;

fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}

/// RFC 7643 §5, from the profile's features.
pub fn service_provider_config(state: &TargetState) -> Value {
    let f = &state.profile.features;
    let scheme = if state.auth.is_oauth() {
        json!({"type": "oauth2", "name": "OAuth 2.0 client credentials",
               "description": "RFC 6749 §4.4 client credentials grant", "primary": true})
    } else {
        json!({"type": "oauthbearertoken", "name": "OAuth Bearer Token",
               "description": "Authentication with a bearer token (RFC 6750)", "primary": true})
    };
    json!({
        "schemas": [core::SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://github.com/scimulate/scimulate",
        "patch": {"supported": f.patch},
        "bulk": {
            "supported": f.bulk.is_some(),
            "maxOperations": f.bulk.as_ref().map_or(0, |b| b.max_operations),
            "maxPayloadSize": state.max_payload(),
        },
        "filter": {
            "supported": f.filter.is_some(),
            "maxResults": f.filter.as_ref().map_or(0, |m| m.max_results),
        },
        "changePassword": {"supported": f.change_password},
        "sort": {"supported": f.sort},
        "etag": {"supported": f.etag},
        "authenticationSchemes": [scheme],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", state.base_url),
        },
    })
}

pub async fn spc(State(state): Target) -> Response {
    scim_json(StatusCode::OK, &service_provider_config(&state))
}

fn schema_location(state: &TargetState, id: &str) -> String {
    format!("{}/Schemas/{id}", state.base_url)
}

/// The schemas `/Schemas` lists: the profile's resource schemas and the
/// three that describe the service provider itself.
fn served_schemas(state: &TargetState) -> Vec<Schema> {
    let mut out = Vec::new();
    for name in &state.profile.schemas {
        out.push(match name {
            SchemaName::CoreUser => core::user(),
            SchemaName::EnterpriseUser => core::enterprise_user(),
            SchemaName::CoreGroup => core::group(),
        });
    }
    // A `schema_drift` fault may have dropped an extension.
    out.retain(|s| !faults::drift::hides(&s.id));
    out.extend([
        core::service_provider_config(),
        core::resource_type(),
        core::schema(),
    ]);
    out
}

pub async fn schemas(State(state): Target) -> Response {
    let all = served_schemas(&state)
        .iter()
        .map(|s| s.to_json(&schema_location(&state, &s.id)))
        .collect();
    scim_json(StatusCode::OK, &list(all))
}

pub async fn schema(State(state): Target, Segment(id): Segment) -> Result<Response, ScimError> {
    let schema = served_schemas(&state)
        .into_iter()
        .find(|s| s.id.eq_ignore_ascii_case(&id))
        .ok_or_else(|| ScimError::not_found(format!("no schema {id}")))?;
    Ok(scim_json(
        StatusCode::OK,
        &schema.to_json(&schema_location(&state, &schema.id)),
    ))
}

fn resource_types(state: &TargetState) -> Vec<ResourceType> {
    state
        .profile
        .resource_types
        .iter()
        .map(|k| match k {
            ResourceTypeName::User => state.schema(*k).resource_type.clone(),
            ResourceTypeName::Group => ResourceType::group(),
        })
        .map(|mut t| {
            // A `schema_drift` fault may have dropped an extension.
            t.extensions.retain(|(urn, _)| !faults::drift::hides(urn));
            t
        })
        .collect()
}

pub async fn resource_type_list(State(state): Target) -> Response {
    let all = resource_types(&state)
        .iter()
        .map(|t| t.to_json(&format!("{}/ResourceTypes/{}", state.base_url, t.name)))
        .collect();
    scim_json(StatusCode::OK, &list(all))
}

pub async fn resource_type(
    State(state): Target,
    Segment(name): Segment,
) -> Result<Response, ScimError> {
    let t = resource_types(&state)
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(&name))
        .ok_or_else(|| ScimError::not_found(format!("no resource type {name}")))?;
    let location = format!("{}/ResourceTypes/{}", state.base_url, t.name);
    Ok(scim_json(StatusCode::OK, &t.to_json(&location)))
}

pub async fn me() -> ScimError {
    ScimError::not_implemented("/Me is not implemented by this service provider (RFC 7644 §3.11)")
}
