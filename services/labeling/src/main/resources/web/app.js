// rlaif labeling page: plain JavaScript, no build step. Talks to the REST API with the signed-in token.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const state = { token: localStorage.getItem('rlaif.token'), task: null, choice: null, labelId: null,
    shownAt: 0, expiresAt: 0, busy: false, poll: null };

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method, headers: Object.assign({ 'Authorization': 'Bearer ' + state.token },
        body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined });
    if (res.status === 401) { signOut('Your session is not valid any more: sign in again.'); throw new Error('unauthorized'); }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  function show(id, on) { $(id).hidden = !on; }

  function signOut(message) {
    localStorage.removeItem('rlaif.token');
    state.token = null; state.task = null;
    show('work', false); show('login', true); show('signout', false);
    $('who').textContent = ''; $('login-error').textContent = message || '';
    $('token').focus();
  }

  async function signIn() {
    const me = await api('GET', '/api/me');
    if (me.body.role === 'admin') { location.href = '/admin'; return; }
    $('who').textContent = me.body.id;
    show('login', false); show('work', true); show('signout', true);
    loadNext();
  }

  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    state.token = $('token').value.trim();
    try {
      const me = await fetch('/api/me', { headers: { 'Authorization': 'Bearer ' + state.token } });
      if (me.status !== 200) { $('login-error').textContent = 'Unknown token.'; return; }
      localStorage.setItem('rlaif.token', state.token);
      await signIn();
    } catch (err) { $('login-error').textContent = 'Cannot reach the service: ' + err.message; }
  });
  $('signout').addEventListener('click', () => signOut(''));
  $('guideline-toggle').addEventListener('click', () => {
    const g = $('guideline'); g.open = true; g.scrollIntoView({ behavior: 'smooth' });
  });

  async function loadGuideline() {
    const res = await fetch('/api/guideline');
    const g = await res.json();
    $('guideline-text').textContent = g.guideline;
  }

  async function loadNext() {
    clearTimeout(state.poll);
    state.task = null; state.choice = null;
    const r = await api('GET', '/api/tasks/next');
    if (r.status === 204) {
      show('task', false); show('empty', true);
      $('lease').textContent = '–:–'; $('lease').className = 'pill lease';
      state.poll = setTimeout(loadNext, 4000);
      refreshProgress();
      return;
    }
    if (r.status !== 200) { flash((r.body && r.body.error) || ('error ' + r.status), false); return; }
    render(r.body);
  }

  async function refreshProgress() {
    const s = await api('GET', '/api/stats/me');
    if (s.status === 200) { $('progress').textContent = `${s.body.labels} labeled · 0 waiting`; }
  }

  function render(t) {
    state.task = t; state.choice = null; state.labelId = uuid(); state.shownAt = Date.now();
    state.expiresAt = Date.now() + t.lease_seconds_left * 1000;
    show('empty', false); show('task', true);
    $('reason').textContent = t.audit ? 'audit' : t.reason.toLowerCase().replace(/_/g, ' ');
    $('reason').className = 'tag' + (t.audit ? ' audit' : '');
    $('overlap').textContent = `label ${t.labels_done + 1} of ${t.labels_wanted} for this pair`;
    $('progress').textContent = `${t.progress.labeled_by_you} labeled · ${t.progress.available_text} waiting`;
    const turns = $('turns');
    turns.replaceChildren();
    for (const m of t.prompt) {
      const div = document.createElement('div');
      div.className = 'turn ' + m.role.toLowerCase();
      const role = document.createElement('span');
      role.className = 'role'; role.textContent = m.role;
      div.append(role, document.createTextNode(m.content));
      turns.append(div);
    }
    turns.scrollTop = turns.scrollHeight;
    $('text-A').textContent = t.responses.A.text;
    $('text-B').textContent = t.responses.B.text;
    const sug = $('suggestion');
    sug.open = false;
    if (t.suggestion) {
      const body = $('suggestion-body');
      body.replaceChildren();
      const p = document.createElement('p');
      p.textContent = `The AI judge (${t.suggestion.judge_model}) leans ${t.suggestion.preferred} ` +
        `with confidence ${Math.round(t.suggestion.confidence * 100)}%.`;
      body.append(p);
      for (const r of t.suggestion.reasoning) {
        const d = document.createElement('div'); d.className = 'reasoning'; d.textContent = r; body.append(d);
      }
      sug.hidden = false;
    } else { sug.hidden = true; }
    $('rationale').value = '';
    select(null);
  }

  function select(choice) {
    state.choice = choice;
    document.querySelectorAll('.choice').forEach((b) => b.classList.toggle('selected', b.dataset.choice === choice));
    $('resp-A').className = 'card response' + (choice === 'A' ? ' selected' : choice === 'TIE' ? ' tie' : '');
    $('resp-B').className = 'card response' + (choice === 'B' ? ' selected' : choice === 'TIE' ? ' tie' : '');
    $('submit').disabled = !choice;
  }

  function flash(text, ok) {
    const f = $('flash');
    f.textContent = text; f.className = 'flash ' + (ok ? 'ok' : 'bad');
    clearTimeout(flash.t); flash.t = setTimeout(() => { f.textContent = ''; }, ok ? 1500 : 6000);
  }

  async function submit() {
    if (!state.task || !state.choice || state.busy) { return; }
    state.busy = true;
    try {
      const r = await api('POST', `/api/leases/${state.task.lease_id}/submit`, {
        label_id: state.labelId, choice: state.choice,
        rationale: $('rationale').value.trim() || null, time_spent_ms: Date.now() - state.shownAt });
      if (r.status === 200) {
        flash(r.body.status === 'accepted_late' ? 'Saved (your lease had expired, the slot was still free)' : 'Saved ✓', true);
        await loadNext();
      } else if (r.status === 503) {
        flash('Saved but not yet confirmed: retrying…', false);
        setTimeout(() => { state.busy = false; submit(); }, 1000);
        return;
      } else {
        flash(r.body.error, false);
        await loadNext();
      }
    } finally { state.busy = false; }
  }

  async function skip() {
    if (!state.task || state.busy) { return; }
    state.busy = true;
    try {
      await api('POST', `/api/leases/${state.task.lease_id}/skip`);
      flash('Skipped', true);
      await loadNext();
    } finally { state.busy = false; }
  }

  document.querySelectorAll('.choice').forEach((b) => b.addEventListener('click', () => select(b.dataset.choice)));
  $('submit').addEventListener('click', submit);
  $('skip').addEventListener('click', skip);

  document.addEventListener('keydown', (e) => {
    if (!state.task || e.ctrlKey || e.metaKey || e.altKey) { return; }
    const typing = e.target === $('rationale');
    if (e.key === 'Enter' && !e.shiftKey) { if (state.choice) { e.preventDefault(); submit(); } return; }
    if (typing) { if (e.key === 'Escape') { e.target.blur(); } return; }
    if (e.target.tagName === 'INPUT') { return; }
    if (e.key === '1') { select('A'); } else if (e.key === '2') { select('B'); } else if (e.key === '3') { select('TIE'); } else if (e.key === 's' || e.key === 'S') { skip(); } else { return; }
    e.preventDefault();
  });

  setInterval(() => {
    if (!state.task) { return; }
    const left = Math.max(0, Math.round((state.expiresAt - Date.now()) / 1000));
    const el = $('lease');
    el.textContent = left > 0 ? `lease ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` : 'lease expired';
    el.className = 'pill lease' + (left === 0 ? ' expired' : left < 30 ? ' low' : '');
  }, 250);

  loadGuideline();
  if (state.token) { signIn().catch(() => {}); } else { signOut(''); }
})();
