// The search box from the keyboard on the home page: `/` focuses it, results appear
// under it while typing (the page stays where it is), ArrowDown and Enter open the
// first result at its best section, as a click does; keys pressed while newer results
// are on their way wait for them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { recordPage, siteInBrowser } from "./support.mjs";

const shared = siteInBrowser();

test("/ focuses the search box; results show as you type; ArrowDown, Enter opens /502", async () => {
  const page = await shared.browser.newPage();
  const record = recordPage(page, shared.server.origin);
  await page.goto(shared.server.origin + "/");
  const input = page.locator("#search-input");
  const options = page.locator("#search-results [role=option]");

  assert.equal(await input.evaluate((el) => el === document.activeElement), false);
  await page.keyboard.press("/");
  assert.equal(await input.evaluate((el) => el === document.activeElement), true, "/ focuses the box");
  assert.equal(await input.inputValue(), "", "the / itself is not typed into the box");

  // Results appear under the box after the first word, before the query is complete.
  await page.keyboard.type("upstream", { delay: 20 });
  await options.first().waitFor({ state: "visible", timeout: 5_000 });
  assert.equal(await input.getAttribute("aria-expanded"), "true");
  assert.equal(new URL(page.url()).pathname, "/", "results show in place: no navigation");

  await page.keyboard.type(" invalid", { delay: 20 });
  // Each option links with the query it was found for: wait for the whole phrase's.
  await page.waitForFunction(
    (wanted) => document.querySelector("#search-results [role=option]")?.dataset.url.includes(wanted),
    encodeURIComponent("upstream invalid"),
    { timeout: 5_000 },
  );
  const titles = await page.locator("#search-results [role=option] .title").allInnerTexts();
  assert.match(titles[0], /502 Bad Gateway/, `results for "upstream invalid": ${titles.join(" | ")}`);
  assert.equal(new URL(page.url()).pathname, "/");

  await page.keyboard.press("ArrowDown");
  assert.equal(await options.first().getAttribute("aria-selected"), "true");
  assert.equal(
    await input.getAttribute("aria-activedescendant"),
    await options.first().getAttribute("id"),
    "the selected option is announced through aria-activedescendant",
  );
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/502", { timeout: 5_000 }),
    page.keyboard.press("Enter"),
  ]);
  assert.match(await page.locator("h1").first().innerText(), /502 Bad Gateway/);
  // The hit's link: its best section, with the words to mark.
  const opened = new URL(page.url());
  assert.equal(opened.hash, "#meaning");
  assert.equal(opened.searchParams.get("highlight"), "upstream invalid");

  assert.deepEqual(record.consoleErrors, []);
  assert.deepEqual(record.pageErrors, []);
  await page.close();
});

test("a click on a result opens it at its best section", async () => {
  const page = await shared.browser.newPage();
  const record = recordPage(page, shared.server.origin);
  await page.goto(shared.server.origin + "/");
  await page.locator("#search-input").focus();
  await page.keyboard.type("upstream invalid");
  await page.waitForFunction(
    (wanted) => document.querySelector("#search-results [role=option]")?.dataset.url.includes(wanted),
    encodeURIComponent("upstream invalid"),
    { timeout: 5_000 },
  );
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/502" && url.hash === "#meaning", { timeout: 5_000 }),
    page.locator("#search-results [role=option]").first().click(),
  ]);
  assert.deepEqual(record.pageErrors, []);
  await page.close();
});

test("keys pressed while newer results are on their way act on those results", async () => {
  const page = await shared.browser.newPage();
  const record = recordPage(page, shared.server.origin);
  // Each answer takes 300 ms, so the keys below always come before it.
  await page.route("**/api/search?**", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await route.continue();
  });
  await page.goto(shared.server.origin + "/");
  const input = page.locator("#search-input");
  const first = page.locator("#search-results [role=option] .title").first();
  await input.focus();
  await page.keyboard.type("timeout");
  await first.waitFor({ state: "visible", timeout: 5_000 });
  const stale = await first.innerText();
  assert.doesNotMatch(stale, /502/, "the first list's first hit is another page");

  // Another query typed at once, then ArrowDown and Enter before its results arrive.
  await page.keyboard.press("Control+A");
  await page.keyboard.type("upstream invalid");
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/502", { timeout: 5_000 }),
    (async () => {
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
    })(),
  ]);
  assert.match(await page.locator("h1").first().innerText(), /502 Bad Gateway/);

  // Enter alone while results are on their way searches what is typed.
  await page.goto(shared.server.origin + "/");
  await input.focus();
  await page.keyboard.type("gateway");
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/search", { timeout: 5_000 }),
    page.keyboard.press("Enter"),
  ]);
  assert.equal(new URL(page.url()).searchParams.get("q"), "gateway");
  assert.deepEqual(record.pageErrors, []);
  await page.close();
});
