//! Query building: a person's words into a Tantivy query. Lenient by design: no
//! character is syntax except `"`, and an unbalanced `"` is ignored.
//!
//! Each word matches exactly (stemmed) in any field, or failing that fuzzily (typos),
//! as a prefix (the last word, while typing) or through a synonym; the word as
//! written scores again. Pages score again for the share of the uncommon words they
//! hold, and more when the words stand close together. Stop words (`which`, `in`)
//! still match, in the body, on the pages the other words find, but earn none of these
//! bonuses and find no page on their own unless the query holds nothing else.

use super::analysis::{Analysis, as_written};
use super::schema::Fields;
use super::union::{best_of, every_word};
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

/// The most words a query is read for; the rest are ignored.
pub const MAX_WORDS: usize = 32;

/// How much of a query is read, in bytes (cut at a character boundary).
pub const MAX_QUERY_BYTES: usize = 1024;

/// Words that get fuzzy alternatives: typos are looked for in the first ones only,
/// which bounds the work a long query can cause.
const MAX_FUZZY_WORDS: usize = 8;

/// How far apart (in positions) words may stand and still count as close together.
const PROXIMITY_SLOP: u32 = 3;

/// Weights of the ways a word can match, relative to an exact match.
const PROXIMITY_WEIGHT: f32 = 2.0;
const SYNONYM_WEIGHT: f32 = 0.8;
/// Two neighbouring words of a longer query standing close together.
const PAIR_WEIGHT: f32 = 1.0;
/// Pages holding every uncommon word of the query score this much again; pages holding
/// some of them, that part of it.
const EVERY_WORD_WEIGHT: f32 = 1.0;
/// Weight of every word of the query in one short field, times that field's weight.
const SAME_FIELD_WEIGHT: f32 = 1.0;
/// A word the index holds, found for a typo.
const TYPO_WEIGHT: f32 = 0.8;
/// Each correction after the likeliest weighs this much of the one before.
const LESS_LIKELY_CORRECTION: f32 = 0.4;
/// A completion of the last word, when the word as typed is not a word of the index.
const PREFIX_WEIGHT: f32 = 0.8;
/// A completion of the last word when the word as typed is a word of the index too,
/// and the completion more common than it (`dock` → `docker`): below the word itself.
const KNOWN_PREFIX_WEIGHT: f32 = 0.35;
/// The word as written (not a stem, accents as typed), on top of its stem's match.
const EXACT_WEIGHT: f32 = 1.0;
/// The word as written in the title, on top of its stem's match there.
const TITLE_AS_WRITTEN_WEIGHT: f32 = 0.5;
/// A compound word found through its two parts.
const COMPOUND_WEIGHT: f32 = 0.8;
/// The shortest word read as a compound, in characters.
const MIN_COMPOUND_CHARS: usize = 8;
/// The shortest part of a compound, in characters.
const MIN_COMPOUND_PART: usize = 3;
/// Letters that may join the parts of a compound (German `Arbeitsplatz`, `Seitenzahl`).
const COMPOUND_LINKS: [&str; 4] = ["s", "es", "n", "en"];
/// A page titled by the initials of the query's words.
const INITIALS_WEIGHT: f32 = 4.0;
/// The longest query whose initials may name a page.
const MAX_INITIALS: usize = 4;
/// A stop word, matched in the body only.
const STOP_WEIGHT: f32 = 0.2;
/// A number that stands in a title (a status code, a version) is an identifier...
const NUMBER_IN_TITLE_WEIGHT: f32 = 6.0;
/// ...when the query is this short; in a longer one it is more likely a quantity.
const MAX_WORDS_FOR_IDENTIFIERS: usize = 3;

/// The shortest unfinished word that is completed; shorter ones match too much.
pub const MIN_PREFIX_CHARS: usize = 2;

/// A part of a query as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A free word.
    Word(String),
    /// Words in double quotes: they must stand together, in order.
    Phrase(Vec<String>),
}

