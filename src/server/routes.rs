//! Routes: one handler per [`Route`], each returning `Result<Answer, Error>`; the
//! dispatcher below sends each request to its handler and hands errors to
//! [`failure`](super::failure).

use super::State;
use super::failure;
use super::failure::MAX_ECHO_CHARS;
use super::file;
use super::front::is_authority;
use super::payload;
use super::reply::{Answer, Full, json, leading, redirect, text, typed_json};
use super::route::Route;
use crate::app::Snapshot;
use crate::content;
use crate::error::{Error, Result};
use crate::html::escape_html;
use crate::index::{ALL_LANGUAGES, Hit, SearchRequest, SearchResults, Suggestion};
use crate::render::LanguageChoice;
use crate::render::ResultView;
use bytes::Bytes;
use futures_util::StreamExt;
use serde::Serialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use warp::http::StatusCode;
use warp::http::header::HeaderMap;
use warp::{Filter, Reply};

/// The default and the largest number of hits a search returns.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;
/// How many characters of the query a result link asks its page to mark.
const HIGHLIGHT_CHARS: usize = 64;
/// How many titles `/api/suggest` offers.
const SUGGESTIONS: usize = 8;

/// How long browsers and caches may keep pages, API answers and files beside the pages
/// (unless their names carry a fingerprint) without asking again.
pub(super) const PAGE_CACHE: &str = "max-age=60, must-revalidate";
/// Assets carry a hash of their bytes in their names, so they never change.
const ASSET_CACHE: &str = "max-age=31536000, immutable";
/// Search answers depend on the index, which changes with every edit: not kept.
const SEARCH_CACHE: &str = "no-store";

/// The query string's parameters, in order.
type Params = Vec<(String, String)>;

/// A request as the handlers read it.
struct Asked {
    /// The path below the base path, as sent (percent-encoded).
    path: String,
    params: Params,
    headers: HeaderMap,
    /// Whether it is a HEAD request, answered without a body.
    head: bool,
}

/// Every route: GET and HEAD under the base path, dispatched on the route table, with
/// rejections recovered.
pub fn all(state: Arc<State>) -> impl Filter<Extract = (Answer,), Error = Infallible> + Clone {
    let read = warp::get().or(warp::head()).unify();
    let base = state
        .live
        .snapshot()
        .renderer()
        .base()
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(String::from)
        .fold(warp::any().boxed(), |under, segment| {
            under.and(warp::path(segment)).boxed()
        });
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    read.and(base)
        .and(warp::path::tail())
        .and(query)
        .and(warp::header::headers_cloned())
        .and(warp::method())
        .then(
            move |tail: warp::path::Tail,
                  query: String,
                  headers: HeaderMap,
                  method: warp::http::Method| {
                let state = state.clone();
                async move {
                    let asked = Asked {
                        path: format!("/{}", tail.as_str()),
                        params: form_urlencoded::parse(query.as_bytes())
                            .into_owned()
                            .collect(),
                        headers,
                        head: method == warp::http::Method::HEAD,
                    };
                    let route = Route::of(&asked.path);
                    if route == Route::LiveReload {
                        return livereload(&state).unwrap_or_else(|error| {
                            failure::respond(&state, route, &asked.path, Err(error)).into_response()
                        });
                    }
                    answer(&state, route, asked).await
                }
            },
        )
        .recover(failure::recover)
        .unify()
}

/// The answer of a request's handler, compressed as the client accepts; a path that is
/// no page may be a file beside the pages, answered as [`file`] makes it (streamed, or
/// compressed already), and so is a project's own `robots.txt` or `sitemap.xml`.
async fn answer(state: &Arc<State>, route: Route, asked: Asked) -> Answer {
    let path = asked.path.clone();
    let headers = asked.headers.clone();
    let head = asked.head;
    // A project's own robots.txt or sitemap.xml is its author's policy: it wins over
    // what folio would write.
    if matches!(route, Route::Robots | Route::Sitemap)
        && let Ok(Some(answer)) = file::serve(state, &path, &headers, head).await
    {
        return answer;
    }
    let mut result = dispatch(state, route, asked).await;
    if route == Route::Page
        && let Err(Error::NotFound(_)) = result
    {
        match file::serve(state, &path, &headers, head).await {
            Ok(Some(answer)) => return answer,
            Ok(None) => {}
            Err(error) => result = Err(error),
        }
    }
    let full = failure::respond(state, route, &path, result);
    payload::compressed(full, &headers).await.into_response()
}

