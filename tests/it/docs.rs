//! Documentation projects as their tools lay them out (mdBook, MkDocs, VitePress, a
//! plain folder), each a small fixture written by its test: navigation, outline, pager,
//! locales, landing pages, links, redirects, `folio check`, and live navigation.

use crate::support::{Response, Server, Site, eventually};
use crate::watch::{expect_event, listen};

/// The text between the first `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in\n{html}"));
    let rest = &html[from + start.len()..];
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"))]
}

fn sidebar(html: &str) -> &str {
    between(
        html,
        "<nav class=\"sidebar\" id=\"sidebar\" aria-label=\"Site navigation\">",
        "</nav>",
    )
}

fn article(html: &str) -> &str {
    between(html, "<article", "</article>")
}

fn title(html: &str) -> &str {
    between(html, "<title>", "</title>")
}

/// A page that must be served: 200, HTML.
fn page(server: &Server, path: &str) -> String {
    let response = server.get(path);
    assert_eq!(response.status, 200, "{path}: {}", response.body);
    response.body
}

/// Where `response` redirects to, as a path of the server.
fn location(server: &Server, response: &Response) -> String {
    let to = response.header("location").unwrap_or_default();
    to.strip_prefix(&server.base).unwrap_or(to).to_string()
}

/// Asserts that each of `needles` occurs in `haystack`, in this order.
fn assert_in_order(haystack: &str, needles: &[&str]) {
    let mut at = 0;
    for needle in needles {
        match haystack[at..].find(needle) {
            Some(found) => at += found + needle.len(),
            None => panic!("{needle:?} missing or out of order {needles:?} in\n{haystack}"),
        }
    }
}

fn heading(title: &str) -> String {
    format!("# {title}\n\nText of {title}.\n")
}

const SUMMARY: &str = "\
# Summary

[Preface](preface.md)

# Getting started

- [Install](guide/install.md)
  - [On Linux](guide/linux.md)
- [Later]()

---

# Reference

- [Config](config.md)

[Credits](credits.md)
";

fn book() -> Site {
    Site::of_files(&[
        (
            "book.toml",
            "[book]\ntitle = \"Tiny Book\"\nlanguage = \"fr\"\nsrc = \"text\"\n",
        ),
        ("text/SUMMARY.md", SUMMARY),
        ("text/preface.md", &heading("Preface")),
        ("text/guide/install.md", &heading("Install")),
        ("text/guide/linux.md", &heading("On Linux")),
        ("text/config.md", &heading("Config")),
        ("text/credits.md", &heading("Credits")),
    ])
}

#[test]
fn an_mdbook_root_serves_its_summary_as_the_sidebar() {
    let site = book();
    let server = Server::start(&site, &["--no-watch"]);
    let linux = page(&server, "/guide/linux");
    assert_eq!(title(&linux), "On Linux | Tiny Book");
    assert!(linux.contains("<html lang=\"fr\""), "book.toml's language");
    let nav = sidebar(&linux);
    assert_in_order(
        nav,
        &[
            "<li><a href=\"/preface\">Preface</a></li>",
            "<li class=\"part\"><span>Getting started</span></li>",
            "<li class=\"section\"><a href=\"/guide/install\">Install</a><details open>",
            "<li><a href=\"/guide/linux\" aria-current=\"page\">On Linux</a></li>",
            "</details></li>",
            "<li class=\"draft\"><span>Later</span></li>",
            "<li class=\"part\"><span>Reference</span></li>",
            "<li><a href=\"/config\">Config</a></li>",
            "<li><a href=\"/credits\">Credits</a></li>",
        ],
    );
    assert!(!nav.contains("SUMMARY"), "{nav}");
    // Another page carries the same sidebar, its own link current, nothing open.
    let config = page(&server, "/config");
    assert!(sidebar(&config).contains("<a href=\"/config\" aria-current=\"page\">Config</a>"));
    assert!(sidebar(&config).contains("<a href=\"/guide/install\">Install</a><details>"));
    assert_eq!(
        server.get("/SUMMARY").status,
        404,
        "SUMMARY.md is not a page"
    );
    assert_eq!(server.get("/text/preface").status, 404, "src/ is the root");
}

