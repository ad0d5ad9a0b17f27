//! Payloads: rendered bytes with their validators, and gzip and brotli variants made
//! once, the first time a client asks for them.

use bytes::Bytes;
use std::io::Write;
use std::sync::OnceLock;
use std::time::SystemTime;
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::{Response, StatusCode};

/// A response body served many times.
pub struct Payload {
    bytes: Bytes,
    content_type: &'static str,
    etag: HeaderValue,
    last_modified: Option<HeaderValue>,
    modified: Option<SystemTime>,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

/// A content coding a client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `br`
    Brotli,
    /// `gzip`
    Gzip,
    /// No compression.
    Identity,
}

impl Payload {
    /// A payload of `bytes`, last changed at `modified` when that is known.
    pub fn new(bytes: Bytes, content_type: &'static str, modified: Option<SystemTime>) -> Payload {
        let etag = format!("\"{:016x}\"", hash(&bytes));
        Payload {
            etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            last_modified: modified
                .and_then(|time| HeaderValue::from_str(&httpdate::fmt_http_date(time)).ok()),
            modified,
            bytes,
            content_type,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The uncompressed body.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The size of the uncompressed body.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The response to a request with `headers`: 304 when the client's copy is current,
    /// else the body in the best coding the client accepts.
    pub fn respond(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        cache_control: &'static str,
    ) -> Response<Bytes> {
        let fresh = status == StatusCode::OK && self.is_fresh(headers);
        let coding = if fresh {
            Coding::Identity
        } else {
            negotiate(headers)
        };
        let body = match (fresh, coding) {
            (true, _) => Bytes::new(),
            (false, Coding::Brotli) => self
                .brotli
                .get_or_init(|| compress_brotli(&self.bytes))
                .clone(),
            (false, Coding::Gzip) => self.gzip.get_or_init(|| compress_gzip(&self.bytes)).clone(),
            (false, Coding::Identity) => self.bytes.clone(),
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
            HeaderValue::from_static(self.content_type),
        );
        out.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
        out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if status == StatusCode::OK {
            out.insert(header::ETAG, self.etag.clone());
            if let Some(modified) = &self.last_modified {
                out.insert(header::LAST_MODIFIED, modified.clone());
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
    fn is_fresh(&self, headers: &HeaderMap) -> bool {
        if let Some(wanted) = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
        {
            let ours = self.etag.to_str().unwrap_or_default();
            return wanted
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == ours || tag == "*");
        }
        let since = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        match (since, self.modified) {
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

fn compress_gzip(bytes: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let _ = encoder.write_all(bytes);
    Bytes::from(encoder.finish().unwrap_or_default())
}

fn compress_brotli(bytes: &[u8]) -> Bytes {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 6, 22);
        let _ = writer.write_all(bytes);
    }
    Bytes::from(out)
}

fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
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
    fn variants_decompress_to_the_same_bytes() {
        use std::io::Read;
        let text = "hello ".repeat(1000);
        let payload = Payload::new(Bytes::from(text.clone()), "text/plain", None);
        let gz = payload.respond(
            StatusCode::OK,
            &headers(&[("accept-encoding", "gzip")]),
            "no-cache",
        );
        let mut plain = String::new();
        flate2::read::GzDecoder::new(&gz.body()[..])
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, text);
        let br = payload.respond(
            StatusCode::OK,
            &headers(&[("accept-encoding", "br")]),
            "no-cache",
        );
        let mut plain = String::new();
        brotli::Decompressor::new(&br.body()[..], 4096)
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, text);
        assert!(br.body().len() < text.len() / 10);
    }

    #[test]
    fn a_matching_etag_is_not_modified() {
        let payload = Payload::new(Bytes::from_static(b"page"), "text/html", None);
        let first = payload.respond(StatusCode::OK, &HeaderMap::new(), "no-cache");
        let etag = first.headers()[header::ETAG].clone();
        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, etag);
        let second = payload.respond(StatusCode::OK, &again, "no-cache");
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert!(second.body().is_empty());
    }
}
