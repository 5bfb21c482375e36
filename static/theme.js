// Applies the visitor's chosen theme before the page paints; the button in the header
// switches light ↔ dark and remembers the choice. Without a choice, prefers-color-scheme rules.
// The button's label says what it does from the current state ("Switch to light theme" while dark).
(function () {
  "use strict";
  var KEY = "attested-yet-theme";
  var root = document.documentElement;
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  var chosen = stored();
  if (chosen === "light" || chosen === "dark") root.setAttribute("data-theme", chosen);

  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function effective() {
    var t = root.getAttribute("data-theme");
    if (t) return t;
    return media && media.matches ? "dark" : "light";
  }
  function label(button) {
    var dark = effective() === "dark";
    button.textContent = dark ? "Switch to light theme" : "Switch to dark theme";
    button.setAttribute("data-current", dark ? "dark" : "light");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    button.hidden = false;
    label(button);
    if (media && media.addEventListener) media.addEventListener("change", function () { label(button); });
    button.addEventListener("click", function () {
      var next = effective() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: not persisted */ }
      label(button);
    });
  });
})();
