//! In-process costs on the bundled content: parsing and rendering a page, building the
//! index, and queries (exact, fuzzy, phrase, prefix, a code; each with its snippets),
//! measured without the results cache, plus one answered from it.

use criterion::{Criterion, criterion_group, criterion_main};
use folio::content::parse_page;
use folio::index::{SearchIndex, SearchRequest};
use folio::render::{Options, Renderer};
use std::hint::black_box;
use std::path::Path;

fn pages(c: &mut Criterion) {
    let bytes = std::fs::read("content/502.md").expect("content/502.md");
    let renderer = Renderer::new(Path::new("templates"), &Options::default()).expect("templates");
    let mut group = c.benchmark_group("page");
    group.bench_function("parse", |b| {
        b.iter(|| parse_page(Path::new("502.md"), black_box(&bytes)))
    });
    let page = parse_page(Path::new("502.md"), &bytes)
        .0
        .expect("502 parses");
    group.bench_function("render", |b| {
        b.iter(|| renderer.page(black_box(&page)).expect("renders"))
    });
    group.finish();
}

fn index(c: &mut Criterion) {
    let site = folio::content::load(Path::new("content")).expect("content/ loads");
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function("load content/", |b| {
        b.iter(|| folio::content::load(black_box(Path::new("content"))).expect("loads"))
    });
    group.bench_function("build in memory", |b| {
        b.iter(|| SearchIndex::in_memory(black_box(&site), &["class".to_string()]).expect("builds"))
    });
    group.finish();
}

fn queries(c: &mut Criterion) {
    let site = folio::content::load(Path::new("content")).expect("content/ loads");
    let index = SearchIndex::in_memory(&site, &["class".to_string()]).expect("index builds");
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
                    .search_uncached(black_box(&request))
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
        b.iter(|| index.search(black_box(&request)).expect("search runs"))
    });
    group.bench_function("suggest", |b| {
        b.iter(|| index.suggest(black_box("gatew"), 8).expect("suggest runs"))
    });
    group.finish();
}

criterion_group!(benches, pages, index, queries);
criterion_main!(benches);
