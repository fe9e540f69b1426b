// Container alarms: summary strip, filters, one page of alarms at a time
// (cursor paging), live refresh by polling, and the detail view with handling.
import {api, query, enc} from './api.js';
import {h, clear, dl, when, shortId, toast, focusHeading} from './dom.js';

export const TYPES = ['vulnerability_escape', 'file_escape', 'high_risk_syscall', 'malicious_program',
                      'abnormal_process', 'sensitive_file_access', 'abnormal_startup'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const STATUSES = ['unhandled', 'handled', 'ignored'];
const PERIODS = [['1h', 'Last hour', 3600], ['24h', 'Last 24 hours', 86400], ['7d', 'Last 7 days', 604800],
                 ['30d', 'Last 30 days', 2592000], ['all', 'All time', 0]];
const FILTERS = ['type', 'severity', 'status', 'container', 'image', 'since', 'until'];
const PAGE_SIZE = 50;
const POLL_MS = 5000;

export function render(root, arg, params) {
  return arg ? renderDetail(root, arg) : renderList(root, params);
}

const label = (s) => s.replace(/_/g, ' ');

// datetime-local value (local time) <-> epoch seconds for the API.
function localToEpoch(v) {
  if (!v) return '';
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? '' : String(Math.floor(t / 1000));
}

function selectField(name, text, options, value) {
  const id = 'f-' + name;
  return h('div', {class: 'field'}, h('label', {for: id}, text),
    h('select', {id, name}, h('option', {value: ''}, 'Any'),
      options.map((o) => h('option', {value: o, selected: o === value}, label(o)))));
}

function inputField(name, text, value, type = 'text', extra = {}) {
  const id = 'f-' + name;
  return h('div', {class: 'field'}, h('label', {for: id}, text), h('input', {id, name, type, value, ...extra}));
}

function severityBadge(s) { return h('span', {class: 'sev sev-' + s}, s); }
function statusBadge(s) { return h('span', {class: 'status status-' + s}, s); }

function renderList(root, params) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || '']));
  const period = params.get('period') || '24h';
  const state = {cursors: [null], page: 0, topId: 0, seen: new Set(), timer: 0, stopped: false};

  const summary = h('section', {class: 'summary', 'aria-labelledby': 'summary-title'});
  const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter alarms'},
    selectField('type', 'Type', TYPES, filters.type),
    selectField('severity', 'Severity', SEVERITIES, filters.severity),
    selectField('status', 'Status', STATUSES, filters.status),
    inputField('container', 'Container (name or id)', filters.container, 'text', {autocomplete: 'off'}),
    inputField('image', 'Image', filters.image, 'text', {autocomplete: 'off'}),
    inputField('since', 'From', filters.since, 'datetime-local'),
    inputField('until', 'To', filters.until, 'datetime-local'),
    h('div', {class: 'field buttons'},
      h('button', {type: 'submit'}, 'Apply'),
      h('button', {type: 'button', class: 'secondary', onclick: () => { location.hash = '#/alarms'; }}, 'Clear')));
  const banner = h('p', {class: 'banner', hidden: true, role: 'status'});
  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'});
  const tbody = h('tbody');
  const table = h('table', {class: 'alarms'},
    h('caption', {class: 'sr-only'}, 'Alarms, newest first'),
    h('thead', {}, h('tr', {}, ['Last seen', 'Severity', 'Alarm', 'Container', 'Process', 'Count', 'Status']
      .map((c) => h('th', {scope: 'col'}, c)))),
    tbody);
  const newer = h('button', {type: 'button', class: 'secondary', disabled: true}, '← Newer');
  const older = h('button', {type: 'button', class: 'secondary', disabled: true}, 'Older →');
  const pager = h('nav', {class: 'pager', 'aria-label': 'Alarm pages'}, newer, h('span', {class: 'muted'}), older);

  root.append(h('h1', {}, 'Container alarms'), summary, form, banner,
              h('div', {class: 'table-wrap'}, table), pager, status);

  const setHash = (f, p = period) => {
    const q = query({...f, period: p === '24h' ? '' : p});
    location.hash = '#/alarms' + q;
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    setHash(Object.fromEntries(FILTERS.map((k) => [k, (data.get(k) || '').trim()])));
  });
  form.querySelectorAll('select').forEach((s) => s.addEventListener('change', () => form.requestSubmit()));

  const apiFilters = () => ({...filters, since: localToEpoch(filters.since), until: localToEpoch(filters.until)});

  async function loadSummary() {
    const p = PERIODS.find((x) => x[0] === period) || PERIODS[1];
    const since = p[2] ? String(Math.floor(Date.now() / 1000) - p[2]) : '';
    const s = await api('/api/v1/alarms/summary' + query({since}));
    const chip = (text, n, f, cls = '') => h('li', {},
      h('button', {type: 'button', class: 'chip ' + cls, onclick: () => setHash({...filters, ...f})},
        h('span', {class: 'n'}, String(n || 0)), ' ', text));
    const byStatus = s.by_status || {}, bySev = s.by_severity || {}, byType = s.by_type || {};
    const periodSel = h('select', {id: 'period', onchange: (ev) => setHash(filters, ev.target.value)},
      PERIODS.map(([v, t]) => h('option', {value: v, selected: v === p[0]}, t)));
    clear(summary).append(
      h('div', {class: 'summary-head'},
        h('h2', {id: 'summary-title'}, 'Summary'),
        h('label', {for: 'period'}, 'Period'), periodSel),
      h('ul', {class: 'chips', 'aria-label': 'Alarms by status'},
        chip('unhandled', byStatus.unhandled, {status: 'unhandled'}, 'unhandled'),
        chip('handled', byStatus.handled, {status: 'handled'}),
        chip('ignored', byStatus.ignored, {status: 'ignored'}),
        h('li', {class: 'muted total'}, `${s.total || 0} in total`)),
      h('ul', {class: 'chips', 'aria-label': 'Alarms by severity'},
        SEVERITIES.filter((v) => bySev[v]).map((v) => chip(v, bySev[v], {severity: v}, 'chip-' + v))),
      h('ul', {class: 'chips', 'aria-label': 'Alarms by type'},
        TYPES.filter((v) => byType[v]).map((v) => chip(label(v), byType[v], {type: v}))));
  }

  function row(a, fresh) {
    const c = a.container || {};
    const p = a.process || {};
    return h('tr', {class: fresh ? 'fresh' : '', 'data-id': a.id},
      h('td', {}, h('time', {datetime: a.last_seen}, when(a.last_seen))),
      h('td', {}, severityBadge(a.severity)),
      h('td', {}, h('a', {href: '#/alarms/' + a.id, class: 'alarm-link'}, a.name || label(a.type)),
        h('div', {class: 'muted small'}, `${a.type} / ${a.subtype}`)),
      h('td', {}, c.name || shortId(c.id) || 'host', c.image ? h('div', {class: 'muted small'}, c.image) : null),
      h('td', {class: 'mono'}, p.exe || '', p.pid ? h('div', {class: 'muted small'}, `pid ${p.pid}`) : null),
      h('td', {class: 'num'}, String(a.count)),
      h('td', {}, statusBadge(a.status)));
  }

  async function loadPage({live = false} = {}) {
    const cursor = state.cursors[state.page];
    const page = await api('/api/v1/alarms' + query({...apiFilters(), limit: PAGE_SIZE, cursor}));
    if (state.stopped) return;
    const items = page.items || [];
    clear(tbody);
    if (!items.length) tbody.append(h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No alarms match.')));
    for (const a of items) {
      const fresh = live && !state.seen.has(a.id) && a.id > state.topId;
      tbody.append(row(a, fresh));
    }
    if (state.page === 0) {
      state.topId = items.length ? Math.max(state.topId, items[0].id) : state.topId;
      items.forEach((a) => state.seen.add(a.id));
      banner.hidden = true;
    }
    state.cursors[state.page + 1] = page.next_cursor || undefined;
    newer.disabled = state.page === 0;
    older.disabled = !page.next_cursor;
    pager.querySelector('span').textContent = `Page ${state.page + 1}`;
    status.textContent = `${items.length} alarm${items.length === 1 ? '' : 's'} shown` +
      (live ? `, updated ${new Date().toLocaleTimeString()}` : '');
  }

  // New alarms without a reload: on the first page refetch it (counts and
  // statuses change too); further back, only look whether something newer exists.
  async function poll() {
    if (state.stopped || document.hidden) return;
    try {
      if (state.page === 0) {
        await Promise.all([loadPage({live: true}), loadSummary()]);
      } else {
        const top = await api('/api/v1/alarms' + query({...apiFilters(), limit: 1}));
        const id = top.items && top.items[0] ? top.items[0].id : 0;
        if (id > state.topId) {
          clear(banner).append('New alarms have arrived. ',
            h('button', {type: 'button', onclick: () => { state.page = 0; loadPage({live: true}); }}, 'Show newest'));
          banner.hidden = false;
        }
      }
    } catch (e) {
      if (e.status !== 401) status.textContent = 'Refresh failed: ' + e.message;
    }
  }

  newer.addEventListener('click', () => { if (state.page > 0) { state.page--; loadPage(); } });
  older.addEventListener('click', () => {
    if (state.cursors[state.page + 1]) { state.page++; loadPage(); table.focus(); }
  });

  const first = Promise.all([loadSummary(), loadPage()]);
  state.timer = setInterval(poll, POLL_MS);
  const stop = () => { state.stopped = true; clearInterval(state.timer); };
  return first.then(() => stop, (e) => { stop(); throw e; });
}

