//! In-process costs on the bundled content: parsing and rendering a page, building the
//! index, and queries (exact, fuzzy, phrase, prefix, a code; each with its snippets),
//! measured without the results cache, plus one answered from it.

use criterion::{Criterion, criterion_group, criterion_main};
use folio::content::{Navigation, Page, Site, parse_page};
use folio::index::{SearchIndex, SearchRequest};
use folio::render::{Options, Renderer};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

fn pages(c: &mut Criterion) {
    let bytes = std::fs::read("content/502.md").expect("content/502.md");
    let renderer = Renderer::new(Path::new("templates"), &Options::default()).expect("templates");
    let mut group = c.benchmark_group("page");
    group.bench_function("parse", |b| {
        b.iter(|| parse_page(Path::new("502.md"), black_box(&bytes)))
    });
    let site = folio::content::load(&folder(Path::new("content"))).expect("content/ loads");
    let nav = Navigation::from_folders(&site.listings(), "en");
    let page = site.shared_page("/502").expect("502 parses");
    group.bench_function("render with navigation", |b| {
        b.iter(|| renderer.page(black_box(page), &nav).expect("renders"))
    });
    group.finish();
}

fn index(c: &mut Criterion) {
    let site = folio::content::load(&folder(Path::new("content"))).expect("content/ loads");
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function("load content/", |b| {
        b.iter(|| folio::content::load(black_box(&folder(Path::new("content")))).expect("loads"))
    });
    group.bench_function("build in memory", |b| {
        b.iter(|| in_memory(black_box(&site)))
    });
    group.finish();
}

/// The bundled content folder, read with the default limits.
fn folder(path: &Path) -> folio::content::ContentFolder {
    folio::content::ContentFolder::new(path, folio::config::DEFAULT_MAX_PAGE_BYTES)
}

/// The index of `site`, held in memory, with the bundled synonyms.
fn in_memory(site: &Site) -> SearchIndex {
    let synonyms =
        folio::index::synonyms::read(&folder(Path::new("content"))).expect("synonyms read");
    let searched = folio::index::Searched {
        facets: vec!["class".to_string()],
        languages: site.locales.clone(),
    };
    let index = SearchIndex::in_memory(&searched, &synonyms).expect("builds");
    index.replace_all(&site.pages).expect("fills");
    index
}

fn queries(c: &mut Criterion) {
    let site = folio::content::load(&folder(Path::new("content"))).expect("content/ loads");
    let index = in_memory(&site);
    let pages: HashMap<String, Arc<Page>> = site
        .pages
        .iter()
        .map(|page| (page.url.clone(), page.clone()))
        .collect();
    let mut group = c.benchmark_group("search");
    for (name, query) in [
        ("exact", "upstream invalid response"),
        ("fuzzy", "bad gatewy"),
        ("phrase", "\"too many requests\""),
        ("prefix", "gatew"),
        ("code", "http 502"),
    ] {
        let request = SearchRequest {
            query,
            limit: 10,
            filters: &[],
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                index
                    .search_uncached(black_box(&request), &pages)
                    .expect("search runs")
            })
        });
    }
    let request = SearchRequest {
        query: "upstream invalid response",
        limit: 10,
        filters: &[],
    };
    group.bench_function("exact, cached", |b| {
        b.iter(|| {
            index
                .search(black_box(&request), &pages)
                .expect("search runs")
        })
    });
    group.bench_function("suggest", |b| {
        b.iter(|| index.suggest(black_box("gatew"), 8).expect("suggest runs"))
    });
    group.finish();
}

criterion_group!(benches, pages, index, queries);
criterion_main!(benches);
