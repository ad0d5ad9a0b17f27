//! Unions of a query's clauses, combined as search needs them: a query's words summed,
//! with a bonus in proportion to the share of them a page holds; and the best of the
//! fields (or of the ways) a word matches in.
//!
//! Written here because Tantivy's unions do not fit these jobs: `BooleanQuery` only
//! sums its clauses, so a bonus for holding the words would need a second query, an
//! intersection of the same words, reading and scoring every word's postings twice and
//! giving nothing to a page that holds all but one; a custom way of combining scores
//! cannot count the words held the same way in every segment, because a union left with
//! one clause in a segment is that clause's scorer alone; and its union buffers 4,096
//! documents' scores at a time, more than the few short postings of a word's fields need.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// How the scores of the clauses a page matches are combined.
#[derive(Debug, Clone, Copy)]
enum Combine {
    /// The sum, times `1 + per_clause × clauses held`.
    Share { per_clause: Score },
    /// The best clause, plus `tie_breaker` times each of the others.
    Best { tie_breaker: Score },
}

/// The sum of the words' queries, times `1 + bonus × share`, where `share` is the part
/// of the `count` words a page holds. `words` are the queries of the words that match
/// something; a word without one still counts, lowering every page's share alike.
pub fn every_word(words: Vec<Box<dyn Query>>, count: usize, bonus: Score) -> Box<dyn Query> {
    let count = count.max(words.len()).max(1);
    Box::new(UnionQuery {
        clauses: words,
        combine: Combine::Share {
            per_clause: bonus / count as Score,
        },
    })
}

/// The best of `clauses` (the fields a word is in, the ways it matches), plus
/// `tie_breaker` times each of the others; `None` when there are none, one clause as
/// it is.
pub fn best_of(mut clauses: Vec<Box<dyn Query>>, tie_breaker: Score) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(Box::new(UnionQuery {
            clauses,
            combine: Combine::Best { tie_breaker },
        })),
    }
}

#[derive(Debug)]
struct UnionQuery {
    clauses: Vec<Box<dyn Query>>,
    combine: Combine,
}

impl Clone for UnionQuery {
    fn clone(&self) -> Self {
        UnionQuery {
            clauses: self
                .clauses
                .iter()
                .map(|clause| clause.box_clone())
                .collect(),
            combine: self.combine,
        }
    }
}

impl Query for UnionQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let clauses = self
            .clauses
            .iter()
            .map(|clause| clause.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(UnionWeight {
            clauses,
            combine: self.combine,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct UnionWeight {
    clauses: Vec<Box<dyn Weight>>,
    combine: Combine,
}

impl Weight for UnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut clauses = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            let scorer = clause.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                clauses.push(scorer);
            }
        }
        if clauses.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(UnionScorer::new(clauses, self.combine)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scores = Vec::new();
        let mut held = Vec::new();
        for clause in &self.clauses {
            let mut scorer = clause.scorer(reader, 1.0)?;
            if scorer.seek(doc) == doc {
                scores.push(scorer.score());
                held.push(clause.explain(reader, doc)?);
            }
        }
        if held.is_empty() {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document #{doc} matches none of the clauses"
            )));
        }
        let score = combined(self.combine, scores.into_iter());
        let mut explanation = Explanation::new_with_string(format!("{:?}", self.combine), score);
        held.into_iter()
            .for_each(|clause| explanation.add_detail(clause));
        Ok(explanation)
    }
}

/// The scores of the clauses a page matches, combined.
fn combined(combine: Combine, scores: impl Iterator<Item = Score>) -> Score {
    let (mut sum, mut best, mut held) = (0.0, 0.0, 0.0);
    for score in scores {
        sum += score;
        best = Score::max(best, score);
        held += 1.0;
    }
    match combine {
        Combine::Share { per_clause } => sum * (1.0 + per_clause * held),
        Combine::Best { tie_breaker } => best + tie_breaker * (sum - best),
    }
}

