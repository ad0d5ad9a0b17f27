//! A deterministic generator of made-up documentation pages, for corpora larger than any
//! real one at hand: the same count always gives the same bytes.

use std::fmt::Write as _;
use std::path::Path;

/// Pages per folder.
const PER_FOLDER: usize = 1000;

/// Distinct words in the vocabulary.
const VOCABULARY: usize = 40_000;

/// SplitMix64: a small, fast, fixed pseudo-random sequence.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    /// A number in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Words drawn with Zipf-like frequencies, as in real prose: a few very common words
/// and a long tail of rare ones.
struct Words {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    fn new(sequence: &mut Sequence) -> Words {
        const ONSETS: [&str; 20] = [
            "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
            "st", "tr", "pl",
        ];
        const NUCLEI: [&str; 8] = ["a", "e", "i", "o", "u", "ai", "ou", "ea"];
        let mut seen = std::collections::HashSet::new();
        let mut words = Vec::with_capacity(VOCABULARY);
        while words.len() < VOCABULARY {
            let syllables = sequence.between(1, 4);
            let mut word = String::new();
            for _ in 0..syllables {
                word.push_str(ONSETS[sequence.between(0, ONSETS.len() - 1)]);
                word.push_str(NUCLEI[sequence.between(0, NUCLEI.len() - 1)]);
            }
            if sequence.unit() < 0.4 {
                word.push_str(["n", "r", "s", "t", "l"][sequence.between(0, 4)]);
            }
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect::<Vec<_>>();
        let cumulative = cumulative.iter().map(|c| c / total).collect();
        Words { words, cumulative }
    }

    fn pick(&self, sequence: &mut Sequence) -> &str {
        let at = sequence.unit();
        let rank = self.cumulative.partition_point(|&c| c < at);
        &self.words[rank.min(VOCABULARY - 1)]
    }

    /// Between `low` and `high` words, separated by spaces.
    fn phrase(&self, sequence: &mut Sequence, low: usize, high: usize) -> String {
        let count = sequence.between(low, high);
        let picked: Vec<&str> = (0..count).map(|_| self.pick(sequence)).collect();
        picked.join(" ")
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Writes `count` pages under `dir` in folders of a thousand: frontmatter with a title
/// and a description, an introduction, and a few `##` sections of prose, lists and code.
pub fn generate(dir: &Path, count: usize) {
    let mut sequence = Sequence(count as u64);
    let words = Words::new(&mut sequence);
    for number in 0..count {
        let folder = dir.join(format!("part-{:03}", number / PER_FOLDER));
        if number % PER_FOLDER == 0 {
            std::fs::create_dir_all(&folder).expect("create folder");
        }
        let title = capitalised(&words.phrase(&mut sequence, 1, 3));
        let description = capitalised(&words.phrase(&mut sequence, 8, 16));
        let mut page = format!(
            "---\ntitle: \"{title}\"\ndescription: \"{description}.\"\n---\n\n# {title}\n\n"
        );
        let introduction = words.phrase(&mut sequence, 20, 40);
        let _ = writeln!(page, "{}.\n", capitalised(&introduction));
        for _ in 0..sequence.between(2, 4) {
            let heading = capitalised(&words.phrase(&mut sequence, 1, 4));
            let _ = writeln!(page, "## {heading}\n");
            let prose = words.phrase(&mut sequence, 15, 35);
            let _ = writeln!(page, "{}.\n", capitalised(&prose));
            match sequence.between(0, 2) {
                0 => {
                    for _ in 0..sequence.between(2, 4) {
                        let item = words.phrase(&mut sequence, 3, 8);
                        let _ = writeln!(page, "- {item}");
                    }
                    page.push('\n');
                }
                1 => {
                    let command = words.phrase(&mut sequence, 3, 3);
                    let _ = writeln!(
                        page,
                        "```sh\n{command} --{}\n```\n",
                        words.pick(&mut sequence)
                    );
                }
                _ => {}
            }
        }
        std::fs::write(folder.join(format!("page-{number:06}.md")), page).expect("write page");
    }
}