/// Splits a query into free words and quoted phrases.
pub fn parse_query(query: &str) -> Vec<Clause> {
    let query = truncate(query, MAX_QUERY_BYTES);
    let mut clauses = Vec::new();
    let quotes = query.matches('"').count();
    let balanced_end = if quotes.is_multiple_of(2) {
        query.len()
    } else {
        query.rfind('"').unwrap_or(query.len())
    };
    for (index, part) in query[..balanced_end].split('"').enumerate() {
        let words: Vec<String> = part.split_whitespace().map(String::from).collect();
        if index % 2 == 1 && words.len() > 1 {
            clauses.push(Clause::Phrase(words));
        } else {
            clauses.extend(words.into_iter().map(Clause::Word));
        }
    }
    clauses.extend(
        query[balanced_end..]
            .split_whitespace()
            .map(|w| w.trim_matches('"'))
            .filter(|w| !w.is_empty())
            .map(|w| Clause::Word(w.to_string())),
    );
    let mut words = 0;
    clauses.retain(|clause| {
        words += match clause {
            Clause::Word(_) => 1,
            Clause::Phrase(p) => p.len(),
        };
        words <= MAX_WORDS
    });
    clauses
}

/// Every word of `clauses`, free or quoted, in order.
pub fn words_of(clauses: &[Clause]) -> impl Iterator<Item = &str> {
    clauses
        .iter()
        .flat_map(|clause| match clause {
            Clause::Word(word) => std::slice::from_ref(word),
            Clause::Phrase(words) => words.as_slice(),
        })
        .map(String::as_str)
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Groups of words or phrases that mean the same to a reader, analysed like the index.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group's members, each member as its stemmed tokens.
    groups: Vec<Vec<Vec<String>>>,
}

impl Synonyms {
    /// Analyses each group's members with the index's analyzer.
    pub fn new(groups: &[Vec<String>], analyzer: &mut TextAnalyzer) -> Synonyms {
        let groups = groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|member| analyze(analyzer, member))
                    .filter(|tokens| !tokens.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|group| group.len() > 1)
            .collect();
        Synonyms { groups }
    }

    /// For each occurrence of a member in `tokens`: (first token, length, other members).
    fn matches(&self, tokens: &[String]) -> Vec<(usize, usize, Vec<&[String]>)> {
        let mut found = Vec::new();
        for group in &self.groups {
            for member in group {
                for start in 0..tokens.len() {
                    if tokens[start..].starts_with(member) {
                        let others = group
                            .iter()
                            .filter(|other| *other != member)
                            .map(Vec::as_slice)
                            .collect();
                        found.push((start, member.len(), others));
                    }
                }
            }
        }
        found
    }

    /// The words of the several-word synonyms (`app server`) that `stems` bring in:
    /// worth searching as a phrase, but too loose to mark one by one.
    pub fn phrase_words(&self, stems: &[String]) -> Vec<String> {
        self.matches(stems)
            .into_iter()
            .flat_map(|(_, _, others)| others)
            .filter(|member| member.len() > 1)
            .flatten()
            .cloned()
            .collect()
    }
}

/// A free word of the query as the index sees it.
#[derive(Debug, Clone)]
struct Token {
    /// Lowercased, not stemmed: the exact form, what typos and prefixes are matched with.
    raw: String,
    /// Lowercased, stemmed and folded: what the stemmed fields hold.
    stem: String,
    /// A stop word of the query's language, in a query that holds other words.
    stop: bool,
}

/// What the query builder needs from the index besides the fields.
pub struct Context<'a> {
    /// The analysis of the query's language: stems, exact forms, stop words.
    pub analysis: Analysis,
    /// The fields and their weights.
    pub fields: &'a Fields,
    /// Synonym groups.
    pub synonyms: &'a Synonyms,
    /// Whether a stemmed word is so common that requiring it says nothing.
    pub is_common: &'a dyn Fn(&str) -> bool,
    /// Whether a word (stemmed, exact) is in the index at all; unknown words are
    /// looked up as typos.
    pub is_known: &'a dyn Fn(&str, &str) -> bool,
    /// How many pages hold a word as written.
    pub frequency: &'a dyn Fn(&str) -> u64,
    /// Whether a field holds a term. A query is built only for the fields that hold
    /// its terms: one for a field that does not would match nothing, and would still
    /// cost a weight and a scorer per search.
    pub holds: &'a dyn Fn(Field, &str) -> bool,
    /// The index's words (as written) within a distance of a word, likeliest first.
    pub correct: &'a dyn Fn(&str, u8) -> Vec<String>,
    /// The index's words (as written) that start with a prefix, with how many pages
    /// hold each, most common first.
    pub complete: &'a dyn Fn(&str) -> Vec<(String, u64)>,
    /// Read every word as a possible typo, at the largest distance, from 4 letters
    /// (for "did you mean" when a search found nothing).
    pub lenient: bool,
}

