//! The front door: every request comes in here. A request whose target or `Host`
//! HTTP forbids is refused with 400 (or 414 for an overlong target); a page held ready
//! is answered straight from the snapshot; everything else goes through warp's routes.
//! A panic while answering becomes a 500. Every answer then gets the security headers,
//! is counted, and is logged.

use super::State;
use super::conn::Tracked;
use super::payload;
use super::reply::{Answer, json_error};
use super::route::Route;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either, Ready, ready};
use hyper::body::Incoming;
use hyper::service::Service;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;
use warp::Reply;
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::{Method, Request, StatusCode, Uri, Version};

/// The longest request target read, in bytes (path and query): hyper's own limit on a
/// URI, which a longer request line would otherwise meet as a head too large (431).
pub const MAX_TARGET_BYTES: usize = 64 * 1024 - 2;

/// The service for one connection; `routes` answers what the front door does not.
#[derive(Clone)]
pub struct Front<R> {
    state: Arc<State>,
    routes: R,
    base: Arc<str>,
    security: Arc<HeaderMap>,
    /// The connection served, once it is one.
    connection: Option<Arc<Tracked>>,
}

impl<R: Clone> Front<R> {
    /// Serves `state`, passing what is not a page to `routes`.
    pub fn new(state: Arc<State>, routes: R) -> Front<R> {
        let base = Arc::from(state.live.snapshot().renderer().base());
        Front {
            state,
            routes,
            base,
            security: Arc::new(security_headers()),
            connection: None,
        }
    }

    /// The service for the connection `tracked`, which counts its requests.
    pub fn on(&self, tracked: Arc<Tracked>) -> Front<R> {
        Front {
            connection: Some(tracked),
            ..self.clone()
        }
    }
}

impl<R> Front<R> {
    /// The answer for a request of a page held ready, in a coding held ready, without
    /// going through the routes; `None` for anything else (a page still to render or
    /// to compress is made off the request threads, by the routes).
    fn page(&self, request: &Request<Incoming>, route: Route) -> Option<Answer> {
        if route != Route::Page || !matches!(*request.method(), Method::GET | Method::HEAD) {
            return None;
        }
        let path = request.uri().path().strip_prefix(&*self.base)?;
        if !path.starts_with('/') || path.contains('%') {
            return None;
        }
        let page = self.state.live.snapshot().held(path)?;
        let cache = super::routes::PAGE_CACHE;
        payload::respond_ready(&page, StatusCode::OK, request.headers(), cache)
    }

    /// Adds the security headers `answer` does not set itself (a sandboxed file sets
    /// its own policy), counts it and logs it.
    fn finish(&self, mut answer: Answer, asked: &Asked) -> Answer {
        let headers = answer.headers_mut();
        for (name, value) in self.security.iter() {
            headers.entry(name).or_insert_with(|| value.clone());
        }
        if let Some(connection) = &self.connection {
            connection.end();
        }
        let status = answer.status().as_u16();
        let method = asked.method.as_str();
        let elapsed = asked.started.elapsed();
        let route = asked.route.label();
        self.state
            .answered(route, method, asked.uri.path(), status, elapsed);
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

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        if let Some(connection) = &self.connection {
            connection.begin();
        }
        let path = request.uri().path();
        let asked = Asked {
            method: request.method().clone(),
            uri: request.uri().clone(),
            route: Route::of(path.strip_prefix(&*self.base).unwrap_or(path)),
            started: Instant::now(),
        };
        if let Err(refused) = admit(&mut request) {
            return Either::Left(ready(Ok(self.finish(refused.answer(), &asked))));
        }
        let page = std::panic::catch_unwind(AssertUnwindSafe(|| self.page(&request, asked.route)));
        match page {
            Ok(Some(answer)) => return Either::Left(ready(Ok(self.finish(answer, &asked)))),
            Ok(None) => {}
            Err(_) => return Either::Left(ready(Ok(self.finish(panicked(&asked), &asked)))),
        }
        let routes = &self.routes;
        let routed = match std::panic::catch_unwind(AssertUnwindSafe(|| routes.call(request))) {
            Ok(routed) => AssertUnwindSafe(routed).catch_unwind(),
            Err(_) => return Either::Left(ready(Ok(self.finish(panicked(&asked), &asked)))),
        };
        let front = self.clone();
        Either::Right(Box::pin(async move {
            let answer = match routed.await {
                Ok(answered) => answered?,
                Err(_) => panicked(&asked),
            };
            Ok(front.finish(answer, &asked))
        }))
    }
}

