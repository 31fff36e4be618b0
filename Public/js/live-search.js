// Search as you type: a form marked data-live-search reloads its results (the element marked data-results) a moment
// after the secretary stops typing, without leaving the page; the address keeps the query for the back button.
// From the field, ↓ (or Entrée once the results shown answer what was typed) goes to the first result; ↑ ↓ move among
// them and back to the field; Entrée chooses the result that has the focus.
(function () {
  for (const form of document.querySelectorAll("form[data-live-search]")) {
    // The field may stand outside the form (form="…").
    const input = form.elements.namedItem("q");
    const results = document.querySelector("[data-results]");
    if (!input || !results) continue;
    let timer = null;
    let latest = 0;
    // The text the results shown answer (the page may come with them).
    let shownFor = results.querySelector("button, a") ? input.value : null;
    const choices = () => Array.from(results.querySelectorAll("button, a"));
    input.addEventListener("keydown", function (event) {
      const first = choices()[0];
      if (!first) return;
      if (event.key === "ArrowDown" || (event.key === "Enter" && shownFor === input.value)) {
        event.preventDefault();
        first.focus();
      }
    });
    results.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const all = choices();
      const here = all.indexOf(document.activeElement);
      if (here < 0) return;
      event.preventDefault();
      if (event.key === "ArrowDown") (all[here + 1] || all[here]).focus();
      else if (here === 0) input.focus();
      else all[here - 1].focus();
    });
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
          shownFor = url.searchParams.get("q");
          history.replaceState(null, "", url);
        } catch (error) {
          // The form still works: Entrée submits it.
        }
      }, 200);
    });
  }
})();
