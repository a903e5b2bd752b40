// The linstor-mock dashboard: plain JavaScript, no dependencies. It reads the admin API
// (/api/v1) and follows /api/v1/events (Server-Sent Events) to stay live.
"use strict";

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 500;
const state = { model: null, streams: new Map(), journal: [], selected: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const r = await fetch(path, init);
  if (!r.ok) {
    let msg = r.status + " " + r.statusText;
    try { msg = (await r.json()).error || msg; } catch (_) { /* not JSON */ }
    throw new Error(msg);
  }
  return r.status === 204 ? null : r.json();
}

function debounce(fn, ms) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

// ---- cluster ----------------------------------------------------------------------------

const streamKey = (node, rsc, vol) => `${node.toLowerCase()}|${rsc.toLowerCase()}|${vol ?? ""}`;

function diskState(node, rsc, vol) {
  const s = state.streams.get(streamKey(node, rsc, vol));
  return s && s.value ? s.value.disk_state : null;
}

function dsClass(ds) {
  if (!ds) return "ds-unknown";
  if (ds === "UpToDate" || ds === "Diskless") return "ds-" + ds;
  return "ds-other";
}

function renderCluster() {
  const m = state.model;
  const box = $("cluster");
  box.replaceChildren();
  if (!m) return;
  const nodes = Object.values(m.nodes);
  if (nodes.length === 0) {
    box.append(el("p", { class: "empty" }, "No nodes. Create some with a client, PUT /api/v1/state, or start with --demo."));
  }
  const pools = m.pools.map(([, p]) => p);
  const rscs = m.rscs.map(([, r]) => r);
  for (const n of nodes) {
    const card = el("div", { class: "node", "data-node": n.name },
      el("h3", {}, n.name, el("span", { class: "type" }, n.node_type)));
    const mine = pools.filter((p) => p.node_name.toLowerCase() === n.name.toLowerCase());
    const onNode = rscs.filter((r) => r.node_name.toLowerCase() === n.name.toLowerCase());
    for (const p of mine) {
      const pool = el("div", { class: "pool" },
        el("div", {}, el("span", { class: "name" }, p.name), " ",
          el("span", { class: "driver" }, p.driver + (p.total_kib ? " · " + size(p.total_kib) : ""))));
      const inPool = onNode.filter((r) => Object.values(r.vlms).some((v) => v.stor_pool.toLowerCase() === p.name.toLowerCase()));
      for (const r of inPool) pool.append(rscRow(n.name, r, p.name));
      if (inPool.length === 0) pool.append(el("div", { class: "empty" }, "no resources"));
      card.append(pool);
    }
    const elsewhere = onNode.filter((r) => !mine.some((p) => Object.values(r.vlms).some((v) => v.stor_pool.toLowerCase() === p.name.toLowerCase())));
    if (elsewhere.length) {
      const pool = el("div", { class: "pool" }, el("div", { class: "name" }, "diskless / no volumes"));
      for (const r of elsewhere) pool.append(rscRow(n.name, r, null));
      card.append(pool);
    }
    box.append(card);
  }
}

function rscRow(node, r, pool) {
  const badges = el("span", {});
  const vols = Object.values(r.vlms).filter((v) => pool === null || v.stor_pool.toLowerCase() === pool.toLowerCase());
  for (const v of vols) {
    const ds = diskState(node, r.rsc_name, v.nr);
    badges.append(el("span", { class: "ds " + dsClass(ds), "data-disk-state": ds || "", title: `volume ${v.nr}` },
      `${v.nr}: ${ds || "…"}`));
  }
  if (vols.length === 0) badges.append(el("span", { class: "ds ds-unknown" }, "no volumes"));
  return el("div", { class: "rsc", "data-rsc": r.rsc_name, "data-node": node }, el("span", { class: "rname" }, r.rsc_name), badges);
}

function size(kib) {
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = kib, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (Math.round(v * 10) / 10) + " " + units[i];
}

