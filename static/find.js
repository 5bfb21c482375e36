// Overview: one search over every ecosystem's package names. The names come from small
// per-ecosystem indexes (data/names-<ecosystem>.json: name, page, verdict, tone), fetched on the
// first focus or keystroke, never with the page. Exact names first, then names starting with
// the text, then names containing it; each group in rank order, ecosystems in site order.
(function () {
  "use strict";
  var form = document.getElementById("find");
  var input = document.getElementById("find-q");
  var list = document.getElementById("find-results");
  var count = document.getElementById("find-count");
  var sources = document.getElementById("find-index");
  if (!form || !input || !list || !count || !sources) return;
  var urls = JSON.parse(sources.textContent);
  var LIMIT = 25;
  var entries = null, loading = null, failed = false;

  function load() {
    if (loading) return loading;
    count.textContent = "Loading the names…";
    loading = Promise.all(urls.map(function (url) {
      return fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response.json();
      });
    })).then(function (indexes) {
      entries = [];
      indexes.forEach(function (data) {
        data.rows.forEach(function (row) {
          entries.push({ lower: row[0].toLowerCase(), name: row[0], href: row[1], phrase: row[2], tone: row[3], eco: data.display });
        });
      });
      search();
    }, function () {
      failed = true;
      count.textContent = "The names could not be loaded; each ecosystem's page lists its packages.";
    });
    return loading;
  }

  function item(entry) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = entry.href;
    var bdi = document.createElement("bdi");
    bdi.textContent = entry.name;
    a.appendChild(bdi);
    var eco = document.createElement("span");
    eco.className = "eco";
    eco.textContent = entry.eco;
    var verdict = document.createElement("span");
    verdict.className = "st " + entry.tone;
    verdict.textContent = entry.phrase;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(eco);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(verdict);
    return li;
  }

  function search() {
    if (!entries) { if (!failed) load(); return; }
    var needle = input.value.trim().toLowerCase();
    var exact = [], prefix = [], inside = [];
    if (needle) {
      for (var i = 0; i < entries.length; i++) {
        var at = entries[i].lower.indexOf(needle);
        if (at === -1) continue;
        if (entries[i].lower.length === needle.length) exact.push(entries[i]);
        else if (at === 0) prefix.push(entries[i]);
        else inside.push(entries[i]);
      }
    }
    var found = exact.concat(prefix, inside);
    var frag = document.createDocumentFragment();
    found.slice(0, LIMIT).forEach(function (entry) { frag.appendChild(item(entry)); });
    list.replaceChildren(frag);
    if (!needle) count.textContent = "";
    else if (!found.length) count.textContent = "No package matches.";
    else count.textContent = found.length > LIMIT
      ? found.length + " packages match; the first " + LIMIT + " are shown."
      : found.length + (found.length === 1 ? " package matches." : " packages match.");
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", search);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) first.click();
  });
  form.hidden = false;
})();
