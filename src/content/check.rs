//! Site-wide checks, as `folio check` reports them: links to pages, anchors and files
//! that do not exist, and descriptions too long to show whole. Links resolve as pages
//! render them ([`LinkMap`]), so a link the check passes is a link that works.

use super::folder::ContentFolder;
use super::links::{LinkMap, Resolved};
use super::problem::Problem;
use super::site::Site;
use std::collections::HashMap;

/// The longest `description` that search engines show whole.
pub const MAX_DESCRIPTION: usize = 160;

/// Site-wide checks: links to pages, anchors or files (images, downloads) that do not
/// exist, and descriptions too long to show whole; each warning names its file
/// relative to the content folder. Files are looked for in `folder` and, for
/// root-absolute links, in its public folder.
pub(super) fn check_site(site: &Site, folder: &ContentFolder) -> Vec<Problem> {
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
    let links = LinkMap::new(
        site.pages
            .iter()
            .map(|p| (p.source.as_path(), p.url.as_str())),
        &site.locales,
    );
    let mut problems = Vec::new();
    for page in &site.pages {
        // Only a written description is judged: one taken from the lead was not
        // written as one.
        let length = page.written_description().map_or(0, |d| d.chars().count());
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
            let (url, fragment) = match links.resolve(&page.source, target) {
                Resolved::Kept => match target.strip_prefix('#') {
                    Some(fragment) => (page.url.clone(), fragment.to_string()),
                    None => continue,
                },
                Resolved::Page { url, suffix } => (url, fragment_of(&suffix)),
                Resolved::File { path, .. } => {
                    if !folder.has_file(&path, target.starts_with('/')) {
                        let message = format!("link to {target}: no file {path} in the content");
                        problems.push(Problem::warning(*line, message).in_file(&page.source));
                    }
                    continue;
                }
                Resolved::Missing { url, .. } => {
                    let message = format!("link to {target}: no page is served at {url}");
                    problems.push(Problem::warning(*line, message).in_file(&page.source));
                    continue;
                }
            };
            let ids = anchors.get(url.as_str());
            if !fragment.is_empty() && ids.is_some_and(|ids| !ids.contains(&fragment.as_str())) {
                let message =
                    format!("link to {target}: {url} has no heading with id {fragment:?}");
                problems.push(Problem::warning(*line, message).in_file(&page.source));
            }
        }
    }
    problems
}

/// The fragment of a link's `?…#…` suffix, decoded; empty when it has none.
fn fragment_of(suffix: &str) -> String {
    let fragment = suffix.split_once('#').map_or("", |(_, fragment)| fragment);
    percent_encoding::percent_decode_str(fragment)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn site_checks_find_dead_links_anchors_files_and_long_written_descriptions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("img")).unwrap();
        std::fs::write(dir.path().join("img/ok.png"), b"png").unwrap();
        let folder = ContentFolder::new(dir.path(), 1024);
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
                        "---\ndescription: {long}\n---\n# A\n\n## Here\n\n[ok](/b) [dead](/nope) [file](b.md)\n[anchor](#here) [bad anchor](/b#nowhere) [bad here](#gone)\n![ok](img/ok.png) ![missing](img/gone.png)\n"
                    ),
                ),
                page(
                    "b.md",
                    &format!("# B\n\n{}\n", "A lead, not a description. ".repeat(9)),
                ),
            ],
            ..Site::default()
        };
        let problems: Vec<String> = check_site(&site, &folder)
            .into_iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect();
        assert!(site.pages[1].description.chars().count() > MAX_DESCRIPTION);
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[0].contains("description is 161 characters"));
        assert!(problems[1].starts_with("8: link to /nope"));
        assert!(problems[2].contains("no heading with id \"nowhere\""));
        assert!(problems[3].starts_with("9: link to #gone"), "{problems:?}");
        assert!(problems[4].starts_with("10: link to img/gone.png: no file img/gone.png"));
    }
}
