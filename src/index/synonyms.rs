//! The synonym table, `_synonyms.toml` in the content folder: words that mean the same
//! to a reader, applied to queries (`groups = [["backend", "upstream", "origin"]]`).

use crate::content::{ContentFolder, Problem, Refusal};
use std::path::Path;

/// The synonym table's file name, in the content folder.
pub const FILE: &str = "_synonyms.toml";

/// The table as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymTable {
    groups: Vec<Vec<String>>,
}

/// The synonym groups of the content folder; none when it has no table. A table that
/// does not read is a problem at its line.
pub fn read(folder: &ContentFolder) -> Result<Vec<Vec<String>>, Problem> {
    let path = folder.path().join(FILE);
    let bytes = match folder.read(Path::new(FILE)) {
        Ok((bytes, _)) => bytes,
        Err(Refusal::Missing) => return Ok(Vec::new()),
        Err(refusal) => return Err(Problem::error(1, refusal.to_string()).in_file(path)),
    };
    let text = String::from_utf8_lossy(&bytes);
    toml::from_str::<SynonymTable>(&text)
        .map(|table| table.groups)
        .map_err(|error| {
            let line = error
                .span()
                .map_or(1, |span| text[..span.start].matches('\n').count() + 1);
            Problem::error(line, error.message().to_lowercase()).in_file(path)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_table_is_empty_and_a_bad_one_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let folder = ContentFolder::new(dir.path(), 1024);
        assert_eq!(read(&folder).unwrap(), Vec::<Vec<String>>::new());
        std::fs::write(dir.path().join(FILE), "groups = [[\"a\", \"b\"]]\n").unwrap();
        assert_eq!(
            read(&folder).unwrap(),
            vec![vec!["a".to_string(), "b".to_string()]]
        );
        std::fs::write(dir.path().join(FILE), "# table\ngroups = 3\n").unwrap();
        let problem = read(&folder).unwrap_err();
        assert_eq!(problem.line, 2);
        assert!(problem.path.ends_with(FILE));
    }
}
