//! SUMMARY.md syntax: mdBook's table of contents, also folio's own `_nav.md`.
//!
//! Reads the text into [`NavEntry`]s as its author wrote them, in order: prefix
//! chapters, `# Part` titles, nested lists of chapters, draft chapters, `---`
//! separators and suffix chapters. It reads text only: whether a target exists is for
//! the caller to say.

use super::problem::Problem;
use super::project::NavEntry;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Reads SUMMARY.md syntax (mdBook's format, also folio's `_nav.md`): prefix chapters,
/// `# Part` titles, nested lists of `[Title](path.md)`, draft chapters `[Title]()`,
/// `---` separators, suffix chapters. Problems (a list item that is not a link, …)
/// come with their line.
///
/// The tree follows mdBook's reading of the file:
/// - the first line, when it is a level-1 heading (usually `# Summary`), is the
///   file's title and no entry;
/// - a later level-1 heading is a part title: an entry with `part` set, followed by
///   its chapters as its siblings (not its children), as mdBook lists them; other
///   heading levels are ignored;
/// - a link outside a list (a prefix or suffix chapter) is an entry at the top level;
/// - a list item's first link is its entry, a list nested in the item its children;
/// - `[Title]()` is a draft chapter: `target` is `None`;
/// - a line of three or more dashes is a separator: an entry with `part` set and
///   neither title nor target (see [`NavEntry::is_separator`]).
///
/// A list item without a link is kept as an entry without a target, with a warning:
/// its children are still read. Text outside links is ignored with a warning.
pub fn read_summary(text: &str) -> (Vec<NavEntry>, Vec<Problem>) {
    let mut reader = Reader {
        lines: LineIndex::new(text),
        top: Vec::new(),
        lists: Vec::new(),
        items: Vec::new(),
        problems: Vec::new(),
        title_allowed: true,
    };
    let mut events = Parser::new_ext(text, Options::empty()).into_offset_iter();
    while let Some((event, range)) = events.next() {
        let line = reader.lines.line(range.start);
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let heading = collect_text(&mut events, TagEnd::Heading(level));
                let was_first = std::mem::replace(&mut reader.title_allowed, false);
                if level != HeadingLevel::H1 || was_first || !reader.items.is_empty() {
                    continue;
                }
                reader.push(NavEntry {
                    title: Some(heading),
                    target: None,
                    children: Vec::new(),
                    part: true,
                });
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                reader.title_allowed = false;
                let title = collect_text(&mut events, TagEnd::Link);
                reader.link(title, &dest_url, line);
            }
            Event::Start(Tag::List(_)) => {
                reader.title_allowed = false;
                reader.lists.push(Vec::new());
            }
            Event::End(TagEnd::List(_)) => {
                let entries = reader.lists.pop().unwrap_or_default();
                match reader.items.last_mut() {
                    Some(item) => item.children.extend(entries),
                    None => reader.top.extend(entries),
                }
            }
            Event::Start(Tag::Item) => reader.items.push(Item {
                entry: None,
                text: String::new(),
                children: Vec::new(),
                line,
            }),
            Event::End(TagEnd::Item) => reader.close_item(),
            Event::Rule => {
                reader.title_allowed = false;
                if reader.items.is_empty() {
                    reader.top.push(NavEntry {
                        title: None,
                        target: None,
                        children: Vec::new(),
                        part: true,
                    });
                }
            }
            Event::Text(words) | Event::Code(words) => {
                reader.title_allowed = false;
                match reader.items.last_mut() {
                    Some(item) if item.entry.is_none() => item.text.push_str(&words),
                    Some(_) => {}
                    None if words.trim().is_empty() => {}
                    None => reader.problems.push(Problem::warning(
                        line,
                        format!(
                            "`{}` is not a link and is left out of the navigation",
                            words.trim()
                        ),
                    )),
                }
            }
            _ => {}
        }
    }
    (reader.top, reader.problems)
}

/// A list item being read.
struct Item {
    /// Its link, once read.
    entry: Option<NavEntry>,
    /// Its words before any link: the title of an item without one.
    text: String,
    /// The entries of lists nested in it.
    children: Vec<NavEntry>,
    /// The line it starts on.
    line: usize,
}

/// The reading of one SUMMARY text.
struct Reader {
    lines: LineIndex,
    /// Entries outside any list.
    top: Vec<NavEntry>,
    /// The entries of each open list, outermost first.
    lists: Vec<Vec<NavEntry>>,
    /// The open list items, outermost first.
    items: Vec<Item>,
    problems: Vec<Problem>,
    /// Whether a heading now would be the file's title: nothing came before it.
    title_allowed: bool,
}

