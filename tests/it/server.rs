//! The server over HTTP: pages, 404, search (JSON and HTML), health, methods.

use crate::support::{Server, Site, encode, request};

#[test]
fn home_lists_every_page_grouped_with_a_search_box() {
    let site = Site::fixture("site");
    let server = site.serve();
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("<title>Fixture Docs | folio</title>"));
    assert!(home.body.contains("Welcome to the fixture site"));
    assert!(home.body.contains("name=\"q\""), "no search box");
    for url in [
        "/502",
        "/504",
        "/404",
        "/guide",
        "/guide/setup",
        "/elsewhere/page",
        "/tar",
    ] {
        assert!(
            home.body.contains(&format!("href=\"{url}\"")),
            "home lacks {url}"
        );
    }
    let fourxx = home.body.find("<h2>4xx</h2>").expect("4xx group");
    let fivexx = home.body.find("<h2>5xx</h2>").expect("5xx group");
    assert!(fourxx < fivexx);
}

#[test]
fn a_page_renders_with_head_tags_json_ld_and_heading_anchors() {
    let site = Site::fixture("site");
    let server = site.serve();
    let page = server.get("/502");
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("<title>502 Bad Gateway - Explained for Tests | folio</title>"));
    assert!(body.contains(
        "<meta name=\"description\" content=\"502 Bad Gateway: A proxy got a broken answer from the server behind it.\">"
    ));
    assert_eq!(body.matches("name=\"description\"").count(), 1);
    assert!(body.contains("<link rel=\"canonical\" href=\"https://example.test/502\">"));
    assert!(
        body.contains(
            "<h2 id=\"when-to-use\">When to Use<a class=\"anchor\" href=\"#when-to-use\""
        )
    );
    assert!(body.contains("<a href=\"/504\">504</a>"));
    // JSON-LD lands in <head>, re-serialised so that its </script> cannot break out.
    let head = &body[..body.find("</head>").unwrap()];
    let start = head
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD in head");
    let json = &head[start + 35..];
    let json = &json[..json.find("</script>").unwrap()];
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(value["@type"], "TechArticle");
    assert!(value["headline"].as_str().unwrap().contains("</script>"));
    assert!(!body.contains("alert('pwned')</script>"));
    assert!(!body.contains("<script setup"));
    assert!(!body.contains("v-html"));
    assert!(!body.contains("structuredData"));
}

#[test]
fn markdown_extensions_and_raw_html_render() {
    let site = Site::fixture("site");
    let server = site.serve();
    let body = server.get("/guide/setup").body;
    assert!(body.contains("<table>"));
    assert!(body.contains("type=\"checkbox\""));
    assert!(body.contains("<del>Old advice</del>"));
    assert!(body.contains("class=\"footnote-definition\""));
    assert!(body.contains("<div class=\"callout\">Raw <em>HTML</em> renders as HTML.</div>"));
    assert_eq!(server.get("/guide").status, 200);
    assert_eq!(server.get("/elsewhere/page").status, 200);
    let tar = server.get("/tar").body;
    assert!(
        tar.contains("<title>tar | folio</title>"),
        "title from the first heading"
    );
}

#[test]
fn unknown_paths_get_a_404_page_in_the_site_layout() {
    let site = Site::fixture("site");
    let server = site.serve();
    for path in [
        "/nope",
        "/502/extra",
        "/%2e%2e/Cargo.toml",
        "/%ff%fe",
        "/index.md.bak",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(response.body.contains("404 Not Found"), "{path}");
        assert!(
            response.body.contains("name=\"q\""),
            "{path}: no site layout"
        );
    }
    let echoed = server.get("/%3Cscript%3Ealert(1)%3C/script%3E");
    assert!(!echoed.body.contains("<script>alert(1)"));
    assert!(echoed.body.contains("&lt;script&gt;alert(1)"));
}

#[test]
fn trailing_slashes_and_md_suffixes_redirect_to_the_canonical_url() {
    let site = Site::fixture("site");
    let server = site.serve();
    for path in ["/502/", "/502.md", "/guide/"] {
        let response = server.get(path);
        assert_eq!(response.status, 308, "{path}");
        assert_eq!(
            response.header("location"),
            Some(path.trim_end_matches('/').trim_end_matches(".md"))
        );
    }
}

