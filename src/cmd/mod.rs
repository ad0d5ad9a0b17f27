//! Commands: one function per subcommand, each a few lines over the layers below.

pub mod serve;

use crate::app;
use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::content::{self, ContentFolder};
use crate::error::{Error, Result};
use crate::index::{self, SearchRequest};
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

/// Runs a parsed command line to its end with the configuration resolved for it.
pub async fn run(cli: Cli, config: Config) -> Result<ExitCode> {
    match cli.command {
        Command::Serve => serve::run(config).await,
        Command::Index => index(&config),
        Command::Check => check(&config),
        Command::Search(args) => search(&config, &args.query.join(" "), args.limit),
        Command::Report(args) => report(&config, args.top),
        Command::Config => {
            print!("{}", config.to_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `folio index`: builds the index and the page manifest.
fn index(config: &Config) -> Result<ExitCode> {
    let started = Instant::now();
    let folder = ContentFolder::of(config)?;
    let site = app::load_site(&folder)?;
    let indexed = app::index_site(config, &folder, site)?;
    println!(
        "indexed {indexed} pages in {} ms into {}",
        started.elapsed().as_millis(),
        config.index.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `folio check`: every problem, one per line; exit 1 on errors.
fn check(config: &Config) -> Result<ExitCode> {
    let folder = ContentFolder::of(config)?;
    let mut site = content::load(&folder)?;
    if let Err(problem) = index::synonyms::read(&folder) {
        site.problems.push(problem);
    }
    for problem in &site.problems {
        println!("{problem}");
    }
    let mdx = site
        .pages
        .iter()
        .filter(|page| content::mdx::is_mdx(&page.source))
        .count();
    if mdx > 0 {
        println!(
            "{mdx} .mdx pages served as Markdown: their imports, exports and components are skipped, the text between component tags is kept"
        );
    }
    let errors = site.problems.iter().filter(|p| p.is_error()).count();
    eprintln!(
        "checked {} pages: {errors} errors, {} warnings",
        site.pages.len() + errors,
        site.problems.len() - errors
    );
    Ok(match errors {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    })
}

/// `folio report`: the most frequent queries of the zero-result log, most searched
/// first.
fn report(config: &Config, top: usize) -> Result<ExitCode> {
    let Some(query_log) = config.query_log.as_deref() else {
        eprintln!("no query log: set query_log (or --query-log FILE) while serving");
        return Ok(ExitCode::FAILURE);
    };
    let text = std::fs::read_to_string(query_log).map_err(|e| Error::io(query_log, e))?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        *counts.entry(line).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    println!("searches\tquery (found nothing)");
    for (query, count) in ranked.into_iter().take(top) {
        println!("{count}\t{query}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `folio search`: ranked hits, one per line; exit 1 when nothing is found.
fn search(config: &Config, query: &str, limit: usize) -> Result<ExitCode> {
    let folder = ContentFolder::of(config)?;
    let site = app::load_site(&folder)?;
    let synonyms = index::synonyms::read(&folder).unwrap_or_default();
    let (index, _, _) = app::open_index(config, &site, &synonyms)?;
    let request = SearchRequest {
        query,
        limit,
        filters: &[],
    };
    let results = index.search(&request, &site)?;
    for hit in &results.hits {
        println!("{:.3}\t{}\t{}", hit.score, hit.url, hit.title);
    }
    Ok(match results.hits.is_empty() {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    })
}
