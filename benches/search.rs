//! Query latency on the bundled content: exact, fuzzy, phrase, prefix, with snippets.

use criterion::{Criterion, criterion_group, criterion_main};
use folio::index::{SearchIndex, SearchRequest};
use std::hint::black_box;
use std::path::Path;

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
            b.iter(|| index.search(black_box(&request)).expect("search runs"))
        });
    }
    group.bench_function("suggest", |b| {
        b.iter(|| index.suggest(black_box("gatew"), 8).expect("suggest runs"))
    });
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
