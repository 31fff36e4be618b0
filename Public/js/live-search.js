// Search as you type: a form marked data-live-search reloads its results (the element marked data-results) a moment
// after the secretary stops typing, without leaving the page; the address keeps the query for the back button.
(function () {
  for (const form of document.querySelectorAll("form[data-live-search]")) {
    // The field may stand outside the form (form="…").
    const input = form.elements.namedItem("q");
    const results = document.querySelector("[data-results]");
    if (!input || !results) continue;
    let timer = null;
    let latest = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const ticket = ++latest;
        const url = new URL(form.action, window.location.href);
        for (const [name, value] of new FormData(form)) url.searchParams.set(name, value);
        try {
          const response = await fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" });
          if (!response.ok || ticket !== latest) return;
          const page = new DOMParser().parseFromString(await response.text(), "text/html");
          const fresh = page.querySelector("[data-results]");
          if (fresh) results.innerHTML = fresh.innerHTML;
          history.replaceState(null, "", url);
        } catch (error) {
          // The form still works: Entrée submits it.
        }
      }, 200);
    });
  }
})();