impl Reader {
    /// Adds an entry to the innermost open list, or to the top level outside lists.
    fn push(&mut self, entry: NavEntry) {
        match self.lists.last_mut() {
            Some(list) => list.push(entry),
            None => self.top.push(entry),
        }
    }

    /// A link read at `line`: an item's entry, or a prefix or suffix chapter.
    fn link(&mut self, title: String, destination: &str, line: usize) {
        let entry = NavEntry {
            title: (!title.trim().is_empty()).then(|| title.trim().to_string()),
            target: (!destination.is_empty()).then(|| destination.to_string()),
            children: Vec::new(),
            part: false,
        };
        match self.items.last_mut() {
            None => self.top.push(entry),
            Some(item) if item.entry.is_none() => item.entry = Some(entry),
            Some(item) => {
                let first = item.entry.as_ref().and_then(|e| e.title.clone());
                self.problems.push(Problem::warning(
                    line,
                    format!(
                        "a list item links only once: the link after `{}` is left out",
                        first.unwrap_or_default()
                    ),
                ));
            }
        }
    }

    /// Ends the innermost list item and adds its entry to its list.
    fn close_item(&mut self) {
        let Some(item) = self.items.pop() else {
            return;
        };
        let mut entry = match item.entry {
            Some(entry) => entry,
            None => {
                let text = item.text.trim().to_string();
                self.problems.push(Problem::warning(
                    item.line,
                    match text.is_empty() {
                        true => "a list item without a link".to_string(),
                        false => format!("list item `{text}` is not a link; write `[{text}](page.md)`, or `[{text}]()` for a chapter not yet written"),
                    },
                ));
                NavEntry {
                    title: (!text.is_empty()).then_some(text),
                    target: None,
                    children: Vec::new(),
                    part: false,
                }
            }
        };
        entry.children = item.children;
        self.push(entry);
    }
}

