//! Cross-cutting layers: the journal (outermost: it sees every request,
//! including refused ones, SPEC §3.3), which also lets the faults decide
//! (SPEC §3.2) before the request goes on, and bearer authentication (a
//! gate, see `super::gate`).

use super::response::{OperationTag, scim_json};
use crate::fault::{FaultKind, Operation};
use crate::mock::behaviour::front::FaultTag;
use crate::mock::connection::ConnectionReset;
use crate::mock::faults::{self, Verdict};
use crate::mock::journal::{JournalEntry, mask_body, mask_headers};
use crate::mock::state::TargetState;
use crate::scim::ScimError;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{self, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Service, ServiceExt};

/// The kind of operation a request attempts: what the handler said, or
/// from the method, path and body (a refused PATCH that deactivates is
/// still an attempted deprovisioning, which the judge must see).
fn operation_of(
    method: &Method,
    path: &str,
    body: &[u8],
    tag: Option<OperationTag>,
) -> Option<Operation> {
    if let Some(OperationTag(op)) = tag {
        return Some(op);
    }
    if path.ends_with(super::oauth::TOKEN_PATH) {
        return None;
    }
    Some(faults::operation(method, path, body))
}

/// How a request was answered, as the journal keeps it.
#[derive(Default)]
struct Answer {
    /// 0: never answered.
    status: u16,
    body: Bytes,
    fault: Option<FaultKind>,
    tag: Option<OperationTag>,
    retry_after: Option<String>,
    content_type: Option<HeaderValue>,
}

/// What the journal keeps of a request, taken before it is handled.
struct Received {
    started: Instant,
    time: chrono::DateTime<Utc>,
    method: Method,
    path: String,
    query: Option<String>,
    headers: String,
    version: http::Version,
}

impl Received {
    /// Journals the request with its answer (`status` 0: never answered)
    /// and counts it in the metrics.
    fn record(self, state: &TargetState, body: &[u8], answer: Answer) {
        let Answer {
            status,
            body: response_body,
            fault,
            tag,
            retry_after,
            content_type,
        } = answer;
        let operation = operation_of(&self.method, &self.path, body, tag);
        let elapsed = self.started.elapsed().as_secs_f64();
        state.metrics.count(
            self.method.as_str(),
            status,
            fault.map(FaultKind::as_str),
            elapsed,
        );
        state.journal.record(JournalEntry {
            seq: 0,
            latency_ms: elapsed * 1000.0,
            time: self.time,
            method: self.method,
            path: self.path,
            query: self.query,
            headers: self.headers,
            // A copy: the received bytes may share the connection's read
            // buffer, which the journal must not keep alive.
            body: mask_body(Bytes::copy_from_slice(body)),
            status,
            // Masked when read: a target's own answers carry a secret only
            // on its token endpoint, and scanning every answer costs the hot
            // path.
            response_body,
            fault: fault.map(|k| k.as_str().to_owned()),
            operation,
            retry_after,
            version: self.version,
            response_content_type: content_type,
        });
    }
}

/// The whole target: the journal around the router. Outside the router
/// rather than one of its layers: it must see every request, unknown paths
/// included, and a router layer wraps every route, to be cloned and boxed
/// again on every request.
#[derive(Clone)]
pub struct Journaled {
    state: Arc<TargetState>,
    router: Router,
    /// The connection this copy serves, for `connection_drop`; `None`
    /// without a socket (the service called directly).
    connection: Option<ConnectionReset>,
}

impl Journaled {
    pub fn new(state: Arc<TargetState>, router: Router) -> Self {
        Journaled {
            state,
            router,
            connection: None,
        }
    }

    /// The copy that serves one connection. Carried by the service rather
    /// than inserted into every request's extensions, which allocated.
    pub fn for_connection(&self, connection: ConnectionReset) -> Self {
        Journaled {
            connection: Some(connection),
            ..self.clone()
        }
    }
}

impl<B> Service<http::Request<B>> for Journaled
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let (state, router) = (self.state.clone(), self.router.clone());
        let connection = self.connection.clone();
        Box::pin(async move { Ok(journal(state, req.map(Body::new), router, connection).await) })
    }
}

/// Runs the request through the endpoints.
async fn endpoints(router: Router, req: Request) -> Response {
    let Ok(response) = router.oneshot(req).await;
    response
}

