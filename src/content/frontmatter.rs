//! Frontmatter: the YAML block between `---` lines at the top of a page.
//!
//! Strict YAML is tried first. Pages written for VitePress often carry values that
//! strict YAML rejects (an unquoted `: ` inside a value), so a failed strict parse
//! falls back to a tolerant reading and reports a warning instead of an error.

use super::problem::Problem;
use serde_json::{Map, Value};

/// A page's text cut into its frontmatter and its Markdown body.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, when the page has frontmatter.
    pub yaml: Option<&'a str>,
    /// The Markdown after the closing fence (the whole text without frontmatter).
    pub body: &'a str,
    /// The 1-based line on which `body` starts.
    pub body_line: usize,
}

/// Frontmatter read from a page.
#[derive(Debug, Default, PartialEq)]
pub struct Frontmatter {
    /// Every key of the frontmatter, as JSON values.
    pub fields: Map<String, Value>,
    /// Set when the YAML was not strict and was read tolerantly.
    pub warning: Option<Problem>,
}

/// Cuts `text` (with `\n` line ends) into frontmatter and body.
///
/// Frontmatter opens with `---` on the first line and closes with `---` or `...`.
pub fn split(text: &str) -> Result<Split<'_>, Problem> {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| (text.trim_end() == "---").then_some(""))
    else {
        return Ok(Split {
            yaml: None,
            body: text,
            body_line: 1,
        });
    };
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Ok(Split {
                yaml: Some(&rest[..offset]),
                body: &rest[offset + line.len()..],
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(Problem::error(
        1,
        "frontmatter opened with `---` is never closed",
    ))
}

/// Reads frontmatter YAML whose first line is line 2 of the page.
///
/// Errors only when the frontmatter is not a mapping (a list or a scalar) or cannot be
/// read even tolerantly; non-strict YAML gives a warning.
pub fn parse(yaml: &str) -> Result<Frontmatter, Problem> {
    let strict_error = match strict(yaml) {
        Ok(fields) => {
            return Ok(Frontmatter {
                fields,
                warning: None,
            });
        }
        Err(Strictness::NotAMapping(problem)) => return Err(problem),
        Err(Strictness::Invalid(problem)) => problem,
    };
    let fields = quote_plain_values(yaml)
        .and_then(|repaired| strict(&repaired).ok())
        .unwrap_or_else(|| top_level_pairs(yaml));
    if fields.is_empty() && !yaml.trim().is_empty() {
        return Err(strict_error);
    }
    Ok(Frontmatter {
        fields,
        warning: Some(Problem::warning(
            strict_error.line,
            format!(
                "frontmatter is not strict YAML ({}); read it tolerantly: quote values that contain `: `",
                strict_error.message
            ),
        )),
    })
}

enum Strictness {
    Invalid(Problem),
    NotAMapping(Problem),
}

fn strict(yaml: &str) -> Result<Map<String, Value>, Strictness> {
    match serde_saphyr::from_str::<Value>(yaml) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(other) => Err(Strictness::NotAMapping(Problem::error(
            2,
            format!(
                "frontmatter must be a mapping of keys to values, not {}",
                describe(&other)
            ),
        ))),
        Err(error) => {
            let line = error.location().map_or(1, |at| at.line() as usize);
            let message = error.to_string();
            let message = message.lines().next().unwrap_or("invalid YAML");
            Err(Strictness::Invalid(Problem::error(
                line + 1,
                message.trim().to_lowercase(),
            )))
        }
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
        _ => "a single value",
    }
}

