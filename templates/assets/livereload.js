// Live reload while `folio serve` watches: reloads this page when it changed, re-runs
// an open search, shows build errors over the page, and reconnects after a restart.
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

  function connect() {
    const source = new EventSource(base + "/__livereload");
    source.onmessage = (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (_) { return; }
      if (event.navigation || event.changed.includes(here) || event.removed.includes(here) ||
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
