//! Routes, one function each, and the one `recover` that turns rejections into responses.

use super::Snapshot;
use super::State;
use crate::content::markdown::escape_html;
use crate::render::ResultView;
use bytes::Bytes;
use futures_util::StreamExt;
use serde::Serialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;
use std::time::SystemTime;
use warp::http::header::HeaderMap;
use warp::http::{Response, StatusCode, header};
use warp::{Filter, Rejection, Reply};

/// The default and the largest number of hits a search returns.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;
/// How many titles `/api/suggest` offers.
const SUGGESTIONS: usize = 8;

type Params = Vec<(String, String)>;

/// Every route, with rejections recovered.
pub fn all(state: Arc<State>) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    let read = warp::get().or(warp::head()).unify();
    let base = state
        .snapshot()
        .renderer
        .base()
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(String::from)
        .fold(warp::any().boxed(), |under, segment| {
            under.and(warp::path(segment)).boxed()
        });
    read.and(base)
        .and(
            healthz(state.clone())
                .or(readyz(state.clone()))
                .or(metrics(state.clone()))
                .or(api_search(state.clone()))
                .or(api_suggest(state.clone()))
                .or(opensearch(state.clone()))
                .or(livereload(state.clone()))
                .or(sitemap(state.clone()))
                .or(robots(state.clone()))
                .or(search_page(state.clone()))
                .or(asset(state.clone()))
                .or(page(state)),
        )
        .recover(recover)
}

/// `GET /metrics`: Prometheus text format.
fn metrics(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("metrics")
        .and(with_state(state))
        .map(|state: Arc<State>| {
            let body = state.metrics.render(state.snapshot().page_count());
            text(
                StatusCode::OK,
                "text/plain; version=0.0.4; charset=utf-8",
                body,
            )
        })
}

fn with_state(
    state: Arc<State>,
) -> impl Filter<Extract = (Arc<State>,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// `GET /healthz`: alive, with the number of pages.
fn healthz(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("healthz")
        .and(with_state(state))
        .map(|state: Arc<State>| {
            json(
                StatusCode::OK,
                &serde_json::json!({"status": "ok", "pages": state.snapshot().page_count()}),
            )
        })
}

/// `GET /readyz`: ready to serve: pages rendered and the index open, with its size.
fn readyz(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("readyz")
        .and(with_state(state))
        .map(|state: Arc<State>| {
            json(
                StatusCode::OK,
                &serde_json::json!({
                    "status": "ready",
                    "pages": state.snapshot().page_count(),
                    "indexed": state.index.len(),
                }),
            )
        })
}

/// `GET /api/search?q=…&limit=N`: ranked hits as JSON.
fn api_search(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("api" / "search")
        .and(warp::query::<Params>())
        .and(with_state(state))
        .then(|params: Params, state: Arc<State>| async move {
            let limit = match limit(&params) {
                Ok(limit) => limit,
                Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
            };
            let query = param(&params, "q").to_string();
            let started = Instant::now();
            let base = state.snapshot().renderer.base().to_string();
            match run_search(state, query.clone(), limit, params, false).await {
                Some((results, _)) => {
                    let hits_and_facets = results
                        .api_json
                        .get_or_init(|| hits_and_facets(&results, &base));
                    let head = ApiHead {
                        query: &query,
                        total: results.total,
                        took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
                    };
                    let mut body = Vec::with_capacity(hits_and_facets.len() + query.len() + 64);
                    if serde_json::to_writer(&mut body, &head).is_err() {
                        return json_error(StatusCode::INTERNAL_SERVER_ERROR, "search failed");
                    }
                    // `{"query":…,"took_ms":…}` and `{"hits":…}` make one object.
                    body.pop();
                    body.push(b',');
                    body.extend_from_slice(hits_and_facets.get(1..).unwrap_or_default());
                    text(StatusCode::OK, "application/json", body)
                }
                None => json_error(StatusCode::INTERNAL_SERVER_ERROR, "search failed"),
            }
        })
}

/// The first fields of a `/api/search` answer, which change from one request to the next.
#[derive(Serialize)]
struct ApiHead<'a> {
    query: &'a str,
    total: usize,
    took_ms: f64,
}

