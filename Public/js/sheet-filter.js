// The practice sheet searched while the caller talks: the parts marked data-item that do not hold every word typed
// (accents and case ignored) are hidden; an empty search shows everything again.
(function () {
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  for (const area of document.querySelectorAll("[data-filterable]")) {
    const input = area.querySelector("[data-filter]");
    if (!input) continue;
    const items = Array.from(area.querySelectorAll("[data-item]"));
    input.addEventListener("input", function () {
      const words = fold(input.value).split(/\s+/).filter(Boolean);
      for (const item of items) {
        const text = fold(item.textContent);
        const match = words.every((word) => text.includes(word));
        item.hidden = words.length > 0 && !match && !item.querySelector("[data-item]:not([hidden])");
        if (match && words.length > 0 && item.tagName === "DETAILS") item.open = true;
      }
    });
  }
})();
