"""The report page's inline style and script, and the colours the chart and the page share.

Both travel inside the one HTML file: no network, no external assets. The page's Content-Security-Policy
allows exactly these two blocks (by hash) and nothing else, so even a mistake in escaping could not run
a script an episode smuggled in.
"""

from __future__ import annotations

COLOURS = {
    "edit": "#3b82f6",
    "save": "#0d9488",
    "error": "#dc2626",
    "warning": "#f59e0b",
    "pass": "#16a34a",
    "fail": "#dc2626",
    "muted": "#94a3b8",
    "git": "#7c3aed",
    "file": "#64748b",
    "note": "#ea580c",
}

KIND_COLOURS = {
    "edit": COLOURS["edit"], "cursor": "#93c5fd", "save": COLOURS["save"], "open": COLOURS["file"],
    "close": COLOURS["file"], "file_change": COLOURS["file"], "diagnostics": COLOURS["warning"],
    "test_run": COLOURS["pass"], "command": "#0f172a", "git": COLOURS["git"], "note": COLOURS["note"],
    "task": COLOURS["note"], "gap": "#475569", "redaction": "#be185d",
}

_KIND_CSS = "\n".join(f".k-{kind}{{--kind:{colour}}}" for kind, colour in KIND_COLOURS.items())

STYLE = """
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--accent:#3b82f6;
--ok:#16a34a;--fail:#dc2626;--warn:#d97706;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:0 20px 40px}
header.top{background:#0f172a;color:#e2e8f0;padding:18px 0 20px;margin-bottom:18px}
header.top .inner{max-width:1240px;margin:0 auto;padding:0 20px}
.brand{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#94a3b8}
h1{font-size:22px;margin:4px 0 2px;font-weight:650;word-break:break-all}
h1 .id{font:13px var(--mono);color:#94a3b8;font-weight:400;margin-left:8px}
.task{margin:10px 0 0;padding:8px 12px;background:#1e293b;border-left:3px solid #f59e0b;border-radius:4px;
white-space:pre-wrap;word-break:break-word;max-height:9em;overflow:auto}
.task b{color:#fbbf24;font-weight:600;margin-right:6px}
h2{font-size:16px;margin:26px 0 10px;display:flex;align-items:baseline;gap:10px}
h2 small{font-weight:400;color:var(--muted);font-size:13px}
section.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:6px 24px;margin:0}
dl.facts div{display:flex;gap:10px;min-width:0}
dl.facts dt{color:var(--muted);width:92px;flex:none}
dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
.mono{font-family:var(--mono);font-size:12.5px}
.badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600;line-height:19px}
.badge.ok{background:#dcfce7;color:#166534}.badge.fail{background:#fee2e2;color:#991b1b}
.badge.none{background:#f1f5f9;color:#475569}.badge.warn{background:#fef3c7;color:#92400e}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(118px,1fr));gap:10px;margin-top:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;
border-top:3px solid var(--kind,#cbd5e1)}
.card .n{font-size:21px;font-weight:650;font-variant-numeric:tabular-nums}
.card .l{color:var(--muted);font-size:12px}
.card .n small{font-size:13px;color:var(--muted);font-weight:500}
.card .bad{color:var(--fail)}.card .n .good{color:var(--ok)}
.alert{margin:12px 0 0;padding:9px 12px;border-radius:6px;background:#fef3c7;border:1px solid #fcd34d;
color:#78350f}
.alert.bad{background:#fee2e2;border-color:#fca5a5;color:#7f1d1d}
#timeline{display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
#timeline .band{fill:#fff}#timeline .band.alt{fill:#f8fafc}
#timeline .lane{font-size:12.5px;font-weight:600;fill:#0f172a}
#timeline .sub{font-size:10.5px;fill:#64748b}
#timeline .none{font-size:11px;fill:#94a3b8;font-style:italic}
#timeline .tick{font-size:11px;fill:#64748b;text-anchor:middle}
#timeline .grid{stroke:#e2e8f0;stroke-width:1}#timeline .axis{stroke:#94a3b8;stroke-width:1}
#timeline .col{fill:transparent;cursor:pointer}#timeline .col:hover{fill:rgba(59,130,246,.12)}
#timeline .col.picked{fill:rgba(59,130,246,.18);stroke:#3b82f6;stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;color:var(--muted);font-size:12px;margin:8px 0 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;
vertical-align:-1px;background:var(--kind)}
.legend i.lg-error{background:#dc2626}.legend i.lg-warning{background:#f59e0b}
.legend i.lg-pass{background:#16a34a;border-radius:50%}.legend i.lg-fail{background:#dc2626;border-radius:50%}
.legend i.gapkey{background:repeating-linear-gradient(45deg,#94a3b8 0 2px,#e2e8f0 2px 5px)}
.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:10px}
button{font:inherit;font-size:12.5px;border:1px solid #cbd5e1;background:#fff;border-radius:6px;
padding:3px 10px;cursor:pointer;color:var(--fg)}
button:hover{background:#f1f5f9}button:disabled{opacity:.45;cursor:default}
details.file{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:#fff}
details.file>summary{cursor:pointer;padding:7px 10px;display:flex;gap:10px;align-items:center;
list-style:none;flex-wrap:wrap}
details.file>summary::-webkit-details-marker{display:none}
details.file>summary:before{content:"\\25B8";color:var(--muted);width:10px}
details.file[open]>summary:before{content:"\\25BE"}
details.file[open]>summary{border-bottom:1px solid var(--line)}
.path{font-family:var(--mono);font-size:12.5px;overflow-wrap:anywhere;flex:1 1 260px;min-width:0}
.status{font-size:11px;text-transform:uppercase;letter-spacing:.04em;font-weight:700;padding:1px 6px;
border-radius:4px;background:#f1f5f9;color:#475569;flex:none}
.status.created{background:#dcfce7;color:#166534}.status.deleted{background:#fee2e2;color:#991b1b}
.status.modified{background:#dbeafe;color:#1e40af}
.delta{font:12px var(--mono);flex:none}.delta .a{color:var(--ok)}.delta .d{color:var(--fail)}
.blocks{display:inline-flex;gap:1px;vertical-align:middle;margin-left:4px}
.blocks i{width:8px;height:8px;background:#e2e8f0;display:block}
.blocks i.a{background:#22c55e}.blocks i.d{background:#ef4444}
.act{color:var(--muted);font-size:12px;flex:none}
.note{padding:6px 10px;color:#92400e;background:#fffbeb;font-size:12.5px}
pre.diff{margin:0;padding:6px 0;overflow-x:auto;font:12px/1.5 var(--mono);tab-size:4;max-height:640px}
pre.diff span{display:block;padding:0 12px;white-space:pre;min-width:max-content}
pre.diff .a{background:#ecfdf5;color:#065f46}pre.diff .d{background:#fef2f2;color:#991b1b}
pre.diff .h{background:#eff6ff;color:#1e40af}pre.diff .m{color:#64748b}
.cut{margin:0;padding:6px 12px;color:var(--muted);font-size:12px;border-top:1px dashed var(--line)}
#step-search{font:inherit;padding:6px 10px;border:1px solid #cbd5e1;border-radius:6px;width:380px;
max-width:100%}
#step-search:focus{outline:2px solid #93c5fd;border-color:#3b82f6}
.chips{display:flex;flex-wrap:wrap;gap:6px}
.chip{border-radius:12px;padding:1px 9px;font-size:12px;border-color:var(--kind)}
.chip[aria-pressed=false]{opacity:.4;text-decoration:line-through}
.chip:before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;
background:var(--kind);margin-right:5px}
#window-chip{background:#eff6ff;border-color:#93c5fd}
#step-count{color:var(--muted);font-size:12.5px;margin-left:auto}
.scroll{max-height:620px;overflow:auto;border:1px solid var(--line);border-radius:6px}
table.steps{width:100%;border-collapse:collapse;table-layout:fixed;font-size:12.5px}
table.steps th{text-align:left;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);
padding:5px 8px;position:sticky;top:0;background:#fff;z-index:1}
table.steps td{padding:3px 8px;border-bottom:1px solid #f1f5f9;vertical-align:top;overflow:hidden;
text-overflow:ellipsis;white-space:nowrap}
table.steps td.what{white-space:normal;overflow-wrap:anywhere}
table.steps tr:hover td{background:#f8fafc}
table.steps col.c-step{width:96px}table.steps col.c-time{width:100px}table.steps col.c-kind{width:108px}
table.steps col.c-path{width:24%}
td.num{font-family:var(--mono);color:var(--muted);font-size:12px}
td.kind span{display:inline-block;padding:0 6px;border-radius:4px;font-size:11.5px;font-weight:600;
color:#fff;background:var(--kind,#64748b)}
tr.fail td.what{color:#b91c1c;font-weight:600}tr.ok td.what{color:#15803d}tr.warn td.what{color:#b45309}
td.path{font-family:var(--mono);font-size:12px}
.pager{display:flex;gap:8px;align-items:center;justify-content:flex-end;margin-top:10px;
color:var(--muted);font-size:12.5px}
.empty{padding:18px;text-align:center;color:var(--muted)}
.capnote{margin:0 0 10px;color:#92400e;font-size:12.5px}
footer{max-width:1240px;margin:0 auto;padding:10px 20px 30px;color:var(--muted);font-size:12px}
""" + _KIND_CSS

SCRIPT = """
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
      tr.className = r[6];
      cell(tr, "num", r[1] > r[0] ? "#" + r[0] + "\\u2013" + r[1] : "#" + r[0]);
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
    pageInfo.textContent = matches.length ? "rows " + fmt(page * PAGE + 1) + "\\u2013" + fmt(end) +
      " of " + fmt(matches.length) : "";
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function update() { filter(); page = 0; render(); }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      terms = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
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
    windowChip.textContent = clock(win[0]) + " \\u2013 " + clock(win[1]) + "  \\u00d7";
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
"""
