// Ecosystem page: search, filters and sort over the server-rendered table.
// The rows are the data: an index (lower-cased name, status, Trusted Publishing, date) is read
// from them once. An update computes the matching rows (a few ms at 10,000 rows), swaps in a
// fresh <tbody> holding the first screenful at once and appends the rest in chunks on later
// tasks, so typing never waits for thousands of rows to be styled.
// Rows raising a signal (failed verification, dropped provenance, repository mismatch) carry
// data-s="failed dropped mismatch" (a subset).
// State lives in the URL (?q=&status=&tp=&signal=&sort=), so a view can be shared and survives reload.
(function () {
  "use strict";
  var table = document.getElementById("pkgs");
  var form = document.getElementById("filters");
  if (!table || !form) return;
  var FIRST = 150, CHUNK = 300;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var n = rows.length;
  // Each row has data-st="<code>"; the status options say which code is which status
  // (<option value="<status>" data-st="<code>">): the one table of codes is in Python.
  var CODES = {};
  var options = document.getElementById("status").options;
  for (var k = 0; k < options.length; k++) {
    if (options[k].getAttribute("data-st")) CODES[options[k].getAttribute("data-st")] = options[k].value;
  }
  var lower = new Array(n), status = new Array(n), tp = new Array(n), dates = new Array(n);
  var sigs = new Array(n);
  for (var i = 0; i < n; i++) {
    var cells = rows[i].cells;
    lower[i] = cells[1].firstChild.textContent.trim().toLowerCase();  // the name's link, not its marks
    status[i] = CODES[rows[i].getAttribute("data-st")] || "";
    dates[i] = cells[3].textContent.trim();
    tp[i] = cells[5].textContent.trim();
    sigs[i] = " " + (rows[i].getAttribute("data-s") || "") + " ";
  }
  var q = document.getElementById("q");
  var st = document.getElementById("status");
  var tpSel = document.getElementById("tp");
  var sigSel = document.getElementById("signal");
  var sort = document.getElementById("sort");
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var orders = {};
  var shownKey = "", timer = 0, frame = 0;

  function valid(select, value) {
    for (var k = 0; k < select.options.length; k++) if (select.options[k].value === value) return value;
    return select.options[0].value;
  }

  function compareName(a, b) { return lower[a] < lower[b] ? -1 : lower[a] > lower[b] ? 1 : a - b; }
  function compareDate(a, b) {
    // Newest first; packages without a date last; ties in rank order.
    if (dates[a] === dates[b]) return a - b;
    if (!dates[a]) return 1;
    if (!dates[b]) return -1;
    return dates[a] < dates[b] ? 1 : -1;
  }

  function order(key) {
    if (!orders[key]) {
      var idx = new Array(n);
      for (var i = 0; i < n; i++) idx[i] = i;
      if (key === "name") idx.sort(compareName);
      else if (key === "date") idx.sort(compareDate);
      orders[key] = idx;
    }
    return orders[key];
  }

  function show(list) {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    var body = tbody.cloneNode(false);
    var pos = 0;
    function more(limit) {
      var frag = document.createDocumentFragment();
      var end = Math.min(list.length, pos + limit);
      for (; pos < end; pos++) frag.appendChild(rows[list[pos]]);
      body.appendChild(frag);
    }
    function rest() {
      more(CHUNK);
      if (pos < list.length) timer = setTimeout(rest, 0);
    }
    more(FIRST);
    table.replaceChild(body, tbody);
    tbody = body;
    // The rest after the first screenful has been drawn, in short tasks that keystrokes can
    // interleave with.
    if (pos < list.length) frame = requestAnimationFrame(function () { timer = setTimeout(rest, 0); });
  }

  function apply() {
    var needle = q.value.trim().toLowerCase();
    var s = st.value, t = tpSel.value, key = sort.value;
    var g = sigSel.value ? " " + sigSel.value + " " : "";
    var idx = order(key), list = [];
    for (var j = 0; j < n; j++) {
      var i = idx[j];
      if ((!s || status[i] === s) && (!t || tp[i] === t) && (!g || sigs[i].indexOf(g) !== -1) && (!needle || lower[i].indexOf(needle) !== -1)) {
        list.push(i);
      }
    }
    var stateKey = [needle, s, t, g, key].join("\u0000");
    if (stateKey !== shownKey) {
      shownKey = stateKey;
      show(list);
    }
    count.textContent = list.length === n ? n + " packages" : list.length + " of " + n + " packages match";
    none.hidden = list.length !== 0;
  }

  function save() {
    var params = new URLSearchParams();
    if (q.value) params.set("q", q.value);
    if (st.value) params.set("status", st.value);
    if (tpSel.value) params.set("tp", tpSel.value);
    if (sigSel.value) params.set("signal", sigSel.value);
    if (sort.value !== "rank") params.set("sort", sort.value);
    var search = params.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }

  function load() {
    var params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    st.value = valid(st, params.get("status") || "");
    tpSel.value = valid(tpSel, params.get("tp") || "");
    sigSel.value = valid(sigSel, params.get("signal") || "");
    sort.value = valid(sort, params.get("sort") || "rank");
  }

  function update() { apply(); save(); }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  load();
  form.hidden = false;
  shownKey = ["", "", "", "", "rank"].join("\u0000");  // the server-rendered rows
  apply();
})();
