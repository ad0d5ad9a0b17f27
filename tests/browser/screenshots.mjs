// Writes PNGs of what a reader sees, light and dark, into the folder named by the first
// argument (default: docs/screenshots/): the home page, a code page (/502), search
// results (/search?q=gateway) and the error overlay of a page whose save is broken;
// a page of each tool's Markdown (VitePress, Material for MkDocs, mdBook), light and
// dark; then, when ../shared/corpora holds them, a page of the VitePress docs and one of
// the mdBook guide served as they are, light and dark at 1280 px and light at 375 px.
// Usage: node screenshots.mjs [OUT_DIR]

import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { copySite, corpora, launchBrowser, repo, startServer, tempSite, unpackCorpus } from "./support.mjs";

const out = resolve(process.argv[2] || join(repo, "docs/screenshots"));
const viewport = { width: 1280, height: 800 };
const shots = [
  ["home", "/"],
  ["code-page", "/502"],
  ["search", "/search?q=gateway"],
];
const schemes = ["light", "dark"];
/** Real projects: the tarball's name, the page shown, the screenshots' name. */
const projects = [
  ["vitepress-docs", "/en/guide/routing", "vitepress"],
  ["mdbook-guide", "/format/summary", "mdbook"],
];
const phone = { width: 375, height: 800 };
/** Each tool's Markdown: the site, the page shown, the screenshots' name. */
const dialects = [
  [() => tempSite((content) => {
    for (const name of ["vitepress.md", "mkdocs.md"]) {
      copyFileSync(join(repo, "tests/fixtures/dialects", name), join(content, name));
    }
    writeFileSync(join(content, "index.md"), "# Dialects\n");
  }), ["/vitepress", "/mkdocs"], ["dialect-vitepress", "dialect-mkdocs"]],
  [() => tempSite((content) => cpSync(join(repo, "tests/fixtures/book"), content, { recursive: true })),
    ["/including"], ["dialect-mdbook"]],
];

const site = copySite();
let server;
let browser;
try {
  mkdirSync(out, { recursive: true });
  server = await startServer(site);
  browser = await launchBrowser();
  const pages = {};
  for (const colorScheme of schemes) {
    const context = await browser.newContext({ colorScheme, viewport, deviceScaleFactor: 1 });
    pages[colorScheme] = await context.newPage();
  }

  for (const [name, path] of shots) {
    for (const colorScheme of schemes) {
      const page = pages[colorScheme];
      await page.goto(server.origin + path);
      await page.screenshot({ path: join(out, `${name}-${colorScheme}.png`) });
    }
  }

  // The error overlay: /502 open in both schemes, then a save that leaves its
  // frontmatter unclosed.
  const file = join(site.content, "502.md");
  const original = readFileSync(file, "utf8");
  for (const colorScheme of schemes) {
    const page = pages[colorScheme];
    const connected = page.waitForResponse((response) => response.url().endsWith("/__livereload"));
    await page.goto(server.origin + "/502");
    await connected;
  }
  const lines = original.split("\n");
  lines.splice(lines.indexOf("---", 1), 1);
  writeFileSync(file, lines.join("\n"));
  for (const colorScheme of schemes) {
    const page = pages[colorScheme];
    await page.locator(".folio-error-overlay").waitFor({ state: "visible", timeout: 10_000 });
    await page.screenshot({ path: join(out, `error-overlay-${colorScheme}.png`) });
  }

  for (const [make, paths, names] of dialects) {
    const dialectSite = make();
    const dialectServer = await startServer(dialectSite);
    try {
      for (const [at, path] of paths.entries()) {
        for (const colorScheme of schemes) {
          const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
          const page = await context.newPage();
          await page.goto(dialectServer.origin + path);
          await page.screenshot({ path: join(out, `${names[at]}-${colorScheme}.png`) });
          await context.close();
        }
      }
    } finally {
      await dialectServer.stop();
      dialectSite.remove();
    }
  }

  for (const [corpus, path, name] of projects) {
    const project = unpackCorpus(corpus);
    if (!project) {
      console.log(`${corpus}: not in ${corpora}, no screenshots of it`);
      continue;
    }
    const projectServer = await startServer(project);
    try {
      for (const [suffix, colorScheme, size] of [["light", "light", viewport], ["dark", "dark", viewport], ["375", "light", phone]]) {
        const context = await browser.newContext({ colorScheme, viewport: size, deviceScaleFactor: 1 });
        const page = await context.newPage();
        await page.goto(projectServer.origin + path);
        await page.screenshot({ path: join(out, `${name}-${suffix}.png`) });
        await context.close();
      }
    } finally {
      await projectServer.stop();
      project.remove();
    }
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser?.close();
  await server?.stop();
  site.remove();
}
