//! The open internet: links and special files in the content, connections that say
//! nothing or stop reading, requests that ask for much, odd targets and hosts, and the
//! HTTP rules for codings and preconditions.

use crate::support::{DEADLINE, Server, Site, addr, encode, eventually, folio, get, raw};
use std::io::{Read, Write};
use std::net::TcpStream;

/// Whether the server closes `stream` (a read sees its end, or a reset) within the
/// deadline.
fn closed_by_server(mut stream: TcpStream) -> bool {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// The value of the metric named `name` (with its labels) in `/metrics`.
fn metric(server: &Server, name: &str) -> u64 {
    let text = server.get("/metrics").body;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(unix)]
#[test]
fn links_out_of_the_content_and_special_files_are_never_read() {
    let site = Site::fixture("site");
    let secret = site.dir.path().join("secret.txt");
    std::fs::write(&secret, "# Secret\n\nThe password is nologinzebra.\n").unwrap();
    let server = Server::start(&site, &["--watch", "native"]);
    let content = site.content();
    std::os::unix::fs::symlink(&secret, content.join("x.md")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", content.join("zero.md")).unwrap();
    std::os::unix::fs::symlink(content.join("502.md"), content.join("alias.md")).unwrap();
    let fifo =
        std::ffi::CString::new(content.join("pipe.md").as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    site.write("later.md", "# Later\n\nA heron.\n");
    eventually("the page written after them", || {
        server.get("/later").status == 200
    });
    assert_eq!(server.get("/x").status, 404, "a link out of the content");
    assert_eq!(server.get("/zero").status, 404, "a link to a device");
    assert_eq!(server.get("/pipe").status, 404, "a FIFO");
    assert_eq!(
        server.get("/alias").status,
        200,
        "a link inside the content"
    );
    let found = server.get("/api/search?q=nologinzebra").json();
    assert_eq!(found["total"], 0, "{found}");
    assert!(!server.get("/sitemap.xml").body.contains("/x<"));
    // Live reload still runs: an edit after them is applied.
    site.write("tar.md", "# tar\n\nNow about pelicans.\n");
    eventually("an edit after them", || {
        server.get("/api/search?q=pelicans").json()["total"] == 1
    });
    drop(server);
    let output = site.run(&["check"]);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains("x.md:1: error: symbolic link to"),
        "{printed}"
    );
    assert!(
        printed.contains("pipe.md:1: error: a special file"),
        "{printed}"
    );
}

#[test]
fn a_page_over_the_size_bound_is_an_error_and_not_served() {
    let site = Site::fixture("site");
    site.write("huge.md", &format!("# Huge\n\n{}\n", "word ".repeat(8_000)));
    let output = folio()
        .args(["check", "--max-page-bytes", "20000", "--content"])
        .arg(site.content())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert!(printed.contains("huge.md:1: error: file is"), "{printed}");
    let server = Server::start(&site, &["--max-page-bytes", "20000"]);
    assert_eq!(server.get("/huge").status, 404);
    assert_eq!(server.get("/502").status, 200);
}

#[test]
fn connections_that_say_nothing_are_closed() {
    let site = Site::fixture("site");
    let server = Server::start(
        &site,
        &["--header-timeout-ms", "300", "--idle-timeout-ms", "300"],
    );
    let address = addr(&server);
    for opening in [
        &b""[..],
        b"G",
        b"GET / HTTP/1.1\r\nHost: x",
        b"PRI * HTTP/2.0\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ] {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.write_all(opening).unwrap();
        assert!(closed_by_server(stream), "{opening:?} left open");
    }
    // hyper's own header timeout may close the one that began a request first.
    let silent = metric(
        &server,
        "folio_connections_closed_total{reason=\"no_request\"}",
    );
    assert!(silent >= 4, "{silent} closed for sending no request");
    // A kept-alive connection is closed once idle.
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    assert!(closed_by_server(stream), "an idle keep-alive connection");
}

#[test]
fn a_client_that_stops_reading_is_let_go() {
    let site = Site::fixture("site");
    // Larger than what the sockets' buffers hold on both sides.
    let paragraph = "Many words fill this page so that its answer outgrows every buffer. ";
    let copies = 300_000;
    site.write(
        "long.md",
        &format!("# Long\n\n{}\n", paragraph.repeat(copies)),
    );
    let server = Server::start(
        &site,
        &["--send-timeout-ms", "300", "--max-page-bytes", "64000000"],
    );
    let mut stream = TcpStream::connect(addr(&server)).unwrap();
    stream
        .write_all(b"GET /long HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    // Nothing is read until the server gives up on the client; then all there is.
    let closed = "folio_connections_closed_total{reason=\"not_reading\"}";
    eventually("the server to give up on the client", || {
        metric(&server, closed) == 1
    });
    let mut received = Vec::new();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let _ = stream.read_to_end(&mut received);
    let length = paragraph.len() * copies;
    assert!(
        received.len() < length,
        "the whole page was sent: {}",
        received.len()
    );
    assert_eq!(server.get("/502").status, 200);
}

#[cfg(unix)]
#[test]
fn silent_connections_cannot_use_up_the_file_handles() {
    use std::os::unix::process::CommandExt;
    let site = Site::fixture("site");
    let mut limited = folio();
    // 200 handles: the cap is derived from them, with a reserve.
    unsafe {
        limited.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 200,
                rlim_max: 200,
            };
            match libc::setrlimit(libc::RLIMIT_NOFILE, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let mut server = Server::start_command(limited, &site, &["--no-watch"]);
    let silent: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(addr(&server)).ok())
        .collect();
    assert!(silent.len() > 200, "the connections were made");
    for _ in 0..5 {
        assert_eq!(
            server.get("/healthz").status,
            200,
            "another client is served"
        );
    }
    let exhausted = server
        .logged()
        .iter()
        .filter(|line| line.contains("accepting connections fails"))
        .count();
    assert!(
        exhausted <= 1,
        "handle exhaustion is logged once per interval"
    );
    drop(silent);
}

#[test]
fn a_long_query_gets_a_bounded_answer_compressed() {
    let site = Site::fixture("site");
    let server = Server::start(&site, &[]);
    let query = "gateway ".repeat(4 * 1024);
    let path = format!("/search?q={}", encode(&query));
    let plain = get(&server, &path, &[]);
    assert_eq!(plain.status, 200);
    assert!(
        plain.body.len() < path.len() / 2,
        "{} bytes answer a {}-byte request",
        plain.body.len(),
        path.len()
    );
    let compressed = get(&server, &path, &["Accept-Encoding: gzip"]);
    assert_eq!(compressed.header("content-encoding"), Some("gzip"));
    assert!(compressed.body.len() < plain.body.len() / 2);
    let api = get(&server, &format!("/api/search?q={}", encode(&query)), &[]);
    assert!(api.body.len() < 16 * 1024, "{}", api.body.len());
}

#[test]
fn a_big_page_is_made_once_off_the_request_threads() {
    let site = Site::fixture("site");
    let paragraph = "A paragraph of a very long page, repeated to make it large. ";
    site.write(
        "big.md",
        &format!("# Big\n\n{}\n", paragraph.repeat(50_000)),
    );
    let server = Server::start(&site, &[]);
    let address = addr(&server);
    let big: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(address).unwrap();
                stream
                    .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
                    .unwrap();
                let mut bytes = Vec::new();
                let _ = stream.read_to_end(&mut bytes);
                bytes.len()
            })
        })
        .collect();
    for _ in 0..20 {
        assert_eq!(server.get("/502").status, 200);
    }
    for request in big {
        assert!(request.join().unwrap() > 1000);
    }
    let first = get(&server, "/big", &["Accept-Encoding: gzip"]);
    let again = get(&server, "/big", &["Accept-Encoding: gzip"]);
    assert_eq!(first.header("etag"), again.header("etag"), "one rendering");
    assert_eq!(first.body, again.body);
}

