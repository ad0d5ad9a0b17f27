//! A problem in one content file, at one line: what frontmatter and Markdown reading,
//! the site checks, `folio check` and the browser's error overlay all speak of.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The page is served, but something should be fixed.
    Warning,
    /// The page cannot be served.
    Error,
}

/// A problem in one file, with its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file; empty while the problem is found inside a text not yet tied to one.
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// Warning or error.
    pub severity: Severity,
    /// What is wrong, in lowercase words.
    pub message: String,
}

impl Problem {
    /// An error at `line` of a file named later with [`Problem::in_file`].
    pub fn error(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            path: PathBuf::new(),
            line,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A warning at `line` of a file named later with [`Problem::in_file`].
    pub fn warning(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(line, message)
        }
    }

    /// The same problem in the file at `path`.
    pub fn in_file(self, path: impl AsRef<Path>) -> Problem {
        Problem {
            path: path.as_ref().to_path_buf(),
            ..self
        }
    }

    /// The same problem `lines` further down: for a part of a file that starts below
    /// its first line.
    pub fn below(self, lines: usize) -> Problem {
        Problem {
            line: self.line + lines,
            ..self
        }
    }

    /// Whether it stops the page from being served.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Writes a path as text, whatever bytes it holds.
fn lossy_path<S: serde::Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}:{}: {severity}: {}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}
