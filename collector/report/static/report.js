// The report page's script, inlined into every page and allowed there by its hash (assets.py).
// It reads the step list from the JSON block #steps-data and writes only with textContent.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var rows = data.rows, PAGE = 200;
  var hay = rows.map(function (r) {
    return ("#" + r[0] + " " + r[3] + " " + r[4] + " " + r[5]).toLowerCase();
  });
  var search = document.getElementById("step-search");
  var body = document.getElementById("step-rows");
  var count = document.getElementById("step-count");
  var pageInfo = document.getElementById("page-info");
  var prev = document.getElementById("page-prev"), next = document.getElementById("page-next");
  var windowChip = document.getElementById("window-chip");
  var off = new Set(), terms = [], win = null, page = 0, matches = [], timer = 0;

  function pad(n, w) { n = String(n); while (n.length < w) { n = "0" + n; } return n; }
  function clock(ms) {
    var s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60);
    return h + ":" + pad(m % 60, 2) + ":" + pad(s % 60, 2) + "." + pad(ms % 1000, 3);
  }
  function fmt(n) { return n.toLocaleString("en-US"); }
  function cell(tr, cls, text) {
    var td = document.createElement("td");
    td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function filter() {
    matches = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (off.has(r[3])) { continue; }
      if (win && (r[2] < win[0] || r[2] >= win[1])) { continue; }
      var ok = true;
      for (var j = 0; j < terms.length; j++) {
        if (hay[i].indexOf(terms[j]) < 0) { ok = false; break; }
      }
      if (ok) { matches.push(i); }
    }
  }
  function render() {
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    page = Math.min(page, pages - 1);
    var frag = document.createDocumentFragment();
    var end = Math.min(matches.length, (page + 1) * PAGE);
    for (var k = page * PAGE; k < end; k++) {
      var i = matches[k], r = rows[i];
      var tr = document.createElement("tr");
      tr.className = r[6] + (r[7] ? " under" : "");
      cell(tr, "num", r[1] > r[0] ? "#" + r[0] + "\u2013" + r[1] : "#" + r[0]);
      cell(tr, "num", clock(r[2]));
      var kind = cell(tr, "kind k-" + r[3], "");
      var badge = document.createElement("span");
      badge.textContent = r[3];
      kind.appendChild(badge);
      cell(tr, "path", r[4]).title = r[4];
      cell(tr, "what", r[5]);
      frag.appendChild(tr);
    }
    body.replaceChildren(frag);
    body.setAttribute("data-query", terms.join(" "));
    if (!matches.length) {
      var empty = document.createElement("tr"), td = cell(empty, "empty", "no step matches");
      td.colSpan = 5;
      body.appendChild(empty);
    }
    count.textContent = matches.length === rows.length ? fmt(rows.length) + " rows"
      : fmt(matches.length) + " of " + fmt(rows.length) + " rows match";
    pageInfo.textContent = matches.length ? "rows " + fmt(page * PAGE + 1) + "\u2013" + fmt(end) +
      " of " + fmt(matches.length) : "";
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function update() { filter(); page = 0; render(); }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      update();
    }, 60);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== search) { e.preventDefault(); search.focus(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".chip[data-kind]"), function (chip) {
    chip.addEventListener("click", function () {
      var kind = chip.getAttribute("data-kind"), on = off.has(kind);
      if (on) { off.delete(kind); } else { off.add(kind); }
      chip.setAttribute("aria-pressed", String(on));
      update();
    });
  });
  prev.addEventListener("click", function () { page -= 1; render(); });
  next.addEventListener("click", function () { page += 1; render(); });

  function pick(col) {
    Array.prototype.forEach.call(document.querySelectorAll("#timeline .col.picked"), function (c) {
      c.classList.remove("picked");
    });
    if (!col) {
      win = null;
      windowChip.hidden = true;
      update();
      return;
    }
    col.classList.add("picked");
    win = [Number(col.getAttribute("data-from")), Number(col.getAttribute("data-to"))];
    windowChip.textContent = clock(win[0]) + " \u2013 " + clock(win[1]) + "  \u00d7";
    windowChip.hidden = false;
    update();
    document.getElementById("steps").scrollIntoView({behavior: "smooth"});
  }
  Array.prototype.forEach.call(document.querySelectorAll("#timeline .col"), function (col) {
    col.addEventListener("click", function () { pick(col); });
  });
  windowChip.addEventListener("click", function () { pick(null); });

  function toggleFiles(open) {
    Array.prototype.forEach.call(document.querySelectorAll("details.file"), function (d) { d.open = open; });
  }
  var expand = document.getElementById("files-open"), collapse = document.getElementById("files-close");
  if (expand) { expand.addEventListener("click", function () { toggleFiles(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { toggleFiles(false); }); }

  update();
  document.body.setAttribute("data-ready", "1");
})();
