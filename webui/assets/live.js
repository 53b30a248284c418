// Live updates: the page's <main> names in data-live the kinds of device
// change it shows; on each, the page is fetched again and its <main>
// swapped in. The alerts banner above <main> (#alerts) is fetched again
// (/alerts) on every status change. Times with data-until count down.
// Without this script the pages work the same, with a reload.
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
  // The alerts banner, on every admin page, follows the status.
  var alerts = document.getElementById("alerts");
  if ((!main && !alerts) || !window.EventSource || !window.fetch) {
    return;
  }
  var events = new EventSource("/events");

  if (alerts) {
    var alertsBusy = false, alertsAgain = false;
    var reloadAlerts = function () {
      if (alertsBusy) { alertsAgain = true; return; }
      alertsBusy = true;
      var back = location.pathname + location.search;
      fetch("/alerts?back=" + encodeURIComponent(back), { credentials: "same-origin", headers: { "X-Live": "1" } })
        .then(function (res) { return res.ok ? res.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          // Compared as the browser writes it, as <main> is.
          var fresh = document.createElement("template");
          fresh.innerHTML = html;
          if (fresh.innerHTML !== alerts.innerHTML) {
            alerts.innerHTML = fresh.innerHTML;
            alerts.setAttribute("data-updated", String(Date.now()));
          }
        })
        .catch(function () {})
        .then(function () {
          alertsBusy = false;
          if (alertsAgain) { alertsAgain = false; reloadAlerts(); }
        });
    };
    events.addEventListener("status", reloadAlerts);
    events.addEventListener("snapshot", reloadAlerts);
  }

  if (!main) {
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
