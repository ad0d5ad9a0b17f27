//! The bundled HTTP status reference in content/: complete, well formed, no dead links.

use crate::support::{Site, repo};
use std::collections::{BTreeSet, VecDeque};

/// Every code in the IANA HTTP Status Code Registry.
const IANA: &[u16] = &[
    100, 101, 102, 103, 104, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303,
    304, 305, 306, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
    414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503,
    504, 505, 506, 507, 508, 510, 511,
];

const SECTIONS: [&str; 5] = [
    "Meaning",
    "When to Use",
    "Example",
    "When Not to Use",
    "Source",
];

#[test]
fn every_iana_code_has_a_page_with_the_five_sections() {
    for code in IANA {
        let path = repo().join(format!("content/{code}.md"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no page for {code}"));
        let titles: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("## "))
            .map(str::trim)
            .collect();
        assert_eq!(titles, SECTIONS, "sections of {code}.md");
        assert!(
            text.contains(&format!("\n# {code} ")),
            "{code}.md has no `# {code} …` heading"
        );
        assert!(
            text.contains(&format!("code: {code}\n")),
            "{code}.md has no code key"
        );
    }
}

#[test]
fn check_passes_on_the_bundled_content() {
    let output = crate::support::folio()
        .args(["check", "--content"])
        .arg(repo().join("content"))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    assert_eq!(printed.trim(), "", "folio check reported problems");
}

#[test]
fn every_internal_link_on_every_page_resolves() {
    let site = Site::copy_of(&repo().join("content"));
    let server = site.serve();
    let mut seen = BTreeSet::from(["/".to_string()]);
    let mut queue = VecDeque::from(["/".to_string()]);
    while let Some(url) = queue.pop_front() {
        let page = server.get(&url);
        assert_eq!(page.status, 200, "{url}");
        let hrefs = page.body.split("<a ").skip(1).filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            let start = tag.find("href=\"")? + 6;
            Some(tag[start..].split('"').next()?.to_string())
        });
        for href in hrefs {
            let href = href.as_str();
            if !href.starts_with('/') || href.starts_with("//") {
                continue;
            }
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            let path = path.split('?').next().unwrap_or_default();
            let target = if path.is_empty() {
                url.clone()
            } else {
                path.to_string()
            };
            if !fragment.is_empty() {
                let body = server.get(&target).body;
                assert!(
                    body.contains(&format!("id=\"{fragment}\"")),
                    "{url} links to missing {href}"
                );
            }
            if seen.insert(target.clone()) {
                queue.push_back(target);
            }
        }
    }
    assert!(
        seen.len() > IANA.len(),
        "only {} pages reached from /",
        seen.len()
    );
}