#[test]
fn json_search_ranks_the_right_page_first_with_marked_snippets() {
    let site = Site::fixture("site");
    let server = site.serve();
    let response = server.get(&format!(
        "/api/search?q={}",
        encode("upstream invalid response")
    ));
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let json = response.json();
    assert_eq!(json["query"], "upstream invalid response");
    assert!(json["took_ms"].as_f64().unwrap() >= 0.0);
    assert!(json["total"].as_u64().unwrap() >= 1);
    let first = &json["hits"][0];
    assert_eq!(first["url"], "/502");
    assert_eq!(first["title"], "502 Bad Gateway");
    let snippet = first["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>upstream</mark>"), "{snippet}");
    assert!(snippet.contains("<mark>invalid</mark>"), "{snippet}");
    assert!(first["score"].as_f64().unwrap() > 0.0);
}

#[test]
fn search_stems_words_and_weights_titles() {
    let site = Site::fixture("site");
    let server = site.serve();
    let json = server.get("/api/search?q=crashes").json();
    assert_eq!(json["hits"][0]["url"], "/502", "crashes finds crashed");
    let json = server.get("/api/search?q=timeout").json();
    assert_eq!(json["hits"][0]["url"], "/504");
    let json = server.get("/api/search?q=dead+link").json();
    assert_eq!(json["hits"][0]["url"], "/404", "keywords are searched");
}

#[test]
fn search_limits_are_checked() {
    let site = Site::fixture("site");
    let server = site.serve();
    for bad in ["abc", "0", "-1", "1.5", ""] {
        let response = server.get(&format!("/api/search?q=gateway&limit={bad}"));
        assert_eq!(response.status, 400, "limit={bad}");
        assert!(response.json()["error"].as_str().unwrap().contains("limit"));
    }
    let one = server.get("/api/search?q=the&limit=1").json();
    assert_eq!(one["hits"].as_array().unwrap().len(), 1);
    let huge = server.get("/api/search?q=the&limit=99999999999999999999");
    assert_eq!(huge.status, 400);
    let capped = server.get("/api/search?q=the&limit=5000");
    assert_eq!(capped.status, 200);
}

#[test]
fn odd_queries_never_fail() {
    let site = Site::fixture("site");
    let server = site.serve();
    let long = "gateway ".repeat(2_000);
    for query in [
        "\"",
        "(",
        ":",
        "title:502",
        "a AND OR NOT",
        "\"unbalanced phrase",
        "*",
        "~2",
        "[1 TO 5]",
        "😀 مرحبا",
        "\u{0}\u{1}",
        "",
        "   ",
        long.as_str(),
    ] {
        let response = server.get(&format!("/api/search?q={}", encode(query)));
        assert_eq!(response.status, 200, "query {query:?}: {}", response.body);
        assert!(response.json()["hits"].is_array());
    }
    let phrase = server
        .get(&format!("/api/search?q={}", encode("\"bad gateway\"")))
        .json();
    assert_eq!(phrase["hits"][0]["url"], "/502");
}

#[test]
fn html_search_works_without_javascript_and_escapes_the_query() {
    let site = Site::fixture("site");
    let server = site.serve();
    let response = server.get("/search?q=upstream+invalid+response");
    assert_eq!(response.status, 200);
    let body = &response.body;
    assert!(body.contains(
        "<a class=\"hit-title\" href=\"/502?highlight&#x3D;upstream%20invalid%20response#meaning\">502 Bad Gateway</a> <span class=\"hit-section\">› Meaning</span>"
    ), "{body}");
    assert!(body.contains("<mark>upstream</mark>"));
    let hostile = server.get(&format!(
        "/search?q={}",
        encode("<img src=x onerror=alert(1)>")
    ));
    assert_eq!(hostile.status, 200);
    assert!(!hostile.body.contains("<img src=x"));
    assert!(
        hostile
            .body
            .contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;")
    );
    let none = server.get("/search?q=zebra+quasar");
    assert!(none.body.contains("Nothing matches"));
    assert!(none.body.contains("<a href=\"/\">All pages</a>"));
    let typo = server.get("/search?q=zzqx+gatwey");
    assert!(typo.body.contains("Did you mean"), "{}", typo.body);
    assert!(
        typo.body
            .contains("<a href=\"/504\">504 Gateway Timeout</a>")
    );
    assert_eq!(server.get("/search").status, 200);
}