/// Sends a request to the handler of its route (live reload, which streams, aside).
async fn dispatch(state: &Arc<State>, route: Route, asked: Asked) -> Result<Full> {
    match route {
        Route::Healthz => Ok(healthz(state)),
        Route::Readyz => Ok(readyz(state)),
        Route::Metrics if state.metrics_public => Ok(metrics(state)),
        Route::Metrics => Err(Error::NotFound(asked.path)),
        Route::ApiSearch => api_search(state, &asked).await,
        Route::ApiSuggest => api_suggest(state, &asked),
        Route::OpenSearch => Ok(opensearch(state, &asked)),
        Route::LiveReload => Err(Error::NotFound(asked.path)),
        Route::Sitemap => Ok(sitemap(state, &asked)),
        Route::Robots => Ok(robots(state, &asked)),
        Route::Search => search_page(state, &asked).await,
        Route::Asset => asset(state, &asked),
        Route::Page => page(state, &asked).await,
    }
}

/// `GET /metrics`: Prometheus text format.
pub(super) fn metrics(state: &State) -> Full {
    let body = state
        .metrics
        .render(state.live.snapshot().page_count(), state.live.rebuilds());
    text(
        StatusCode::OK,
        "text/plain; version=0.0.4; charset=utf-8",
        body,
    )
}

/// `GET /healthz`: alive, with the number of pages.
fn healthz(state: &State) -> Full {
    json(
        StatusCode::OK,
        &serde_json::json!({"status": "ok", "pages": state.live.snapshot().page_count()}),
    )
}

/// `GET /readyz`: ready to serve: pages rendered and the index open, with its size;
/// how the site started, and whether every page has loaded behind a start from the
/// page manifest (with how many were found changed since it was written).
fn readyz(state: &State) -> Full {
    let live = &state.live;
    let start = live.start();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "status": "ready",
            "pages": live.snapshot().page_count(),
            "indexed": live.index().len(),
            "start": start.from,
            "index": start.index,
            "loaded": live.is_loaded(),
            "caught_up": live.caught_up(),
        }),
    )
}

/// `GET /api/search?q=…&limit=N`: ranked hits as JSON.
async fn api_search(state: &Arc<State>, asked: &Asked) -> Result<Full> {
    let limit = limit(&asked.params)?;
    let query = bounded(param(&asked.params, "q")).to_string();
    let started = Instant::now();
    let base = state.live.snapshot().renderer().base().to_string();
    let (results, _) = run_search(state, query.clone(), limit, asked.params.clone(), false).await?;
    let hits_and_facets = results
        .api_json
        .get_or_init(|| hits_and_facets(&results, &base));
    let head = ApiHead {
        query: &query,
        total: results.total,
        took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
    };
    let mut body = Vec::with_capacity(hits_and_facets.len() + query.len() + 64);
    if let Err(error) = serde_json::to_writer(&mut body, &head) {
        tracing::error!(%error, "search answer not written");
        return Ok(text(
            StatusCode::OK,
            "application/json",
            r#"{"hits":[],"facets":{}}"#,
        ));
    }
    // `{"query":…,"took_ms":…}` and `{"hits":…}` make one object.
    body.pop();
    body.push(b',');
    body.extend_from_slice(hits_and_facets.get(1..).unwrap_or_default());
    Ok(uncached(text(StatusCode::OK, "application/json", body)))
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
    hits: &'a [Hit],
    facets: &'a std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
}

