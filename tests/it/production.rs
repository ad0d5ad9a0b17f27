//! Production behaviour: configuration layers, HTTP caching and compression, security
//! headers, sitemap, robots, page metadata, readiness and read-only replicas.

use crate::support::{Server, Site, folio, request};
use std::io::{Read, Write};

/// Sends a raw HTTP/1.1 GET and returns the status line and headers as text (no body
/// decoding, so `Content-Encoding` is seen as sent).
fn raw(server: &Server, path: &str, headers: &[(&str, &str)]) -> String {
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    text.split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_string()
}

fn header_of(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim().to_string())
}

#[test]
fn configuration_layers_apply_in_order_and_unknown_keys_are_named() {
    let site = Site::fixture("site");
    let file = site.dir.path().join("folio.toml");
    std::fs::write(
        &file,
        "title = \"From file\"\naddr = \"127.0.0.1:1\"\nfacets = [\"class\", \"status\"]\n",
    )
    .unwrap();
    let output = folio()
        .args(["config", "--config"])
        .arg(&file)
        .args(["--addr", "127.0.0.1:3"])
        .env("FOLIO_ADDR", "127.0.0.1:2")
        .env("FOLIO_SITE_URL", "https://docs.example")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed: toml::Table = String::from_utf8_lossy(&output.stdout).parse().unwrap();
    assert_eq!(
        printed["addr"].as_str(),
        Some("127.0.0.1:3"),
        "flag beats env"
    );
    assert_eq!(
        printed["site_url"].as_str(),
        Some("https://docs.example"),
        "env beats default"
    );
    assert_eq!(
        printed["title"].as_str(),
        Some("From file"),
        "file beats default"
    );
    assert_eq!(printed["index"].as_str(), Some("index"), "default");

    std::fs::write(&file, "titel = \"typo\"\n").unwrap();
    let output = folio()
        .args(["config", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown key `titel`"));
    let output = folio()
        .args(["config"])
        .env("FOLIO_WATCHING", "yes")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("environment: unknown key `watching`")
    );
}

#[test]
fn pages_are_compressed_cached_and_validated() {
    let site = Site::fixture("site");
    let server = site.serve();
    let url = server.url("/502");
    // Each coding has its own tag: this is the uncompressed one's.
    let plain = raw(&server, "/502", &[]);
    let etag = header_of(&plain, "etag").expect("etag");
    let plain = request("GET", &url);
    assert!(plain.header("last-modified").is_some());
    assert!(plain.header("cache-control").unwrap().contains("max-age"));
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
    for (accept, coding) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("gzip, br", Some("br")),
        ("br;q=0", None),
    ] {
        let response = raw(&server, "/502", &[("Accept-Encoding", accept)]);
        assert_eq!(
            header_of(&response, "content-encoding").as_deref(),
            coding,
            "Accept-Encoding: {accept}"
        );
    }
    let again = raw(&server, "/502", &[("If-None-Match", &etag)]);
    assert!(again.starts_with("HTTP/1.1 304"), "{again}");
    let head = request("HEAD", &url);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("etag"), plain.header("etag"), "HEAD as GET");
}

#[test]
fn every_response_carries_security_headers() {
    let site = Site::fixture("site");
    let server = site.serve();
    for path in ["/", "/502", "/nope", "/api/search?q=x", "/search?q=x"] {
        let response = server.get(path);
        let csp = response
            .header("content-security-policy")
            .unwrap_or_default()
            .to_string();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors"), "{path}");
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(response.header("referrer-policy").is_some(), "{path}");
    }
    let page = server.get("/502").body;
    let inline_scripts = page
        .split("<script")
        .skip(1)
        .filter(|tag| {
            !tag.starts_with(" src=") && !tag.starts_with(" type=\"application/ld+json\"")
        })
        .count();
    assert_eq!(
        inline_scripts, 0,
        "no inline script may need 'unsafe-inline'"
    );
}

