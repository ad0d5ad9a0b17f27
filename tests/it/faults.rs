//! Faults around the content and the index: symbolic links out of content/, content
//! that must never be written to, a build killed halfway, and a disk that fills up.

use crate::support::{Server, Site, folio};
use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

#[test]
fn symbolic_links_out_of_content_are_never_followed() {
    let site = Site::fixture("site");
    let outside = site.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.md"), "# Secret\n\nwalrusmoustache\n").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.md"), site.content().join("leak.md")).unwrap();
    std::os::unix::fs::symlink(&outside, site.content().join("elsewhere")).unwrap();
    let check = site.run(&["check"]);
    let report = String::from_utf8_lossy(&check.stdout).to_string()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(
        report.contains("leak.md") && report.contains("outside the content folder; not read"),
        "{report}"
    );
    let server = site.serve();
    for path in [
        "/leak",
        "/leak.md",
        "/elsewhere/secret",
        "/elsewhere/secret.md",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.body.contains("walrusmoustache"), "{path}");
    }
    let found = server.get("/api/search?q=walrusmoustache").json();
    assert_eq!(found["total"], 0, "{found}");
    assert_eq!(server.get("/guide/setup").status, 200);
}

/// Every file under `dir` with its size and modification time.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        if meta.is_dir() {
            files.extend(tree(&entry.path()));
        } else {
            files.insert(entry.path(), (meta.len(), meta.modified().unwrap()));
        }
    }
    files
}

#[test]
fn folio_never_writes_to_content() {
    let site = Site::fixture("site");
    site.write("broken.md", "---\ntitle: [unclosed\n---\n# Broken\n");
    let before = tree(&site.content());
    assert!(site.run(&["index"]).status.success());
    let _ = site.run(&["check"]);
    let server = Server::binary(&site, &[]);
    for path in [
        "/",
        "/502",
        "/api/search?q=gateway",
        "/search?q=nothing+at+all",
        "/nope",
    ] {
        assert!(server.get(path).status < 500, "{path}");
    }
    assert!(server.terminate().success());
    assert_eq!(tree(&site.content()), before);
}

#[test]
fn a_build_killed_halfway_is_rebuilt_at_the_next_start() {
    let site = Site::fixture("site");
    for n in 0..3000 {
        site.write(
            &format!("many/page-{n:04}.md"),
            &format!("# Page {n}\n\nFiller words about kettles and gateways, number {n}.\n"),
        );
    }
    let mut build = folio()
        .args(["index", "--content"])
        .arg(site.content())
        .arg("--index")
        .arg(site.index())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_dir(site.index()).is_ok_and(|mut entries| entries.next().is_some()) {
        assert!(
            Instant::now() < deadline,
            "the build never wrote to the index folder"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    build.kill().unwrap();
    build.wait().unwrap();
    let server = site.serve();
    let found = server.get("/api/search?q=flamingo").json();
    assert_eq!(found["hits"][0]["url"], "/guide/setup", "{found}");
    assert_eq!(
        server.get("/api/search?q=2999").json()["hits"][0]["url"],
        "/many/page-2999"
    );
    let index = server.readyz()["index"].clone();
    assert!(index == "rebuilt" || index == "reused", "{index}");
}

#[test]
fn a_full_disk_while_indexing_is_logged_and_the_next_start_rebuilds() {
    let site = Site::fixture("site");
    for n in 0..200 {
        site.write(
            &format!("more/{n}.md"),
            &format!("# More {n}\n\nText enough to fill segments.\n"),
        );
    }
    let mut full = folio();
    // Files may not grow past 4 KiB: writes fail as on a full disk.
    unsafe {
        full.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            match libc::setrlimit(libc::RLIMIT_FSIZE, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let server = Server::start_command(full, &site, &["--no-watch"]);
    let found = server.get("/api/search?q=flamingo").json();
    assert_eq!(found["hits"][0]["url"], "/guide/setup", "{found}");
    assert_eq!(server.readyz()["index"], "in-memory");
    assert!(server.terminate().success());
    let server = site.serve();
    assert_eq!(
        server.get("/api/search?q=flamingo").json()["hits"][0]["url"],
        "/guide/setup"
    );
    assert_eq!(server.readyz()["index"], "rebuilt");
}
