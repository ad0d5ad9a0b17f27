//! MDX pages (`.mdx`, as Docusaurus and Starlight write them) read as Markdown: the
//! `import` and `export` statements and the JSX components are skipped and the text
//! between a component's tags is kept. folio runs no JavaScript, so a component's own
//! output is not shown; `folio check` counts the pages read this way.

use std::sync::LazyLock;

/// Whether a file name's extension is that of an MDX page.
pub fn is_mdx(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|ext| ext == "mdx")
}

/// The Markdown of an MDX page: statements and component tags removed, line for line
/// (every removed line is left empty, so lines keep their numbers), fenced code as
/// written.
pub fn to_markdown(text: &str) -> String {
    static TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"</?[A-Z][A-Za-z0-9_.]*(?:\s[^<>]*)?/?>|\{/\*.*?\*/\}")
            .expect("the component pattern is valid")
    });
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<&str> = None;
    let mut statement = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let ending = &line[line.trim_end_matches(['\n', '\r']).len()..];
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            out.push_str(line);
            continue;
        }
        if statement || trimmed.starts_with("import ") || trimmed.starts_with("export ") {
            // A statement runs on until a line ends it (`;`, `from '…'`, a closing brace).
            let body = trimmed.trim_end();
            statement = !(body.ends_with(';')
                || body.ends_with('\'')
                || body.ends_with('"')
                || body.ends_with('}')
                || body.ends_with(')'));
            out.push_str(ending);
            continue;
        }
        // Component tags go; inline code (between backticks) is kept as written.
        for (index, part) in line.split('`').enumerate() {
            if index > 0 {
                out.push('`');
            }
            match index % 2 {
                0 => out.push_str(&TAG.replace_all(part, "")),
                _ => out.push_str(part),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_components_go_and_their_text_stays() {
        let mdx = "import { Tabs, TabItem } from '@astrojs/starlight/components';\nimport Card from './Card.astro'\n\n# Title\n\n<Tabs>\n  <TabItem label=\"npm\">Run the installer.</TabItem>\n</Tabs>\n\n<Card title=\"x\" />\n{/* a comment */}\nText <kbd>Ctrl</kbd>, `<Card>` props.\n\n```jsx\n<Tabs>code stays</Tabs>\nimport x from 'y'\n```\n";
        let md = to_markdown(mdx);
        assert!(!md.contains("import {"), "{md}");
        assert!(!md.contains("<Tabs>\n  "), "{md}");
        assert!(md.contains("Run the installer."));
        assert!(md.contains("<kbd>Ctrl</kbd>"), "plain HTML stays");
        assert!(md.contains("`<Card>` props"), "inline code stays");
        assert!(!md.contains("a comment"));
        assert!(
            md.contains("<Tabs>code stays</Tabs>\nimport x from 'y'"),
            "code is as written"
        );
        assert_eq!(
            md.lines().count(),
            mdx.lines().count(),
            "lines keep their numbers"
        );
    }

    #[test]
    fn a_statement_over_several_lines_is_skipped_whole() {
        let md = to_markdown("import {\n  A,\n  B,\n} from 'x';\n\nText.\n");
        assert_eq!(md.trim(), "Text.");
    }
}
