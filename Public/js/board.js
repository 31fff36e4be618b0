// The live board: each ringing call says how long it has waited, in seconds and rings (a ring is 5 s), and turns
// amber past 3 rings, red past 4. The region itself is fetched again by live.js at each event; some ringing calls
// are told only to the console of their extension, so the board is also fetched again every 15 seconds.
(function () {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  function tick() {
    const now = Date.now();
    board.querySelectorAll("[data-ringing-since]").forEach(function (item) {
      const seconds = Math.max(0, Math.floor((now - Date.parse(item.dataset.ringingSince)) / 1000));
      const rings = Math.floor(seconds / 5) + 1;
      item.classList.toggle("amber", seconds >= 15 && seconds < 20);
      item.classList.toggle("red", seconds >= 20);
      const waited = item.querySelector(".waited");
      if (waited) waited.textContent = seconds + " s · " + rings + (rings > 1 ? " sonneries" : " sonnerie") + (seconds >= 20 ? " — à prendre" : "");
    });
  }
  async function reload() {
    const response = await fetch(board.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (response.ok && !response.redirected) { board.innerHTML = await response.text(); tick(); }
  }
  tick();
  setInterval(tick, 1000);
  setInterval(reload, 15000);
  new MutationObserver(tick).observe(board, { childList: true });
})();
