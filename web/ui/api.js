// The REST API as the pages use it. The token lives in sessionStorage (this
// tab only, gone when it closes) and travels only in the Authorization
// header, never in a URL.
const KEY = 'cshield.token';

export const token = () => sessionStorage.getItem(KEY) || '';
export const setToken = (t) => sessionStorage.setItem(KEY, t);
export const clearToken = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || '';
    this.reasons = Array.isArray(err.reasons) ? err.reasons : [];
  }
}

let unauthorized = () => {};
// Called on every 401 (the page then asks for the token again).
export function onUnauthorized(f) { unauthorized = f; }

export async function api(path, {method = 'GET', body} = {}) {
  const headers = {Accept: 'application/json'};
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, cache: 'no-store', credentials: 'omit',
    body: body === undefined ? undefined : JSON.stringify(body, null, 2),
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.status === 401) unauthorized();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// '?a=1&b=2' from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

export const enc = encodeURIComponent;
