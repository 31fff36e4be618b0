// Live regions: an element with data-live="queue transmission" and data-src="/url" is fetched again when the server
// says (server-sent events from /evenements) that one of those kinds changed, and at once when it has data-load.
// Several events in a row refresh once. A ringing call's pop takes the focus unless the secretary is typing, and F2
// takes the call from anywhere.
(function () {
  const regions = Array.from(document.querySelectorAll("[data-live]"));
  document.addEventListener("keydown", function (event) {
    if (event.key !== "F2") return;
    const take = document.querySelector("[data-take-call]");
    if (take) { event.preventDefault(); take.click(); }
  });
  if (!regions.length || !window.EventSource) return;
  const source = new EventSource("/evenements");
  const pending = new Map();
  async function refresh(region) {
    const response = await fetch(region.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    // Sent elsewhere (the session ended, a password to change): the whole page goes there, not this region.
    if (response.redirected) { window.location.assign(response.url); return; }
    if (!response.ok) return;
    const focused = document.activeElement && region.contains(document.activeElement) ? document.activeElement.closest("[data-item]") : null;
    region.innerHTML = await response.text();
    region.dataset.refreshed = String(Number(region.dataset.refreshed || 0) + 1);
    const take = region.querySelector("[data-take-call]");
    const active = document.activeElement;
    const typing = active && (active.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName));
    if (take && !typing) take.focus();
    // Focus stays on the same line when it is still there.
    if (focused) {
      const again = region.querySelector('[data-item="' + focused.dataset.item + '"] button, [data-item="' + focused.dataset.item + '"] a');
      if (again) again.focus();
    }
  }
  function schedule(region) {
    clearTimeout(pending.get(region));
    pending.set(region, setTimeout(function () { refresh(region); }, 150));
  }
  const kinds = new Set(regions.flatMap(function (r) { return r.dataset.live.split(" "); }));
  kinds.forEach(function (kind) {
    source.addEventListener(kind, function () {
      regions.filter(function (r) { return r.dataset.live.split(" ").includes(kind); }).forEach(schedule);
    });
  });
  source.addEventListener("open", function () { document.body.dataset.live = "connected"; });
  // The account was disabled or its password reset: this console's session has ended.
  source.addEventListener("signedOut", function () { source.close(); window.location.assign("/connexion"); });
  regions.filter(function (r) { return r.hasAttribute("data-load"); }).forEach(refresh);
})();
