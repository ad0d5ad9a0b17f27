//! Search relevance on the running server: P@1 and MRR floors on our own query sets
//! (tests/relevance/*.jsonl), for the bundled content and MDN's status pages.

use crate::support::{Site, encode, repo, shared};
use std::path::Path;

struct Scores {
    precision_at_1: f64,
    mrr: f64,
    misses: Vec<String>,
}

/// Runs every query of `queries` against a server on `content` and scores the pages
/// (fragments dropped, each page counted once), as ../shared/eval/relevance.py does.
fn evaluate(content: &Path, queries: &Path) -> Scores {
    let site = Site::copy_of(content);
    let server = site.serve();
    let lines = std::fs::read_to_string(queries).expect("query set");
    let (mut first, mut reciprocal, mut count) = (0.0, 0.0, 0.0);
    let mut misses = Vec::new();
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("query line is JSON");
        let query = case["q"].as_str().unwrap();
        let expected: Vec<&str> = case["expect"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u.as_str())
            .collect();
        let response = server.get(&format!("/api/search?limit=10&q={}", encode(query)));
        assert_eq!(response.status, 200, "{query}");
        let mut pages: Vec<String> = Vec::new();
        for hit in response.json()["hits"].as_array().unwrap() {
            let url = hit["url"]
                .as_str()
                .unwrap()
                .split('#')
                .next()
                .unwrap()
                .to_string();
            if !pages.contains(&url) {
                pages.push(url);
            }
        }
        let rank = pages
            .iter()
            .position(|url| expected.contains(&url.as_str()));
        count += 1.0;
        if rank == Some(0) {
            first += 1.0;
        } else {
            misses.push(format!("{query:?}: got {:?}", pages.first()));
        }
        reciprocal += rank.map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
    }
    Scores {
        precision_at_1: first / count,
        mrr: reciprocal / count,
        misses,
    }
}

impl Scores {
    /// Fails, listing the misses, when P@1 or MRR is under its floor.
    fn assert_at_least(&self, precision_at_1: f64, mrr: f64) {
        assert!(
            self.precision_at_1 >= precision_at_1 && self.mrr >= mrr,
            "P@1 {:.3}, MRR {:.3}; misses: {:#?}",
            self.precision_at_1,
            self.mrr,
            self.misses
        );
    }
}

#[test]
fn search_ranks_the_right_page_first_on_the_bundled_content() {
    evaluate(
        &repo().join("content"),
        &repo().join("tests/relevance/content.jsonl"),
    )
    .assert_at_least(0.92, 0.95);
}

#[test]
fn search_ranks_the_right_page_first_on_mdn_status_pages() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared is not beside the repository");
        return;
    };
    evaluate(
        &shared.join("corpora/mdn-http-status"),
        &repo().join("tests/relevance/mdn.jsonl"),
    )
    .assert_at_least(0.90, 0.95);
}
