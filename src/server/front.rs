//! The front door: every request comes in here. A page is answered straight from the
//! snapshot; everything else goes through warp's routes. Every answer then gets the
//! security headers, is counted, and is logged.

use super::State;
use super::payload;
use super::route::Route;
use futures_util::future::{BoxFuture, Either, Ready, ready};
use hyper::body::Incoming;
use hyper::service::Service;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;
use warp::Reply;
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::{Method, Request, StatusCode, Uri};

/// What every answer is.
type Answer = warp::reply::Response;

/// The service for one connection; `routes` answers what the front door does not.
#[derive(Clone)]
pub struct Front<R> {
    state: Arc<State>,
    routes: R,
    base: Arc<str>,
    security: Arc<HeaderMap>,
}

impl<R> Front<R> {
    /// Serves `state`, passing what is not a page to `routes`.
    pub fn new(state: Arc<State>, routes: R) -> Front<R> {
        let base = Arc::from(state.live.snapshot().renderer().base());
        Front {
            state,
            routes,
            base,
            security: Arc::new(security_headers()),
        }
    }

    /// The answer for a request of a page that is served, without going through the
    /// routes; `None` for anything else.
    fn page(&self, request: &Request<Incoming>, route: Route) -> Option<Answer> {
        if route != Route::Page || !matches!(*request.method(), Method::GET | Method::HEAD) {
            return None;
        }
        let path = request.uri().path().strip_prefix(&*self.base)?;
        if !path.starts_with('/') || path.contains('%') {
            return None;
        }
        let page = self.state.live.snapshot().html(path)?;
        let cache = super::routes::PAGE_CACHE;
        Some(payload::respond(&page, StatusCode::OK, request.headers(), cache).into_response())
    }

    /// Adds the security headers to `answer`, counts it and logs it.
    fn finish(&self, mut answer: Answer, asked: &Asked) -> Answer {
        let headers = answer.headers_mut();
        for (name, value) in self.security.iter() {
            headers.insert(name, value.clone());
        }
        let status = answer.status().as_u16();
        let elapsed = asked.started.elapsed();
        self.state
            .metrics
            .request(asked.route.label(), status, elapsed);
        tracing::info!(
            target: "folio::access",
            method = %asked.method,
            path = asked.uri.path(),
            status,
            ms = elapsed.as_secs_f64() * 1e3,
        );
        answer
    }
}

/// What the front door keeps of a request while it is answered.
struct Asked {
    method: Method,
    uri: Uri,
    route: Route,
    started: Instant,
}

impl<R> Service<Request<Incoming>> for Front<R>
where
    R: Service<Request<Incoming>, Response = Answer, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    R::Future: Send + 'static,
{
    type Response = Answer;
    type Error = Infallible;
    type Future =
        Either<Ready<Result<Answer, Infallible>>, BoxFuture<'static, Result<Answer, Infallible>>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let path = request.uri().path();
        let asked = Asked {
            method: request.method().clone(),
            uri: request.uri().clone(),
            route: Route::of(path.strip_prefix(&*self.base).unwrap_or(path)),
            started: Instant::now(),
        };
        if let Some(answer) = self.page(&request, asked.route) {
            return Either::Left(ready(Ok(self.finish(answer, &asked))));
        }
        let routed = self.routes.call(request);
        let front = self.clone();
        Either::Right(Box::pin(async move {
            let answer = routed.await?;
            Ok(front.finish(answer, &asked))
        }))
    }
}

/// Headers sent with every response: a Content-Security-Policy without inline
/// scripts, no MIME sniffing, no referrer across origins, no framing by others.
fn security_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    let pairs = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: https:; connect-src 'self'; object-src 'none'; \
             base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ];
    for (name, value) in pairs {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
}
