// Two parts: the ecosystem page's list (first), the overview's search across ecosystems (second).
// Ecosystem page: search, filters and sort over the server-rendered table.
// The rows are the data: an index (lower-cased name, status, verdict tone, Trusted Publishing,
// date) is read from them, in slices between frames so no task is long. A row's class is its
// verdict's tone and its fifth cell the verdict ("attested · verified"); the tones' order and
// the separator come from the page (the table's data-config, written by the generator), so no status code
// is repeated here. Rows raising a signal carry data-s="failed dropped mismatch" (a subset).
// An update computes the matching rows (a few ms at 10,000 rows) and swaps in a fresh <tbody>
// holding the first PAGE of them; more are appended as the visitor scrolls near the end (or
// presses "Show more"). The table never holds more rows than were scrolled to, so an update
// never has to style, move or detach thousands of rows. After load, the server-rendered rows
// past the first PAGE are taken out of the table in slices (the HTML still holds them all,
// for visitors without JavaScript).
// State lives in the URL (?q=&status=&tp=&signal=&sort=), so a view can be shared and survives
// reload. Column headers sort too (again to reverse), with aria-sort on the sorted column.
(function () {
  "use strict";
  var table = document.getElementById("pkgs");
  var form = document.getElementById("filters");
  if (!table || !form || !table.getAttribute("data-config")) return;
  var config = JSON.parse(table.getAttribute("data-config"));
  var PAGE = 100, SLICE = 500;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var n = rows.length;
  var toneRank = {};
  for (var k = 0; k < config.tones.length; k++) toneRank[config.tones[k]] = k;
  var TP_RANK = { yes: 0, no: 1, unknown: 2 };
  var lower = new Array(n), status = new Array(n), tone = new Array(n), tp = new Array(n);
  var dates = new Array(n), sigs = new Array(n), trust = new Array(n), dl = new Array(n), indexed = 0;

  function index(limit) {
    var end = Math.min(n, indexed + limit);
    for (var i = indexed; i < end; i++) {
      var row = rows[i], cells = row.cells;
      lower[i] = cells[1].firstChild.textContent.trim().toLowerCase();  // the name's link, not its marks
      status[i] = cells[4].textContent.split(config.separator)[0].trim();
      tone[i] = toneRank[row.className] || 0;
      dates[i] = cells[3].textContent.trim();
      tp[i] = cells[5].textContent.trim();
      sigs[i] = " " + (row.getAttribute("data-s") || "") + " ";
      trust[i] = row.getAttribute("data-t") || "";  // npm trust state (issue 11)
      dl[i] = cells[6] ? +(cells[6].getAttribute("data-n") || -1) : -1;  // downloads; -1: none
    }
    indexed = end;
  }
  function indexAll() { if (indexed < n) index(n); }

  var q = document.getElementById("q");
  var st = document.getElementById("status");
  var tpSel = document.getElementById("tp");
  var sigSel = document.getElementById("signal");
  var sort = document.getElementById("sort");
  var trustSel = document.getElementById("trust") || { value: "", options: [{ value: "" }] };
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var legend = document.getElementById("legend");
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var more = document.getElementById("more");
  var moreButton = document.getElementById("more-button");
  var orders = {};
  var shownKey = "", current = [], pos = 0, trimming = 0;

  function valid(select, value) {
    for (var j = 0; j < select.options.length; j++) if (select.options[j].value === value) return value;
    return select.options[0].value;
  }

  // Ascending comparators; ties always in rank order. "date" ascending is oldest first, and
  // packages without a date come last in both directions.
  var compare = {
    rank: function (a, b) { return a - b; },
    name: function (a, b) { return lower[a] < lower[b] ? -1 : lower[a] > lower[b] ? 1 : 0; },
    date: function (a, b) { return dates[a] < dates[b] ? -1 : dates[a] > dates[b] ? 1 : 0; },
    verdict: function (a, b) { return tone[a] - tone[b]; },
    tp: function (a, b) { return TP_RANK[tp[a]] - TP_RANK[tp[b]]; },
    downloads: function (a, b) { return dl[b] - dl[a]; }  // most downloaded first
  };
  // The select's values: "name" (A to Z), "-name"; "date" means newest first, as before.
  function parse(value) {
    var desc = value.charAt(0) === "-", key = desc ? value.slice(1) : value;
    if (key === "date") desc = !desc;
    return { key: key, desc: desc };
  }
  function unparse(key, desc) {
    if (key === "date") desc = !desc;
    return (desc ? "-" : "") + key;
  }

  // A key's ascending order is sorted once; its descending order is that order reversed, with
  // each run of equal keys turned back into rank order (no second sort).
  function ascending(key) {
    var idx = new Array(n), cmp = compare[key];
    for (var i = 0; i < n; i++) idx[i] = i;
    if (key === "rank") return idx;
    idx.sort(function (a, b) {
      if (key === "date" && dates[a] !== dates[b]) {
        if (!dates[a]) return 1;
        if (!dates[b]) return -1;
      }
      return cmp(a, b) || a - b;
    });
    return idx;
  }
  function reversed(key, up) {
    var cmp = compare[key], out = [], undated = [];
    for (var i = up.length - 1; i >= 0; i--) {
      if (key === "date" && !dates[up[i]]) { undated.unshift(up[i]); continue; }  // still last
      out.push(up[i]);
    }
    for (var start = 0; start < out.length;) {
      var end = start + 1;
      while (end < out.length && cmp(out[start], out[end]) === 0) end++;
      if (end - start > 1) {
        var run = out.slice(start, end).reverse();
        for (var k = 0; k < run.length; k++) out[start + k] = run[k];
      }
      start = end;
    }
    return out.concat(undated);
  }
  function order(value) {
    if (!orders[value]) {
      var s = parse(value), up = "+" + s.key;
      if (!orders[up]) orders[up] = ascending(s.key);
      orders[value] = s.desc ? reversed(s.key, orders[up]) : orders[up];
    }
    return orders[value];
  }

  function showMore() {
    var frag = document.createDocumentFragment();
    var end = Math.min(current.length, pos + PAGE);
    for (; pos < end; pos++) frag.appendChild(rows[current[pos]]);
    tbody.appendChild(frag);
    moreState();
  }

  function moreState() {
    more.hidden = pos >= current.length;
    if (!more.hidden) moreButton.textContent = "Show more (" + pos + " of " + current.length + " shown)";
  }

  function show(list) {
    clearTimeout(trimming);
    current = list;
    pos = 0;
    var body = tbody.cloneNode(false);
    table.replaceChild(body, tbody);
    tbody = body;
    showMore();
  }

  // Take the server-rendered rows past the first PAGE out of the table, from the end, a slice
  // per task (detaching thousands of rows at once is a long task).
  function trim() {
    var keep = Math.min(n, PAGE);
    var stop = Math.max(keep, tbody.rows.length - SLICE);
    var range = document.createRange();
    range.setStartBefore(tbody.rows[stop]);
    range.setEndAfter(tbody.rows[tbody.rows.length - 1]);
    range.deleteContents();
    if (tbody.rows.length > keep) trimming = setTimeout(trim, 0);
    else moreState();
  }

  function nearEnd() {
    return more.getBoundingClientRect().top < window.innerHeight + 800;
  }

  function markSorted(value) {
    var s = parse(value);
    for (var h = 0; h < headers.length; h++) {
      var key = headers[h].getAttribute("data-sort");
      if (!key) continue;
      if (key === s.key) headers[h].setAttribute("aria-sort", s.desc ? "descending" : "ascending");
      else headers[h].removeAttribute("aria-sort");
    }
  }

  function apply() {
    indexAll();
    var needle = q.value.trim().toLowerCase();
    var s = st.value, t = tpSel.value, key = sort.value, tr = trustSel.value;
    var g = sigSel.value ? " " + sigSel.value + " " : "";
    var idx = order(key), list = [];
    for (var j = 0; j < n; j++) {
      var i = idx[j];
      if ((!s || status[i] === s) && (!t || tp[i] === t) && (!tr || trust[i] === tr) && (!g || sigs[i].indexOf(g) !== -1) && (!needle || lower[i].indexOf(needle) !== -1)) {
        list.push(i);
      }
    }
    var stateKey = [needle, s, t, g, key, tr].join("\u0000");
    if (stateKey !== shownKey) {
      shownKey = stateKey;
      show(list);
    }
    markSorted(key);
    count.textContent = list.length === n ? n + " packages" : list.length + " of " + n + " packages match";
    none.hidden = list.length !== 0;
  }

  function save() {
    var params = new URLSearchParams();
    if (q.value) params.set("q", q.value);
    if (st.value) params.set("status", st.value);
    if (tpSel.value) params.set("tp", tpSel.value);
    if (sigSel.value) params.set("signal", sigSel.value);
    if (trustSel.value) params.set("trust", trustSel.value);
    if (sort.value !== "rank") params.set("sort", sort.value);
    var search = params.toString();
    history.replaceState(null, "", (search ? "?" + search : location.pathname) + location.hash);
  }

  function load() {
    var params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    st.value = valid(st, params.get("status") || "");
    tpSel.value = valid(tpSel, params.get("tp") || "");
    sigSel.value = valid(sigSel, params.get("signal") || "");
    trustSel.value = valid(trustSel, params.get("trust") || "");
    sort.value = valid(sort, params.get("sort") || "rank");
  }

  function update() { apply(); save(); }

  // Sortable column headers: a button per sortable header; again reverses.
  headers.forEach(function (th) {
    var key = th.getAttribute("data-sort");
    if (!key) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.appendChild(th.firstChild);  // the header's text (a legend link stays beside it)
    th.insertBefore(button, th.firstChild);
    button.addEventListener("click", function () {
      var s = parse(sort.value);
      sort.value = unparse(key, s.key === key ? !s.desc : false);
      update();
    });
  });

  function openLegend() { if (legend && location.hash === "#legend") legend.open = true; }
  window.addEventListener("hashchange", openLegend);
  openLegend();

  moreButton.addEventListener("click", showMore);
  if (window.IntersectionObserver) {
    new IntersectionObserver(function (entries) {
      if (!entries[0].isIntersecting || more.hidden) return;
      showMore();
      // Still in view (a tall screen): keep filling, a page per frame.
      requestAnimationFrame(function fill() { if (!more.hidden && nearEnd()) { showMore(); requestAnimationFrame(fill); } });
    }, { rootMargin: "800px 0px" }).observe(more);
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  load();
  form.hidden = false;
  shownKey = ["", "", "", "", "rank", ""].join("\u0000");  // the server-rendered rows
  var plain = !q.value && !st.value && !tpSel.value && !sigSel.value && !trustSel.value && sort.value === "rank";
  if (plain) {
    // Nothing to change: index the rows in slices, between frames, before the first input,
    // then keep only the first PAGE of them in the table.
    markSorted("rank");
    count.textContent = n + " packages";
    current = order("rank");
    pos = Math.min(n, PAGE);
    (function step() {
      index(SLICE * 2);
      if (indexed < n) setTimeout(step, 0);
      else if (n > PAGE) trimming = setTimeout(trim, 0);
    })();
  } else {
    apply();
  }
})();

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
  if (!form || !input || !list || !count || !form.getAttribute("data-index")) return;
  var urls = JSON.parse(form.getAttribute("data-index"));
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

// Overview: the visible toggle that leaves deprecated/archived packages out of the headline
// share (issue 11); the numbers are the snapshot's own (summary.attested_percent_active).
(function () {
  var form = document.getElementById("active-toggle");
  var box = document.getElementById("active-only");
  if (!form || !box) return;
  function apply() {
    var all = document.querySelectorAll(".share-all"), active = document.querySelectorAll(".share-active");
    for (var i = 0; i < all.length; i++) all[i].hidden = box.checked;
    for (var j = 0; j < active.length; j++) active[j].hidden = !box.checked;
  }
  box.addEventListener("change", apply);
  form.hidden = false;
  apply();
})();
