//! Synchronous gates in front of the endpoints: a check that either answers
//! the request itself (a missing token, a rate limit) or passes it on
//! untouched.
//!
//! Why not `axum::middleware::from_fn`: it clones the inner service and
//! boxes a future on every request, for checks that never await; on the
//! lookup hot path those allocations showed in the profile. A gate calls
//! the inner service directly.

use crate::mock::state::TargetState;
use axum::extract::Request;
use axum::response::Response;
use futures_util::future::{Either, Ready, ready};
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// The check: `Some` answers the request instead of the endpoint.
pub type Check = fn(&TargetState, &Request) -> Option<Response>;

#[derive(Clone)]
pub struct GateLayer {
    state: Arc<TargetState>,
    check: Check,
}

impl GateLayer {
    pub fn new(state: Arc<TargetState>, check: Check) -> Self {
        GateLayer { state, check }
    }
}

impl<S> Layer<S> for GateLayer {
    type Service = Gate<S>;

    fn layer(&self, inner: S) -> Gate<S> {
        Gate {
            inner,
            state: self.state.clone(),
            check: self.check,
        }
    }
}

#[derive(Clone)]
pub struct Gate<S> {
    inner: S,
    state: Arc<TargetState>,
    check: Check,
}

impl<S> Service<Request> for Gate<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match (self.check)(&self.state, &req) {
            Some(answer) => Either::Left(ready(Ok(answer))),
            None => Either::Right(self.inner.call(req)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::profile::Profile;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use tower::ServiceExt;
    use tower::service_fn;

    fn state() -> Arc<TargetState> {
        let profile = Profile::from_yaml("name: t\n", "t.yaml").expect("profile");
        Arc::new(TargetState::new(
            "t",
            profile,
            "http://127.0.0.1:1/scim/v2",
            0,
        ))
    }

    fn refuse_posts(_: &TargetState, req: &Request) -> Option<Response> {
        (req.method() == "POST").then(|| StatusCode::FORBIDDEN.into_response())
    }

    #[tokio::test]
    async fn a_refused_request_never_reaches_the_endpoint_and_a_passed_one_does() {
        let reached = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = reached.clone();
        let endpoint = service_fn(move |_req: Request| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { Ok::<_, std::convert::Infallible>(StatusCode::OK.into_response()) }
        });
        let gate = GateLayer::new(state(), refuse_posts).layer(endpoint);
        let post = Request::post("/x").body(Body::empty()).unwrap();
        let get = Request::get("/x").body(Body::empty()).unwrap();

        let refused = gate.clone().oneshot(post).await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0);

        let passed = gate.oneshot(get).await.unwrap();
        assert_eq!(passed.status(), StatusCode::OK);
        assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
