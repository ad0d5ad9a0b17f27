//! Save → searchable and save → live-reload event, over 50 edits of one page, with the
//! real server watching natively. `cargo bench --bench live_edit -- DIR` measures the
//! pages in DIR (default: content/); `make bench` also runs it on the tldr pages.

mod support;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::{Ready, copy, start, stop, walk};

const EDITS: usize = 50;

fn main() {
    let source = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with("--"))
        .map_or_else(|| PathBuf::from("content"), PathBuf::from);
    let work = tempfile::tempdir().expect("temp dir");
    let content = work.path().join("content");
    copy(&source, &content);
    let page = pick_page(&content);
    let server = start(
        &content,
        &work.path().join("index"),
        "info",
        None,
        Ready::Loaded,
    );
    let base = server.1.clone();
    let events = listen(&format!("{base}/__livereload"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let (mut to_search, mut to_event) = (Vec::new(), Vec::new());
    for edit in 0..EDITS {
        let word = unique_word(edit);
        while events.try_recv().is_ok() {}
        let saved = Instant::now();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&page)
            .expect("page");
        writeln!(file, "\nBenchmark word {word}.").expect("append");
        drop(file);
        let url = format!("{base}/api/search?q={word}&limit=1");
        let deadline = saved + Duration::from_secs(10);
        loop {
            let body = agent
                .get(&url)
                .call()
                .expect("search")
                .body_mut()
                .read_to_string()
                .unwrap_or_default();
            if body.contains("\"url\"") {
                to_search.push(saved.elapsed());
                break;
            }
            assert!(
                Instant::now() < deadline,
                "edit {edit} never became searchable"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let event = events.recv_timeout(Duration::from_secs(10)).expect("event");
        to_event.push(event.duration_since(saved));
        std::thread::sleep(Duration::from_millis(60));
    }
    stop(server.0);
    let pages = walk(&content).len();
    println!(
        "live edit on {} ({pages} pages, {EDITS} edits of {})",
        source.display(),
        page.display()
    );
    report("save -> searchable", &mut to_search);
    report("save -> event sent", &mut to_event);
}

/// A made-up word, far (in edits) from every other edit's word, so that typo and
/// prefix matching cannot find an earlier one.
fn unique_word(edit: usize) -> String {
    let mut state =
        (edit as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(std::process::id());
    (0..12)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p95 = times[(times.len() * 95).div_ceil(100) - 1];
    println!(
        "{what:<20} median {:>7.1} ms   p95 {:>7.1} ms   min {:>6.1} ms   max {:>7.1} ms",
        ms(times[times.len() / 2]),
        ms(p95),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}

/// The arrival time of each live-reload event.
fn listen(url: &str) -> mpsc::Receiver<Instant> {
    let response = ureq::get(url).call().expect("event stream");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let reader = std::io::BufReader::new(response.into_body().into_reader());
        for line in reader.lines().map_while(Result::ok) {
            if line.starts_with("data:")
                && line.contains("\"changed\":[\"")
                && send.send(Instant::now()).is_err()
            {
                break;
            }
        }
    });
    receive
}

fn pick_page(content: &Path) -> PathBuf {
    walk(content)
        .into_iter()
        .find(|p| !p.ends_with("index.md"))
        .expect("a page to edit")
}