// ---- detail ----

// One startup finding (ALARMS.md spelling) as a sentence, keeping the raw text.
export function describeFinding(f) {
  const s = String(f);
  let m;
  if (s === 'privileged:true') return 'Started privileged (all capabilities, no seccomp, devices unrestricted)';
  if (s === 'seccomp=unconfined') return 'No seccomp profile: every system call is allowed';
  if (s === 'no-new-privileges:false') return 'Runs without no-new-privileges: set-uid programs can gain privileges';
  if ((m = s.match(/^capabilities:\[(.*)\]$/))) return 'Capabilities beyond the default set: ' + (m[1].split(',').join(', ') || 'none');
  if ((m = s.match(/^mounts:(\[.*\])$/))) {
    try {
      const mounts = JSON.parse(m[1]);
      return 'Critical host paths mounted: ' + mounts.map((x) => `${x.source} at ${x.destination}`).join('; ');
    } catch { return 'Critical host paths mounted: ' + m[1]; }
  }
  return s;
}

function findingsList(findings) {
  return h('ul', {class: 'findings'}, findings.map((f) =>
    h('li', {}, describeFinding(f), h('code', {class: 'raw'}, String(f)))));
}

function evidenceView(evidence) {
  const ev = evidence && typeof evidence === 'object' ? evidence : {};
  const parts = [];
  if (Array.isArray(ev.findings)) parts.push(findingsList(ev.findings));
  const rest = Object.entries(ev).filter(([k]) => k !== 'findings');
  if (rest.length)
    parts.push(dl(rest.map(([k, v]) => [label(k), typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)])));
  if (!parts.length) parts.push(h('p', {class: 'muted'}, 'No evidence recorded.'));
  return parts;
}

