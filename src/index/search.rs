//! Search: a request into ranked hits, each with its best section and a highlighted
//! snippet, plus facet counts; and title suggestions for search as you type.

use super::analysis::{self, AS_WRITTEN_MARK, Analysis, Script};
use super::expand::{completions, corrections};
use super::highlight::{Highlighter, Passage};
use super::query::{Clause, Context, MIN_PREFIX_CHARS, analyze, build, parse_query, words_of};
use super::schema::LANG;
use super::{CacheKey, CacheLookup, Fields, SearchIndex};
use crate::content::{Pages, Section, section_parents};
use crate::error::Result;
use crate::html::escape_html;
use bytes::Bytes;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

/// The longest snippet, in characters.
const SNIPPET_CHARS: usize = 180;

/// A word found in more than this share of pages is too common to require.
const COMMON_SHARE: f64 = 0.6;

/// What to search for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest<'a> {
    /// The words as typed.
    pub query: &'a str,
    /// The most hits to return.
    pub limit: usize,
    /// `(key, value)` facet filters; pages must match one value of each key. `lang`
    /// names the language the query is read and searched in (`lang=all`: every
    /// language); without it, the language is told from the query.
    pub filters: &'a [(String, String)],
}

/// The script a query is written in: kana makes it Japanese whatever else it holds,
/// Hangul Korean, Chinese characters Chinese or Japanese; otherwise the script of most
/// of its letters other than Latin ones (command names are written in Latin letters
/// in every language), else Latin.
fn query_script(words: &str) -> Script {
    let mut scripts: Vec<(Script, usize)> = Vec::new();
    for script in words
        .chars()
        .filter(|c| c.is_alphabetic())
        .map(analysis::script)
    {
        match scripts.iter_mut().find(|(known, _)| *known == script) {
            Some((_, count)) => *count += 1,
            None => scripts.push((script, 1)),
        }
    }
    for first in [Script::Kana, Script::Hangul, Script::Han] {
        if scripts.iter().any(|(script, _)| *script == first) {
            return first;
        }
    }
    scripts
        .iter()
        .filter(|(script, _)| !matches!(script, Script::Latin | Script::Other))
        .max_by_key(|(_, count)| *count)
        .map_or(Script::Latin, |(script, _)| *script)
}

/// Each language in `counts` (of a [`SearchIndex::language_collector`]) with its count.
fn language_counts(counts: &FacetCounts) -> impl Iterator<Item = (&str, u64)> {
    counts
        .get(Facet::from_path([LANG]))
        .filter_map(|(facet, count)| Some((facet.to_path().last().copied()?, count)))
}

/// The best pages of a search with their scores, how many match, and the facet counts.
type Collected = (Vec<(f32, DocAddress)>, usize, FacetCounts);

/// What a candidate language's pages know of a query's words.
struct Known<'a> {
    /// The language.
    lang: &'a str,
    /// How many pages it has.
    pages: u64,
    /// How many of the words its pages hold stemmed, and as written.
    words: (usize, usize),
    /// For each word, how many of its pages hold it stemmed, and as written.
    counts: Vec<(u64, u64)>,
}

/// The `lang` value that searches every language.
pub const ALL_LANGUAGES: &str = "all";

/// How many more hits than asked are ranked when every language is searched, so that
/// a page in the query's language can take the place of its translations.
const TRANSLATION_SLACK: usize = 10;

/// How many of a query's words tell its language.
const LANGUAGE_WORDS: usize = 8;

/// One ranked page.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The page's URL path.
    pub url: String,
    /// The page's name.
    pub title: String,
    /// The id of the best-matching section's heading (`when-to-use`), the fragment
    /// of its link; empty when the best match is the top of the page.
    pub anchor: String,
    /// The link to the best-matching section: `url`, then `#anchor` when there is one.
    pub href: String,
    /// The best-matching section's heading, when it is not the top of the page.
    pub section: Option<String>,
    /// The headings of the sections that hold that section, outermost first.
    pub parents: Vec<String>,
    /// HTML: escaped page text with `<mark>` around matched words.
    pub snippet: String,
    /// The relevance score (higher is better).
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    /// How many pages match in all.
    pub total: usize,
    /// The best `limit` of them, best first.
    pub hits: Vec<Hit>,
    /// For each facet key, how many pages matching the words (before filtering) have
    /// each value.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// What the server made of these results for its JSON API, kept with them in the
    /// cache so that a repeated search is not serialized again.
    #[serde(skip)]
    pub api_json: OnceLock<Bytes>,
}

/// The cache key of `request` at `generation`, borrowed.
fn lookup<'a>(generation: u64, request: &SearchRequest<'a>) -> CacheLookup<'a> {
    CacheLookup {
        generation,
        query: request.query,
        limit: request.limit,
        filters: request.filters,
    }
}

