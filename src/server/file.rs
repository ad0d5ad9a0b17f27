//! Files served beside the pages, as responses: a request whose path is no page is
//! looked up in the public folder, then the content folder ([`crate::app::Files`]).
//!
//! Its type comes from its extension (`charset=utf-8` for text); its entity tag is an
//! XXH3 of its size, time and inode, so it is known without reading it; the
//! preconditions are those of [`payload`] (304, 412); a single byte range is answered
//! with 206 (`If-Range` honoured, 416 when it cannot be met, several ranges with the
//! whole file). Text small enough to read whole is sent as a [`Document`], compressed
//! as the client accepts; anything else is streamed from the open file as it is read.
//! A name with a fingerprint (`app.3f2a9c1b.js`) is cached for good; others are
//! revalidated like pages. SVG and HTML files are sandboxed, so a file cannot run
//! script in the site's origin.

use super::State;
use super::payload::{self, Verdict};
use super::reply::Answer;
use super::routes::PAGE_CACHE;
use crate::app::Document;
use crate::content::{OpenFile, Refusal};
use crate::error::{Error, Result};
use bytes::Bytes;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use warp::Reply;
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::{Response, StatusCode};

/// Files of a type that compresses, up to this size, are read whole and compressed as
/// the client accepts; larger ones, and every other type, are streamed as they are.
pub const COMPRESSED_FILE: u64 = 1024 * 1024;

/// How much of a streamed file is read at a time.
const CHUNK: usize = 64 * 1024;

/// How long a file whose name carries a fingerprint of its bytes may be kept: it never
/// changes under that name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The policy of an SVG or HTML file: a unique origin without scripts, its own images
/// and inline styles only.
const SANDBOX: &str = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; media-src 'self'";

/// The answer for the file at the request path `path` (below the base path, as sent,
/// percent-encoded); `None` when no file is served there. `head` answers without a body.
pub async fn serve(
    state: &State,
    path: &str,
    headers: &HeaderMap,
    head: bool,
) -> Result<Option<Answer>> {
    let Some(relative) = relative_path(path)? else {
        return Ok(None);
    };
    let live = state.live.clone();
    let asked = relative.clone();
    let opened = tokio::task::spawn_blocking(move || live.files().open(&asked)).await?;
    let file = match opened {
        Ok(file) => file,
        Err(Refusal::Missing | Refusal::NotAFile("a folder") | Refusal::Hidden(_)) => {
            return Ok(None);
        }
        Err(refusal) => {
            tracing::warn!(path = %relative.display(), %refusal, "file not served");
            return Ok(None);
        }
    };
    let media = media_type(&relative);
    let about = About {
        media,
        tag: tag(&file),
        modified: file.modified,
        cache: match relative
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(is_fingerprinted)
        {
            true => IMMUTABLE,
            false => PAGE_CACHE,
        },
        sandboxed: is_active(media),
    };
    let whole = payload::compressible(media)
        && file.len <= COMPRESSED_FILE
        && !headers.contains_key(header::RANGE);
    let answer = match whole {
        true => {
            let headers = headers.clone();
            tokio::task::spawn_blocking(move || compressed(file, about, &headers)).await??
        }
        false => streamed(file, &about, headers, head)?,
    };
    Ok(Some(answer))
}

/// What is said of a file in every answer about it.
struct About {
    media: &'static str,
    /// The quoted entity tag (`"1a2b…"`).
    tag: String,
    modified: Option<SystemTime>,
    cache: &'static str,
    /// Whether it is sent with [`SANDBOX`].
    sandboxed: bool,
}

impl About {
    /// Adds what every answer about the file carries.
    fn mark(&self, headers: &mut HeaderMap) {
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if self.sandboxed {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(SANDBOX),
            );
        }
    }

    /// Adds the validators and the cache policy.
    fn validators(&self, headers: &mut HeaderMap) {
        if let Ok(tag) = HeaderValue::from_str(&self.tag) {
            headers.insert(header::ETAG, tag);
        }
        if let Some(modified) = self.modified {
            let date = httpdate::fmt_http_date(modified);
            if let Ok(date) = HeaderValue::from_str(&date) {
                headers.insert(header::LAST_MODIFIED, date);
            }
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(self.cache));
    }
}

/// A file of a type that compresses, read whole and sent as a [`Document`] in the
/// coding the client prefers.
fn compressed(file: OpenFile, about: About, headers: &HeaderMap) -> Result<Answer> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(file.len as usize);
    file.file
        .take(COMPRESSED_FILE)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::io("a file beside the pages", source))?;
    let hash = hash(&about.tag);
    let document = Document::tagged(Bytes::from(bytes), about.media, about.modified, hash);
    let mut response = payload::respond(&document, StatusCode::OK, headers, about.cache);
    about.mark(response.headers_mut());
    Ok(response.into_response())
}

