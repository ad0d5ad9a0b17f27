//! folio side by side with what people would otherwise run, in one run on one machine:
//!
//! - pages: `GET /502` from folio against nginx serving the same bytes as a static file;
//! - search: `/api/search` on the English tldr pages against the ceiling, a bare warp
//!   handler returning a fixed JSON body of the same size;
//! - in-process query time and index build against minisearch (as VitePress uses it),
//!   through `../shared/eval/peers.mjs`.
//!
//! Servers run on core 0 and wrk on core 1 (`taskset`). `cargo bench --bench versus --
//! TLDR_PAGES [EVAL_DIR]`; `make bench` installs wrk and nginx and runs it. Each load run
//! lasts `BENCH_SECONDS` (default 10) and every pair is run three times, alternating.

mod support;

use folio::content::Page;
use folio::index::{SearchIndex, SearchRequest};
use std::collections::HashMap;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{Ready, copy, start, stop, walk};

/// Connections wrk keeps open.
const CONNECTIONS: usize = 32;
/// Alternating runs per pair.
const RUNS: usize = 3;
/// Queries drawn from the tldr pages.
const QUERY_PAGES: usize = 60;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some("ceiling") {
        return ceiling(&args[1], args[2].parse().expect("body size"));
    }
    let tldr = PathBuf::from(args.first().expect("usage: versus TLDR_PAGES [EVAL_DIR]"));
    let eval = args.get(1).map(PathBuf::from);
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let missing: Vec<&str> = ["wrk", "nginx", "taskset"]
        .into_iter()
        .filter(|tool| which(tool).is_none())
        .collect();
    if missing.is_empty() {
        pages_against_nginx(seconds);
        search_against_ceiling(&tldr, seconds);
    } else {
        println!(
            "load comparisons skipped: {} not installed",
            missing.join(", ")
        );
    }
    match eval {
        Some(eval) if eval.join("node_modules").is_dir() => {
            in_process_against_minisearch(
                &eval,
                Path::new("content"),
                &eval.join("queries-dev.jsonl"),
            );
            let work = tempfile::tempdir().expect("temp dir");
            let queries = work.path().join("tldr.jsonl");
            write_tldr_queries(&tldr, &queries);
            in_process_against_minisearch(&eval, &tldr, &queries);
        }
        _ => println!("minisearch comparison skipped: no eval harness with node_modules given"),
    }
}

/// `GET /502`, folio against nginx serving the same bytes, each on one core.
fn pages_against_nginx(seconds: u64) {
    let work = tempfile::tempdir().expect("temp dir");
    let content = work.path().join("content");
    copy(Path::new("content"), &content);
    let (folio, base) = start_pinned(&content, &work.path().join("index"));
    let body = get(&format!("{base}/502"));
    let root = work.path().join("static");
    std::fs::create_dir_all(&root).expect("static root");
    std::fs::write(root.join("502"), &body).expect("write 502");
    let (nginx, nginx_base) = start_nginx(work.path(), &root);
    assert_eq!(
        get(&format!("{nginx_base}/502")),
        body,
        "nginx serves the same bytes"
    );
    println!(
        "\n## GET /502 ({} bytes), {CONNECTIONS} connections, {seconds} s per run",
        body.len()
    );
    let mut folio_runs = Vec::new();
    let mut nginx_runs = Vec::new();
    for _ in 0..RUNS {
        folio_runs.push(wrk(&format!("{base}/502"), seconds, None));
        nginx_runs.push(wrk(&format!("{nginx_base}/502"), seconds, None));
    }
    report(&[
        ("folio", &folio_runs),
        ("nginx (1 worker, sendfile)", &nginx_runs),
    ]);
    stop(folio);
    // nginx's master ends its worker on SIGTERM; SIGKILL would orphan it.
    let _ = Command::new("kill")
        .args(["-TERM", &nginx.id().to_string()])
        .status();
    let mut nginx = nginx;
    let _ = nginx.wait();
}

