//! Where a page is served: its path under content/, or its `permalink`/`slug`.

use serde_json::{Map, Value};
use std::path::{Component, Path};

/// The URL path of a page from its file path relative to content/ and its frontmatter.
///
/// `502.md` → `/502`, `guide/index.md` (or `guide/README.md`) → `/guide`, `index.md`
/// → `/`, `page.mdx` → `/page`; a `permalink` or
/// else `slug` key replaces the path. Fails with a message when the result is not a
/// clean path (empty segments, `.` or `..`, control characters).
pub fn url_for(source: &Path, frontmatter: &Map<String, Value>) -> Result<String, String> {
    let explicit = ["permalink", "slug"]
        .iter()
        .find_map(|key| frontmatter.get(*key).and_then(Value::as_str));
    let raw = match explicit {
        Some(path) => path.to_string(),
        None => path_url(source)?,
    };
    normalize(&raw)
}

fn path_url(source: &Path) -> Result<String, String> {
    let mut segments = Vec::new();
    for component in source.with_extension("").components() {
        match component {
            Component::Normal(part) => segments.push(
                part.to_str()
                    .ok_or_else(|| "file name is not valid UTF-8".to_string())?
                    .to_string(),
            ),
            _ => return Err("file path leaves the content folder".into()),
        }
    }
    if segments.last().is_some_and(|last| is_index_name(last)) {
        segments.pop();
    }
    Ok(segments.join("/"))
}

/// Whether a file stem names its folder's own page: `index`, `README` (as mdBook and
/// GitHub name it) or `_index` (as Hugo does).
pub fn is_index_name(stem: &str) -> bool {
    matches!(stem, "index" | "README" | "readme" | "_index")
}

/// The folder whose own page the file at `path` (`/`-separated, relative to the
/// content folder) is: `guide` for `guide/index.md` or `guide/README.md`, empty for
/// `index.md`; `None` for any other page.
pub fn index_folder(path: &str) -> Option<&str> {
    let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    is_index_name(stem).then_some(folder)
}

/// A file's or folder's name as a title: dashes and underscores become spaces and the
/// first letter a capital (`getting-started` → `Getting started`); empty for a name
/// of nothing but those.
pub fn title_from_name(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Normalises a URL path: one leading `/`, no trailing `/`, no empty or dot segments.
pub fn normalize(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok("/".into());
    }
    let mut url = String::with_capacity(trimmed.len() + 1);
    for segment in trimmed.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!("URL {raw:?} has an empty or dot segment"));
        }
        if segment
            .chars()
            .any(|c| c.is_control() || matches!(c, '?' | '#' | '\\'))
        {
            return Err(format!("URL {raw:?} has a character not allowed in a path"));
        }
        url.push('/');
        url.push_str(segment);
    }
    Ok(url)
}

/// Percent-encodes a URL path for a `Location` header or a sitemap.
pub fn encode_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, PATH).to_string()
}

/// Characters escaped in a path: controls, space and what would end the path.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url(path: &str, fm: Value) -> Result<String, String> {
        url_for(Path::new(path), fm.as_object().unwrap())
    }

    #[test]
    fn paths_map_to_urls() {
        assert_eq!(url("502.md", json!({})).unwrap(), "/502");
        assert_eq!(url("guide/setup.md", json!({})).unwrap(), "/guide/setup");
        assert_eq!(url("guide/index.md", json!({})).unwrap(), "/guide");
        assert_eq!(url("index.md", json!({})).unwrap(), "/");
        assert_eq!(url("cli/README.md", json!({})).unwrap(), "/cli");
        assert_eq!(url("guide/comp.mdx", json!({})).unwrap(), "/guide/comp");
    }

    #[test]
    fn permalink_then_slug_override_the_path() {
        let slug = json!({"slug": "Web/HTTP/Reference/Status/502"});
        assert_eq!(
            url("502/index.md", slug).unwrap(),
            "/Web/HTTP/Reference/Status/502"
        );
        let both = json!({"slug": "b", "permalink": "/a/"});
        assert_eq!(url("x.md", both).unwrap(), "/a");
    }

    proptest::proptest! {
        #[test]
        fn normalized_urls_are_clean_paths(raw in "\\PC{0,40}") {
            if let Ok(url) = normalize(&raw) {
                proptest::prop_assert!(url.starts_with('/'));
                proptest::prop_assert!(url == "/" || !url.ends_with('/'));
                proptest::prop_assert!(!url.contains("//"));
                for segment in url.split('/').skip(1) {
                    proptest::prop_assert!(segment != "." && segment != "..", "{url}");
                }
            }
        }

        #[test]
        fn any_file_path_maps_or_fails_cleanly(parts in proptest::collection::vec("[a-zA-Z0-9 ._-]{1,8}", 1..5)) {
            let path = format!("{}.md", parts.join("/"));
            if let Ok(url) = url_for(Path::new(&path), &Map::new()) {
                proptest::prop_assert!(url.starts_with('/'));
                proptest::prop_assert!(!url.ends_with(".md"));
            }
        }
    }

    #[test]
    fn dot_segments_are_rejected() {
        assert!(url("x.md", json!({"permalink": "/a/../../etc"})).is_err());
        assert!(url("x.md", json!({"slug": "a//b"})).is_err());
        assert!(url("x.md", json!({"slug": "a?b"})).is_err());
    }
}
