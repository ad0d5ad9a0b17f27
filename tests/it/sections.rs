//! What is said of a page's parts: its lead, which describes a page whose frontmatter
//! does not, and the section a hit is best read at, named by its heading's id.

use crate::support::Site;

/// A page without a description: its lead describes it.
const CONFIGURATION: &str = "# Configuration\n\n> Every setting has a sensible default.\n> See also: [deployment](deploy.md).\n\n## Files\n\nSettings live in folio.toml beside the content.\n\n### Theme\n\nThe palette decides the colours of every page.\n\n## Reloading\n\nA saved file applies at once.\n";

#[test]
fn a_page_without_a_description_is_described_by_its_lead() {
    let site = Site::of_files(&[("guide/config.md", CONFIGURATION)]);
    let server = site.serve();
    let lead = "Every setting has a sensible default.";

    let page = server.get("/guide/config").body;
    assert!(
        page.contains(&format!("<meta name=\"description\" content=\"{lead}\">")),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<meta property=\"og:description\" content=\"{lead}\">"
    )));
    assert_eq!(server.get("/guide/config.json").json()["description"], lead);

    // "sensible" is in the lead alone: the hit is the top of the page.
    let found = server.get("/api/search?q=sensible").json();
    let hit = &found["hits"][0];
    assert_eq!(hit["url"], "/guide/config", "{found}");
    assert_eq!(
        (&hit["anchor"], &hit["href"]),
        (&"".into(), &"/guide/config".into())
    );
    let snippet = hit["snippet"].as_str().unwrap_or_default();
    assert!(
        snippet.starts_with("Every setting has a <mark>sensible</mark> default."),
        "{snippet}"
    );
    let suggested = server.get("/api/suggest?q=configur").json();
    assert_eq!(suggested[2][0], lead, "{suggested}");
    assert!(
        server.get("/").body.contains(lead),
        "the home page lists it"
    );
}

#[test]
fn a_hit_links_to_its_h3_section_by_fragment_and_the_results_page_follows() {
    let site = Site::of_files(&[("guide/config.md", CONFIGURATION)]);
    let server = site.serve();

    let found = server.get("/api/search?q=palette").json();
    let hit = &found["hits"][0];
    assert_eq!(hit["url"], "/guide/config", "{found}");
    assert_eq!(hit["anchor"], "theme", "the fragment alone: {found}");
    assert_eq!(hit["href"], "/guide/config#theme");
    assert_eq!(hit["section"], "Theme");
    assert_eq!(hit["parents"], serde_json::json!(["Files"]));

    let results = server.get("/search?q=palette").body;
    assert!(
        results.contains(
            "<a class=\"hit-title\" href=\"/guide/config?highlight&#x3D;palette#theme\">Configuration</a> <span class=\"hit-section\">› Files › Theme</span>"
        ),
        "{results}"
    );
    let page = server.get("/guide/config").body;
    assert!(
        page.contains("<h3 id=\"theme\">"),
        "the fragment is the heading's id"
    );
}
