// Keyboard answers: a link or button marked data-key="O" is followed when that key is pressed outside a text field
// (case ignored; "Backspace" for the back link, "ArrowLeft"…). The key is shown beside each label in the page.
// A select marked data-enter-submits sends its form when Entrée is pressed on it. « / » goes to the top bar's search.
(function () {
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.matches && event.target.matches("select[data-enter-submits]")) {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    // « / » from anywhere: the top bar's search (patients and practices).
    const search = document.querySelector("[data-search-key]");
    if (event.key === "/" && search) {
      event.preventDefault();
      search.focus();
      return;
    }
    for (const element of document.querySelectorAll("[data-key]")) {
      const key = element.getAttribute("data-key");
      if (key.length === 1 ? event.key.toLowerCase() === key.toLowerCase() : event.key === key) {
        event.preventDefault();
        element.click();
        return;
      }
    }
  });
})();

// « Imprimer » buttons (no inline handler: the pages' Content-Security-Policy refuses them).
document.addEventListener('click', (event) => {
  if (event.target.closest('[data-print]')) window.print();
});
