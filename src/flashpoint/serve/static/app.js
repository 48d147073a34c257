/* flashpoint dashboard scripts: written for this project, no third-party code.
 * Rules: article text is never parsed as HTML. Everything built here uses
 * createElement / textContent / setAttribute; there is no innerHTML anywhere. */
"use strict";

const QUADS = ["verbal cooperation", "material cooperation", "verbal conflict", "material conflict"];
const QUAD_COLORS = { "verbal cooperation": "#2a9d8f", "material cooperation": "#1f6f5c",
  "verbal conflict": "#e9a03b", "material conflict": "#c8553d", unknown: "#8d99ae" };
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

/* ---- table rows: the whole row opens the article ---- */
function wireRows() {
  for (const row of document.querySelectorAll("tr[data-href]")) {
    row.addEventListener("click", (ev) => {
      if (ev.target.closest("a")) return;  // real links keep their own target
      window.location.href = row.getAttribute("data-href");
    });
  }
}

/* ---- charts: stacked bars by quad class, one bar per bucket, bars link to events ---- */
function bucketEnd(start, bucket) {
  const d = new Date(start + "T00:00:00Z");
  if (bucket === "week") d.setUTCDate(d.getUTCDate() + 6);
  else if (bucket === "month") { d.setUTCMonth(d.getUTCMonth() + 1); d.setUTCDate(0); }
  return d.toISOString().slice(0, 10);
}

function nextBucket(start, bucket) {
  const d = new Date(start + "T00:00:00Z");
  if (bucket === "week") d.setUTCDate(d.getUTCDate() + 7);
  else if (bucket === "month") d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/* Empty buckets between the first and the last, so the x axis is time, not rank. */
function withGaps(points, bucket) {
  if (points.length < 2) return points;
  const byDate = new Map(points.map((p) => [p.date, p]));
  const out = [];
  const last = points[points.length - 1].date;
  for (let d = points[0].date; d <= last && out.length <= 600; d = nextBucket(d, bucket)) {
    out.push(byDate.get(d) || { date: d, total: 0, by_quad: {} });
  }
  return out.length > 600 ? points : out;
}

function drawChart(box, data) {
  box.replaceChildren();
  const points = withGaps(data.points || [], data.bucket);
  if (!points.length) { box.appendChild(el("p", { class: "empty" }, "No dated events yet.")); return; }
  const W = 1000, H = 240, left = 40, bottom = 22, top = 8;
  const max = Math.max(...points.map((p) => p.total), 1);
  const step = (W - left) / points.length;
  const barW = Math.max(1, Math.min(40, step * 0.8));
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none" });
  for (const frac of [0, 0.5, 1]) {
    const y = top + (H - top - bottom) * (1 - frac);
    chart.appendChild(svg("line", { x1: left, x2: W, y1: y, y2: y, stroke: "#e3e6ea" }));
    const value = max * frac;
    if (!Number.isInteger(value) && value < 10) continue;  // no "0.5 events"
    const label = svg("text", { x: 2, y: y + 3, class: "axis" });
    label.textContent = String(Math.round(value));
    chart.appendChild(label);
  }
  const link = box.getAttribute("data-link") || "/events";
  points.forEach((p, i) => {
    const x = left + i * step + (step - barW) / 2;
    let y = H - bottom;
    const href = link + (link.includes("?") ? "&" : "?") +
      `since=${p.date}&until=${bucketEnd(p.date, data.bucket)}`;
    const group = svg("a", { href: href, class: "bar", "data-date": p.date });
    const keys = [...QUADS, "unknown"];
    for (const q of keys) {
      const n = (p.by_quad || {})[q] || 0;
      if (!n) continue;
      const h = (H - top - bottom) * n / max;
      y -= h;
      const rect = svg("rect", { x: x, y: y, width: barW, height: Math.max(h, 1), fill: QUAD_COLORS[q] });
      const title = svg("title", {});
      title.textContent = `${p.date}: ${n} ${q}`;
      rect.appendChild(title);
      group.appendChild(rect);
    }
    if (p.total) chart.appendChild(group);
    if (points.length <= 12 || i % Math.ceil(points.length / 10) === 0) {
      const label = svg("text", { x: x, y: H - 6, class: "axis" });
      label.textContent = p.date;
      chart.appendChild(label);
    }
  });
  box.appendChild(chart);
  const legend = el("div", { class: "keys" });
  for (const q of QUADS) {
    const item = el("span", {});
    const swatch = el("i", {});
    swatch.style.background = QUAD_COLORS[q];
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(q));
    legend.appendChild(item);
  }
  legend.appendChild(el("span", { class: "muted" }, `${data.total || 0} events by ${data.bucket} (negated and hypothetical left out)`));
  box.appendChild(legend);
}