#[test]
fn odd_targets_and_hosts_are_refused_by_the_rules() {
    let site = Site::fixture("site");
    let server = Server::start(&site, &[]);
    let status = |request: &str| raw(&server, request.as_bytes()).status;
    assert_eq!(
        status("GET x:1 HTTP/1.1\r\nHost: x\r\n\r\n"),
        400,
        "authority-form"
    );
    assert_eq!(
        status("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"),
        400,
        "asterisk-form"
    );
    assert_eq!(
        status("GET /502 HTTP/1.1\r\nConnection: close\r\n\r\n"),
        400,
        "no Host"
    );
    assert_eq!(
        status("GET /502 HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n"),
        400,
        "two Hosts"
    );
    assert_eq!(
        status("GET /502 HTTP/1.1\r\nHost: a@b\r\nConnection: close\r\n\r\n"),
        400,
        "not a host"
    );
    assert_eq!(
        status("GET /502 HTTP/1.0\r\n\r\n"),
        200,
        "HTTP/1.0 needs no Host"
    );
    let long = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    assert_eq!(status(&long), 414);
    let huge = format!(
        "GET /{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    assert_eq!(status(&huge), 414);
    let sitemap = raw(
        &server,
        b"GET http://docs.example.org/sitemap.xml HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    let xml = String::from_utf8_lossy(&sitemap.body);
    assert!(
        xml.contains("http://docs.example.org/502"),
        "the target's authority wins"
    );
    assert!(!xml.contains("evil.example"));
    assert_eq!(sitemap.header("cache-control"), Some("private, no-cache"));
    let head = raw(
        &server,
        b"HEAD /502/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(head.status, 308);
    assert_eq!(head.header("content-length"), Some("0"));
}

#[test]
fn the_host_is_not_kept_by_shared_caches_unless_site_url_is_set() {
    let site = Site::fixture("site");
    let server = Server::start(&site, &["--site-url", "https://docs.example.com"]);
    for path in ["/sitemap.xml", "/robots.txt", "/opensearch.xml"] {
        let answer = get(&server, path, &["Host: evil.example"]);
        assert!(
            !String::from_utf8_lossy(&answer.body).contains("evil"),
            "{path}"
        );
        assert!(
            answer
                .header("cache-control")
                .is_some_and(|c| c.starts_with("max-age") && !c.contains("private")),
            "{path}"
        );
    }
}

#[test]
fn each_coding_has_its_tag_and_refusals_are_honoured() {
    let site = Site::fixture("site");
    let server = Server::start(&site, &[]);
    let tag = |accept: &str| {
        let header = format!("Accept-Encoding: {accept}");
        let answer = get(&server, "/502", &[&header]);
        (
            answer.header("content-encoding").map(String::from),
            answer.header("etag").unwrap_or_default().to_string(),
        )
    };
    let (none, plain) = tag("identity");
    let (gzip, zipped) = tag("gzip");
    let (brotli, squeezed) = tag("br");
    assert_eq!(
        (none, gzip.as_deref(), brotli.as_deref()),
        (None, Some("gzip"), Some("br"))
    );
    assert!(plain != zipped && zipped != squeezed && plain != squeezed);
    assert_eq!(
        tag("br;q=0, *").0.as_deref(),
        Some("gzip"),
        "a refusal beats *"
    );
    assert_eq!(tag("gzip;Q=0").0, None, "Q is q");
    assert_eq!(
        tag("br;q=inf, gzip").0.as_deref(),
        Some("gzip"),
        "an invalid weight"
    );
    let if_none = format!("If-None-Match: {zipped}");
    assert_eq!(
        get(&server, "/502", &["Accept-Encoding: gzip", &if_none]).status,
        304
    );
    assert_eq!(
        get(&server, "/502", &[&if_none]).status,
        200,
        "another coding's tag"
    );
    assert_eq!(get(&server, "/502", &["If-Match: \"nope\""]).status, 412);
    let if_match = format!("If-Match: {plain}");
    assert_eq!(get(&server, "/502", &[&if_match]).status, 200);
    assert_eq!(
        get(
            &server,
            "/502",
            &["If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT"]
        )
        .status,
        412
    );
}

#[test]
fn metrics_can_leave_the_public_address() {
    let site = Site::fixture("site");
    let off = Server::start(&site, &["--metrics-addr", "off"]);
    assert_eq!(off.get("/metrics").status, 404);
    drop(off);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics = listener.local_addr().unwrap();
    drop(listener);
    let metrics_addr = metrics.to_string();
    let apart = Server::start(&site, &["--metrics-addr", &metrics_addr]);
    assert_eq!(apart.get("/metrics").status, 404);
    assert_eq!(apart.get("/502").status, 200);
    let scraped = crate::support::request("GET", &format!("http://{metrics}/metrics"));
    assert_eq!(scraped.status, 200);
    assert!(
        scraped.body.contains("folio_requests_total"),
        "{}",
        scraped.body
    );
}

#[test]
fn parser_errors_are_counted_and_logged() {
    let site = Site::fixture("site");
    let mut server = Server::binary(&site, &["--no-watch"]);
    let bad = raw(&server, b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(bad.status, 400);
    let metrics = server.get("/metrics").body;
    assert!(
        metrics.contains("folio_requests_total{route=\"invalid\",status=\"400\"} 1"),
        "{metrics}"
    );
    eventually("the access log line", || {
        server
            .logged()
            .iter()
            .any(|line| line.contains("folio::access") && line.contains("status=400"))
    });
}