/// Multiplies each score by the page's `boost`.
fn boosted(segment: &tantivy::SegmentReader) -> impl Fn(tantivy::DocId, f32) -> f32 + use<> {
    let boosts = segment
        .fast_fields()
        .f64(super::schema::BOOST)
        .map(|column| column.first_or_default_col(1.0))
        .ok();
    move |doc, score| match &boosts {
        Some(column) => score * column.get_val(doc) as f32,
        None => score,
    }
}

/// A page offered while typing.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The page's name.
    pub title: String,
    /// The page's description.
    pub description: String,
    /// The page's URL path.
    pub url: String,
}

impl SearchIndex {
    /// Runs a search, or answers it from the results of the same request since the
    /// index last changed. Snippets are cut from the sections of the hits' pages in
    /// `pages`.
    pub fn search(&self, request: &SearchRequest, pages: &dyn Pages) -> Result<Arc<SearchResults>> {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(results) = self.cache.get(&lookup(generation, request)) {
            return Ok(results);
        }
        let results = Arc::new(self.search_uncached(request, pages)?);
        let key = CacheKey {
            generation,
            query: request.query.to_string(),
            limit: request.limit,
            filters: request.filters.to_vec(),
        };
        self.cache.insert(key, results.clone());
        Ok(results)
    }

    /// The results of `request` when they are cached: cheap enough for any thread.
    pub fn cached(&self, request: &SearchRequest) -> Option<Arc<SearchResults>> {
        let generation = self.generation.load(Ordering::SeqCst);
        self.cache.get(&lookup(generation, request))
    }

