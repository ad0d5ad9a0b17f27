// What a reader's browser sees on a tour of the site (home, a code page, search
// results, a 404, a guide): no console errors, no uncaught exceptions, no request to
// any other origin; and no sideways scrolling at 375 px or on a desktop, in light and
// dark colour schemes.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { horizontalOverflow, recordPage, siteInBrowser } from "./support.mjs";

const TOUR = ["/", "/502", "/search?q=gateway", "/no-such-page", "/guides/502-503-504"];
const LAYOUT = ["/", "/502", "/search?q=gateway"];

const shared = siteInBrowser();

test("a tour of the site logs no errors and requests nothing from other origins", async () => {
  const page = await shared.browser.newPage();
  const record = recordPage(page, shared.server.origin);
  for (const path of TOUR) {
    const response = await page.goto(shared.server.origin + path, { waitUntil: "load" });
    assert.equal(response.status(), path === "/no-such-page" ? 404 : 200, path);
  }
  // Chromium logs the 404 status of the missing page's own document; that status is
  // the point of the page. Anything else logged is an error.
  const missing = `${shared.server.origin}/no-such-page`;
  const expected = `${missing}: Failed to load resource: the server responded with a status of 404 (Not Found) (${missing})`;
  assert.deepEqual(record.consoleErrors.filter((line) => line !== expected), []);
  assert.deepEqual(record.pageErrors, []);
  assert.deepEqual(record.foreign, [], "every request goes to the server's origin");
  assert.ok(record.requests.some((url) => url.includes("/assets/")), "the stylesheet and script were fetched");
  await page.close();
});

for (const colorScheme of ["light", "dark"]) {
  describe(`${colorScheme} colour scheme`, () => {
    for (const width of [375, 1280]) {
      test(`${width} px wide: no horizontal scrolling`, async () => {
        const context = await shared.browser.newContext({ colorScheme, viewport: { width, height: 800 } });
        const page = await context.newPage();
        for (const path of LAYOUT) {
          await page.goto(shared.server.origin + path);
          const { scrollWidth, clientWidth } = await horizontalOverflow(page);
          assert.ok(scrollWidth <= clientWidth, `${path}: ${scrollWidth} px of content in ${clientWidth} px`);
        }
        await context.close();
      });
    }

    test("the page follows the colour scheme", async () => {
      const context = await shared.browser.newContext({ colorScheme });
      const page = await context.newPage();
      await page.goto(shared.server.origin + "/502");
      const [r, g, b] = await page.evaluate(() =>
        getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number));
      const lightness = (r + g + b) / 3;
      if (colorScheme === "dark") assert.ok(lightness < 64, `dark background, got rgb(${r}, ${g}, ${b})`);
      else assert.ok(lightness > 192, `light background, got rgb(${r}, ${g}, ${b})`);
      await context.close();
    });
  });
}