function renderRscDfns() {
  const body = $("rscdfns").tBodies[0];
  body.replaceChildren();
  const m = state.model;
  if (!m) return;
  const dfns = Object.values(m.rsc_dfns);
  if (dfns.length === 0) body.append(el("tr", {}, el("td", { colspan: "4", class: "empty" }, "none")));
  for (const d of dfns) {
    const vols = Object.values(d.vlm_dfns).map((v) => `${v.nr}: ${size(v.size_kib)} (minor ${v.minor})`).join(", ") || "—";
    const placed = m.rscs.map(([, r]) => r).filter((r) => r.rsc_name.toLowerCase() === d.name.toLowerCase()).map((r) => r.node_name).join(", ") || "—";
    body.append(el("tr", { "data-rscdfn": d.name }, el("td", {}, d.name), el("td", {}, String(d.port)), el("td", {}, vols), el("td", {}, placed)));
  }
}

const refreshModel = debounce(async () => {
  try {
    const [model, streams] = await Promise.all([api("GET", "/api/v1/state"), api("GET", "/api/v1/streams")]);
    state.model = model;
    state.streams = new Map(streams.map((s) => [streamKey(s.node, s.resource, s.volume), s]));
    renderCluster();
    renderRscDfns();
  } catch (e) { console.error(e); }
}, 100);

// ---- journal ----------------------------------------------------------------------------

function filter() {
  return { call: $("f-call").value.trim(), outcome: $("f-outcome").value };
}

function matches(e, f) {
  return (!f.call || e.call === f.call) && (!f.outcome || e.outcome === f.outcome);
}

function codes(e) {
  return e.answers.flatMap((a) => a.return_codes.map((c) => c.name || c.code)).join(" ");
}

function journalRow(e) {
  const tr = el("tr", { tabindex: "0", "data-seq": String(e.seq), "data-call": e.call },
    el("td", {}, String(e.seq)), el("td", {}, e.time.slice(11, 23)), el("td", {}, String(e.connection)),
    el("td", {}, e.call), el("td", {}, String(e.api_call_id)),
    el("td", { class: "o-" + e.outcome }, e.outcome), el("td", { class: "codes" }, codes(e)),
    el("td", {}, e.duration_ms.toFixed(2)));
  const open = () => showDetail(e, tr);
  tr.addEventListener("click", open);
  tr.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(); }
    if (ev.key === "ArrowDown" && tr.nextElementSibling) { ev.preventDefault(); tr.nextElementSibling.focus(); }
    if (ev.key === "ArrowUp" && tr.previousElementSibling) { ev.preventDefault(); tr.previousElementSibling.focus(); }
  });
  return tr;
}

function showDetail(e, tr) {
  for (const s of document.querySelectorAll("#journal tr.sel")) s.classList.remove("sel");
  tr.classList.add("sel");
  $("detail").hidden = false;
  $("detail-title").textContent = `#${e.seq} ${e.call} (api_call_id ${e.api_call_id}, connection ${e.connection}${e.peer ? " from " + e.peer : ""}): ${e.outcome}`;
  $("detail-request").textContent = JSON.stringify(e.request, null, 2);
  $("detail-answers").textContent = JSON.stringify(e.answers, null, 2);
}

function renderJournal() {
  const f = filter();
  const body = $("journal").tBodies[0];
  const rows = state.journal.filter((e) => matches(e, f)).slice(-MAX_ROWS).reverse();
  body.replaceChildren(...rows.map(journalRow));
  $("journal-count").textContent = `(${rows.length} shown)`;
}

async function loadJournal() {
  const f = filter();
  const q = new URLSearchParams();
  if (f.call) q.set("call", f.call);
  if (f.outcome) q.set("outcome", f.outcome);
  try {
    const [page, count] = await Promise.all([
      api("GET", "/api/v1/journal?" + q), api("GET", "/api/v1/journal/count?" + q)]);
    state.journal = page.entries.slice(-MAX_ROWS);
    renderJournal();
    $("journal-count").textContent = `(${count.count} matching` + (page.dropped ? `, ${page.dropped} dropped by the bound` : "") + ")";
  } catch (e) { $("journal-count").textContent = "(" + e.message + ")"; }
}

function addEntry(e) {
  state.journal.push(e);
  if (state.journal.length > MAX_ROWS * 2) state.journal.splice(0, state.journal.length - MAX_ROWS);
  if (matches(e, filter())) {
    const body = $("journal").tBodies[0];
    body.prepend(journalRow(e));
    while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
  }
  chart.add(e.call);
}

