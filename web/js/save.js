// Saving without ever losing work or silently overwriting someone else's.
//
// * Every edit is written at once to this tab's draft in localStorage (with the revision
//   it started from), so a reload, a crash or a dead network loses nothing. Each tab has
//   its own draft (drafts.js): another tab on the same incident never overwrites or
//   deletes it, and the next tab to open the incident takes over a draft left behind.
// * A moment after the last edit the document is PUT with If-Match: <that revision>.
//   Each save is a revision on the server.
// * 412 means someone else saved meanwhile: `onConflict` shows what they changed and
//   lets the user merge or reload. Nothing is retried blindly over their revision.
// * A newer revision that holds exactly what we were about to save (our own save sent as
//   the page closed, landing after the page loaded again) is taken as saved, not as a
//   conflict. So is one that holds what an earlier save of ours sent when its answer
//   never came (the network dropped after the server took it): ours, not someone else's.
// * A deleted incident (heard live, or a 410 on save) is not saved to: the edits stay in
//   the draft, and are saved when it is restored.

import { ApiError, KEEPALIVE_BYTES, api } from "./api.js";
import { debounce } from "./dom.js";
import { clone, placeOf, problems, same } from "./doc.js";
import { announceTab, drafts } from "./drafts.js";

export { drafts };

const SAVE_MS = 1000;
const RETRY_MS = 5000;
const DELETED = "This incident was deleted elsewhere.";
const GONE = "This incident is no longer on the server (its store may have been restored from an older backup).";
const KEPT = "Your changes are kept in this browser.";
const PAUSED = ["conflict", "deleted"]; // states only the user (or a restore) ends
const UNCONFIRMED = 5; // sent documents kept while their answers are missing

/** Why saving is paused when the server holds revision `number`, below ours. */
const wentBack = (number) => `The server went back to revision ${number}, older than the one you started from.`;

export class Saver extends EventTarget {
  constructor(store, { id, revision, doc, readOnly, onConflict }) {
    super();
    this.store = store;
    this.id = id;
    this.revision = revision;
    this.baseDoc = clone(doc);
    this.readOnly = readOnly;
    this.onConflict = onConflict;
    this.status = readOnly ? "readonly" : "saved";
    this.message = "";
    this.details = [];
    this.warnings = [];
    this.busy = null;
    this.again = false;
    this.remoteAhead = null;
    this.unconfirmed = []; // documents sent whose answer never came: maybe saved
    this.savedAt = null;
    this.schedule = debounce(() => this.save(), SAVE_MS);
    this.retryMs = RETRY_MS; // while offline, a save is retried this often
    this.slot = readOnly ? null : drafts.claim(); // this opening's draft
    if (!readOnly) announceTab();
  }

  /** What the state means; a deleted incident's says changes are kept only when
   * there are some. */
  get message() {
    return this.status === "deleted" && this.dirty() ? `${this.said} ${KEPT}` : this.said;
  }

  set message(text) {
    this.said = text;
  }

  set(status, message = "", details = []) {
    this.status = status;
    this.message = message;
    this.details = details;
    this.dispatchEvent(new Event("status"));
  }

  on(type, fn) {
    this.addEventListener(type, (e) => fn(e.detail));
  }

  dirty() {
    return !this.readOnly && !same(this.store.doc, this.baseDoc);
  }

  /** True when there are unsaved changes that no save will take until the user merges
   * or reloads (a conflict) or the incident is restored (deleted; never, when the server
   * no longer has it): they are only in this browser, so they can be downloaded. */
  stranded() {
    return PAUSED.includes(this.status) && this.dirty();
  }

  /** Why saving is paused, in a sentence (empty when it is not). */
  get pausedBecause() {
    if (this.status === "conflict") return `${this.said || "Someone else saved a newer revision."} Saving is paused until you merge or reload.`;
    return this.status === "deleted" ? this.said : "";
  }

  /** After every edit (and undo, redo, merge): keep a draft, schedule a save. */
  changed() {
    if (this.readOnly) return;
    if (!this.dirty()) {
      drafts.clear(this.id, this.slot);
      this.schedule.cancel();
      if (this.status === "deleted") this.dispatchEvent(new Event("status")); // none kept
      if (!PAUSED.includes(this.status)) this.set("saved");
      return;
    }
    const kept = this.keepDraft();
    if (this.status === "deleted") this.dispatchEvent(new Event("status")); // now kept
    if (PAUSED.includes(this.status)) return;
    this.set("unsaved", kept ? "" : "This browser could not keep a draft: save soon.");
    this.schedule();
  }

