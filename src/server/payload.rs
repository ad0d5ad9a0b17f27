//! Payloads: a held [`Document`] sent as a response, in the coding the client
//! prefers, with validators for that coding and the conditional requests of RFC 9110
//! §13 (412 when a precondition fails, 304 when the client's copy is current).

use super::reply::{Answer, Full};
use crate::app::{Coding, Document};
use bytes::Bytes;
use std::time::SystemTime;
use warp::Reply;
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::{Response, StatusCode};

/// Documents up to this size are compressed on the request threads when a client
/// first asks for a coding; larger ones off them.
pub const SMALL_DOCUMENT: usize = 64 * 1024;

/// The response to a request with `headers`, when `document` is ready to send in the
/// coding the client prefers (`None` when that coding of a large document is still to
/// be made: the caller makes it off the request threads with [`respond`]).
pub fn respond_ready(
    document: &Document,
    status: StatusCode,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> Option<Answer> {
    let coding = negotiate(headers);
    let ready =
        coding == Coding::Identity || document.size() <= SMALL_DOCUMENT || document.has(coding);
    ready.then(|| respond_in(document, coding, status, headers, cache_control).into_response())
}

/// The response to a request with `headers`: 412 when a precondition fails, 304 when
/// the client's copy is current, else the body in the coding the client prefers
/// (compressed now if it was not yet).
pub fn respond(
    document: &Document,
    status: StatusCode,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> Response<Bytes> {
    respond_in(document, negotiate(headers), status, headers, cache_control)
}

/// [`respond`] for the coding already chosen from `headers`.
fn respond_in(
    document: &Document,
    coding: Coding,
    status: StatusCode,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> Response<Bytes> {
    let tag = header_value(document.tag(coding));
    let verdict = match status == StatusCode::OK {
        true => precondition(document.tag(coding), document.modified(), headers),
        false => Verdict::Send,
    };
    let mut response = match verdict {
        Verdict::Send => Response::new(document.encoded(coding)),
        Verdict::NotModified | Verdict::Failed => Response::new(Bytes::new()),
    };
    *response.status_mut() = match verdict {
        Verdict::Send => status,
        Verdict::NotModified => StatusCode::NOT_MODIFIED,
        Verdict::Failed => StatusCode::PRECONDITION_FAILED,
    };
    let out = response.headers_mut();
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if verdict == Verdict::Failed {
        return response;
    }
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    if status == StatusCode::OK {
        if let Some(tag) = tag {
            out.insert(header::ETAG, tag);
        }
        if let Some(modified) = document.modified_date().and_then(header_value) {
            out.insert(header::LAST_MODIFIED, modified);
        }
    }
    if verdict == Verdict::NotModified {
        return response;
    }
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(document.media_type()),
    );
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

/// What the conditional headers of a request decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send the document.
    Send,
    /// 304: the client's copy is current.
    NotModified,
    /// 412: a precondition failed.
    Failed,
}

/// The smallest body worth compressing.
const MIN_COMPRESSED: usize = 1024;

/// `response` compressed as the client accepts, when it is text not compressed yet
/// and long enough to gain; a body larger than [`SMALL_DOCUMENT`] is compressed off the
/// request threads.
pub async fn compressed(response: Full, headers: &HeaderMap) -> Full {
    let media = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let compressible = compressible(media);
    // A held document's answer is negotiated already (it varies on the coding).
    let already = response.headers().contains_key(header::CONTENT_ENCODING)
        || response
            .headers()
            .get(header::VARY)
            .and_then(|vary| vary.to_str().ok())
            .is_some_and(|vary| vary.to_ascii_lowercase().contains("accept-encoding"));
    if already || !compressible || response.body().len() < MIN_COMPRESSED {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let vary = match parts
        .headers
        .get(header::VARY)
        .and_then(|v| v.to_str().ok())
    {
        Some(other) if !other.is_empty() => {
            HeaderValue::from_str(&format!("{other}, Accept-Encoding")).ok()
        }
        _ => Some(HeaderValue::from_static("Accept-Encoding")),
    };
    if let Some(vary) = vary {
        parts.headers.insert(header::VARY, vary);
    }
    let coding = negotiate(headers);
    let name = match coding {
        Coding::Identity => return Response::from_parts(parts, body),
        Coding::Brotli => "br",
        Coding::Gzip => "gzip",
    };
    let encoded = match body.len() <= SMALL_DOCUMENT {
        true => coding.encode(&body),
        false => {
            let source = body.clone();
            match tokio::task::spawn_blocking(move || coding.encode(&source)).await {
                Ok(encoded) => encoded,
                Err(error) => {
                    tracing::error!(%error, "compressing a response failed; sent as it is");
                    return Response::from_parts(parts, body);
                }
            }
        }
    };
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, encoded)
}

/// Whether a body of `media` (a `Content-Type`) gains from compression: text, JSON,
/// XML (SVG too), JavaScript, WebAssembly and the fonts that are not compressed
/// already.
pub fn compressible(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    essence.starts_with("text/")
        || ["json", "xml", "javascript", "wasm"]
            .iter()
            .any(|kind| essence.contains(kind))
        || matches!(
            essence,
            "font/ttf" | "font/otf" | "application/vnd.ms-fontobject"
        )
}

/// Evaluates the preconditions of a request with `headers` on a representation whose
/// entity tag is `ours` (quoted) and that last changed at `modified`, in the order of
/// RFC 9110 §13.2.2: `If-Match`, else `If-Unmodified-Since`; then `If-None-Match`,
/// else `If-Modified-Since`.
pub fn precondition(ours: &[u8], modified: Option<SystemTime>, headers: &HeaderMap) -> Verdict {
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    let date = |name| text(name).and_then(|value| httpdate::parse_http_date(value).ok());
    let modified = modified.map(whole_seconds);
    if let Some(wanted) = text(header::IF_MATCH) {
        // Strong comparison: a weak tag never matches.
        let matched = tags(wanted).any(|tag| tag == "*" || tag.as_bytes() == ours);
        if !matched {
            return Verdict::Failed;
        }
    } else if let Some(since) = date(header::IF_UNMODIFIED_SINCE)
        && modified.is_some_and(|modified| modified > whole_seconds(since))
    {
        return Verdict::Failed;
    }
    if let Some(wanted) = text(header::IF_NONE_MATCH) {
        // Weak comparison: `W/"x"` matches `"x"`.
        let matched =
            tags(wanted).any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == ours);
        return if matched {
            Verdict::NotModified
        } else {
            Verdict::Send
        };
    }
    match (date(header::IF_MODIFIED_SINCE), modified) {
        (Some(since), Some(modified)) if modified <= whole_seconds(since) => Verdict::NotModified,
        _ => Verdict::Send,
    }
}

/// The entity tags of a list header (`"a", W/"b"`).
fn tags(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|tag| !tag.is_empty())
}

