// Forms: the settings' provider choice and road choice show only the
// fields and notes for that provider (data-providers) and that road
// (data-roads); without this script the page shows them after a save.
(function () {
  "use strict";
  function applies(el, attr, chosen) {
    var list = el.getAttribute(attr);
    return list === null || chosen === null || list.split(" ").indexOf(chosen) >= 0;
  }
  function show() {
    var prov = document.querySelector("select[data-shows-providers]");
    var road = document.querySelector("input[data-shows-roads]:checked");
    var p = prov ? prov.value : null, r = road ? road.value : null;
    document.querySelectorAll("[data-providers], [data-roads]").forEach(function (el) {
      el.hidden = !applies(el, "data-providers", p) || !applies(el, "data-roads", r);
    });
    // A section whose every field is for another provider or road.
    document.querySelectorAll("form.settings fieldset.card").forEach(function (fs) {
      var fields = fs.querySelectorAll(".field");
      if (fs.id === "roads" || fields.length === 0) { return; }
      fs.hidden = Array.prototype.every.call(fields, function (f) { return f.hidden; });
    });
  }
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.matches && t.matches("select[data-shows-providers], input[data-shows-roads]")) { show(); }
  });
})();

// The connection test: the form is posted asking for an event stream, and
// each step's list item (rendered by the device's pages) is swapped in as
// it comes; without this script the form's answer shows the steps at the
// end.
(function () {
  "use strict";
  var form = document.getElementById("conntest");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  function apply(event, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    if (event === "step") {
      var li = tpl.content.firstElementChild;
      var old = li && document.getElementById(li.id);
      if (old) { old.replaceWith(li); return; }
      if (!li) { return; }
      // A step the page did not list goes in its place.
      var order = Number(li.getAttribute("data-order")), next = null;
      document.querySelectorAll("#steps li").forEach(function (el) {
        if (!next && Number(el.getAttribute("data-order")) > order) { next = el; }
      });
      document.getElementById("steps").insertBefore(li, next);
    } else if (event === "result") {
      document.getElementById("result").replaceChildren(tpl.content);
    }
  }
  function block(text) {
    var event = "message", data = [];
    text.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) { event = line.slice(7); }
      else if (line.indexOf("data: ") === 0) { data.push(line.slice(6)); }
    });
    apply(event, data.join("\n"));
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var button = document.getElementById("run-test");
    button.disabled = true;
    document.getElementById("result").replaceChildren();
    document.querySelectorAll("#steps li").forEach(function (li) {
      li.setAttribute("data-state", "waiting");
      li.querySelectorAll(".detail").forEach(function (d) { d.remove(); });
      var st = li.querySelector(".state");
      st.className = "state state-waiting";
      st.textContent = "not run";
    });
    fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "text/event-stream" },
      body: new URLSearchParams(new FormData(form))
    }).then(function (res) {
      if (!res.ok || !res.body) { form.submit(); return null; }
      var reader = res.body.getReader(), dec = new TextDecoder(), buf = "";
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) { return; }
          buf += dec.decode(r.value, { stream: true });
          var i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            block(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {}).then(function () { button.disabled = false; });
  });
})();

// A form with data-confirm (a deletion) asks first.
document.addEventListener("submit", function (ev) {
  "use strict";
  var q = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
  if (q && !window.confirm(q)) { ev.preventDefault(); }
});
