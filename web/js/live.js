// Following an incident live: the server's Server-Sent Events, read with fetch streaming
// rather than EventSource, because EventSource cannot send the Authorization header.
// Reconnects with Last-Event-ID, so no revision is missed across a dropped connection.
// A connection can also die without closing (a laptop's network changed, a proxy or NAT
// forgot it): the server speaks at least every `Causemap-Ping` seconds, so a stream
// silent for much longer than that is dropped and reconnected, not shown as live forever.
// A lost stream is tried again within half a second, then less and less often (up to a
// few seconds apart), each wait a random part of its step: a room of viewers who lost a
// restarting service together comes back soon, and not all in the same instant.

import { BASE } from "./api.js";
import { token } from "./route.js";

const RETRY_FIRST_MS = 400; // the first reconnect waits at most this
const RETRY_MAX_MS = 3000; // and none waits longer than this
const PING_S = 15; // the server's keep-alive interval when it does not say

/** How long a stream may stay silent before it is taken as dead: three keep-alives. */
export function silenceLimit(header) {
  const ping = Number(header);
  const s = Number.isFinite(ping) && ping > 0 ? ping : PING_S;
  return Math.max(3 * s, s + 2) * 1000;
}

/** How long to wait before reconnect `attempt` (0 for the first): a step doubling from
 * RETRY_FIRST_MS up to RETRY_MAX_MS, of which a random half to all (`random` in [0, 1)). */
export function reconnectDelay(attempt, random = Math.random) {
  const step = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(attempt, 16));
  return step * (0.5 + random() / 2);
}

/** Split a text/event-stream into events: {event, id, data}. Keeps partial input, and a
 * CR at the end of a chunk until the next shows whether an LF follows (one line end). */
export class EventParser {
  constructor() {
    this.buffer = "";
    this.cr = false;
  }

  push(text) {
    let chunk = (this.cr ? "\r" : "") + text;
    this.cr = chunk.endsWith("\r");
    if (this.cr) chunk = chunk.slice(0, -1);
    this.buffer += chunk.replace(/\r\n?/g, "\n");
    const events = [];
    let cut;
    while ((cut = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const event = { event: "message", id: null, data: [] };
      for (const line of block.split("\n")) {
        if (!line || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") event.data.push(value);
        else if (field === "event") event.event = value;
        else if (field === "id") event.id = value;
      }
      if (event.data.length) events.push({ ...event, data: event.data.join("\n") });
    }
    return events;
  }
}

/**
 * Follow incident `id` from revision `after`: onRevision({number, action, document, …},
 * {rewound}) for each new revision (`rewound` when the server went back to an earlier
 * one), onState("live" | "reconnecting" | "stopped", message). With `layout` (a function
 * giving the shared layout's version the page has, null when unknown), also
 * onLayout({version, nodes, …}, {first}) each time the shared layout changes; `first`
 * for the first one after a (re)connection, which is the server's layout now, even one
 * older than the page's (its store was restored from a backup).
 * Returns {stop()}.
 */
export function follow(id, after, { onRevision, onState, layout = null, onLayout = () => {} }) {
  let last = after;
  let stopped = false;
  let control = null;
  let attempt = 0;
  let silent = null;
  let limit = silenceLimit(null); // until the server says; a connect may hang as well

  async function once() {
    const current = (control = new AbortController());
    const watch = () => {
      clearTimeout(silent);
      silent = setTimeout(() => current.abort(new DOMException("no data", "TimeoutError")), limit);
    };
    watch();
    const headers = { Accept: "text/event-stream" };
    const t = token();
    if (t) headers.Authorization = `Bearer ${t}`;
    if (last !== null && last !== undefined) headers["Last-Event-ID"] = String(last);
    const params = new URLSearchParams();
    if (last !== null && last !== undefined) params.set("after", String(last));
    if (layout) params.set("layout", String(layout() ?? 0)); // 0: send the one there is
    const query = String(params) ? `?${params}` : "";
    const response = await fetch(`${BASE}/incidents/${encodeURIComponent(id)}/events${query}`, {
      headers, signal: current.signal, cache: "no-store",
    });
    if (!response.ok) {
      const fatal = [401, 403, 404, 410].includes(response.status);
      const error = new Error(`live updates: ${response.status}`);
      error.fatal = fatal;
      error.status = response.status;
      throw error;
    }
    onState("live");
    attempt = 0;
    limit = silenceLimit(response.headers.get("Causemap-Ping"));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new EventParser();
    let first = true;
    for (;;) {
      watch();
      const { value, done } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        if (event.event === "layout") {
          onLayout(JSON.parse(event.data), { first });
          first = false;
        }
        if (event.event !== "revision") continue;
        const data = JSON.parse(event.data);
        // The server sends only revisions above the one asked for, unless its history
        // went back (a store restored from a backup): it starts over with its current
        // revision, at or below ours.
        const rewound = last !== null && last !== undefined && data.number <= last;
        if (event.id) last = Number(event.id);
        onRevision(data, { rewound });
      }
    }
  }

  (async () => {
    while (!stopped) {
      try {
        await once();
      } catch (exc) {
        if (stopped) break;
        if (exc.fatal) {
          const why = { 404: "This incident is no longer on the server.", 410: "This incident was deleted." }[exc.status];
          onState("stopped", why || "Live updates are not available.");
          return;
        }
      } finally {
        clearTimeout(silent);
      }
      if (stopped) break;
      onState("reconnecting");
      await new Promise((r) => setTimeout(r, reconnectDelay(attempt++)));
    }
  })();

  return {
    stop() {
      stopped = true;
      if (control) control.abort();
    },
  };
}