/// The tokens of `text` as `analyzer` makes them (the index's own form of the words).
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Builds the query for `clauses`. The last word may be unfinished (search as you type).
pub fn build(clauses: &[Clause], context: &mut Context) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut tokens = read_clauses(clauses, context, &mut parts);
    if tokens.iter().all(|token| token.stop) {
        tokens.iter_mut().for_each(|token| token.stop = false);
    }
    let stems: Vec<String> = tokens.iter().map(|t| t.stem.clone()).collect();
    let synonyms = context.synonyms.matches(&stems);
    let last_word_typed = clauses.last().is_some_and(|c| matches!(c, Clause::Word(_)));
    // The queries of the words that count towards the bonus for holding them, and how
    // many such words there are (a word no field holds has no query but still counts).
    let mut counted: Vec<Box<dyn Query>> = Vec::new();
    let mut count = 0;
    let mut stop_words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if token.stop {
            let body = context.fields.body;
            if (context.holds)(body, &token.stem) {
                let stop = BoostQuery::new(term(body, &token.stem), STOP_WEIGHT);
                stop_words.push((Occur::Should, Box::new(stop)));
            }
            continue;
        }
        let completes = last_word_typed && index + 1 == tokens.len();
        let ways = word_ways(token, index, completes, context);
        let word = best_of(ways, 0.0);
        // Words too common to say anything earn no bonus for being held.
        match (context.is_common)(&token.stem) {
            true => parts.extend(word.map(|word| (Occur::Should, word))),
            false => {
                count += 1;
                counted.extend(word);
            }
        }
        // A synonym finds a page but does not count towards holding every word.
        for (start, length, others) in &synonyms {
            if (*start..start + length).contains(&index) {
                for other in others {
                    if let Some(query) = phrase_any_field(context.fields, context.holds, other, 0) {
                        let synonym = BoostQuery::new(query, SYNONYM_WEIGHT);
                        parts.push((Occur::Should, Box::new(synonym)));
                    }
                }
            }
        }
        if tokens.len() <= MAX_WORDS_FOR_IDENTIFIERS {
            parts.extend(number_in_title(token, context));
        }
        parts.extend(as_written_bonus(token, context));
    }
    // A page titled by the words' initials that holds every one of them.
    parts.extend(initials(&tokens, context));
    match count {
        0 | 1 => parts.extend(counted.into_iter().map(|word| (Occur::Should, word))),
        _ if counted.is_empty() => {}
        _ => {
            let every_word = every_word(counted, count, EVERY_WORD_WEIGHT);
            parts.push((Occur::Should, every_word));
        }
    }
    let words: Vec<String> = tokens
        .iter()
        .filter(|token| !token.stop)
        .map(|token| token.stem.clone())
        .collect();
    parts.extend(together(&words, context));
    if parts.is_empty() {
        return Box::new(EmptyQuery);
    }
    let found: Box<dyn Query> = Box::new(BooleanQuery::new(parts));
    if stop_words.is_empty() {
        return found;
    }
    // Stop words add to the score of the pages the other words find and find none
    // themselves: nearly every page holds them, and matching them alone would score
    // and count nearly every page for every query that has one.
    stop_words.insert(0, (Occur::Must, found));
    Box::new(BooleanQuery::new(stop_words))
}

/// The words of `clauses` as tokens; each quoted phrase becomes a part that must match.
fn read_clauses(
    clauses: &[Clause],
    context: &mut Context,
    parts: &mut Vec<(Occur, Box<dyn Query>)>,
) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    for clause in clauses {
        match clause {
            Clause::Word(word) => {
                let stems = analyze(&mut context.analysis.stemmed, word);
                let raws = analyze(&mut context.analysis.exact, word);
                let analysis = &context.analysis;
                tokens.extend(raws.into_iter().zip(stems).map(|(raw, stem)| Token {
                    stop: analysis.is_stop_word(&raw),
                    raw,
                    stem,
                }));
            }
            Clause::Phrase(words) => {
                let stems = analyze(&mut context.analysis.stemmed, &words.join(" "));
                if !stems.is_empty() {
                    // A phrase no field holds still has to match: nothing does.
                    let phrase = phrase_any_field(context.fields, context.holds, &stems, 0)
                        .unwrap_or_else(|| Box::new(EmptyQuery));
                    parts.push((Occur::Must, phrase));
                }
            }
        }
    }
    tokens
}