#[test]
fn a_project_root_restarts_from_its_manifest_with_its_navigation() {
    let site = book();
    {
        let first = site.serve();
        eventually("the page manifest", || {
            site.index().join("folio-pages").exists() && site.index().join("folio-home").exists()
        });
        assert_eq!(first.readyz()["start"], "pages");
    }
    let again = site.serve();
    assert_eq!(again.readyz()["start"], "manifest", "{}", again.readyz());
    let linux = page(&again, "/guide/linux");
    assert!(sidebar(&linux).contains("aria-current=\"page\""), "{linux}");
    assert_eq!(title(&linux), "On Linux | Tiny Book");
}

#[test]
fn the_sites_own_settings_win_over_the_projects() {
    let site = book();
    let server = Server::start(&site, &["--no-watch", "--title", "Mine", "--lang", "it"]);
    let linux = page(&server, "/guide/linux");
    assert_eq!(title(&linux), "On Linux | Mine");
    assert!(linux.contains("<html lang=\"it\""));
}

#[test]
fn an_mkdocs_root_serves_docs_dir_with_its_nav_and_site_name() {
    let site = Site::of_files(&[
        (
            "mkdocs.yml",
            "site_name: Tiny Docs\ndocs_dir: pages\ntheme:\n  name: material\n  language: de\n\
             nav:\n  - Home: index.md\n  - Guide:\n      - guide/index.md\n      - First steps: guide/first.md\n\
             \x20 - API:\n      - Calls: api/calls.md\n",
        ),
        ("README.md", &heading("Project readme")),
        ("pages/index.md", &heading("Welcome")),
        ("pages/guide/index.md", &heading("Guide intro")),
        ("pages/guide/first.md", &heading("First")),
        ("pages/api/calls.md", &heading("Calls")),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let first = page(&server, "/guide/first");
    assert_eq!(title(&first), "First | Tiny Docs");
    assert!(first.contains("<html lang=\"de\""), "theme.language");
    assert_in_order(
        sidebar(&first),
        &[
            "<li><a href=\"/\">Home</a></li>",
            // A section whose first entry is an index page is headed by it.
            "<li class=\"section\"><a href=\"/guide\">Guide</a><details open>",
            "<a href=\"/guide/first\" aria-current=\"page\">First steps</a>",
            "<li class=\"section\"><details><summary><span>API</span></summary>",
            "<a href=\"/api/calls\">Calls</a>",
        ],
    );
    assert!(page(&server, "/").contains("Text of Welcome."));
    assert_eq!(server.get("/README").status, 404, "outside docs_dir");
    assert_eq!(server.get("/pages/guide/first").status, 404);
}

#[test]
fn a_vitepress_root_serves_public_at_the_site_root() {
    let site = Site::of_files(&[
        (
            ".vitepress/config.mts",
            "export default { title: 'Press' }\n",
        ),
        ("public/notes.txt", "public notes\n"),
        ("index.md", &heading("Home")),
        ("guide/intro.md", &heading("Intro")),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let notes = server.get("/notes.txt");
    assert_eq!(notes.status, 200);
    assert_eq!(notes.body, "public notes\n");
    assert!(page(&server, "/guide/intro").contains("Text of Intro."));
}

#[test]
fn a_projects_own_robots_txt_is_served() {
    let site = Site::of_files(&[
        (".vitepress/config.mts", "export default {}\n"),
        ("public/robots.txt", "User-agent: *\nDisallow: /\n"),
        ("index.md", &heading("Home")),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let robots = server.get("/robots.txt");
    assert_eq!(robots.status, 200);
    assert_eq!(robots.body, "User-agent: *\nDisallow: /\n");
}

#[test]
fn own_nav_file_wins_and_is_not_a_page() {
    let site = book();
    site.write(
        "text/_nav.md",
        "# Summary\n\n# Mine first\n\n- [Config](config.md)\n- [Preface](preface.md)\n",
    );
    let server = Server::start(&site, &["--no-watch"]);
    let nav = page(&server, "/preface");
    let nav = sidebar(&nav);
    assert_in_order(
        nav,
        &[
            "<li class=\"part\"><span>Mine first</span></li>",
            "<a href=\"/config\">Config</a>",
            "<a href=\"/preface\" aria-current=\"page\">Preface</a>",
        ],
    );
    assert!(
        !nav.contains("Getting started"),
        "SUMMARY.md is not read: {nav}"
    );
    assert_eq!(server.get("/_nav").status, 404);
    assert!(!nav.contains("_nav"));
}

fn tree() -> Site {
    Site::of_files(&[
        (
            "index.md",
            "# Home\n\nStart [in the guide](guide/README.md).\n",
        ),
        (
            "guide/README.md",
            "# Guide\n\n[a](install.md) [b](install) [c](install.html) [d](./install.md#top) \
             [e](deep/) [f](deep/index.md) [g](more/README.md) [h](more) [i](../ref/api.md#calls)\n",
        ),
        ("guide/install.md", "---\norder: 2\n---\n# Install\n"),
        ("guide/zeta.md", "---\nsidebar_position: 1\n---\n# Zeta\n"),
        ("guide/alpha.md", "---\nweight: 3\n---\n# Alpha\n"),
        ("guide/beta.md", "---\nnav_order: 4\n---\n# Beta\n"),
        ("guide/deep/index.md", "# Deep\n"),
        ("guide/more/README.md", "# More\n"),
        (
            "guide/moved.md",
            "---\nslug: /moved/elsewhere\n---\n# Moved\n\nSee [install](install.md) and [deep](deep/).\n",
        ),
        ("steps/ten.md", "# Step 10\n"),
        ("steps/two.md", "# Step 2\n"),
        ("steps/one.md", "# Step 1\n"),
        ("ref/api.md", "# API\n\n## Calls\n"),
    ])
}

#[test]
fn folder_tree_orders_by_order_keys_then_natural_title() {
    let site = tree();
    let server = Server::start(&site, &["--no-watch"]);
    let install = page(&server, "/guide/install");
    let nav = sidebar(&install);
    assert_in_order(
        nav,
        &[
            "<li class=\"section\"><a href=\"/guide\">Guide</a><details open>",
            "<a href=\"/guide/zeta\">Zeta</a>",
            "<a href=\"/guide/install\" aria-current=\"page\">Install</a>",
            "<a href=\"/guide/alpha\">Alpha</a>",
            "<a href=\"/guide/beta\">Beta</a>",
            "<a href=\"/guide/deep\">Deep</a>",
            "<a href=\"/guide/more\">More</a>",
            "<a href=\"/moved/elsewhere\">Moved</a>",
        ],
    );
    assert_in_order(
        nav,
        &[
            "<a href=\"/steps/one\">Step 1</a>",
            "<a href=\"/steps/two\">Step 2</a>",
            "<a href=\"/steps/ten\">Step 10</a>",
        ],
    );
    assert!(!nav.contains("README"), "{nav}");
}

#[test]
fn a_folder_without_index_gets_a_listing() {
    let site = tree();
    let server = Server::start(&site, &["--no-watch"]);
    let steps = page(&server, "/steps");
    assert_eq!(title(&steps), "Steps | folio");
    let listing = article(&steps);
    assert!(listing.contains("<h1>Steps</h1>"), "{listing}");
    assert_in_order(
        listing,
        &[
            "<a href=\"/steps/one\">Step 1</a>",
            "<a href=\"/steps/two\">Step 2</a>",
            "<a href=\"/steps/ten\">Step 10</a>",
        ],
    );
    assert!(sidebar(&steps).contains("<a href=\"/steps\" aria-current=\"page\">Steps</a>"));
}

#[test]
fn class_places_a_page_under_the_page_it_names() {
    let site = Site::of_files(&[
        ("5xx.md", "# Server errors\n"),
        ("502.md", "---\nclass: 5xx\n---\n# Bad gateway\n"),
        ("about.md", "# About\n"),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let bad = page(&server, "/502");
    let nav = sidebar(&bad);
    let section = between(nav, "<a href=\"/5xx\">Server errors</a>", "</details>");
    assert!(
        section.contains("<a href=\"/502\" aria-current=\"page\">Bad gateway</a>"),
        "{nav}"
    );
}

#[test]
fn every_link_form_reaches_the_page() {
    let site = tree();
    let server = Server::start(&site, &["--no-watch"]);
    // From the site's index page, and from a folder's index page (against its own folder).
    assert!(article(&page(&server, "/")).contains("<a href=\"/guide\">in the guide</a>"));
    let guide = page(&server, "/guide");
    let links = article(&guide);
    for (text, href) in [
        ("a", "/guide/install"),
        ("b", "/guide/install"),
        ("c", "/guide/install"),
        ("d", "/guide/install#top"),
        ("e", "/guide/deep"),
        ("f", "/guide/deep"),
        ("g", "/guide/more"),
        ("h", "/guide/more"),
        ("i", "/ref/api#calls"),
    ] {
        let link = format!("<a href=\"{href}\">{text}</a>");
        assert!(links.contains(&link), "no {link} in\n{links}");
    }
    // A page moved by `slug` keeps its links relative to its file.
    let moved = page(&server, "/moved/elsewhere");
    let moved = article(&moved);
    assert!(
        moved.contains("<a href=\"/guide/install\">install</a>"),
        "{moved}"
    );
    assert!(
        moved.contains("<a href=\"/guide/deep\">deep</a>"),
        "{moved}"
    );
    drop(server);

    let server = Server::start(&site, &["--no-watch", "--base-path", "/docs"]);
    let guide = page(&server, "/docs/guide");
    let links = article(&guide);
    assert!(
        links.contains("<a href=\"/docs/guide/install\">a</a>"),
        "{links}"
    );
    assert!(
        links.contains("<a href=\"/docs/guide/more\">g</a>"),
        "{links}"
    );
    assert!(
        links.contains("<a href=\"/docs/ref/api#calls\">i</a>"),
        "{links}"
    );
    assert!(sidebar(&guide).contains("<a href=\"/docs/steps/two\">Step 2</a>"));
    assert!(page(&server, "/docs/guide/install").contains("<h1 id=\"install\">"));
}

#[test]
fn other_forms_of_a_page_url_redirect() {
    let site = tree();
    let server = Server::start(&site, &["--no-watch"]);
    for (from, to) in [
        ("/guide/install.md", "/guide/install"),
        ("/guide/install.html", "/guide/install"),
        ("/guide/install/", "/guide/install"),
        ("/guide/README.md", "/guide"),
        ("/guide/more/README.md", "/guide/more"),
        ("/guide/deep/index.md", "/guide/deep"),
        ("/guide/", "/guide"),
    ] {
        let response = server.get(from);
        assert_eq!(response.status, 308, "{from}");
        assert_eq!(location(&server, &response), to, "{from}");
    }
    assert_eq!(server.get("/guide/nothing.md").status, 404);
}

fn outlined() -> Site {
    let body = "\n## One\n\n### One a\n\n#### One a i\n\n## Two\n";
    Site::of_files(&[
        ("plain.md", &format!("# Plain\n{body}")),
        (
            "hidden.md",
            &format!("---\noutline: false\n---\n# Hidden\n{body}"),
        ),
        (
            "deep.md",
            &format!("---\noutline: deep\n---\n# Deep\n{body}"),
        ),
        (
            "range.md",
            &format!("---\noutline: [2, 4]\n---\n# Range\n{body}"),
        ),
        ("inline.md", &format!("# Inline\n\n[[toc]]\n{body}")),
    ])
}

fn toc(html: &str) -> Option<&str> {
    html.contains("<nav class=\"toc\" aria-label=\"On this page\">")
        .then(|| {
            between(
                html,
                "<nav class=\"toc\" aria-label=\"On this page\">",
                "</nav>",
            )
        })
}

#[test]
fn toc_and_outline_frontmatter() {
    let site = outlined();
    let server = Server::start(&site, &["--no-watch"]);
    let plain = page(&server, "/plain");
    let toc_plain = toc(&plain).expect("an outline");
    assert_in_order(
        toc_plain,
        &["href=\"#one\"", "href=\"#one-a\"", "href=\"#two\""],
    );
    assert!(
        !toc_plain.contains("#one-a-i"),
        "h4 is not in it: {toc_plain}"
    );
    assert_eq!(toc(&page(&server, "/hidden")), None);
    for wide in ["/deep", "/range"] {
        let html = page(&server, wide);
        assert!(
            toc(&html).expect(wide).contains("href=\"#one-a-i\""),
            "{wide}"
        );
    }
    drop(server);

    let server = Server::start(&site, &["--no-watch", "--toc-depth", "2"]);
    let shallow = page(&server, "/plain");
    let shallow = toc(&shallow).expect("an outline");
    assert!(shallow.contains("href=\"#two\""));
    assert!(!shallow.contains("#one-a"), "{shallow}");
    let deep = page(&server, "/deep");
    assert!(toc(&deep).unwrap().contains("#one-a-i"), "frontmatter wins");
}

#[test]
fn inline_toc() {
    let site = outlined();
    let server = Server::start(&site, &["--no-watch"]);
    let html = page(&server, "/inline");
    let body = article(&html);
    assert!(!body.contains("[[toc]]"), "{body}");
    let inline = between(body, "<nav class=\"toc-inline\"", "</nav>");
    assert_in_order(
        inline,
        &["href=\"#one\"", "href=\"#one-a\"", "href=\"#two\""],
    );
    assert!(
        body.find("toc-inline") < body.find("<h2 id=\"one\""),
        "it stands where [[toc]] was"
    );
    assert!(!article(&page(&server, "/plain")).contains("toc-inline"));
}

#[test]
fn pager_and_frontmatter_overrides() {
    let site = Site::of_files(&[
        ("guide/a.md", "# A\n"),
        (
            "guide/b.md",
            "---\nprev: false\nnext: \"Onward\"\n---\n# B\n",
        ),
        (
            "guide/c.md",
            "---\nprev:\n  text: Back to A\n  link: ./a.md\n---\n# C\n",
        ),
        ("guide/d.md", "# D\n"),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let b = page(&server, "/guide/b");
    let pager = between(&b, "<nav class=\"pager\"", "</nav>");
    assert!(!pager.contains("rel=\"prev\""), "{pager}");
    assert!(!b.contains("<link rel=\"prev\""));
    assert!(
        pager.contains("rel=\"next\" href=\"/guide/c\"><span class=\"pager-label\">Next</span> <span class=\"pager-title\">Onward</span>"),
        "{pager}"
    );
    assert!(b.contains("<link rel=\"next\" href=\"/guide/c\">"));

    let c = page(&server, "/guide/c");
    let pager = between(&c, "<nav class=\"pager\"", "</nav>");
    assert!(
        pager.contains("rel=\"prev\" href=\"/guide/a\"><span class=\"pager-label\">Previous</span> <span class=\"pager-title\">Back to A</span>"),
        "{pager}"
    );
    assert!(c.contains("<link rel=\"prev\" href=\"/guide/a\">"));
    assert!(pager.contains("rel=\"next\" href=\"/guide/d\""), "{pager}");

    let a = page(&server, "/guide/a");
    assert!(a.contains("<link rel=\"next\" href=\"/guide/b\">"));
    assert!(
        between(&a, "<nav class=\"pager\"", "</nav>")
            .contains("<span class=\"pager-title\">B</span>")
    );
}

fn bilingual() -> Site {
    Site::of_files(&[
        ("index.md", "# Home\n"),
        ("guide/start.md", "# Start\n\n## One\n"),
        ("guide/other.md", "# Other\n"),
        ("zh/index.md", "# 首页\n"),
        (
            "zh/guide/start.md",
            "# 开始\n\nSee [other](other.md) and [start](./start.md).\n",
        ),
    ])
}

#[test]
fn a_missing_page_offers_its_locales_navigation() {
    let site = bilingual();
    let server = Server::start(&site, &["--no-watch"]);
    let missing = server.get("/zh/nowhere/at/all");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("<html lang=\"zh\""),
        "{}",
        missing.body
    );
    let nav = sidebar(&missing.body);
    assert!(nav.contains("/zh/guide/start"), "{nav}");
    assert!(!nav.contains("aria-current"), "nothing is current: {nav}");
    let missing = server.get("/nowhere");
    assert_eq!(missing.status, 404);
    assert!(sidebar(&missing.body).contains("\"/guide/start\""));
}

#[test]
fn locales_have_their_own_navigation_lang_and_switcher() {
    let site = bilingual();
    let server = Server::start(&site, &["--no-watch"]);
    let zh = page(&server, "/zh/guide/start");
    assert!(zh.contains("<html lang=\"zh\""));
    let nav = sidebar(&zh);
    assert!(
        nav.contains("<a href=\"/zh/guide/start\" aria-current=\"page\">开始</a>"),
        "{nav}"
    );
    assert!(!nav.contains("/guide/other"), "only zh pages: {nav}");
    assert!(!nav.contains(">Start<"), "{nav}");
    let switcher = between(&zh, "<nav class=\"locales\"", "</nav>");
    assert!(
        switcher.contains("<a href=\"/guide/start\" hreflang=\"en\""),
        "{switcher}"
    );
    assert!(zh.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"/guide/start\">"));
    assert!(zh.contains("<link rel=\"alternate\" hreflang=\"zh\" href=\"/zh/guide/start\">"));

    let en = page(&server, "/guide/start");
    assert!(en.contains("<html lang=\"en\""));
    assert!(!sidebar(&en).contains("/zh"), "{}", sidebar(&en));
    let switcher = between(&en, "<nav class=\"locales\"", "</nav>");
    assert!(
        switcher.contains("<a href=\"/zh/guide/start\" hreflang=\"zh\""),
        "{switcher}"
    );
}

#[test]
fn a_missing_translation_falls_back_for_now() {
    let site = bilingual();
    let server = Server::start(&site, &["--no-watch"]);
    let zh = page(&server, "/zh/guide/start");
    let body = article(&zh);
    assert!(
        body.contains("<a href=\"/guide/other\">other</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"/zh/guide/start\">start</a>"),
        "{body}"
    );
    let response = server.get("/zh/guide/other");
    assert_eq!(response.status, 307);
    assert_eq!(location(&server, &response), "/guide/other");
    assert_eq!(server.get("/zh/guide/nowhere").status, 404);
}

#[test]
fn a_site_of_language_folders_redirects_root() {
    let site = Site::of_files(&[
        ("en/index.md", "# English home\n"),
        ("en/guide.md", "# Guide\n"),
        ("zh/index.md", "# 中文\n"),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let root = server.get("/");
    assert_eq!(root.status, 308);
    assert_eq!(location(&server, &root), "/en");
    assert!(page(&server, "/en").contains("English home"));
    drop(server);
    let server = Server::start(&site, &["--no-watch", "--lang", "zh"]);
    let root = server.get("/");
    assert_eq!(root.status, 308);
    assert_eq!(location(&server, &root), "/zh");
}

#[test]
fn a_landing_page_without_hero_or_features_renders_its_text() {
    // VitePress sites that draw their home page with a component of their own.
    let site = Site::of_files(&[
        (
            "index.md",
            "---\ntitle: Vitest\nlayout: home\n---\n\n<Home />\n\nWelcome.\n",
        ),
        ("guide.md", "# Guide\n"),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let home = page(&server, "/");
    assert!(home.contains("Welcome."), "{home}");
    assert!(!home.contains("class=\"hero\""), "{home}");
}

#[test]
fn landing_page_renders_hero_and_features() {
    let site = Site::of_files(&[
        (
            "index.md",
            "---\nlayout: home\nhero:\n  name: Folio\n  text: Docs that serve themselves\n  tagline: Fast & small\n  image: /logo.svg\n  actions:\n    - theme: brand\n      text: Get started\n      link: /guide/start\n    - theme: alt\n      text: Relative\n      link: guide/other\n    - theme: alt\n      text: Dotted\n      link: ./guide/other.md\nfeatures:\n  - icon: \"⚡\"\n    title: Quick\n    details: It is <fast>\n    link: guide/start\n  - title: Plain\n    details: No link\n---\n",
        ),
        ("guide/start.md", "# Start\n"),
        ("guide/other.md", "# Other\n"),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let home = page(&server, "/");
    assert_eq!(
        title(&home),
        "Folio",
        "the hero names the site and the page"
    );
    let hero = between(&home, "<section class=\"hero\">", "</section>");
    assert_in_order(
        hero,
        &[
            "<h1 class=\"hero-name\">Folio</h1>",
            "<p class=\"hero-title\">Docs that serve themselves</p>",
            "<p class=\"hero-tagline\">Fast &amp; small</p>",
            "<a class=\"action action-brand\" href=\"/guide/start\">Get started</a>",
            "<a class=\"action action-alt\" href=\"/guide/other\">Relative</a>",
            "<a class=\"action action-alt\" href=\"/guide/other\">Dotted</a>",
            "<img class=\"hero-image\" src=\"/logo.svg\"",
        ],
    );
    let features = between(&home, "<ul class=\"features\">", "</ul>");
    assert_in_order(
        features,
        &[
            "<span class=\"feature-icon\" aria-hidden=\"true\">⚡</span>",
            "<h2 class=\"feature-title\"><a href=\"/guide/start\">Quick</a></h2>",
            "<p>It is &lt;fast&gt;</p>",
            "<h2 class=\"feature-title\">Plain</h2>",
        ],
    );
}

#[test]
fn titles_never_say_index() {
    let site = Site::of_files(&[
        (
            "index.md",
            "---\ndescription: the root\n---\nNo heading at the root.\n",
        ),
        ("guide/index.md", "---\n---\n\nNo heading here.\n"),
        ("guide/page.md", "# Page\n"),
        ("bare/README.md", "Just text.\n"),
        ("bare/x.md", "# X\n"),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    assert_eq!(title(&page(&server, "/guide")), "Guide | folio");
    assert_eq!(title(&page(&server, "/bare")), "Bare | folio");
    let page_html = page(&server, "/guide/page");
    for html in [page(&server, "/"), page_html] {
        let lowered = html.to_lowercase();
        assert!(!lowered.contains(">index<"), "{html}");
        assert!(!lowered.contains(">readme<"), "{html}");
        assert!(!title(&lowered).contains("index"), "{}", title(&lowered));
    }
}

const MDX: &str = "\
import { Tabs, Tab } from './tabs'
export const meta = { x: 1 }

# Component page

<Tabs>
  <Tab label=\"One\">Inner words stay</Tab>
</Tabs>

## Real heading

Text after.
";

#[test]
fn mdx_pages_are_served_as_markdown() {
    let site = Site::of_files(&[
        ("index.md", "# Home\n\nSee [it](guide/comp.mdx).\n"),
        ("guide/comp.mdx", MDX),
    ]);
    let server = Server::start(&site, &["--no-watch"]);
    let html = page(&server, "/guide/comp");
    assert_eq!(title(&html), "Component page | folio");
    let body = article(&html);
    assert!(body.contains("Inner words stay"), "{body}");
    assert!(body.contains("<h2 id=\"real-heading\">"), "{body}");
    for hidden in ["import", "export", "Tabs", "<Tab"] {
        assert!(!body.contains(hidden), "{hidden} in {body}");
    }
    assert!(article(&page(&server, "/")).contains("<a href=\"/guide/comp\">it</a>"));
    let redirect = server.get("/guide/comp.mdx");
    assert_eq!(redirect.status, 308);
    assert_eq!(location(&server, &redirect), "/guide/comp");
}

#[test]
fn check_reports_dead_links_images_and_mdx_count() {
    let site = Site::of_files(&[
        (
            "index.md",
            "# Welcome\n\nA [dead](guide/missing.md) link.\n\nAn ![image](img/none.png) and a [file](files/gone.pdf).\n\n\
             A [bad anchor](guide/comp.mdx#nowhere) and a [good one](guide/comp.mdx#real-heading).\n",
        ),
        ("guide/comp.mdx", MDX),
        ("guide/also.mdx", "# Also\n"),
    ]);
    let output = site.run(&["check"]);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "warnings only: {printed}");
    let index = site.content().join("index.md");
    let index = index.display();
    for expected in [
        format!(
            "{index}:3: warning: link to guide/missing.md: no page is served at /guide/missing"
        ),
        format!("{index}:5: warning: link to img/none.png: no file img/none.png in the content"),
        format!(
            "{index}:5: warning: link to files/gone.pdf: no file files/gone.pdf in the content"
        ),
        format!(
            "{index}:7: warning: link to guide/comp.mdx#nowhere: /guide/comp has no heading with id \"nowhere\""
        ),
        "2 .mdx pages served as Markdown".to_string(),
    ] {
        assert!(
            printed.contains(&expected),
            "missing {expected:?} in\n{printed}"
        );
    }
    assert!(!printed.contains("real-heading"), "{printed}");
    assert_eq!(printed.matches("warning").count(), 4, "{printed}");
}

#[test]
fn editing_the_summary_changes_every_sidebar() {
    let site = book();
    let server = Server::start(&site, &["--poll"]);
    let events = listen(&server);
    site.write("text/extra.md", &heading("Extra"));
    site.write(
        "text/SUMMARY.md",
        &SUMMARY.replace(
            "[Credits](credits.md)",
            "- [Extra](extra.md)\n\n[Credits](credits.md)",
        ),
    );
    for url in ["/preface", "/guide/linux", "/credits"] {
        eventually(&format!("Extra in {url}'s sidebar"), || {
            sidebar(&server.get(url).body).contains("<a href=\"/extra\">Extra</a>")
        });
    }
    expect_event(&events, "with navigation", |e| e["navigation"] == true);
    assert_in_order(
        sidebar(&page(&server, "/extra")),
        &[
            "<a href=\"/config\">Config</a>",
            "<a href=\"/extra\" aria-current=\"page\">Extra</a>",
            "<a href=\"/credits\">Credits</a>",
        ],
    );
}

#[test]
fn adding_retitling_and_removing_a_page_change_every_sidebar() {
    let site = tree();
    let server = Server::start(&site, &["--poll"]);
    let events = listen(&server);
    let sidebars = |needle: &str| {
        ["/", "/guide/install", "/steps/one"]
            .iter()
            .all(|url| sidebar(&server.get(url).body).contains(needle))
    };

    site.write("steps/three.md", "# Step 3\n");
    eventually("the new page in every sidebar", || {
        sidebars("<a href=\"/steps/three\">Step 3</a>")
    });
    expect_event(&events, "for the new page", |e| e["navigation"] == true);

    site.write("steps/three.md", "# Step 30\n");
    eventually("the new title in every sidebar", || {
        sidebars("<a href=\"/steps/three\">Step 30</a>")
    });
    expect_event(&events, "for the retitle", |e| e["navigation"] == true);
    assert_in_order(
        sidebar(&page(&server, "/")),
        &["Step 2<", "Step 10<", "Step 30<"],
    );

    std::fs::remove_file(site.content().join("steps/three.md")).unwrap();
    eventually("the page gone from every sidebar", || {
        !sidebars("/steps/three") && sidebars("/steps/two")
    });
    expect_event(&events, "for the removal", |e| e["navigation"] == true);
}

#[test]
fn writing_a_nav_file_live_takes_over_every_sidebar() {
    let site = tree();
    let server = Server::start(&site, &["--poll"]);
    let events = listen(&server);
    site.write(
        "_nav.md",
        "# Summary\n\n# Chosen\n\n- [Ten first](steps/ten.md)\n- [The API](ref/api.md)\n",
    );
    for url in ["/", "/guide/install", "/steps/one"] {
        eventually(&format!("_nav.md in {url}'s sidebar"), || {
            let html = server.get(url).body;
            let nav = sidebar(&html);
            let chosen = nav.find("<li class=\"part\"><span>Chosen</span></li>");
            chosen.is_some()
                && chosen < nav.find("<a href=\"/guide\">")
                && nav.contains("<a href=\"/steps/ten\">Ten first</a>")
        });
    }
    expect_event(&events, "with navigation", |e| e["navigation"] == true);
    assert_eq!(server.get("/_nav").status, 404);

    std::fs::remove_file(site.content().join("_nav.md")).unwrap();
    eventually("the folders' navigation back", || {
        !sidebar(&server.get("/steps/one").body).contains("Chosen")
    });
    assert_in_order(
        sidebar(&page(&server, "/steps/one")),
        &["Step 1<", "Step 2<", "Step 10<"],
    );
}
