//! Scaling: index build time, start-up to the first 200, search latency and peak memory
//! against corpus size, with an SVG plot of the three.
//!
//! Start-up is timed from spawn to the first 200 of `/`: once right after `folio
//! index`, then as the median of restarts of a server that had loaded its site (and so
//! kept its home page). Peak RSS is read after the queries and a crawl of every page in
//! the sitemap.
//!
//! `cargo bench --bench scale -- TLDR_ROOT [SVG]` measures evenly spread samples of the
//! tldr pages (1,000 and 10,000), all of them (every `pages*` folder under TLDR_ROOT),
//! and 100,000 generated pages; `make bench` runs it and writes docs/scale.svg.

#[path = "support/corpus.rs"]
mod corpus;
mod support;

use corpus::generate;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{Ready, copy, start, stop, walk};

/// Start-ups measured per corpus (the median is reported).
const STARTS: usize = 5;
/// Pages a query set is drawn from.
const QUERY_PAGES: usize = 30;
/// Unrelated queries sent first, so that the measured ones find a warm server.
const WARM_UP: usize = 20;

/// What one corpus measured.
struct Measure {
    name: String,
    pages: usize,
    index: Duration,
    index_bytes: u64,
    first_start: Duration,
    start: Duration,
    query_p50: Duration,
    query_p95: Duration,
    cached_p50: Duration,
    peak_rss_kib: u64,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let root = PathBuf::from(args.first().expect("usage: scale TLDR_ROOT [SVG]"));
    let svg = args.get(1).map(PathBuf::from);
    let tldr: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("TLDR_ROOT readable")
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("pages"))
        .flat_map(|entry| walk(&entry.path()))
        .collect();
    let mut tldr = tldr;
    tldr.sort();
    let mut measures = Vec::new();
    for size in [1_000, 10_000] {
        let work = tempfile::tempdir().expect("temp dir");
        let content = work.path().join("content");
        for at in 0..size {
            let file = &tldr[at * tldr.len() / size];
            let target = content.join(file.strip_prefix(&root).expect("inside"));
            std::fs::create_dir_all(target.parent().expect("parent")).expect("folder");
            std::fs::copy(file, target).expect("copy");
        }
        measures.push(measure(&format!("tldr sample {size}"), work.path()));
    }
    {
        let work = tempfile::tempdir().expect("temp dir");
        copy(&root, &work.path().join("content"));
        measures.push(measure("tldr, every language", work.path()));
    }
    {
        let work = tempfile::tempdir().expect("temp dir");
        generate(&work.path().join("content"), 100_000);
        measures.push(measure("generated", work.path()));
    }
    println!(
        "\n| corpus | pages | index build | index size | first start, then restarts: to first 200 | new query p50 / p95 | cached p50 | peak RSS |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for m in &measures {
        println!(
            "| {} | {} | {:.2} s | {:.1} MB | {:.0} ms, {:.0} ms | {:.2} / {:.2} ms | {:.2} ms | {:.0} MB |",
            m.name,
            m.pages,
            m.index.as_secs_f64(),
            m.index_bytes as f64 / 1e6,
            m.first_start.as_secs_f64() * 1e3,
            m.start.as_secs_f64() * 1e3,
            m.query_p50.as_secs_f64() * 1e3,
            m.query_p95.as_secs_f64() * 1e3,
            m.cached_p50.as_secs_f64() * 1e3,
            m.peak_rss_kib as f64 / 1024.0,
        );
    }
    if let Some(svg) = svg {
        std::fs::write(&svg, plot(&measures)).expect("write the plot");
        println!("\nplot written to {}", svg.display());
    }
}

