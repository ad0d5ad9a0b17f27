//! Content: reads `content/**/*.md` into [`Page`]s. Owns frontmatter, Markdown and URL
//! mapping; knows nothing of templates, the index or HTTP.
//!
//! - [`ContentFolder`] is the one way in for every file read from the folder: only
//!   regular files inside it, no more than `max_page_bytes`; a file served beside the
//!   pages is opened through it too ([`ContentFolder::open`]), by plain names only, no
//!   more than `max_file_bytes`.
//! - [`load`] walks the folder and reads every page into a [`Site`];
//!   [`Site::reload`] reads one changed file again.
//! - `parse` makes one [`Page`] of a file's bytes, through [`frontmatter`],
//!   [`markdown`] and [`url`].
//! - [`nav`] builds the navigation (sections, order, locales) from what lists show of
//!   each page; [`links`] resolves links as the source tools do.
//! - `check` runs the site-wide checks; every problem is a [`Problem`].

mod check;
mod folder;
pub mod frontmatter;
pub mod include;
pub mod links;
mod load;
pub mod markdown;
pub mod mdx;
pub mod nav;
mod page;
mod parse;
mod problem;
mod project;
mod site;
mod summary;
pub mod url;

pub use check::MAX_DESCRIPTION;
pub use folder::{ContentFolder, FileBytes, OpenFile, Refusal};
pub use links::{LinkMap, Resolved, is_page_file};
pub use load::{folders, load};
pub use markdown::{Heading, Section, section_parents};
pub use nav::{
    Locale, LocaleFolders, Navigation, Node, NodeId, NodeKind, PageLanguage, language_name,
};
pub use page::{HeadTag, Listing, Page, PageFile, PageRef, Pages};
pub use parse::{Parsed, parse_page};
pub use problem::{Problem, Severity};
pub use project::{NavEntry, NavSource, Project, ProjectKind};
pub use site::{FileStamp, NavRead, Reloaded, Site, fingerprint, read_nav};
pub use summary::read_summary;
