// Shared by the browser tests: the bundled content copied into a temp dir, the release
// `folio serve` started on 127.0.0.1:0, headless Chromium, and a recorder of what a page
// logs and requests.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { chromium } from "playwright-core";

/** The repository's root folder. */
export const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The folio binary under test: `target/release/folio` unless TEST_FOLIO_BIN names another. */
export const folioBin = process.env.TEST_FOLIO_BIN || join(repo, "target/release/folio");

/** Chromium: Debian's package unless CHROMIUM names another. */
export const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

/** Headless flags: no sandbox (containers), no GPU, no traffic of the browser's own. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

/**
 * Launches headless Chromium. Playwright gives each launch a fresh temporary
 * `--user-data-dir` and removes it on close.
 */
export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

/** A copy of the repository's `content/` in a temp dir, with room for the index. */
export function copySite() {
  return tempSite((content) => cpSync(join(repo, "content"), content, { recursive: true }));
}

/** A site in a temp dir whose content folder `fill(content)` writes, with room for the index. */
export function tempSite(fill) {
  const dir = mkdtempSync(join(tmpdir(), "folio-browser-"));
  const content = join(dir, "content");
  mkdirSync(content);
  fill(content);
  return {
    dir,
    content,
    index: join(dir, "index"),
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The real documentation projects beside the repository (`../shared/corpora`), if any. */
export const corpora = resolve(repo, "../shared/corpora");

/**
 * The corpus `name` (`corpora/<name>.tar.gz`, whose one top folder is `name`) unpacked
 * into a temp dir, shaped like `copySite()`'s answer: `content` is the project's root.
 * Null when the tarball is not there.
 */
export function unpackCorpus(name) {
  const tarball = join(corpora, `${name}.tar.gz`);
  if (!existsSync(tarball)) return null;
  const dir = mkdtempSync(join(tmpdir(), "folio-corpus-"));
  execFileSync("tar", ["-xzf", tarball, "-C", dir]);
  return {
    dir,
    content: join(dir, name),
    index: join(dir, "index"),
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `folio serve` in `site`'s folder, as a writer would, on `addr` (an ephemeral
 * loopback port by default) and resolves with its origin once it prints its URL on
 * stdout, as it does once it serves. The templates are the repository's own, so template and
 * asset edits are tested without a rebuild. `stop()` ends this process only.
 */
export async function startServer(site, extraArgs = [], { addr = "127.0.0.1:0", timeoutMs = 60_000 } = {}) {
  const args = [
    "serve",
    "--content", relative(site.dir, site.content),
    "--index", relative(site.dir, site.index),
    "--templates", join(repo, "templates"),
    "--addr", addr,
    ...extraArgs,
  ];
  // FOLIO_* variables are configuration: the server under test gets none of the caller's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("FOLIO_")));
  const child = spawn(folioBin, args, {
    cwd: site.dir,
    env: { ...env, RUST_LOG: "info", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = [];
  const origin = await new Promise((resolveOrigin, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`folio serve did not start within ${timeoutMs} ms:\n${log.join("\n")}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`folio serve exited (${code ?? signal}) before serving:\n${log.join("\n")}`));
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      log.push(...lines);
    });
    let printed = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      printed += chunk;
      const found = printed.match(/^(http:\/\/[^/\s]+)/);
      if (found && printed.includes("\n")) {
        clearTimeout(timer);
        resolveOrigin(found[1]);
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    origin,
    log,
    /** Ends the server and waits for it to exit. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A loopback port that was free a moment ago, for a server that must know its URL. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Records what a page does that a reader must never see: console errors, uncaught
 * exceptions, and requests to any origin other than `origin`.
 */
export function recordPage(page, origin) {
  const record = { consoleErrors: [], pageErrors: [], requests: [], foreign: [] };
  page.on("console", (message) => {
    if (message.type() === "error") {
      const { url } = message.location();
      record.consoleErrors.push(`${page.url()}: ${message.text()}${url ? ` (${url})` : ""}`);
    }
  });
  page.on("pageerror", (error) => record.pageErrors.push(`${page.url()}: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    record.requests.push(url);
    if (!url.startsWith("data:") && new URL(url).origin !== origin) {
      record.foreign.push(url);
    }
  });
  return record;
}

/**
 * Whether the page scrolls sideways: the document is wider than the viewport.
 */
export function horizontalOverflow(page) {
  return page.evaluate(() => {
    const root = document.scrollingElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
}

/**
 * Registers hooks that copy the site (or make it with `makeSite`, which may answer null
 * for none: then nothing starts), start its server and launch Chromium before a file's
 * (or a suite's) tests, and end all three after them. Returns the object they fill in:
 * `{ site, server, browser }`.
 */
export function siteInBrowser(makeSite = copySite) {
  const shared = {};
  before(async () => {
    shared.site = makeSite();
    if (!shared.site) return;
    shared.server = await startServer(shared.site);
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.stop();
    shared.site?.remove();
  });
  return shared;
}

/** One line per violation: rule, impact, and the first few offending elements. */
function describeViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
      v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`).join("\n"))
    .join("\n");
}

/**
 * axe-core's default rules on the page as it stands: no violations. With
 * `authorsHeadings`, the heading levels inside the page's own text are the author's
 * (mdBook's guide goes from `#` to `###`) and heading-order is judged outside it only.
 */
export async function assertAxeClean(page, label, { authorsHeadings = false } = {}) {
  // Evaluated through the DevTools protocol, so the page's CSP stays on and untouched.
  await page.evaluate(axe.source);
  const results = await page.evaluate(async (authorsHeadings) => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    if (authorsHeadings) {
      results.violations = results.violations
        .map((v) => v.id !== "heading-order" ? v : {
          ...v,
          nodes: v.nodes.filter((n) => !document.querySelector(n.target[0])?.closest("article.page")),
        })
        .filter((v) => v.nodes.length);
    }
    return results;
  }, authorsHeadings);
  assert.ok(results.passes.length + results.violations.length > 0, "axe ran its rules");
  assert.equal(results.violations.length, 0, `${label}:\n${describeViolations(results.violations)}`);
}

/** The page at `path` of a site in a browser (`siteInBrowser`), in `colorScheme`: axe-clean. */
export async function assertAxeCleanAt(shared, path, colorScheme) {
  const context = await shared.browser.newContext({ colorScheme });
  const page = await context.newPage();
  await page.goto(shared.server.origin + path);
  await assertAxeClean(page, path);
  await context.close();
}
