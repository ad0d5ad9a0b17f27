//! Failures: the one place an error becomes a response. A client's mistake gets its
//! status and a message it can act on; anything else is logged and answered with 500
//! and no internal detail.

use super::State;
use super::reply::{Answer, Full, html, json_error, leading};
use super::route::Route;
use crate::error::Error;
use std::convert::Infallible;
use warp::Rejection;
use warp::Reply;
use warp::http::{StatusCode, header};

/// The answer to a request of `route` at `path` that ended in `result`.
pub fn respond(state: &State, route: Route, path: &str, result: Result<Full, Error>) -> Full {
    match result {
        Ok(answer) => answer,
        Err(error) => response(state, route, path, &error),
    }
}

/// The response for `error`: HTML for the routes that answer pages, JSON elsewhere.
fn response(state: &State, route: Route, path: &str, error: &Error) -> Full {
    match (error, route.is_html()) {
        (Error::BadRequest(message), true) => html(
            StatusCode::BAD_REQUEST,
            format!(
                "<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{}</p>",
                crate::html::escape_html(message)
            ),
        ),
        (Error::BadRequest(message), false) => json_error(StatusCode::BAD_REQUEST, message),
        (Error::NotFound(missing), true) => not_found(state, missing),
        (Error::NotFound(_), false) => json_error(StatusCode::NOT_FOUND, "not found"),
        (Error::Stopping, _) => {
            json_error(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
        }
        (error, html_route) => {
            tracing::error!(%error, path, "request failed");
            match html_route {
                true => html(StatusCode::INTERNAL_SERVER_ERROR, ERROR_PAGE),
                false => json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; it was logged",
                ),
            }
        }
    }
}

/// The 404 page for `path`.
fn not_found(state: &State, path: &str) -> Full {
    // The path is shown on the page: no more of it than a reader needs.
    match state
        .live
        .snapshot()
        .not_found(leading(path, MAX_ECHO_CHARS))
    {
        Ok(page) => html(StatusCode::NOT_FOUND, page),
        Err(error) => {
            tracing::error!(%error, "404 page failed to render");
            html(StatusCode::NOT_FOUND, "<h1>404 Not Found</h1>")
        }
    }
}

/// The most characters of a request's own text (a query, a path) shown back in an
/// answer: an answer never grows with what a request sends.
pub const MAX_ECHO_CHARS: usize = 256;

const ERROR_PAGE: &str =
    "<!doctype html><title>Error</title><h1>Something went wrong</h1><p>The error was logged.</p>";

/// Turns what warp refuses before a route runs into a response: a method other than
/// GET and HEAD is a 405 that says which are allowed.
pub async fn recover(rejection: Rejection) -> Result<Answer, Infallible> {
    if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        let mut response = json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are served",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
        return Ok(response.into_response());
    }
    if rejection.is_not_found() {
        return Ok(json_error(StatusCode::NOT_FOUND, "not found").into_response());
    }
    tracing::warn!(?rejection, "request rejected");
    Ok(json_error(StatusCode::BAD_REQUEST, "bad request").into_response())
}
