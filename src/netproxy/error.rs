//! The one error of the Toxiproxy API: Toxiproxy's message and HTTP status,
//! shared by the registry, the toxic parser and the HTTP layer.

/// An API failure: Toxiproxy's message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({status})")]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub(super) fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_body(detail: impl std::fmt::Display) -> Self {
        ApiError::new(400, format!("bad request body: {detail}"))
    }
    pub(super) fn missing(field: &str) -> Self {
        ApiError::new(400, format!("missing required field: {field}"))
    }
    pub(super) fn proxy_not_found() -> Self {
        ApiError::new(404, "proxy not found")
    }
    pub(super) fn toxic_not_found() -> Self {
        ApiError::new(404, "toxic not found")
    }
    /// A listener that could not bind: not the client's fault, so 500 as
    /// in Toxiproxy, with the OS's reason.
    pub(super) fn listen(listen: &str, e: std::io::Error) -> Self {
        ApiError::new(500, format!("listen tcp {listen}: {e}"))
    }
}
