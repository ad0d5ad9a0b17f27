// Search as you type: results drop under the box, arrows move, Enter opens, Esc closes.
// Without this script the search form still works: it submits to /search.
(function () {
  "use strict";
  const input = document.getElementById("search-input");
  const list = document.getElementById("search-results");
  if (!input || !list) return;
  const form = input.form;
  const base = document.documentElement.dataset.base || "";
  let timer = 0;
  let pending = null;
  let active = -1;
  // The query whose results the list shows; keys pressed while it is not what is typed
  // wait (as `intent`: moves down, and whether Enter was pressed) for the results of
  // what is typed, so they never act on a stale list.
  let shown = null;
  let intent = null;

  // A hit's link with ?highlight= the query, so that the page marks its words.
  function withHighlight(href, query) {
    const [path, anchor] = href.split("#");
    return path + "?highlight=" + encodeURIComponent(query) + (anchor ? "#" + anchor : "");
  }

  function items() { return Array.from(list.querySelectorAll("[role=option]")); }

  function close() {
    shown = null;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function select(index) {
    const all = items();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((el, i) => el.setAttribute("aria-selected", i === active ? "true" : "false"));
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function show(hits, query) {
    list.replaceChildren();
    if (!hits.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No results for \u201c" + query + "\u201d";
      list.append(li);
    }
    hits.forEach((hit, i) => {
      const li = document.createElement("li");
      li.id = "search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.url = withHighlight(hit.href, query);
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = hit.title;
      const snippet = document.createElement("span");
      snippet.className = "snippet";
      // The server escapes page text and adds only <mark> elements.
      snippet.innerHTML = hit.snippet;
      li.append(title, snippet);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); location.href = li.dataset.url; });
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    shown = query;
    const wanted = intent;
    intent = null;
    if (!wanted) return;
    if (wanted.moves > 0) select(wanted.moves - 1);
    if (wanted.open) {
      if (active >= 0) location.href = items()[active].dataset.url;
      else if (form) form.requestSubmit();
    }
  }

  /** Whether the list shows the results of what is typed now. */
  function current() { return !list.hidden && shown === input.value.trim(); }

  /** Holds a key until the results of what is typed arrive, and asks for them now. */
  function wait(moves, open) {
    intent = intent || { moves: Math.max(active + 1, 0), open: false };
    intent.moves = Math.max(0, intent.moves + moves);
    intent.open = intent.open || open;
    clearTimeout(timer);
    run();
  }

  async function run() {
    const query = input.value.trim();
    if (pending) pending.abort();
    if (!query) { close(); return; }
    pending = new AbortController();
    try {
      const lang = document.documentElement.lang;
      const scope = lang ? "&lang=" + encodeURIComponent(lang) : "";
      const response = await fetch(base + "/api/search?limit=8&q=" + encodeURIComponent(query) + scope, { signal: pending.signal });
      if (!response.ok) return;
      const body = await response.json();
      if (input.value.trim() === query) show(body.hits, query);
    } catch (error) {
      if (error.name !== "AbortError") {
        const wanted = intent;
        close();
        intent = null;
        if (wanted && wanted.open && form) form.requestSubmit();
      }
    }
  }

  input.addEventListener("input", () => { intent = null; clearTimeout(timer); timer = setTimeout(run, 80); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (current() && !intent) select(active + 1); else wait(1, false);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (current() && !intent) select(active - 1); else if (intent) wait(-1, false);
    } else if (event.key === "Escape") { intent = null; close(); }
    else if (event.key === "Enter" && intent) { event.preventDefault(); wait(0, true); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      if (current()) location.href = items()[active].dataset.url; else wait(0, true);
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if ((event.key === "/" && !typing) || (event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  if (form) form.addEventListener("submit", () => { if (pending) pending.abort(); });
  highlightFromUrl();

  // `?highlight=words` (links from search results): mark the words in the page.
  function highlightFromUrl() {
    const wanted = new URLSearchParams(location.search).get("highlight");
    const article = document.querySelector("article.page");
    if (!wanted || !article) return;
    const words = wanted.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1);
    if (!words.length) return;
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const pattern = new RegExp("(?<![\\p{L}\\p{N}])(" + escaped.join("|") + ")[\\p{L}\\p{N}]*", "giu");
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    let first = null;
    nodes.forEach((node) => {
      const text = node.nodeValue;
      pattern.lastIndex = 0;
      if (!pattern.test(text)) return;
      pattern.lastIndex = 0;
      const fragment = document.createDocumentFragment();
      let at = 0;
      for (const match of text.matchAll(pattern)) {
        fragment.append(text.slice(at, match.index));
        const mark = document.createElement("mark");
        mark.textContent = match[0];
        fragment.append(mark);
        first = first || mark;
        at = match.index + match[0].length;
      }
      fragment.append(text.slice(at));
      node.replaceWith(fragment);
    });
    if (first && !location.hash) first.scrollIntoView({ block: "center" });
  }
})();

// "On this page" stands above the text when the window is too narrow for it to stand
// beside: there it starts folded, so the text comes first.
(function () {
  "use strict";
  const box = document.querySelector(".toc-box");
  if (box && window.matchMedia("(max-width: 1199px)").matches) box.open = false;
})();

// The sidebar: under 768 px it folds behind the menu button (without this script it
// stays open above the page); the current page is scrolled into its view.
(function () {
  "use strict";
  const sidebar = document.getElementById("sidebar");
  const button = document.querySelector(".menu-button");
  if (!sidebar) return;
  const current = sidebar.querySelector("[aria-current=page]");
  if (current && sidebar.scrollHeight > sidebar.clientHeight) {
    sidebar.scrollTop = current.offsetTop - sidebar.clientHeight / 2;
  }
  if (!button) return;
  document.documentElement.classList.add("js-nav");
  function show(open) {
    sidebar.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
  }
  button.addEventListener("click", () => {
    const open = !sidebar.classList.contains("open");
    show(open);
    if (open) {
      const first = sidebar.querySelector("[aria-current=page]") || sidebar.querySelector("a, summary");
      if (first) first.focus();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sidebar.classList.contains("open")) {
      show(false);
      button.focus();
    }
  });
})();

// Code blocks and tables wider than the page scroll sideways; one that does takes the
// focus, so the keyboard can scroll it too.
(function () {
  "use strict";
  const regions = Array.from(document.querySelectorAll("article.page pre, article.page table"));
  if (!regions.length) return;
  function mark() {
    regions.forEach((el) => {
      if (el.scrollWidth > el.clientWidth) el.setAttribute("tabindex", "0");
      else el.removeAttribute("tabindex");
    });
  }
  mark();
  let frame = 0;
  window.addEventListener("resize", () => { cancelAnimationFrame(frame); frame = requestAnimationFrame(mark); });
})();

// A copy button on each code block. The code's text is read from its lines, so line
// numbers (drawn by CSS) and console prompts are left out; the button's label says
// "Copied" for a moment, and a live region tells screen readers.
(function () {
  "use strict";
  const blocks = document.querySelectorAll(".code-block");
  if (!blocks.length || !navigator.clipboard) return;
  const status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);

  function textOf(block) {
    const code = block.querySelector("pre code");
    if (!code) return "";
    const lines = code.querySelectorAll(".line:not(.hidden-line)");
    if (!lines.length) return code.textContent;
    return Array.from(lines, (line) => {
      const copy = line.cloneNode(true);
      copy.querySelectorAll(".prompt").forEach((prompt) => prompt.remove());
      return copy.textContent;
    }).join("\n") + "\n";
  }

  blocks.forEach((block) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.setAttribute("aria-label", "Copy code");
    button.textContent = "Copy";
    let timer = 0;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(textOf(block)).then(() => {
        button.textContent = "Copied";
        button.dataset.state = "copied";
        status.textContent = "Code copied";
        clearTimeout(timer);
        timer = setTimeout(() => {
          button.textContent = "Copy";
          delete button.dataset.state;
          status.textContent = "";
        }, 2000);
      }, () => {
        status.textContent = "Could not copy the code";
      });
    });
    block.appendChild(button);
  });
})();
// mdBook's hidden lines (`# ` in Rust blocks) are folded away; a button shows them.
(function () {
  "use strict";
  document.querySelectorAll(".code-block").forEach((block) => {
    const hidden = block.querySelectorAll(".hidden-line");
    if (!hidden.length) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "show-hidden-lines";
    button.textContent = "Show hidden lines";
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      const show = button.getAttribute("aria-pressed") !== "true";
      hidden.forEach((line) => { line.hidden = !show; });
      button.setAttribute("aria-pressed", String(show));
      button.textContent = show ? "Hide hidden lines" : "Show hidden lines";
    });
    block.appendChild(button);
  });
})();
// Content tabs (`=== "Label"`) and code groups become tabs: a tablist of buttons named
// by each panel's label, arrow keys, Home and End to move, one panel shown. Without
// this script every panel shows under its label.
(function () {
  "use strict";
  let count = 0;
  function enhance(set, panels, labelOf) {
    if (!panels.length) return;
    const list = document.createElement("div");
    list.className = "tab-list";
    list.setAttribute("role", "tablist");
    const tabs = panels.map((panel, i) => {
      count += 1;
      const tab = document.createElement("button");
      tab.type = "button";
      tab.id = "tab-" + count;
      tab.setAttribute("role", "tab");
      tab.textContent = labelOf(panel);
      if (!panel.id) panel.id = "tabpanel-" + count;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      tab.setAttribute("aria-controls", panel.id);
      tab.addEventListener("click", () => select(i, false));
      list.append(tab);
      return tab;
    });
    function select(index, focus) {
      tabs.forEach((tab, i) => {
        const on = i === index;
        tab.setAttribute("aria-selected", String(on));
        tab.tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      });
      if (focus) tabs[index].focus();
    }
    list.addEventListener("keydown", (event) => {
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return;
      const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select((next + tabs.length) % tabs.length, true);
    });
    set.prepend(list);
    set.classList.add("tabs-ready");
    // `===+` marks the tab shown first.
    select(Math.max(0, panels.findIndex((panel) => panel.hasAttribute("data-selected"))), false);
  }
  const child = (el, className) => Array.from(el.children).find((c) => c.classList.contains(className));
  document.querySelectorAll(".tabbed-set").forEach((set) => {
    const panels = Array.from(set.children).filter((el) => el.classList.contains("tabbed-block"));
    enhance(set, panels, (panel) => (child(panel, "tabbed-label") || panel).textContent.trim());
  });
  document.querySelectorAll(".code-group").forEach((set) => {
    const panels = Array.from(set.children).filter((el) => el.classList.contains("code-block"));
    if (panels.every((panel) => child(panel, "code-title"))) {
      enhance(set, panels, (panel) => child(panel, "code-title").textContent.trim());
    }
  });
})();
