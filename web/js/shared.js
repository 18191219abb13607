// The incident's shared layout: where the facilitator put the nodes, seen by everyone.
// In a review people say "the node on the left", so every page of an incident draws it
// the same way. The server keeps one layout per incident (GET/PUT .../layout, no
// revision); an editor's moves (a drag, Ctrl+arrows, tidy, a node it places) are sent a
// moment after the last one, and every page moves its nodes when the live stream says
// the layout changed. A viewer (read token) only follows, never writes.
//
// Two editors may move nodes at once: a save names the version it replaces (If-Match),
// and one refused because the other saved first is merged (their places, with ours for
// the nodes we moved since our last save) and sent again. Nodes moved here and not yet
// saved are not moved back by a layout heard meanwhile, and are remembered in this
// browser until saved, so that a reload (or a night offline) does not lose them to the
// layout on the server. Moves not sent yet when the tab closes go with a request that
// outlives the page (as the document's do, save.js), over the version this page holds.
// Without the server's layout (an older server, or none could be read) the page works
// as before: places kept in this browser alone.

import { ApiError, KEEPALIVE_BYTES, api } from "./api.js";
import { debounce } from "./dom.js";

const SAVE_MS = 300; // a drag's end, or the last of a series of nudges, before it is sent
const RETRY_MS = 5000; // while the server cannot be reached
const MERGES = 3; // refused saves merged and sent again in a row before waiting
const GLIDE_MS = 300;

/** The user asked for less motion: nodes jump where they would glide. */
const calm = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

/** The ids of nodes moved in this browser whose move the server has not taken yet. */
export const unsentMoves = {
  key: (id) => `causemap:layout-unsent:${id}`,
  load(id) {
    try {
      const ids = JSON.parse(localStorage.getItem(unsentMoves.key(id)));
      return Array.isArray(ids) ? ids.filter((x) => typeof x === "string") : [];
    } catch {
      return [];
    }
  },
  store(id, ids) {
    try {
      if (ids.length) localStorage.setItem(unsentMoves.key(id), JSON.stringify(ids));
      else localStorage.removeItem(unsentMoves.key(id));
    } catch {
      /* storage full or disabled: a reload may lose the last moves */
    }
  },
};

export class SharedLayout {
  /** `layout`: what GET .../layout answered as the page opened (null: none could be
   * read; nothing is sent until the live stream tells the version). `unsent`: nodes
   * moved here before, never saved (sent as soon as the version is known). `paused()`:
   * true while nothing may be saved (the incident was deleted). */
  constructor(id, canvas, { readOnly, layout, unsent = [], paused = () => false }) {
    this.id = id;
    this.canvas = canvas;
    this.readOnly = readOnly;
    this.paused = paused;
    this.version = layout ? layout.version : null;
    // Nodes placed here and not saved yet, each with the number of its latest move.
    this.moves = 1;
    this.moved = new Map(unsent.map((node) => [node, 1]));
    this.stopped = false;
    this.busy = null;
    this.again = false;
    this.schedule = debounce(() => this.save(), SAVE_MS);
    canvas.onMoved = (ids) => this.changed(ids);
    if (this.moved.size && !readOnly) this.schedule();
  }

  /** Nodes `ids` were placed here (by hand, by tidy, or as new nodes): share them soon. */
  changed(ids) {
    if (this.readOnly || this.stopped) return;
    this.moves += 1;
    for (const id of ids) this.moved.set(id, this.moves);
    unsentMoves.store(this.id, [...this.moved.keys()]);
    this.schedule();
  }

  /** Every node drawn here, where it is. */
  current() {
    const nodes = {};
    for (const [id, p] of Object.entries(this.canvas.positions)) nodes[id] = { x: Math.round(p.x), y: Math.round(p.y) };
    return nodes;
  }

  /** Send the layout now (also as the page closes); one save at a time. */
  async save() {
    this.schedule.cancel();
    if (this.readOnly || this.stopped || !this.moved.size || this.version === null || this.paused()) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.send();
    try {
      await this.busy;
    } finally {
      this.busy = null;
    }
    if (this.again) {
      this.again = false;
      this.save();
    }
  }

