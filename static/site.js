// Ecosystem page: search, filters and sort over the server-rendered table.
// The rows are the data: an index (lower-cased name, status, Trusted Publishing, date) is read
// from them once; each change toggles `hidden` only on rows whose visibility changed.
// State lives in the URL (?q=&status=&tp=&sort=), so a view can be shared and survives reload.
(function () {
  "use strict";
  var table = document.getElementById("pkgs");
  var form = document.getElementById("filters");
  if (!table || !form) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var n = rows.length;
  var CODES = { a: "attested", u: "unsupported-ci", p: "pre-attestation", m: "missing", e: "error" };
  var names = new Array(n), lower = new Array(n), status = new Array(n), tp = new Array(n),
      dates = new Array(n), shown = new Array(n);
  for (var i = 0; i < n; i++) {
    var cells = rows[i].cells;
    names[i] = cells[1].textContent;
    lower[i] = names[i].toLowerCase();
    status[i] = CODES[rows[i].className] || "";
    dates[i] = cells[3].textContent;
    tp[i] = cells[5].textContent;
    shown[i] = true;
  }
  var q = document.getElementById("q");
  var st = document.getElementById("status");
  var tpSel = document.getElementById("tp");
  var sort = document.getElementById("sort");
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var order = "rank";

  function valid(select, value) {
    for (var k = 0; k < select.options.length; k++) if (select.options[k].value === value) return value;
    return select.options[0].value;
  }

  function apply() {
    var needle = q.value.trim().toLowerCase();
    var s = st.value, t = tpSel.value, matches = 0;
    for (var i = 0; i < n; i++) {
      var ok = (!s || status[i] === s) && (!t || tp[i] === t) && (!needle || lower[i].indexOf(needle) !== -1);
      if (ok) matches++;
      if (ok !== shown[i]) { rows[i].hidden = !ok; shown[i] = ok; }
    }
    count.textContent = matches === n ? n + " packages" : matches + " of " + n + " packages match";
    none.hidden = matches !== 0;
  }

  function compareName(a, b) { return lower[a] < lower[b] ? -1 : lower[a] > lower[b] ? 1 : a - b; }
  function compareDate(a, b) {
    // Newest first; packages without a date last; ties in rank order.
    if (dates[a] === dates[b]) return a - b;
    if (!dates[a]) return 1;
    if (!dates[b]) return -1;
    return dates[a] < dates[b] ? 1 : -1;
  }

  function reorder() {
    var wanted = sort.value;
    if (wanted === order) return;
    var idx = new Array(n);
    for (var i = 0; i < n; i++) idx[i] = i;
    if (wanted === "name") idx.sort(compareName);
    else if (wanted === "date") idx.sort(compareDate);
    var frag = document.createDocumentFragment();
    for (var j = 0; j < n; j++) frag.appendChild(rows[idx[j]]);
    tbody.appendChild(frag);
    order = wanted;
  }

  function save() {
    var params = new URLSearchParams();
    if (q.value) params.set("q", q.value);
    if (st.value) params.set("status", st.value);
    if (tpSel.value) params.set("tp", tpSel.value);
    if (sort.value !== "rank") params.set("sort", sort.value);
    var search = params.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }

  function load() {
    var params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    st.value = valid(st, params.get("status") || "");
    tpSel.value = valid(tpSel, params.get("tp") || "");
    sort.value = valid(sort, params.get("sort") || "rank");
  }

  function update() { reorder(); apply(); save(); }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  load();
  form.hidden = false;
  reorder();
  apply();
})();