#[test]
fn sitemap_robots_metadata_and_readiness() {
    let site = Site::fixture("site");
    let server = Server::start(&site, &["--site-url", "https://docs.example"]);
    let sitemap = server.get("/sitemap.xml");
    assert_eq!(sitemap.status, 200);
    assert!(
        sitemap
            .header("content-type")
            .unwrap()
            .starts_with("application/xml")
    );
    assert!(
        sitemap
            .body
            .contains("<loc>https://docs.example/502</loc><lastmod>")
    );
    assert!(
        sitemap
            .body
            .contains("<loc>https://docs.example/guide/setup</loc>")
    );
    let robots = server.get("/robots.txt");
    assert!(
        robots
            .body
            .contains("Sitemap: https://docs.example/sitemap.xml")
    );
    let page = server.get("/502").body;
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://example.test/502\">"),
        "absolute canonicals stay"
    );
    let about = server.get("/404").body;
    assert!(
        !about.contains("rel=\"canonical\" href=\"/"),
        "relative canonicals are made absolute"
    );
    let metadata = server.get("/502.json");
    assert_eq!(metadata.status, 200);
    let json = metadata.json();
    assert_eq!(json["url"], "/502");
    assert_eq!(json["heading"], "502 Bad Gateway");
    assert_eq!(json["frontmatter"]["class"], "5xx");
    assert_eq!(json["headings"][1]["id"], "meaning");
    assert_eq!(server.get("/nope.json").status, 404);
    let ready = server.get("/readyz").json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["indexed"], 8);
}

#[test]
fn read_only_replicas_serve_a_prebuilt_index_without_writing() {
    let site = Site::fixture("site");
    let missing = folio()
        .args(["serve", "--read-only", "--addr", "127.0.0.1:0", "--content"])
        .arg(site.content())
        .arg("--index")
        .arg(site.index())
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("build it with `folio index`"));
    assert!(site.run(&["index"]).status.success());
    let before = std::fs::read_to_string(site.index().join("meta.json")).unwrap();
    // The index now names a page the content no longer has.
    std::fs::remove_file(site.content().join("guide/setup.md")).unwrap();
    let server = Server::start(&site, &["--read-only"]);
    assert_eq!(
        server.get("/api/search?q=invalid").json()["hits"][0]["url"],
        "/502"
    );
    let stale = server.get("/api/search?q=flamingo");
    assert_eq!(stale.status, 200);
    let hit = &stale.json()["hits"][0];
    assert_eq!(hit["url"], "/guide/setup");
    assert_eq!(
        (&hit["anchor"], &hit["href"]),
        (&"".into(), &"/guide/setup".into()),
        "no section of a page not held"
    );
    assert!(
        !server.get("/502").body.contains("livereload"),
        "no watching when read-only"
    );
    site.write("late.md", "# Late\n\nAn ocelot.\n");
    assert_eq!(server.get("/late").status, 404);
    drop(server);
    assert_eq!(
        std::fs::read_to_string(site.index().join("meta.json")).unwrap(),
        before
    );
}

