//! Word expansion against the index's own vocabulary: typos to the words the index
//! holds, and unfinished words to their likeliest completions. Both give real terms,
//! so what they find is ranked by BM25 like any word typed in full.

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use std::collections::HashMap;
use std::sync::LazyLock;
use tantivy::Searcher;
use tantivy::schema::Field;
use tantivy_fst::Automaton;

/// Automaton builders are costly to make and cheap to use: one per distance.
static BUILDERS: LazyLock<[LevenshteinAutomatonBuilder; 2]> = LazyLock::new(|| {
    [
        LevenshteinAutomatonBuilder::new(1, true),
        LevenshteinAutomatonBuilder::new(2, true),
    ]
});

/// The most terms a typo or a prefix expands to.
const MAX_EXPANSIONS: usize = 3;

/// A prefix is not expanded past this many terms of the dictionary.
const MAX_PREFIX_SCAN: usize = 4096;

struct Levenshtein<'a>(&'a DFA);

impl Automaton for Levenshtein<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// The index terms within `distance` edits of any of `forms` (a transposition counts
/// as one edit), nearest first, then most frequent.
pub fn corrections(
    searcher: &Searcher,
    fields: &[Field],
    forms: &[&str],
    distance: u8,
) -> Vec<String> {
    let builder = &BUILDERS[usize::from(distance.clamp(1, 2)) - 1];
    let mut found: HashMap<String, (u8, u64)> = HashMap::new();
    for form in forms {
        let dfa = builder.build_dfa(form);
        for segment in searcher.segment_readers() {
            for field in fields {
                let Ok(index) = segment.inverted_index(*field) else {
                    continue;
                };
                let Ok(mut stream) = index.terms().search(Levenshtein(&dfa)).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    let edits = match dfa.eval(term) {
                        Distance::Exact(d) => d,
                        Distance::AtLeast(_) => continue,
                    };
                    let entry = found.entry(term.to_string()).or_insert((edits, 0));
                    entry.0 = entry.0.min(edits);
                    entry.1 += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    best(
        found
            .into_iter()
            .map(|(term, (edits, freq))| (term, (edits, u64::MAX - freq))),
    )
}

/// The most frequent index terms that start with `prefix` (longer than it).
pub fn completions(searcher: &Searcher, fields: &[Field], prefix: &str) -> Vec<String> {
    let mut found: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in fields {
            let Ok(index) = segment.inverted_index(*field) else {
                continue;
            };
            let Ok(mut stream) = index.terms().range().ge(prefix.as_bytes()).into_stream() else {
                continue;
            };
            let mut scanned = 0;
            while stream.advance() && scanned < MAX_PREFIX_SCAN {
                scanned += 1;
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                let Ok(term) = std::str::from_utf8(key) else {
                    continue;
                };
                if term.len() > prefix.len() {
                    *found.entry(term.to_string()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    best(
        found
            .into_iter()
            .map(|(term, freq)| (term, (0, u64::MAX - freq))),
    )
}

/// The [`MAX_EXPANSIONS`] terms with the smallest keys (ties broken by the term).
fn best(candidates: impl Iterator<Item = (String, (u8, u64))>) -> Vec<String> {
    let mut candidates: Vec<(String, (u8, u64))> = candidates.collect();
    candidates.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    candidates
        .into_iter()
        .take(MAX_EXPANSIONS)
        .map(|(term, _)| term)
        .collect()
}