/// `{"hits":[…],"facets":{…}}` for `results`, with URLs under `base`.
fn hits_and_facets(results: &SearchResults, base: &str) -> Bytes {
    let hits: Vec<Hit> = results
        .hits
        .iter()
        .map(|hit| Hit {
            url: format!("{base}{}", hit.url),
            href: format!("{base}{}", hit.href),
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
fn api_suggest(state: &State, asked: &Asked) -> Result<Full> {
    let typed = bounded(param(&asked.params, "q"));
    let base = state.live.snapshot().renderer().base().to_string();
    let mut suggestions = state.live.index().suggest(typed, SUGGESTIONS)?;
    for suggestion in &mut suggestions {
        suggestion.url.insert_str(0, &base);
    }
    let column =
        |pick: fn(&Suggestion) -> &str| -> Vec<&str> { suggestions.iter().map(pick).collect() };
    let body = (
        typed,
        column(|s| &s.title),
        column(|s| &s.description),
        column(|s| &s.url),
    );
    Ok(uncached(typed_json(
        StatusCode::OK,
        "application/x-suggestions+json",
        &body,
    )))
}

/// `GET /__livereload`: Server-Sent Events, one per rebuild, while watching.
fn livereload(state: &State) -> Result<Answer> {
    let Some((first, receiver)) = state.live.reloads() else {
        return Err(Error::NotFound("/__livereload".into()));
    };
    let mut closing = state.closing.subscribe();
    let closed = async move {
        let _ = closing.wait_for(|closing| *closing).await;
    };
    let events = tokio_stream::wrappers::BroadcastStream::new(receiver)
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
    Ok(warp::sse::reply(warp::sse::keep_alive().stream(stream)).into_response())
}

/// `GET /opensearch.xml`: lets a browser add the site as a search engine.
fn opensearch(state: &State, asked: &Asked) -> Full {
    let snapshot = state.live.snapshot();
    let (origin, shared) = origin(&snapshot, host(&asked.headers));
    let xml = snapshot.renderer().opensearch(&origin);
    let response = text(StatusCode::OK, "application/opensearchdescription+xml", xml);
    cacheable(response, shared)
}

/// `GET /search?q=…`: the results page, which works without JavaScript.
async fn search_page(state: &Arc<State>, asked: &Asked) -> Result<Full> {
    let query = bounded(param(&asked.params, "q").trim()).to_string();
    let (results, nearest) = match query.is_empty() {
        true => Default::default(),
        false => {
            run_search(
                state,
                query.clone(),
                DEFAULT_LIMIT * 2,
                asked.params.clone(),
                true,
            )
            .await?
        }
    };
    let snapshot = state.live.snapshot();
    let base = snapshot.renderer().base().to_string();
    let groups: Vec<ResultView> = snapshot
        .groups()
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
            url: format!("{}{}", base, with_highlight(&hit.href, &query)),
            title: hit.title.clone(),
            section: hit.section.as_ref().map(|section| {
                let mut trail = hit.parents.clone();
                trail.push(section.clone());
                trail.join(" › ")
            }),
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
    let lang = param(&asked.params, "lang");
    let languages = language_choices(&results, &query, lang, &base);
    let page = snapshot.renderer().search(
        &query,
        results.total,
        (&hits, &nearest, &groups),
        Some(lang).filter(|lang| *lang != ALL_LANGUAGES),
        &languages,
    )?;
    Ok(uncached(text(
        StatusCode::OK,
        "text/html; charset=utf-8",
        page,
    )))
}

/// The languages the results page offers, when the query's words are found in more
/// than one: each with its count, then every language at once.
fn language_choices(
    results: &SearchResults,
    query: &str,
    asked: &str,
    base: &str,
) -> Vec<LanguageChoice> {
    let Some(counts) = results.facets.get("lang").filter(|counts| counts.len() > 1) else {
        return Vec::new();
    };
    let link = |lang: &str| {
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", query)
            .append_pair("lang", lang)
            .finish();
        format!("{base}/search?{encoded}")
    };
    counts
        .iter()
        .map(|(lang, count)| LanguageChoice {
            label: content::language_name(lang).to_string(),
            url: link(lang),
            count: Some(*count),
            current: lang.eq_ignore_ascii_case(asked),
        })
        .chain(std::iter::once(LanguageChoice {
            label: "All languages".to_string(),
            url: link(ALL_LANGUAGES),
            count: None,
            current: asked == ALL_LANGUAGES,
        }))
        .collect()
}

/// `response` marked to be asked for anew each time (a search's answer).
fn uncached(mut response: Full) -> Full {
    response.headers_mut().insert(
        warp::http::header::CACHE_CONTROL,
        warp::http::HeaderValue::from_static(SEARCH_CACHE),
    );
    response
}

/// What of a query is searched and shown back: its first [`MAX_ECHO_CHARS`] characters.
fn bounded(query: &str) -> &str {
    leading(query, MAX_ECHO_CHARS)
}

/// `GET /assets/…`: the stylesheet and the scripts.
fn asset(state: &State, asked: &Asked) -> Result<Full> {
    let snapshot = state.live.snapshot();
    let asset = snapshot
        .asset(&asked.path)
        .ok_or_else(|| Error::NotFound(asked.path.clone()))?;
    Ok(payload::respond(
        asset,
        StatusCode::OK,
        &asked.headers,
        ASSET_CACHE,
    ))
}

/// `GET /sitemap.xml`: every page, with the date it last changed.
fn sitemap(state: &State, asked: &Asked) -> Full {
    let snapshot = state.live.snapshot();
    let (origin, shared) = origin(&snapshot, host(&asked.headers));
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, modified) in snapshot.sitemap() {
        let location = escape_html(&format!(
            "{origin}{}",
            crate::content::url::encode_path(url)
        ));
        xml.push_str(&format!("  <url><loc>{location}</loc>"));
        if let Some(date) = modified.and_then(w3c_date) {
            xml.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    cacheable(
        text(StatusCode::OK, "application/xml; charset=utf-8", xml),
        shared,
    )
}

/// `GET /robots.txt`: everything may be crawled; the sitemap is named.
fn robots(state: &State, asked: &Asked) -> Full {
    let (origin, shared) = origin(&state.live.snapshot(), host(&asked.headers));
    let body =
        format!("User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {origin}/sitemap.xml\n");
    cacheable(
        text(StatusCode::OK, "text/plain; charset=utf-8", body),
        shared,
    )
}

/// `response` with the cache rules of what names the site's origin: kept by shared
/// caches when the origin is the configured one, private when it came from the
/// request's `Host` (a cache in front must not keep one client's host for another).
fn cacheable(mut response: Full, shared: bool) -> Full {
    let rule = match shared {
        true => PAGE_CACHE,
        false => "private, no-cache",
    };
    let headers = response.headers_mut();
    headers.insert(
        warp::http::header::CACHE_CONTROL,
        warp::http::HeaderValue::from_static(rule),
    );
    if !shared {
        headers.insert(
            warp::http::header::VARY,
            warp::http::HeaderValue::from_static("Host"),
        );
    }
    response
}

/// The request's `Host` header, when it is text.
fn host(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(warp::http::header::HOST)
        .and_then(|value| value.to_str().ok())
}

/// The site's public origin, and whether it is the configured one: the configured URL
/// (`site_url`), else one made from the request's host (which a response for every
/// client must not carry).
fn origin(snapshot: &Snapshot, host: Option<&str>) -> (String, bool) {
    match snapshot.renderer().site_url() {
        "" => {
            let host = host.filter(|h| is_authority(h)).unwrap_or("localhost");
            (
                format!("http://{host}{}", snapshot.renderer().base()),
                false,
            )
        }
        configured => (configured.to_string(), true),
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
/// (`/502/`, `/502.md` → `/502`); or the 404 page. A page is rendered, and compressed
/// as the client asks, off the request threads.
async fn page(state: &State, asked: &Asked) -> Result<Full> {
    let path = &asked.path;
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| Error::NotFound(path.clone()))?;
    let snapshot = state.live.snapshot();
    let headers = &asked.headers;
    if let Some((canonical, lasting)) = snapshot.canonical(&decoded) {
        return Ok(redirect(path, &under_base(&snapshot, &canonical), lasting));
    }
    if snapshot.serves(&decoded) {
        let url = decoded.to_string();
        let (snapshot, headers) = (snapshot.clone(), headers.clone());
        let made = tokio::task::spawn_blocking(move || {
            let page = snapshot.html(&url)?;
            Some(payload::respond(
                &page,
                StatusCode::OK,
                &headers,
                PAGE_CACHE,
            ))
        });
        if let Some(response) = made.await? {
            return Ok(response);
        }
    }
    if let Some(metadata) = decoded
        .strip_suffix(".json")
        .map(|url| if url.is_empty() { "/" } else { url })
        .and_then(|url| snapshot.metadata(url))
    {
        return Ok(payload::respond(
            &metadata,
            StatusCode::OK,
            headers,
            PAGE_CACHE,
        ));
    }
    let canonical = decoded.trim_end_matches('/');
    let canonical = if canonical.is_empty() { "/" } else { canonical };
    if canonical != decoded && snapshot.serves(canonical) {
        return Ok(redirect(path, &under_base(&snapshot, canonical), true));
    }
    Err(Error::NotFound(decoded.into_owned()))
}

/// A page's URL under the base path, as a redirect names it.
fn under_base(snapshot: &Snapshot, url: &str) -> String {
    match (snapshot.renderer().base(), url) {
        ("", _) => url.to_string(),
        (base, "/") => format!("{base}/"),
        (base, _) => format!("{base}{url}"),
    }
}

/// Runs a search off the async threads, unless its results are cached. With
/// `nearest`, a search that finds nothing also looks for titles near the query.
async fn run_search(
    state: &Arc<State>,
    query: String,
    limit: usize,
    filters: Params,
    nearest: bool,
) -> Result<(Arc<SearchResults>, Vec<Suggestion>)> {
    let request = SearchRequest {
        query: &query,
        limit,
        filters: &filters,
    };
    if let Some(results) = state.live.index().cached(&request)
        && (results.total > 0 || !nearest)
    {
        state.searched(&query, results.total);
        return Ok((results, Vec::new()));
    }
    // New searches run one per core, in the order they came: more at once would only
    // share the cores and make every one of them slower.
    let permit = state
        .searching
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Error::Stopping)?;
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let request = SearchRequest {
            query: &query,
            limit,
            filters: &filters,
        };
        let snapshot = state.live.snapshot();
        let index = state.live.index();
        let results = index.search(&request, &*snapshot)?;
        state.searched(&query, results.total);
        let titles = match nearest && results.total == 0 {
            true => index.nearest(&query, SUGGESTIONS).unwrap_or_else(|error| {
                tracing::error!(%error, "nearest titles failed");
                Vec::new()
            }),
            false => Vec::new(),
        };
        Ok((results, titles))
    })
    .await?
}

/// `href` (a page's URL, perhaps with `#anchor`) with `?highlight=` the query's words,
/// so that the page marks them.
fn with_highlight(href: &str, query: &str) -> String {
    let (path, anchor) = href
        .split_once('#')
        .map_or((href, None), |(p, a)| (p, Some(a)));
    let marked = leading(query, HIGHLIGHT_CHARS);
    let words = percent_encoding::utf8_percent_encode(marked, percent_encoding::NON_ALPHANUMERIC);
    match anchor {
        Some(anchor) => format!("{path}?highlight={words}#{anchor}"),
        None => format!("{path}?highlight={words}"),
    }
}

fn param<'a>(params: &'a Params, key: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// Reads `limit`: a whole number from 1, capped at [`MAX_LIMIT`].
fn limit(params: &Params) -> Result<usize> {
    match params.iter().find(|(k, _)| k == "limit") {
        None => Ok(DEFAULT_LIMIT),
        Some((_, value)) => match value.trim().parse::<u64>() {
            Ok(0) | Err(_) => Err(Error::BadRequest(format!(
                "limit must be a whole number from 1 to {MAX_LIMIT}, not {value:?}"
            ))),
            Ok(n) => Ok(n.min(MAX_LIMIT as u64) as usize),
        },
    }
}
