//! Other tools' Markdown: one fixture page per dialect rendered and snapshotted, and a
//! served site whose pages and search show text, never syntax.

use crate::support::Site;
use folio::content::markdown;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/dialects/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn vitepress_page_renders() {
    insta::assert_snapshot!(markdown::render(&fixture("vitepress.md")).html);
}

#[test]
fn mkdocs_page_renders() {
    insta::assert_snapshot!(markdown::render(&fixture("mkdocs.md")).html);
}

#[test]
fn mdbook_page_renders() {
    insta::assert_snapshot!(markdown::render(&fixture("mdbook.md")).html);
}

#[test]
fn gfm_page_renders() {
    insta::assert_snapshot!(markdown::render(&fixture("gfm.md")).html);
}

/// The visible text of an article outside code: code elements and tags removed.
fn visible(html: &str) -> String {
    let mut prose = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<code") {
        prose.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</code>")
            .map_or("", |end| &rest[start + end..]);
    }
    prose.push_str(rest);
    markdown::strip_tags(&prose)
}

#[test]
fn served_dialect_pages_show_text_and_search_shows_no_markers() {
    let site = Site::of_files(&[]);
    site.write("vitepress.md", &fixture("vitepress.md"));
    site.write("mkdocs.md", &fixture("mkdocs.md"));
    site.write("gfm.md", &fixture("gfm.md"));
    let server = site.serve();

    let vitepress = server.get("/vitepress");
    assert_eq!(vitepress.status, 200, "{}", vitepress.body);
    let html = &vitepress.body;
    assert!(html.contains("<div class=\"custom-block tip\">"), "{html}");
    assert!(html.contains("<p class=\"custom-block-title\">Mind this</p>"));
    assert!(html.contains("<details class=\"custom-block details\">"));
    assert!(html.contains("<div class=\"code-group\">"));
    assert!(html.contains("🎉"));
    assert!(html.contains("The count is {{ count }}."));
    assert!(html.contains("<math"));

    let mkdocs = server.get("/mkdocs");
    assert_eq!(mkdocs.status, 200);
    let html = &mkdocs.body;
    assert!(
        html.contains("<div class=\"admonition warning\">"),
        "{html}"
    );
    assert!(html.contains("<details class=\"admonition example\" open>"));
    assert!(html.contains("<div class=\"tabbed-set\">"));
    assert!(html.contains("<p class=\"tabbed-label\">Python</p>"));

    let gfm = server.get("/gfm");
    assert!(
        gfm.body
            .contains("<p class=\"markdown-alert-title\">Caution</p>")
    );

    for page in [&vitepress.body, &mkdocs.body, &gfm.body] {
        let text = visible(page.split("<article").nth(1).unwrap_or(page));
        for marker in [
            "!!!",
            "???",
            "===",
            "[!NOTE]",
            "{ .md-button }",
            ":tada:",
            ":material-",
        ] {
            assert!(!text.contains(marker), "{marker} shown in\n{text}");
        }
    }

    for (query, marker) in [
        ("tip", ":::"),
        ("admonition", "!!!"),
        ("collapsed", "???"),
        ("python", "==="),
        ("useful", "[!NOTE]"),
        ("button", ".md-button"),
        ("emoji", ":tada:"),
        ("information", ":material"),
    ] {
        let found = server.get(&format!("/api/search?q={query}")).json();
        let hits = found["hits"].as_array().cloned().unwrap_or_default();
        assert!(!hits.is_empty(), "no hit for {query}");
        for hit in hits {
            let snippet = hit["snippet"].as_str().unwrap_or_default();
            assert!(!snippet.contains(marker), "{query}: {snippet}");
        }
    }
    // A hit inside a tab falls in its heading's section.
    let found = server.get("/api/search?q=print").json();
    assert_eq!(found["hits"][0]["anchor"], "tabs", "{found}");
}

#[test]
fn check_warns_at_a_vue_interpolation_and_not_in_v_pre() {
    let site = Site::of_files(&[]);
    let page = format!("---\ntitle: Counts\n---\n{}", fixture("vitepress.md"));
    site.write("vitepress.md", &page);
    let output = site.run(&["check"]);
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = page
        .lines()
        .position(|l| l.contains("{{ count }}"))
        .map_or(0, |i| i + 1);
    let expected = format!(
        "{}:{line}: warning: `{{{{ … }}}}` shown as written: folio runs no template code",
        site.content().join("vitepress.md").display()
    );
    assert!(printed.contains(&expected), "{printed}");
    assert_eq!(
        printed.matches("runs no template code").count(),
        1,
        "{printed}"
    );
}
