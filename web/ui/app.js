// The shell: login, navigation and a hash router (#/alarms, #/alarms/42,
// #/policy, #/policy/web, #/containers). View state lives in the hash;
// the token never does.
import {api, token, setToken, clearToken, onUnauthorized} from './api.js';
import {clear, focusHeading} from './dom.js';
import * as alarms from './alarms.js';
import * as policy from './policy.js';
import * as containers from './containers.js';

const view = () => document.getElementById('view');
let cleanup = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {page: parts[0] || 'alarms', arg: parts[1], params: new URLSearchParams(qs)};
}

function showLogin(message = '') {
  if (cleanup) { cleanup(); cleanup = null; }
  clear(view());
  document.getElementById('login').hidden = false;
  document.getElementById('logout').hidden = true;
  document.getElementById('login-error').textContent = message;
  document.getElementById('token').focus();
}

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const {page, arg, params} = parseHash();
  document.querySelectorAll('nav a').forEach((a) => {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const root = clear(view());
  const modules = {alarms, policy, containers};
  const mod = modules[page] || alarms;
  try {
    cleanup = (await mod.render(root, arg, params)) || null;
  } catch (e) {
    if (e.status !== 401) root.append(Object.assign(document.createElement('p'), {className: 'error', textContent: e.message}));
  }
  focusHeading(root);
}

async function start() {
  document.getElementById('login').hidden = true;
  document.getElementById('logout').hidden = !token();
  await route();
}

onUnauthorized(() => {
  clearToken();
  showLogin(token() ? '' : 'Log in with the API token.');
});

document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = document.getElementById('token');
  const t = input.value.trim();
  const error = document.getElementById('login-error');
  if (!t) { error.textContent = 'Enter the token.'; input.focus(); return; }
  setToken(t);
  try {
    await api('/api/v1/alarms?limit=1');
  } catch (e) {
    clearToken();
    showLogin(e.status === 401 ? 'That token is not accepted.' : 'Cannot reach cshieldd: ' + e.message);
    return;
  }
  input.value = '';
  await start();
});

document.getElementById('logout').addEventListener('click', () => {
  clearToken();
  showLogin('Logged out.');
});

window.addEventListener('hashchange', () => { if (!document.getElementById('login').hidden) return; route(); });

// Without a token, ask for one unless the API answers anyway.
(async () => {
  if (!token()) {
    try {
      await api('/api/v1/alarms?limit=1');
    } catch (e) {
      showLogin(e.status === 401 ? '' : 'Cannot reach cshieldd: ' + e.message);
      return;
    }
  }
  await start();
})();
