//! Response builders: every response folio makes by hand ends in [`text`]. They are
//! whole bodies ([`Full`]), which the routes compress as the client accepts.

use bytes::Bytes;
use serde::Serialize;
use warp::http::{Response, StatusCode, header};

/// What every answer is, once it leaves the routes.
pub type Answer = warp::reply::Response;

/// A response whose body is whole.
pub type Full = Response<Bytes>;

/// A response with `status`, `content_type` and `body`.
pub fn text(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Full {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    response
}

/// An HTML page.
pub fn html(status: StatusCode, body: impl Into<Bytes>) -> Full {
    text(status, "text/html; charset=utf-8", body)
}

/// `value` as JSON.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Full {
    typed_json(status, "application/json", value)
}

/// `value` as JSON, sent as `content_type` (a JSON type such as suggestions' own).
pub fn typed_json<T: Serialize>(status: StatusCode, content_type: &'static str, value: &T) -> Full {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    text(status, content_type, body)
}

/// `{"error": message}`.
pub fn json_error(status: StatusCode, message: &str) -> Full {
    json(status, &serde_json::json!({"error": message}))
}

/// A redirect to the path `to`, permanent (308) when `lasting`, else temporary (307);
/// a target that cannot be a header is a 404. Its length is said outright, so that an
/// answer to HEAD carries it too.
pub fn redirect(from: &str, to: &str, lasting: bool) -> Full {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = match lasting {
        true => StatusCode::PERMANENT_REDIRECT,
        false => StatusCode::TEMPORARY_REDIRECT,
    };
    response.headers_mut().insert(
        header::CONTENT_LENGTH,
        header::HeaderValue::from_static("0"),
    );
    match header::HeaderValue::from_str(&crate::content::url::encode_path(to)) {
        Ok(location) => {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Err(error) => {
            tracing::warn!(%error, from, "redirect target is not a valid header");
            *response.status_mut() = StatusCode::NOT_FOUND;
        }
    }
    response
}

/// The first `chars` characters of `text`: how much of a request's own text an answer
/// shows back.
pub fn leading(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}
