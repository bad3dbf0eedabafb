// The console is a client of the public REST API, like any integrator: every call here
// goes to /v1 with the member token, nothing else. The token lives in sessionStorage
// (this tab only) and signing out removes it.

import { busy } from './dom.js';

const TOKEN_KEY = 'confab.console.token';
const MODE_KEY = 'confab.console.mode';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  /** `live` or `test`: member tokens act in live mode unless `Confab-Mode: test`. */
  get mode() { return sessionStorage.getItem(MODE_KEY) === 'test' ? 'test' : 'live'; },
  signIn(token, mode) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(MODE_KEY, mode === 'test' ? 'test' : 'live');
  },
  setMode(mode) {
    sessionStorage.setItem(MODE_KEY, mode === 'test' ? 'test' : 'live');
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(MODE_KEY);
  },
};

/** An error answered by the API, in the contract's shape. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The server answered ${status}.`);
    this.status = status;
    this.code = error.code || 'INTERNAL';
    this.fields = error.fields || null;
    this.requestId = error.request_id || null;
    this.body = body;
  }

  /** The message with the per-field details, for showing to the person. */
  describe() {
    const details = Object.entries(this.fields || {})
      .map(([name, problems]) => `${name} ${[].concat(problems).join(', ')}`);
    return details.length ? `${this.message} (${details.join('; ')})` : this.message;
  }
}

/** A sentence for any failure, to show the person. */
export function explain(error) {
  return error instanceof ApiError ? error.describe() : String(error);
}

let onUnauthorized = () => {};

/** What to do when the token stops working (revoked, member removed). */
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/** The headers every call carries (in the console's mode unless `mode` is given). */
export function authHeaders(mode = session.mode) {
  const headers = { authorization: `Bearer ${session.token}` };
  if (mode === 'test') headers['confab-mode'] = 'test';
  return headers;
}

/**
 * Calls the API and returns the parsed body, or throws an `ApiError` (whose `body` is the
 * whole answer). A body is sent as JSON unless `contentType` says what the text is.
 */
export async function api(method, path, body, contentType) {
  return apiIn(session.mode, method, path, body, contentType);
}

/** {@link api} in a given mode, for the few views that show both modes side by side. */
export async function apiIn(mode, method, path, body, contentType) {
  const init = { method, headers: authHeaders(mode), cache: 'no-store' };
  if (body !== undefined) {
    init.headers['content-type'] = contentType || 'application/json';
    init.body = contentType ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { error: { code: 'NETWORK', message: 'The server cannot be reached; check your connection.' } });
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!response.ok) {
    const error = new ApiError(response.status, json);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }
  return json;
}

/**
 * A page's button actions: `act(button, method, path, body, then)` calls the API with
 * the button disabled until it and `then` (given the answer) are done, and says in
 * `notice` why a call failed.
 */
export function actions(notice) {
  return (button, method, path, body, then) => busy(button, async () => {
    notice.textContent = '';
    try { const r = await api(method, path, body); if (then) await then(r); } catch (error) { notice.textContent = explain(error); }
  });
}

/** Builds a query string from the set values of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(key, value);
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

/**
 * Downloads an attachment. The file route needs the Authorization header, which a plain
 * link cannot send, so the bytes are fetched and handed to the browser as a blob.
 */
export async function download(fileId, filename) {
  const response = await fetch(`/v1/files/${encodeURIComponent(fileId)}/content?disposition=attachment`,
    { headers: authHeaders(), cache: 'no-store' });
  if (!response.ok) {
    let json = null;
    try { json = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, json);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Uploads a file (`POST /v1/files`, multipart) and returns the file object. */
export async function upload(file) {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await fetch('/v1/files', { method: 'POST', headers: authHeaders(), body: form });
  let json = null;
  try { json = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}
