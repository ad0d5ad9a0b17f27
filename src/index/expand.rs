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

/// The index's words within `distance` edits of `word` (a transposition counts as
/// one edit), likeliest first: the nearest, then among equals a transposition before
/// other edits (`chnage` is `change` before `chage`), then the most pages.
pub fn corrections(searcher: &Searcher, field: Field, word: &str, distance: u8) -> Vec<String> {
    let builder = &BUILDERS[usize::from(distance.clamp(1, 2)) - 1];
    let dfa = builder.build_dfa(word);
    let mut found: HashMap<String, (u8, u64)> = HashMap::new();
    for segment in searcher.segment_readers() {
        let Ok(index) = segment.inverted_index(field) else {
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
                Distance::Exact(d) if term != word => d,
                _ => continue,
            };
            let entry = found.entry(term.to_string()).or_insert((edits, 0));
            entry.1 += u64::from(stream.value().doc_freq);
        }
    }
    let mut ranked: Vec<(String, (u8, bool, u64))> = found
        .into_iter()
        .map(|(term, (edits, pages))| {
            let swapped = is_transposition(word, &term);
            (term, (edits, !swapped, u64::MAX - pages))
        })
        .collect();
    ranked.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    // Only the likeliest kind of edit, and only words nearly as common as the best:
    // a rare word one edit away (a command named `chage`) must not outweigh the
    // common one meant (`change`), as its rarity would make it score.
    let Some((_, (edits, other_edit, rarity))) = ranked.first().cloned() else {
        return Vec::new();
    };
    let best_pages = u64::MAX - rarity;
    ranked
        .into_iter()
        .filter(|(_, (e, o, r))| {
            (*e, *o) == (edits, other_edit) && (u64::MAX - r) * COMMON_ENOUGH >= best_pages
        })
        .take(MAX_EXPANSIONS)
        .map(|(term, _)| term)
        .collect()
}

/// A correction is kept when it is in at least this fraction (1/n) of the pages of
/// the likeliest one.
const COMMON_ENOUGH: u64 = 4;

/// Whether `b` is `a` with two neighbouring characters swapped.
fn is_transposition(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() != b.len() {
        return false;
    }
    let differ: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(differ[..], [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i])
}

/// The index's words that start with `prefix` (longer than it), with how many pages
/// hold each, the most common first.
pub fn completions(searcher: &Searcher, field: Field, prefix: &str) -> Vec<(String, u64)> {
    let mut found: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let Ok(index) = segment.inverted_index(field) else {
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
                *found.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut ranked: Vec<(String, u64)> = found.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(MAX_EXPANSIONS);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transposition_is_two_neighbours_swapped() {
        assert!(is_transposition("chnage", "change"));
        assert!(!is_transposition("chnage", "chage"));
        assert!(!is_transposition("abc", "cba"));
        assert!(!is_transposition("same", "same"));
    }
}
