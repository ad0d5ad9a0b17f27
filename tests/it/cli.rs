//! The command line: check, index, search, and serve's start-up errors and shutdown.

use crate::support::{Server, Site, folio};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn check_warns_about_non_strict_yaml_and_passes() {
    let site = Site::fixture("site");
    let output = site.run(&["check"]);
    let printed = stdout(&output);
    assert!(output.status.success(), "{printed}");
    let expected = format!(
        "{}:4: warning: frontmatter is not strict YAML",
        site.content().join("502.md").display()
    );
    assert!(printed.contains(&expected), "{printed}");
}

#[test]
fn check_names_each_bad_file_with_line_and_reason_and_exits_1() {
    let site = Site::fixture("site");
    site.write("list.md", "---\n- a\n- b\n---\n# List\n");
    site.write("binary.md", "abc\u{0}def");
    site.write("unclosed.md", "---\ntitle: x\n# no end\n");
    site.write("twin.md", "---\npermalink: /502\n---\n# Twin\n");
    site.write("links.md", "# Links\n\nA [dead link](/nowhere).\n");
    let output = site.run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    let printed = stdout(&output);
    let line = |file: &str, rest: &str| format!("{}:{rest}", site.content().join(file).display());
    for expected in [
        line(
            "list.md",
            "2: error: frontmatter must be a mapping of keys to values, not a list",
        ),
        line("binary.md", "1: error: binary file"),
        line(
            "unclosed.md",
            "1: error: frontmatter opened with `---` is never closed",
        ),
        line("twin.md", "1: error: URL /502 is already served by"),
        line(
            "links.md",
            "3: warning: link to /nowhere: no page is served at /nowhere",
        ),
    ] {
        assert!(
            printed.contains(&expected),
            "missing {expected:?} in\n{printed}"
        );
    }
}

#[test]
fn index_then_search_from_the_command_line() {
    let site = Site::fixture("site");
    let output = site.run(&["index"]);
    assert!(output.status.success());
    assert!(
        stdout(&output).starts_with("indexed 8 pages in "),
        "{}",
        stdout(&output)
    );
    let output = site.run(&["search", "upstream", "invalid", "response"]);
    assert!(output.status.success());
    let first = stdout(&output)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(first.contains("\t/502\t502 Bad Gateway"), "{first}");
}

#[test]
fn a_foreign_index_folder_is_left_alone_with_a_clear_error() {
    let site = Site::fixture("site");
    std::fs::create_dir_all(site.index()).unwrap();
    std::fs::write(site.index().join("thesis.docx"), "precious").unwrap();
    let output = site.run(&["index"]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("not a folio index"), "{error}");
    assert_eq!(
        std::fs::read_to_string(site.index().join("thesis.docx")).unwrap(),
        "precious"
    );
}

#[test]
fn a_corrupt_index_is_rebuilt() {
    let site = Site::fixture("site");
    assert!(site.run(&["index"]).status.success());
    std::fs::write(site.index().join("meta.json"), "{ not json").unwrap();
    let output = site.run(&["search", "flamingo"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout(&output).contains("/guide/setup"));
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let site = Site::fixture("site");
    let running = site.serve();
    let addr = running.base.trim_start_matches("http://").to_string();
    let other = Site::fixture("site");
    let output = folio()
        .args(["serve", "--addr", &addr, "--content"])
        .arg(other.content())
        .arg("--index")
        .arg(other.index())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains(&format!("cannot listen on {addr}")),
        "{error}"
    );
}

#[test]
fn missing_content_is_a_clear_error() {
    let output = folio()
        .args(["check", "--content", "/nonexistent/folio-content"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("content folder /nonexistent/folio-content does not exist")
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let site = Site::fixture("site");
    let server = Server::binary(&site, &["--no-watch"]);
    assert_eq!(server.get("/healthz").status, 200);
    let status = server.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn help_names_every_command() {
    let output = folio().arg("--help").output().unwrap();
    let help = stdout(&output);
    for command in ["serve", "index", "check", "search"] {
        assert!(help.contains(command), "{help}");
    }
    let serve = stdout(&folio().args(["serve", "--help"]).output().unwrap());
    for flag in [
        "--content",
        "--templates",
        "--index",
        "--addr",
        "--no-watch",
    ] {
        assert!(serve.contains(flag), "{serve}");
    }
}

#[test]
fn an_unusable_index_folder_falls_back_to_memory() {
    let site = Site::fixture("site");
    std::fs::write(site.index(), "a file where the index folder should be").unwrap();
    let server = site.serve();
    assert_eq!(
        server.get("/api/search?q=flamingo").json()["hits"][0]["url"],
        "/guide/setup"
    );
}