/// The ways the word at `index` matches: its stem in any field, its corrections when
/// the index does not know it, and its completions when it is the unfinished last
/// word (`completes`): every completion when the word is unknown, those more common
/// than it when it is a word too.
fn word_ways(
    token: &Token,
    index: usize,
    completes: bool,
    context: &mut Context,
) -> Vec<Box<dyn Query>> {
    let (fields, holds) = (context.fields, context.holds);
    let mut ways: Vec<Box<dyn Query>> = terms_any_field(fields, holds, &token.stem, 1.0)
        .into_iter()
        .collect();
    let known = (context.is_known)(&token.stem, &token.raw);
    let distance = match context.lenient {
        true => Some(2).filter(|_| token.raw.chars().count() >= 4),
        false => typo_distance(&token.raw),
    };
    if let Some(distance) = distance.filter(|_| index < MAX_FUZZY_WORDS && !known) {
        // The likeliest correction weighs most; the others, less and less.
        let mut weight = TYPO_WEIGHT;
        for correction in (context.correct)(&token.raw, distance) {
            for stem in analyze(&mut context.analysis.stemmed, &correction) {
                ways.extend(terms_any_field(fields, holds, &stem, weight));
            }
            weight *= LESS_LIKELY_CORRECTION;
        }
    }
    if !known && !context.lenient {
        ways.extend(compound(token, context));
    }
    if completes && token.raw.chars().count() >= MIN_PREFIX_CHARS {
        let (weight, floor) = match known {
            false => (PREFIX_WEIGHT, 0),
            true => (KNOWN_PREFIX_WEIGHT, (context.frequency)(&token.raw)),
        };
        for (completion, _) in (context.complete)(&token.raw)
            .into_iter()
            .filter(|(_, pages)| *pages > floor)
        {
            for stem in analyze(&mut context.analysis.stemmed, &completion) {
                if stem != token.stem {
                    ways.extend(terms_any_field(fields, holds, &stem, weight));
                }
            }
        }
    }
    ways
}

/// An unknown word read as a compound of two words the index knows (`Dateirechte`:
/// `Datei` and `Rechte`; `Logdatei`: `Log` and `Datei`), found where both parts
/// stand on a page. Where several cuts give two known words, the one whose rarer part
/// is the most common wins. The index's own words are the dictionary: no word list is
/// shipped, so this works for every language that writes compounds as one word.
fn compound(token: &Token, context: &mut Context) -> Option<Box<dyn Query>> {
    let raw = &token.raw;
    let cuts: Vec<usize> = raw.char_indices().map(|(at, _)| at).collect();
    if cuts.len() < MIN_COMPOUND_CHARS || raw.chars().any(super::analysis::is_unspaced) {
        return None;
    }
    let mut best: Option<(u64, String, String)> = None;
    for &cut in &cuts[MIN_COMPOUND_PART..=cuts.len() - MIN_COMPOUND_PART] {
        let right = &raw[cut..];
        let right_pages = known_pages(right, context);
        if right_pages == 0 {
            continue;
        }
        let left = &raw[..cut];
        // The letters that join the parts (`Arbeit-s-platz`) belong to neither.
        let lefts = COMPOUND_LINKS
            .iter()
            .filter_map(|link| left.strip_suffix(link))
            .filter(|left| left.chars().count() >= MIN_COMPOUND_PART)
            .chain(std::iter::once(left));
        for left in lefts {
            let pages = known_pages(left, context).min(right_pages);
            if pages > 0 && best.as_ref().is_none_or(|(most, _, _)| pages > *most) {
                best = Some((pages, left.to_string(), right.to_string()));
            }
        }
    }
    let (_, left, right) = best?;
    let mut both: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for part in [left, right] {
        let stem = analyze(&mut context.analysis.stemmed, &part).pop()?;
        let query = terms_any_field(context.fields, context.holds, &stem, 1.0)?;
        both.push((Occur::Must, query));
    }
    let query = BooleanQuery::new(both);
    Some(Box::new(BoostQuery::new(Box::new(query), COMPOUND_WEIGHT)))
}

/// How many pages hold `word` as written, or 0 when its stem is no word of the index.
fn known_pages(word: &str, context: &mut Context) -> u64 {
    let Some(stem) = analyze(&mut context.analysis.stemmed, word).pop() else {
        return 0;
    };
    match (context.is_known)(&stem, word) {
        true => (context.frequency)(word).max(1),
        false => 0,
    }
}

