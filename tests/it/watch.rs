//! Live editing with the real server, watching natively and by polling: edits,
//! creations, deletions, renames, broken pages, templates, and the events browsers get.

use crate::support::{DEADLINE, Server, Site, eventually};
use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

/// Reads the server's live-reload events on a thread; each `data:` payload arrives as JSON.
pub(crate) fn listen(server: &Server) -> mpsc::Receiver<serde_json::Value> {
    let (send, receive) = mpsc::channel();
    let url = server.url("/__livereload");
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let response = agent.get(&url).call().expect("event stream");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    std::thread::spawn(move || {
        let reader = std::io::BufReader::new(response.into_body().into_reader());
        for line in reader.lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data:")
                && let Ok(json) = serde_json::from_str(data.trim())
                && send.send(json).is_err()
            {
                break;
            }
        }
    });
    receive
}

/// Waits for an event that satisfies `wanted`.
pub(crate) fn expect_event(
    events: &mpsc::Receiver<serde_json::Value>,
    what: &str,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let left = DEADLINE.saturating_sub(start.elapsed());
        match events.recv_timeout(left) {
            Ok(event) if wanted(&event) => return event,
            Ok(_) => continue,
            Err(_) => panic!("no event {what} within {DEADLINE:?}"),
        }
    }
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

fn first_hit(server: &Server, query: &str) -> Option<String> {
    let json = server.get(&format!("/api/search?q={query}")).json();
    json["hits"][0]["url"].as_str().map(String::from)
}

fn edit_cycle(mode: &[&str]) {
    let site = Site::fixture("site");
    let templates = site.dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let server = Server::start(&site, mode);
    let page = server.get("/504").body;
    assert!(
        page.contains("/assets/livereload."),
        "watched pages carry the live-reload script"
    );
    let events = listen(&server);

    // An edit makes a new word searchable and re-renders the page; one event says so.
    append(
        &site.content().join("504.md"),
        "\nA wombat waits at the gateway.\n",
    );
    eventually("the edit to be searchable", || {
        first_hit(&server, "wombat").as_deref() == Some("/504")
    });
    assert!(server.get("/504").body.contains("A wombat waits"));
    let event = expect_event(&events, "for the edit", |e| {
        e["changed"] == serde_json::json!(["/504"])
    });
    assert_eq!(event["removed"], serde_json::json!([]));
    assert_eq!(event["errors"], serde_json::json!([]));

    // A new file is served and found; the home page lists it.
    site.write("quokka.md", "# Quokka\n\nA quokka smiles.\n");
    eventually("the new page", || server.get("/quokka").status == 200);
    eventually("the new page in search", || {
        first_hit(&server, "quokka").as_deref() == Some("/quokka")
    });
    assert!(server.get("/").body.contains("href=\"/quokka\""));
    assert!(server.get("/").body.contains("A quokka smiles."));

    // Its lead is its description: an edit to it shows on the home page.
    site.write("quokka.md", "# Quokka\n\nA quokka grins.\n");
    eventually("the new lead on the home page", || {
        server.get("/").body.contains("A quokka grins.")
    });

    // A deleted file is a 404 and gone from search.
    std::fs::remove_file(site.content().join("quokka.md")).unwrap();
    eventually("the deleted page to be gone", || {
        server.get("/quokka").status == 404
    });
    eventually("the deleted page to leave search", || {
        first_hit(&server, "quokka").is_none()
    });
    expect_event(&events, "for the removal", |e| {
        e["removed"] == serde_json::json!(["/quokka"])
    });

    // A rename moves the page.
    std::fs::rename(
        site.content().join("guide/setup.md"),
        site.content().join("guide/install.md"),
    )
    .unwrap();
    eventually("the renamed page", || {
        server.get("/guide/install").status == 200
    });
    eventually("the old URL to be gone", || {
        server.get("/guide/setup").status == 404
    });

    // A renamed folder moves every page in it.
    std::fs::rename(
        site.content().join("guide"),
        site.content().join("handbook"),
    )
    .unwrap();
    eventually("the renamed folder", || {
        server.get("/handbook/install").status == 200
    });
    eventually("the old folder's pages to be gone", || {
        server.get("/guide").status == 404
    });

    // Broken frontmatter keeps the last good page and reports the file and line.
    std::fs::write(
        site.content().join("404.md"),
        "---\n- not: a mapping\n---\n# Broken\n",
    )
    .unwrap();
    let event = expect_event(&events, "with the error", |e| {
        !e["errors"].as_array().unwrap().is_empty()
    });
    let error = &event["errors"][0];
    assert_eq!(error["path"], "404.md");
    assert_eq!(error["url"], "/404");
    assert_eq!(error["line"], 2);
    assert!(error["message"].as_str().unwrap().contains("mapping"));
    let kept = server.get("/404");
    assert_eq!(kept.status, 200);
    assert!(
        kept.body.contains("Check the spelling of the link"),
        "the last good version stays"
    );

    // The fix clears the error.
    std::fs::write(
        site.content().join("404.md"),
        "---\ntitle: \"404 Not Found\"\n---\n# 404 Not Found\n\nFixed now.\n",
    )
    .unwrap();
    expect_event(&events, "clearing the error", |e| {
        e["changed"] == serde_json::json!(["/404"]) && e["errors"] == serde_json::json!([])
    });
    assert!(server.get("/404").body.contains("Fixed now."));

    // A template edit re-renders every page.
    std::fs::write(
        templates.join("page.hbs"),
        "{{#> layout}}<div class=\"marker-from-template\">{{{html}}}</div>{{/layout}}",
    )
    .unwrap();
    eventually("the template change", || {
        server.get("/502").body.contains("marker-from-template")
    });
    let event = expect_event(&events, "for the template", |e| {
        e["changed"].as_array().unwrap().len() > 3
    });
    assert!(
        event["changed"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("/502"))
    );
}

#[test]
fn edits_apply_live_with_native_events() {
    edit_cycle(&[]);
}

#[test]
fn edits_apply_live_when_polling() {
    edit_cycle(&["--poll"]);
}

#[test]
fn without_watching_pages_carry_no_live_reload() {
    let site = Site::fixture("site");
    let server = Server::start(&site, &["--no-watch"]);
    assert!(!server.get("/502").body.contains("livereload"));
    assert_eq!(server.get("/__livereload").status, 404);
}
