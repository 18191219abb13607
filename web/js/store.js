// The editor's state: the document, its undo and redo history, and the selection.
// Every edit goes through change(): it works on a copy, so a refused edit (a cycle, the
// last impact) leaves the document untouched, and one undo step holds one edit.
//
// A step keeps the document before and after its edit. Undo replays after → before on
// top of the document as it is now, and redo before → after (a three-way merge), so
// revisions that arrived from elsewhere in between (someone else's save, a merge) stay:
// undo takes back your edit and nothing of theirs, and where they changed the same thing
// since, theirs stays.

import { EditRefused, clone, node, renameIds, same } from "./doc.js";
import { merge3 } from "./merge.js";

const MAX_STEPS = 300;
const COALESCE_MS = 1500;

export class Store extends EventTarget {
  constructor() {
    super();
    this.doc = null;
    this.undoStack = [];
    this.redoStack = [];
    this.selection = { nodes: [], link: null };
    this.readOnly = false;
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on(type, fn) {
    this.addEventListener(type, (event) => fn(event.detail));
  }

  /** Replace the document (opened, reloaded, merged or followed live). With keepHistory,
   * undo and redo go on working on the new document; `renames` ({node: {old: new},
   * action: …}, from a merge) are applied to the steps too. */
  load(doc, { reason = "load", keepHistory = false, renames = null } = {}) {
    if (!keepHistory) {
      this.undoStack = [];
      this.redoStack = [];
    } else if (renames) {
      const rename = (step) => ({ ...step, before: renameIds(step.before, renames), after: renameIds(step.after, renames) });
      this.undoStack = this.undoStack.map(rename);
      this.redoStack = this.redoStack.map(rename);
    }
    this.doc = clone(doc);
    this.prune();
    this.emit("change", { reason });
  }

  /** Apply `edit(doc)` to a copy; returns its result, or throws EditRefused. */
  change(label, edit, { coalesce = null } = {}) {
    if (this.readOnly) throw new EditRefused("This page is read-only.");
    const next = clone(this.doc);
    const result = edit(next);
    // An edit that changes nothing (renamed to the same words, e on an event) is no undo
    // step: the next Ctrl+Z would seem to do nothing.
    if (same(next, this.doc)) return result;
    const last = this.undoStack[this.undoStack.length - 1];
    // Keystrokes in one field make one step, unless something else happened in between.
    const merge = coalesce && last && last.key === coalesce && last.after === this.doc && Date.now() - last.time < COALESCE_MS;
    if (merge) {
      last.time = Date.now();
      last.after = next;
    } else {
      this.undoStack.push({ before: this.doc, after: next, label, key: coalesce, time: Date.now() });
      if (this.undoStack.length > MAX_STEPS) this.undoStack.shift();
    }
    this.redoStack = [];
    this.doc = next;
    this.prune();
    this.emit("change", { reason: "edit", label });
    return result;
  }

  /** Like change(), but a refusal is reported instead of thrown: returns [ok, result]. */
  attempt(label, edit, options) {
    try {
      return [true, this.change(label, edit, options)];
    } catch (exc) {
      if (!(exc instanceof EditRefused)) throw exc;
      this.emit("refused", { message: exc.message, label });
      return [false, null];
    }
  }

  canUndo() {
    return this.undoStack.length > 0;
  }

  canRedo() {
    return this.redoStack.length > 0;
  }

  undo() {
    const step = this.undoStack.pop();
    if (!step) return null;
    this.redoStack.push(step);
    this.replay(step.after, step.before, "undo", step.label);
    return step.label;
  }

  redo() {
    const step = this.redoStack.pop();
    if (!step) return null;
    this.undoStack.push({ ...step, key: null });
    this.replay(step.before, step.after, "redo", step.label);
    return step.label;
  }

  /** Apply the change `from` → `to` to the document as it is now. */
  replay(from, to, reason, label) {
    let next = to;
    if (!same(this.doc, from)) {
      next = merge3(from, to, this.doc, {}, { prefer: "theirs", split: false }).doc;
      if (same(next, this.doc)) {
        this.emit("refused", { message: `Nothing of “${label}” is left to ${reason}: it was changed since, elsewhere.` });
      }
    }
    this.doc = next;
    this.prune();
    this.emit("change", { reason, label });
  }

  /** Select nodes (ids) or one link ({from, to}); the rest is deselected. */
  select(nodes = [], link = null) {
    const ids = [...new Set(nodes)].filter((id) => this.doc && node(this.doc, id));
    const same =
      ids.length === this.selection.nodes.length &&
      ids.every((id, i) => id === this.selection.nodes[i]) &&
      JSON.stringify(link) === JSON.stringify(this.selection.link);
    if (same) return;
    this.selection = { nodes: ids, link };
    this.emit("select", this.selection);
  }

  /** The one selected node's id, when exactly one is selected. */
  selected() {
    return this.selection.nodes.length === 1 ? this.selection.nodes[0] : null;
  }

  prune() {
    // Drop selected things the document no longer has (after undo, remote changes).
    if (!this.doc) return;
    const nodes = this.selection.nodes.filter((id) => node(this.doc, id));
    const link = this.selection.link;
    const keepLink =
      link && node(this.doc, link.to) && ((node(this.doc, link.to).causes || []).includes(link.from) ||
        (this.doc.edges || []).some((e) => e.from === link.from && e.to === link.to));
    if (nodes.length !== this.selection.nodes.length || (link && !keepLink)) {
      this.selection = { nodes, link: keepLink ? link : null };
      queueMicrotask(() => this.emit("select", this.selection));
    }
  }
}