// ---- connections --------------------------------------------------------------------------

const refreshConns = debounce(async () => {
  try {
    const conns = await api("GET", "/api/v1/connections");
    const body = $("conns").tBodies[0];
    body.replaceChildren();
    if (conns.length === 0) body.append(el("tr", {}, el("td", { colspan: "5", class: "empty" }, "no open connections")));
    for (const c of conns) {
      const watches = c.watches.map((w) => `#${w.watch_id} ${w.event_name || "all events"}` +
        [w.node, w.resource, w.volume].filter((x) => x !== null && x !== undefined).map((x) => " " + x).join("")).join("; ") || "—";
      body.append(el("tr", {}, el("td", {}, String(c.id)), el("td", {}, c.peer || "in-memory"),
        el("td", {}, c.since.slice(11, 19)), el("td", {}, String(c.calls)), el("td", {}, watches)));
    }
  } catch (e) { console.error(e); }
}, 200);

// ---- chart: calls per second by call, hand-drawn on a canvas -------------------------------

const chart = {
  seconds: 60,
  buckets: new Map(), // second -> Map(call -> n)
  colors: ["#2457c5", "#1a7f37", "#b42318", "#9a6700", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f"],
  add(call) {
    const s = Math.floor(Date.now() / 1000);
    if (!this.buckets.has(s)) this.buckets.set(s, new Map());
    const b = this.buckets.get(s);
    b.set(call, (b.get(call) || 0) + 1);
  },
  draw() {
    const canvas = $("chart");
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== w * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const now = Math.floor(Date.now() / 1000);
    for (const s of this.buckets.keys()) if (s < now - this.seconds) this.buckets.delete(s);
    const totals = new Map();
    for (const b of this.buckets.values()) for (const [c, n] of b) totals.set(c, (totals.get(c) || 0) + n);
    const calls = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, this.colors.length).map(([c]) => c);
    // Stacked bars, one per second, the busiest calls at the bottom.
    let max = 1;
    for (const b of this.buckets.values()) {
      let sum = 0;
      for (const c of calls) sum += b.get(c) || 0;
      max = Math.max(max, sum);
    }
    const left = 30, bottom = h - 16, top = 8, right = w - 6;
    g.strokeStyle = "#d9dde5"; g.fillStyle = "#667085"; g.font = "11px system-ui, sans-serif";
    g.beginPath(); g.moveTo(left, top); g.lineTo(left, bottom); g.lineTo(right, bottom); g.stroke();
    g.fillText(String(max), 4, top + 8); g.fillText("0", 18, bottom);
    g.fillText("-60 s", left, h - 3); g.fillText("now", right - 20, h - 3);
    const slot = (right - left) / this.seconds;
    const scale = (bottom - top) / max;
    for (let i = 0; i < this.seconds; i++) {
      const b = this.buckets.get(now - this.seconds + 1 + i);
      if (!b) continue;
      let y0 = bottom;
      calls.forEach((c, k) => {
        const n = b.get(c) || 0;
        if (n === 0) return;
        g.fillStyle = this.colors[k];
        g.fillRect(left + i * slot + 1, y0 - n * scale, Math.max(1, slot - 2), n * scale);
        y0 -= n * scale;
      });
    }
    g.lineWidth = 1;
    const legend = $("chart-legend");
    legend.replaceChildren(...calls.map((c, k) => el("span", {}, el("i", { style: "background:" + this.colors[k] }), `${c} (${totals.get(c)})`)));
    if (calls.length === 0) legend.append(el("span", { class: "empty" }, "no calls in the last minute"));
  },
};

// ---- faults -----------------------------------------------------------------------------

function lines(id) {
  return $(id).value.split("\n").map((l) => l.trim()).filter(Boolean);
}

