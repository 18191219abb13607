// The HTTP API (docs/dev/api-contract.md): every call under /api/v1, with the token as
// "Authorization: Bearer"; errors become ApiError with the server's code and message.

import { token } from "./route.js";

export const BASE = "/api/v1";

/** What the bodies of the requests a closing page sends may add up to: the browser
 * refuses a request that outlives the page (keepalive) past 64 KiB of them in flight. */
export const KEEPALIVE_BYTES = 64 * 1024;

export class ApiError extends Error {
  constructor(status, code, message, details = null, body = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.body = body;
  }
}

function headers(extra = {}) {
  const out = { ...extra };
  const t = token();
  if (t) out.Authorization = `Bearer ${t}`;
  return out;
}

async function fail(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  const err = body && body.error ? body.error : {};
  const message = err.message || `${response.status} ${response.statusText || "error"}`;
  return new ApiError(response.status, err.code || `http-${response.status}`, message, err.details || null, body);
}

/** Fetch path (relative to /api/v1); throws ApiError unless the answer is 2xx or 304.
 * Nothing is kept in the browser's HTTP cache unless `cache` says so ("no-cache": kept,
 * and asked again with If-None-Match each time, so that the server's 304 is answered
 * with the copy kept). */
export async function request(method, path, { body, json, jsonText, accept, ifMatch, signal, cache = "no-store" } = {}) {
  const extra = {};
  if (json !== undefined || jsonText !== undefined) {
    extra["Content-Type"] = "application/json";
    body = jsonText !== undefined ? jsonText : JSON.stringify(json);
  }
  if (accept) extra.Accept = accept;
  if (ifMatch !== undefined) extra["If-Match"] = `"${ifMatch}"`;
  let response;
  try {
    response = await fetch(BASE + path, { method, body, headers: headers(extra), signal, cache });
  } catch (exc) {
    if (exc.name === "AbortError") throw exc;
    throw new ApiError(0, "offline", "The server cannot be reached.");
  }
  if (!response.ok && response.status !== 304) throw await fail(response);
  return response;
}

/** PUT `body` (JSON text) to `path` with a request that outlives the page, naming the
 * ETag `tag` in If-Match, if its bytes fit in `room`; the bytes it took (0: not sent). */
function putOnLeave(path, body, tag, room) {
  const size = new TextEncoder().encode(body).length;
  if (!(size <= room)) return 0;
  const extra = { "Content-Type": "application/json", "If-Match": `"${tag}"` };
  fetch(BASE + path, { method: "PUT", body, headers: headers(extra), keepalive: true }).catch(() => {});
  return size;
}

/** The revision number an ETag names ("3" → 3). */
export function etagNumber(response) {
  const tag = response.headers.get("ETag") || "";
  const m = tag.match(/(\d+)/);
  return m ? Number(m[1]) : null;
}

export const api = {
  async json(method, path, opts = {}) {
    const response = await request(method, path, opts);
    return response.status === 204 ? null : response.json();
  },
  whoami: () => api.json("GET", "/whoami"),
  /** Every live incident, or every deleted one: all the pages (the list counts and
   * filters them all). */
  async listIncidents({ deleted = false } = {}) {
    const items = [];
    let cursor = null;
    do {
      const query = new URLSearchParams({ limit: "500" });
      if (deleted) query.set("deleted", "true");
      if (cursor) query.set("cursor", cursor);
      const got = await api.json("GET", `/incidents?${query}`);
      items.push(...got.items);
      cursor = got.next_cursor;
    } while (cursor);
    return items;
  },
  async getIncident(id) {
    const response = await request("GET", `/incidents/${encodeURIComponent(id)}`);
    return { doc: await response.json(), revision: etagNumber(response) };
  },
  createIncident: (doc) => api.json("POST", "/incidents", { json: doc }),
  saveIncident: (id, doc, revision) =>
    api.json("PUT", `/incidents/${encodeURIComponent(id)}`, { json: doc, ifMatch: revision }),
  /** Every revision, oldest first: all the pages, since autosave makes hundreds. */
  async revisions(id) {
    const items = [];
    let after = 0;
    for (;;) {
      const got = await api.json("GET", `/incidents/${encodeURIComponent(id)}/revisions?limit=500&after=${after}`);
      items.push(...got.items);
      if (got.next_after == null) return { items };
      after = got.next_after;
    }
  },
  /** The incident's shared layout: {version, nodes: {id: {x, y}}} (shared.js). */
  layout: (id) => api.json("GET", `/incidents/${encodeURIComponent(id)}/layout`),
  /** Replace the shared layout; refused (412) unless `version` is still the latest. */
  saveLayout: (id, nodes, version) =>
    api.json("PUT", `/incidents/${encodeURIComponent(id)}/layout`, { json: { nodes }, ifMatch: `layout-${version}` }),
  /** Undo a delete (a no-op on a live incident). */
  restoreIncident: (id) => api.json("POST", `/incidents/${encodeURIComponent(id)}/restore`),
  async revision(id, number) {
    const response = await request("GET", `/incidents/${encodeURIComponent(id)}/revisions/${number}`);
    return response.json();
  },
  diff: (id, from, to) => api.json("GET", `/incidents/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`),
  /** As the page closes: the document (JSON text) over `revision`, if it fits in `room`
   * bytes; the bytes sent (0: none). */
  saveOnLeave: (id, body, revision, room = KEEPALIVE_BYTES) =>
    putOnLeave(`/incidents/${encodeURIComponent(id)}`, body, revision, room),
  /** As the page closes: the shared layout over `version`, as saveLayout sends it, if it
   * fits in `room` bytes; the bytes sent (0: none). */
  saveLayoutOnLeave: (id, nodes, version, room = KEEPALIVE_BYTES) =>
    putOnLeave(`/incidents/${encodeURIComponent(id)}/layout`, JSON.stringify({ nodes }), `layout-${version}`, room),
  // The document as its stable text (sorted keys): every page of a live review posts the
  // same bytes for a revision, and the service analyses them once for all.
  analyze: (text, signal) => api.json("POST", "/analyze", { jsonText: text, signal }),
  suggest: (doc, signal) => api.json("POST", "/suggest?top=3", { json: doc, signal }),
  async render(doc, format, options = {}) {
    return (await api.rendered(doc, format, options)).blob();
  },
  /** The render's answer itself, for its headers too: `Causemap-Warning` says why GitHub
   * and GitLab would not draw a Mermaid text (what `causemap render -f mermaid` warns). */
  rendered(doc, format, options = {}) {
    const query = new URLSearchParams({ format, ...options });
    return request("POST", `/render?${query}`, { json: doc });
  },
  async yaml(id) {
    const response = await request("GET", `/incidents/${encodeURIComponent(id)}`, { accept: "application/yaml" });
    return response.text();
  },
  /** The patterns report over the store (megabytes for a large archive): kept in the
   * browser's cache and revalidated by its ETag, which changes with any incident's
   * revision, so it is downloaded again only when something changed. */
  patterns: () => api.json("GET", "/patterns?format=json", { cache: "no-cache" }),
  /** The server's factor catalog, as a catalog file (catalog.js asks once per page). It
   * changes only when the server restarts with another catalog: kept in the browser's
   * cache and revalidated by its ETag, it is downloaded again only then. */
  catalog: () => api.json("GET", "/catalog", { cache: "no-cache" }),
};