#[test]
fn health_assets_and_methods() {
    let site = Site::fixture("site");
    let server = site.serve();
    let health = server.get("/healthz").json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["pages"], 8);
    let home = server.get("/").body;
    for (suffix, kind) in [(".css\"", "text/css"), (".js\"", "text/javascript")] {
        let end = home.find(suffix).expect("asset linked") + suffix.len() - 1;
        let at = home[..end].rfind("/assets/folio.").expect("asset path");
        let url = &home[at..end];
        let asset = server.get(url);
        assert_eq!(asset.status, 200, "{url}");
        assert!(asset.header("content-type").unwrap().starts_with(kind));
        assert!(!asset.body.is_empty());
    }
    let post = request("POST", &server.url("/502"));
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let head = request("HEAD", &server.url("/502"));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[test]
fn a_stale_index_is_rebuilt_at_start() {
    let site = Site::fixture("site");
    let first = site.serve();
    assert_eq!(
        first.get("/api/search?q=flamingo").json()["hits"][0]["url"],
        "/guide/setup"
    );
    assert_eq!(first.get("/api/search?q=pelican").json()["total"], 0);
    drop(first);
    site.write("birds.md", "# Birds\n\nA pelican stands on one leg.\n");
    let second = site.serve();
    assert_eq!(
        second.get("/api/search?q=pelican").json()["hits"][0]["url"],
        "/birds"
    );
    assert_eq!(second.readyz()["index"], "rebuilt");
    drop(second);
    let third = site.serve();
    assert_eq!(third.readyz()["index"], "reused");
}

#[test]
fn a_broken_page_does_not_stop_the_site() {
    let site = Site::fixture("site");
    site.write(
        "broken.md",
        "---\n- a list\n- not a mapping\n---\n# Broken\n",
    );
    site.write("binary.md", "\u{0}\u{1}\u{2}");
    let server = site.serve();
    assert_eq!(server.get("/502").status, 200);
    assert_eq!(server.get("/broken").status, 404);
}

#[test]
fn the_seed_page_serves_with_its_unquoted_colon() {
    let Some(shared) = crate::support::shared() else {
        eprintln!("skipped: ../shared is not beside the repository");
        return;
    };
    let site = Site::fixture("site");
    std::fs::copy(
        shared.join("reference/seed-502.md"),
        site.content().join("502.md"),
    )
    .unwrap();
    let server = site.serve();
    let page = server.get("/502");
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<title>502 Bad Gateway - HTTP Status Code Explained | folio</title>")
    );
    assert!(
        page.body
            .contains("content=\"502 Bad Gateway: The server, while acting as a gateway or proxy")
    );
    assert!(page.body.contains("\"@type\":\"TechArticle\""));
    assert!(!page.body.contains("<script setup"));
    let hits = server.get("/api/search?q=upstream+invalid+response").json();
    assert_eq!(hits["hits"][0]["url"], "/502");
}

#[test]
fn suggestions_opensearch_and_facets_over_http() {
    let site = Site::fixture("site");
    let server = site.serve();
    let suggest = server.get("/api/suggest?q=gatew");
    assert_eq!(suggest.status, 200);
    assert_eq!(
        suggest.header("content-type"),
        Some("application/x-suggestions+json")
    );
    let json = suggest.json();
    assert_eq!(json[0], "gatew");
    let titles: Vec<&str> = json[1]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        titles.contains(&"502 Bad Gateway") && titles.contains(&"504 Gateway Timeout"),
        "{titles:?}"
    );
    assert_eq!(
        json[1].as_array().unwrap().len(),
        json[3].as_array().unwrap().len()
    );

    let xml = server.get("/opensearch.xml");
    assert_eq!(
        xml.header("content-type"),
        Some("application/opensearchdescription+xml")
    );
    assert!(xml.body.contains("/search?q={searchTerms}"));
    assert!(xml.body.contains("/api/suggest?q={searchTerms}"));
    assert!(
        server
            .get("/502")
            .body
            .contains("rel=\"search\" type=\"application/opensearchdescription+xml\"")
    );

    let all = server.get("/api/search?q=the+server").json();
    assert!(all["facets"]["class"]["4xx"].as_u64().unwrap() >= 1);
    assert!(all["facets"]["class"]["5xx"].as_u64().unwrap() >= 1);
    let filtered = server.get("/api/search?q=the+server&class=5xx").json();
    let urls: Vec<&str> = filtered["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["url"].as_str())
        .collect();
    assert!(
        !urls.is_empty() && urls.iter().all(|u| *u == "/502" || *u == "/504"),
        "{urls:?}"
    );
    assert_eq!(
        filtered["facets"], all["facets"],
        "facets count before filtering"
    );
}