/// Quotes plain values that contain `: ` or ` #`, the usual defect of hand-written
/// frontmatter. Returns `None` when nothing needed quoting.
fn quote_plain_values(yaml: &str) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(yaml.len() + 16);
    for line in yaml.lines() {
        match split_key_value(line) {
            Some((prefix, value)) if needs_quotes(value) => {
                changed = true;
                out.push_str(prefix);
                out.push_str(&serde_json::Value::from(value).to_string());
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    changed.then_some(out)
}

/// Splits `  - key: value` into (`  - key: `, `value`).
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    let mut start = line.len() - line.trim_start().len();
    while line[start..].starts_with("- ") {
        start += 2;
        start += line[start..].len() - line[start..].trim_start().len();
    }
    let colon = line[start..].find(": ")? + start;
    let key = &line[start..colon];
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
    if !simple {
        return None;
    }
    let value_start = colon + 2;
    let value = line[value_start..].trim();
    Some((&line[..value_start], value))
}

fn needs_quotes(value: &str) -> bool {
    let structured = value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!', '#']);
    !value.is_empty() && !structured && (value.contains(": ") || value.contains(" #"))
}

/// The last resort: every unindented `key: value` line, values as strings.
fn top_level_pairs(yaml: &str) -> Map<String, Value> {
    yaml.lines()
        .filter_map(split_key_value)
        .filter(|(prefix, value)| !prefix.starts_with([' ', '\t', '-']) && !value.is_empty())
        .map(|(prefix, value)| {
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            (
                prefix.trim_end_matches([' ', ':']).to_string(),
                Value::from(unquoted),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_LIKE: &str = "layout: doc\ntitle: 418 I'm a teapot - Explained\ndescription: 418 I'm a teapot: The server refuses to brew coffee.\nhead:\n  - - meta\n    - name: description\n      content: 418 I'm a teapot: The server refuses to brew coffee.\n";

    #[test]
    fn split_finds_frontmatter_and_body_line() {
        let split = split("---\ntitle: A\n---\n# Hello\n").unwrap();
        assert_eq!(split.yaml, Some("title: A\n"));
        assert_eq!(split.body, "# Hello\n");
        assert_eq!(split.body_line, 4);
    }

    #[test]
    fn split_without_frontmatter_keeps_everything() {
        let split = split("# tar\n\n> Archiving utility.\n").unwrap();
        assert_eq!(split.yaml, None);
        assert_eq!(split.body_line, 1);
        assert!(split.body.starts_with("# tar"));
    }

    #[test]
    fn split_reports_unclosed_frontmatter() {
        let problem = split("---\ntitle: A\n# Hello\n").unwrap_err();
        assert!(problem.message.contains("never closed"));
    }

    #[test]
    fn strict_yaml_parses_without_warning() {
        let fm = parse("title: \"502: Bad\"\ncode: 502\nkeywords: [a, b]\n").unwrap();
        assert_eq!(fm.fields["title"], "502: Bad");
        assert_eq!(fm.fields["code"], 502);
        assert_eq!(fm.fields["keywords"][1], "b");
        assert!(fm.warning.is_none());
    }

    #[test]
    fn unquoted_colon_is_read_tolerantly_with_a_warning() {
        let fm = parse(SEED_LIKE).unwrap();
        assert_eq!(
            fm.fields["description"],
            "418 I'm a teapot: The server refuses to brew coffee."
        );
        assert_eq!(fm.fields["title"], "418 I'm a teapot - Explained");
        let head = fm.fields["head"].as_array().unwrap();
        assert_eq!(
            head[0][1]["content"],
            "418 I'm a teapot: The server refuses to brew coffee."
        );
        let warning = fm.warning.unwrap();
        assert!(warning.message.contains("not strict YAML"), "{warning:?}");
        assert!(warning.line >= 2);
    }

    #[test]
    fn unrepairable_yaml_falls_back_to_top_level_pairs() {
        let fm = parse("title: Hello: world\nbroken: [unclosed\n  nested: {\n").unwrap();
        assert_eq!(fm.fields["title"], "Hello: world");
        assert!(fm.warning.is_some());
    }

    #[test]
    fn a_list_or_scalar_is_an_error() {
        assert!(parse("- a\n- b\n").unwrap_err().message.contains("a list"));
        assert!(
            parse("just text\n")
                .unwrap_err()
                .message
                .contains("single value")
        );
    }

    #[test]
    fn empty_frontmatter_is_an_empty_mapping() {
        assert!(parse("").unwrap().fields.is_empty());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse("{{{{ ::: ]]]\n").is_err());
    }
}
