// Talking to the notecite API: the API key kept in this browser, auth headers, JSON calls, error text,
// and the server's request limits (GET /api/limits, fetched once).

const KEY_STORAGE = "notecite.apiKey";

export function apiKey() {
  try { return window.localStorage.getItem(KEY_STORAGE) || ""; } catch (_) { return ""; }
}

// Store the key (an empty key removes it); throws when the browser does not allow storage.
export function saveApiKey(key) {
  if (key) window.localStorage.setItem(KEY_STORAGE, key);
  else window.localStorage.removeItem(KEY_STORAGE);
}

export function authHeaders(extra) {
  const headers = Object.assign({}, extra || {});
  const key = apiKey();
  if (key) headers.Authorization = "Bearer " + key;
  return headers;
}

// "api/documents/" + "uploads/a b.md" -> "api/documents/uploads/a%20b.md" (the slashes stay).
export function docUrl(prefix, doc) {
  return prefix + doc.split("/").map(encodeURIComponent).join("/");
}

// Every API error is JSON {"error", "detail"}; anything else (a proxy's page) keeps the status line.
export async function errorMessage(response) {
  let detail = response.status + " " + response.statusText;
  try {
    const body = await response.json();
    if (body && (body.detail || body.error)) detail = body.detail || body.error;
  } catch (_) { /* not JSON: keep the status line */ }
  if (response.status === 401 || response.status === 403) {
    detail += " — set the API key with the API key button.";
  }
  return detail;
}

export async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = authHeaders(opts.headers);
  const response = await fetch(path, opts);
  if (!response.ok) throw new Error(await errorMessage(response));
  return response.status === 204 ? null : response.json();
}

// {max_question_chars, max_upload_bytes, upload_types} from the server, or null when it cannot be read
// (the server enforces its limits either way; the page only applies them early).
let limitsPromise = null;
export function limits() {
  if (!limitsPromise) limitsPromise = api("api/limits").catch(() => null);
  return limitsPromise;
}
