//! Metrics in the Prometheus text format, and the opt-in log of searches that found
//! nothing. Counters are atomics or short-held locks: recording never blocks a request
//! on another.

use super::conn::Closed;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the request latency histogram, in seconds.
const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// What the server counts.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    latency: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
    searches: AtomicU64,
    empty_searches: AtomicU64,
    refused: AtomicU64,
    /// Connections closed by their watchdog, by reason ([`Closed::label`]).
    closed: [AtomicU64; 4],
}

impl Metrics {
    /// Counts a request to `route` answered with `status` in `elapsed`.
    pub fn request(&self, route: &'static str, status: u16, elapsed: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((route, status)).or_default() += 1;
        }
        let seconds = elapsed.as_secs_f64();
        for (bucket, bound) in self.latency.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// Counts a connection refused at the cap, with none idle to close instead.
    pub fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a connection its watchdog closed.
    pub fn closed(&self, why: Closed) {
        self.closed[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a search, and whether it found nothing.
    pub fn search(&self, found: usize) {
        self.searches.fetch_add(1, Ordering::Relaxed);
        if found == 0 {
            self.empty_searches.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The metrics in the Prometheus text exposition format, with the number of pages
    /// served and the rebuilds after edits (how many, and the time they took).
    pub fn render(&self, pages: usize, rebuilds: (u64, Duration)) -> String {
        let mut out = String::new();
        let micros = |counter: &AtomicU64| counter.load(Ordering::Relaxed) as f64 / 1e6;
        out.push_str("# HELP folio_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE folio_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((route, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "folio_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP folio_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE folio_request_duration_seconds histogram\n");
        for (bucket, bound) in self.latency.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "folio_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "folio_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "folio_request_duration_seconds_sum {}",
            micros(&self.latency_micros)
        );
        let _ = writeln!(out, "folio_request_duration_seconds_count {count}");
        let counters = [
            ("folio_searches_total", "Searches run.", &self.searches),
            (
                "folio_zero_result_searches_total",
                "Searches that found nothing.",
                &self.empty_searches,
            ),
            (
                "folio_connections_refused_total",
                "Connections refused at the cap with none idle to close.",
                &self.refused,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP folio_connections_closed_total Connections closed for saying nothing, not reading, idling, or to make room.\n");
        out.push_str("# TYPE folio_connections_closed_total counter\n");
        for why in Closed::ALL {
            let _ = writeln!(
                out,
                "folio_connections_closed_total{{reason=\"{}\"}} {}",
                why.label(),
                self.closed[why as usize].load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP folio_reindex_total Rebuilds after edits.\n# TYPE folio_reindex_total counter\nfolio_reindex_total {}",
            rebuilds.0
        );
        let _ = writeln!(
            out,
            "# HELP folio_reindex_duration_seconds_total Time spent rebuilding after edits.\n# TYPE folio_reindex_duration_seconds_total counter\nfolio_reindex_duration_seconds_total {}",
            rebuilds.1.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "# HELP folio_pages Pages served.\n# TYPE folio_pages gauge\nfolio_pages {pages}"
        );
        out
    }
}

/// The opt-in log of searches that found nothing: one query per line, lowercased and
/// with its spaces folded; nothing about who searched.
pub struct QueryLog {
    file: Mutex<std::fs::File>,
}

impl QueryLog {
    /// Opens (appending to) the log at `path`.
    pub fn open(path: PathBuf) -> std::io::Result<QueryLog> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(QueryLog {
            file: Mutex::new(file),
        })
    }

    /// Records a query that found nothing.
    pub fn record(&self, query: &str) {
        let line = normalize(query);
        if line.is_empty() {
            return;
        }
        if let Ok(mut file) = self.file.lock()
            && let Err(error) = writeln!(file, "{line}")
        {
            tracing::warn!(%error, "query log not written");
        }
    }
}

/// A query as the log keeps it: lowercased, control characters as spaces, spaces folded,
/// at most 200 characters.
pub fn normalize(query: &str) -> String {
    query
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_render_as_prometheus_text() {
        let metrics = Metrics::default();
        metrics.request("page", 200, Duration::from_micros(800));
        metrics.request("page", 404, Duration::from_millis(3));
        metrics.search(0);
        metrics.search(4);
        let text = metrics.render(7, (2, Duration::from_millis(30)));
        assert!(text.contains("folio_requests_total{route=\"page\",status=\"200\"} 1"));
        assert!(text.contains("folio_request_duration_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("folio_request_duration_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(text.contains("folio_searches_total 2"));
        assert!(text.contains("folio_zero_result_searches_total 1"));
        assert!(text.contains("folio_pages 7"));
        assert!(text.contains("folio_reindex_total 2"));
    }

    #[test]
    fn logged_queries_are_normalised() {
        assert_eq!(normalize("  Bad\tGATEWAY \u{0}x "), "bad gateway x");
        assert_eq!(normalize("é".repeat(500).as_str()).chars().count(), 200);
    }
}