// The container's policy group (or the groups to choose from) and a button
// that appends the alarm's executable to its whitelist in one PUT.
async function whitelistSection(a) {
  const exe = a.process && a.process.exe;
  const box = h('section', {class: 'card', 'aria-labelledby': 'wl-title'}, h('h2', {id: 'wl-title'}, 'Whitelist'));
  if (!exe || !a.container || !a.container.id) {
    box.append(h('p', {class: 'muted'}, 'Only a process in a container can be whitelisted.'));
    return box;
  }
  let groups = [];
  let containerGroup = null;
  try {
    const [g, c] = await Promise.all([api('/api/v1/policy-groups'),
                                      api('/api/v1/containers/' + enc(a.container.id)).catch(() => null)]);
    groups = (g && g.items) || [];
    containerGroup = c && c.policy_group;
  } catch (e) {
    box.append(h('p', {class: 'muted'}, 'Policy groups are not available: ' + e.message));
    return box;
  }
  if (!groups.length) {
    box.append(h('p', {}, 'No policy group exists yet. ', h('a', {href: '#/policy/new'}, 'Create one'), '.'));
    return box;
  }
  const sel = h('select', {id: 'wl-group'}, groups.map((g) =>
    h('option', {value: g.name, selected: g.name === containerGroup}, g.name + (g.name === containerGroup ? ' (this container\'s group)' : ''))));
  const msg = h('p', {class: 'error', role: 'alert'});
  const btn = h('button', {type: 'button', id: 'wl-add'}, 'Add to whitelist');
  btn.addEventListener('click', async () => {
    msg.textContent = '';
    try {
      const name = sel.value;
      const g = await api('/api/v1/policy-groups/' + enc(name));
      const list = Array.isArray(g.process_whitelist) ? g.process_whitelist : [];
      if (list.includes(exe)) { toast(`${exe} is already on the whitelist of ${name}`); return; }
      await api('/api/v1/policy-groups/' + enc(name), {method: 'PUT', body: {
        name, selectors: g.selectors || {}, process_whitelist: [...list, exe], protected_files: g.protected_files || []}});
      toast(`${exe} added to the whitelist of ${name}`);
    } catch (e) {
      msg.textContent = e.message + (e.reasons.length ? ': ' + e.reasons.map((r) => r.message).join('; ') : '');
    }
  });
  box.append(
    h('p', {}, containerGroup ? `This container belongs to policy group ${containerGroup}.` : 'No policy group covers this container; pick one.'),
    h('div', {class: 'row'}, h('div', {class: 'field'}, h('label', {for: 'wl-group'}, 'Policy group'), sel),
      h('div', {class: 'field'}, h('span', {class: 'label'}, 'Executable'), h('code', {}, exe)), btn),
    msg);
  return box;
}