function parseFaults() {
  const fail_calls = lines("fa-fail").map((l) => {
    const [call, code] = l.split("=");
    if (!code) throw new Error(`"${l}": expected CALL=CODE`);
    return { call: call.trim(), code: code.trim() };
  });
  const fail_next = lines("fa-next").map((l) => {
    const m = /^(\w+)\s*=\s*(\w+)\s*\*\s*(\d+)$/.exec(l);
    if (!m) throw new Error(`"${l}": expected CALL=CODE*N`);
    return { call: m[1], code: m[2], count: Number(m[3]) };
  });
  const delay_calls = lines("fa-delaycalls").map((l) => {
    const m = /^(\w+)\s*=\s*(\d+)$/.exec(l);
    if (!m) throw new Error(`"${l}": expected CALL=MS`);
    return { call: m[1], delay_ms: Number(m[2]) };
  });
  const drop = $("fa-drop").value.trim();
  return {
    answer_delay_ms: Number($("fa-delay").value || 0),
    drop_after_frames: drop ? Number(drop) : null,
    refuse_connections: $("fa-refuse").checked,
    fail_calls, fail_next, delay_calls,
  };
}

function showFaults(f) {
  $("fa-delay").value = f.answer_delay_ms;
  $("fa-drop").value = f.drop_after_frames ?? "";
  $("fa-refuse").checked = f.refuse_connections;
  $("fa-fail").value = f.fail_calls.map((x) => `${x.call}=${x.code}`).join("\n");
  $("fa-next").value = f.fail_next.map((x) => `${x.call}=${x.code}*${x.count}`).join("\n");
  $("fa-delaycalls").value = f.delay_calls.map((x) => `${x.call}=${x.delay_ms}`).join("\n");
}

function faultsMsg(text, ok) {
  const m = $("faults-msg");
  m.textContent = text;
  m.className = ok ? "ok" : "err";
}

async function loadFaults() {
  try { showFaults(await api("GET", "/api/v1/faults")); } catch (e) { faultsMsg(e.message, false); }
}

// ---- live updates -----------------------------------------------------------------------

function connect() {
  const es = new EventSource("/api/v1/events");
  es.onopen = () => { $("live").textContent = "live"; $("live").className = "live on"; loadAll(); };
  es.onerror = () => { $("live").textContent = "disconnected"; $("live").className = "live off"; };
  es.addEventListener("journal", (ev) => {
    const e = JSON.parse(ev.data);
    addEntry(e);
    if (!e.call.startsWith("Lst")) refreshModel();
  });
  es.addEventListener("stream", (ev) => {
    const s = JSON.parse(ev.data);
    const key = streamKey(s.node, s.resource, s.volume);
    if (s.action === "Value") state.streams.set(key, s); else state.streams.delete(key);
    renderCluster();
  });
  es.addEventListener("connection", refreshConns);
  es.addEventListener("model", () => { refreshModel(); refreshConns(); });
  es.addEventListener("faults", loadFaults);
  es.addEventListener("lagged", loadAll);
}

async function loadAll() {
  refreshModel();
  refreshConns();
  loadJournal();
  loadFaults();
}

async function init() {
  try {
    const info = await api("GET", "/api/v1/info");
    $("info").textContent = info.controller_info + (info.demo ? " · demo cluster" : "");
    $("call-names").replaceChildren(...info.calls.map((n) => el("option", { value: n })));
  } catch (e) { $("info").textContent = e.message; }
  $("f-call").addEventListener("input", debounce(loadJournal, 200));
  $("f-outcome").addEventListener("change", loadJournal);
  $("clear-journal").addEventListener("click", async () => { await api("DELETE", "/api/v1/journal"); loadJournal(); });
  $("reset").addEventListener("click", async () => {
    try { await api("POST", "/api/v1/reset"); refreshModel(); } catch (e) { alert("Reset failed: " + e.message); }
  });
  $("faults-apply").addEventListener("click", async () => {
    try { showFaults(await api("PUT", "/api/v1/faults", parseFaults())); faultsMsg("applied", true); } catch (e) { faultsMsg(e.message, false); }
  });
  $("faults-clear").addEventListener("click", async () => {
    try { await api("DELETE", "/api/v1/faults"); await loadFaults(); faultsMsg("cleared", true); } catch (e) { faultsMsg(e.message, false); }
  });
  setInterval(() => chart.draw(), 1000);
  chart.draw();
  connect();
  loadAll();
}

init();