/// Measures the site in `work` (its `content/`; the index goes beside it).
fn measure(name: &str, work: &Path) -> Measure {
    let content = work.join("content");
    let index = work.join("index");
    let pages = walk(&content).len();
    eprintln!("{name}: {pages} pages");
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["index", "--content"])
        .arg(&content)
        .arg("--index")
        .arg(&index)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("folio index runs");
    let index_time = started.elapsed();
    assert!(status.success(), "folio index failed on {name}");
    let index_bytes = walk_bytes(&index);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let time_start = || {
        let begun = Instant::now();
        let (child, base) = start(&content, &index, "warn,folio=info", None, Ready::Listening);
        let deadline = begun + Duration::from_secs(120);
        while agent
            .get(&format!("{base}/"))
            .call()
            .map_or(true, |response| response.status() != 200)
        {
            assert!(Instant::now() < deadline, "{name}: no 200 within 120 s");
            std::thread::sleep(Duration::from_millis(1));
        }
        let time = begun.elapsed();
        stop(child);
        time
    };
    // The first start after `folio index` renders the home page; a server that has
    // loaded its site keeps it for the next start, as a restart finds it.
    let first_start = time_start();
    let (child, _) = start(&content, &index, "warn,folio=info", None, Ready::Loaded);
    stop(child);
    let mut starts: Vec<Duration> = (0..STARTS).map(|_| time_start()).collect();
    starts.sort();
    let (child, base) = start(&content, &index, "warn,folio=info", None, Ready::Loaded);
    let queries = queries(&content);
    let search = |query: &str| {
        let url = format!("{base}/api/search?q={}", query.replace(' ', "+"));
        let begun = Instant::now();
        let mut response = agent.get(&url).call().expect("search");
        let _ = response.body_mut().read_to_vec();
        assert_eq!(response.status(), 200, "{name}: {query}");
        begun.elapsed()
    };
    for warm in 0..WARM_UP {
        search(&format!("warm{warm} up"));
    }
    // Each query once, as a new query costs; then again, answered from the cache.
    let mut times: Vec<Duration> = queries.iter().map(|query| search(query)).collect();
    let mut cached: Vec<Duration> = queries.iter().map(|query| search(query)).collect();
    cached.sort();
    times.sort();
    // A crawler's visit: every page in the sitemap, once.
    let sitemap = agent
        .get(&format!("{base}/sitemap.xml"))
        .call()
        .expect("sitemap")
        .body_mut()
        .read_to_string()
        .expect("sitemap text");
    for loc in sitemap.split("<loc>").skip(1) {
        let url = loc.split("</loc>").next().unwrap_or_default();
        let path = url.find("://").map_or(url, |at| {
            let rest = &url[at + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        });
        let mut response = agent.get(&format!("{base}{path}")).call().expect("page");
        let _ = response.body_mut().read_to_vec();
    }
    let peak_rss_kib = peak_rss(&child);
    stop(child);
    let measure = Measure {
        name: name.to_string(),
        pages,
        index: index_time,
        index_bytes,
        first_start,
        start: starts[starts.len() / 2],
        query_p50: times[times.len() / 2],
        query_p95: times[times.len() * 95 / 100],
        cached_p50: cached[cached.len() / 2],
        peak_rss_kib,
    };
    eprintln!(
        "  index {:.2} s, first start {:.0} ms, restart {:.0} ms, search p50 {:.2} ms, peak RSS {} MiB",
        measure.index.as_secs_f64(),
        measure.first_start.as_secs_f64() * 1e3,
        measure.start.as_secs_f64() * 1e3,
        measure.query_p50.as_secs_f64() * 1e3,
        measure.peak_rss_kib / 1024
    );
    let _ = std::io::stderr().flush();
    measure
}

