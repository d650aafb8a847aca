// Live queue: the server announces changes over server-sent events; HTMX refreshes the rows.
(function () {
  "use strict";
  function listen() {
    if (!document.getElementById("queue-rows") || !window.EventSource) return;
    var source = new EventSource("/events");
    source.addEventListener("cases-changed", function () {
      if (window.htmx) window.htmx.trigger(document.body, "cases-changed");
    });
    // EventSource reconnects by itself; a refresh on reconnect catches what happened meanwhile.
    source.addEventListener("open", function () {
      if (window.htmx) window.htmx.trigger(document.body, "cases-changed");
    });
  }

  // Keyboard: j / k move through the queue, Enter opens the selected case.
  var selected = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr[data-href]")); }
  function select(index) {
    var all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    all[selected].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.metaKey || event.ctrlKey) return;
    if (event.key === "j") select(selected + 1);
    else if (event.key === "k") select(selected - 1);
    else if (event.key === "Enter" && selected >= 0 && rows()[selected]) window.location = rows()[selected].dataset.href;
    else if (event.key === "n" && document.getElementById("take-next")) document.getElementById("take-next").requestSubmit();
  });
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#queue-rows tr[data-href]");
    if (row && event.target.tagName !== "A") window.location = row.dataset.href;
  });
  // SLA countdowns: the server sends the deadline; the browser counts down every second.
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-due]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.due) - now) / 1000);
      var abs = Math.abs(left), h = Math.floor(abs / 3600), m = Math.floor(abs % 3600 / 60), s = abs % 60;
      var text = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
      el.textContent = left >= 0 ? text + " " + (el.dataset.left || "left") : (el.dataset.overdue || "overdue") + " " + text;
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 60);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#language-form")) event.target.form.requestSubmit();
  });
  document.addEventListener("DOMContentLoaded", function () { listen(); tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
})();