  /** Save now (Ctrl+S, leaving the page, before an export); resolves when done. */
  async save() {
    this.schedule.cancel();
    if (this.readOnly || PAUSED.includes(this.status)) return;
    if (this.busy) {
      this.again = true;
      return this.busy;
    }
    if (!this.dirty()) return;
    const issues = problems(this.store.doc);
    if (issues.length) {
      this.set("invalid", issues[0], issues);
      return;
    }
    const sent = clone(this.store.doc);
    this.busy = this.put(sent);
    try {
      await this.busy;
    } finally {
      this.busy = null;
    }
    if (this.again) {
      this.again = false;
      if (this.dirty() && this.status === "unsaved") await this.save();
    }
  }

  async put(sent) {
    this.set("saving");
    try {
      const saved = await api.saveIncident(this.id, sent, this.revision);
      this.revision = saved.number;
      this.baseDoc = sent;
      this.unconfirmed = [];
      this.warnings = saved.warnings || [];
      this.savedAt = new Date();
      this.dispatchEvent(new CustomEvent("saved", { detail: saved }));
      this.settle();
    } catch (exc) {
      if (!(exc instanceof ApiError)) throw exc;
      if (exc.status === 412) {
        const latest = await this.alreadySaved(sent);
        if (latest === true) return;
        this.set("conflict", latest !== null && latest < this.revision ? wentBack(latest) : "Someone else saved a newer revision.");
        this.onConflict();
      } else if (exc.status === 410) {
        this.set("deleted", DELETED);
      } else if (exc.status === 404) {
        this.set("deleted", GONE); // an answer, not an outage: retrying changes nothing
      } else if (exc.status === 422 || exc.status === 400 || exc.status === 413) {
        // Each problem said where it is in words (the node's statement), not as /nodes/200.
        const said = (d) => (d && d.pointer ? `${placeOf(sent, d.pointer)}: ${d.message}` : (d && d.message) || String(d));
        const details = Array.isArray(exc.details) ? exc.details.map(said) : [];
        const more = details.length > 1 ? ` (and ${details.length - 1} more)` : "";
        this.set("invalid", details.length ? `${details[0]}${more}` : exc.message, details);
      } else if (exc.status === 401 || exc.status === 403) {
        this.set("error", `Not saved: ${exc.message}. Your changes are kept in this browser.`);
      } else {
        this.unconfirmed = [...this.unconfirmed, sent].slice(-UNCONFIRMED);
        this.set("offline", "Not saved yet: the server cannot be reached. Your changes are kept in this browser; retrying.");
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.status === "offline" && this.save(), this.retryMs);
      }
    }
  }

  /** True when `doc` is what a save of ours sent, though its answer never came. */
  ours(doc) {
    return this.unconfirmed.some((sent) => same(sent, doc));
  }

  /** After a 412: true (and settled) when the newest revision holds exactly `sent`, or
   * what an earlier save of ours sent (whatever was edited since is then saved on it);
   * else the newest revision's number (null when it could not be fetched). */
  async alreadySaved(sent) {
    let latest;
    try {
      latest = await api.getIncident(this.id);
    } catch {
      return null;
    }
    if (!same(latest.doc, sent) && !this.ours(latest.doc)) return latest.revision;
    this.adopt(latest.revision, latest.doc);
    return true;
  }

  /** Revision `revision` holds `doc`, which is what we have or were saving: take it as our
   * base, and save whatever was edited since. */
  adopt(revision, doc) {
    this.revision = Math.max(this.revision, revision);
    this.baseDoc = clone(doc);
    this.remoteAhead = null;
    this.unconfirmed = [];
    this.settle();
  }

  /** Keep the document as this opening's draft, with the revision it started from;
   * false when the browser has no room. */
  keepDraft() {
    return drafts.store(this.id, this.slot, { base: this.revision, baseDoc: this.baseDoc, doc: this.store.doc, at: new Date().toISOString() });
  }

  /** After a save or an adopted revision: keep a draft and save again if the document
   * was edited meanwhile, else the draft is done with. */
  settle() {
    if (this.dirty()) {
      this.keepDraft();
      if (this.status === "deleted") return; // deleted while that save was on its way
      this.set("unsaved");
      this.schedule();
    } else {
      drafts.clear(this.id, this.slot);
      if (this.status !== "deleted") this.set("saved");
    }
  }

  /** The page is going away: send what is unsaved with a request that outlives the page
   * (the draft keeps it anyway, but others see it sooner), if it fits in the `room` bytes
   * the browser allows such requests; the bytes sent (0: none). */
  leave(room = KEEPALIVE_BYTES) {
    if (!this.dirty() || PAUSED.includes(this.status) || this.busy || problems(this.store.doc).length) return 0;
    return api.saveOnLeave(this.id, JSON.stringify(this.store.doc), this.revision, room);
  }

  /** A revision arrived over the live stream (maybe our own). */
  remote(record) {
    if (record.number <= this.revision) return "old";
    if (record.action === "delete") {
      this.schedule.cancel();
      this.set("deleted", DELETED);
      return "deleted";
    }
    if (this.status === "deleted") this.set(this.dirty() ? "unsaved" : "saved"); // restored
    if (!this.busy && this.status !== "conflict" && same(record.document, this.baseDoc)) {
      // It changes nothing we started from (a restore): our edits go on top of it as they are.
      this.adopt(record.number, record.document);
      return "same";
    }
    const ours = this.status !== "conflict" && this.ours(record.document);
    if (!this.busy && (ours || same(record.document, this.store.doc))) {
      this.adopt(record.number, record.document);
      return "same";
    }
    if (!this.dirty() && !this.busy && this.status !== "conflict") {
      this.revision = record.number;
      this.baseDoc = clone(record.document);
      this.store.load(record.document, { reason: "remote", keepHistory: true });
      drafts.clear(this.id, this.slot);
      this.set("saved");
      return "applied";
    }
    this.remoteAhead = record.number;
    if (!this.busy && this.status !== "conflict") this.save();
    return "pending";
  }

  /** The server went back to revision `record.number`, at or below ours (its store was
   * restored from a backup): what we started from is no longer there, and a save on it
   * would be refused. With nothing unsaved, show what the server has now ("reloaded");
   * else ask to merge our edits onto it, as for a newer revision ("conflict"). */
  wentBack(record) {
    // Known already: a refused save found it first, and we merged onto it or took it.
    if (record.number === this.revision && same(record.document, this.baseDoc)) return "old";
    this.schedule.cancel();
    clearTimeout(this.retry);
    this.remoteAhead = null;
    this.unconfirmed = []; // sent to the history that is gone
    if (record.action === "delete") {
      this.revision = record.number;
      this.set("deleted", DELETED);
      return "deleted";
    }
    if (this.busy) return "pending"; // its save is refused (412), and that asks to merge
    if (!this.dirty()) {
      this.reload(record.document, record.number);
      return "reloaded";
    }
    this.keepDraft();
    this.set("conflict", wentBack(record.number));
    this.onConflict();
    return "conflict";
  }

  /** Take a merge: `doc` on top of revision `revision` (whose document is `theirs`);
   * `renames` are the ids of ours the merge changed. Undo keeps working: it replays
   * each edit of ours onto the merged document, never taking back theirs. */
  resolve(doc, revision, theirs, renames = null) {
    this.revision = revision;
    this.baseDoc = clone(theirs);
    this.remoteAhead = null;
    this.set("unsaved");
    this.store.load(doc, { reason: "merge", keepHistory: true, renames });
  }

  /** Drop local changes and take revision `revision`. */
  reload(theirs, revision) {
    this.revision = revision;
    this.baseDoc = clone(theirs);
    this.remoteAhead = null;
    drafts.clear(this.id, this.slot);
    this.set("saved");
    this.store.load(theirs, { reason: "reload" });
  }

  /** The server answers again (the live stream is back): an offline save is retried now,
   * not at the next tick of its timer, so viewers get the edits made meanwhile at once. */
  resume() {
    if (this.status !== "offline") return;
    clearTimeout(this.retry);
    this.save();
  }

  /** The page closes (its draft, if any, is left for the next page of the incident). */
  stop() {
    this.schedule.cancel();
    clearTimeout(this.retry);
    if (this.slot) drafts.release(this.slot);
  }
}
