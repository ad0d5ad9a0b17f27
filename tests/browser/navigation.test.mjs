// The navigation around a page, in Chromium: the sidebar behind the menu button at
// 375 px and beside the page at 1280 px; the keyboard through the sidebar; axe on a page
// with sidebar, table of contents and pager; the sidebar without JavaScript. On the
// bundled content, and on the VitePress docs and the mdBook guide when
// ../shared/corpora holds them.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assertAxeClean, corpora, horizontalOverflow, siteInBrowser, unpackCorpus } from "./support.mjs";

const PHONE = { width: 375, height: 800 };
const DESKTOP = { width: 1280, height: 800 };

/** Whether the whole of the element at `selector` lies inside the viewport. */
function inViewport(page, selector) {
  return page.locator(selector).evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.top >= 0 && box.left >= 0 &&
      box.bottom <= innerHeight && box.right <= innerWidth;
  });
}

/** Where the focus is: the focused element's tag, text and href. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute("href"), current: el.getAttribute("aria-current") };
  });
}

/** The sidebar's first collapsed section, found once (opening it must not lose it). */
async function collapsedSection(page) {
  const index = await page.locator("#sidebar details").evaluateAll((all) => all.findIndex((d) => !d.open));
  assert.ok(index >= 0, "a collapsed section");
  return page.locator("#sidebar details").nth(index);
}

async function assertNoOverflow(page, path) {
  const { scrollWidth, clientWidth } = await horizontalOverflow(page);
  assert.ok(scrollWidth <= clientWidth, `${path}: ${scrollWidth} px of content in ${clientWidth} px`);
  const { width, inner } = await page.evaluate(() =>
    ({ width: document.documentElement.scrollWidth, inner: innerWidth }));
  assert.ok(width <= inner, `${path}: the document is ${width} px wide in a ${inner} px window`);
}

/**
 * At 375 px the menu button shows and the sidebar hides; a click opens it at the current
 * page, focused and in view; Escape closes it and gives the focus back to the button.
 */
async function checkPhoneMenu(browser, url) {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(url);
  const button = page.locator(".menu-button");
  const sidebar = page.locator("#sidebar");
  assert.ok(await button.isVisible(), "the menu button shows");
  assert.equal(await button.getAttribute("aria-expanded"), "false");
  assert.ok(await sidebar.isHidden(), "the sidebar is folded away");
  await assertNoOverflow(page, url);

  await button.click();
  assert.equal(await button.getAttribute("aria-expanded"), "true");
  assert.ok(await sidebar.isVisible(), "the sidebar opens");
  const current = sidebar.locator("[aria-current=page]");
  assert.equal(await current.count(), 1, "one link marks the current page");
  assert.ok(await current.isVisible(), "the current page's link shows");
  assert.ok(await current.evaluate((el) => el === document.activeElement), "the current page's link has the focus");
  assert.ok(await inViewport(page, "#sidebar [aria-current=page]"), "the current page's link is in view");
  await assertNoOverflow(page, `${url} with the menu open`);

  await page.keyboard.press("Escape");
  assert.equal(await button.getAttribute("aria-expanded"), "false");
  assert.ok(await sidebar.isHidden(), "Escape folds the sidebar away");
  assert.ok(await button.evaluate((el) => el === document.activeElement), "the focus is back on the menu button");
  await context.close();
}

/** At 1280 px the sidebar shows beside the page, at the current page; no menu button. */
async function checkDesktop(browser, url) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(url);
  assert.ok(await page.locator("#sidebar").isVisible(), "the sidebar shows without a click");
  assert.ok(await page.locator(".menu-button").isHidden(), "no menu button");
  assert.ok(await page.locator("#sidebar [aria-current=page]").isVisible(), "the current page's link shows");
  await assertNoOverflow(page, url);
  await context.close();
}

/** axe at 1280 and 375 px (the menu open), light and dark. */
function axeTests(shared, path, options) {
  for (const colorScheme of ["light", "dark"]) {
    for (const viewport of [DESKTOP, PHONE]) {
      test(`axe: ${path} at ${viewport.width} px, ${colorScheme}`, async () => {
        const context = await shared.browser.newContext({ viewport });
        const page = await context.newPage();
        await page.emulateMedia({ colorScheme });
        await page.goto(shared.server.origin + path);
        if (viewport === PHONE) await page.locator(".menu-button").click();
        assert.ok(await page.locator("#sidebar").isVisible(), "the sidebar is checked too");
        await assertAxeClean(page, `${path} at ${viewport.width} px, ${colorScheme}`, options);
        await context.close();
      });
    }
  }
}