/// The rest of a `/api/search` answer, the same for every request of the same search.
#[derive(Serialize)]
struct ApiHits<'a> {
    hits: &'a [crate::index::Hit],
    facets: &'a std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
}

/// `{"hits":[…],"facets":{…}}` for `results`, with URLs under `base`.
fn hits_and_facets(results: &crate::index::SearchResults, base: &str) -> Bytes {
    let hits: Vec<crate::index::Hit> = results
        .hits
        .iter()
        .map(|hit| crate::index::Hit {
            url: format!("{base}{}", hit.url),
            anchor: format!("{base}{}", hit.anchor),
            ..hit.clone()
        })
        .collect();
    let answer = ApiHits {
        hits: &hits,
        facets: &results.facets,
    };
    Bytes::from(
        serde_json::to_vec(&answer).unwrap_or_else(|_| br#"{"hits":[],"facets":{}}"#.to_vec()),
    )
}

/// `GET /api/suggest?q=…`: OpenSearch suggestions, `[query, [titles], [descriptions], [urls]]`.
fn api_suggest(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("api" / "suggest")
        .and(warp::query::<Params>())
        .and(with_state(state))
        .map(|params: Params, state: Arc<State>| {
            let typed = param(&params, "q");
            let base = state.snapshot().renderer.base().to_string();
            let mut suggestions = match state.index.suggest(typed, SUGGESTIONS) {
                Ok(suggestions) => suggestions,
                Err(error) => {
                    tracing::error!(%error, "suggest failed");
                    return json_error(StatusCode::INTERNAL_SERVER_ERROR, "suggest failed");
                }
            };
            for suggestion in &mut suggestions {
                suggestion.url.insert_str(0, &base);
            }
            let column = |pick: fn(&crate::index::Suggestion) -> &str| -> Vec<&str> {
                suggestions.iter().map(pick).collect()
            };
            let body = (
                typed,
                column(|s| &s.title),
                column(|s| &s.description),
                column(|s| &s.url),
            );
            typed_json(StatusCode::OK, "application/x-suggestions+json", &body)
        })
}

/// `GET /__livereload`: Server-Sent Events, one per rebuild, while watching.
fn livereload(
    state: Arc<State>,
) -> impl Filter<Extract = (Box<dyn Reply>,), Error = Rejection> + Clone {
    warp::path!("__livereload")
        .and(with_state(state))
        .and_then(|state: Arc<State>| async move {
            let Some(sender) = &state.reload else {
                return Err(warp::reject::not_found());
            };
            let pending = state.last_event.load_full();
            let first = (!pending.is_empty()).then(|| pending.to_string());
            let mut closing = state.closing.subscribe();
            let closed = async move {
                let _ = closing.wait_for(|closing| *closing).await;
            };
            let events = tokio_stream::wrappers::BroadcastStream::new(sender.subscribe())
                .filter_map(|event| std::future::ready(event.ok().map(|json| json.to_string())));
            let stream = futures_util::stream::iter(first)
                .chain(events)
                .take_until(closed)
                .map(|json| {
                    Ok::<_, Infallible>(
                        warp::sse::Event::default()
                            .retry(std::time::Duration::from_millis(500))
                            .data(json),
                    )
                });
            let reply = warp::sse::reply(warp::sse::keep_alive().stream(stream));
            Ok(Box::new(reply) as Box<dyn Reply>)
        })
}

/// `GET /opensearch.xml`: lets a browser add the site as a search engine.
fn opensearch(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("opensearch.xml")
        .and(warp::header::optional::<String>("host"))
        .and(with_state(state))
        .map(|host: Option<String>, state: Arc<State>| {
            let snapshot = state.snapshot();
            let xml = snapshot
                .renderer
                .opensearch(&origin(&snapshot, host.as_deref()));
            text(StatusCode::OK, "application/opensearchdescription+xml", xml)
        })
}

/// `GET /search?q=…`: the results page, which works without JavaScript.
fn search_page(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("search")
        .and(warp::query::<Params>())
        .and(with_state(state))
        .then(|params: Params, state: Arc<State>| async move {
            let query = param(&params, "q").trim().to_string();
            let found = match query.is_empty() {
                true => Some(Default::default()),
                false => {
                    run_search(
                        state.clone(),
                        query.clone(),
                        DEFAULT_LIMIT * 2,
                        params,
                        true,
                    )
                    .await
                }
            };
            let Some((results, nearest)) = found else {
                return html(StatusCode::INTERNAL_SERVER_ERROR, error_page());
            };
            let snapshot = state.snapshot();
            let base = snapshot.renderer.base().to_string();
            let groups: Vec<ResultView> = snapshot
                .groups
                .iter()
                .map(|group| ResultView {
                    url: format!("{base}{}", group.url),
                    ..group.clone()
                })
                .collect();
            let hits: Vec<ResultView> = results
                .hits
                .iter()
                .map(|hit| ResultView {
                    url: format!("{}{}", base, with_highlight(&hit.anchor, &query)),
                    title: hit.title.clone(),
                    section: hit.section.clone(),
                    snippet: hit.snippet.clone(),
                })
                .collect();
            let nearest: Vec<ResultView> = nearest
                .into_iter()
                .map(|s| ResultView {
                    url: format!("{base}{}", s.url),
                    title: s.title,
                    section: None,
                    snippet: String::new(),
                })
                .collect();
            let page = snapshot
                .renderer
                .search(&query, results.total, &hits, &nearest, &groups);
            match page {
                Ok(page) => html(StatusCode::OK, Bytes::from(page)),
                Err(error) => {
                    tracing::error!(%error, "search page failed to render");
                    html(StatusCode::INTERNAL_SERVER_ERROR, error_page())
                }
            }
        })
}

/// How long browsers and caches may keep pages and API answers without asking again.
pub(super) const PAGE_CACHE: &str = "public, max-age=60, must-revalidate";
/// Assets carry a hash of their bytes in their names, so they never change.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";

/// `GET /assets/…`: the stylesheet and the scripts.
fn asset(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path("assets")
        .and(warp::path::tail())
        .and(warp::header::headers_cloned())
        .and(with_state(state))
        .and_then(
            |tail: warp::path::Tail, headers: HeaderMap, state: Arc<State>| async move {
                let snapshot = state.snapshot();
                match snapshot.assets.get(&format!("/assets/{}", tail.as_str())) {
                    Some(asset) => Ok(asset.respond(StatusCode::OK, &headers, ASSET_CACHE)),
                    None => Err(warp::reject::not_found()),
                }
            },
        )
}

/// `GET /sitemap.xml`: every page, with the date it last changed.
fn sitemap(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("sitemap.xml")
        .and(warp::header::optional::<String>("host"))
        .and(with_state(state))
        .map(|host: Option<String>, state: Arc<State>| {
            let snapshot = state.snapshot();
            let origin = origin(&snapshot, host.as_deref());
            let mut xml = String::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
            );
            for (url, modified) in &snapshot.sitemap {
                let location = escape_html(&format!("{origin}{}", encode_path(url)));
                xml.push_str(&format!("  <url><loc>{location}</loc>"));
                if let Some(date) = modified.and_then(w3c_date) {
                    xml.push_str(&format!("<lastmod>{date}</lastmod>"));
                }
                xml.push_str("</url>\n");
            }
            xml.push_str("</urlset>\n");
            text(StatusCode::OK, "application/xml; charset=utf-8", xml)
        })
}

