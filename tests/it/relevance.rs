//! Search relevance on the running server: P@1 and MRR floors on our own query sets
//! (tests/relevance/*.jsonl), for the bundled content, MDN's status pages and the
//! corpora in ../shared: tldr (English, and in Chinese and German on the whole tree of
//! translations), the VitePress docs and the mdBook guide. Each test prints its scores
//! and misses (`cargo test --release --test it relevance -- --nocapture`).
//!
//! On tldr, P@1 is also measured on the queries worded as the page: those whose every
//! word but the stop words stands on an expected page, as search reads words in the
//! set's language. The others are paraphrases (`keep mac awake` for a page that says
//! "prevent sleep") or typos, which no reading of the page's own words can match.

use crate::support::{Server, Site, encode, repo, shared};
use folio::index::analysis::Analysis;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

struct Scores {
    set: String,
    precision_at_1: f64,
    mrr: f64,
    misses: Vec<String>,
    /// Of the queries worded as the page (when measured): how many found it first, and
    /// how many there are.
    worded: Option<(f64, f64)>,
}

/// Where the pages behind the expected URLs are, and the language their words are read
/// in: what tells a query worded as the page from a paraphrase.
struct Wording<'a> {
    content: &'a Path,
    language: &'a str,
}

impl Wording<'_> {
    /// Whether one of the `expected` pages holds every word of `query` but its stop
    /// words, stemmed as search stems them.
    fn as_a_page(&self, query: &str, expected: &[&str]) -> bool {
        let mut analysis = Analysis::of(self.language);
        let written = terms(&mut analysis.exact, query);
        let stems = terms(&mut analysis.stemmed, query);
        let words: Vec<&String> = stems
            .iter()
            .zip(&written)
            .filter(|(_, written)| !analysis.is_stop_word(written))
            .map(|(stem, _)| stem)
            .collect();
        expected.iter().any(|url| {
            let path = url.trim_start_matches('/');
            let file = [format!("{path}.md"), format!("{path}/index.md")]
                .into_iter()
                .map(|file| self.content.join(file))
                .find(|file| file.is_file());
            let Some(text) = file.and_then(|file| std::fs::read_to_string(file).ok()) else {
                return false;
            };
            let held: HashSet<String> = terms(&mut analysis.stemmed, &text).into_iter().collect();
            words.iter().all(|word| held.contains(*word))
        })
    }
}

/// The terms `analyzer` makes of `text`.
fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

/// Runs every query of `queries` against a server on a copy of `content`.
fn evaluate(content: &Path, queries: &Path) -> Scores {
    let site = Site::copy_of(content);
    score(&site.serve(), queries, None)
}

/// Serves an unpacked corpus as it is (read once, not watched) and runs `set` against it.
fn evaluate_unpacked(site: &Site, set: &str, language: Option<&str>) -> Scores {
    let content = site.content();
    let wording = language.map(|language| Wording {
        content: &content,
        language,
    });
    score(
        &Server::start(site, &["--no-watch"]),
        &repo().join("tests/relevance").join(set),
        wording,
    )
}

