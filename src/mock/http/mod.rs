//! The target's HTTP surface (SPEC §3.1): the SCIM endpoints under the
//! profile's base path, the OAuth token endpoint, and SCIM errors for
//! everything else.

mod body;
mod bulk;
mod discovery;
mod gate;
mod layers;
pub mod oauth;
mod params;
mod resources;
mod response;
mod segment;
mod vendor;

pub use body::is_scim_media_type;
pub use discovery::service_provider_config;
pub use response::SCIM_JSON;

use crate::mock::behaviour;
use crate::mock::state::TargetState;
use crate::scim::ScimError;
use axum::Router;
use axum::routing::{any, get, post};
use gate::GateLayer;
pub use layers::Journaled;
use resources::{GroupsEndpoint, UsersEndpoint};
use std::sync::Arc;

async fn not_found() -> ScimError {
    ScimError::not_found("no such endpoint")
}

async fn method_not_allowed() -> ScimError {
    ScimError::method_not_allowed("this endpoint does not support the method")
}

/// The whole target as a service, so tests can call it without a socket.
///
/// Routes carry the base path in full rather than being nested: nesting
/// costs a prefix strip and a boxed service clone on every request.
pub fn service(state: Arc<TargetState>) -> Journaled {
    let base = state.profile.base_path.trim_end_matches('/').to_owned();
    let at = |path: &str| format!("{base}{path}");
    let scim = Router::new();
    let scim = resources::routes::<UsersEndpoint>(scim, &at("/Users"));
    let scim = resources::routes::<GroupsEndpoint>(scim, &at("/Groups"));
    let scim = scim
        .route(&at("/.search"), post(resources::search_all))
        .route(&at("/Bulk"), post(bulk::bulk))
        .route(&at("/ServiceProviderConfig"), get(discovery::spc))
        .route(&at("/Schemas"), get(discovery::schemas))
        .route(&at("/Schemas/{id}"), get(discovery::schema))
        .route(&at("/ResourceTypes"), get(discovery::resource_type_list))
        .route(&at("/ResourceTypes/{name}"), get(discovery::resource_type))
        .route(&at("/Me"), any(discovery::me))
        .route_layer(GateLayer::new(state.clone(), layers::authenticate));
    let routes = scim
        .route(oauth::TOKEN_PATH, post(oauth::token))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    // Only profiles with a rate limit or a required User-Agent pay for it.
    let routes = if behaviour::front::needed(&state.profile) {
        routes.layer(GateLayer::new(state.clone(), behaviour::front::front_door))
    } else {
        routes
    };
    Journaled::new(state.clone(), routes.with_state(state))
}
