//! Files that pages include, as mdBook, VitePress and Material for MkDocs write it:
//! served and searched as part of the page, refused outside the content, reported by
//! `folio check` at their line, and live: an edit to an included file re-renders and
//! re-indexes every page that includes it.

use crate::support::{Server, Site, eventually};
use crate::watch::{expect_event, listen};

const CODE: &str = "fn main() {\n    // ANCHOR: greet\n    println!(\"hello quokka\");\n    // ANCHOR_END: greet\n}\n";

fn book() -> Site {
    Site::of_files(&[
        ("book.toml", "[book]\ntitle = \"Included\"\n"),
        ("src/SUMMARY.md", "- [One](one.md)\n- [Two](two.md)\n"),
        (
            "src/one.md",
            "# One\n\n{{#include shared/note.md}}\n\n```rust\n{{#include code/main.rs:greet}}\n```\n",
        ),
        (
            "src/two.md",
            "{{#title Second page}}\n# Two\n\n{{#include shared/note.md}}\n",
        ),
        ("src/shared/note.md", "A shared note about the wombat.\n"),
        ("src/code/main.rs", CODE),
    ])
}

fn hits(server: &Server, query: &str) -> Vec<String> {
    server.get(&format!("/api/search?q={query}")).json()["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .map(|hit| hit["url"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn included_text_is_served_and_searched_as_the_pages_own() {
    let site = book();
    let server = Server::start(&site, &[]);
    let one = server.get("/one").body;
    assert!(one.contains("A shared note about the wombat."), "{one}");
    assert!(one.contains("quokka"), "{one}");
    assert!(!one.contains("ANCHOR"), "{one}");
    assert!(!one.contains("{{#include"), "{one}");
    let two = server.get("/two").body;
    assert!(two.contains("<title>Second page"), "{two}");
    assert!(!two.contains("{{#title"), "{two}");
    let mut found = hits(&server, "wombat");
    found.sort();
    assert_eq!(found, ["/one", "/two"]);
    assert_eq!(hits(&server, "quokka"), ["/one"]);
}

#[test]
fn editing_an_included_file_changes_every_page_that_includes_it() {
    let site = book();
    let server = Server::start(&site, &["--poll"]);
    let events = listen(&server);
    site.write("src/shared/note.md", "A shared note about the platypus.\n");
    expect_event(&events, "for the including pages", |e| {
        let changed = e["changed"].as_array().cloned().unwrap_or_default();
        ["/one", "/two"]
            .iter()
            .all(|url| changed.contains(&serde_json::json!(url)))
    });
    for url in ["/one", "/two"] {
        let body = server.get(url).body;
        assert!(
            body.contains("platypus") && !body.contains("wombat"),
            "{url}: {body}"
        );
    }
    eventually("the new word searchable", || {
        hits(&server, "platypus").len() == 2
    });
    assert!(hits(&server, "wombat").is_empty());
    // A code file, not a page, is a dependency too.
    site.write("src/code/main.rs", &CODE.replace("quokka", "numbat"));
    eventually("the code block re-rendered", || {
        server.get("/one").body.contains("numbat")
    });
}

#[test]
fn includes_outside_the_content_or_hidden_are_refused_and_checked_at_their_line() {
    let site = Site::of_files(&[
        (
            "index.md",
            "# Home\n\nIntro.\n\n{{#include ../secret.txt}}\n\n<!--@include: ./.env-->\n\n--8<-- \"missing.md\"\n\n<<< @/snippets/none.ts\n",
        ),
        ("other.md", "# Other\n"),
    ]);
    std::fs::write(site.dir.path().join("secret.txt"), "TOP SECRET").unwrap();
    site.write(".env", "TOKEN=hunter2");
    let server = Server::start(&site, &[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    for leaked in [
        "TOP SECRET",
        "hunter2",
        "{{#include",
        "@include",
        "--8<--",
        "<<<",
    ] {
        assert!(!home.body.contains(leaked), "{leaked} in {}", home.body);
    }
    drop(server);
    let output = site.run(&["check"]);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "missing includes are errors: {printed}"
    );
    let index = site.content().join("index.md");
    let index = index.display();
    for expected in [
        format!("{index}:5: error: include ../secret.txt: outside the content folder"),
        format!("{index}:7: error: include ./.env:"),
        format!("{index}:9: error: snippet missing.md: no such file"),
        format!("{index}:11: error: include @/snippets/none.ts: no such file"),
    ] {
        assert!(
            printed.contains(&expected),
            "missing {expected:?} in\n{printed}"
        );
    }
}

#[test]
fn a_restart_sees_an_included_file_changed_while_stopped() {
    let site = book();
    let server = Server::start(&site, &[]);
    assert_eq!(hits(&server, "quokka"), ["/one"]);
    drop(server);
    site.write("src/code/main.rs", &CODE.replace("quokka", "bilby"));
    let server = Server::start(&site, &[]);
    eventually("the restarted index has the new word", || {
        hits(&server, "bilby") == ["/one"]
    });
    assert!(hits(&server, "quokka").is_empty());
    assert!(server.get("/one").body.contains("bilby"));
}