    /// Runs a search without looking at or filling the cache: the work every new
    /// query costs, as benchmarks measure it.
    pub fn search_uncached(
        &self,
        request: &SearchRequest,
        pages: &dyn Pages,
    ) -> Result<SearchResults> {
        let clauses = parse_query(request.query);
        if clauses.is_empty() {
            return Ok(SearchResults::default());
        }
        let searcher = self.reader.searcher();
        let asked: Vec<&str> = request
            .filters
            .iter()
            .filter(|(key, _)| key == LANG)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
            .collect();
        let every = asked
            .iter()
            .any(|lang| *lang == ALL_LANGUAGES || *lang == "*");
        let mut language = match asked.iter().find(|lang| !every && **lang != ALL_LANGUAGES) {
            Some(lang) => lang.to_string(),
            None => self.language_of(&searcher, &clauses)?,
        };
        let mut analysis = Analysis::of(&language);
        let mut query =
            self.query_with(&searcher, &clauses, &self.fields, false, analysis.clone())?;
        let seen = self.languages_seen(&searcher)?;
        // A query is searched in its language, told or found, unless every language
        // is asked for or the site has one.
        let scope: Vec<String> = match (every || seen.len() <= 1, asked.is_empty()) {
            (true, _) => Vec::new(),
            (false, false) => asked.iter().map(|lang| lang.to_string()).collect(),
            (false, true) => vec![language.clone()],
        };
        let mut results = self.collect(&searcher, query.as_ref(), request, &scope, &seen)?;
        let mut widened = scope.is_empty();
        if results.0.is_empty() && !scope.is_empty() {
            // Nothing in the language asked for (that of the page the search box is
            // on): the language the words are in, if another; else every language. A
            // language already told by the words is not told again.
            let found = match asked.is_empty() {
                true => None,
                false => Some(self.language_of(&searcher, &clauses)?)
                    .filter(|found| analysis::primary(found) != analysis::primary(&language)),
            };
            let retry = match found {
                Some(found) => {
                    analysis = Analysis::of(&found);
                    query = self.query_with(
                        &searcher,
                        &clauses,
                        &self.fields,
                        false,
                        analysis.clone(),
                    )?;
                    language = found.clone();
                    vec![found]
                }
                None => Vec::new(),
            };
            results = self.collect(&searcher, query.as_ref(), request, &retry, &seen)?;
            widened = retry.is_empty();
        }
        let (top, total, counts) = results;
        // Each page ranked is read from the store once: more than asked for only when
        // every language is searched, and then each is needed to place translations.
        let mut found = top
            .into_iter()
            .map(|(score, address)| Ok((score, searcher.doc::<TantivyDocument>(address)?)))
            .collect::<Result<Vec<_>>>()?;
        if widened && seen.len() > 1 {
            found = self.translations_after(found, pages, &language);
        }
        let facets = self.facet_values(&counts);
        let highlighter = self.highlighter(&clauses, query.as_ref(), analysis)?;
        let hits = found
            .into_iter()
            .take(request.limit)
            .map(|(score, doc)| self.hit(&doc, pages, highlighter.as_ref(), score))
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
            ..SearchResults::default()
        })
    }

    /// The best pages for `query` among those in the languages of `scope` (all when
    /// empty) and the request's other filters, how many match, and the facet counts of
    /// the pages matching the words before filtering.
    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &SearchRequest,
        scope: &[String],
        seen: &[(String, u64)],
    ) -> Result<Collected> {
        let filtered = self.filtered(query, request.filters, scope, seen);
        let wanted = match scope.is_empty() && seen.len() > 1 {
            true => request.limit + TRANSLATION_SLACK,
            false => request.limit,
        };
        let top_docs = TopDocs::with_limit(wanted.max(1)).tweak_score(boosted);
        // Facets count the pages that match the words before filtering: without a
        // filter, one pass collects both.
        Ok(if let Some(filtered) = filtered {
            let (top, total) = searcher.search(filtered.as_ref(), &(top_docs, Count))?;
            let counts = searcher.search(query, &self.facet_collector())?;
            (top, total, counts)
        } else {
            searcher.search(query, &(top_docs, Count, self.facet_collector()))?
        })
    }

    /// `found` with each page in `language` moved before its translations that rank
    /// above it: a translation never outranks the page in the query's language.
    fn translations_after(
        &self,
        found: Vec<(f32, TantivyDocument)>,
        pages: &dyn Pages,
        language: &str,
    ) -> Vec<(f32, TantivyDocument)> {
        let wanted = analysis::primary(language);
        let keyed: Vec<(Option<String>, bool)> = found
            .iter()
            .map(|(_, doc)| {
                let page = pages.page_at(text(doc, self.fields.url));
                match page.map(|page| self.languages.page_language(&page)) {
                    Some(language) => (
                        Some(language.key),
                        analysis::primary(&language.lang) == wanted,
                    ),
                    None => (None, false),
                }
            })
            .collect();
        let mut order: Vec<usize> = Vec::with_capacity(found.len());
        let mut placed = vec![false; found.len()];
        for at in 0..found.len() {
            if placed[at] {
                continue;
            }
            if !keyed[at].1
                && let Some(key) = &keyed[at].0
                && let Some(own) = (at + 1..found.len()).find(|&later| {
                    !placed[later] && keyed[later].1 && keyed[later].0.as_ref() == Some(key)
                })
            {
                placed[own] = true;
                order.push(own);
            }
            placed[at] = true;
            order.push(at);
        }
        let mut found: Vec<Option<(f32, TantivyDocument)>> = found.into_iter().map(Some).collect();
        order
            .into_iter()
            .filter_map(|at| found[at].take())
            .collect()
    }

    /// The language a query is in, as its words tell among the languages of the
    /// index: by script (Chinese characters, kana, Hangul, Cyrillic…), then by which
    /// language's pages hold the most of its words (stemmed, then as written); on a
    /// tie the site's language, else the language whose pages use the words as written
    /// most often, for their number.
    fn language_of(&self, searcher: &Searcher, clauses: &[Clause]) -> Result<String> {
        let site = self.languages.site_lang().to_string();
        let seen = self.languages_seen(searcher)?;
        if seen.len() <= 1 {
            return Ok(seen.first().map_or(site, |(lang, _)| lang.clone()));
        }
        // A few words tell a language; each word read costs a count per language.
        let words = words_of(clauses)
            .take(LANGUAGE_WORDS)
            .collect::<Vec<_>>()
            .join(" ");
        let script = query_script(&words);
        let candidates: Vec<&(String, u64)> = seen
            .iter()
            .filter(|(lang, _)| {
                let written = analysis::script_of_language(&analysis::primary(lang));
                written == script || (script == Script::Han && written == Script::Kana)
            })
            .collect();
        match candidates[..] {
            [] => return Ok(site),
            [(lang, _)] => return Ok(lang.clone()),
            _ => {}
        }
        // For each language, the words its pages hold, read as that language reads
        // them (`entpacken` is `entpack` in German, and `Entpacke` on a page is too).
        let mut pages_with: HashMap<(Field, String), FacetCounts> = HashMap::new();
        let mut count_in = |field: Field, text: &str, lang: &str| -> Result<u64> {
            let key = (field, text.to_string());
            if !pages_with.contains_key(&key) {
                let term = Term::from_field_text(field, text);
                let counts = match searcher.doc_freq(&term)? {
                    0 => FacetCounts::default(),
                    _ => {
                        let query = TermQuery::new(term, IndexRecordOption::Basic);
                        searcher.search(&query, &self.language_collector())?
                    }
                };
                pages_with.insert(key.clone(), counts);
            }
            Ok(language_counts(&pages_with[&key])
                .find(|(seen, _)| *seen == lang)
                .map_or(0, |(_, count)| count))
        };
        // Per language: how many of the words its pages hold as it stems them; how many
        // they hold as written, accents and all (`cómo` is Spanish, `como` Portuguese
        // too; `Archiv` is German, though English stems `archive` to `archiv`); and how
        // many of its pages hold each word as written.
        let mut known: Vec<Known> = Vec::new();
        for (lang, pages) in &candidates {
            let mut analysis = Analysis::of(lang);
            let raws = analyze(&mut analysis.exact, &words);
            let stems = analyze(&mut analysis.stemmed, &words);
            let mut language = Known {
                lang,
                pages: *pages,
                words: (0, 0),
                counts: Vec::with_capacity(raws.len()),
            };
            for (raw, stem) in raws.iter().zip(&stems) {
                let count = count_in(self.fields.body, stem, lang)?;
                if count > 0 || analysis.is_stop_word(raw) {
                    language.words.0 += 1;
                }
                let written = match count {
                    0 => 0,
                    _ => count_in(self.fields.exact, raw, lang)?,
                };
                language.words.1 += usize::from(written > 0);
                language.counts.push((count, written));
            }
            known.push(language);
        }
        // The language whose pages hold most of the words; among equals, the site's,
        // else the likeliest to use the words as written, the index its model.
        let most = known.iter().map(|language| language.words).max();
        known.retain(|language| Some(language.words) == most);
        let site_primary = analysis::primary(&site);
        if let Some(language) = known
            .iter()
            .find(|language| analysis::primary(language.lang) == site_primary)
        {
            return Ok(language.lang.to_string());
        }
        // Naive Bayes: a language is as likely as its share of the pages, each word as
        // likely as its share of that language's pages, stemmed and as written
        // (smoothed for the words it lacks and another holds).
        let read = known.first().map_or(0, |language| language.counts.len());
        let held: Vec<(bool, bool)> = (0..read)
            .map(|at| {
                let held = |form: fn(&(u64, u64)) -> u64| {
                    known.iter().any(|language| form(&language.counts[at]) > 0)
                };
                (held(|counts| counts.0), held(|counts| counts.1))
            })
            .collect();
        let likelihood = |language: &Known| -> f64 {
            let pages = language.pages.max(1) as f64;
            let share = |count: u64| ((count as f64 + 0.5) / pages).ln();
            let words: f64 = language
                .counts
                .iter()
                .zip(&held)
                .map(|((stemmed, written), (any_stemmed, any_written))| {
                    let stemmed = if *any_stemmed { share(*stemmed) } else { 0.0 };
                    let written = if *any_written { share(*written) } else { 0.0 };
                    stemmed + written
                })
                .sum();
            pages.ln() + words
        };
        Ok(known
            .iter()
            .max_by(|a, b| likelihood(a).total_cmp(&likelihood(b)))
            .map_or(site, |language| language.lang.to_string()))
    }

    /// The languages of the pages the searcher sees, with how many pages each,
    /// counted once per change of the index.
    fn languages_seen(&self, searcher: &Searcher) -> Result<Arc<super::LanguageCounts>> {
        let generation = self.generation.load(Ordering::SeqCst);
        let mut seen = self
            .languages_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if seen.0 != generation {
            let counts = searcher.search(&AllQuery, &self.language_collector())?;
            let languages = language_counts(&counts)
                .map(|(lang, count)| (lang.to_string(), count))
                .collect();
            *seen = (generation, Arc::new(languages));
        }
        Ok(seen.1.clone())
    }

    fn language_collector(&self) -> FacetCollector {
        let mut collector = FacetCollector::for_field("facets");
        collector.add_facet(Facet::from_path([LANG]));
        collector
    }

    /// Pages whose title words start with what was typed, best first.
    pub fn suggest(&self, typed: &str, limit: usize) -> Result<Vec<Suggestion>> {
        self.titles(typed, limit, false)
    }

    /// Marks what the query looks for: its words, its terms (stems and synonyms) and
    /// the last word as a prefix.
    fn highlighter(
        &self,
        clauses: &[Clause],
        query: &dyn Query,
        analysis: Analysis,
    ) -> Result<Option<Highlighter>> {
        let words: Vec<String> = words_of(clauses).map(String::from).collect();
        let mut stemmer = analysis.stemmed;
        let typed: Vec<String> = words
            .iter()
            .flat_map(|word| analyze(&mut stemmer, word))
            .collect();
        let loose = self
            .synonyms
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .phrase_words(&typed);
        let mut stems = Vec::new();
        query.query_terms(&mut |term, _| {
            // Words as written in titles (`=word`) are marked through the words typed.
            if let Some(text) = term.value().as_str()
                && !text.starts_with(AS_WRITTEN_MARK)
                && (typed.iter().any(|t| t == text) || !loose.iter().any(|l| l == text))
            {
                stems.push(text.to_string());
            }
        });
        stems.sort();
        stems.dedup();
        let prefix = match clauses.last() {
            Some(Clause::Word(word)) if word.chars().count() >= MIN_PREFIX_CHARS => {
                Some(word.as_str())
            }
            _ => None,
        };
        Ok(Highlighter::new(&words, &stems, prefix, stemmer))
    }

    /// Titles near the query's words, typos and all: what to offer when a search
    /// finds nothing.
    pub fn nearest(&self, typed: &str, limit: usize) -> Result<Vec<Suggestion>> {
        self.titles(typed, limit, true)
    }

    /// The best titles for what was typed; `lenient` reads every word as a typo.
    fn titles(&self, typed: &str, limit: usize, lenient: bool) -> Result<Vec<Suggestion>> {
        let clauses = parse_query(typed);
        if clauses.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let analysis = Analysis::of(&self.language_of(&searcher, &clauses)?);
        let query = self.query_with(&searcher, &clauses, &self.title_only(), lenient, analysis)?;
        let top = searcher.search(query.as_ref(), &TopDocs::with_limit(limit).order_by_score())?;
        top.into_iter()
            .map(|(_, address)| self.suggestion(&searcher, address))
            .collect()
    }

    fn suggestion(&self, searcher: &Searcher, address: DocAddress) -> Result<Suggestion> {
        let doc: TantivyDocument = searcher.doc(address)?;
        Ok(Suggestion {
            title: text(&doc, self.fields.name).to_string(),
            description: text(&doc, self.fields.summary).to_string(),
            url: text(&doc, self.fields.url).to_string(),
        })
    }

    /// The fields with every text field pointing at the title.
    fn title_only(&self) -> Fields {
        Fields {
            headings: self.fields.title,
            keywords: self.fields.title,
            description: self.fields.title,
            body: self.fields.title,
            exact: self.fields.title,
            ..self.fields
        }
    }

    fn query_with(
        &self,
        searcher: &Searcher,
        clauses: &[Clause],
        fields: &Fields,
        lenient: bool,
        analysis: Analysis,
    ) -> Result<Box<dyn Query>> {
        let pages = searcher.num_docs().max(1) as f64;
        let (body, title, exact) = (self.fields.body, self.fields.title, self.fields.exact);
        let pages_with = |field, text: &str| {
            searcher
                .doc_freq(&Term::from_field_text(field, text))
                .unwrap_or_default()
        };
        let is_common = |stem: &str| pages_with(body, stem) as f64 > pages * COMMON_SHARE;
        let holds = |field, text: &str| pages_with(field, text) > 0;
        let frequency = |word: &str| pages_with(exact, word);
        let is_known = |stem: &str, word: &str| {
            !lenient && (holds(body, stem) || holds(title, stem) || holds(exact, word))
        };
        let synonyms = self.synonyms.read().unwrap_or_else(|p| p.into_inner());
        let mut context = Context {
            analysis,
            fields,
            synonyms: &synonyms,
            is_common: &is_common,
            is_known: &is_known,
            frequency: &frequency,
            holds: &holds,
            correct: &|word: &str, distance| corrections(searcher, exact, word, distance),
            complete: &|prefix: &str| completions(searcher, exact, prefix),
            lenient,
        };
        Ok(build(clauses, &mut context))
    }

    /// The query with the facet filters as required clauses: the languages of `scope`
    /// (each the language `seen` of the same name, else every one `seen` of the same
    /// primary language: `en` is `en-US` too) and the request's declared facets. `None`
    /// when nothing filters.
    fn filtered(
        &self,
        query: &dyn Query,
        filters: &[(String, String)],
        scope: &[String],
        seen: &[(String, u64)],
    ) -> Option<Box<dyn Query>> {
        let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (key, value) in filters {
            if key != LANG && self.facet_keys.iter().any(|k| k == key) {
                by_key.entry(key).or_default().push(value);
            }
        }
        for lang in scope {
            let wanted = analysis::primary(lang);
            let exact: Vec<&str> = seen
                .iter()
                .map(|(seen, _)| seen.as_str())
                .filter(|seen| seen.eq_ignore_ascii_case(lang))
                .collect();
            let same: Vec<&str> = match exact.is_empty() {
                false => exact,
                true => seen
                    .iter()
                    .map(|(seen, _)| seen.as_str())
                    .filter(|seen| analysis::primary(seen) == wanted)
                    .collect(),
            };
            let values = by_key.entry(LANG).or_default();
            match same.is_empty() {
                true => values.push(lang),
                false => values.extend(same),
            }
        }
        if by_key.is_empty() {
            return None;
        }
        let mut parts = vec![(Occur::Must, query.box_clone())];
        for (key, values) in by_key {
            let any_value: Vec<(Occur, Box<dyn Query>)> = values
                .into_iter()
                .map(|value| {
                    let facet = Facet::from_path([key, value]);
                    let term = Term::from_facet(self.fields.facets, &facet);
                    let query: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, query)
                })
                .collect();
            parts.push((Occur::Must, Box::new(BooleanQuery::new(any_value))));
        }
        Some(Box::new(BooleanQuery::new(parts)))
    }

    fn facet_collector(&self) -> FacetCollector {
        let mut collector = FacetCollector::for_field("facets");
        for key in &self.facet_keys {
            collector.add_facet(Facet::from_path([key.as_str()]));
        }
        collector
    }

    fn facet_values(&self, counts: &FacetCounts) -> BTreeMap<String, BTreeMap<String, u64>> {
        self.facet_keys
            .iter()
            .map(|key| {
                let values = counts
                    .get(Facet::from_path([key.as_str()]))
                    .filter_map(|(facet, count)| {
                        let value = facet.to_path().last()?.to_string();
                        Some((value, count))
                    })
                    .collect();
                (key.clone(), values)
            })
            .collect()
    }

    /// The hit for the stored fields `doc` (URL, name, description), its snippet from
    /// the page's sections in `pages`. A page missing there (an index opened read-only
    /// and built from other content) gets the description as its snippet.
    fn hit(
        &self,
        doc: &TantivyDocument,
        pages: &dyn Pages,
        highlighter: Option<&Highlighter>,
        score: f32,
    ) -> Hit {
        let url = text(doc, self.fields.url).to_string();
        let page = pages.page_at(&url);
        let sections: &[Section] = page.as_ref().map_or(&[], |page| &page.sections);
        let bodies: Vec<&str> = sections.iter().map(|s| s.text.as_str()).collect();
        let best = highlighter.and_then(|h| Some((h, self.best_section(h, sections)?)));
        let (anchor, section, parents, snippet) = match best {
            Some((highlighter, (index, passage))) => {
                let section = &sections[index];
                let title = Some(section.title.clone()).filter(|title| !title.is_empty());
                let parents = section_parents(sections, index)
                    .into_iter()
                    .map(String::from)
                    .collect();
                let snippet = highlighter.html(&section.text, &passage);
                (section.id.clone(), title, parents, snippet)
            }
            None => (
                String::new(),
                None,
                Vec::new(),
                self.plain_snippet(doc, &bodies, highlighter),
            ),
        };
        let href = match anchor.is_empty() {
            true => url.clone(),
            false => format!("{url}#{anchor}"),
        };
        Hit {
            title: text(doc, self.fields.name).to_string(),
            url,
            anchor,
            href,
            section,
            parents,
            snippet,
            score,
        }
    }

    /// The section whose text holds the most different words of the query, its
    /// heading's words counted too (the first of equals), with its best passage. A
    /// section whose text holds none of them has no passage to show.
    fn best_section(
        &self,
        highlighter: &Highlighter,
        sections: &[Section],
    ) -> Option<(usize, Passage)> {
        sections
            .iter()
            .enumerate()
            .filter_map(|(index, section)| {
                let passage = highlighter.passage(&section.text, SNIPPET_CHARS)?;
                let heading = highlighter
                    .passage(&section.title, SNIPPET_CHARS)
                    .map_or(0, |found| found.words);
                Some((index, passage.words + heading, passage))
            })
            .max_by_key(|(index, words, _)| (*words, usize::MAX - index))
            .map(|(index, _, passage)| (index, passage))
    }

    /// The description (marked where it matches), or the start of the body, when no
    /// section holds the query's words.
    fn plain_snippet(
        &self,
        doc: &TantivyDocument,
        bodies: &[&str],
        highlighter: Option<&Highlighter>,
    ) -> String {
        let description = text(doc, self.fields.summary);
        if let Some(highlighter) = highlighter
            && let Some(passage) = highlighter.passage(description, SNIPPET_CHARS)
        {
            return highlighter.html(description, &passage);
        }
        let plain = if description.is_empty() {
            bodies.first().copied().unwrap_or_default()
        } else {
            description
        };
        escape_html(&leading_words(plain, SNIPPET_CHARS))
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> &str {
    doc.get_first(field)
        .and_then(|value| value.as_str())
        .unwrap_or_default()
}

/// The start of `text`, cut at a word boundary before `max` characters, with an ellipsis.
fn leading_words(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut
        .rsplit_once(char::is_whitespace)
        .map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Page, parse_page};
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::RwLock;

    /// An index in memory and the pages it was filled with, kept in step.
    struct Sample {
        index: SearchIndex,
        pages: RwLock<HashMap<String, Arc<Page>>>,
    }

    impl std::ops::Deref for Sample {
        type Target = SearchIndex;
        fn deref(&self) -> &SearchIndex {
            &self.index
        }
    }

    impl Sample {
        fn new(files: &[(&str, String)]) -> Sample {
            let synonyms = vec![vec![
                "backend".into(),
                "upstream".into(),
                "app server".into(),
            ]];
            let searched = super::super::Searched {
                facets: vec!["class".to_string()],
                ..Default::default()
            };
            let index = SearchIndex::in_memory(&searched, &synonyms).unwrap();
            let sample = Sample {
                index,
                pages: RwLock::default(),
            };
            let pages: Vec<Arc<Page>> = files
                .iter()
                .map(|(path, text)| parse_page(Path::new(path), text.as_bytes()).0.unwrap())
                .map(Arc::new)
                .collect();
            sample.update(&[], &pages);
            sample
        }

        fn search(&self, request: &SearchRequest) -> Result<Arc<SearchResults>> {
            let pages = self.pages.read().unwrap();
            self.index.search(request, &*pages)
        }

        fn update(&self, removed: &[String], pages: &[Arc<Page>]) {
            self.index.update(removed, pages).unwrap();
            let mut held = self.pages.write().unwrap();
            for url in removed {
                held.remove(url);
            }
            for page in pages {
                held.insert(page.url.clone(), page.clone());
            }
        }
    }

    fn urls(index: &Sample, query: &str) -> Vec<String> {
        let request = SearchRequest {
            query,
            limit: 10,
            filters: &[],
        };
        index
            .search(&request)
            .unwrap()
            .hits
            .iter()
            .map(|h| h.url.clone())
            .collect()
    }

    fn sample() -> Sample {
        Sample::new(&[
            ("502.md", "---\nclass: 5xx\naliases: [\"Proxy Error\"]\n---\n# 502 Bad Gateway\n\nIntro text.\n\n## Meaning\n\nThe upstream server sent an invalid response.\n\n## Source\n\nRFC 9110.\n".to_string()),
            ("504.md", "---\nclass: 5xx\n---\n# 504 Gateway Timeout\n\n## Meaning\n\nThe upstream did not answer in time.\n".to_string()),
            ("404.md", "---\nclass: 4xx\n---\n# 404 Not Found\n\n## Meaning\n\nNothing is at the address. Authentication does not help.\n".to_string()),
            ("5xx.md", "# 5xx Server Errors\n\nEvery server error.\n".to_string()),
        ])
    }

    #[test]
    fn cached_results_give_way_to_an_update() {
        let index = sample();
        let request = SearchRequest {
            query: "zebra",
            limit: 5,
            filters: &[],
        };
        assert_eq!(index.search(&request).unwrap().total, 0);
        assert!(index.cached(&request).is_some(), "the answer is kept");
        let page = parse_page(Path::new("zoo.md"), b"# Zoo\n\nA zebra.\n")
            .0
            .unwrap();
        index.update(&[], &[Arc::new(page)]);
        assert!(index.cached(&request).is_none(), "the kept answer is stale");
        assert_eq!(urls(&index, "zebra"), ["/zoo"]);
        let found = index.search(&request).unwrap();
        assert_eq!(
            found.hits[0].snippet, "A <mark>zebra</mark>.",
            "snippets read the new page"
        );
        index.update(&["/zoo".to_string()], &[]);
        assert!(urls(&index, "zebra").is_empty());
    }

    #[test]
    fn the_cache_holds_a_bounded_number_of_bytes_whatever_the_queries() {
        let index = sample();
        let long = "gateway ".repeat(8 * 1024);
        for n in 0..400 {
            let query = format!("{long}{n}");
            let request = SearchRequest {
                query: &query,
                limit: 100,
                filters: &[],
            };
            index.search(&request).unwrap();
        }
        assert!(index.cache.weight() <= super::super::CACHED_BYTES);
        assert!(index.cache.weight() > 0);
    }

    #[test]
    fn hits_carry_their_best_section() {
        let index = sample();
        let request = SearchRequest {
            query: "invalid response",
            limit: 5,
            filters: &[],
        };
        let results = index.search(&request).unwrap();
        let hit = &results.hits[0];
        assert_eq!(hit.url, "/502");
        assert_eq!(hit.anchor, "meaning");
        assert_eq!(hit.href, "/502#meaning");
        assert_eq!(hit.section.as_deref(), Some("Meaning"));
        assert!(hit.parents.is_empty());
        assert!(
            hit.snippet
                .contains("<mark>invalid</mark> <mark>response</mark>"),
            "{}",
            hit.snippet
        );
        let top = SearchRequest {
            query: "intro",
            ..request
        };
        let hit = &index.search(&top).unwrap().hits[0];
        assert_eq!((hit.anchor.as_str(), hit.href.as_str()), ("", "/502"));
        assert_eq!(hit.section, None);
    }

    #[test]
    fn the_best_section_may_be_an_h3_found_by_its_heading() {
        let index = Sample::new(&[(
            "config.md",
            "# Config\n\n## Configuration\n\nSettings live in folio.toml.\n\n### Fonts\n\nPick the colors of code.\n\n### Theme\n\nPick the colors of pages.\n".to_string(),
        )]);
        let request = SearchRequest {
            query: "theme colors",
            limit: 5,
            filters: &[],
        };
        let hit = &index.search(&request).unwrap().hits[0];
        assert_eq!(hit.anchor, "theme");
        assert_eq!(hit.href, "/config#theme");
        assert_eq!(hit.section.as_deref(), Some("Theme"));
        assert_eq!(hit.parents, ["Configuration"]);
        assert_eq!(hit.snippet, "Pick the <mark>colors</mark> of pages.");
    }

    #[test]
    fn typos_prefixes_codes_classes_synonyms_and_aliases_find_pages() {
        let index = sample();
        assert_eq!(urls(&index, "gatewy timout")[0], "/504");
        assert_eq!(urls(&index, "authentcation")[0], "/404");
        let mut completed = urls(&index, "gatew")[..2].to_vec();
        completed.sort();
        assert_eq!(completed, ["/502", "/504"]);
        assert_eq!(urls(&index, "http 504")[0], "/504");
        assert_eq!(urls(&index, "5xx")[0], "/5xx");
        assert_eq!(urls(&index, "backend invalid")[0], "/502");
        assert_eq!(urls(&index, "proxy error")[0], "/502");
    }

    #[test]
    fn facets_count_before_filtering_and_filters_apply() {
        let index = sample();
        let filters = [("class".to_string(), "4xx".to_string())];
        let request = SearchRequest {
            query: "the",
            limit: 10,
            filters: &filters,
        };
        let results = index.search(&request).unwrap();
        assert!(
            results.hits.iter().all(|h| h.url == "/404"),
            "{:?}",
            results.hits
        );
        assert_eq!(results.facets["class"]["5xx"], 2);
        assert_eq!(results.facets["class"]["4xx"], 1);
    }

    #[test]
    fn synonyms_are_marked_but_not_the_loose_words_of_phrase_synonyms() {
        let index = sample();
        let request = SearchRequest {
            query: "backend invalid",
            limit: 1,
            filters: &[],
        };
        let hit = &index.search(&request).unwrap().hits[0];
        assert!(
            hit.snippet.contains("<mark>upstream</mark>"),
            "{}",
            hit.snippet
        );
        assert!(
            !hit.snippet.contains("<mark>server</mark>"),
            "{}",
            hit.snippet
        );
    }

    #[test]
    fn nearest_titles_forgive_bigger_typos() {
        let index = sample();
        let request = SearchRequest {
            query: "zzqx gatwey",
            limit: 5,
            filters: &[],
        };
        assert_eq!(index.search(&request).unwrap().total, 0);
        let titles: Vec<String> = index
            .nearest("zzqx gatwey", 5)
            .unwrap()
            .into_iter()
            .map(|s| s.title)
            .collect();
        assert!(
            titles.contains(&"504 Gateway Timeout".to_string()),
            "{titles:?}"
        );
    }

    #[test]
    fn suggestions_complete_title_words() {
        let index = sample();
        let titles: Vec<String> = index
            .suggest("gatew", 5)
            .unwrap()
            .into_iter()
            .map(|s| s.title)
            .collect();
        assert_eq!(titles.len(), 2);
        assert!(titles.contains(&"502 Bad Gateway".to_string()));
        assert!(index.suggest("", 5).unwrap().is_empty());
    }

    #[test]
    fn corrections_and_completions_prefer_common_words_and_transpositions() {
        let index = Sample::new(&[
            ("chage.md", "# chage\n\nAccount aging.\n".to_string()),
            ("chmod.md", "# chmod\n\nChange a mode.\n".to_string()),
            ("chown.md", "# chown\n\nChange an owner.\n".to_string()),
            ("docker.md", "# docker\n\nDocker containers.\n".to_string()),
            (
                "compose.md",
                "# docker compose\n\nDocker services.\n".to_string(),
            ),
            ("dock.md", "# dock\n\nThe dock.\n".to_string()),
        ]);
        let searcher = index.reader.searcher();
        let exact = index.fields.exact;
        assert_eq!(
            super::super::expand::corrections(&searcher, exact, "chnage", 1),
            ["change"],
            "a transposition to a common word, not a deletion to a rare one"
        );
        assert_eq!(
            super::super::expand::corrections(&searcher, exact, "chmd", 1),
            ["chmod"]
        );
        let completed = super::super::expand::completions(&searcher, exact, "dock");
        assert_eq!(completed[0], ("docker".to_string(), 2), "{completed:?}");
        assert_eq!(urls(&index, "dock")[0], "/dock", "the word itself first");
        assert!(urls(&index, "dock").contains(&"/compose".to_string()));
    }

    #[test]
    fn stop_words_and_exact_forms_weigh_as_they_should() {
        let index = Sample::new(&[
            ("which.md", "# which\n\nLocate a program.\n".to_string()),
            ("pwd.md", "# pwd\n\nThe folder you are in.\n".to_string()),
            ("duplicity.md", "# duplicity\n\nBackups.\n".to_string()),
            ("uniq.md", "# uniq\n\nDrop a duplicate line.\n".to_string()),
        ]);
        assert_eq!(urls(&index, "which folder am I in")[0], "/pwd");
        assert_eq!(
            urls(&index, "which")[0],
            "/which",
            "stop words alone still match"
        );
        assert_eq!(urls(&index, "duplicate")[0], "/uniq");
    }

    #[test]
    fn leading_words_cuts_at_a_space() {
        assert_eq!(leading_words("short", 10), "short");
        assert_eq!(leading_words("one two three", 9), "one two…");
    }
}
