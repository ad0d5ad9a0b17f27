//! Parsing one page from the bytes of its file: frontmatter, Markdown outline, URL,
//! title and description.

use super::frontmatter;
use super::include::{self, IncludeSource};
use super::markdown;
use super::page::{HeadTag, Page, scalar_string, text_field};
use super::problem::Problem;
use super::url;
use serde_json::{Map, Value};
use std::path::Path;
use std::time::SystemTime;

/// The outcome of parsing one file: the page or the error that stops it, plus warnings.
/// Their paths are empty: the caller names the file.
pub type Parsed = (Result<Page, Problem>, Vec<Problem>);

/// Parses one page from the bytes of its file, last modified at `modified`, with the
/// files it includes read from `files` (the content folder).
pub(super) fn parse_file(
    source: &Path,
    bytes: &[u8],
    modified: Option<SystemTime>,
    files: &dyn IncludeSource,
) -> Parsed {
    let mut warnings = Vec::new();
    let page = parse_into(source, bytes, Some(files), &mut warnings);
    let page = page.map(|page| Page { modified, ..page });
    (page, warnings)
}

/// Parses one page from its bytes, alone: what it includes is left as written.
/// `source` is its path relative to the content folder.
pub fn parse_page(source: &Path, bytes: &[u8]) -> Parsed {
    let mut warnings = Vec::new();
    let page = parse_into(source, bytes, None, &mut warnings);
    (page, warnings)
}