/// The word as written, in a title and anywhere in the text, on top of its stem's
/// match: `duplicate` above `duplicity`, `répertoire` above `repertoire`.
fn as_written_bonus(token: &Token, context: &Context) -> Vec<(Occur, Box<dyn Query>)> {
    let (title, exact) = (context.fields.title, context.fields.exact);
    let written = as_written(&token.raw);
    // In a title, where the word as written differs from its stem (another form,
    // accents): where they are the same, the stem's match there says as much.
    let in_title = token.raw != token.stem;
    [
        (title, written.as_str(), TITLE_AS_WRITTEN_WEIGHT, in_title),
        (exact, token.raw.as_str(), EXACT_WEIGHT, true),
    ]
    .into_iter()
    .filter(|(field, text, _, wanted)| *wanted && (context.holds)(*field, text))
    .map(|(field, text, weight, _)| {
        let boosted = BoostQuery::new(term(field, text), weight);
        (Occur::Should, Box::new(boosted) as Box<dyn Query>)
    })
    .collect()
}

/// A page titled by the initials of the query's words (`du` for `disk usage`, `CSP`
/// for `content security policy`) and holding every one of them as written: the words
/// spell out its name, not by chance. Its title is rare and each word one term of the
/// exact field, so the pages that qualify are found by a cheap intersection.
fn initials(tokens: &[Token], context: &Context) -> Option<(Occur, Box<dyn Query>)> {
    if !(2..=MAX_INITIALS).contains(&tokens.len()) {
        return None;
    }
    let spelled: String = tokens
        .iter()
        .filter_map(|token| token.raw.chars().next())
        .filter(|c| c.is_alphabetic() && !super::analysis::is_unspaced(*c))
        .collect();
    let written = as_written(&spelled);
    let (title, exact, holds) = (context.fields.title, context.fields.exact, context.holds);
    if spelled.chars().count() != tokens.len()
        || !holds(title, &written)
        || !tokens.iter().all(|token| holds(exact, &token.raw))
    {
        return None;
    }
    let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Must,
        Box::new(BoostQuery::new(term(title, &written), INITIALS_WEIGHT)),
    )];
    all.extend(tokens.iter().map(|token| {
        let held: Box<dyn Query> = Box::new(BoostQuery::new(term(exact, &token.raw), 0.0));
        (Occur::Must, held)
    }));
    Some((Occur::Should, Box::new(BooleanQuery::new(all))))
}

/// A number in a short query favours the pages with it in their title (`http 502`).
fn number_in_title(token: &Token, context: &Context) -> Option<(Occur, Box<dyn Query>)> {
    let title = context.fields.title;
    let number = token.stem.chars().all(|c| c.is_ascii_digit());
    (number && (context.holds)(title, &token.stem)).then(|| {
        let boosted = BoostQuery::new(term(title, &token.stem), NUMBER_IN_TITLE_WEIGHT);
        (Occur::Should, Box::new(boosted) as Box<dyn Query>)
    })
}

/// Bonuses for words that stand together: every word in one short field, all the
/// words near each other, each pair near each other.
fn together(stems: &[String], context: &Context) -> Vec<(Occur, Box<dyn Query>)> {
    let (fields, holds) = (context.fields, context.holds);
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if (2..=8).contains(&stems.len()) {
        // Every word in one short field (the title, a heading, the keywords or the
        // description) says what the page is about.
        for (field, weight) in fields.weighted() {
            if field == fields.body || !stems.iter().all(|stem| holds(field, stem)) {
                continue;
            }
            let every: Vec<(Occur, Box<dyn Query>)> = stems
                .iter()
                .map(|stem| (Occur::Must, term(field, stem)))
                .collect();
            parts.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(BooleanQuery::new(every)),
                    weight * SAME_FIELD_WEIGHT,
                )),
            ));
        }
        if let Some(near) = phrase_any_field(fields, holds, stems, PROXIMITY_SLOP) {
            parts.push((
                Occur::Should,
                Box::new(BoostQuery::new(near, PROXIMITY_WEIGHT)),
            ));
        }
    }
    if (3..=8).contains(&stems.len()) {
        for pair in stems.windows(2) {
            if let Some(near) = phrase_any_field(fields, holds, pair, PROXIMITY_SLOP) {
                parts.push((Occur::Should, Box::new(BoostQuery::new(near, PAIR_WEIGHT))));
            }
        }
    }
    parts
}

/// The edit distance tolerated in a word: none under 5 characters, 1 up to 8, then 2.
fn typo_distance(word: &str) -> Option<u8> {
    let length = word.chars().count();
    match length {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

fn term(field: Field, token: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, token),
        IndexRecordOption::WithFreqs,
    ))
}

