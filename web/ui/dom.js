// Small DOM helpers. Text is always set with textContent (never parsed as HTML),
// so alarm fields (command lines, paths) cannot inject markup.

// h('a', {href: '#/x', class: 'y', onclick: f}, 'text', child, ...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// A definition list from [term, value] pairs; empty values show as "—".
export function dl(pairs, cls = 'facts') {
  return h('dl', {class: cls}, pairs.map(([term, value]) => [
    h('dt', {}, term),
    h('dd', {}, value === undefined || value === null || value === '' ? '—' : value),
  ]));
}

// "2026-11-26T16:50:01.123Z" as local date and time.
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {year: 'numeric', month: '2-digit', day: '2-digit',
                                      hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

export function shortId(id) { return id ? id.slice(0, 12) : ''; }

let toastTimer = 0;
// A polite status message (role=status) that fades after a few seconds.
export function toast(text, kind = 'ok') {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.className = 'show ' + kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = ''; }, 5000);
}

// Moves focus to a view's heading so keyboard and screen reader users land on the new content.
export function focusHeading(root) {
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({preventScroll: false});
  }
}