/// `GET /robots.txt`: everything may be crawled; the sitemap is named.
fn robots(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Rejection> + Clone {
    warp::path!("robots.txt")
        .and(warp::header::optional::<String>("host"))
        .and(with_state(state))
        .map(|host: Option<String>, state: Arc<State>| {
            let origin = origin(&state.snapshot(), host.as_deref());
            let body = format!(
                "User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {origin}/sitemap.xml\n"
            );
            text(StatusCode::OK, "text/plain; charset=utf-8", body)
        })
}

/// The site's public origin: the configured URL, else the request's host.
fn origin(snapshot: &Snapshot, host: Option<&str>) -> String {
    match snapshot.renderer.site_url() {
        "" => format!(
            "http://{}{}",
            host.filter(|h| is_host(h)).unwrap_or("localhost"),
            snapshot.renderer.base()
        ),
        configured => configured.to_string(),
    }
}

/// A date as `YYYY-MM-DD` (UTC), for the sitemap.
fn w3c_date(time: SystemTime) -> Option<String> {
    let days = time.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs() / 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// `GET /{url}`: a page; `/{url}.json` its metadata; a redirect to the canonical URL
/// (`/502/`, `/502.md` → `/502`); or the 404 page.
fn page(
    state: Arc<State>,
) -> impl Filter<Extract = (Response<Bytes>,), Error = Infallible> + Clone {
    warp::path::tail()
        .and(warp::header::headers_cloned())
        .and(with_state(state))
        .map(
            |tail: warp::path::Tail, headers: HeaderMap, state: Arc<State>| {
                let path = format!("/{}", tail.as_str());
                let decoded = percent_encoding::percent_decode_str(&path).decode_utf8();
                let Ok(decoded) = decoded else {
                    return not_found(&state, &path);
                };
                let snapshot = state.snapshot();
                if let Some(page) = snapshot.html(decoded.as_ref()) {
                    return page.respond(StatusCode::OK, &headers, PAGE_CACHE);
                }
                if let Some(metadata) = decoded
                    .strip_suffix(".json")
                    .map(|url| if url.is_empty() { "/" } else { url })
                    .and_then(|url| snapshot.metadata(url))
                {
                    return metadata.respond(StatusCode::OK, &headers, PAGE_CACHE);
                }
                let canonical = decoded.trim_end_matches('/');
                let canonical = canonical.strip_suffix(".md").unwrap_or(canonical);
                let canonical = if canonical.is_empty() { "/" } else { canonical };
                if canonical != decoded && snapshot.serves(canonical) {
                    let base = snapshot.renderer.base();
                    let target = match (base, canonical) {
                        ("", _) => canonical.to_string(),
                        (_, "/") => format!("{base}/"),
                        _ => format!("{base}{canonical}"),
                    };
                    return redirect(&path, &target);
                }
                not_found(&state, &decoded)
            },
        )
}

/// A response with `status`, `content_type` and `body`: every builder below ends here.
fn text(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Bytes> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    response
}

/// Percent-encodes a URL path for a `Location` header or a sitemap.
fn encode_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, PATH).to_string()
}

