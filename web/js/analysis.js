// Live analysis: the document is posted to /analyze a moment after each edit (debounced,
// with older requests cancelled and late answers ignored), and to /suggest for catalog
// factors (likewise, and never asked twice at once for the same document). A failed
// analysis is tried again by itself, sooner or later (and at once when the editor sees
// the server answer again). Whatever shows the results listens for
// "analysis" and "suggestions" events.

import { api } from "./api.js";
import { debounce } from "./dom.js";
import { stable } from "./doc.js";

const ANALYZE_MS = 350;
const SUGGEST_MS = 600;
const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

/** What a node's own suggestions are about: shown only while it is unchanged. */
function wording(node) {
  return stable([node.label, node.detail || null, node.level || null]);
}

/** The request of one kind that is on its way: starting another cancels it, and an
 * answer counts only while its request is still the latest. */
class Latest {
  constructor() {
    this.request = null; // { key, control }
  }

  start(key) {
    this.cancel();
    this.request = { key, control: new AbortController() };
    return this.request;
  }

  isLatest(request) {
    return this.request === request;
  }

  end(request) {
    if (this.request === request) this.request = null;
  }

  cancel() {
    if (this.request) this.request.control.abort();
    this.request = null;
  }
}

export class Analyzer extends EventTarget {
  constructor(store) {
    super();
    this.store = store;
    this.result = null;
    this.error = null;
    this.empty = false;
    this.key = null;
    this.analysing = new Latest();
    this.suggested = new Map();
    this.suggestKey = null;
    this.suggestError = null;
    this.suggestFailures = 0;
    this.suggestTimer = null;
    this.suggesting = new Latest();
    this.failures = 0;
    this.retry = null;
    this.schedule = debounce(() => this.run(), ANALYZE_MS);
    this.scheduleSuggest = debounce(() => this.suggest(), SUGGEST_MS);
  }

  emit(type) {
    this.dispatchEvent(new Event(type));
  }

  on(type, fn) {
    this.addEventListener(type, () => fn(this));
  }

  /** True when the result shown belongs to the document as it is now. */
  fresh() {
    return this.key !== null && this.key === stable(this.store.doc);
  }

  async run() {
    clearTimeout(this.retry);
    this.retry = null;
    const doc = this.store.doc;
    if (!doc) return;
    const key = stable(doc);
    if (key === this.key) return;
    this.analysing.cancel();
    this.empty = !doc.nodes.some((n) => n.kind !== "impact");
    if (this.empty) {
      // Only the impact so far: nothing to classify or check yet.
      this.result = null;
      this.error = null;
      this.key = key;
      this.emit("analysis");
      return;
    }
    const asking = this.analysing.start(key);
    try {
      const result = await api.analyze(key, asking.control.signal);
      if (!this.analysing.isLatest(asking)) return;
      this.result = result;
      this.error = null;
      this.key = key;
      this.failures = 0;
    } catch (exc) {
      if (exc.name === "AbortError" || !this.analysing.isLatest(asking)) return;
      this.error = exc;
      this.retry = setTimeout(() => this.run(), RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)]);
    } finally {
      this.analysing.end(asking);
    }
    this.emit("analysis");
  }

  stop() {
    clearTimeout(this.retry);
    clearTimeout(this.suggestTimer);
    this.schedule.cancel();
    this.scheduleSuggest.cancel();
    this.analysing.cancel();
    this.suggesting.cancel();
  }

  /** Catalog suggestions for one node: a list, or null while none have been fetched for
   * its wording as it is now. */
  suggestionsFor(node) {
    const got = this.suggested.get(node.id);
    if (!got || got.wording !== wording(node)) return null;
    return got.items;
  }

  async suggest() {
    const doc = this.store.doc;
    if (!doc) return;
    // The server scores a node on its statement, detail and level, its class (which
    // follows from the whole graph) and the incident's services: ask again on any change.
    const key = stable(doc);
    if (key === this.suggestKey || (this.suggesting.request && this.suggesting.request.key === key)) return;
    // After a failure the same question waits its turn (showing the failure redraws the
    // panel, which asks again): once, when the back-off is over.
    const wait = this.suggestError && key === this.suggestFailed ? this.suggestAgainAt - Date.now() : 0;
    if (wait > 0) {
      if (!this.suggestTimer) this.suggestTimer = setTimeout(() => ((this.suggestTimer = null), this.suggest()), wait);
      return;
    }
    // An answer for an older document must not replace a newer one's: cancel it.
    const asking = this.suggesting.start(key);
    try {
      const answer = await api.suggest(doc, asking.control.signal);
      if (!this.suggesting.isLatest(asking)) return;
      for (const n of doc.nodes) {
        if (answer.nodes && answer.nodes[n.id]) {
          this.suggested.set(n.id, { wording: wording(n), items: answer.nodes[n.id] });
        }
      }
      this.suggestKey = key;
      this.suggestError = null;
      this.suggestFailures = 0;
    } catch (exc) {
      if (!this.suggesting.isLatest(asking)) return;
      this.suggestError = exc;
      this.suggestFailed = key;
      this.suggestAgainAt = Date.now() + RETRY_MS[Math.min(this.suggestFailures++, RETRY_MS.length - 1)];
    } finally {
      this.suggesting.end(asking);
    }
    this.emit("suggestions");
  }

  /** The class of a node, with the rule's reasons, when analysed. */
  classOf(id) {
    return this.result && this.result.nodes ? this.result.nodes[id] || null : null;
  }

  /** Findings that name a node, an action or a link. */
  findingsFor({ node, action, link } = {}) {
    if (!this.result) return [];
    return this.result.findings.filter(
      (f) =>
        (node && f.nodes.includes(node)) ||
        (action && f.actions.includes(action)) ||
        (link && f.edges.some(([a, b]) => a === link.from && b === link.to)),
    );
  }
}
