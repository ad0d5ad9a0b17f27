//! Test support: a fixture site copied into a temp dir, the real `folio` binary started
//! on 127.0.0.1:0, and a small HTTP client.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The folder of the repository.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, when it is there.
pub fn shared() -> Option<PathBuf> {
    let shared = repo().join("../shared");
    shared.is_dir().then_some(shared)
}

/// A site in a temp dir: `content/` (a copy of a fixture) and `index/`.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// Copies `tests/fixtures/<name>` into a fresh temp dir as `content/`.
    pub fn fixture(name: &str) -> Site {
        Site::copy_of(&repo().join("tests/fixtures").join(name))
    }

    /// Copies any folder of pages into a fresh temp dir as `content/`.
    pub fn copy_of(source: &Path) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(source, &dir.path().join("content"));
        Site { dir }
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes a content file (creating folders).
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.content().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Runs `folio ARGS --content … [--index …]` to its end.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut command = folio();
        command.args(args).arg("--content").arg(self.content());
        if args[0] != "check" {
            command.arg("--index").arg(self.index());
        }
        command.output().expect("run folio")
    }

    /// Starts `folio serve` on an ephemeral loopback port.
    pub fn serve(&self) -> Server {
        Server::start(self, &[])
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The `folio` binary under test.
pub fn folio() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
    command.env("RUST_LOG", "info").env("NO_COLOR", "1");
    command
}

/// A running `folio serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    log: mpsc::Receiver<String>,
    /// The lines logged and already read from `log`.
    seen: Vec<String>,
}

impl Server {
    pub fn start(site: &Site, extra: &[&str]) -> Server {
        Server::start_command(folio(), site, extra)
    }

    /// Starts `command` (a `folio()` the caller has adjusted) as `folio serve`.
    pub fn start_command(mut command: Command, site: &Site, extra: &[&str]) -> Server {
        let mut child = command
            .arg("serve")
            .arg("--content")
            .arg(site.content())
            .arg("--index")
            .arg(site.index())
            .arg("--templates")
            .arg(site.dir.path().join("templates"))
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start folio serve");
        let (lines, log) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match log.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = line.find("serving on http://") {
                        let rest = &line[at + "serving on ".len()..];
                        let base = rest
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_string();
                        return Server {
                            child,
                            base,
                            log,
                            seen,
                        };
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("folio serve did not start within 30 s");
                }
            }
        }
    }

    /// Every line logged so far.
    pub fn logged(&mut self) -> &[String] {
        self.seen.extend(self.log.try_iter());
        &self.seen
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> Response {
        request("GET", &self.url(path))
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "folio did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status, headers and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request without following redirects; any status is a response.
pub fn request(method: &str, url: &str) -> Response {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .body(())
        .unwrap();
    let mut response = agent.run(request).expect("request");
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Response {
        status,
        headers,
        body,
    }
}

/// How long a test waits for something the server does by itself.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Polls `check` until it holds, failing with `what` after the deadline.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
