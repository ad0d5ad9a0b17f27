//! Payloads: a held [`Document`] sent as a response, in the best coding the client
//! accepts, with its validators; a client whose copy is current gets 304.

use crate::app::{Coding, Document};
use bytes::Bytes;
use std::time::SystemTime;
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::{Response, StatusCode};

/// The response to a request with `headers`: 304 when the client's copy is current,
/// else the body in the best coding the client accepts.
pub fn respond(
    document: &Document,
    status: StatusCode,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> Response<Bytes> {
    let fresh = status == StatusCode::OK && is_fresh(document, headers);
    let coding = if fresh {
        Coding::Identity
    } else {
        negotiate(headers)
    };
    let body = match fresh {
        true => Bytes::new(),
        false => document.encoded(coding),
    };
    let mut response = Response::new(body);
    *response.status_mut() = if fresh {
        StatusCode::NOT_MODIFIED
    } else {
        status
    };
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(document.media_type()),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if status == StatusCode::OK {
        out.insert(header::ETAG, etag(document));
        if let Some(modified) = document.modified_date().and_then(header_value) {
            out.insert(header::LAST_MODIFIED, modified);
        }
    }
    match coding {
        Coding::Brotli => {
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        }
        Coding::Gzip => {
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        Coding::Identity => {}
    }
    response
}

/// `If-None-Match` names this ETag, or (without it) `If-Modified-Since` is not older
/// than the payload.
fn is_fresh(document: &Document, headers: &HeaderMap) -> bool {
    if let Some(wanted) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let ours = etag(document);
        let ours = ours.to_str().unwrap_or_default();
        return wanted
            .split(',')
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == ours || tag == "*");
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    match (since, document.modified()) {
        (Some(since), Some(modified)) => {
            let modified_secs = modified
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs());
            let since_secs = since
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs());
            matches!((modified_secs, since_secs), (Ok(m), Ok(s)) if m <= s)
        }
        _ => false,
    }
}

/// The best coding in `Accept-Encoding`: brotli, then gzip, then none; `q=0` refuses.
pub fn negotiate(headers: &HeaderMap) -> Coding {
    let Some(accepted) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Coding::Identity;
    };
    let quality = |name: &str| -> f32 {
        accepted
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let coding = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (coding.eq_ignore_ascii_case(name) || coding == "*").then_some(q)
            })
            .fold(0.0, f32::max)
    };
    match (quality("br"), quality("gzip")) {
        (br, gzip) if br > 0.0 && br >= gzip => Coding::Brotli,
        (_, gzip) if gzip > 0.0 => Coding::Gzip,
        _ => Coding::Identity,
    }
}

/// The entity tag of a document: a hash of its bytes.
fn etag(document: &Document) -> HeaderValue {
    header_value(document.tag()).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// Text made once as a header value, shared rather than copied.
fn header_value(text: &Bytes) -> Option<HeaderValue> {
    HeaderValue::from_maybe_shared(text.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn negotiation_prefers_brotli_and_honours_q_zero() {
        assert_eq!(
            negotiate(&headers(&[("accept-encoding", "gzip, deflate, br")])),
            Coding::Brotli
        );
        assert_eq!(
            negotiate(&headers(&[("accept-encoding", "gzip")])),
            Coding::Gzip
        );
        assert_eq!(
            negotiate(&headers(&[("accept-encoding", "br;q=0, gzip;q=0.5")])),
            Coding::Gzip
        );
        assert_eq!(
            negotiate(&headers(&[("accept-encoding", "identity")])),
            Coding::Identity
        );
        assert_eq!(negotiate(&headers(&[])), Coding::Identity);
    }

    #[test]
    fn a_matching_etag_is_not_modified() {
        let document = Document::new(Bytes::from_static(b"page"), "text/html", None);
        let first = respond(&document, StatusCode::OK, &HeaderMap::new(), "no-cache");
        let etag = first.headers()[header::ETAG].clone();
        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, etag);
        let second = respond(&document, StatusCode::OK, &again, "no-cache");
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert!(second.body().is_empty());
    }
}