function loadCharts() {
  for (const box of document.querySelectorAll(".chart[data-src]")) {
    fetch(box.getAttribute("data-src"), { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((data) => drawChart(box, data))
      .catch((err) => { box.replaceChildren(el("p", { class: "error" }, `Chart unavailable: ${err.message}`)); });
  }
}

/* ---- article view: codings on hover or click, focus from ?event= ---- */
function actorText(a) {
  if (!a) return "—";
  return `${a.code}${a.sector ? "·" + a.sector : ""} (${a.name})`;
}

function noteView(key, note) {
  const box = el("div", { class: "note", "data-key": key });
  const dl = el("dl", {});
  const add = (label, value) => {
    if (value === null || value === undefined || value === "" ||
        (Array.isArray(value) && !value.length)) return;
    dl.appendChild(el("dt", {}, label));
    dl.appendChild(el("dd", {}, Array.isArray(value) ? value.join(", ") : value));
  };
  if (note.kind === "event") {
    box.appendChild(el("h3", {}, `Event ${note.type}${note.mode ? " · " + note.mode : ""}`));
    add("quad", note.quad);
    add("source", actorText(note.source));
    add("target", note.target ? actorText(note.target) : null);
    add("date", note.date ? `${note.date} (${note.date_precision || "day"})` : null);
    add("location", note.location ? note.location.name : null);
    add("modality", note.modality.length ? note.modality : "happened");
    add("condition", note.condition ? note.condition.text : null);
    add("contexts", note.contexts);
    add("evidence", note.evidence.text);
    add("chars", `${note.evidence.start}–${note.evidence.end}`);
    add("reported by", note.reported_by);
    add("confidence", note.confidence.toFixed(2));
  } else {
    box.appendChild(el("h3", {}, `Statement (${note.statement_kind}${note.direct ? ", direct quote" : ""})`));
    add("speaker", note.speaker ? note.speaker.text : "unattributed");
    add("resolved to", note.speaker_actor ? actorText(note.speaker_actor) : null);
    add("function", note.function);
    add("cue", note.cue ? note.cue.text : null);
    add("modality", note.modality);
    add("condition", note.condition ? note.condition.text : null);
    add("content", note.content.text);
  }
  box.appendChild(dl);
  return box;
}

function wireArticle() {
  const holder = document.getElementById("annotations");
  const text = document.getElementById("doc-text");
  const panel = document.getElementById("coding-panel");
  if (!holder || !text || !panel) return;
  const notes = JSON.parse(holder.textContent);
  let pinned = false;
  const show = (keys) => {
    panel.replaceChildren(...keys.filter((k) => notes[k]).map((k) => noteView(k, notes[k])));
  };
  const highlight = (key) => {
    for (const node of text.querySelectorAll(".focus")) node.classList.remove("focus");
    const spans = [...text.querySelectorAll("[data-ann]")]
      .filter((s) => s.getAttribute("data-ann").split(" ").includes(key));
    for (const span of spans) span.classList.add("focus");
    if (spans.length) spans[0].scrollIntoView({ block: "center" });
    show([key]);
  };
  for (const span of text.querySelectorAll("[data-ann]")) {
    const keys = span.getAttribute("data-ann").split(" ");
    span.title = keys.map((k) => notes[k] ? (notes[k].kind === "event"
      ? `${notes[k].type}: ${actorText(notes[k].source)} → ${notes[k].target ? actorText(notes[k].target) : "—"}${notes[k].modality.length ? " [" + notes[k].modality.join(", ") + "]" : ""}`
      : `statement: ${notes[k].speaker ? notes[k].speaker.text : "unattributed"}${notes[k].function ? " (" + notes[k].function + ")" : ""}`) : "").join("\n");
    span.addEventListener("mouseenter", () => { if (!pinned) show(keys); });
    span.addEventListener("click", () => { pinned = true; show(keys); });
    span.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { pinned = true; show(keys); } });
  }
  for (const link of document.querySelectorAll(".ann-link")) {
    link.addEventListener("click", (ev) => {
      ev.preventDefault();
      pinned = true;
      highlight(link.getAttribute("data-key"));
    });
  }
  const focus = document.querySelector("article.doc").getAttribute("data-focus");
  if (focus) { pinned = true; highlight(focus); }
}

document.addEventListener("DOMContentLoaded", () => {
  wireRows();
  loadCharts();
  wireArticle();
});
