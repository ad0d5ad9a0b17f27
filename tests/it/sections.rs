//! What search says of a page's parts: the section a hit is best read at, named by its
//! heading's id, and the link to it.

use crate::support::Site;

const CONFIGURATION: &str = "# Configuration\n\nFolio reads its settings from one file.\n\n## Files\n\nSettings live in folio.toml beside the content.\n\n### Theme\n\nThe palette decides the colours of every page.\n\n## Reloading\n\nA saved file applies at once.\n";

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
