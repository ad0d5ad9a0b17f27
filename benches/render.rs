//! The cost of a page's HTML (`Page::html`, as the server makes it on first request),
//! code highlighting included: each page of content/ and, when they are unpacked, of
//! the tldr English pages (common and linux) timed one by one, with the median and the
//! 99th percentile per corpus; then a criterion benchmark of one page with code.
//!
//! `cargo bench --bench render`; `make bench` unpacks the tldr pages first (into
//! $TMPDIR/folio-bench/tldr).

use criterion::Criterion;
use folio::content::{ContentFolder, LinkMap, Site};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn load(dir: &Path) -> Site {
    let folder = ContentFolder::new(dir, folio::config::DEFAULT_MAX_PAGE_BYTES);
    folio::content::load(&folder).expect("the pages load")
}

fn links(site: &Site) -> LinkMap {
    LinkMap::new(
        site.pages
            .iter()
            .map(|page| (page.source.as_path(), page.url.as_str())),
        &site.locales,
    )
}

/// Each page's render time, one render per page after one warm-up of the first.
fn per_page(sites: &[Site]) -> Vec<Duration> {
    let mut times = Vec::new();
    for site in sites {
        let links = links(site);
        if let Some(first) = site.pages.first() {
            black_box(first.html(&links));
        }
        for page in &site.pages {
            let start = Instant::now();
            black_box(page.html(&links));
            times.push(start.elapsed());
        }
    }
    times
}

fn report(name: &str, mut times: Vec<Duration>) {
    if times.is_empty() {
        println!("{name}: no pages");
        return;
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name}: {} pages, median {:.1} µs, p99 {:.1} µs, slowest {:.1} µs",
        times.len(),
        micros(at(0.5)),
        micros(at(0.99)),
        micros(at(1.0)),
    );
}

/// The tldr English pages, when `make bench` (or the reader) has unpacked them.
fn tldr() -> Option<Vec<PathBuf>> {
    let root = std::env::var_os("TMPDIR")
        .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from)
        .join("folio-bench/tldr/pages");
    let dirs: Vec<PathBuf> = ["common", "linux"]
        .iter()
        .map(|name| root.join(name))
        .filter(|dir| dir.is_dir())
        .collect();
    (!dirs.is_empty()).then_some(dirs)
}

fn main() {
    let content = load(Path::new("content"));
    report("content/", per_page(std::slice::from_ref(&content)));
    match tldr() {
        Some(dirs) => {
            let sites: Vec<Site> = dirs.iter().map(|dir| load(dir)).collect();
            report("tldr common+linux", per_page(&sites));
        }
        None => println!("tldr pages not unpacked: see `make bench`"),
    }

    let body = std::fs::read_to_string("tests/fixtures/markdown/code-blocks.md")
        .expect("tests/fixtures/markdown/code-blocks.md");
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    criterion.bench_function("render a page with code", |b| {
        b.iter(|| folio::content::markdown::render(black_box(&body)))
    });
    criterion.final_summary();
}