/// A time to the second, as HTTP dates carry it.
pub fn whole_seconds(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The coding to send, by `Accept-Encoding` as RFC 9110 §12.5.3 reads it: each coding
/// its weight (`q`, a number from 0 to 1 with at most three decimals; an entry with
/// another weight is ignored), `*` for the codings not named, a weight of 0 refusing;
/// brotli before gzip at equal weight; no header, or nothing acceptable, is identity.
///
/// Written here rather than taken from a crate: the header crates at hand parse the
/// list but leave choosing among folio's two codings to the caller, which is all this
/// is.
pub fn negotiate(headers: &HeaderMap) -> Coding {
    let Some(accepted) = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .map(|value| value.to_str().ok())
        .collect::<Option<Vec<&str>>>()
        .filter(|values| !values.is_empty())
    else {
        return Coding::Identity;
    };
    let mut named: Vec<(String, f32)> = Vec::new();
    for entry in accepted.iter().flat_map(|value| value.split(',')) {
        let mut parts = entry.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default().to_ascii_lowercase();
        if coding.is_empty() {
            continue;
        }
        let weight = parts.find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("q")
                .then(|| weight(value.trim()))
        });
        match weight {
            Some(None) => continue,
            Some(Some(weight)) => named.push((coding, weight)),
            None => named.push((coding, 1.0)),
        }
    }
    let weight_of = |name: &str| -> f32 {
        let exact = named.iter().find(|(coding, _)| coding == name);
        let any = named.iter().find(|(coding, _)| coding == "*");
        exact.or(any).map_or(0.0, |(_, weight)| *weight)
    };
    let (brotli, gzip) = (weight_of("br"), weight_of("gzip").max(weight_of("x-gzip")));
    match (brotli, gzip) {
        (br, gz) if br > 0.0 && br >= gz => Coding::Brotli,
        (_, gz) if gz > 0.0 => Coding::Gzip,
        _ => Coding::Identity,
    }
}