/// The 500 for a request whose handler panicked (the panic itself was reported by the
/// panic hook).
fn panicked(asked: &Asked) -> Answer {
    tracing::error!(method = %asked.method, path = asked.uri.path(), "a request's handler panicked");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error; it was logged",
    )
    .into_response()
}

/// Refuses what HTTP forbids before anything reads the request: a target that is not
/// a path (authority-form `host:port`, asterisk-form `*`), one longer than
/// [`MAX_TARGET_BYTES`] (414), and on HTTP/1.1 a missing, repeated or invalid `Host`
/// (RFC 9112 §3.2). When the target is absolute (`http://host/path`), its authority
/// wins over `Host` (RFC 9112 §3.2.2): it becomes the request's `Host`.
fn admit(request: &mut Request<Incoming>) -> Result<(), Refused> {
    let uri = request.uri();
    if !uri.path().starts_with('/') {
        return Err(Refused::bad("the request target must be a path"));
    }
    let target = uri
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_TARGET_BYTES {
        return Err(Refused {
            status: StatusCode::URI_TOO_LONG,
            message: "the request target is too long",
        });
    }
    if let Some(authority) = uri.authority().cloned() {
        if authority.as_str().contains('@') {
            return Err(Refused::bad("the request target names a user"));
        }
        if let Ok(host) = HeaderValue::from_str(authority.as_str()) {
            let headers = request.headers_mut();
            headers.remove(header::HOST);
            headers.insert(header::HOST, host);
        }
        return Ok(());
    }
    if request.version() != Version::HTTP_11 {
        return Ok(());
    }
    let mut hosts = request.headers().get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) => Err(Refused::bad("an HTTP/1.1 request must name its Host")),
        (Some(_), Some(_)) => Err(Refused::bad("a request must name one Host")),
        (Some(host), None) if !host.to_str().is_ok_and(is_authority) => {
            Err(Refused::bad("the Host header is not a host"))
        }
        (Some(_), None) => Ok(()),
    }
}

/// A request refused before it is read: its status and why.
struct Refused {
    status: StatusCode,
    message: &'static str,
}

impl Refused {
    fn bad(message: &'static str) -> Refused {
        Refused {
            status: StatusCode::BAD_REQUEST,
            message,
        }
    }

    fn answer(&self) -> Answer {
        json_error(self.status, self.message).into_response()
    }
}

/// Whether a `Host` value is a host name or address with an optional port, and
/// nothing else (RFC 9110 §7.2: `uri-host [ ":" port ]`).
pub(super) fn is_authority(text: &str) -> bool {
    if text.len() > 255 {
        return false;
    }
    // `name:port`, `[v6 address]:port`, or either without its port.
    let (name, port) = match text.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((address, "")) => (address, ""),
            Some((address, after)) => match after.strip_prefix(':') {
                Some(port) => (address, port),
                None => return false,
            },
            None => return false,
        },
        None => text.split_once(':').unwrap_or((text, "")),
    };
    let port_ok = port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit());
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_:".contains(c));
    port_ok && name_ok && text.parse::<warp::http::uri::Authority>().is_ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_names_or_addresses_with_a_port() {
        for good in [
            "example.com",
            "example.com:8080",
            "127.0.0.1:1",
            "[::1]:80",
            "localhost",
        ] {
            assert!(is_authority(good), "{good}");
        }
        for bad in [
            "",
            "a b",
            "user@example.com",
            "example.com:port",
            "exa<mple",
            "/path",
        ] {
            assert!(!is_authority(bad), "{bad}");
        }
    }
}
