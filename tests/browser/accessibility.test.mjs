// axe-core on the pages people land on (home, a code page, search results, a 404), in
// the light and the dark colour scheme: no violations of any rule axe runs by default.

import assert from "node:assert/strict";
import axe from "axe-core";
import { describe, test } from "node:test";
import { siteInBrowser } from "./support.mjs";

const PAGES = ["/", "/502", "/search?q=gateway", "/no-such-page"];

const shared = siteInBrowser();

/** One line per violation: rule, impact, and the first few offending elements. */
function describeViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
      v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`).join("\n"))
    .join("\n");
}

for (const colorScheme of ["light", "dark"]) {
  describe(`axe, ${colorScheme} colour scheme`, () => {
    for (const path of PAGES) {
      test(path, async () => {
        const context = await shared.browser.newContext({ colorScheme });
        const page = await context.newPage();
        await page.goto(shared.server.origin + path);
        // Evaluated through the DevTools protocol, so the page's CSP (no inline
        // scripts) stays on and untouched.
        await page.evaluate(axe.source);
        const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
        assert.ok(results.passes.length + results.violations.length > 0, "axe ran its rules");
        assert.equal(results.violations.length, 0, `${path}:\n${describeViolations(results.violations)}`);
        await context.close();
      });
    }
  });
}
