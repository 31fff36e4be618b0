// A refused form, shown again by the server with each fault at its field (aria-invalid, aria-describedby) and all of
// them listed above the form (#refus): the focus goes to the first field at fault, whose sentence is read with it, or
// to the list when no field of the page is named; each item of the list leads to its field.
document.addEventListener("DOMContentLoaded", function () {
  const list = document.getElementById("refus");
  if (!list) return;
  for (const link of list.querySelectorAll("a[data-fault]")) {
    const field = document.querySelector('[aria-describedby~="' + link.hash.slice(1) + '"]');
    if (!field) {
      link.replaceWith(document.createTextNode(link.textContent));
      continue;
    }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      field.focus();
    });
  }
  const first = document.querySelector('[aria-invalid="true"]');
  (first || list).focus();
});
