// The pipeline dashboard: polls /api/dashboard every 2 s, redraws the pipeline's live rates and the charts.
"use strict";

const SERVICES = {
  gateway: [55, 50], pairing: [235, 50], judge: [415, 50], router: [595, 50], labeling: [595, 240],
  merger: [775, 145], trainer: [955, 50], scorer: [955, 240],
};
const HALF_W = 48, HALF_H = 22;
// topic: [from, to]; a topic drawn as the edge between its writer and its reader
const EDGES = [
  ["generations", "gateway", "pairing"], ["pairs", "pairing", "judge"], ["judgments", "judge", "router"],
  ["escalations", "router", "labeling"], ["ai-labels", "router", "merger"], ["human-labels", "labeling", "merger"],
  ["preferences", "merger", "trainer"], ["model-versions", "trainer", "scorer"],
];
const COLORS = ["#3a5bd9", "#d9433a", "#2e9d5b", "#d99a3a", "#8a3ad9", "#3ab7d9", "#555", "#c23ad9"];
const charts = {};

function fmt(x) {
  if (x === undefined || x === null) return "–";
  if (x >= 100) return Math.round(x).toString();
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function drawPipeline(doc) {
  const svg = document.getElementById("pipeline");
  const NS = "http://www.w3.org/2000/svg";
  svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8a94a6"/></marker></defs>';
  for (const [topic, from, to] of EDGES) {
    const [x1, y1] = SERVICES[from], [x2, y2] = SERVICES[to];
    const t = doc.topics[topic] || {};
    const g = document.createElementNS(NS, "g");
    g.setAttribute("class", "edge" + ((t.rate || 0) > 0 ? " live" : ""));
    g.setAttribute("data-topic", topic);
    const sx = x1 + (x2 > x1 ? HALF_W : x2 < x1 ? -HALF_W : 0), sy = y1 + (y2 > y1 ? HALF_H : y2 < y1 ? -HALF_H : 0);
    const ex = x2 + (x1 > x2 ? HALF_W : x1 < x2 ? -HALF_W : 0), ey = y2 + (y1 > y2 ? HALF_H : y1 < y2 ? -HALF_H : 0);
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", `M ${sx} ${sy} L ${ex} ${ey}`);
    g.appendChild(path);
    // two short lines beside the edge: the topic, then its live rate and total
    const vertical = sx === ex;
    const lx = (sx + ex) / 2 + (vertical ? 8 : 0), ly = (sy + ey) / 2 - (vertical ? 4 : 18);
    [[topic, "topic"], [`${fmt(t.rate || 0)}/s · ${Math.round(t.total || 0)}`, "rate"]].forEach(([text, cls], i) => {
      const label = document.createElementNS(NS, "text");
      label.setAttribute("x", lx);
      label.setAttribute("y", ly + i * 12);
      label.setAttribute("class", cls);
      if (vertical) label.setAttribute("text-anchor", "start");
      label.textContent = text;
      g.appendChild(label);
    });
    svg.appendChild(g);
  }
  for (const [name, [x, y]] of Object.entries(SERVICES)) {
    const s = doc.services[name] || {};
    const g = document.createElementNS(NS, "g");
    g.setAttribute("class", "svc");
    g.setAttribute("id", "svc-" + name);
    g.innerHTML = `<rect x="${x - HALF_W}" y="${y - HALF_H}" width="${2 * HALF_W}" height="${2 * HALF_H}"></rect>
      <text x="${x}" y="${y - 3}">${name}</text>
      <text class="sub" x="${x}" y="${y + 13}">lag ${Math.round(s.lag || 0)} · err ${Math.round(s.errors || 0)}</text>`;
    svg.appendChild(g);
  }
}

function chart(id, title, names, data, opts = {}) {
  const el = document.getElementById(id);
  const key = names.join("|");
  const width = Math.max(300, el.clientWidth || 420);
  if (!charts[id] || charts[id].key !== key) {
    if (charts[id]) charts[id].plot.destroy();
    const series = [opts.x || {}].concat(names.map((n, i) => ({
      label: n, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true,
      points: { show: !!opts.points }, ...(opts.series || {}), ...(opts.style ? opts.style(n, i) : {}),
    })));
    const plot = new uPlot({
      width, height: 200, series,
      scales: opts.scales || { x: { time: opts.time !== false } },
      axes: opts.axes,
      ...(opts.legend ? { legend: opts.legend } : {}),
    }, data, el);
    charts[id] = { plot, key };
  } else {
    charts[id].plot.setData(data);
  }
}

function seriesChart(id, t, groups, opts) {
  const names = Object.keys(groups);
  if (names.length === 0) {
    groups = { "(none yet)": t.map(() => null) };
  }
  chart(id, id, Object.keys(groups), [t].concat(Object.values(groups)), opts);
}

// Judge quality: one colour per judge model · prompt version; for each, the measures given (solid, then dashed).
function judgeChart(id, t, quality, measures, opts = {}) {
  const keys = [...new Set(measures.flatMap((m) => Object.keys(quality[m.key] || {})))].sort();
  const groups = {}, styles = {};
  keys.forEach((k, ki) => measures.forEach((m) => {
    const values = (quality[m.key] || {})[k];
    if (!values) return;
    const name = measures.length > 1 || m.always ? `${k} ${m.label}` : k;
    groups[name] = values;
    styles[name] = { stroke: COLORS[ki % COLORS.length], width: m.dash ? 1 : 2, dash: m.dash };
  }));
  seriesChart(id, t, groups, { ...opts, legend: { live: false }, style: (n) => styles[n] || {} });
}

async function refresh() {
  try {
    const res = await fetch("/api/dashboard", { cache: "no-store" });
    const doc = await res.json();
    drawPipeline(doc);
    const t = doc.t;
    const s = doc.series;
    seriesChart("chart-lag", t, s.lag);
    const routing = Object.assign({}, s.escalations_per_min, s.ai_labels_per_min);
    seriesChart("chart-escalations", t, routing);
    seriesChart("chart-queue", t, s.queue_depth);
    seriesChart("chart-agreement", t, { agreement: s.agreement }, { scales: { x: { time: true }, y: { range: [0, 1] } } });
    seriesChart("chart-position", t, { "position-inconsistent": s.position_inconsistency }, { scales: { x: { time: true }, y: { range: [0, 1] } } });
    const q = doc.judge_quality || {};
    const unit = { scales: { x: { time: true }, y: { range: [0, 1] } } };
    judgeChart("chart-judge-agreement", t, q, [
      { key: "audit_agreement", label: "agreement" },
      { key: "audit_agreement_low", label: "low", dash: [4, 4] },
      { key: "audit_agreement_high", label: "high", dash: [4, 4] }], unit);
    judgeChart("chart-judge-calibration", t, q, [
      { key: "position_inconsistency", label: "position inconsistency" },
      { key: "ece", label: "ECE", dash: [6, 3] }], unit);
    judgeChart("chart-judge-votes", t, q, [{ key: "votes_per_pair", label: "votes per pair" }]);
    const v = doc.versions;
    const xs = v.map((_, i) => i + 1);
    chart("chart-versions", "versions", ["gold accuracy"], [xs.length ? xs : [1], v.length ? v.map(x => x.accuracy) : [null]], {
      time: false, points: true,
      x: { label: "version" },
      scales: { x: { time: false, range: () => [0.5, Math.max(1, v.length) + 0.5] }, y: { range: [0.4, 1] } },
      axes: [{ splits: () => (xs.length ? xs : [1]), values: (u, vals) => vals.map(i => (v[Math.round(i) - 1] || {}).version || "") }, {}],
    });
    document.getElementById("status").textContent =
      `${t.length} samples · ${v.length} model version(s) · updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.samples = t.length;
  } catch (e) {
    document.getElementById("status").textContent = "cannot reach /api/dashboard: " + e;
  }
}

refresh();
setInterval(refresh, 2000);
