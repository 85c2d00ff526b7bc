// The review server's one HTML page: a table of the folder's lines that re-reads /api/lines whenever the
// server's event stream says the folder changed (docs/review-server.md, "Refreshing"). Inline script and
// style only, so its Content-Security-Policy can forbid everything but its own origin's JSON and events.

/**
 * The review page's policy: inline script and style, JSON and events from its own origin, nothing else.
 * The server sends it as a header with frame-ancestors added (a <meta> policy cannot carry that one).
 */
export const REVIEW_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: dark; --fg: #e6e6e6; --dim: #9aa0a6; --bg: #1b1d21; --row: #23262b; --line: #33373d; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; gap: 1em; align-items: baseline; padding: 12px 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 16px; margin: 0; }
#folder { color: var(--dim); font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
#live { margin-left: auto; color: var(--dim); white-space: nowrap; }
#live.on::before { content: "● "; color: #5fbf6f; }
#live.off::before { content: "● "; color: #d9534f; }
#filter { background: var(--row); color: var(--fg); border: 1px solid var(--line); padding: 4px 8px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--dim); font-weight: 500; position: sticky; top: 0; background: var(--bg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: #8ab4f8; }
.dir { color: var(--dim); }
.status { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; }
.done { background: #244d2c; } .failed { background: #5c2323; } .running { background: #24445c; }
.pending { background: #4a4330; } .duplicate { background: #3a3a3a; }
.err { color: #f2a7a7; font-size: 12px; } .fix { color: var(--dim); font-size: 12px; }
#empty { padding: 24px 16px; color: var(--dim); }
`;

// Plain DOM, no framework: the page is one table and one event stream, and it must load with no network.
const SCRIPT = `
"use strict";
const $ = (s) => document.querySelector(s);
const rows = $("#rows"), live = $("#live"), filter = $("#filter");
let lines = [], fetching = null, again = false;

function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return Math.round(s) + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return new Date(iso).toLocaleString();
}
function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const k of kids) if (k != null) e.append(k);
  return e;
}
function cell(...kids) { return el("td", {}, ...kids); }
function numCell(v, digits) { return el("td", { className: "num" }, v == null ? "—" : digits ? v.toFixed(digits) : String(v)); }
const link = (l) => "/preview/" + l.id.split("/").map(encodeURIComponent).join("/");

function render() {
  const q = filter.value.trim().toLowerCase();
  const shown = lines.filter((l) => !q || (l.dir + "/" + l.name + " " + l.status + " " + (l.model || "")).toLowerCase().includes(q));
  rows.replaceChildren(...shown.map((l) => {
    const name = el("td", {}, l.dir ? el("span", { className: "dir" }, l.dir + "/") : null,
      l.layer ? el("a", { href: link(l), title: "open the preview of " + l.layer }, l.name) : l.name);
    const status = el("td", {}, el("span", { className: "status " + l.status }, l.status + (l.stage ? " · " + l.stage : "")));
    if (l.error) status.append(el("div", { className: "err" }, l.error.code + ": " + l.error.message),
      l.error.fix ? el("div", { className: "fix" }, l.error.fix) : null);
    if (l.duplicateOf) status.append(el("div", { className: "fix" }, "same as " + l.duplicateOf));
    const tr = el("tr", {}, name, status, numCell(l.frames), numCell(l.seconds, 2), cell(l.model || "—"),
      el("td", { title: l.when }, ago(l.when)));
    tr.dataset.id = l.id;
    tr.dataset.status = l.status;
    return tr;
  }));
  $("#empty").hidden = lines.length > 0;
  document.title = lines.length + " lines · a2f review";
}

// One request at a time; events that arrive meanwhile ask for one more read after it.
async function refresh() {
  if (fetching) { again = true; return fetching; }
  fetching = (async () => {
    do {
      again = false;
      try {
        const r = await fetch("/api/lines", { cache: "no-store" });
        const body = await r.json();
        lines = body.lines;
        $("#folder").textContent = body.folder;
        render();
      } catch (err) {
        live.textContent = "cannot read the folder: " + err.message;
      }
    } while (again);
    fetching = null;
  })();
  return fetching;
}

function connect() {
  const es = new EventSource("/api/events");
  es.addEventListener("open", () => { live.className = "on"; live.textContent = "live"; refresh(); });
  es.addEventListener("lines", () => refresh());
  // EventSource reconnects by itself (the server asks for 2 s); the page says so meanwhile.
  es.addEventListener("error", () => { live.className = "off"; live.textContent = "reconnecting…"; });
}

filter.addEventListener("input", render);
setInterval(() => { if (lines.length) render(); }, 30000);
refresh().then(connect);
`;

/** The review page: the table fills from /api/lines, and again on every "lines" event from /api/events. */
export function reviewPageHtml(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REVIEW_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>a2f review</title><style>${STYLE}</style></head>
<body><header><h1>a2f review</h1><span id="folder"></span><input id="filter" type="search" placeholder="filter" aria-label="filter lines">
<span id="live">connecting…</span></header>
<table><thead><tr><th>line</th><th>status</th><th class="num">frames</th><th class="num">seconds</th>
<th>model</th><th>when</th></tr></thead>
<tbody id="rows"></tbody></table><div id="empty">No lines yet: layers written into this folder appear here as they land.</div>
<script>${SCRIPT}</script></body></html>
`;
}