/// `/api/search` on the tldr pages against a bare warp handler with a body of the same size.
fn search_against_ceiling(tldr: &Path, seconds: u64) {
    let work = tempfile::tempdir().expect("temp dir");
    let content = work.path().join("content");
    copy(tldr, &content);
    let (folio, base) = start_pinned(&content, &work.path().join("index"));
    let queries: Vec<String> = tldr_queries(&content, QUERY_PAGES)
        .into_iter()
        .map(|(q, _)| q)
        .collect();
    let sizes: Vec<usize> = queries
        .iter()
        .map(|q| get(&format!("{base}/api/search?q={}", q.replace(' ', "+"))).len())
        .collect();
    let body_size = sizes.iter().sum::<usize>() / sizes.len().max(1);
    let rotating = wrk_script(&work.path().join("rotating.lua"), &queries);
    // Two words of every page's description, and the same with a typo: more distinct
    // queries than the cache keeps, so nearly every request is a new query.
    let mut new_queries: Vec<String> = tldr_queries(&content, usize::MAX)
        .into_iter()
        .flat_map(|(query, _)| {
            let mut typo: Vec<char> = query.chars().collect();
            if typo.len() > 3 {
                typo.swap(1, 2);
            }
            [query, typo.into_iter().collect()]
        })
        .collect();
    new_queries.sort();
    new_queries.dedup();
    let fresh = wrk_script(&work.path().join("fresh.lua"), &new_queries);
    let port = free_port();
    let ceiling = Command::new("taskset")
        .args(["-c", "0"])
        .arg(std::env::current_exe().expect("own path"))
        .args([
            "ceiling",
            &format!("127.0.0.1:{port}"),
            &body_size.to_string(),
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("ceiling starts");
    let ceiling_base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{ceiling_base}/api/search"));
    println!(
        "\n## /api/search on {} tldr pages, {CONNECTIONS} connections, {seconds} s per run",
        walk(&content).len(),
    );
    println!(
        "cached: {} queries in turn, answered from the cache after their first time; \
         new: {} distinct queries in turn from a random start",
        queries.len(),
        new_queries.len()
    );
    println!("mean response {body_size} bytes; the ceiling returns that many bytes of fixed JSON");
    let mut cached_runs = Vec::new();
    let mut new_runs = Vec::new();
    let mut ceiling_runs = Vec::new();
    for _ in 0..RUNS {
        cached_runs.push(wrk(&format!("{base}/api/search"), seconds, Some(&rotating)));
        new_runs.push(wrk(&format!("{base}/api/search"), seconds, Some(&fresh)));
        ceiling_runs.push(wrk(&format!("{ceiling_base}/api/search"), seconds, None));
    }
    report(&[
        ("folio, new queries", &new_runs),
        ("folio, cached queries", &cached_runs),
        ("bare warp, fixed body", &ceiling_runs),
    ]);
    stop(folio);
    stop(ceiling);
}

/// A bare warp server: every request gets the same JSON body of `size` bytes.
fn ceiling(addr: &str, size: usize) {
    use warp::Filter as _;
    let mut body = String::from("{\"hits\":\"");
    while body.len() + 2 < size {
        body.push('x');
    }
    body.push_str("\"}");
    let body: &'static str = body.leak();
    let route = warp::any().map(move || {
        warp::http::Response::builder()
            .header("content-type", "application/json")
            .body(body)
    });
    let addr: std::net::SocketAddr = addr.parse().expect("address");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(warp::serve(route).run(addr));
}

/// Per-query in-process search time, folio (index in memory, 10 hits with snippets)
/// against minisearch in Node, one timed run per query after the same warm-up.
fn in_process_against_minisearch(eval: &Path, content: &Path, queries: &Path) {
    let output = Command::new("node")
        .arg(eval.join("peers.mjs"))
        .args(["--engine", "minisearch", "--limit", "10", "--content"])
        .arg(content)
        .arg("--queries")
        .arg(queries)
        .stderr(Stdio::null())
        .output()
        .expect("node runs peers.mjs");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let Some((header, per_query)) = lines.split_first() else {
        println!("minisearch comparison failed: peers.mjs printed nothing");
        return;
    };
    let mut theirs: Vec<f64> = per_query.iter().filter_map(|l| l["us"].as_f64()).collect();
    let started = Instant::now();
    let site = folio::content::load(&folio::content::ContentFolder::new(
        content,
        folio::config::DEFAULT_MAX_PAGE_BYTES,
    ))
    .expect("content loads");
    let searched = folio::index::Searched {
        facets: vec!["class".to_string()],
        languages: site.locales.clone(),
    };
    let index = SearchIndex::in_memory(&searched, &[]).expect("index builds");
    index.replace_all(&site.pages).expect("index fills");
    let pages: HashMap<String, Arc<Page>> = site
        .pages
        .iter()
        .map(|page| (page.url.clone(), page.clone()))
        .collect();
    let build = started.elapsed();
    for _ in 0..20 {
        for warm in [
            "install",
            "configuration file",
            "error when starting the server",
        ] {
            let request = SearchRequest {
                query: warm,
                limit: 10,
                filters: &[],
            };
            let _ = index.search_uncached(&request, &pages);
        }
    }
    let mut ours: Vec<f64> = per_query
        .iter()
        .filter_map(|l| l["q"].as_str())
        .map(|query| {
            let begun = Instant::now();
            let request = SearchRequest {
                query,
                limit: 10,
                filters: &[],
            };
            let _ = index.search_uncached(&request, &pages);
            begun.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    ours.sort_by(f64::total_cmp);
    theirs.sort_by(f64::total_cmp);
    let median = |v: &[f64]| v.get(v.len() / 2).copied().unwrap_or(f64::NAN);
    let p95 = |v: &[f64]| v.get(v.len() * 95 / 100).copied().unwrap_or(f64::NAN);
    println!(
        "\n## In process: {} ({} pages), {} queries",
        content.display(),
        site.pages.len(),
        ours.len()
    );
    println!("| engine | query median | query p95 | index build |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| folio (read, parse and index in memory) | {:.0} µs | {:.0} µs | {:.0} ms |",
        median(&ours),
        p95(&ours),
        build.as_secs_f64() * 1e3
    );
    println!(
        "| minisearch (indexing only; index {:.1} MB as JSON) | {:.0} µs | {:.0} µs | {:.0} ms |",
        header["index_bytes"].as_f64().unwrap_or(0.0) / 1e6,
        median(&theirs),
        p95(&theirs),
        header["build_ms"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "folio / minisearch, median query time: {:.2}",
        median(&ours) / median(&theirs)
    );
}

/// Starts folio on core 0 with its access log off, as nginx's is, and waits for its
/// site to load.
fn start_pinned(content: &Path, index: &Path) -> (Child, String) {
    start(
        content,
        index,
        "warn,folio=info,folio::access=off",
        Some("0"),
        Ready::Loaded,
    )
}

/// Starts nginx on one core with one worker, sendfile on and no access log.
fn start_nginx(work: &Path, root: &Path) -> (Child, String) {
    let port = free_port();
    let conf = work.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes 1;\ndaemon off;\npid {pid};\nerror_log {log} warn;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 1000000;\n\
               default_type text/html;\n  client_body_temp_path {tmp};\n  proxy_temp_path {tmp};\n\
               fastcgi_temp_path {tmp};\n  uwsgi_temp_path {tmp};\n  scgi_temp_path {tmp};\n\
               server {{\n    listen 127.0.0.1:{port};\n    root {root};\n  }}\n}}\n",
            pid = work.join("nginx.pid").display(),
            log = work.join("nginx.log").display(),
            tmp = work.display(),
            root = root.display(),
        ),
    )
    .expect("write nginx.conf");
    let child = Command::new("taskset")
        .args(["-c", "0", "nginx", "-e"])
        .arg(work.join("nginx.log"))
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/502"));
    (child, base)
}

/// What one wrk run reported.
struct Run {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    bad: u64,
}

/// Writes a wrk script that asks `/api/search` for each query in turn, from a random
/// start.
fn wrk_script(path: &Path, queries: &[String]) -> PathBuf {
    let list: Vec<String> = queries
        .iter()
        .map(|q| format!("\"{}\"", q.replace(' ', "+").replace('"', "%22")))
        .collect();
    std::fs::write(
        path,
        format!(
            "local queries = {{{}}}\nmath.randomseed(os.time())\nlocal i = math.random(#queries)\n\
             request = function()\n  i = i + 1\n  \
             return wrk.format(\"GET\", \"/api/search?q=\" .. queries[(i % #queries) + 1])\nend\n",
            list.join(", ")
        ),
    )
    .expect("write wrk script");
    path.to_path_buf()
}

/// Runs wrk on core 1 against `url` for `seconds`, with an optional Lua script.
fn wrk(url: &str, seconds: u64, script: Option<&Path>) -> Run {
    let mut command = Command::new("taskset");
    command
        .args(["-c", "1", "wrk", "-t1", "--latency"])
        .args([format!("-c{CONNECTIONS}"), format!("-d{seconds}s")]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().expect("wrk runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix(prefix))
            .map(|rest| rest.trim().to_string())
    };
    let run = Run {
        requests_per_second: field("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
        p50_ms: field("50%").map_or(f64::NAN, |v| milliseconds(&v)),
        p99_ms: field("99%").map_or(f64::NAN, |v| milliseconds(&v)),
        bad: field("Non-2xx or 3xx responses:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
            + field("Socket errors:").map_or(0, |_| 1),
    };
    eprintln!(
        "  {url}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        run.requests_per_second, run.p50_ms, run.p99_ms
    );
    run
}

/// wrk's `1.23ms`, `456.78us` or `1.01s`, in milliseconds.
fn milliseconds(value: &str) -> f64 {
    let number = |suffix: &str| {
        value
            .strip_suffix(suffix)
            .and_then(|v| v.parse::<f64>().ok())
    };
    number("us")
        .map(|v| v / 1e3)
        .or_else(|| number("ms"))
        .or_else(|| number("s").map(|v| v * 1e3))
        .unwrap_or(f64::NAN)
}

/// Prints medians and spreads of alternating runs, and each against the last.
fn report(sides: &[(&str, &Vec<Run>)]) {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[0], v[v.len() - 1])
    };
    println!("| server | req/s median (min–max) | p50 | p99 | errors or non-2xx |");
    println!("| --- | --- | --- | --- | --- |");
    let mut medians = Vec::new();
    for (name, runs) in sides {
        let (rps, low, high) = median(runs.iter().map(|r| r.requests_per_second).collect());
        let (p50, ..) = median(runs.iter().map(|r| r.p50_ms).collect());
        let (p99, ..) = median(runs.iter().map(|r| r.p99_ms).collect());
        let bad: u64 = runs.iter().map(|r| r.bad).sum();
        println!("| {name} | {rps:.0} ({low:.0}–{high:.0}) | {p50:.2} ms | {p99:.2} ms | {bad} |");
        medians.push(rps);
    }
    if let Some((theirs, ours)) = medians.split_last() {
        for (side, rps) in sides.iter().zip(ours) {
            println!(
                "{} / {}, requests per second: {:.2}×",
                side.0,
                sides[sides.len() - 1].0,
                rps / theirs
            );
        }
    }
}

/// Queries drawn from up to `pages` tldr pages spread evenly (two words of a page's
/// description), with the page they came from.
fn tldr_queries(content: &Path, pages: usize) -> Vec<(String, String)> {
    let files = walk(content);
    let pages = pages.min(files.len());
    let mut queries = Vec::new();
    for at in 0..pages {
        let file = &files[at * files.len() / pages];
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let description = text
            .lines()
            .find_map(|line| line.strip_prefix("> "))
            .unwrap_or_default();
        let words: Vec<String> = description
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| word.len() >= 4)
            .take(2)
            .map(str::to_lowercase)
            .collect();
        if !words.is_empty() {
            let url = file
                .strip_prefix(content)
                .expect("inside")
                .with_extension("");
            queries.push((words.join(" "), format!("/{}", url.display())));
        }
    }
    queries
}

fn write_tldr_queries(tldr: &Path, path: &Path) {
    let mut file = std::fs::File::create(path).expect("queries file");
    for (query, url) in tldr_queries(tldr, QUERY_PAGES) {
        let line = serde_json::json!({ "q": query, "expect": [url] });
        writeln!(file, "{line}").expect("write query");
    }
}

fn get(url: &str) -> Vec<u8> {
    let mut response = ureq::get(url).call().expect("GET");
    response.body_mut().read_to_vec().expect("body")
}

/// Polls `url` until it answers, for up to 10 s.
fn wait_ready(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while ureq::get(url).call().is_err() {
        assert!(Instant::now() < deadline, "{url} never answered");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|path| path.is_file())
    })
}