/// The union of the clauses' scorers, each at or past the current document. The
/// document each is on is kept beside it: moving on looks through those numbers, and
/// calls only the scorers on the current document.
struct UnionScorer {
    clauses: Vec<Box<dyn Scorer>>,
    /// The document each clause's scorer is on.
    docs: Vec<DocId>,
    combine: Combine,
    doc: DocId,
}

impl UnionScorer {
    fn new(clauses: Vec<Box<dyn Scorer>>, combine: Combine) -> UnionScorer {
        let docs = clauses.iter().map(|clause| clause.doc()).collect();
        let mut union = UnionScorer {
            clauses,
            docs,
            combine,
            doc: TERMINATED,
        };
        union.take_next();
        union
    }

    /// Moves to the first document a clause is on.
    fn take_next(&mut self) -> DocId {
        self.doc = self.docs.iter().copied().min().unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for UnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for (clause, doc) in self.clauses.iter_mut().zip(&mut self.docs) {
            if *doc == current {
                *doc = clause.advance();
            }
        }
        self.take_next()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for (clause, doc) in self.clauses.iter_mut().zip(&mut self.docs) {
            if *doc < target {
                *doc = clause.seek(target);
            }
        }
        self.take_next()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses
            .iter()
            .map(|clause| clause.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for UnionScorer {
    fn score(&mut self) -> Score {
        let current = self.doc;
        let on_doc = self
            .clauses
            .iter_mut()
            .zip(&self.docs)
            .filter(|(_, doc)| **doc == current)
            .map(|(clause, _)| clause.score());
        combined(self.combine, on_doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption, STORED, Schema, TEXT, Value};
    use tantivy::{Index, TantivyDocument, doc};

    /// Each page's score for the query `query_for` makes, in the order of `pages`; the
    /// pages from `split` on are written in a second segment.
    fn scores(
        pages: &[&str],
        split: usize,
        query_for: impl Fn(Field) -> Box<dyn Query>,
    ) -> Vec<Option<Score>> {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let id = builder.add_u64_field("id", STORED);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (at, page) in pages.iter().enumerate() {
            if at == split {
                writer.commit().unwrap();
            }
            writer
                .add_document(doc!(text => *page, id => at as u64))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let query = query_for(text);
        let every_page = TopDocs::with_limit(pages.len().max(1)).order_by_score();
        let hits = searcher.search(query.as_ref(), &every_page).unwrap();
        let mut found = vec![None; pages.len()];
        for (score, address) in hits {
            let doc: TantivyDocument = searcher.doc(address).unwrap();
            let at = doc.get_first(id).and_then(|value| value.as_u64()).unwrap();
            found[at as usize] = Some(score);
        }
        found
    }

    fn words(text: Field, words: &[&str]) -> Vec<Box<dyn Query>> {
        words
            .iter()
            .map(|word| {
                let term = Term::from_field_text(text, word);
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
            })
            .collect()
    }

    fn plain_sum(text: Field, of: &[&str]) -> Box<dyn Query> {
        Box::new(BooleanQuery::union(words(text, of)))
    }

    fn close(a: Option<Score>, b: Option<Score>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-4 * a.abs().max(1.0),
            (a, b) => a == b,
        }
    }

    fn times(score: Option<Score>, factor: Score) -> Option<Score> {
        score.map(|score| score * factor)
    }

    #[test]
    fn the_bonus_grows_with_the_share_of_the_words_a_page_holds() {
        let pages = ["disk usage", "disk space", "usage notes", "nothing here"];
        let plain = scores(&pages, pages.len(), |text| {
            plain_sum(text, &["disk", "usage"])
        });
        let every = scores(&pages, pages.len(), |text| {
            every_word(words(text, &["disk", "usage"]), 2, 1.0)
        });
        assert!(close(every[0], times(plain[0], 2.0)), "{every:?} {plain:?}");
        assert!(close(every[1], times(plain[1], 1.5)), "{every:?} {plain:?}");
        assert!(close(every[2], times(plain[2], 1.5)), "{every:?} {plain:?}");
        assert_eq!(every[3], None);
    }

    #[test]
    fn a_word_without_a_query_still_counts() {
        let pages = ["disk usage", "disk"];
        let plain = scores(&pages, pages.len(), |text| plain_sum(text, &["disk"]));
        let every = scores(&pages, pages.len(), |text| {
            every_word(words(text, &["disk"]), 2, 1.0)
        });
        for (every, plain) in every.iter().zip(&plain) {
            assert!(close(*every, times(*plain, 1.5)), "{every:?} {plain:?}");
        }
    }

    #[test]
    fn a_page_scores_the_same_in_a_segment_where_only_one_word_is_found() {
        // The second segment holds `disk` only: its union is of that one word.
        let pages = ["disk usage", "disk", "usage", "disk"];
        let plain = scores(&pages, 3, |text| plain_sum(text, &["disk", "usage"]));
        let every = scores(&pages, 3, |text| {
            every_word(words(text, &["disk", "usage"]), 2, 1.0)
        });
        assert!(close(every[3], times(plain[3], 1.5)), "{every:?} {plain:?}");
        assert!(close(every[3], every[1]), "{every:?}");
    }

    #[test]
    fn the_best_of_scores_as_tantivys_disjunction_max() {
        let pages = [
            "disk usage",
            "disk space",
            "usage notes",
            "nothing here",
            "disk disk",
        ];
        let ours = scores(&pages, 3, |text| {
            best_of(words(text, &["disk", "usage"]), 0.3).expect("two clauses")
        });
        let theirs = scores(&pages, 3, |text| {
            let clauses = words(text, &["disk", "usage"]);
            Box::new(DisjunctionMaxQuery::with_tie_breaker(clauses, 0.3))
        });
        for (ours, theirs) in ours.iter().zip(&theirs) {
            assert!(close(*ours, *theirs), "{ours:?} against {theirs:?}");
        }
        assert!(best_of(Vec::new(), 0.3).is_none());
    }

    #[test]
    fn explain_gives_the_score() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(text => "disk usage")).unwrap();
        writer.add_document(doc!(text => "disk")).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let query = every_word(words(text, &["disk", "usage"]), 2, 1.0);
        let hits = searcher
            .search(query.as_ref(), &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        assert_eq!(hits.len(), 2);
        for (score, address) in hits {
            let explained = query.explain(&searcher, address).unwrap().value();
            assert!((explained - score).abs() < 1e-4, "{explained} vs {score}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn every_page_scores_its_plain_sum_times_one_plus_the_share_it_holds(
            pages in proptest::collection::vec(
                proptest::collection::vec(0..5usize, 0..6),
                1..12,
            ),
            split in 0..12usize,
            query in proptest::collection::btree_set(0..6usize, 1..4),
        ) {
            // Words 0 to 4 stand on pages; word 5 is on none.
            let vocabulary = ["ant", "bee", "cat", "dog", "eel", "fox"];
            let texts: Vec<String> = pages
                .iter()
                .map(|page| page.iter().map(|&w| vocabulary[w]).collect::<Vec<_>>().join(" "))
                .collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let asked: Vec<&str> = query.iter().map(|&w| vocabulary[w]).collect();
            let plain = scores(&texts, split, |text| plain_sum(text, &asked));
            let every = scores(&texts, split, |text| {
                every_word(words(text, &asked), asked.len(), 1.0)
            });
            // The union inside an intersection is moved by seeking, not advancing.
            let within = scores(&texts, split, |text| {
                let filter = BoostQuery::new(words(text, &[vocabulary[0]]).remove(0), 0.0);
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, every_word(words(text, &asked), asked.len(), 1.0)),
                    (Occur::Must, Box::new(filter) as Box<dyn Query>),
                ]))
            });
            for (at, page) in pages.iter().enumerate() {
                let held = query.iter().filter(|w| page.contains(w)).count();
                let share = held as Score / asked.len() as Score;
                proptest::prop_assert!(
                    close(every[at], times(plain[at], 1.0 + share)),
                    "page {at} {:?}: {:?} against {:?}", texts[at], every[at], plain[at]
                );
                let filtered = every[at].filter(|_| page.contains(&0));
                proptest::prop_assert!(
                    close(within[at], filtered),
                    "page {at} {:?} within: {:?} against {:?}", texts[at], within[at], filtered
                );
            }
        }
    }
}
