// The worker status page: polls /status.json and redraws; no framework, no build step.
"use strict";

const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

function fmt(n, digits = 1) {
  if (n === undefined || n === null || Number.isNaN(n)) return "–";
  return Number(n).toFixed(digits);
}

function pct(x) {
  return x === undefined ? "–" : (100 * x).toFixed(1) + " %";
}

function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
}

function duration(s) {
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : m ? `${m} min` : `${Math.round(s)} s`;
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function fill(tbody, items, render, emptyText, columns) {
  tbody.replaceChildren();
  if (!items.length) {
    const tr = document.createElement("tr");
    tr.className = "empty";
    cell(tr, emptyText).colSpan = columns;
    tbody.appendChild(tr);
    return;
  }
  for (const item of items) tbody.appendChild(render(item));
}

function eventRow(event) {
  const tr = document.createElement("tr");
  tr.className = "event";
  tr.dataset.eventId = event.event_id;
  const title = cell(tr, event.title || event.event_id);
  title.title = event.event_id;
  const names = [...new Set((event.sources || []).map((s) => s.name).filter(Boolean))];
  cell(tr, names.join(", "), "sources");
  cell(tr, event.article_count, "num");
  cell(tr, time(event.updated_at));
  return tr;
}

function deadletterRow(dl) {
  const tr = document.createElement("tr");
  tr.className = "deadletter";
  cell(tr, time(dl.failed_at));
  cell(tr, dl.stage);
  cell(tr, dl.reason);
  cell(tr, dl.message);
  return tr;
}

function lagRow(p) {
  const tr = document.createElement("tr");
  cell(tr, p.topic);
  cell(tr, p.partition, "num");
  cell(tr, p.lag, "num");
  return tr;
}

function polyline(svg, values, max, height, cls) {
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  const step = values.length > 1 ? 600 / (values.length - 1) : 600;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 6)).toFixed(1)}`);
  line.setAttribute("points", points.join(" "));
  line.setAttribute("class", cls);
  svg.appendChild(line);
}

function chart(svg, series, keys, height) {
  svg.replaceChildren();
  if (series.length < 2) return;
  const max = Math.max(1e-9, ...series.flatMap((p) => keys.map(([k]) => p[k] || 0)));
  for (const [key, cls] of keys) polyline(svg, series.map((p) => p[key] || 0), max, height, cls);
}

function breakdown(status) {
  const list = $("breakdown");
  list.replaceChildren();
  const add = (label, entries) => {
    for (const [k, v] of Object.entries(entries || {})) {
      const li = document.createElement("li");
      li.textContent = `${label} ${k}: ${v}`;
      list.appendChild(li);
    }
  };
  add("dead letter", status.deadletters_by_reason);
  add("duplicate", status.duplicates_by_kind);
}

function render(status) {
  $("app-id").textContent = status.app_id;
  const ready = status.ready || {};
  const badge = $("readiness");
  const failing = Object.entries(ready.checks || {}).filter(([, ok]) => !ok).map(([k]) => k);
  badge.textContent = ready.ok ? "ready" : `not ready: ${failing.join(", ")}`;
  badge.className = "badge " + (ready.ok ? "ok" : "bad");
  $("updated").textContent = time(status.time);
  $("uptime").textContent = duration(status.uptime_s || 0);

  const minute = status.rates["60s"] || {};
  const five = status.rates["300s"] || {};
  $("rate-in").textContent = fmt(minute.ingested_per_s);
  $("rate-out").textContent = fmt(minute.articles_per_s);
  $("error-rate").textContent = pct(five.error_rate);
  $("error-rate").classList.toggle("bad", (five.error_rate || 0) > 0.05);
  $("dup-rate").textContent = pct(five.duplicate_rate);
  $("lag-total").textContent = status.lag.total;
  const t = status.totals;
  $("totals").textContent = `${t.ingested} · ${t.articles} · ${t.deadletters}`;

  chart($("chart"), status.series, [["ingested_per_s", "in"], ["articles_per_s", "out"],
    ["deadletters_per_s", "dead"], ["duplicates_per_s", "dup"]], 120);
  chart($("lag-chart"), status.series, [["lag", "lag"]], 60);
  fill($("events"), status.recent_events, eventRow, "no events yet", 4);
  fill($("deadletters"), status.recent_deadletters, deadletterRow, "none", 4);
  fill($("lag"), status.lag.partitions, lagRow, "no partitions assigned", 3);
  breakdown(status);
}

async function refresh() {
  try {
    const response = await fetch("/status.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
    $("offline").hidden = true;
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes) + 1);
  } catch (error) {
    // The worker restarts or rebalances: say so on the page, keep polling.
    $("offline").hidden = false;
    $("offline").title = String(error);
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}

refresh();
