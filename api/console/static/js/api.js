// The HTTP client: the session token, the response envelope and errors.

const KEY = 'yaoju.console.session';
const BASE = '/api/v1';

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

// ApiError carries the envelope's Chinese msg, which is what users see.
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.msg) || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = body && body.code;
    this.reason = body && body.reason;
    this.data = body && body.data;
  }
}

let onUnauthorized = () => {};

// setUnauthorizedHandler is told when a signed-in request answers 401.
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// qs builds a query string, leaving out empty values.
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function send(method, path, body, auth) {
  const headers = { Accept: 'application/json' };
  const s = session();
  if (auth && s && s.token) headers.Authorization = `Bearer ${s.token}`;
  const init = { method, headers };
  if (body !== undefined && body !== null) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch {
    throw new ApiError(0, { msg: '网络连接失败，请检查网络后重试', reason: 'network' });
  }
  if (res.status === 401 && auth && s) {
    const err = new ApiError(401, await envelope(res));
    clearSession();
    onUnauthorized(err.message);
    throw err;
  }
  return res;
}

async function envelope(res) {
  const type = res.headers.get('Content-Type') || '';
  if (!type.includes('json')) return null;
  try {
    return await res.json();
  } catch {
    return null;
  }
}

// api sends a JSON request and answers the envelope's data. auth=false for
// the login and public routes.
export async function api(method, path, body, { auth = true } = {}) {
  const res = await send(method, path, body, auth);
  const payload = await envelope(res);
  if (!res.ok || !payload || payload.code !== 0) throw new ApiError(res.status, payload);
  return payload.data;
}

// blob fetches a binary answer (a PDF, an image) with the token, and fails
// with the envelope's message when the server answers an error instead.
export async function blob(path, wantType) {
  const res = await send('GET', path, null, true);
  const type = res.headers.get('Content-Type') || '';
  if (!res.ok || (wantType && !type.startsWith(wantType))) {
    throw new ApiError(res.status, await envelope(res));
  }
  return { blob: await res.blob(), type };
}
