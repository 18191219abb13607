// The editor's state: the document, its undo and redo history, and the selection.
// Every edit goes through change(): it works on a copy, so a refused edit (a cycle, the
// last impact) leaves the document untouched, and one undo step holds one edit.

import { EditRefused, clone, node } from "./doc.js";

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

  /** Replace the document (opened, reloaded, merged or followed live). */
  load(doc, { reason = "load", keepHistory = false } = {}) {
    if (!keepHistory) {
      this.undoStack = [];
      this.redoStack = [];
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
    const last = this.undoStack[this.undoStack.length - 1];
    const merge = coalesce && last && last.key === coalesce && Date.now() - last.time < COALESCE_MS;
    if (merge) {
      last.time = Date.now();
    } else {
      this.undoStack.push({ doc: this.doc, label, key: coalesce, time: Date.now() });
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
    this.redoStack.push({ ...step, doc: this.doc });
    this.doc = step.doc;
    this.prune();
    this.emit("change", { reason: "undo", label: step.label });
    return step.label;
  }

  redo() {
    const step = this.redoStack.pop();
    if (!step) return null;
    this.undoStack.push({ ...step, doc: this.doc, key: null });
    this.doc = step.doc;
    this.prune();
    this.emit("change", { reason: "redo", label: step.label });
    return step.label;
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
