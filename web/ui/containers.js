// Containers: the inventory with startup posture findings, policy group and
// alarm counts by type (each count links to the filtered alarm list).
import {api, query} from './api.js';
import {h, when, shortId} from './dom.js';
import {describeFinding} from './alarms.js';

export async function render(root) {
  const data = await api('/api/v1/containers');
  const items = (data && data.items) || [];
  const tbody = h('tbody');
  for (const c of items) {
    const findings = Array.isArray(c.findings) ? c.findings : [];
    const counts = Object.entries(c.alarm_counts || {});
    const total = counts.reduce((n, [, v]) => n + v, 0);
    tbody.append(h('tr', {'data-container': c.id},
      h('th', {scope: 'row'}, c.name || shortId(c.id),
        c.name && c.name !== c.id ? h('div', {class: 'muted small mono'}, shortId(c.id)) : null),
      h('td', {}, c.image || '—', h('div', {class: 'muted small'}, [c.runtime, c.namespace, c.pod].filter(Boolean).join(' · '))),
      h('td', {}, c.running ? 'running' : (c.stopped ? 'stopped ' + when(c.stopped) : 'seen ' + when(c.last_seen))),
      h('td', {}, findings.length
        ? h('ul', {class: 'plain findings'}, findings.map((f) => h('li', {}, describeFinding(f))))
        : h('span', {class: 'muted'}, c.posture ? 'none' : 'not judged')),
      h('td', {}, c.policy_group ? h('a', {href: '#/policy/' + encodeURIComponent(c.policy_group)}, c.policy_group)
                                 : h('span', {class: 'muted'}, 'none')),
      h('td', {}, total
        ? h('ul', {class: 'plain inline'}, counts.map(([type, n]) => h('li', {},
            h('a', {href: '#/alarms' + query({container: c.id, type})}, `${n} ${type.replace(/_/g, ' ')}`))))
        : h('span', {class: 'muted'}, '0'))));
  }
  if (!items.length) tbody.append(h('tr', {}, h('td', {colspan: 6, class: 'muted'}, 'No containers seen yet.')));
  root.append(h('h1', {}, 'Containers'),
    h('div', {class: 'table-wrap'}, h('table', {class: 'containers'},
      h('caption', {class: 'sr-only'}, 'Containers seen by cshield'),
      h('thead', {}, h('tr', {}, ['Container', 'Image', 'State', 'Startup findings', 'Policy group', 'Alarms']
        .map((t) => h('th', {scope: 'col'}, t)))), tbody)));
}
