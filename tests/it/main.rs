//! folio's integration tests: the real binary, a real socket, real HTTP.

mod cli;
mod code;
mod dialects;
mod docs;
mod faults;
mod hostile;
mod includes;
mod languages;
mod production;
mod reference;
mod relevance;
mod sections;
mod server;
mod sites;
mod start;
mod static_files;
mod support;
mod watch;
