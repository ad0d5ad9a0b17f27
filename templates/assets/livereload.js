// Live reload while `folio serve` watches: reloads this page when it changed or a file
// it uses (an image, a stylesheet, a video) changed, re-runs an open search, shows
// build errors over the page, and reconnects after a restart.
(function () {
  "use strict";
  const base = document.documentElement.dataset.base || "";
  const path = decodeURIComponent(location.pathname);
  const here = (path.startsWith(base) ? path.slice(base.length) : path).replace(/\/+$/, "") || "/";
  let overlay = null;

  function showErrors(errors) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!errors.length) return;
    overlay = document.createElement("div");
    overlay.className = "folio-error-overlay";
    overlay.setAttribute("role", "alert");
    const title = document.createElement("p");
    title.className = "folio-error-title";
    title.textContent = "This page failed to build; the last good version is shown.";
    overlay.append(title);
    errors.forEach((error) => {
      const line = document.createElement("pre");
      line.textContent = error.path + ":" + error.line + ": " + error.message;
      overlay.append(line);
    });
    document.body.append(overlay);
  }

  // The site paths (below the base path) of the files this page uses.
  const USES = [["img", "src"], ["img", "srcset"], ["source", "src"], ["source", "srcset"],
    ["video", "src"], ["video", "poster"], ["audio", "src"], ["track", "src"],
    ["link", "href"], ["script", "src"], ["object", "data"], ["embed", "src"],
    ["iframe", "src"], ["image", "href"], ["use", "href"]];
  function usedFiles() {
    const used = new Set();
    USES.forEach(([tag, attribute]) => {
      document.querySelectorAll(tag + "[" + attribute + "]").forEach((element) => {
        const value = element.getAttribute(attribute);
        const candidates = attribute === "srcset"
          ? value.split(",").map((entry) => entry.trim().split(/\s+/)[0])
          : [value];
        candidates.forEach((candidate) => {
          let url;
          try { url = new URL(candidate, location.href); } catch (_) { return; }
          if (url.origin !== location.origin) return;
          let file;
          try { file = decodeURIComponent(url.pathname); } catch (_) { return; }
          used.add(file.startsWith(base) ? file.slice(base.length) : file);
        });
      });
    });
    return used;
  }

  function connect() {
    const source = new EventSource(base + "/__livereload");
    source.onmessage = (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (_) { return; }
      const files = event.files || [];
      const used = files.length ? usedFiles() : new Set();
      if (event.navigation || event.changed.includes(here) || event.removed.includes(here) ||
          files.some((file) => used.has(file)) ||
          (here === "/search" && event.changed.length)) {
        location.reload();
        return;
      }
      showErrors(event.errors.filter((error) => error.url === here));
      const input = document.getElementById("search-input");
      if (event.changed.length && input && input.value.trim() && input.getAttribute("aria-expanded") === "true") {
        input.dispatchEvent(new Event("input"));
      }
    };
  }
  connect();
})();
