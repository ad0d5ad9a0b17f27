//! folio turns a folder of Markdown pages into a fast, searchable website.
//!
//! A page travels one way:
//!
//! ```text
//! content/*.md ─▶ content (parse: frontmatter, Markdown, URL) ─▶ Site
//!                   ├─▶ render (Handlebars) ─▶ HTML held by the app's snapshot ─┐
//!                   └─▶ index (Tantivy, on disk under index/) ──────────────────┴─▶ server (warp)
//! ```
//!
//! [`app`] is the running site: it starts the site, holds what is served and applies
//! every change; [`store`] keeps its files in the index folder. [`watch`] feeds edits
//! back in at the top; [`cmd`] runs each subcommand. Nothing reaches back up the path:
//! content knows nothing of templates, the index nothing of HTTP, the app nothing of
//! HTTP, and all warp code lives in [`server`].

#![warn(missing_docs)]

pub mod app;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod error;
pub mod html;
pub mod index;
pub mod render;
pub mod server;
pub mod store;
pub mod watch;

pub use cmd::run;