/// A file sent as it is read from disk: the whole of it, or one range of it.
fn streamed(file: OpenFile, about: &About, headers: &HeaderMap, head: bool) -> Result<Answer> {
    let verdict = payload::precondition(about.tag.as_bytes(), about.modified, headers);
    let status = match verdict {
        Verdict::Failed => StatusCode::PRECONDITION_FAILED,
        Verdict::NotModified => StatusCode::NOT_MODIFIED,
        Verdict::Send => StatusCode::OK,
    };
    if verdict != Verdict::Send {
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = status;
        if verdict == Verdict::NotModified {
            about.validators(response.headers_mut());
        }
        about.mark(response.headers_mut());
        return Ok(response.into_response());
    }
    let len = file.len;
    let (status, start, length) = match range(headers, about, len) {
        Ranged::Whole => (StatusCode::OK, 0, len),
        Ranged::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Ranged::Unsatisfiable => {
            let mut response = Response::new(Bytes::new());
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            let out = response.headers_mut();
            if let Ok(range) = HeaderValue::from_str(&format!("bytes */{len}")) {
                out.insert(header::CONTENT_RANGE, range);
            }
            about.mark(out);
            return Ok(response.into_response());
        }
    };
    let mut response = match head {
        true => Response::new(Bytes::new()).into_response(),
        false => stream(file.file, start, length)?,
    };
    *response.status_mut() = status;
    let out = response.headers_mut();
    about.validators(out);
    about.mark(out);
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(about.media));
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if status == StatusCode::PARTIAL_CONTENT {
        let range = format!("bytes {start}-{}/{len}", start + length - 1);
        if let Ok(range) = HeaderValue::from_str(&range) {
            out.insert(header::CONTENT_RANGE, range);
        }
    }
    Ok(response)
}

/// `length` bytes of `file` from `start`, read a chunk at a time as they are sent.
fn stream(mut file: std::fs::File, start: u64, length: u64) -> Result<Answer> {
    use std::io::{Seek, SeekFrom};
    use tokio::io::AsyncReadExt;
    file.seek(SeekFrom::Start(start))
        .map_err(|source| Error::io("a file beside the pages", source))?;
    let reader = tokio::fs::File::from_std(file).take(length);
    let chunks = tokio_util::io::ReaderStream::with_capacity(reader, CHUNK);
    Ok(warp::reply::stream(chunks).into_response())
}

/// What a request's `Range` asks of a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Ranged {
    /// The whole file: no range, one that does not parse, several, or an `If-Range`
    /// that names another version.
    Whole,
    /// The bytes from `start` to `end`, both included.
    Part { start: u64, end: u64 },
    /// 416: no range asked for is in the file.
    Unsatisfiable,
}

/// The range to send. Parsed by `http-range-header`, which sorts out what RFC 9110
/// §14.2 says to ignore (a header that does not parse, overlapping ranges) from what
/// cannot be met (416). Several ranges are answered with the whole file, which the
/// RFC allows, rather than a multipart body.
fn range(headers: &HeaderMap, about: &About, len: u64) -> Ranged {
    let Some(asked) = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
    else {
        return Ranged::Whole;
    };
    if let Some(condition) = headers
        .get(header::IF_RANGE)
        .and_then(|value| value.to_str().ok())
        && !if_range_holds(condition, about)
    {
        return Ranged::Whole;
    }
    let parsed =
        http_range_header::parse_range_header(asked).and_then(|ranges| ranges.validate(len));
    match parsed {
        Ok(ranges) => match ranges.as_slice() {
            [one] => Ranged::Part {
                start: *one.start(),
                end: *one.end(),
            },
            _ => Ranged::Whole,
        },
        Err(http_range_header::RangeUnsatisfiableError::Unsatisfiable) => Ranged::Unsatisfiable,
        Err(_) => Ranged::Whole,
    }
}

/// Whether an `If-Range` condition names the file as it is: its strong entity tag, or
/// exactly its modification date (RFC 9110 §13.1.5).
fn if_range_holds(condition: &str, about: &About) -> bool {
    let condition = condition.trim();
    if condition.starts_with('"') || condition.starts_with("W/") {
        return condition == about.tag;
    }
    match (httpdate::parse_http_date(condition), about.modified) {
        (Ok(date), Some(modified)) => {
            payload::whole_seconds(date) == payload::whole_seconds(modified)
        }
        _ => false,
    }
}

/// The file a request path names, relative to the folders files are served from:
/// percent-decoded, and otherwise as it is (the folders refuse what steps up or hides).
/// A path holding a NUL or a backslash is refused (400); one that is not UTF-8 or names
/// the root is no file (`None`).
fn relative_path(path: &str) -> Result<Option<PathBuf>> {
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Ok(None);
    };
    if decoded.contains(['\0', '\\']) {
        return Err(Error::BadRequest(
            "a path may not hold a NUL or a backslash".into(),
        ));
    }
    Ok(decoded
        .strip_prefix('/')
        .filter(|relative| !relative.is_empty())
        .map(PathBuf::from))
}

