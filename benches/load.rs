//! A bounded loopback load test: many connections mixing page GETs and searches while
//! another thread keeps editing content files, against the real server watching them.
//! Counts errors and 5xx (both must be 0) and reports latency percentiles.
//!
//! `cargo bench --bench load -- [SECONDS] [CONNECTIONS]` (defaults: 60 s, 64).

mod support;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Ready, copy, start, walk};

/// The most requests one connection sends, whatever the duration.
const MAX_REQUESTS_PER_CONNECTION: u64 = 1_000_000;

fn main() {
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seconds = numbers.first().copied().unwrap_or(60).clamp(1, 600);
    let connections = numbers.get(1).copied().unwrap_or(64).clamp(1, 256);
    let work = tempfile::tempdir().expect("temp dir");
    let content = work.path().join("content");
    copy(Path::new("content"), &content);
    let (child, base) = start(
        &content,
        &work.path().join("index"),
        "warn,folio=info,folio::access=off",
        None,
        Ready::Loaded,
    );
    let pages: Vec<String> = pages(&content);
    let queries = [
        "upstream invalid response",
        "gatew",
        "too many requests",
        "401 vs 403",
        "rate limit",
        "unathorized",
        "\"bad gateway\"",
        "cloudflare 522",
    ];
    let stop = Arc::new(AtomicBool::new(false));
    let (errors, server_errors, requests) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for worker in 0..connections {
        let (base, pages, stop) = (base.clone(), pages.clone(), stop.clone());
        let (errors, server_errors, requests, latencies) = (
            errors.clone(),
            server_errors.clone(),
            requests.clone(),
            latencies.clone(),
        );
        workers.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .into();
            let mut mine = Vec::new();
            for n in 0..MAX_REQUESTS_PER_CONNECTION {
                if stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                    break;
                }
                let i = (n as usize).wrapping_mul(31).wrapping_add(worker as usize);
                let url = if n.is_multiple_of(3) {
                    format!(
                        "{base}/api/search?q={}",
                        queries[i % queries.len()]
                            .replace(' ', "+")
                            .replace('"', "%22")
                    )
                } else {
                    format!("{base}{}", pages[i % pages.len()])
                };
                let started = Instant::now();
                match agent.get(&url).call() {
                    Ok(mut response) => {
                        let _ = response.body_mut().read_to_vec();
                        if response.status().is_server_error() {
                            server_errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                mine.push(started.elapsed());
                requests.fetch_add(1, Ordering::Relaxed);
            }
            latencies.lock().expect("latencies").extend(mine);
        }));
    }
    let editor = {
        let (content, stop) = (content.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut edits = 0u64;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline && edits < 100_000 {
                let page = content.join(if edits.is_multiple_of(2) {
                    "502.md"
                } else {
                    "404.md"
                });
                if let Ok(mut file) = std::fs::OpenOptions::new().append(true).open(&page) {
                    let _ = writeln!(file, "\nLoad test edit {edits}.");
                }
                edits += 1;
                std::thread::sleep(Duration::from_millis(200));
            }
            edits
        })
    };
    for worker in workers {
        let _ = worker.join();
    }
    stop.store(true, Ordering::Relaxed);
    let edits = editor.join().unwrap_or(0);
    support::stop(child);
    let mut times = latencies.lock().expect("latencies").clone();
    times.sort();
    let at = |share: f64| {
        times
            .get(((times.len() as f64 * share) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let total = requests.load(Ordering::Relaxed);
    println!(
        "load: {seconds} s, {connections} connections, {} pages, {edits} edits during the run",
        pages.len()
    );
    println!(
        "requests {total} ({:.0}/s)   errors {}   5xx {}   p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        total as f64 / seconds as f64,
        errors.load(Ordering::Relaxed),
        server_errors.load(Ordering::Relaxed),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

fn pages(content: &Path) -> Vec<String> {
    let mut urls = Vec::new();
    for entry in walk(content) {
        let relative = entry
            .strip_prefix(content)
            .expect("inside")
            .with_extension("");
        let path = relative.display().to_string();
        urls.push(match path.strip_suffix("index") {
            Some(folder) => format!("/{}", folder.trim_end_matches('/')),
            None => format!("/{path}"),
        });
    }
    urls
}