/// Runs every query of `queries` against `server`, once every page has loaded, and
/// scores the pages (fragments dropped, each page counted once), as
/// ../shared/eval/relevance.py does; with `wording`, scores the queries worded as the
/// page apart too.
fn score(server: &Server, queries: &Path, wording: Option<Wording>) -> Scores {
    let deadline = Instant::now() + Duration::from_secs(120);
    while server.readyz()["loaded"] != true {
        assert!(Instant::now() < deadline, "the site did not load in 120 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let lines = std::fs::read_to_string(queries).expect("query set");
    let (mut first, mut reciprocal, mut count) = (0.0, 0.0, 0.0);
    let mut worded = wording.as_ref().map(|_| (0.0, 0.0));
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
        let as_a_page = wording
            .as_ref()
            .is_some_and(|wording| wording.as_a_page(query, &expected));
        if let Some((found, of)) = worded.as_mut().filter(|_| as_a_page) {
            *of += 1.0;
            *found += f64::from(u8::from(rank == Some(0)));
        }
        count += 1.0;
        if rank == Some(0) {
            first += 1.0;
        } else {
            let worded = if as_a_page {
                " (worded as the page)"
            } else {
                ""
            };
            misses.push(format!("{query:?}: got {:?}{worded}", pages.first()));
        }
        reciprocal += rank.map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
    }
    Scores {
        set: queries.file_name().unwrap().to_string_lossy().into_owned(),
        precision_at_1: first / count,
        mrr: reciprocal / count,
        misses,
        worded,
    }
}

impl Scores {
    /// Prints the scores and the misses, then fails, listing the misses, when P@1 or MRR
    /// is under its floor.
    fn assert_at_least(&self, precision_at_1: f64, mrr: f64) {
        eprintln!(
            "{}: P@1 {:.3}, MRR {:.3}, {} misses at 1:",
            self.set,
            self.precision_at_1,
            self.mrr,
            self.misses.len()
        );
        for miss in &self.misses {
            eprintln!("  {miss}");
        }
        if let Some((found, of)) = self.worded {
            eprintln!(
                "{}: worded as the page: P@1 {:.3} ({found} of {of})",
                self.set,
                found / of
            );
        }
        assert!(
            self.precision_at_1 >= precision_at_1 && self.mrr >= mrr,
            "P@1 {:.3}, MRR {:.3}; misses: {:#?}",
            self.precision_at_1,
            self.mrr,
            self.misses
        );
    }

    /// Fails when P@1 on the queries worded as the page is under `precision_at_1`.
    fn assert_worded_at_least(&self, precision_at_1: f64) {
        let (found, of) = self
            .worded
            .expect("measured on the queries worded as the page");
        assert!(
            of > 0.0 && found / of >= precision_at_1,
            "worded as the page: P@1 {found} of {of}"
        );
    }
}

#[test]
fn search_ranks_the_right_page_first_on_the_bundled_content() {
    evaluate(
        &repo().join("content"),
        &repo().join("tests/relevance/content.jsonl"),
    )
    .assert_at_least(0.95, 0.97);
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
    .assert_at_least(0.94, 0.96);
}

#[test]
fn search_ranks_the_right_page_first_on_tldr_in_english() {
    let Some(site) = Site::unpack("tldr-pages", "pages") else {
        return;
    };
    // floor: the scores search reaches, less about one query.
    let scores = evaluate_unpacked(&site, "tldr-en.jsonl", Some("en"));
    scores.assert_at_least(0.46, 0.56);
    scores.assert_worded_at_least(0.70);
}

#[test]
fn search_ranks_the_right_page_first_on_tldr_in_chinese() {
    let Some(tree) = tldr_tree() else {
        return;
    };
    // floor: the scores search reaches, less about one query.
    let scores = tldr_set(&tree, "tldr-zh.jsonl", "zh");
    scores.assert_at_least(0.53, 0.63);
    scores.assert_worded_at_least(0.76);
}

#[test]
fn search_ranks_the_right_page_first_on_tldr_in_german() {
    let Some(tree) = tldr_tree() else {
        return;
    };
    // floor: the scores search reaches, less about one query.
    let scores = tldr_set(&tree, "tldr-de.jsonl", "de");
    scores.assert_at_least(0.46, 0.56);
    scores.assert_worded_at_least(0.8);
}

#[test]
fn search_ranks_the_right_page_first_on_the_vitepress_docs() {
    let Some(site) = Site::unpack("vitepress-docs", "vitepress-docs") else {
        return;
    };
    // floor: the scores search reaches, less about one query.
    evaluate_unpacked(&site, "vitepress.jsonl", None).assert_at_least(0.875, 0.9);
}

#[test]
fn search_ranks_the_right_page_first_on_the_mdbook_guide() {
    let Some(site) = Site::unpack("mdbook-guide", "mdbook-guide") else {
        return;
    };
    // floor: the scores search reaches, less about one query.
    evaluate_unpacked(&site, "mdbook.jsonl", None).assert_at_least(0.91, 0.92);
}

/// Runs `set` against the whole tldr tree, its queries worded as the page measured in
/// `language`.
fn tldr_set(tree: &(Site, Server), set: &str, language: &str) -> Scores {
    let content = tree.0.content();
    let wording = Wording {
        content: &content,
        language,
    };
    let queries = repo().join("tests/relevance").join(set);
    score(&tree.1, &queries, Some(wording))
}

/// The whole tldr tree (every `pages*` folder, 38k pages), unpacked and served once for
/// the test process and shared by the sets in translation; `None` when the corpus is
/// not there. A static is never dropped, so the tree lives in `CARGO_TARGET_TMPDIR`,
/// under a folder emptied at its first use in each run.
fn tldr_tree() -> Option<MutexGuard<'static, (Site, Server)>> {
    static TREE: OnceLock<Option<Mutex<(Site, Server)>>> = OnceLock::new();
    let tree = TREE.get_or_init(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("relevance-tldr");
        let _ = std::fs::remove_dir_all(&parent);
        std::fs::create_dir_all(&parent).expect("a folder in CARGO_TARGET_TMPDIR");
        let site = Site::unpack_in(&parent, "tldr-pages", "")?;
        let server = Server::start(&site, &["--no-watch"]);
        Some(Mutex::new((site, server)))
    });
    Some(
        tree.as_ref()?
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    )
}
