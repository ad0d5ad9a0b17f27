//! The route table: every path folio answers, below the base path, and what it is.
//! The front door labels its metrics by it and the routes dispatch on it, so the two
//! cannot disagree.

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /healthz`: alive, with the number of pages.
    Healthz,
    /// `GET /readyz`: ready to serve.
    Readyz,
    /// `GET /metrics`: Prometheus text.
    Metrics,
    /// `GET /api/search`: ranked hits as JSON.
    ApiSearch,
    /// `GET /api/suggest`: OpenSearch suggestions.
    ApiSuggest,
    /// `GET /opensearch.xml`: the search engine description.
    OpenSearch,
    /// `GET /__livereload`: live-reload events.
    LiveReload,
    /// `GET /sitemap.xml`: every page.
    Sitemap,
    /// `GET /robots.txt`: crawl rules.
    Robots,
    /// `GET /search`: the results page.
    Search,
    /// `GET /assets/…`: the stylesheet and scripts.
    Asset,
    /// Anything else: a page, its metadata, a redirect, a file beside the pages or the
    /// 404 page.
    Page,
}

/// The routes at fixed paths.
const FIXED: [(&str, Route); 11] = [
    ("/healthz", Route::Healthz),
    ("/readyz", Route::Readyz),
    ("/metrics", Route::Metrics),
    ("/api/search", Route::ApiSearch),
    ("/api/suggest", Route::ApiSuggest),
    ("/opensearch.xml", Route::OpenSearch),
    ("/__livereload", Route::LiveReload),
    ("/sitemap.xml", Route::Sitemap),
    ("/robots.txt", Route::Robots),
    ("/search", Route::Search),
    ("/assets", Route::Asset),
];

impl Route {
    /// The route of a path below the base path.
    pub fn of(path: &str) -> Route {
        if let Some((_, route)) = FIXED.iter().find(|(fixed, _)| *fixed == path) {
            return *route;
        }
        match path.starts_with("/assets/") {
            true => Route::Asset,
            false => Route::Page,
        }
    }

    /// How metrics label the route.
    pub fn label(self) -> &'static str {
        match self {
            Route::ApiSearch => "api_search",
            Route::ApiSuggest => "api_suggest",
            Route::Search => "search",
            Route::Healthz | Route::Readyz | Route::Metrics => "health",
            Route::LiveReload => "livereload",
            Route::Sitemap | Route::Robots | Route::OpenSearch => "site",
            Route::Asset => "asset",
            Route::Page => "page",
        }
    }

    /// Whether its answers, errors included, are HTML pages (else JSON or text).
    pub fn is_html(self) -> bool {
        matches!(self, Route::Search | Route::Page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_routes() {
        assert_eq!(Route::of("/api/search"), Route::ApiSearch);
        assert_eq!(Route::of("/assets/folio.1.css"), Route::Asset);
        assert_eq!(Route::of("/api/search/x"), Route::Page);
        assert_eq!(Route::of("/502"), Route::Page);
        assert_eq!(Route::of("/"), Route::Page);
        assert_eq!(Route::of("/readyz").label(), "health");
    }
}
