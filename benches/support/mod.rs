//! What the benchmarks share: a copy of a site, its pages, and the real server started
//! on an ephemeral loopback port and stopped.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
    /// It listens, its whole site has loaded and what the next start reads is recorded:
    /// what steady-state measures start from (`log` must let `folio=info` through).
    Loaded,
}

/// Starts `folio serve` on `content` (index beside it) with `log` as RUST_LOG, on the
/// given CPU cores when `cores` names some (`taskset -c 0`); returns the process and its
/// base URL once it is `ready`.
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
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("folio starts");
    let stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if let Some(at) = line.find("serving on ") {
                let url = line[at + 11..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default();
                let _ = send.send(Some(url.to_string()));
            } else if line.contains("start complete") {
                let _ = send.send(None);
            }
        }
    });
    let (mut base, mut seen_loaded) = (None, ready == Ready::Listening);
    while base.is_none() || !seen_loaded {
        match receive
            .recv_timeout(Duration::from_secs(300))
            .expect("folio listens")
        {
            Some(url) => base = Some(url),
            None => seen_loaded = true,
        }
    }
    (child, base.unwrap_or_default())
}

/// Ends a process the benchmark started and waits for it.
pub fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}
