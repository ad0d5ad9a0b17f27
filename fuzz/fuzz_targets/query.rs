//! The query path on any string: parsing, typo and prefix expansion over the term
//! dictionary, synonyms, scoring and snippets, against an index of a few real pages.
//! It must never panic, and snippets must stay escaped around their `<mark>`s.

#![no_main]

use folio::content::parse_page;
use folio::index::{SearchIndex, SearchRequest};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

const PAGES: [(&str, &str); 3] = [
    (
        "502.md",
        "---\ntitle: 502 Bad Gateway\ndescription: An upstream server sent an invalid response.\nclass: 5xx\n---\n# 502 Bad Gateway\n\n## Meaning\n\nThe gateway got an invalid response from the upstream server.\n",
    ),
    (
        "429.md",
        "---\ntitle: 429 Too Many Requests\nclass: 4xx\n---\n# 429 Too Many Requests\n\n## Meaning\n\nThe client sent too many requests in a given time; rate limiting applies. <b>x</b> & y\n",
    ),
    (
        "guides/caching.md",
        "# Caching\n\n## Validators\n\nETag and Last-Modified let a cache revalidate with 304 Not Modified.\n",
    ),
];

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut site = folio::content::Site::default();
        for (path, text) in PAGES {
            let (page, _) = parse_page(Path::new(path), text.as_bytes());
            site.pages.push(page.expect("seed page parses").into());
        }
        site.synonyms = vec![vec!["backend".into(), "upstream".into()]];
        SearchIndex::in_memory(&site, &["class".to_string()]).expect("index builds")
    })
}

fuzz_target!(|query: &str| {
    let filters = [("class".to_string(), "5xx".to_string())];
    for filters in [&[][..], &filters[..]] {
        let request = SearchRequest {
            query,
            limit: 10,
            filters,
        };
        if let Ok(results) = index().search(&request) {
            for hit in &results.hits {
                let unmarked = hit.snippet.replace("<mark>", "").replace("</mark>", "");
                assert!(!unmarked.contains('<'), "unescaped snippet: {}", hit.snippet);
            }
        }
    }
    let _ = index().suggest(query, 8);
    let _ = index().nearest(query, 5);
});
