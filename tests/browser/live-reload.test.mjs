// Live reload as a writer sees it, with native file events and with --poll: a saved
// page shows the new text by itself within a second, a broken save shows the error
// overlay over the last good page, and the fix clears it. Edits go to a temp copy of
// content/.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { copySite, launchBrowser, recordPage, startServer } from "./support.mjs";

/** How long a saved edit may take to reach the open page. */
const RELOAD_DEADLINE_MS = 1_000;

let browser;

/** Resolves once `condition()` holds; fails after `timeoutMs`. */
async function until(condition, what, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

for (const [mode, flags] of [["native file events", []], ["--poll", ["--poll"]]]) {
  describe(`live reload with ${mode}`, () => {
    let site;
    let server;

    before(async () => {
      site = copySite();
      server = await startServer(site, flags);
    });

    after(async () => {
      await server?.stop();
      site?.remove();
    });

    test("an edit, a broken edit and its fix reach the open page by themselves", async (t) => {
      const file = join(site.content, "418.md");
      const original = readFileSync(file, "utf8");
      const page = await browser.newPage();
      const record = recordPage(page, server.origin);

      // Open /418 and wait until its live-reload stream is connected.
      let streams = 0;
      page.on("response", (response) => {
        if (response.url().endsWith("/__livereload") && response.status() === 200) streams += 1;
      });
      await page.goto(server.origin + "/418");
      await until(() => streams === 1, "the live-reload stream");

      const sentence = `Teapots brew tea, not coffee (${mode}, ${Date.now()}).`;
      writeFileSync(file, `${original.trimEnd()}\n\n${sentence}\n`);
      const saved = Date.now();
      await page.getByText(sentence).waitFor({ state: "visible", timeout: RELOAD_DEADLINE_MS });
      const took = Date.now() - saved;
      assert.ok(took <= RELOAD_DEADLINE_MS, `shown after ${took} ms`);
      t.diagnostic(`the edit showed after ${took} ms`);
      assert.equal(new URL(page.url()).pathname, "/418");

      // A save that cannot be built: the frontmatter is never closed.
      const lines = `${original.trimEnd()}\n\n${sentence}\n`.split("\n");
      const closing = lines.indexOf("---", 1);
      assert.ok(closing > 0, "418.md has frontmatter");
      lines.splice(closing, 1);
      await until(() => streams === 2, "the reloaded page's live-reload stream");
      writeFileSync(file, lines.join("\n"));
      const broken = Date.now();
      const overlay = page.locator(".folio-error-overlay");
      await overlay.waitFor({ state: "visible", timeout: RELOAD_DEADLINE_MS });
      t.diagnostic(`the error overlay showed after ${Date.now() - broken} ms`);
      assert.equal(await overlay.getAttribute("role"), "alert");
      assert.match(await overlay.innerText(), /418\.md:\d+: \S/, "names the file, line and message");
      assert.ok(await page.getByText(sentence).isVisible(), "the last good version stays");

      // The fix clears the overlay.
      writeFileSync(file, original);
      const fixed = Date.now();
      await overlay.waitFor({ state: "detached", timeout: RELOAD_DEADLINE_MS });
      await page.getByText(sentence).waitFor({ state: "detached", timeout: RELOAD_DEADLINE_MS });
      t.diagnostic(`the fix cleared the overlay after ${Date.now() - fixed} ms`);
      assert.equal(new URL(page.url()).pathname, "/418");

      assert.deepEqual(record.consoleErrors, []);
      assert.deepEqual(record.pageErrors, []);
      assert.deepEqual(record.foreign, []);
      await page.close();
    });
  });
}