async function renderDetail(root, id) {
  const a = await api('/api/v1/alarms/' + enc(id));
  const c = a.container || {};
  const p = a.process || {};
  const statusEl = h('span', {id: 'alarm-status'}, statusBadge(a.status));

  const form = h('form', {class: 'card handle', 'aria-labelledby': 'handle-title'},
    h('h2', {id: 'handle-title'}, 'Handling'),
    h('fieldset', {}, h('legend', {}, 'Status'),
      STATUSES.map((s) => h('label', {class: 'radio'},
        h('input', {type: 'radio', name: 'status', value: s, checked: s === a.status}), ' ', s))),
    h('div', {class: 'field'}, h('label', {for: 'note'}, 'Note'),
      h('textarea', {id: 'note', name: 'note', rows: 3}, a.note || '')),
    h('p', {class: 'error', role: 'alert', id: 'handle-error'}),
    h('button', {type: 'submit'}, 'Save'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const errEl = form.querySelector('#handle-error');
    errEl.textContent = '';
    try {
      const updated = await api('/api/v1/alarms/' + enc(id), {method: 'PATCH',
        body: {status: data.get('status'), note: data.get('note') || ''}});
      clear(statusEl).append(statusBadge(updated.status));
      toast(`Alarm ${id} marked ${updated.status}`);
    } catch (e) {
      errEl.textContent = e.message;
    }
  });

  const findings = a.evidence && Array.isArray(a.evidence.findings);
  root.append(
    h('p', {}, h('a', {href: '#/alarms'}, '← All alarms')),
    h('h1', {}, a.name || label(a.type)),
    h('p', {class: 'meta'}, severityBadge(a.severity), ' ', statusEl, ' ',
      h('span', {class: 'muted'}, `${a.type} / ${a.subtype} · ${a.category} · alarm ${a.id}`)),
    a.description ? h('p', {class: 'description'}, a.description) : null,
    h('div', {class: 'grid'},
      h('section', {class: 'card', 'aria-labelledby': 'proc-title'}, h('h2', {id: 'proc-title'}, 'Process'),
        dl([['Executable', h('code', {}, p.exe || '')], ['Command line', h('code', {}, p.cmdline || '')],
            ['Name', p.comm], ['PID', p.pid], ['Parent PID', p.ppid], ['UID', p.uid], ['Effective UID', p.euid],
            ['Login UID', p.auid === 4294967295 ? 'unset' : p.auid], ['System call', a.syscall], ['Path', a.path]])),
      h('section', {class: 'card', 'aria-labelledby': 'ctr-title'}, h('h2', {id: 'ctr-title'}, 'Container'),
        c.id ? dl([['Name', c.name], ['ID', h('code', {class: 'wrap'}, c.id)], ['Image', c.image], ['Runtime', c.runtime],
                   ['Pod', c.pod], ['Namespace', c.namespace]])
             : h('p', {class: 'muted'}, 'The host (no container).')),
      h('section', {class: 'card', 'aria-labelledby': 'ev-title'}, h('h2', {id: 'ev-title'}, findings ? 'Startup findings' : 'Evidence'),
        evidenceView(a.evidence)),
      h('section', {class: 'card', 'aria-labelledby': 'audit-title'}, h('h2', {id: 'audit-title'}, 'Audit'),
        dl([['Audit serial', h('code', {id: 'audit-serial'}, String((a.audit || {}).serial ?? ''))],
            ['Audit time', (a.audit || {}).time], ['First seen', when(a.first_seen)], ['Last seen', when(a.last_seen)],
            ['Count', a.count]]),
        a.audit && a.audit.serial ? h('p', {class: 'muted small'},
          'Find the records: ', h('code', {}, `ausearch -a ${a.audit.serial}`)) : null),
      form),
    await whitelistSection(a));
  focusHeading(root);
}
