// Moving an appointment on the agenda grid. With the mouse: drag it to a free place of any lane (a practitioner's day).
// With the keyboard: on the appointment, Espace (or D) starts the move, ↑ ↓ shift it by 5 minutes, ← → take it to the
// lane beside, Entrée confirms and Échap gives up. Either way the move is posted as the appointment page's form posts
// it: the server applies the same rules, shows the alternatives when it refuses and the read-back when it is done.
(function () {
  const START = 7 * 60, END = 20 * 60, STEP = 5;
  let moving = null; // { block, minutes, body, grab, keyboard }
  let ghost = null;

  const lanes = () => Array.from(document.querySelectorAll(".day-body[data-practitioner]"));
  const number = (block, prefix) => { const found = new RegExp("\\b" + prefix + "-(\\d+)\\b").exec(block.className); return found ? Number(found[1]) : 0; };
  const length = (block) => number(block, "h") || 15;
  const hhmm = (minutes) => String(Math.floor(minutes / 60)).padStart(2, "0") + ":" + String(minutes % 60).padStart(2, "0");
  const clamp = (minutes, block) => Math.max(START, Math.min(END - length(block), minutes));
  const at = (body, clientY) => START + (clientY - body.getBoundingClientRect().top) / body.getBoundingClientRect().height * (END - START);

  function say(text) {
    let status = document.getElementById("deplacement-annonce");
    if (!status) {
      status = document.createElement("p");
      status.id = "deplacement-annonce";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function show() {
    if (!ghost) {
      ghost = document.createElement("div");
      ghost.setAttribute("aria-hidden", "true");
    }
    ghost.className = "block ghost t-" + (moving.minutes - START) + " h-" + length(moving.block);
    ghost.textContent = hhmm(moving.minutes) + " ?";
    if (ghost.parentNode !== moving.body) moving.body.appendChild(ghost);
    if (moving.keyboard) say("Nouvel horaire proposé : " + moving.body.dataset.date.split("-").reverse().join("/") + " à " + hhmm(moving.minutes).replace(":", " h ") + ". Entrée pour déplacer, Échap pour renoncer.");
  }

  function stop() {
    if (ghost) ghost.remove();
    ghost = null;
    moving = null;
  }

  function post() {
    const block = moving.block;
    const fields = {
      csrf: document.querySelector('input[name="csrf"]').value,
      date: moving.body.dataset.date,
      heure: hhmm(moving.minutes),
      praticien: moving.body.dataset.practitioner,
    };
    const call = new URL(block.href, location.href).searchParams.get("appel");
    if (call) fields.appel = call;
    const form = document.createElement("form");
    form.method = "post";
    form.action = block.dataset.move;
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    stop();
    form.submit();
  }

  document.addEventListener("dragstart", (event) => {
    const block = event.target.closest && event.target.closest("a.block[data-move]");
    if (!block) return;
    const body = block.closest(".day-body");
    const start = START + number(block, "t");
    moving = { block, body, minutes: start, grab: at(body, event.clientY) - start, keyboard: false };
    event.dataTransfer.setData("text/plain", block.title);
    event.dataTransfer.effectAllowed = "move";
  });

  function target(event) {
    const body = event.target.closest && event.target.closest(".day-body[data-practitioner]");
    if (!moving || moving.keyboard || !body) return null;
    event.preventDefault();
    moving.body = body;
    moving.minutes = clamp(Math.round((at(body, event.clientY) - moving.grab) / STEP) * STEP, moving.block);
    return body;
  }

  document.addEventListener("dragover", (event) => { if (target(event)) show(); });
  document.addEventListener("drop", (event) => { if (target(event)) post(); });
  document.addEventListener("dragend", () => { if (moving && !moving.keyboard) stop(); });

  // Captured before keys.js, whose ← → turn the day: while a move is under way the arrows move the appointment.
  window.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!moving) {
      const block = event.target.closest && event.target.closest("a.block[data-move]");
      if (!block || !(event.key === " " || event.key.toLowerCase() === "d")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      moving = { block, body: block.closest(".day-body"), minutes: START + number(block, "t"), grab: 0, keyboard: true };
      show();
      return;
    }
    if (!moving.keyboard) return;
    const all = lanes();
    const here = all.indexOf(moving.body);
    switch (event.key) {
      case "ArrowUp": moving.minutes = clamp(moving.minutes - STEP, moving.block); break;
      case "ArrowDown": moving.minutes = clamp(moving.minutes + STEP, moving.block); break;
      case "ArrowLeft": if (here > 0) moving.body = all[here - 1]; break;
      case "ArrowRight": if (here < all.length - 1) moving.body = all[here + 1]; break;
      case "Enter": event.preventDefault(); event.stopImmediatePropagation(); post(); return;
      case "Escape": stop(); say("Déplacement abandonné."); break;
      default: return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (moving) show();
  }, true);
})();