/// Runs a search off the async threads, unless its results are cached. With
/// `nearest`, a search that finds nothing also looks for titles near the query.
async fn run_search(
    state: Arc<State>,
    query: String,
    limit: usize,
    filters: Params,
    nearest: bool,
) -> Option<(
    Arc<crate::index::SearchResults>,
    Vec<crate::index::Suggestion>,
)> {
    let request = crate::index::SearchRequest {
        query: &query,
        limit,
        filters: &filters,
    };
    if let Some(results) = state.index.cached(&request)
        && (results.total > 0 || !nearest)
    {
        state.searched(&query, results.total);
        return Some((results, Vec::new()));
    }
    // New searches run one per core, in the order they came: more at once would only
    // share the cores and make every one of them slower.
    let Ok(permit) = state.searching.clone().acquire_owned().await else {
        return None;
    };
    let outcome = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let request = crate::index::SearchRequest {
            query: &query,
            limit,
            filters: &filters,
        };
        let results = state.index.search(&request)?;
        state.searched(&query, results.total);
        let titles = match nearest && results.total == 0 {
            true => state
                .index
                .nearest(&query, SUGGESTIONS)
                .unwrap_or_else(|error| {
                    tracing::error!(%error, "nearest titles failed");
                    Vec::new()
                }),
            false => Vec::new(),
        };
        Ok::<_, crate::error::Error>((results, titles))
    })
    .await;
    match outcome {
        Ok(Ok(found)) => Some(found),
        Ok(Err(error)) => {
            tracing::error!(%error, "search failed");
            None
        }
        Err(error) => {
            tracing::error!(%error, "search task failed");
            None
        }
    }
}

