//! Code blocks as served: a page with a fenced TypeScript block comes back highlighted
//! with CSS classes, and the stylesheet it links colours those classes.

use crate::support::Site;

#[test]
fn a_served_page_highlights_its_code_and_its_stylesheet_colours_it() {
    let site = Site::of_files(&[]);
    site.write(
        "config.md",
        "# Config\n\n```ts{2} [vite.config.ts]\nimport { defineConfig } from 'vite'\nexport default defineConfig({ base: '/docs/' }) // [!code ++]\n```\n",
    );
    let server = site.serve();
    let page = server.get("/config");
    assert_eq!(page.status, 200, "{}", page.body);
    let html = &page.body;
    assert!(
        html.contains("<div class=\"code-block\" data-lang=\"ts\" data-highlighted>\n<div class=\"code-title\">vite.config.ts</div>\n<pre class=\"code\"><code class=\"language-ts\">"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"l-keyword-import\">import</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"line highlighted diff add\">"),
        "{html}"
    );
    assert!(!html.contains("[!code"), "{html}");

    let at = html.find("/assets/folio.").expect("a stylesheet link");
    let end = at + html[at..].find('"').expect("the link ends");
    let css = server.get(&html[at..end]);
    assert_eq!(css.status, 200);
    assert!(
        css.body.contains(".code .l-keyword-import { color:"),
        "no token colours"
    );
    assert!(css.body.contains("@media (prefers-color-scheme: dark)"));
}
