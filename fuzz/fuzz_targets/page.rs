//! The page parser on any bytes: frontmatter (strict, repaired, or line by line),
//! Markdown, JSON-LD, headings and links, then rendering through the real templates.
//! It must never panic, and the rendered page must never let JSON-LD out of its script.

#![no_main]

use folio::content::parse_page;
use folio::render::{Options, Renderer};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| {
        let options = Options {
            title: "Fuzz",
            site_url: "",
            base_path: "",
            live: false,
        };
        Renderer::new(Path::new("/nonexistent"), &options).expect("embedded templates")
    })
}

fuzz_target!(|bytes: &[u8]| {
    let (page, _warnings) = parse_page(Path::new("fuzz/page.md"), bytes);
    if let Ok(page) = page {
        for json_ld in &page.json_ld {
            assert!(!json_ld.to_ascii_lowercase().contains("</script"));
        }
        let _ = renderer().page(&page);
    }
});