/// The quoted entity tag of a file, from what tells its versions apart without reading
/// it: its size, modification time and inode.
fn tag(file: &OpenFile) -> String {
    let nanos = file
        .modified
        .and_then(|time| time.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&file.len.to_le_bytes());
    key[8..24].copy_from_slice(&nanos.to_le_bytes());
    key[24..].copy_from_slice(&file.inode.to_le_bytes());
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&key))
}

/// The hash a tag made by [`tag`] quotes.
fn hash(tag: &str) -> u64 {
    u64::from_str_radix(tag.trim_matches('"'), 16).unwrap_or_default()
}

/// The media type of a file, by its extension: `application/octet-stream` when it is
/// not known, `charset=utf-8` added to the text types.
fn media_type(path: &Path) -> &'static str {
    let Some(guessed) = mime_guess::from_path(path).first_raw() else {
        return "application/octet-stream";
    };
    TEXT.iter()
        .find(|(bare, _)| *bare == guessed)
        .map_or(guessed, |(_, with_charset)| with_charset)
}

/// The text types files are sent as, with their character set (a list rather than
/// text made per request: header values are made once, from static text).
const TEXT: [(&str, &str); 9] = [
    ("text/plain", "text/plain; charset=utf-8"),
    ("text/html", "text/html; charset=utf-8"),
    ("text/css", "text/css; charset=utf-8"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/javascript", "text/javascript; charset=utf-8"),
    (
        "application/javascript",
        "application/javascript; charset=utf-8",
    ),
    ("text/markdown", "text/markdown; charset=utf-8"),
    ("text/xml", "text/xml; charset=utf-8"),
    ("text/x-markdown", "text/x-markdown; charset=utf-8"),
];

/// Whether a file of `media` could run script when opened on its own: HTML and SVG.
fn is_active(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    matches!(
        essence,
        "text/html" | "image/svg+xml" | "application/xhtml+xml"
    )
}

/// Whether a file name carries a fingerprint of its bytes, so that it never changes:
/// a part of its name, between dots or after the last dash, of 8 or more hex digits or
/// base64url characters that reads as a hash rather than a word (`app.3f2a9c1b.js`,
/// `index-BX4k2f9a.js`, `chunk-D_-r7pEW.js`; not `diagrams.png`, `screenshot2024.png`,
/// `20240115.pdf`). A name taken for fingerprinted wrongly would be cached for a year,
/// so the test is strict: a miss costs only a revalidation.
fn is_fingerprinted(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let dotted = stem.split('.').skip(1);
    let dashed = stem.rsplit_once('-').map(|(_, tail)| tail);
    // Rollup's hashes may hold a dash themselves: the last eight characters after one.
    let tail = stem
        .char_indices()
        .rev()
        .nth(8)
        .filter(|(_, c)| *c == '-' || *c == '.')
        .map(|(at, _)| &stem[at + 1..]);
    dotted.chain(dashed).chain(tail).any(is_hash)
}

/// Whether `part` reads as a hash: 8 or more hex digits with a digit and a letter
/// among them (a date is no hash), or 8 or more base64url characters with a digit, a
/// capital and a small letter, the digits not all at the end (a word and a number is no
/// hash).
fn is_hash(part: &str) -> bool {
    if part.len() < 8 {
        return false;
    }
    let bytes = part.as_bytes();
    let digit = bytes.iter().any(u8::is_ascii_digit);
    let hex = bytes.iter().all(u8::is_ascii_hexdigit)
        && (bytes.iter().all(|b| !b.is_ascii_uppercase())
            || bytes.iter().all(|b| !b.is_ascii_lowercase()));
    if hex {
        return digit && bytes.iter().any(u8::is_ascii_alphabetic);
    }
    let base64url = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    let trailing_digits = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    base64url
        && digit
        && trailing_digits < digits
        && bytes.iter().any(u8::is_ascii_uppercase)
        && bytes.iter().any(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_told_from_words_and_dates() {
        for name in [
            "app.3f2a9c1b.js",
            "index-BX4k2f9a.js",
            "chunk-D_-r7pEW.js",
            "style.3F2A9C1B.css",
            "vendor.0123456789abcdef.woff2",
            "logo-a1b2c3d4e5.svg",
        ] {
            assert!(is_fingerprinted(name), "{name}");
        }
        for name in [
            "diagrams.png",
            "screenshot2024.png",
            "Screenshot2024.png",
            "20240115.pdf",
            "report-20240115.pdf",
            "deadbeef.png",
            "app.js",
            "facade-acceded.css",
            "My-Diagrams.png",
            "release-notes-v2.pdf",
        ] {
            assert!(!is_fingerprinted(name), "{name}");
        }
    }

    #[test]
    fn types_come_from_the_extension_with_a_charset_for_text() {
        assert_eq!(media_type(Path::new("a.png")), "image/png");
        assert_eq!(media_type(Path::new("a.PDF")), "application/pdf");
        assert_eq!(media_type(Path::new("a.css")), "text/css; charset=utf-8");
        assert_eq!(
            media_type(Path::new("a.unknown-kind")),
            "application/octet-stream"
        );
        assert_eq!(media_type(Path::new("LICENSE")), "application/octet-stream");
        assert!(is_active(media_type(Path::new("a.svg"))));
        assert!(is_active(media_type(Path::new("a.html"))));
        assert!(!is_active(media_type(Path::new("a.png"))));
    }

    #[test]
    fn request_paths_are_decoded_and_odd_bytes_refused() {
        assert_eq!(
            relative_path("/guide/img%20a.png").unwrap(),
            Some(PathBuf::from("guide/img a.png"))
        );
        assert_eq!(
            relative_path("/a/..%2f..%2fetc/passwd").unwrap(),
            Some(PathBuf::from("a/../../etc/passwd"))
        );
        assert_eq!(relative_path("/").unwrap(), None);
        assert_eq!(relative_path("/%ff.png").unwrap(), None);
        assert!(matches!(
            relative_path("/a%5c..%5cb"),
            Err(Error::BadRequest(_))
        ));
        assert!(matches!(
            relative_path("/a%00.png"),
            Err(Error::BadRequest(_))
        ));
    }

    fn about() -> About {
        About {
            media: "image/png",
            tag: "\"00000000000000ab\"".into(),
            modified: Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000)),
            cache: PAGE_CACHE,
            sandboxed: false,
        }
    }

    fn ranged(pairs: &[(header::HeaderName, &'static str)]) -> Ranged {
        let headers: HeaderMap = pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect();
        range(&headers, &about(), 100)
    }

    #[test]
    fn ranges_are_one_part_the_whole_or_unsatisfiable() {
        use header::{IF_RANGE, RANGE};
        assert_eq!(ranged(&[]), Ranged::Whole);
        assert_eq!(
            ranged(&[(RANGE, "bytes=10-19")]),
            Ranged::Part { start: 10, end: 19 }
        );
        assert_eq!(
            ranged(&[(RANGE, "bytes=90-")]),
            Ranged::Part { start: 90, end: 99 }
        );
        assert_eq!(
            ranged(&[(RANGE, "bytes=-5")]),
            Ranged::Part { start: 95, end: 99 }
        );
        assert_eq!(
            ranged(&[(RANGE, "bytes=90-200")]),
            Ranged::Part { start: 90, end: 99 }
        );
        assert_eq!(ranged(&[(RANGE, "bytes=100-")]), Ranged::Unsatisfiable);
        assert_eq!(ranged(&[(RANGE, "bytes=0-1, 5-6")]), Ranged::Whole);
        assert_eq!(ranged(&[(RANGE, "lines=1-2")]), Ranged::Whole);
        assert_eq!(ranged(&[(RANGE, "bytes=5-1")]), Ranged::Whole);
        assert_eq!(
            ranged(&[(RANGE, "bytes=0-0"), (IF_RANGE, "\"00000000000000ab\"")]),
            Ranged::Part { start: 0, end: 0 }
        );
        assert_eq!(
            ranged(&[(RANGE, "bytes=0-0"), (IF_RANGE, "\"other\"")]),
            Ranged::Whole
        );
        assert_eq!(
            ranged(&[(RANGE, "bytes=0-0"), (IF_RANGE, "W/\"00000000000000ab\"")]),
            Ranged::Whole,
            "a weak tag never matches"
        );
        assert_eq!(
            ranged(&[
                (RANGE, "bytes=0-0"),
                (IF_RANGE, "Mon, 12 Jan 1970 13:46:40 GMT")
            ]),
            Ranged::Part { start: 0, end: 0 }
        );
        assert_eq!(
            ranged(&[
                (RANGE, "bytes=0-0"),
                (IF_RANGE, "Tue, 13 Jan 1970 13:46:40 GMT")
            ]),
            Ranged::Whole
        );
    }

    #[test]
    fn a_tag_is_known_by_size_time_and_inode() {
        let file = |len, inode| OpenFile {
            file: tempfile::tempfile().unwrap(),
            len,
            modified: Some(SystemTime::UNIX_EPOCH),
            inode,
        };
        let first = tag(&file(10, 1));
        assert_eq!(first, tag(&file(10, 1)));
        assert_ne!(first, tag(&file(11, 1)));
        assert_ne!(first, tag(&file(10, 2)));
        assert_eq!(format!("\"{:016x}\"", hash(&first)), first);
    }
}