  /** The page is going away: send the moves not saved yet with a request that outlives
   * it, over the version this page holds, if it fits in `room` bytes (what the browser
   * leaves such requests); the bytes sent (0: none). Not while a save is on its way,
   * whose version this one could only guess. Whatever is not taken (not sent, refused
   * because someone saved since, or lost) stays remembered in this browser, for the
   * next page of the incident. */
  leave(room = KEEPALIVE_BYTES) {
    if (this.readOnly || this.stopped || !this.moved.size || this.version === null || this.paused() || this.busy) return 0;
    this.schedule.cancel();
    return api.saveLayoutOnLeave(this.id, this.current(), this.version, room);
  }

  async send() {
    const sent = new Map(this.moved);
    let nodes = this.current();
    for (let attempt = 0; attempt <= MERGES; attempt++) {
      try {
        const saved = await api.saveLayout(this.id, nodes, this.version);
        this.version = Math.max(this.version, saved.version);
        Object.assign(this.canvas.shared, nodes);
        // Moved again while this save was on its way: that move is still to send.
        for (const [id, move] of sent) if (this.moved.get(id) === move) this.moved.delete(id);
        unsentMoves.store(this.id, [...this.moved.keys()]);
        return;
      } catch (exc) {
        if (!(exc instanceof ApiError)) throw exc;
        if (exc.status !== 412) return this.failed(exc);
        // Someone else saved first: theirs, with our moves on top, over their version.
        let theirs;
        try {
          theirs = await api.layout(this.id);
        } catch (again) {
          return this.failed(again);
        }
        this.apply(theirs, { force: true });
        nodes = { ...theirs.nodes, ...pick(this.current(), [...sent.keys()]) };
      }
    }
    this.retryLater();
  }

  failed(exc) {
    // No right to, an older server without layouts, or the incident is gone.
    if ([401, 403, 404, 405].includes(exc.status)) return this.stop();
    if (exc.status === 410) return; // deleted: sent once it is restored (see paused)
    // Unreachable or busy: again in a while. Refused (a place out of range): not until
    // the next move, which sends every place again.
    if (exc.status === 0 || exc.status === 429 || exc.status >= 500) this.retryLater();
  }

  retryLater() {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.save(), RETRY_MS);
  }

  /** A layout from the server (the live stream; with `force`, a refused save's fetch):
   * move the nodes there, but not those moved here and not saved yet. One no newer than
   * what this page has is old news (its own save, heard back). */
  apply(layout, { force = false } = {}) {
    if (!layout || typeof layout.version !== "number" || !layout.nodes) return;
    if (!force && this.version !== null && layout.version <= this.version) return;
    const unknown = this.version === null;
    this.version = layout.version;
    const theirs = Object.keys(layout.nodes).filter((id) => !this.moved.has(id));
    moveNodes(this.canvas, pick(layout.nodes, theirs));
    Object.assign(this.canvas.shared, layout.nodes);
    if (unknown && this.moved.size) this.schedule(); // held back until the version was known
  }

  stop() {
    this.stopped = true;
    this.schedule.cancel();
    clearTimeout(this.retry);
  }
}

/** Move the canvas's nodes to `nodes` (id → {x, y}), gliding unless the user asked for
 * less motion; a node being dragged here is left where the hand has it. */
export function moveNodes(canvas, nodes) {
  let changed = false;
  for (const [id, p] of Object.entries(nodes)) {
    const to = { x: p.x, y: p.y };
    const was = canvas.positions[id];
    const el = canvas.cy.getElementById(id);
    if (el.empty() || el.grabbed() || (was && was.x === to.x && was.y === to.y)) continue;
    canvas.positions[id] = to;
    changed = true;
    el.stop(true);
    if (calm()) el.position(to);
    else el.animate({ position: to }, { duration: GLIDE_MS });
  }
  if (changed) canvas.keep();
}

/** `nodes` restricted to `ids`. */
function pick(nodes, ids) {
  const out = {};
  for (const id of ids) if (nodes[id]) out[id] = nodes[id];
  return out;
}
