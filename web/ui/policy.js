// Policy groups: list (with the containers each covers), create, edit,
// delete. A 422 from the API lists every reason; each is shown next to the
// field it names (or at the top when it names none).
import {api, enc} from './api.js';
import {h, toast, shortId, focusHeading} from './dom.js';

export function render(root, arg) {
  return arg ? renderEditor(root, arg === 'new' ? null : arg) : renderList(root);
}

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);

async function renderList(root) {
  const [groups, ctrs] = await Promise.all([api('/api/v1/policy-groups'),
                                            api('/api/v1/containers').catch(() => ({items: []}))]);
  const covered = {};
  for (const c of (ctrs && ctrs.items) || [])
    if (c.policy_group) (covered[c.policy_group] = covered[c.policy_group] || []).push(c);
  const items = (groups && groups.items) || [];
  const tbody = h('tbody');
  for (const g of items) {
    const sel = g.selectors || {};
    const selText = [
      ...(sel.images || []).map((x) => 'image ' + x), ...(sel.names || []).map((x) => 'name ' + x),
      ...(sel.namespaces || []).map((x) => 'namespace ' + x),
      ...Object.entries(sel.labels || {}).map(([k, v]) => `label ${k}=${v}`)];
    const cs = covered[g.name] || [];
    const fromFile = g.source && g.source !== 'api';
    tbody.append(h('tr', {'data-group': g.name},
      h('th', {scope: 'row'}, h('a', {href: '#/policy/' + enc(g.name)}, g.name),
        fromFile ? h('div', {class: 'muted small'}, 'from ' + g.source) : null),
      h('td', {}, h('ul', {class: 'plain'}, selText.map((t) => h('li', {}, t)))),
      h('td', {class: 'num'}, String((g.process_whitelist || []).length)),
      h('td', {class: 'num'}, String((g.protected_files || []).length)),
      h('td', {}, cs.length ? h('ul', {class: 'plain'}, cs.map((c) => h('li', {}, c.name || shortId(c.id))))
                            : h('span', {class: 'muted'}, 'none seen'))));
  }
  if (!items.length) tbody.append(h('tr', {}, h('td', {colspan: 5, class: 'muted'}, 'No policy groups yet.')));
  root.append(h('h1', {}, 'Policy groups'),
    h('p', {}, 'A policy group lists the executables allowed in the containers it selects and the files they must not modify.'),
    h('p', {}, h('a', {href: '#/policy/new', class: 'button', id: 'new-group'}, 'New policy group')),
    h('div', {class: 'table-wrap'}, h('table', {class: 'groups'},
      h('caption', {class: 'sr-only'}, 'Policy groups'),
      h('thead', {}, h('tr', {}, ['Name', 'Selectors', 'Whitelisted', 'Protected files', 'Containers covered']
        .map((c) => h('th', {scope: 'col'}, c)))), tbody)));
}

// Which form field a reason from the API is about, by the key it quotes.
function fieldOf(message) {
  const m = String(message);
  const keys = [['process_whitelist', 'process_whitelist'], ['protected_files', 'protected_files'],
                ['selectors.images', 'images'], ['selectors.names', 'names'], ['selectors.namespaces', 'namespaces'],
                ['selectors.labels', 'labels'], ['label ', 'labels'], ["'selectors'", 'selectors'],
                ['selectors', 'selectors'], ['name', 'name']];
  for (const [needle, field] of keys) if (m.includes(needle)) return field;
  return null;
}

function area(name, text, value, hint) {
  const id = 'g-' + name;
  return h('div', {class: 'field', 'data-field': name},
    h('label', {for: id}, text),
    h('textarea', {id, name, rows: 4, 'aria-describedby': `${id}-hint ${id}-error`, spellcheck: 'false'}, value),
    h('p', {class: 'hint', id: id + '-hint'}, hint),
    h('p', {class: 'error field-error', id: id + '-error'}));
}