/// Reads the body (refusing more than the target's payload limit with 413,
/// RFC 7644 §3.7.4), lets the faults decide, runs the request, and journals
/// both sides.
async fn journal(
    state: Arc<TargetState>,
    req: Request,
    router: Router,
    connection: Option<ConnectionReset>,
) -> Response {
    let (parts, body) = req.into_parts();
    let received = Received {
        started: Instant::now(),
        time: Utc::now(),
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: mask_headers(&parts.headers),
        version: parts.version,
    };

    let limit = state.max_payload();
    let mut fault = None;
    let (request_body, response) = match read_body(body, limit).await {
        Ok(bytes) => {
            let faults::Decision { verdict, shaping } = faults::decide(
                &state.faults,
                &state.profile.base_path,
                &received.method,
                &received.path,
                &bytes,
            );
            let response = match verdict {
                Verdict::Answer(response, kind) => {
                    fault = Some(kind);
                    response
                }
                Verdict::Hang => {
                    // Journaled now, since no answer will ever complete it;
                    // the connection is held until the client gives up.
                    received.record(
                        &state,
                        &bytes,
                        Answer {
                            fault: Some(FaultKind::Timeout),
                            ..Answer::default()
                        },
                    );
                    return std::future::pending().await;
                }
                Verdict::Reset => {
                    received.record(
                        &state,
                        &bytes,
                        Answer {
                            fault: Some(FaultKind::ConnectionDrop),
                            ..Answer::default()
                        },
                    );
                    return reset_connection(connection.as_ref()).await;
                }
                Verdict::Pass | Verdict::Delay(..) | Verdict::TokenExpired => {
                    if let Verdict::Delay(delay, kind) = verdict {
                        fault = Some(kind);
                        tokio::time::sleep(delay).await;
                    }
                    let req = Request::from_parts(parts, Body::from(bytes.clone()));
                    let (response, applied) =
                        faults::shaping::scoped(shaping, endpoints(router, req)).await;
                    fault = fault.or(applied);
                    if matches!(verdict, Verdict::TokenExpired)
                        && response.status() == StatusCode::UNAUTHORIZED
                    {
                        fault = Some(FaultKind::TokenExpired);
                    }
                    response
                }
            };
            (bytes, response)
        }
        Err(e) => (Bytes::new(), closing(e.into_response())),
    };

    let (mut rparts, rbody) = response.into_parts();
    let response_body = match rbody.collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => Bytes::new(),
    };
    // Vendor error-body style (behaviour error_body_style); strict bodies pass as is.
    let style = &state.profile.behaviour.errors;
    let response_body = if !style.is_strict() && rparts.status.as_u16() >= 400 {
        rparts.headers.remove(header::CONTENT_LENGTH);
        style.restyle(response_body)
    } else {
        response_body
    };
    // The standing rate limit answers inside this layer and names itself.
    if let Some(FaultTag(kind)) = rparts.extensions.remove::<FaultTag>() {
        fault = Some(kind);
    }
    let tag = rparts.extensions.remove::<OperationTag>();
    let retry_after = rparts
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let content_type = rparts.headers.get(header::CONTENT_TYPE).cloned();
    received.record(
        &state,
        &request_body,
        Answer {
            status: rparts.status.as_u16(),
            body: response_body.clone(),
            fault,
            tag,
            retry_after,
            content_type,
        },
    );
    Response::from_parts(rparts, Body::from(response_body))
}

/// The whole request body, or the SCIM error that refuses it: 413 when
/// it is larger than `limit`, as soon as that is known. A body whose
/// `Content-Length` already says so is refused before a byte of it is
/// read: a client that waits for `100 Continue`, or sends slowly, gets its
/// answer instead of waiting for a server that waits for the body.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ScimError> {
    let too_large = || {
        ScimError::payload_too_large(format!(
            "the request body exceeds maxPayloadSize ({limit} bytes)"
        ))
    };
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(ScimError::invalid_syntax(format!(
            "could not read the request body: {e}"
        ))),
    }
}

/// Marks an answer given before the request body was read to its end: the
/// rest of the body is still on the connection, so it cannot carry another
/// request, and a client that reused it would fail (RFC 9110 §15.5.14).
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Resets the request's connection: the client sees a reset instead of an
/// answer. Without a socket (the router called directly) the answer's body
/// fails instead, which makes the server abort the connection as well.
async fn reset_connection(handle: Option<&ConnectionReset>) -> Response {
    match handle {
        Some(handle) => {
            handle.reset();
            std::future::pending().await
        }
        None => {
            let failing = futures_util::stream::once(async {
                Err::<Bytes, _>(std::io::Error::other("connection_drop fault"))
            });
            Response::new(Body::from_stream(failing))
        }
    }
}

/// Bearer authentication (RFC 6750), a gate (see `super::gate`): 401 with
/// a SCIM error body and a challenge that tells a missing token from an
/// invalid or expired one.
pub fn authenticate(state: &TargetState, req: &Request) -> Option<Response> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let failure = state.auth.check(authorization).err()?;
    let error = ScimError::unauthorized(failure.detail());
    let mut response = scim_json(StatusCode::UNAUTHORIZED, &error.to_json());
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(failure.challenge()),
    );
    Some(response)
}
