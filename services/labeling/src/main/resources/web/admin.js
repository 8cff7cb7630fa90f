// rlaif labeling admin page: queue depth, throughput and agreement. Plain JavaScript, no build step.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let token = localStorage.getItem('rlaif.admin.token');
  const fmt = (v, pct) => v === null || v === undefined ? '–' : pct ? Math.round(v * 100) + '%' : v.toFixed(2);

  async function get(path) {
    const r = await fetch(path, { headers: { 'Authorization': 'Bearer ' + token } });
    if (r.status === 401 || r.status === 403) { throw new Error(r.status === 403 ? 'admins only' : 'unknown token'); }
    return r.json();
  }

  function row(cells, tag) {
    const tr = document.createElement('tr');
    for (const c of cells) { const td = document.createElement(tag || 'td'); td.textContent = c; tr.append(td); }
    return tr;
  }

  async function refresh() {
    const [q, a] = await Promise.all([get('/api/stats/queue'), get('/api/stats/annotators')]);
    $('k-waiting').textContent = q.waiting;
    $('k-hour').textContent = q.labels_last_hour;
    $('k-fleiss').textContent = fmt(a.fleiss_kappa);
    $('k-ai').textContent = fmt(a.ai_agreement_on_audits, true) + (a.audit_labels ? ` (n=${a.audit_labels})` : '');
    const states = ['OPEN', 'LEASED', 'DEFERRED', 'DONE'];
    const depth = $('depth'); depth.replaceChildren(row(['reason'].concat(states.map((s) => s.toLowerCase())), 'th'));
    for (const [reason, counts] of Object.entries(q.depth_by_reason)) {
      depth.append(row([reason.toLowerCase().replace(/_/g, ' ')].concat(states.map((s) => counts[s] || 0))));
    }
    const max = Math.max(1, ...q.labels_per_hour_24h);
    const bars = $('hourly'); bars.replaceChildren();
    q.labels_per_hour_24h.forEach((n, i) => {
      const d = document.createElement('div'); d.style.height = (100 * n / max) + '%';
      d.title = `${n} labels, ${24 - i} h ago`; bars.append(d);
    });
    const t = $('annotators');
    t.replaceChildren(row(['annotator', 'labels', 'last hour', 'median time', 'shared tasks', 'agreement with peers',
      "Cohen's κ vs peers", "Fleiss' κ on shared", 'audits', 'agreement with AI', "Cohen's κ vs AI", 'reliability (Dawid–Skene, 95%)',
      'gold accuracy (95%)'], 'th'));
    for (const r of a.annotators) {
      t.append(row([r.annotator_id + (r.simulated ? ' (simulated)' : ''), r.labels, r.labels_last_hour,
        r.median_time_ms === null ? '–' : (r.median_time_ms / 1000).toFixed(1) + ' s', r.shared_tasks,
        fmt(r.peer_agreement, true), fmt(r.cohen_kappa_vs_peers), fmt(r.fleiss_kappa_on_shared), r.audit_labels,
        fmt(r.ai_agreement_on_audits, true), fmt(r.ai_kappa_on_audits),
        r.reliability === null || r.reliability === undefined ? '–'
          : `${fmt(r.reliability, true)} (${fmt(r.reliability_low, true)}–${fmt(r.reliability_high, true)})`,
        r.gold_accuracy === null || r.gold_accuracy === undefined ? '–'
          : `${fmt(r.gold_accuracy, true)} (${fmt(r.gold_accuracy_low, true)}–${fmt(r.gold_accuracy_high, true)}, n=${r.gold_answers})`]));
    }
  }

  async function start() {
    try {
      const me = await get('/api/me');
      if (me.role !== 'admin') { throw new Error('admins only'); }
      $('who').textContent = me.id; $('login').hidden = true; $('stats').hidden = false; $('signout').hidden = false;
      await refresh();
      setInterval(() => refresh().catch(() => {}), 5000);
    } catch (e) {
      localStorage.removeItem('rlaif.admin.token');
      $('login').hidden = false; $('stats').hidden = true; $('login-error').textContent = token ? e.message : '';
    }
  }

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault(); token = $('token').value.trim(); localStorage.setItem('rlaif.admin.token', token); start();
  });
  $('signout').addEventListener('click', () => { localStorage.removeItem('rlaif.admin.token'); location.reload(); });
  start();
})();