describe("the bundled content", () => {
  const shared = siteInBrowser();

  test("375 px: the menu button opens the sidebar at the current page, Escape closes it", async () => {
    await checkPhoneMenu(shared.browser, shared.server.origin + "/502");
  });

  test("375 px: no horizontal scrolling on content, home, search, class and folder pages", async () => {
    const context = await shared.browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    for (const path of ["/502", "/", "/search?q=gateway", "/5xx", "/guides", "/codes", "/guides/502-503-504"]) {
      await page.goto(shared.server.origin + path);
      await assertNoOverflow(page, path);
    }
    await context.close();
  });

  test("1280 px: the sidebar shows without a click, the menu button does not", async () => {
    await checkDesktop(shared.browser, shared.server.origin + "/502");
  });

  test("\"On this page\" is open beside the text at 1280 px, folded above it at 375 px", async () => {
    for (const [viewport, open] of [[DESKTOP, true], [PHONE, false]]) {
      const context = await shared.browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(shared.server.origin + "/502");
      assert.equal(await page.locator(".toc-box").evaluate((el) => el.open), open, `${viewport.width} px`);
      await context.close();
    }
  });

  test("keyboard: Tab from the skip link reaches the sidebar's links in order", async () => {
    const context = await shared.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/502");
    // Every stop the sidebar should offer, numbered in document order.
    const stops = await page.evaluate(() => {
      const all = [...document.querySelectorAll("#sidebar a[href], #sidebar summary")]
        .filter((el) => el.checkVisibility());
      all.forEach((el, i) => { el.dataset.stop = String(i); });
      return all.length;
    });
    assert.ok(stops > 5, `the sidebar has links (${stops})`);
    await page.keyboard.press("Tab");
    assert.equal((await focused(page)).text, "Skip to content", "the first Tab reaches the skip link");
    const reached = [];
    for (let presses = 0; presses < stops + 20; presses++) {
      await page.keyboard.press("Tab");
      const stop = await page.evaluate(() => document.activeElement.dataset.stop);
      if (stop !== undefined) reached.push(Number(stop));
      else if (reached.length) break;
    }
    assert.deepEqual(reached, [...Array(stops).keys()], "each of the sidebar's links, once, in order");
    await context.close();
  });

  test("keyboard: the current page's link is marked aria-current and its sections are open", async () => {
    const context = await shared.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/502");
    const current = page.locator("#sidebar a[aria-current=page]");
    assert.equal(await current.count(), 1);
    assert.equal(await current.getAttribute("href"), "/502");
    assert.ok(await current.evaluate((el) => {
      for (let d = el.closest("details"); d; d = d.parentElement.closest("details")) if (!d.open) return false;
      return true;
    }), "every section around the current page is open");
    await context.close();
  });

  test("keyboard: a collapsed section's summary opens with Enter and closes with Space", async () => {
    const context = await shared.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/502");
    const details = await collapsedSection(page);
    const summary = details.locator(":scope > summary");
    await summary.focus();
    await page.keyboard.press("Enter");
    assert.ok(await details.evaluate((el) => el.open), "Enter opens it");
    assert.ok(await details.locator("li a").first().isVisible(), "its pages show");
    await page.keyboard.press("Space");
    assert.ok(!(await details.evaluate((el) => el.open)), "Space closes it");
    assert.ok(page.url().endsWith("/502"), "and neither leaves the page");
    await context.close();
  });

  axeTests(shared, "/502");

  test("without JavaScript at 375 px the sidebar shows above the page and works", async () => {
    const context = await shared.browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/502");
    const sidebar = page.locator("#sidebar");
    assert.ok(await sidebar.isVisible(), "the sidebar shows");
    assert.ok(await page.locator(".menu-button").isHidden(), "no menu button that would do nothing");
    assert.ok(await sidebar.locator("[aria-current=page]").isVisible(), "the current page's link shows");
    const [sidebarBox, mainBox] = await Promise.all([sidebar.boundingBox(), page.locator("main").boundingBox()]);
    assert.ok(sidebarBox.y + sidebarBox.height <= mainBox.y + 1, "the sidebar is above the page");
    await assertNoOverflow(page, "/502 without JavaScript");
    const details = await collapsedSection(page);
    await details.locator(":scope > summary").click();
    assert.ok(await details.evaluate((el) => el.open), "a section opens");
    const link = details.locator("li a").first();
    const href = await link.getAttribute("href");
    await link.click();
    await page.waitForURL((url) => url.pathname === href);
    await context.close();
  });
});

const CORPORA = [
  { name: "vitepress-docs", path: "/en/guide/routing", more: ["/en", "/en/guide/getting-started", "/es/guide/routing"] },
  { name: "mdbook-guide", path: "/format/summary", more: ["/", "/guide/installation", "/format/configuration/renderers"] },
];

for (const corpus of CORPORA) {
  const tarball = join(corpora, `${corpus.name}.tar.gz`);
  const skip = !existsSync(tarball) && `${tarball} is not there`;
  describe(corpus.name, { skip }, () => {
    const shared = siteInBrowser(() => unpackCorpus(corpus.name));

    test(`375 px: the menu button opens the sidebar at ${corpus.path}, Escape closes it`, async () => {
      await checkPhoneMenu(shared.browser, shared.server.origin + corpus.path);
    });

    test("375 px: no horizontal scrolling", async () => {
      const context = await shared.browser.newContext({ viewport: PHONE });
      const page = await context.newPage();
      for (const path of [corpus.path, ...corpus.more]) {
        const response = await page.goto(shared.server.origin + path);
        assert.equal(response.status(), 200, path);
        await assertNoOverflow(page, path);
      }
      await context.close();
    });

    test("1280 px: the sidebar shows without a click, the menu button does not", async () => {
      await checkDesktop(shared.browser, shared.server.origin + corpus.path);
    });

    axeTests(shared, corpus.path, { authorsHeadings: true });
  });
}