/// The term in any field that holds it (see [`any_field`]), scaled by `scale`; `None`
/// when no field does.
fn terms_any_field(
    fields: &Fields,
    holds: &dyn Fn(Field, &str) -> bool,
    token: &str,
    scale: f32,
) -> Option<Box<dyn Query>> {
    any_field(fields, scale, |field| {
        holds(field, token).then(|| term(field, token))
    })
}

/// The tokens as a phrase (with `slop`) in any field that holds them all; one token is
/// a plain term. `None` when there are no tokens or no field holds them.
fn phrase_any_field(
    fields: &Fields,
    holds: &dyn Fn(Field, &str) -> bool,
    tokens: &[String],
    slop: u32,
) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [token] => terms_any_field(fields, holds, token, 1.0),
        _ => any_field(fields, 1.0, |field| {
            if !tokens.iter().all(|t| holds(field, t)) {
                return None;
            }
            let terms = tokens
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            let mut phrase = PhraseQuery::new(terms);
            phrase.set_slop(slop);
            Some(Box::new(phrase) as Box<dyn Query>)
        }),
    }
}

/// The best of one query per weighted field (where `query_for` makes one); the other
/// fields add a little. `None` when no field gets a query.
fn any_field(
    fields: &Fields,
    scale: f32,
    query_for: impl Fn(Field) -> Option<Box<dyn Query>>,
) -> Option<Box<dyn Query>> {
    let per_field: Vec<Box<dyn Query>> = fields
        .weighted()
        .into_iter()
        .filter_map(|(field, weight)| {
            let query = query_for(field)?;
            Some(Box::new(BoostQuery::new(query, weight * scale)) as Box<dyn Query>)
        })
        .collect();
    best_of(per_field, 0.3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<Clause> {
        list.iter().map(|w| Clause::Word(w.to_string())).collect()
    }

    #[test]
    fn free_words_and_phrases() {
        assert_eq!(
            parse_query("bad \"upstream server\" gateway"),
            vec![
                Clause::Word("bad".into()),
                Clause::Phrase(vec!["upstream".into(), "server".into()]),
                Clause::Word("gateway".into()),
            ]
        );
    }

    #[test]
    fn an_unbalanced_quote_is_ignored() {
        assert_eq!(parse_query("bad \"gateway"), words(&["bad", "gateway"]));
        assert_eq!(parse_query("\""), vec![]);
    }

    #[test]
    fn syntax_characters_are_plain_text() {
        assert_eq!(
            parse_query("title:(a OR b)"),
            words(&["title:(a", "OR", "b)"])
        );
    }

    #[test]
    fn long_queries_are_capped() {
        let long = "word ".repeat(10_000);
        assert_eq!(parse_query(&long).len(), MAX_WORDS);
        let wide = "é".repeat(5_000);
        assert!(matches!(&parse_query(&wide)[0], Clause::Word(w) if w.len() <= MAX_QUERY_BYTES));
    }

    #[test]
    fn a_one_word_phrase_is_a_word() {
        assert_eq!(parse_query("\"gateway\""), words(&["gateway"]));
    }

    proptest::proptest! {
        #[test]
        fn any_query_parses_within_bounds(query in "\\PC{0,2000}") {
            let clauses = parse_query(&query);
            let words: usize = clauses
                .iter()
                .map(|c| match c { Clause::Word(_) => 1, Clause::Phrase(p) => p.len() })
                .sum();
            proptest::prop_assert!(words <= MAX_WORDS);
            for clause in &clauses {
                if let Clause::Word(word) = clause {
                    proptest::prop_assert!(!word.is_empty() && !word.contains('"'));
                }
            }
        }
    }

    #[test]
    fn typo_distance_grows_with_length() {
        assert_eq!(typo_distance("gate"), None);
        assert_eq!(typo_distance("gatewy"), Some(1));
        assert_eq!(typo_distance("authentcation"), Some(2));
    }

    #[test]
    fn synonyms_match_single_and_multi_word_members() {
        let mut analyzer = Analysis::of("en").stemmed;
        let synonyms = Synonyms::new(
            &[vec![
                "load balancer".into(),
                "proxy".into(),
                "gateway".into(),
            ]],
            &mut analyzer,
        );
        let tokens = analyze(&mut analyzer, "the load balancers failed");
        let found = synonyms.matches(&tokens);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 2));
        assert_eq!(found[0].2.len(), 2);
    }
}