async function renderEditor(root, name) {
  let g = {name: '', selectors: {}, process_whitelist: [], protected_files: []};
  if (name) g = await api('/api/v1/policy-groups/' + enc(name));
  const sel = g.selectors || {};
  const fromFile = g.source && g.source !== 'api';
  const labelsText = Object.entries(sel.labels || {}).map(([k, v]) => `${k}=${v}`).join('\n');
  const top = h('div', {class: 'error', role: 'alert', id: 'form-error'});
  const form = h('form', {class: 'card group-form', novalidate: true},
    top,
    h('div', {class: 'field', 'data-field': 'name'},
      h('label', {for: 'g-name'}, 'Name'),
      h('input', {id: 'g-name', name: 'name', value: g.name, required: true, readonly: !!name,
                  'aria-describedby': 'g-name-hint g-name-error', autocomplete: 'off'}),
      h('p', {class: 'hint', id: 'g-name-hint'}, name ? 'A group is renamed by creating a new one and deleting this.' : 'Letters, digits, - _ .'),
      h('p', {class: 'error field-error', id: 'g-name-error'})),
    h('fieldset', {'data-field': 'selectors'}, h('legend', {}, 'Selectors (which containers the group covers)'),
      h('p', {class: 'error field-error', id: 'g-selectors-error', role: 'alert'}),
      area('images', 'Images', (sel.images || []).join('\n'), 'One glob a line, e.g. nginx:*'),
      area('names', 'Container names', (sel.names || []).join('\n'), 'One glob a line, e.g. web-*'),
      area('namespaces', 'Kubernetes namespaces', (sel.namespaces || []).join('\n'), 'One a line'),
      area('labels', 'Pod labels', labelsText, 'One key=value a line')),
    area('process_whitelist', 'Process whitelist', (g.process_whitelist || []).join('\n'),
      'Executables allowed to run, one path or glob a line, e.g. /usr/sbin/nginx or /usr/bin/*'),
    area('protected_files', 'Protected files', (g.protected_files || []).join('\n'),
      'Files in the container that must not be modified, one path or glob a line'),
    h('div', {class: 'row'},
      h('button', {type: 'submit', id: 'save-group'}, name ? 'Save' : 'Create'),
      h('a', {href: '#/policy', class: 'button secondary'}, 'Cancel'),
      name ? h('button', {type: 'button', class: 'danger', id: 'delete-group'}, 'Delete') : null));
  if (fromFile) top.textContent = `This group is defined by the policy file ${g.source}; edit that file instead.`;

  const clearErrors = () => {
    top.textContent = '';
    form.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  };
  const showReasons = (e) => {
    const general = [];
    let firstBad = null;
    for (const r of e.reasons.length ? e.reasons : [{message: e.message}]) {
      const field = fieldOf(r.message);
      const errEl = field && form.querySelector(`#g-${field}-error`);
      if (!errEl) { general.push(r.message); continue; }
      errEl.append(h('span', {class: 'reason'}, r.message));
      const input = form.querySelector(`#g-${field}`);
      if (input) { input.setAttribute('aria-invalid', 'true'); firstBad = firstBad || input; }
    }
    top.textContent = general.length ? general.join('; ') : `The group was not saved: ${e.reasons.length} problem${e.reasons.length === 1 ? '' : 's'}, shown beside the fields.`;
    if (firstBad) firstBad.focus();
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    const data = new FormData(form);
    const groupName = String(data.get('name') || '').trim();
    if (!groupName) {
      form.querySelector('#g-name-error').textContent = 'Give the group a name.';
      form.querySelector('#g-name').setAttribute('aria-invalid', 'true');
      form.querySelector('#g-name').focus();
      return;
    }
    const selectors = {};
    for (const k of ['images', 'names', 'namespaces']) {
      const v = lines(String(data.get(k) || ''));
      if (v.length) selectors[k] = v;
    }
    const labelLines = lines(String(data.get('labels') || ''));
    if (labelLines.length) {
      const labels = {};
      for (const l of labelLines) {
        const i = l.indexOf('=');
        if (i < 1) {
          form.querySelector('#g-labels-error').textContent = `"${l}" is not key=value.`;
          form.querySelector('#g-labels').focus();
          return;
        }
        labels[l.slice(0, i).trim()] = l.slice(i + 1).trim();
      }
      selectors.labels = labels;
    }
    const body = {name: groupName, selectors,
                  process_whitelist: lines(String(data.get('process_whitelist') || '')),
                  protected_files: lines(String(data.get('protected_files') || ''))};
    try {
      await api('/api/v1/policy-groups/' + enc(groupName), {method: 'PUT', body});
      toast(`Policy group ${groupName} saved`);
      location.hash = '#/policy';
    } catch (err) {
      showReasons(err);
    }
  });
  const del = form.querySelector('#delete-group');
  if (del) del.addEventListener('click', async () => {
    if (!window.confirm(`Delete policy group ${name}?`)) return;
    clearErrors();
    try {
      await api('/api/v1/policy-groups/' + enc(name), {method: 'DELETE'});
      toast(`Policy group ${name} deleted`);
      location.hash = '#/policy';
    } catch (err) {
      top.textContent = err.message;
    }
  });

  root.append(h('p', {}, h('a', {href: '#/policy'}, '← All policy groups')),
    h('h1', {}, name ? `Policy group ${name}` : 'New policy group'), form);
  focusHeading(root);
}

