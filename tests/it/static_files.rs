//! Files beside the pages: images, PDFs, videos and the public folder, their types,
//! validators, ranges, codings and cache rules; what must never be served; and live
//! reload hearing of them.

use crate::support::{Raw, Server, Site, get, raw};
use crate::watch::{expect_event, listen};

/// Bytes that are not text, of `len` bytes, different from one offset to the next.
fn binary(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// A site with files beside its pages, and a public folder.
fn site_with_files() -> Site {
    let site = Site::fixture("site");
    let content = site.content();
    let put = |relative: &str, bytes: &[u8]| {
        let path = content.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    put("guide/img/a.png", &binary(3000));
    put(
        "guide/diagram.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    put("guide/manual.pdf", &binary(5000));
    put("media/clip.mp4", &binary(4000));
    put("media/blob.qqq", &binary(100));
    put(
        "styles/site.css",
        "p { margin: 0 }\n".repeat(200).as_bytes(),
    );
    put("js/app.3f2a9c1b.js", b"console.log(1);\n");
    put("js/index-BX4k2f9a.js", b"console.log(2);\n");
    put("js/diagrams.js", b"console.log(3);\n");
    put("public/logo.png", b"public logo");
    put("logo.png", b"content logo");
    site
}

fn header<'a>(answer: &'a Raw, name: &str) -> &'a str {
    answer
        .header(name)
        .unwrap_or_else(|| panic!("no {name} header"))
}

#[test]
fn files_have_types_validators_and_cache_rules() {
    let site = site_with_files();
    let server = site.serve();
    for (path, media) in [
        ("/guide/img/a.png", "image/png"),
        ("/guide/diagram.svg", "image/svg+xml"),
        ("/guide/manual.pdf", "application/pdf"),
        ("/styles/site.css", "text/css; charset=utf-8"),
        ("/media/clip.mp4", "video/mp4"),
        ("/media/blob.qqq", "application/octet-stream"),
    ] {
        let answer = get(&server, path, &[]);
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(header(&answer, "content-type"), media, "{path}");
        assert_eq!(header(&answer, "x-content-type-options"), "nosniff");
        assert_eq!(header(&answer, "accept-ranges"), "bytes", "{path}");
        assert!(
            header(&answer, "etag").starts_with('"'),
            "{path}: a strong tag"
        );
        assert!(answer.header("last-modified").is_some(), "{path}");
    }
    let png = get(&server, "/guide/img/a.png", &[]);
    assert_eq!(png.body, binary(3000));
    assert_eq!(header(&png, "content-length"), "3000");

    let svg = get(&server, "/guide/diagram.svg", &[]);
    let policy = header(&svg, "content-security-policy");
    assert!(policy.starts_with("sandbox"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(
        !header(&png, "content-security-policy").contains("sandbox"),
        "only active files are sandboxed"
    );

    let immutable = "public, max-age=31536000, immutable";
    for path in ["/js/app.3f2a9c1b.js", "/js/index-BX4k2f9a.js"] {
        assert_eq!(header(&get(&server, path, &[]), "cache-control"), immutable);
    }
    for path in ["/js/diagrams.js", "/guide/img/a.png"] {
        let rule = get(&server, path, &[]);
        assert_eq!(
            header(&rule, "cache-control"),
            "max-age=60, must-revalidate"
        );
    }
}

#[test]
fn the_public_folder_is_served_at_the_root_before_the_content() {
    let site = site_with_files();
    let server = site.serve();
    assert_eq!(get(&server, "/logo.png", &[]).body, b"public logo");
    assert_eq!(
        get(&server, "/public/logo.png", &[]).status,
        404,
        "the public folder is served at the root only"
    );
    assert_eq!(get(&server, "/nothing.png", &[]).status, 404);
}

#[test]
fn a_current_copy_is_not_sent_again() {
    let site = site_with_files();
    let server = site.serve();
    for path in ["/guide/img/a.png", "/styles/site.css"] {
        let first = get(&server, path, &[]);
        let tag = header(&first, "etag").to_string();
        let date = header(&first, "last-modified").to_string();
        let again = get(&server, path, &[&format!("If-None-Match: {tag}")]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(header(&again, "etag"), tag);
        let since = get(&server, path, &[&format!("If-Modified-Since: {date}")]);
        assert_eq!(since.status, 304, "{path}");
        let other = get(&server, path, &["If-None-Match: \"other\""]);
        assert_eq!(other.status, 200, "{path}");
        let failed = get(&server, path, &["If-Match: \"other\""]);
        assert_eq!(failed.status, 412, "{path}");
        let old = "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT";
        assert_eq!(get(&server, path, &[old]).status, 412, "{path}");
    }
}

#[test]
fn byte_ranges_are_answered_exactly() {
    let site = site_with_files();
    let server = site.serve();
    let whole = binary(5000);
    let path = "/guide/manual.pdf";

    let part = get(&server, path, &["Range: bytes=100-199"]);
    assert_eq!(part.status, 206);
    assert_eq!(header(&part, "content-range"), "bytes 100-199/5000");
    assert_eq!(header(&part, "content-length"), "100");
    assert_eq!(part.body, &whole[100..200]);

    let from = get(&server, path, &["Range: bytes=4990-"]);
    assert_eq!(from.status, 206);
    assert_eq!(from.body, &whole[4990..]);

    let suffix = get(&server, path, &["Range: bytes=-10"]);
    assert_eq!(suffix.status, 206);
    assert_eq!(header(&suffix, "content-range"), "bytes 4990-4999/5000");
    assert_eq!(suffix.body, &whole[4990..]);

    let beyond = get(&server, path, &["Range: bytes=5000-"]);
    assert_eq!(beyond.status, 416);
    assert_eq!(header(&beyond, "content-range"), "bytes */5000");
    assert!(beyond.body.is_empty());

    let tag = header(&part, "etag").to_string();
    let current = get(
        &server,
        path,
        &["Range: bytes=0-9", &format!("If-Range: {tag}")],
    );
    assert_eq!(current.status, 206);
    assert_eq!(current.body, &whole[..10]);
    let stale = get(&server, path, &["Range: bytes=0-9", "If-Range: \"older\""]);
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, whole);

    let several = get(&server, path, &["Range: bytes=0-1, 10-11"]);
    assert_eq!(several.status, 200, "several ranges get the whole file");
    assert_eq!(several.body, whole);

    // A range of a type that compresses is sent as it is, not compressed.
    let css = get(
        &server,
        "/styles/site.css",
        &["Range: bytes=0-3", "Accept-Encoding: gzip"],
    );
    assert_eq!(css.status, 206);
    assert_eq!(css.body, b"p { ");
    assert!(css.header("content-encoding").is_none());
}

#[test]
fn head_says_what_get_would_send_without_a_body() {
    let site = site_with_files();
    let server = site.serve();
    for (path, len) in [("/guide/manual.pdf", "5000"), ("/styles/site.css", "3200")] {
        let request =
            format!("HEAD {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        let head = raw(&server, request.as_bytes());
        assert_eq!(head.status, 200, "{path}");
        assert_eq!(header(&head, "content-length"), len, "{path}");
        assert!(head.body.is_empty(), "{path}");
        assert!(head.header("etag").is_some(), "{path}");
    }
}

#[test]
fn only_types_that_gain_are_compressed_and_large_files_stream() {
    let site = site_with_files();
    let big_css = "a { color: red }\n".repeat(80_000);
    site.write("styles/big.css", &big_css);
    let video = binary(3 * 1024 * 1024 + 17);
    std::fs::write(site.content().join("media/long.mp4"), &video).unwrap();
    let server = site.serve();
    let gzip = "Accept-Encoding: gzip";

    let css = get(&server, "/styles/site.css", &[gzip]);
    assert_eq!(header(&css, "content-encoding"), "gzip");
    assert!(header(&css, "etag").ends_with("-gzip\""));
    assert!(css.body.len() < 3200);

    let png = get(&server, "/guide/img/a.png", &[gzip]);
    assert!(png.header("content-encoding").is_none());
    assert_eq!(png.body, binary(3000));

    // Larger than the bound of what is read whole: sent as it is, whole and exact.
    assert!(big_css.len() > 1024 * 1024);
    let big = get(&server, "/styles/big.css", &[gzip]);
    assert_eq!(big.status, 200);
    assert!(big.header("content-encoding").is_none());
    assert_eq!(header(&big, "content-length"), big_css.len().to_string());
    assert_eq!(big.body, big_css.as_bytes());

    let long = get(&server, "/media/long.mp4", &[gzip]);
    assert_eq!(long.status, 200);
    assert!(long.header("content-encoding").is_none());
    assert_eq!(header(&long, "content-length"), video.len().to_string());
    assert!(long.body == video, "the streamed bytes are the file's");
}

#[test]
fn nothing_outside_hidden_or_too_large_is_served() {
    let site = site_with_files();
    let secret = "SECRET-9f1c0e";
    std::fs::write(site.dir.path().join("secret.txt"), secret).unwrap();
    site.write(".env", secret);
    site.write(".git/config", secret);
    site.write("guide/.hidden.png", secret);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        site.dir.path().join("secret.txt"),
        site.content().join("leak.txt"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(site.dir.path(), site.content().join("up")).unwrap();
    std::fs::write(site.content().join("media/huge.bin"), binary(2000)).unwrap();
    let server = Server::start(&site, &["--max-file-bytes", "1500"]);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/guide/..%2f..%2fsecret.txt",
        "/a/..%2f..%2f..%2fsecret.txt",
        "/guide%5c..%5c..%5csecret.txt",
        "/secret.txt%00.png",
        "//secret.txt",
        "/leak.txt",
        "/up/secret.txt",
        "/.env",
        "/.git/config",
        "/%2egit/config",
        "/guide/.hidden.png",
        "/media/huge.bin",
    ] {
        let answer = get(&server, path, &[]);
        assert!(
            matches!(answer.status, 400 | 404),
            "{path}: {}",
            answer.status
        );
        let body = String::from_utf8_lossy(&answer.body);
        assert!(!body.contains(secret), "{path} leaked the file");
    }
    let small = get(&server, "/media/blob.qqq", &[]);
    assert_eq!(small.status, 200, "a file under the bound is served");
}

#[test]
fn markdown_sources_are_pages_never_raw_files() {
    let site = site_with_files();
    site.write(
        "drafts/idea.mdx",
        "import X from './x'\n\n# Idea\n\n<X>SECRET-DRAFT</X>\n",
    );
    let server = site.serve();
    let page = get(&server, "/502.md", &[]);
    assert_eq!(page.status, 308, "a page's source redirects to the page");
    let draft = get(&server, "/drafts/idea.mdx", &[]);
    assert_eq!(draft.status, 308, "an MDX source redirects to its page too");
    assert!(!String::from_utf8_lossy(&draft.body).contains("import X"));
    let served = get(&server, "/drafts/idea", &[]);
    assert_eq!(served.status, 200);
    let body = String::from_utf8_lossy(&served.body);
    assert!(
        body.contains("SECRET-DRAFT"),
        "the text between component tags is kept"
    );
    assert!(!body.contains("import X") && !body.contains("<X>"));
}

fn files_reach_the_reload_stream(mode: &[&str]) {
    let site = site_with_files();
    let server = Server::start(&site, mode);
    let events = listen(&server);

    std::fs::write(site.content().join("guide/img/new.png"), binary(64)).unwrap();
    let event = expect_event(&events, "for the added image", |e| {
        e["files"]
            .as_array()
            .is_some_and(|files| files.contains(&serde_json::json!("/guide/img/new.png")))
    });
    assert_eq!(event["changed"], serde_json::json!([]));
    assert_eq!(get(&server, "/guide/img/new.png", &[]).body, binary(64));

    std::fs::write(site.content().join("guide/img/a.png"), binary(10)).unwrap();
    expect_event(&events, "for the changed image", |e| {
        e["files"]
            .as_array()
            .is_some_and(|files| files.contains(&serde_json::json!("/guide/img/a.png")))
    });

    std::fs::write(site.content().join("public/logo.png"), b"new logo").unwrap();
    expect_event(&events, "for the public file at its root URL", |e| {
        e["files"]
            .as_array()
            .is_some_and(|files| files.contains(&serde_json::json!("/logo.png")))
    });
}

#[test]
fn added_and_changed_files_reach_the_reload_stream() {
    files_reach_the_reload_stream(&[]);
}

#[test]
fn added_and_changed_files_reach_the_reload_stream_when_polling() {
    files_reach_the_reload_stream(&["--poll"]);
}
