//! Test support: a fixture site copied into a temp dir, `folio serve` started on
//! 127.0.0.1:0 (in this process, or the real binary), and a small HTTP client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
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

    /// A fresh temp dir whose `content/` holds exactly `files` (path, text).
    pub fn of_files(files: &[(&str, &str)]) -> Site {
        let site = Site {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::create_dir(site.content()).unwrap();
        for (path, text) in files {
            site.write(path, text);
        }
        site
    }

    /// Copies any folder of pages into a fresh temp dir as `content/`.
    pub fn copy_of(source: &Path) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(source, &dir.path().join("content"));
        Site { dir }
    }

    /// Unpacks `../shared/corpora/<name>.tar.gz` into a fresh temp dir, its folder `root`
    /// as `content/` (`""`: the whole archive); `None` (and a message) when the corpus is
    /// not there.
    pub fn unpack(name: &str, root: &str) -> Option<Site> {
        Site::unpack_in(&std::env::temp_dir(), name, root)
    }

    /// [`Site::unpack`], the temp dir made in `parent`.
    pub fn unpack_in(parent: &Path, name: &str, root: &str) -> Option<Site> {
        let archive = shared().map(|shared| shared.join(format!("corpora/{name}.tar.gz")));
        let Some(archive) = archive.filter(|archive| archive.is_file()) else {
            eprintln!("skipped: ../shared/corpora/{name}.tar.gz is not beside the repository");
            return None;
        };
        let site = Site {
            dir: tempfile::tempdir_in(parent).expect("temp dir"),
        };
        let into = if root.is_empty() {
            site.content()
        } else {
            site.dir.path().to_path_buf()
        };
        std::fs::create_dir_all(&into).unwrap();
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&into)
            .args((!root.is_empty()).then_some(root))
            .status()
            .expect("run tar");
        assert!(
            status.success(),
            "tar could not unpack {}",
            archive.display()
        );
        if !root.is_empty() {
            std::fs::rename(site.dir.path().join(root), site.content()).expect("a project root");
        }
        Some(site)
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

    /// Starts `folio serve`, in this process, on an ephemeral loopback port.
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

/// A running `folio serve`, stopped when dropped: in this process (the default, on a
/// runtime of its own), or the real binary for what only a process shows (its log,
/// its exit on SIGTERM, its limits).
pub struct Server {
    pub base: String,
    kind: Kind,
}

enum Kind {
    InProcess {
        runtime: tokio::runtime::Runtime,
        serving: Option<folio::cmd::serve::Serving>,
    },
    Binary {
        child: Child,
        log: mpsc::Receiver<String>,
        /// The lines logged and already read from `log`.
        seen: Vec<String>,
    },
}

/// The command-line flags that serve `site` on an ephemeral loopback port, then `extra`.
fn serve_args(site: &Site, extra: &[&str]) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["serve".into(), "--content".into()];
    args.push(site.content().into());
    args.push("--index".into());
    args.push(site.index().into());
    args.push("--templates".into());
    args.push(site.dir.path().join("templates").into());
    args.extend(["--addr", "127.0.0.1:0"].map(Into::into));
    args.extend(extra.iter().map(Into::into));
    args
}

impl Server {
    /// Starts `folio serve` in this process, with the flags `extra`, and returns once
    /// it serves.
    pub fn start(site: &Site, extra: &[&str]) -> Server {
        let args = std::iter::once("folio".into()).chain(serve_args(site, extra));
        let (_, flags) = folio::cli::Cli::try_parse_with_overrides(args).expect("flags parse");
        let config =
            folio::config::Config::load(None, std::iter::empty(), flags).expect("configuration");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let serving = runtime
            .block_on(folio::cmd::serve::start(config))
            .expect("folio serves");
        Server {
            base: format!("http://{}", serving.addr()),
            kind: Kind::InProcess {
                runtime,
                serving: Some(serving),
            },
        }
    }

    /// Starts the real `folio serve` binary.
    pub fn binary(site: &Site, extra: &[&str]) -> Server {
        Server::start_command(folio(), site, extra)
    }

    /// Starts `command` (a `folio()` the caller has adjusted) as `folio serve`, and
    /// returns once it prints the address it serves on.
    pub fn start_command(mut command: Command, site: &Site, extra: &[&str]) -> Server {
        let mut child = command
            .args(serve_args(site, extra))
            .stdout(Stdio::piped())
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
        let (urls, url) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = urls.send(first);
        });
        let Ok(url) = url.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("folio serve did not print its address within 30 s");
        };
        let url = url.trim();
        let authority = url
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("not a URL: {url:?}"));
        Server {
            base: format!("http://{authority}"),
            kind: Kind::Binary {
                child,
                log,
                seen: Vec::new(),
            },
        }
    }

    /// What `/readyz` says: how the server started, and whether its site has loaded.
    pub fn readyz(&self) -> serde_json::Value {
        self.get("/readyz").json()
    }

    /// Every line logged so far (the real binary only).
    pub fn logged(&mut self) -> &[String] {
        match &mut self.kind {
            Kind::Binary { log, seen, .. } => {
                seen.extend(log.try_iter());
                seen
            }
            Kind::InProcess { .. } => panic!("an in-process server's log is not kept"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> Response {
        request("GET", &self.url(path))
    }

    /// Sends SIGTERM to the real binary and waits for the exit status.
    pub fn terminate(mut self) -> ExitStatus {
        let Kind::Binary { child, .. } = &mut self.kind else {
            panic!("only the real binary is sent signals");
        };
        let pid = child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
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
        match &mut self.kind {
            Kind::InProcess { runtime, serving } => {
                if let Some(serving) = serving.take() {
                    runtime.block_on(serving.stop());
                }
            }
            Kind::Binary { child, .. } => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
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

/// The server's socket address.
pub fn addr(server: &Server) -> SocketAddr {
    server
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("a socket address")
}

/// An answer read off the wire: status, headers (names lowercased) and raw body.
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `request` as it is on a new connection and reads the answer to the end.
pub fn raw(server: &Server, request: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(addr(server)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(request).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&bytes)));
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Raw {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

/// A GET of `path` with `headers` (`Host: localhost` unless they name one), on a
/// connection of its own.
pub fn get(server: &Server, path: &str, headers: &[&str]) -> Raw {
    let mut request = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|h| h.to_ascii_lowercase().starts_with("host:"))
    {
        request.push_str("Host: localhost\r\n");
    }
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    raw(server, request.as_bytes())
}
