//! Site-wide checks, as `folio check` reports them: links to pages or anchors that do
//! not exist, and descriptions too long to show whole.

use super::problem::Problem;
use super::site::Site;
use std::collections::HashMap;

/// The longest `description` that search engines show whole.
pub const MAX_DESCRIPTION: usize = 160;

/// Site-wide checks: links to pages or anchors that do not exist, and descriptions
/// too long to show whole; each warning names its file relative to the content folder.
pub(super) fn check_site(site: &Site) -> Vec<Problem> {
    let anchors: HashMap<&str, Vec<&str>> = site
        .pages
        .iter()
        .map(|page| {
            (
                page.url.as_str(),
                page.headings.iter().map(|h| h.id.as_str()).collect(),
            )
        })
        .collect();
    let mut problems = Vec::new();
    for page in &site.pages {
        let length = page.description.chars().count();
        if length > MAX_DESCRIPTION {
            problems.push(
                Problem::warning(
                    1,
                    format!("description is {length} characters; search engines cut it after {MAX_DESCRIPTION}"),
                )
                .in_file(&page.source),
            );
        }
        for (line, target) in &page.links {
            let Some((url, fragment)) = internal_target(&page.url, target) else {
                continue;
            };
            let message = match (anchors.get(url.as_str()), fragment) {
                (None, _) => format!("link to {target}: no page is served at {url}"),
                (Some(ids), Some(id)) if !ids.contains(&id) => {
                    format!("link to {target}: {url} has no heading with id {id:?}")
                }
                _ => continue,
            };
            problems.push(Problem::warning(*line, message).in_file(&page.source));
        }
    }
    problems
}

/// Resolves a link found on the page at `from` to (URL path, fragment) when it points
/// inside the site; `None` for external links, `mailto:` and the like.
fn internal_target<'a>(from: &str, target: &'a str) -> Option<(String, Option<&'a str>)> {
    let has_scheme = target.split_once(':').is_some_and(|(scheme, _)| {
        scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if target.starts_with("//") || has_scheme {
        return None;
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment).filter(|f| !f.is_empty())),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let joined = if path.is_empty() {
        from.to_string()
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        let base = from.rsplit_once('/').map_or("", |(dir, _)| dir);
        format!("{base}/{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other.strip_suffix(".md").unwrap_or(other)),
        }
    }
    if segments.last() == Some(&"index") {
        segments.pop();
    }
    let decoded = percent_encoding::percent_decode_str(&segments.join("/"))
        .decode_utf8_lossy()
        .into_owned();
    Some((format!("/{decoded}"), fragment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn internal_links_resolve_against_the_page_url() {
        assert_eq!(
            internal_target("/guide/a", "/502#when-to-use"),
            Some(("/502".into(), Some("when-to-use")))
        );
        assert_eq!(
            internal_target("/guide/a", "b.md"),
            Some(("/guide/b".into(), None))
        );
        assert_eq!(
            internal_target("/guide/a", "../502/"),
            Some(("/502".into(), None))
        );
        assert_eq!(
            internal_target("/guide/a", "#x"),
            Some(("/guide/a".into(), Some("x")))
        );
        assert_eq!(
            internal_target("/a", "./index.md"),
            Some(("/".into(), None))
        );
        assert_eq!(internal_target("/a", "https://example.com/x"), None);
        assert_eq!(internal_target("/a", "mailto:a@b.c"), None);
        assert_eq!(internal_target("/a", "//cdn.example/x"), None);
    }

    #[test]
    fn site_checks_find_dead_links_anchors_and_long_descriptions() {
        let page = |path: &str, text: &str| {
            Arc::new(
                super::super::parse_page(Path::new(path), text.as_bytes())
                    .0
                    .unwrap(),
            )
        };
        let long = "x".repeat(161);
        let site = Site {
            pages: vec![
                page(
                    "a.md",
                    &format!(
                        "---\ndescription: {long}\n---\n# A\n\n## Here\n\n[ok](/b) [dead](/nope)\n[anchor](#here) [bad anchor](/b#nowhere)\n"
                    ),
                ),
                page("b.md", "# B\n"),
            ],
            ..Site::default()
        };
        let problems: Vec<String> = check_site(&site)
            .into_iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("description is 161 characters"));
        assert!(problems[1].starts_with("8: link to /nope"));
        assert!(problems[2].contains("no heading with id \"nowhere\""));
    }
}
