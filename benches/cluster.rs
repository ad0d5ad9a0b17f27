//! The replica set as production runs it: nginx in front of three `folio serve
//! --read-only` replicas sharing one index folder built by `folio index`, under 20 s
//! of mixed page and search load on loopback. Mid-way one replica is killed with
//! SIGKILL and started again; then a content release is rolled: a new index folder is
//! built beside the old one from the new content, and the replicas are restarted on it
//! one at a time. Passes when the client saw no failed request and every replica
//! serves the new content at the end.
//!
//! `make cluster-test` (`cargo bench --bench cluster`); needs nginx (Debian's
//! `nginx-light`), which `make cluster-test` installs when it is missing.

use std::io::BufRead;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long the load runs.
const LOAD: Duration = Duration::from_secs(20);
/// Clients sending requests at once.
const CLIENTS: usize = 8;
/// What the clients ask for, in turn.
const PATHS: [&str; 7] = [
    "/",
    "/502",
    "/404",
    "/api/search?q=gateway",
    "/search?q=upstream+timeout",
    "/api/suggest?q=gate",
    "/sitemap.xml",
];

fn main() -> ExitCode {
    if Command::new("nginx").arg("-v").output().is_err() {
        println!("cluster test skipped: nginx is not installed (Debian: nginx-light)");
        return ExitCode::SUCCESS;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let old = work.path().join("release-1");
    let new = work.path().join("release-2");
    copy(&repo().join("content"), &old.join("content"));
    copy(&repo().join("content"), &new.join("content"));
    std::fs::write(
        new.join("content/kingfisher.md"),
        "# Kingfisher\n\nA page only the new release has: kingfisher.\n",
    )
    .expect("new page");
    index(&old);
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let mut replicas: Vec<Child> = ports.iter().map(|port| replica(&old, *port)).collect();
    let front = free_port();
    let mut nginx = nginx(work.path(), front, &ports);
    wait_for(&format!("http://127.0.0.1:{front}/healthz"));

    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (stop, ok, failed) = (stop.clone(), ok.clone(), failed.clone());
            std::thread::spawn(move || load(client, front, &stop, &ok, &failed))
        })
        .collect();
    let begun = Instant::now();
    let at = |seconds: u64| {
        let until = begun + Duration::from_secs(seconds);
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    at(4);
    println!("killing replica 1 (SIGKILL)");
    let _ = replicas[0].kill();
    let _ = replicas[0].wait();
    at(6);
    println!("starting replica 1 again");
    replicas[0] = replica(&old, ports[0]);
    at(9);
    println!("rolling the release: building its index beside the old one");
    index(&new);
    for (at, port) in ports.iter().enumerate() {
        println!("restarting replica {} on the new release", at + 1);
        terminate(&mut replicas[at]);
        replicas[at] = replica(&new, *port);
    }
    while begun.elapsed() < LOAD {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        let _ = client.join();
    }
    let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    println!("{ok} requests answered, {failed} failed");
    let mut serving_new = 0;
    for port in &ports {
        let found = get(&format!("http://127.0.0.1:{port}/api/search?q=kingfisher"));
        if found.is_some_and(|body| body.contains("/kingfisher")) {
            serving_new += 1;
        }
    }
    println!(
        "{serving_new} of {} replicas serve the new release",
        ports.len()
    );
    let _ = nginx.kill();
    let _ = nginx.wait();
    if failed > 0 {
        for release in [&old, &new] {
            for port in &ports {
                let log = release.join(format!("replica-{port}.log"));
                let text = std::fs::read_to_string(log).unwrap_or_default();
                println!(
                    "replica {port} of {}:\n{}",
                    release.display(),
                    text.lines().take(8).collect::<Vec<_>>().join("\n")
                );
            }
        }
        let log = std::fs::read_to_string(work.path().join("error.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        println!(
            "nginx's error log ends:\n{}",
            lines
                .iter()
                .filter(|l| !l.contains("no live upstreams"))
                .take(12)
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for mut replica in replicas {
        terminate(&mut replica);
    }
    if failed == 0 && ok > 0 && serving_new == ports.len() {
        println!("cluster test passed");
        ExitCode::SUCCESS
    } else {
        println!("cluster test FAILED");
        ExitCode::FAILURE
    }
}

/// One client: requests in turn until `stop`, counting answers and failures (an error
/// or a 5xx).
fn load(client: usize, port: u16, stop: &AtomicBool, ok: &AtomicU64, failed: &AtomicU64) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut turn = client;
    while !stop.load(Ordering::Relaxed) {
        let url = format!("http://127.0.0.1:{port}{}", PATHS[turn % PATHS.len()]);
        turn += 1;
        match agent.get(&url).call() {
            Ok(mut response) if response.status().as_u16() < 500 => {
                let _ = response.body_mut().read_to_vec();
                ok.fetch_add(1, Ordering::Relaxed);
            }
            Ok(response) => {
                println!("{url}: {}", response.status());
                failed.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => {
                println!("{url}: {error}");
                failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Builds the index of a release's content beside it.
fn index(release: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["index", "--content"])
        .arg(release.join("content"))
        .arg("--index")
        .arg(release.join("index"))
        .stdout(Stdio::null())
        .status()
        .expect("folio index runs");
    assert!(status.success(), "folio index failed");
}

/// Starts a read-only replica of `release` on `port`, and returns once it serves.
fn replica(release: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["serve", "--read-only", "--content"])
        .arg(release.join("content"))
        .arg("--index")
        .arg(release.join("index"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(["--site-url", "http://docs.example.test"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log_file(release, port))
        .spawn()
        .expect("folio serve starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("folio prints its URL");
    child
}

/// The file a replica logs to, beside its release.
fn log_file(release: &Path, port: u16) -> Stdio {
    let path = release.join(format!("replica-{port}.log"));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_or_else(|_| Stdio::null(), Stdio::from)
}

/// Ends a replica as an orchestrator does: SIGTERM, then waiting for it to exit.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Starts nginx on `port` in front of the replicas on `upstreams`, writing its files
/// under `dir`.
fn nginx(dir: &Path, port: u16, upstreams: &[u16]) -> Child {
    let servers: String = upstreams
        .iter()
        .map(|port| format!("    server 127.0.0.1:{port} max_fails=0;\n"))
        .collect();
    let conf = format!(
        "worker_processes 1;\n\
         error_log {dir}/error.log warn;\n\
         pid {dir}/nginx.pid;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n\
         access_log off;\n\
         client_body_temp_path {dir}/body;\n\
         proxy_temp_path {dir}/proxy;\n\
         fastcgi_temp_path {dir}/fastcgi;\n\
         uwsgi_temp_path {dir}/uwsgi;\n\
         scgi_temp_path {dir}/scgi;\n\
         upstream folio {{\n{servers}    keepalive 16;\n}}\n\
         server {{\n\
         listen 127.0.0.1:{port};\n\
         location / {{\n\
         proxy_pass http://folio;\n\
         proxy_http_version 1.1;\n\
         proxy_set_header Connection \"\";\n\
         proxy_set_header Host $host;\n\
         proxy_next_upstream error timeout http_502 http_503;\n\
         proxy_connect_timeout 1s;\n\
         }}\n\
         }}\n\
         }}\n",
        dir = dir.display()
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).expect("nginx.conf");
    Command::new("nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts")
}

/// Polls `url` until it answers 200, for at most 30 s.
fn wait_for(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(url).is_none() {
        assert!(Instant::now() < deadline, "{url} did not answer");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The body of a 200 answer to `url`.
fn get(url: &str) -> Option<String> {
    let mut response = ureq::get(url).call().ok()?;
    (response.status() == 200)
        .then(|| response.body_mut().read_to_string().ok())
        .flatten()
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// The repository.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder.
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
