//! Starting again: a start whose page files did not change lists its pages from the
//! manifest beside the index and loads them behind the server; one whose files changed
//! loads every page first. Either way it serves the same.

use crate::support::{Server, Site, eventually, repo};
use std::path::PathBuf;

/// What visitors and search clients are shown, as (path, status, body), with the
/// server's own address (which the sitemap names) left out.
fn shown(server: &Server) -> Vec<(&'static str, u16, String)> {
    [
        "/",
        "/502",
        "/502.json",
        "/guide/setup",
        "/sitemap.xml",
        "/nowhere",
        "/api/search?q=upstream+invalid",
        "/api/search?q=flamingo",
        "/api/suggest?q=gate",
    ]
    .into_iter()
    .map(|path| {
        let response = server.get(path);
        let mut body = response.body.replace(&server.base, "");
        if path.starts_with("/api/search") {
            let mut json: serde_json::Value = serde_json::from_str(&body).unwrap();
            json.as_object_mut().unwrap().remove("took_ms");
            body = json.to_string();
        }
        (path, response.status, body)
    })
    .collect()
}

fn manifest(site: &Site) -> PathBuf {
    site.index().join("folio-pages")
}

/// Serves `site` once, until its manifest and its home page are kept for the next
/// start; returns what it showed.
fn first_start(site: &Site) -> Vec<(&'static str, u16, String)> {
    let server = site.serve();
    let shown = shown(&server);
    eventually("the page manifest and the home page", || {
        manifest(site).exists() && site.index().join("folio-home").exists()
    });
    shown
}

/// Whether the server started from the page manifest, serving before it read a page.
fn from_manifest(server: &Server) -> bool {
    server.readyz()["start"] == "manifest"
}

/// Whether every page has loaded behind the server.
fn loaded(server: &Server) -> bool {
    server.readyz()["loaded"] == true
}

fn first_hit(server: &Server, query: &str) -> serde_json::Value {
    server.get(&format!("/api/search?q={query}")).json()["hits"][0]["url"].clone()
}

#[test]
fn an_unchanged_site_starts_from_its_manifest_and_shows_the_same() {
    let site = Site::fixture("site");
    let full = first_start(&site);
    let recorded = std::fs::metadata(manifest(&site))
        .unwrap()
        .modified()
        .unwrap();
    let quick = site.serve();
    assert!(from_manifest(&quick), "{}", quick.readyz());
    assert_eq!(quick.readyz()["index"], "reused");
    same(&shown(&quick), &full, "while the site loads");
    eventually("the site to load", || loaded(&quick));
    same(&shown(&quick), &full, "once it has loaded");
    assert!(
        quick.get("/metrics").body.contains("folio_reindex_total 0"),
        "nothing changed: nothing is rebuilt"
    );
    let again = std::fs::metadata(manifest(&site))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(recorded, again, "nor is the manifest written anew");
}

fn same(shown: &[(&str, u16, String)], expected: &[(&str, u16, String)], when: &str) {
    for (shown, expected) in shown.iter().zip(expected) {
        assert_eq!(shown, expected, "{} {when}", expected.0);
    }
}

#[test]
fn an_edit_that_kept_its_files_size_and_time_is_caught_once_the_site_loads() {
    let site = Site::fixture("site");
    first_start(&site);
    let path = site.content().join("tar.md");
    let time = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Archiving", "Albatross")).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(time).unwrap();
    let server = site.serve();
    assert!(from_manifest(&server), "{}", server.readyz());
    assert!(
        server.get("/tar").body.contains("Albatross"),
        "read from its file"
    );
    eventually("the edit to be found", || {
        first_hit(&server, "albatross") == "/tar"
    });
    eventually("the site to load", || loaded(&server));
    assert_eq!(
        server.readyz()["caught_up"],
        1,
        "one page changed since the manifest was written"
    );
    let hit = &server.get("/api/search?q=albatross").json()["hits"][0];
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>Albatross</mark>"),
        "{hit}"
    );
}

#[test]
fn a_file_changed_while_stopped_is_served_and_found_from_the_first_request() {
    let site = Site::fixture("site");
    first_start(&site);
    let path = site.content().join("tar.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\nA pelican keeps them.\n")).unwrap();
    let server = site.serve();
    assert!(!from_manifest(&server), "{}", server.readyz());
    assert_eq!(server.readyz()["index"], "rebuilt");
    assert_eq!(first_hit(&server, "pelican"), "/tar");
    assert!(server.get("/tar").body.contains("A pelican keeps them."));
}

#[test]
fn a_damaged_manifest_means_a_full_start_that_writes_it_anew() {
    let site = Site::fixture("site");
    let full = first_start(&site);
    std::fs::write(manifest(&site), "not a manifest").unwrap();
    let server = site.serve();
    assert!(!from_manifest(&server), "{}", server.readyz());
    assert_eq!(server.readyz()["index"], "reused");
    same(&shown(&server), &full, "after a full start");
    eventually("the manifest written anew", || {
        std::fs::read(manifest(&site)).is_ok_and(|bytes| bytes != b"not a manifest")
    });
    drop(server);
    let again = site.serve();
    assert!(from_manifest(&again), "{}", again.readyz());
}

#[test]
fn a_live_edit_is_recorded_for_the_next_start() {
    let site = Site::fixture("site");
    let server = site.serve();
    eventually("the page manifest", || manifest(&site).exists());
    let before = std::fs::read(manifest(&site)).unwrap();
    let path = site.content().join("tar.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\nA heron watches.\n")).unwrap();
    eventually("the edit to be found", || {
        first_hit(&server, "heron") == "/tar"
    });
    eventually("the manifest to be written once edits pause", || {
        std::fs::read(manifest(&site)).is_ok_and(|bytes| bytes != before)
    });
    drop(server);
    let again = site.serve();
    assert!(from_manifest(&again), "{}", again.readyz());
    assert_eq!(first_hit(&again, "heron"), "/tar");
}

#[test]
fn a_read_only_replica_starts_from_the_manifest_folio_index_writes() {
    let site = Site::fixture("site");
    assert!(site.run(&["index"]).status.success());
    assert!(manifest(&site).exists());
    let before = std::fs::read(manifest(&site)).unwrap();
    let server = Server::start(&site, &["--read-only"]);
    assert!(from_manifest(&server), "{}", server.readyz());
    assert_eq!(server.readyz()["index"], "read-only");
    assert_eq!(first_hit(&server, "flamingo"), "/guide/setup");
    let hit = &server.get("/api/search?q=flamingo").json()["hits"][0];
    assert!(
        hit["snippet"].as_str().unwrap().contains("<mark>"),
        "sections read from the page's file: {hit}"
    );
    eventually("the site to load", || loaded(&server));
    drop(server);
    assert_eq!(std::fs::read(manifest(&site)).unwrap(), before, "read-only");
}

#[test]
fn a_template_changed_while_stopped_shows_on_the_home_page_of_a_quick_start() {
    let site = Site::fixture("site");
    first_start(&site);
    let templates = site.dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let home = std::fs::read_to_string(repo().join("templates/home.hbs")).unwrap();
    let changed = home.replace("<nav class", "<p>Browse by group.</p>\n<nav class");
    assert_ne!(changed, home);
    std::fs::write(templates.join("home.hbs"), changed).unwrap();
    let server = site.serve();
    assert!(from_manifest(&server), "{}", server.readyz());
    assert!(server.get("/").body.contains("<p>Browse by group.</p>"));
}