/// Three kinds of query per sampled page, from its first line of prose: two words as
/// typed, a typo in the longer one, and the first word unfinished.
fn queries(content: &Path) -> Vec<String> {
    let files = walk(content);
    let mut queries = Vec::new();
    for at in 0..QUERY_PAGES {
        let text =
            std::fs::read_to_string(&files[at * files.len() / QUERY_PAGES]).unwrap_or_default();
        let words: Vec<String> = prose_line(&text)
            .split(|c: char| !c.is_alphabetic())
            .filter(|word| word.chars().count() >= 4)
            .take(2)
            .map(str::to_lowercase)
            .collect();
        let [first, second] = words.as_slice() else {
            continue;
        };
        queries.push(format!("{first} {second}"));
        let longer = if second.len() > first.len() {
            second
        } else {
            first
        };
        let mut typo: Vec<char> = longer.chars().collect();
        typo.swap(1, 2);
        queries.push(typo.into_iter().collect());
        queries.push(first.chars().take(4).collect());
    }
    queries
}

/// The first line of a page that is prose: not frontmatter, a heading, a list or code.
fn prose_line(text: &str) -> &str {
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(text, |(_, body)| body);
    body.lines()
        .map(|line| line.trim_start_matches("> ").trim())
        .find(|line| !line.is_empty() && !line.starts_with(['#', '-', '`', '<', '{', '|', '*']))
        .unwrap_or_default()
}

fn walk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.path().is_dir() {
                    true => walk_bytes(&entry.path()),
                    false => entry.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The process's peak resident set (VmHWM), in KiB.
fn peak_rss(child: &Child) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// How a chart reads its figure from a measure.
type Metric = fn(&Measure) -> f64;

/// Three small charts side by side, pages on a log scale.
fn plot(measures: &[Measure]) -> String {
    const WIDTH: f64 = 260.0;
    const HEIGHT: f64 = 180.0;
    const LEFT: f64 = 56.0;
    const TOP: f64 = 34.0;
    let panels: [(&str, Metric); 3] = [
        ("Index build (s)", |m| m.index.as_secs_f64()),
        ("New query p50 (ms)", |m| m.query_p50.as_secs_f64() * 1e3),
        ("Peak RSS (MB)", |m| m.peak_rss_kib as f64 / 1024.0),
    ];
    let x_low = 1_000f64.log10();
    let x_high = 100_000f64.log10();
    let total_width = panels.len() as f64 * (WIDTH + LEFT + 20.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total_width} {}\" \
         font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
        HEIGHT + TOP + 44.0
    );
    for (panel, (title, value)) in panels.iter().enumerate() {
        let left = panel as f64 * (WIDTH + LEFT + 20.0) + LEFT;
        let high = measures.iter().map(value).fold(0.0, f64::max) * 1.15;
        let high = if high > 0.0 { high } else { 1.0 };
        let x = |pages: usize| left + ((pages as f64).log10() - x_low) / (x_high - x_low) * WIDTH;
        let y = |v: f64| TOP + HEIGHT - v / high * HEIGHT;
        svg += &format!(
            "<text x=\"{left}\" y=\"18\" font-weight=\"bold\" font-size=\"13\">{title}</text>\n\
             <rect x=\"{left}\" y=\"{TOP}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"none\" stroke=\"#999\"/>\n"
        );
        for tick in 0..=4 {
            let v = high * tick as f64 / 4.0;
            svg += &format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                left - 6.0,
                y(v) + 4.0,
                if high < 10.0 {
                    format!("{v:.1}")
                } else {
                    format!("{v:.0}")
                }
            );
        }
        for pages in [1_000, 10_000, 100_000] {
            svg += &format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}k</text>\n",
                x(pages),
                TOP + HEIGHT + 16.0,
                pages / 1000
            );
        }
        let points: Vec<String> = measures
            .iter()
            .map(|m| format!("{:.1},{:.1}", x(m.pages), y(value(m))))
            .collect();
        svg += &format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\"/>\n",
            points.join(" ")
        );
        for m in measures {
            svg += &format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#1f6feb\"><title>{}: {:.2}</title></circle>\n",
                x(m.pages),
                y(value(m)),
                m.name,
                value(m)
            );
        }
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">pages (log scale)</text>\n",
            left + WIDTH / 2.0,
            TOP + HEIGHT + 34.0
        );
    }
    svg + "</svg>\n"
}
