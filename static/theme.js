// Applies the visitor's chosen theme before the page paints; the button in the header
// switches light ↔ dark and remembers the choice. Without a choice, prefers-color-scheme rules.
(function () {
  "use strict";
  var KEY = "attested-yet-theme";
  var root = document.documentElement;
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  var chosen = stored();
  if (chosen === "light" || chosen === "dark") root.setAttribute("data-theme", chosen);

  function effective() {
    var t = root.getAttribute("data-theme");
    if (t) return t;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function label(button) {
    button.setAttribute("aria-pressed", effective() === "dark" ? "true" : "false");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    button.hidden = false;
    label(button);
    button.addEventListener("click", function () {
      var next = effective() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: not persisted */ }
      label(button);
    });
  });
})();