fn parse_into(
    source: &Path,
    bytes: &[u8],
    files: Option<&dyn IncludeSource>,
    warnings: &mut Vec<Problem>,
) -> Result<Page, Problem> {
    if bytes.contains(&0) {
        return Err(Problem::error(
            1,
            "binary file (it contains NUL bytes), not Markdown",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let line = bytes[..error.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Problem::error(line, "not valid UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    let text = match super::mdx::is_mdx(source) {
        true => super::mdx::to_markdown(&text),
        false => text,
    };
    let split = frontmatter::split(&text)?;
    let frontmatter = match split.yaml {
        Some(yaml) => frontmatter::parse(yaml)?,
        None => frontmatter::Frontmatter::default(),
    };
    warnings.extend(frontmatter.warning);
    let fields = frontmatter.fields;
    let url = url::url_for(source, &fields).map_err(|message| Problem::error(1, message))?;
    let included = files.and_then(|files| include::expand(source, split.body, files));
    let (body, lines) = match &included {
        Some(included) => (included.text.as_str(), Some(&included.lines)),
        None => (split.body, None),
    };
    // A line of the body as spliced, as a line of the file.
    let file_line =
        |line: usize| lines.map_or(line, |lines| lines.line(line)) + split.body_line - 1;
    let rendered = markdown::outline(body);
    warnings.extend(rendered.warnings.into_iter().map(|warning| Problem {
        line: file_line(warning.line),
        ..warning
    }));
    let (includes, title_set) = match included.as_ref() {
        Some(included) => {
            warnings.extend(
                (included.problems.iter().cloned())
                    .map(|problem| problem.below(split.body_line - 1)),
            );
            (included.files.clone(), included.title.clone())
        }
        None => (Vec::new(), None),
    };
    if split.body.trim().is_empty() && fields.is_empty() {
        warnings.push(Problem::warning(1, "page is empty"));
    }
    let h1 = rendered
        .headings
        .iter()
        .find(|h| h.level == 1)
        .map(|h| h.text.clone());
    let title = string_field(&fields, "title")
        .or(title_set)
        .or_else(|| h1.clone())
        .or_else(|| hero_name(&fields))
        .unwrap_or_else(|| name_of(source));
    let head = head_tags(fields.get("head"), warnings);
    Ok(Page {
        source: source.to_path_buf(),
        url,
        heading: h1.unwrap_or_else(|| title.clone()),
        title,
        description: string_field(&fields, "description").unwrap_or(rendered.lead),
        keywords: string_list(fields.get("keywords")),
        aliases: string_list(fields.get("aliases")),
        head,
        json_ld: rendered.json_ld,
        body: body.to_string(),
        includes,
        sections: rendered.sections,
        headings: rendered.headings,
        links: rendered
            .links
            .into_iter()
            .map(|(line, target)| (file_line(line), target))
            .collect(),
        modified: None,
        order: order_of(&fields),
        frontmatter: fields,
    })
}

/// A page's name from its file when it has no title: the file's stem, or for a
/// folder's index page (`guide/index.md`, `cli/README.md`) the folder's name; never
/// "index". Dashes and underscores become spaces (`getting-started` → `Getting started`).
fn name_of(source: &Path) -> String {
    let stem = source.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let name = match url::is_index_name(stem) {
        true => source
            .parent()
            .and_then(Path::file_name)
            .and_then(|s| s.to_str())
            .unwrap_or("Home"),
        false => stem,
    };
    match url::title_from_name(name) {
        title if title.is_empty() => "Home".to_string(),
        title => title,
    }
}

/// The name a VitePress home page gives itself: `hero.name`, else `hero.text`.
fn hero_name(fields: &Map<String, Value>) -> Option<String> {
    let hero = fields.get("hero")?.as_object()?;
    string_field(hero, "name").or_else(|| string_field(hero, "text"))
}

/// Where a page goes among its siblings, as the tools name it: `order`,
/// `sidebar_position` (Docusaurus), `nav_order` (Just the Docs), `weight` (Hugo).
fn order_of(fields: &Map<String, Value>) -> Option<f64> {
    ["order", "sidebar_position", "nav_order", "weight"]
        .iter()
        .find_map(|key| match fields.get(*key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
        .filter(|order| order.is_finite())
}

fn string_field(fields: &Map<String, Value>, key: &str) -> Option<String> {
    text_field(fields, key).map(String::from)
}

/// A list of strings, or one comma-separated string.
fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(list)) => list
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(scalar_string)
            .filter(|k| !k.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads VitePress `head` entries: `[tag, {attr: value}]` pairs; only `meta` and `link`.
fn head_tags(value: Option<&Value>, warnings: &mut Vec<Problem>) -> Vec<HeadTag> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(entries) = value.as_array() else {
        warnings.push(Problem::warning(
            1,
            "`head` must be a list of [tag, {attributes}] pairs",
        ));
        return Vec::new();
    };
    let mut tags = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let pair = entry.as_array().map(Vec::as_slice);
        let (Some(name), Some(attrs)) = (
            pair.and_then(|p| p.first()).and_then(Value::as_str),
            pair.and_then(|p| p.get(1)).and_then(Value::as_object),
        ) else {
            warnings.push(Problem::warning(
                1,
                format!(
                    "`head` entry {} is not a [tag, {{attributes}}] pair",
                    index + 1
                ),
            ));
            continue;
        };
        if name != "meta" && name != "link" {
            warnings.push(Problem::warning(
                1,
                format!(
                    "`head` entry {}: only meta and link tags are served, not {name}",
                    index + 1
                ),
            ));
            continue;
        }
        let attrs = attrs
            .iter()
            .filter(|(key, _)| is_attribute_name(key))
            .filter_map(|(key, value)| Some((key.clone(), scalar_string(value)?)))
            .collect();
        tags.push(HeadTag {
            name: name.to_string(),
            attrs,
        });
    }
    tags
}

fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        parse_page(Path::new("guide/page.md"), text.as_bytes())
    }

    #[test]
    fn page_without_frontmatter_takes_its_title_from_the_first_heading() {
        let (page, warnings) = parse("# tar\n\n> Archiving utility.\n");
        let page = page.unwrap();
        assert_eq!(page.title, "tar");
        assert_eq!(page.url, "/guide/page");
        assert!(warnings.is_empty());
    }

    #[test]
    fn frontmatter_fields_reach_the_page() {
        let text = "---\ntitle: \"T\"\ndescription: \"D\"\nkeywords: [a, b]\ncode: 502\nhead:\n  - - meta\n    - name: keywords\n      content: x, y\n  - - script\n    - src: evil.js\n---\n# Heading\n";
        let (page, warnings) = parse(text);
        let page = page.unwrap();
        assert_eq!(page.title, "T");
        assert_eq!(page.heading, "Heading");
        assert_eq!(page.description, "D");
        assert_eq!(page.keywords, ["a", "b"]);
        assert_eq!(page.field("code").as_deref(), Some("502"));
        assert_eq!(page.head.len(), 1);
        assert_eq!(page.head[0].attrs[1], ("content".into(), "x, y".into()));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("not script"));
    }

    #[test]
    fn a_written_description_wins_over_the_lead() {
        let (page, _) = parse("---\ndescription: \"  Written.  \"\n---\n# T\n\nThe lead.\n");
        let page = page.unwrap();
        assert_eq!(page.description, "Written.");
        assert_eq!(page.written_description(), Some("Written."));
        let (page, _) = parse("---\ndescription: \"\"\n---\n# tar\n\n> Archiving utility.\n");
        let page = page.unwrap();
        assert_eq!(page.description, "Archiving utility.");
        assert_eq!(page.written_description(), None);
        assert_eq!(page.listing().description, "Archiving utility.");
    }

    #[test]
    fn a_page_without_a_title_is_named_by_its_file_or_folder_never_index() {
        let title = |path: &str, text: &str| {
            parse_page(Path::new(path), text.as_bytes())
                .0
                .unwrap()
                .title
        };
        assert_eq!(
            title("guide/getting-started.md", "Text.\n"),
            "Getting started"
        );
        assert_eq!(title("plugins/index.md", "Text.\n"), "Plugins");
        assert_eq!(title("cli/README.md", "Text.\n"), "Cli");
        assert_eq!(title("index.md", "Text.\n"), "Home");
        assert_eq!(
            title(
                "zh/index.md",
                "---\nlayout: home\nhero:\n  name: VitePress\n---\n"
            ),
            "VitePress"
        );
    }

    #[test]
    fn order_comes_from_any_of_the_tools_keys() {
        let order = |text: &str| {
            parse_page(Path::new("a.md"), text.as_bytes())
                .0
                .unwrap()
                .order
        };
        assert_eq!(order("---\norder: 2\n---\n"), Some(2.0));
        assert_eq!(order("---\nsidebar_position: 1.5\n---\n"), Some(1.5));
        assert_eq!(order("---\nnav_order: \"3\"\n---\n"), Some(3.0));
        assert_eq!(order("---\nweight: 10\n---\n"), Some(10.0));
        assert_eq!(order("# No order\n"), None);
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let (page, _) = parse("\u{feff}---\r\ntitle: Windows\r\n---\r\n# H\r\n");
        assert_eq!(page.unwrap().title, "Windows");
    }

    #[test]
    fn bad_files_are_errors_with_lines() {
        assert_eq!(
            parse("ok\n\u{0}").0.unwrap_err().message,
            "binary file (it contains NUL bytes), not Markdown"
        );
        let invalid = parse_page(Path::new("a.md"), b"line one\nline \xff two\n");
        assert_eq!(invalid.0.unwrap_err(), Problem::error(2, "not valid UTF-8"));
        let (list, _) = parse("---\n- a\n- b\n---\n");
        assert!(list.unwrap_err().message.contains("mapping"));
    }

    #[test]
    fn warning_lines_count_from_the_top_of_the_file() {
        let (_, warnings) = parse(
            "---\ntitle: T\n---\n\n<script setup>\nconst d = { \"@context\": x }\n</script>\n",
        );
        assert_eq!(warnings[0].line, 5);
    }
}