/// `url` (which may end in `#anchor`) with `?highlight=` the query's words, so that
/// the page marks them.
fn with_highlight(url: &str, query: &str) -> String {
    let (path, anchor) = url
        .split_once('#')
        .map_or((url, None), |(p, a)| (p, Some(a)));
    let words = percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC);
    match anchor {
        Some(anchor) => format!("{path}?highlight={words}#{anchor}"),
        None => format!("{path}?highlight={words}"),
    }
}

/// Whether a `Host` header is a plain host name or address with an optional port.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

fn param<'a>(params: &'a Params, key: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// Reads `limit`: a whole number from 1, capped at [`MAX_LIMIT`].
fn limit(params: &Params) -> Result<usize, String> {
    match params.iter().find(|(k, _)| k == "limit") {
        None => Ok(DEFAULT_LIMIT),
        Some((_, value)) => match value.trim().parse::<u64>() {
            Ok(0) | Err(_) => Err(format!(
                "limit must be a whole number from 1 to {MAX_LIMIT}, not {value:?}"
            )),
            Ok(n) => Ok(n.min(MAX_LIMIT as u64) as usize),
        },
    }
}

fn html(status: StatusCode, body: Bytes) -> Response<Bytes> {
    text(status, "text/html; charset=utf-8", body)
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Bytes> {
    typed_json(status, "application/json", value)
}

/// `value` as JSON, sent as `content_type` (a JSON type such as suggestions' own).
fn typed_json<T: Serialize>(
    status: StatusCode,
    content_type: &'static str,
    value: &T,
) -> Response<Bytes> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    text(status, content_type, body)
}

fn json_error(status: StatusCode, message: &str) -> Response<Bytes> {
    json(status, &serde_json::json!({"error": message}))
}

fn redirect(from: &str, to: &str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
    match header::HeaderValue::from_str(&encode_path(to)) {
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

/// Characters escaped in a path: controls, space and what would end the path.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

fn not_found(state: &State, path: &str) -> Response<Bytes> {
    match state.snapshot().renderer.not_found(path) {
        Ok(page) => html(StatusCode::NOT_FOUND, Bytes::from(page)),
        Err(error) => {
            tracing::error!(%error, "404 page failed to render");
            html(
                StatusCode::NOT_FOUND,
                Bytes::from_static(b"<h1>404 Not Found</h1>"),
            )
        }
    }
}

fn error_page() -> Bytes {
    Bytes::from_static(b"<!doctype html><title>Error</title><h1>Something went wrong</h1><p>The error was logged.</p>")
}

async fn recover(rejection: Rejection) -> Result<Response<Bytes>, Infallible> {
    if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        let mut response = json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are served",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
        return Ok(response);
    }
    if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "the query string cannot be read",
        ));
    }
    if rejection.is_not_found() {
        return Ok(json_error(StatusCode::NOT_FOUND, "not found"));
    }
    tracing::warn!(?rejection, "request rejected");
    Ok(json_error(StatusCode::BAD_REQUEST, "bad request"))
}