#[test]
fn everything_is_served_under_a_base_path() {
    let site = Site::fixture("site");
    let server = Server::start(&site, &["--base-path", "/docs/"]);
    let home = server.get("/docs/");
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("href=\"/docs/502\""),
        "home links carry the base path"
    );
    assert!(home.body.contains("action=\"/docs/search\""));
    assert!(home.body.contains("data-base=\"/docs\""));
    assert_eq!(server.get("/docs").status, 200);
    let page = server.get("/docs/502");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<a href=\"/docs/504\">504</a>"),
        "content links are rebased"
    );
    let css = page
        .body
        .split("href=\"")
        .find(|s| s.starts_with("/docs/assets/folio."))
        .unwrap();
    let css = &css[..css.find('"').unwrap()];
    assert_eq!(server.get(css).status, 200, "{css}");
    let hits = server.get("/docs/api/search?q=upstream+invalid").json();
    assert_eq!(hits["hits"][0]["url"], "/docs/502");
    assert_eq!(hits["hits"][0]["href"], "/docs/502#meaning");
    assert_eq!(hits["hits"][0]["anchor"], "meaning");
    let again = server.get("/docs/api/search?q=upstream+invalid").json();
    assert_eq!(again["hits"], hits["hits"], "the cached answer is the same");
    assert_eq!(again["facets"], hits["facets"]);
    assert_eq!(
        (&again["query"], &again["total"]),
        (&hits["query"], &hits["total"])
    );
    assert!(again["took_ms"].as_f64().is_some());
    assert!(
        server
            .get("/docs/search?q=invalid")
            .body
            .contains("href=\"/docs/502?highlight")
    );
    let redirect = server.get("/docs/502/");
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/docs/502"));
    assert_eq!(
        server.get("/502").status,
        404,
        "nothing outside the base path"
    );
    let events = ureq::get(&server.url("/docs/__livereload")).call().unwrap();
    assert_eq!(events.status().as_u16(), 200);
    drop(events);
    assert!(
        server
            .get("/docs/sitemap.xml")
            .body
            .contains("/docs/guide/setup</loc>")
    );
}

#[test]
fn metrics_count_requests_and_searches_and_report_lists_empty_searches() {
    let site = Site::fixture("site");
    let log = site.dir.path().join("zero.log");
    let log_flag = log.display().to_string();
    let server = Server::start(&site, &["--query-log", &log_flag]);
    assert_eq!(server.get("/502").status, 200);
    assert_eq!(server.get("/nope").status, 404);
    for query in ["gateway", "Zebra  Quasar", "zebra quasar", "xylophone"] {
        assert_eq!(
            server
                .get(&format!("/api/search?q={}", crate::support::encode(query)))
                .status,
            200
        );
    }
    let metrics = server.get("/metrics");
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.body;
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|line| line.starts_with(name) && !line.starts_with('#'))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in\n{text}"))
    };
    assert_eq!(
        value("folio_requests_total{route=\"page\",status=\"200\"}"),
        1.0
    );
    assert_eq!(
        value("folio_requests_total{route=\"page\",status=\"404\"}"),
        1.0
    );
    assert_eq!(value("folio_searches_total"), 4.0);
    assert_eq!(value("folio_zero_result_searches_total"), 3.0);
    assert_eq!(value("folio_pages"), 8.0);
    assert!(value("folio_request_duration_seconds_count") >= 6.0);
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (_, number) = line.rsplit_once(' ').expect("name value");
        assert!(number.parse::<f64>().is_ok(), "not a sample: {line}");
    }
    drop(server);
    let report = folio()
        .args(["report", "--query-log", &log_flag])
        .output()
        .unwrap();
    assert!(report.status.success());
    let printed = String::from_utf8_lossy(&report.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines[1], "2\tzebra quasar", "{printed}");
    assert_eq!(lines[2], "1\txylophone", "{printed}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(!logged.contains("127.0.0.1"), "no personal data in the log");
}

#[test]
fn a_client_too_slow_to_send_its_headers_is_cut_off() {
    let site = Site::fixture("site");
    let server = site.serve();
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buffer = [0u8; 64];
    let read = stream.read(&mut buffer).unwrap_or(0);
    assert_eq!(read, 0, "the connection is closed without a response");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(server.get("/502").status, 200, "others are still served");
}

#[test]
fn sigterm_ends_open_event_streams_and_exits_cleanly() {
    let site = Site::fixture("site");
    let server = Server::binary(&site, &[]);
    let events = ureq::get(&server.url("/__livereload")).call().unwrap();
    let reader = std::thread::spawn(move || {
        let mut body = String::new();
        let _ = events.into_body().into_reader().read_to_string(&mut body);
    });
    let status = server.terminate();
    assert!(status.success(), "{status}");
    reader.join().unwrap();
}
