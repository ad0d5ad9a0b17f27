// Code blocks in the browser: each gets a copy button that the keyboard reaches and
// that copies the code without line numbers or prompts, saying so; mdBook's hidden
// lines are folded until a button shows them; and a page of highlighted code stays
// clean under axe-core, light and dark.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assertAxeClean, copySite, siteInBrowser } from "./support.mjs";

const PAGE = `# Code blocks

\`\`\`ts{2}:line-numbers [vite.config.ts]
import { defineConfig } from 'vite'
export default defineConfig({ base: '/docs/' }) // [!code ++]
\`\`\`

\`\`\`console
$ npm install folio
added 1 package
\`\`\`

\`\`\`rust
# fn main() {
let answer = 42; // the answer
# }
\`\`\`

\`\`\`json
{ "a": [1, true, null], "b": "text" }
\`\`\`

\`\`\`diff
- old line
+ new line
\`\`\`

\`\`\`mermaid
graph TD
  A --> B
\`\`\`
`;

const shared = siteInBrowser(() => {
  const site = copySite();
  writeFileSync(join(site.content, "code-blocks.md"), PAGE);
  return site;
});

describe("copy button", () => {
  test("every block has one, the keyboard reaches it, and it copies the code", async () => {
    const context = await shared.browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/code-blocks");
    const blocks = await page.locator(".code-block").count();
    assert.equal(blocks, 6);
    assert.equal(await page.locator(".code-block > button.copy-code[aria-label='Copy code']").count(), blocks);

    // Tab until the first copy button has focus.
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.classList.contains("copy-code") ?? false);
    }
    assert.ok(reached, "Tab reaches a copy button");
    await page.keyboard.press("Enter");
    const button = page.locator(".copy-code").first();
    await page.waitForFunction(() => document.querySelector(".copy-code")?.dataset.state === "copied");
    assert.equal(await button.textContent(), "Copied");
    assert.equal(await page.locator("[aria-live=polite]").last().textContent(), "Code copied");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, "import { defineConfig } from 'vite'\nexport default defineConfig({ base: '/docs/' })\n");

    // The console block: prompts stay out of what is copied.
    await page.locator(".copy-code").nth(1).click();
    await page.waitForFunction(() => document.querySelectorAll(".copy-code")[1]?.dataset.state === "copied");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "npm install folio\nadded 1 package\n");
    await context.close();
  });
});

describe("hidden lines", () => {
  test("mdBook's hidden lines are folded, and a button shows and hides them", async () => {
    const context = await shared.browser.newContext();
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/code-blocks");
    const rust = page.locator(".code-block[data-lang=rust]");
    const shown = () => rust.locator(".line:visible").allTextContents();
    assert.deepEqual(await shown(), ["let answer = 42; // the answer"]);
    const height = () => rust.locator("pre").evaluate((pre) => pre.getBoundingClientRect().height);
    const folded = await height();
    const line = await rust.locator(".line:visible").evaluate((line) => line.getBoundingClientRect().height);
    const toggle = rust.getByRole("button", { name: "Show hidden lines" });
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");
    await toggle.focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(await shown(), ["fn main() {\n", "let answer = 42; // the answer", "}\n"]);
    const grown = (await height()) - folded;
    assert.ok(grown > line * 1.8 && grown < line * 2.2, `two lines taller: ${grown} px for lines of ${line} px`);
    const hide = rust.getByRole("button", { name: "Hide hidden lines" });
    assert.equal(await hide.getAttribute("aria-pressed"), "true");
    await hide.click();
    assert.deepEqual(await shown(), ["let answer = 42; // the answer"]);
    await context.close();
  });
});

for (const colorScheme of ["light", "dark"]) {
  test(`axe finds nothing on a page of code, ${colorScheme}`, async () => {
    const context = await shared.browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto(shared.server.origin + "/code-blocks");
    assert.ok(await page.locator(".code span[class^='l-']").count() > 5, "tokens are highlighted");
    await assertAxeClean(page, `/code-blocks, ${colorScheme}`);
    await context.close();
  });
}
