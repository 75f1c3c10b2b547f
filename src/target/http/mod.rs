//! The target's HTTP surface (SPEC §3.1): the SCIM endpoints under the
//! profile's base path, the OAuth token endpoint, and SCIM errors for
//! everything else.

mod body;
mod bulk;
mod discovery;
mod layers;
pub mod oauth;
mod params;
mod resources;
mod response;

pub use body::is_scim_media_type;
pub use discovery::service_provider_config;
pub use response::SCIM_JSON;

use crate::scim::ScimError;
use crate::target::profile::ResourceTypeName;
use crate::target::state::TargetState;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};
use std::sync::Arc;

async fn not_found() -> ScimError {
    ScimError::not_found("no such endpoint")
}

async fn method_not_allowed() -> ScimError {
    ScimError::method_not_allowed("this endpoint does not support the method")
}

/// The whole target as a service, so tests can call it without a socket.
pub fn router(state: Arc<TargetState>) -> Router {
    let scim = Router::new()
        .nest("/Users", resources::routes(ResourceTypeName::User))
        .nest("/Groups", resources::routes(ResourceTypeName::Group))
        .route("/.search", post(resources::search_all))
        .route("/Bulk", post(bulk::bulk))
        .route("/ServiceProviderConfig", get(discovery::spc))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/ResourceTypes", get(discovery::resource_type_list))
        .route("/ResourceTypes/{name}", get(discovery::resource_type))
        .route("/Me", any(discovery::me))
        .route_layer(from_fn_with_state(state.clone(), layers::authenticate));
    let base = state.profile.base_path.clone();
    let app = if base.is_empty() || base == "/" {
        scim
    } else {
        Router::new().nest(&base, scim)
    };
    app.route(oauth::TOKEN_PATH, post(oauth::token))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), layers::journal))
        .with_state(state)
}
