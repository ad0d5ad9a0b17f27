// axe-core on the pages people land on (home, a code page, search results, a 404), in
// the light and the dark colour scheme: no violations of any rule axe runs by default.

import { describe, test } from "node:test";
import { assertAxeCleanAt, siteInBrowser } from "./support.mjs";

const PAGES = ["/", "/502", "/search?q=gateway", "/no-such-page"];

const shared = siteInBrowser();

for (const colorScheme of ["light", "dark"]) {
  describe(`axe, ${colorScheme} colour scheme`, () => {
    for (const path of PAGES) {
      test(path, () => assertAxeCleanAt(shared, path, colorScheme));
    }
  });
}
