// Lighthouse (mobile, its defaults) on /, /502 and /search?q=gateway of the release
// `folio serve` over a temp copy of content/, with `site_url` set as in production.
// Prints the four category scores per page and every audit that did not pass, and
// writes the JSON reports to a temp folder. Exits 1 when a score is under its target:
// 100 for accessibility, best practices and SEO, 95 for performance.
// Usage: node lighthouse.mjs

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromiumArgs, chromiumPath, copySite, freePort, startServer } from "../support.mjs";

const PAGES = ["/", "/502", "/search?q=gateway"];
const TARGETS = { performance: 95, accessibility: 100, "best-practices": 100, seo: 100 };

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "node_modules/lighthouse/cli/index.js");
const reports = mkdtempSync(join(tmpdir(), "folio-lighthouse-"));

const site = copySite();
let server;
let missed = 0;
try {
  // As in production, the public URL is configured: canonical links are absolute.
  const port = await freePort();
  server = await startServer(site, ["--site-url", `http://127.0.0.1:${port}`], { addr: `127.0.0.1:${port}` });
  const rows = [];
  for (const path of PAGES) {
    const output = join(reports, `${path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "home"}.json`);
    await promisify(execFile)(process.execPath, [
      cli,
      server.origin + path,
      `--chrome-flags=${chromiumArgs.join(" ")}`,
      `--only-categories=${Object.keys(TARGETS).join(",")}`,
      "--output=json",
      `--output-path=${output}`,
      "--quiet",
    ], { env: { ...process.env, CHROME_PATH: chromiumPath }, maxBuffer: 64 << 20 });
    const report = JSON.parse(readFileSync(output, "utf8"));
    const scores = {};
    for (const [id, category] of Object.entries(report.categories)) {
      scores[id] = Math.round(category.score * 100);
      if (scores[id] < TARGETS[id]) missed += 1;
      for (const { id: audit } of category.auditRefs) {
        const result = report.audits[audit];
        if (result.score !== null && result.score < 1 && result.scoreDisplayMode !== "informative") {
          console.log(`${path}  ${id}: ${audit} (${result.score}) ${result.title}${result.displayValue ? `: ${result.displayValue}` : ""}`);
        }
      }
    }
    rows.push([path, scores]);
  }
  console.log(`\nLighthouse ${JSON.parse(readFileSync(join(here, "node_modules/lighthouse/package.json"), "utf8")).version}, mobile; reports in ${reports}\n`);
  console.log(`| page | ${Object.keys(TARGETS).join(" | ")} |`);
  console.log(`| --- | ${Object.keys(TARGETS).map(() => "---:").join(" | ")} |`);
  for (const [path, scores] of rows) {
    console.log(`| \`${path}\` | ${Object.keys(TARGETS).map((id) => scores[id]).join(" | ")} |`);
  }
} finally {
  await server?.stop();
  site.remove();
}
if (missed) {
  console.error(`\n${missed} score(s) under target: ${JSON.stringify(TARGETS)}`);
  process.exit(1);
}
