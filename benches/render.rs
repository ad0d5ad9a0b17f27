//! The cost of a page's HTML (`Page::html`, as the server makes it on first request),
//! code highlighting included: each page of content/ and, when they are unpacked, of
//! the tldr English pages and of VitePress's docs (2,000 code blocks) timed one by one,
//! with the median and the 99th percentile per corpus; then a criterion benchmark of
//! one page with code.
//!
//! Each page is rendered once to warm up (a grammar is set up the first time its
//! language is seen in a process: reported as the cold pass's slowest page), then
//! five times; its time is the median of the five.
//!
//! `cargo bench --bench render`; `make bench` unpacks the corpora first (into
//! $TMPDIR/folio-bench/).

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

/// Each page's render time (the median of five, after a warm-up), and the slowest
/// page of the warm-up pass.
fn per_page(sites: &[Site]) -> (Vec<Duration>, Duration) {
    let mut times = Vec::new();
    let mut coldest = Duration::ZERO;
    for site in sites {
        let links = links(site);
        for page in &site.pages {
            let start = Instant::now();
            black_box(page.html(&links));
            coldest = coldest.max(start.elapsed());
        }
        for page in &site.pages {
            let mut runs: Vec<Duration> = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    black_box(page.html(&links));
                    start.elapsed()
                })
                .collect();
            runs.sort();
            times.push(runs[2]);
        }
    }
    (times, coldest)
}

fn report(name: &str, (mut times, coldest): (Vec<Duration>, Duration)) {
    if times.is_empty() {
        println!("{name}: no pages");
        return;
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name}: {} pages, median {:.1} µs, p99 {:.1} µs, slowest {:.1} µs; cold pass slowest {:.1} µs",
        times.len(),
        micros(at(0.5)),
        micros(at(0.99)),
        micros(at(1.0)),
        micros(coldest),
    );
}

/// The benchmark corpora's folder, where `make bench` unpacks them.
fn bench_dir() -> PathBuf {
    std::env::var_os("TMPDIR")
        .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from)
        .join("folio-bench")
}

/// The tldr English pages (every platform), when `make bench` has unpacked them.
fn tldr() -> Option<Vec<PathBuf>> {
    let root = bench_dir().join("tldr/pages");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|dir| dir.is_dir())
        .collect();
    dirs.sort();
    (!dirs.is_empty()).then_some(dirs)
}

fn main() {
    let content = load(Path::new("content"));
    report("content/", per_page(std::slice::from_ref(&content)));
    match tldr() {
        Some(dirs) => {
            let sites: Vec<Site> = dirs.iter().map(|dir| load(dir)).collect();
            report("tldr English", per_page(&sites));
        }
        None => println!("tldr pages not unpacked: see `make bench`"),
    }
    let vitepress = bench_dir().join("vitepress-docs");
    match vitepress.is_dir() {
        true => report("VitePress docs", per_page(&[load(&vitepress)])),
        false => println!("VitePress docs not unpacked: see `make bench`"),
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