/// A `q` value: `0`, `1`, or `0.` or `1.` with up to three digits (no more than 1).
fn weight(text: &str) -> Option<f32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let valid = matches!(whole, "0" | "1")
        && fraction.len() <= 3
        && fraction.chars().all(|c| c.is_ascii_digit())
        && (whole == "0" || fraction.chars().all(|c| c == '0'));
    valid.then(|| text.parse().ok()).flatten()
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

    fn coding(accept: &'static str) -> Coding {
        negotiate(&headers(&[("accept-encoding", accept)]))
    }

    #[test]
    fn negotiation_prefers_brotli_and_honours_refusals() {
        assert_eq!(coding("gzip, deflate, br"), Coding::Brotli);
        assert_eq!(coding("gzip"), Coding::Gzip);
        assert_eq!(coding("br;q=0, gzip;q=0.5"), Coding::Gzip);
        assert_eq!(coding("identity"), Coding::Identity);
        assert_eq!(negotiate(&headers(&[])), Coding::Identity);
        assert_eq!(coding("br;q=0, *"), Coding::Gzip, "a refusal beats *");
        assert_eq!(coding("gzip;Q=0, br;Q=0"), Coding::Identity, "Q is q");
        assert_eq!(
            coding("br;q=inf, gzip"),
            Coding::Gzip,
            "an invalid weight is ignored"
        );
        assert_eq!(coding("br;q=1.5, gzip;q=0.2"), Coding::Gzip);
        assert_eq!(coding("GZIP;q=0.8, BR;q=0.9"), Coding::Brotli);
        assert_eq!(coding("*;q=0"), Coding::Identity);
        assert_eq!(coding("gzip;q=0.001"), Coding::Gzip);
    }

    #[test]
    fn each_coding_has_its_own_tag_and_a_matching_tag_is_not_modified() {
        let text = "page ".repeat(100);
        let document = Document::new(Bytes::from(text), "text/html", None);
        let plain = respond(&document, StatusCode::OK, &HeaderMap::new(), "no-cache");
        let gzip = respond(
            &document,
            StatusCode::OK,
            &headers(&[("accept-encoding", "gzip")]),
            "no-cache",
        );
        let (plain_tag, gzip_tag) = (
            &plain.headers()[header::ETAG],
            &gzip.headers()[header::ETAG],
        );
        assert_ne!(plain_tag, gzip_tag);
        let mut again = headers(&[("accept-encoding", "gzip")]);
        again.insert(header::IF_NONE_MATCH, gzip_tag.clone());
        let second = respond(&document, StatusCode::OK, &again, "no-cache");
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert!(second.body().is_empty());
        let mut other = HeaderMap::new();
        other.insert(header::IF_NONE_MATCH, gzip_tag.clone());
        assert_eq!(
            respond(&document, StatusCode::OK, &other, "no-cache").status(),
            StatusCode::OK
        );
    }

    #[test]
    fn a_failed_precondition_is_412() {
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let document = Document::new(Bytes::from_static(b"page"), "text/html", Some(time));
        let tag = respond(&document, StatusCode::OK, &HeaderMap::new(), "no-cache").headers()
            [header::ETAG]
            .clone();
        let status = |pairs: &[(&'static str, &'static str)],
                      extra: Option<(header::HeaderName, HeaderValue)>| {
            let mut asked = headers(pairs);
            if let Some((name, value)) = extra {
                asked.insert(name, value);
            }
            respond(&document, StatusCode::OK, &asked, "no-cache").status()
        };
        assert_eq!(
            status(&[("if-match", "\"other\"")], None),
            StatusCode::PRECONDITION_FAILED
        );
        assert_eq!(status(&[("if-match", "*")], None), StatusCode::OK);
        assert_eq!(
            status(&[], Some((header::IF_MATCH, tag.clone()))),
            StatusCode::OK
        );
        let weak = HeaderValue::from_str(&format!("W/{}", tag.to_str().unwrap())).unwrap();
        assert_eq!(
            status(&[], Some((header::IF_MATCH, weak))),
            StatusCode::PRECONDITION_FAILED
        );
        assert_eq!(
            status(
                &[("if-unmodified-since", "Thu, 01 Jan 1970 00:00:00 GMT")],
                None
            ),
            StatusCode::PRECONDITION_FAILED
        );
        assert_eq!(
            status(
                &[("if-unmodified-since", "Fri, 01 Jan 2100 00:00:00 GMT")],
                None
            ),
            StatusCode::OK
        );
    }
}