#[test]
fn hostile_urls_get_4xx_never_5xx_nor_files() {
    let site = Site::fixture("site");
    let server = site.serve();
    let long = format!("/{}", "a".repeat(8_000));
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/%252e%252e/etc/passwd",
        "/502%00.md",
        "/%c0%ae%c0%ae/etc/passwd",
        "/index/meta.json",
        "/templates/layout.hbs",
        "/content/502.md",
        "/.git/config",
        "/assets/../Cargo.toml",
        long.as_str(),
    ] {
        let response = server.get(path);
        assert!(
            (400..500).contains(&response.status),
            "{path}: {}",
            response.status
        );
        assert!(
            !response.body.contains("[package]") && !response.body.contains("root:"),
            "{path}"
        );
    }
}

#[test]
fn odd_content_files_do_not_stop_the_site() {
    let site = Site::fixture("site");
    site.write("empty.md", "");
    site.write("bom.md", "\u{feff}# With a BOM\n\nText.\n");
    site.write("a/b/c/d/e/f/g/deep.md", "# Deep\n\nFar down.\n");
    site.write(
        "big.md",
        &format!(
            "# Big\n\n{}",
            "A long line of words about gateways. ".repeat(300_000)
        ),
    );
    std::fs::write(site.content().join("latin1.md"), b"# Caf\xe9\n").unwrap();
    // An 11 MB page, served when the size bound allows it.
    let server = Server::start(&site, &["--max-page-bytes", "16000000"]);
    assert_eq!(server.get("/502").status, 200);
    assert_eq!(server.get("/bom").status, 200);
    assert!(
        server
            .get("/bom")
            .body
            .contains("<title>With a BOM | folio</title>")
    );
    assert_eq!(server.get("/a/b/c/d/e/f/g/deep").status, 200);
    assert_eq!(server.get("/big").status, 200);
    assert_eq!(server.get("/latin1").status, 404);
    assert_eq!(server.get("/api/search?q=gateways").status, 200);
    let check = site.run(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    let printed = String::from_utf8_lossy(&check.stdout);
    assert!(
        printed.contains("latin1.md:1: error: not valid UTF-8"),
        "{printed}"
    );
    assert!(
        printed.contains("empty.md:1: warning: page is empty"),
        "{printed}"
    );
}

#[test]
fn pages_named_like_the_servers_own_routes_do_not_hide_them_and_every_request_is_logged() {
    let site = Site::fixture("site");
    for name in ["healthz", "search", "robots.txt"] {
        site.write(
            &format!("{name}.md"),
            &format!("# Shadow {name}\n\nA page.\n"),
        );
    }
    let mut server = Server::binary(&site, &[]);
    assert_eq!(server.get("/healthz").json()["status"], "ok");
    let search = server.get("/search?q=gateway");
    assert_eq!(search.status, 200);
    assert!(!search.body.contains("Shadow search"), "{}", search.body);
    assert!(server.get("/robots.txt").body.starts_with("User-agent: *"));
    let page = server.get("/502?highlight=gateway");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-frame-options"), Some("SAMEORIGIN"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let logged = |server: &mut crate::support::Server, path: &str| {
        server.logged().iter().any(|line| {
            line.contains("folio::access") && line.contains(&format!("path=\"{path}\""))
        })
    };
    while !(logged(&mut server, "/502") && logged(&mut server, "/healthz")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no access log lines: {:?}",
            server.logged()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn many_new_searches_at_once_are_all_answered() {
    let site = Site::fixture("site");
    let server = site.serve();
    let words = [
        "gateway", "upstream", "flamingo", "timeout", "proxy", "gatewy",
    ];
    let answers: Vec<(String, u16, serde_json::Value)> = std::thread::scope(|scope| {
        let asking: Vec<_> = (0..24)
            .map(|n| {
                let query = format!("{} {n}", words[n % words.len()]);
                let url = server.url(&format!("/api/search?q={}", encode(&query)));
                scope.spawn(move || {
                    let response = request("GET", &url);
                    (query, response.status, response.json())
                })
            })
            .collect();
        asking.into_iter().map(|a| a.join().unwrap()).collect()
    });
    for (query, status, json) in answers {
        assert_eq!(status, 200, "{query}");
        assert_eq!(json["query"], query.as_str());
    }
}
