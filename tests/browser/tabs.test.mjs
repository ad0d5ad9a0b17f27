// Content tabs (Material for MkDocs `=== "Label"`) in Chromium: the script makes them a
// tablist that the arrow keys move through; without the script every panel shows under
// its label; axe finds nothing to fix in the light or the dark colour scheme.

import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assertAxeCleanAt, repo, siteInBrowser, tempSite } from "./support.mjs";

/** A site of the dialect fixtures: an MkDocs page with tabs and a VitePress page. */
function dialectSite() {
  return tempSite((content) => {
    for (const name of ["mkdocs.md", "vitepress.md", "gfm.md"]) {
      copyFileSync(join(repo, "tests/fixtures/dialects", name), join(content, name));
    }
    writeFileSync(join(content, "index.md"), "# Dialects\n\n[MkDocs](mkdocs.md)\n");
  });
}

const shared = siteInBrowser(dialectSite);

describe("content tabs", () => {
  test("the arrow keys, Home and End choose the tab and its panel", async () => {
    const page = await shared.browser.newPage();
    await page.goto(shared.server.origin + "/mkdocs");
    const set = page.locator(".tabbed-set").first();
    const tabs = set.locator("[role=tab]");
    assert.equal(await tabs.count(), 2);
    assert.deepEqual(await tabs.allTextContents(), ["C", "Python"]);
    const panels = set.locator("[role=tabpanel]");
    assert.equal(await tabs.nth(0).getAttribute("aria-selected"), "true");
    assert.ok(await panels.nth(0).isVisible());
    assert.ok(await panels.nth(1).isHidden());
    // The labels are the tabs now, not a line in each panel.
    assert.ok(await page.locator(".tabbed-label").first().isHidden());

    await tabs.nth(0).focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(await tabs.nth(1).getAttribute("aria-selected"), "true");
    assert.equal(await tabs.nth(0).getAttribute("aria-selected"), "false");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Python");
    assert.ok(await panels.nth(1).isVisible());
    assert.ok(await panels.nth(0).isHidden());
    assert.ok(await page.getByText("An admonition in a tab.").isVisible());

    await page.keyboard.press("ArrowRight");
    assert.equal(await tabs.nth(0).getAttribute("aria-selected"), "true", "wraps to the first");
    await page.keyboard.press("End");
    assert.equal(await tabs.nth(1).getAttribute("aria-selected"), "true");
    await page.keyboard.press("Home");
    assert.equal(await tabs.nth(0).getAttribute("aria-selected"), "true");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await tabs.nth(1).getAttribute("aria-selected"), "true");
    // Only the selected tab is in the tab order.
    assert.equal(await tabs.nth(0).getAttribute("tabindex"), "-1");
    await tabs.nth(0).click();
    assert.ok(await panels.nth(0).isVisible());
    await page.close();
  });

  test("without the script every panel shows under its label", async () => {
    const context = await shared.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/mkdocs");
    assert.equal(await page.locator("[role=tablist]").count(), 0);
    const labels = page.locator(".tabbed-label");
    assert.deepEqual(await labels.allTextContents(), ["C", "Python", "One", "Two"]);
    for (let i = 0; i < 4; i++) assert.ok(await labels.nth(i).isVisible());
    const blocks = page.locator(".tabbed-block");
    for (let i = 0; i < 4; i++) assert.ok(await blocks.nth(i).isVisible());
    await context.close();
  });
});

for (const colorScheme of ["light", "dark"]) {
  describe(`axe on tabs and callouts, ${colorScheme}`, () => {
    for (const path of ["/mkdocs", "/vitepress", "/gfm"]) {
      test(path, () => assertAxeCleanAt(shared, path, colorScheme));
    }
  });
}