/// The text inside a tag, up to its `end`: words and code, soft breaks as spaces.
fn collect_text<'a>(
    events: &mut impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
    end: TagEnd,
) -> String {
    let mut text = String::new();
    for (event, _) in events.by_ref() {
        match event {
            Event::End(tag) if tag == end => break,
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// Byte offsets to 1-based line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { starts }
    }

    /// The line holding byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(title: &str, target: &str) -> NavEntry {
        NavEntry {
            title: Some(title.into()),
            target: Some(target.into()),
            children: Vec::new(),
            part: false,
        }
    }

    fn with(mut entry: NavEntry, children: Vec<NavEntry>) -> NavEntry {
        entry.children = children;
        entry
    }

    fn part(title: &str) -> NavEntry {
        NavEntry {
            title: Some(title.into()),
            target: None,
            children: Vec::new(),
            part: true,
        }
    }

    fn draft(title: &str) -> NavEntry {
        NavEntry {
            title: Some(title.into()),
            target: None,
            children: Vec::new(),
            part: false,
        }
    }

    fn separator() -> NavEntry {
        NavEntry {
            title: None,
            target: None,
            children: Vec::new(),
            part: true,
        }
    }

    fn read(text: &str) -> Vec<NavEntry> {
        let (entries, problems) = read_summary(text);
        assert_eq!(problems, [], "in {text}");
        entries
    }

    #[test]
    fn the_title_heading_is_no_entry() {
        assert_eq!(
            read("# Summary\n\n[Intro](README.md)\n"),
            [link("Intro", "README.md")]
        );
    }

    #[test]
    fn prefix_chapters_come_first_at_the_top_level() {
        let text = "# Summary\n\n[Foreword](foreword.md)\n[Intro](intro.md)\n\n- [One](one.md)\n";
        assert_eq!(
            read(text),
            [
                link("Foreword", "foreword.md"),
                link("Intro", "intro.md"),
                link("One", "one.md"),
            ]
        );
    }

    #[test]
    fn part_titles_are_labels_followed_by_their_chapters() {
        let text = "# Summary\n\n# User guide\n\n- [Install](install.md)\n\n## Ignored\n\n# Reference\n\n* [CLI](cli.md)\n";
        assert_eq!(
            read(text),
            [
                part("User guide"),
                link("Install", "install.md"),
                part("Reference"),
                link("CLI", "cli.md"),
            ]
        );
    }

    #[test]
    fn nested_lists_are_children() {
        let text = "- [CLI](cli/README.md)\n    - [init](cli/init.md)\n        - [deep](cli/deep.md)\n    - [build](cli/build.md)\n- [Format](format.md)\n";
        assert_eq!(
            read(text),
            [
                with(
                    link("CLI", "cli/README.md"),
                    vec![
                        with(
                            link("init", "cli/init.md"),
                            vec![link("deep", "cli/deep.md")]
                        ),
                        link("build", "cli/build.md"),
                    ]
                ),
                link("Format", "format.md"),
            ]
        );
    }

    #[test]
    fn a_draft_chapter_has_no_target() {
        let text = "- [Format](format.md)\n    - [Draft chapter]()\n";
        assert_eq!(
            read(text),
            [with(
                link("Format", "format.md"),
                vec![draft("Draft chapter")]
            )]
        );
    }

    #[test]
    fn separators_and_suffix_chapters() {
        let text =
            "---\n\n- [One](one.md)\n\n-----------\n\n[Contributors](misc/contributors.md)\n";
        assert_eq!(
            read(text),
            [
                separator(),
                link("One", "one.md"),
                separator(),
                link("Contributors", "misc/contributors.md"),
            ]
        );
        assert!(read(text)[0].is_separator());
        assert!(!part("A").is_separator());
    }

    #[test]
    fn link_titles_keep_code_and_targets_stay_as_written() {
        let text = "- [The `mdbook` tool](<cli/the tool.md>)\n- [Site](https://example.com/x)\n- [](untitled.md)\n";
        let entries = read(text);
        assert_eq!(entries[0], link("The mdbook tool", "cli/the tool.md"));
        assert_eq!(entries[1], link("Site", "https://example.com/x"));
        assert_eq!(entries[2].title, None);
        assert_eq!(entries[2].target.as_deref(), Some("untitled.md"));
    }

    #[test]
    fn a_list_item_that_is_not_a_link_is_kept_with_a_warning() {
        let text = "# Summary\n\n- [One](one.md)\n- Section\n    - [Two](two.md)\n";
        let (entries, problems) = read_summary(text);
        assert_eq!(
            entries,
            [
                link("One", "one.md"),
                with(draft("Section"), vec![link("Two", "two.md")]),
            ]
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 4);
        assert!(!problems[0].is_error());
        assert!(problems[0].message.contains("`Section` is not a link"));
    }

    #[test]
    fn stray_text_and_second_links_are_warned_of_at_their_line() {
        let text = "# Summary\n\nSome words.\n\n- [One](one.md) and [Two](two.md)\n";
        let (entries, problems) = read_summary(text);
        assert_eq!(entries, [link("One", "one.md")]);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 5]);
    }

    #[test]
    fn the_mdbook_guide_summary() {
        let Some(text) = corpus_summary() else {
            eprintln!("skipped: ../shared/corpora/mdbook-guide.tar.gz is not there");
            return;
        };
        let (entries, problems) = read_summary(&text);
        assert_eq!(problems, []);
        let titles: Vec<_> = entries
            .iter()
            .map(|e| {
                (
                    e.title.as_deref().unwrap_or("---"),
                    e.part,
                    e.children.len(),
                )
            })
            .collect();
        assert_eq!(
            titles,
            [
                ("Introduction", false, 0),
                ("User guide", true, 0),
                ("Installation", false, 0),
                ("Reading books", false, 0),
                ("Creating a book", false, 0),
                ("Reference guide", true, 0),
                ("Command-line tool", false, 7),
                ("Format", false, 6),
                ("Continuous integration", false, 0),
                ("For developers", false, 2),
                ("---", true, 0),
                ("Contributors", false, 0),
            ]
        );
        let format = &entries[7];
        assert_eq!(
            format.children[0].target.as_deref(),
            Some("format/summary.md")
        );
        assert_eq!(format.children[0].children, [draft("Draft chapter")]);
        assert_eq!(format.children[1].children.len(), 4);
    }

    /// `src/SUMMARY.md` of the mdBook guide corpus, unpacked into a temporary folder.
    fn corpus_summary() -> Option<String> {
        let archive = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpora/mdbook-guide.tar.gz");
        if !archive.exists() {
            return None;
        }
        let dir = tempfile::tempdir().ok()?;
        let status = std::process::Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(dir.path())
            .arg("mdbook-guide/src/SUMMARY.md")
            .status()
            .ok()?;
        assert!(
            status.success(),
            "tar could not unpack {}",
            archive.display()
        );
        std::fs::read_to_string(dir.path().join("mdbook-guide/src/SUMMARY.md")).ok()
    }
}
