// Live updates: the page's <main> names in data-live the kinds of device
// change it shows; on each, the page is fetched again and its <main>
// swapped in. Times with data-until count down. Without this script the
// pages work the same, with a reload.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var left = Math.max(0, Date.parse(el.getAttribute("data-until")) - Date.now());
      var m = Math.floor(left / 60000), s = Math.floor(left / 1000) % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    });
  }
  tick();
  setInterval(tick, 1000);

  var main = document.querySelector("main[data-live]");
  if (!main || !window.EventSource || !window.fetch) {
    return;
  }
  var busy = false, again = false;
  function reload() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin", headers: { "X-Live": "1" } })
      .then(function (res) {
        if (res.status === 401) { location.reload(); return null; }
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        // The same page again is left alone: no flicker, focus kept.
        if (fresh && fresh.innerHTML !== main.innerHTML) {
          main.innerHTML = fresh.innerHTML;
          main.setAttribute("data-live", fresh.getAttribute("data-live") || "");
          main.setAttribute("data-updated", String(Date.now()));
          tick();
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; reload(); }
      });
  }
  var events = new EventSource("/events");
  // The stream starts with a snapshot of what the page was just made
  // from; only a later one (after a reconnect) may show something new.
  var first = true;
  main.getAttribute("data-live").split(" ").forEach(function (kind) {
    if (!kind) { return; }
    events.addEventListener(kind, function () {
      if (kind === "snapshot" && first) { first = false; return; }
      first = false;
      reload();
    });
  });
})();
