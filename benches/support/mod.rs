//! What the benchmarks share: a copy of a site, its pages, and the real server started
//! on an ephemeral loopback port and stopped.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Copies a folder of pages.
pub fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Every Markdown file under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// How far a started server has come when [`start`] returns.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// It listens (after a start from the page manifest, its site may still be
    /// loading behind it).
    Listening,
    /// It listens, its whole site has loaded and what the next start reads is recorded
    /// (`/readyz` says `"loaded": true`): what steady-state measures start from.
    Loaded,
}

/// Starts `folio serve` on `content` (index beside it) with `log` as RUST_LOG, on the
/// given CPU cores when `cores` names some (`taskset -c 0`); returns the process and its
/// base URL once it is `ready`. The URL is the line `folio serve` prints on stdout once
/// it serves.
pub fn start(
    content: &Path,
    index: &Path,
    log: &str,
    cores: Option<&str>,
    ready: Ready,
) -> (Child, String) {
    let folio = env!("CARGO_BIN_EXE_folio");
    let mut program = match cores {
        Some(cores) => {
            let mut taskset = Command::new("taskset");
            taskset.args(["-c", cores, folio]);
            taskset
        }
        None => Command::new(folio),
    };
    let mut child = program
        .args(["serve", "--addr", "127.0.0.1:0", "--content"])
        .arg(content)
        .arg("--index")
        .arg(index)
        .env("RUST_LOG", log)
        .stderr(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("folio starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("folio prints its URL");
    let base = line.trim().trim_end_matches('/').to_string();
    assert!(base.starts_with("http://"), "not a URL: {line:?}");
    if ready != Ready::Listening {
        let deadline = Instant::now() + Duration::from_secs(300);
        while !is_loaded(&base) {
            assert!(Instant::now() < deadline, "folio did not load within 300 s");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    (child, base)
}

/// Whether the server at `base` says its whole site has loaded.
fn is_loaded(base: &str) -> bool {
    ureq::get(&format!("{base}/readyz"))
        .call()
        .ok()
        .and_then(|mut response| response.body_mut().read_to_string().ok())
        .and_then(|body| serde_json::from_str::<serde_json::Value>(&body).ok())
        .is_some_and(|ready| ready["loaded"] == true)
}

/// Ends a process the benchmark started and waits for it.
pub fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}
