// Everything a key or a button can do in the editor: selection, edits (each one undo
// step, refused with a message when it would break a rule), linking, deleting, actions.
// Editor extends this class; `this` has the store, canvas, entry, saver and panels.

import * as D from "./doc.js";
import { announce, toast } from "./dom.js";
import { shorten, shown } from "./text.js";

/** A kind with its article, as said: "an event", "a condition". */
const aKind = (kind) => `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;

export class Commands {
  // ---- selection ------------------------------------------------------------------

  selectNode(id, { reveal = false, additive = false } = {}) {
    const current = this.store.selection.nodes;
    const ids = additive ? (current.includes(id) ? current.filter((x) => x !== id) : [...current, id]) : [id];
    this.store.select(ids);
    if (reveal) this.canvas.reveal(ids);
  }

  selectNodes(ids, { reveal = false } = {}) {
    this.store.select(ids);
    if (reveal) this.canvas.reveal(ids);
  }

  selectLink(from, to) {
    this.store.select([], { from, to });
    this.showTab("selection");
  }

  showFinding(f) {
    if (f.nodes.length) this.selectNodes(f.nodes, { reveal: true });
    else if (f.edges.length) this.selectLink(f.edges[0][0], f.edges[0][1]);
    else if (f.actions.length) this.showAction(f.actions[0]);
  }

  showAction(id) {
    this.showTab("actions");
    this.actionsPanel.focus(id);
  }

  /** Move the selection to the nearest node in a direction (arrow keys); with `extend`
   * (Shift+arrow) add that node to the selection instead, and go on from it. */
  move(direction, extend = false) {
    const from = this.store.selection.nodes[this.store.selection.nodes.length - 1];
    const next = from ? this.canvas.nearest(from, direction) : this.canvas.middle();
    if (this.connecting) {
      const at = this.connecting.target || this.connecting.source;
      const target = this.canvas.nearest(at, direction);
      if (target) {
        this.connecting.target = target;
        this.canvas.mark("target", [target]);
        this.canvas.reveal([target]);
        announce(`Target: “${shorten(D.node(this.store.doc, target).label)}”. Enter links it.`);
      }
      return;
    }
    if (!next) return;
    if (!extend || !from) return this.selectNode(next, { reveal: true });
    // The last selected node is where the next Shift+arrow starts from.
    this.selectNodes([...this.store.selection.nodes.filter((id) => id !== next), next], { reveal: true });
  }

  /** Move the selected nodes (Ctrl+arrow keys; with Shift, further): what a drag does. */
  nudge(direction, far = false) {
    const ids = this.store.selection.nodes;
    if (!ids.length) return toast("Select a node first.", "warn");
    this.canvas.nudge(ids, direction, far ? 100 : 20);
    announce(`Moved ${direction}.`);
  }

  // ---- edits ----------------------------------------------------------------------

  /** Add a statement; in "why" or "then" mode linked to `anchor`. Returns the new id. */
  addStatement(text, kind, mode, anchor) {
    const doc = this.store.doc;
    if ((mode === "why" || mode === "then") && !D.node(doc, anchor)) mode = "new";
    if (mode === "then" && D.node(doc, anchor).kind === "impact") {
      this.store.emit("refused", { message: "An impact causes nothing, so it has no “then”. Add a cause (why?) instead." });
      return null;
    }
    if (mode === "new") {
      const sel = this.store.selected();
      if (!this.canvas.placeHint && sel) {
        const p = this.canvas.positions[sel];
        if (p) this.canvas.placeHint = { x: p.x, y: p.y + 90 };
      }
    }
    const [ok, id] = this.store.attempt(mode === "why" ? "Add a cause" : mode === "then" ? "Add an effect" : "Add a statement", (d) => {
      const made = D.addNode(d, { kind, label: text });
      if (mode === "why") D.connect(d, made, anchor);
      if (mode === "then") D.connect(d, anchor, made);
      return made;
    });
    if (!ok) return null;
    this.store.select([id]);
    this.canvas.reveal([id]);
    announce(`Added “${shorten(text, 120)}” as ${aKind(kind)}.`);
    return id;
  }

  beginEntry(mode) {
    if (this.readOnly || !this.entry) return;
    const sel = this.store.selected();
    if (mode !== "new" && !sel) {
      const many = this.store.selection.nodes.length;
      toast(many > 1 ? `${many} nodes are selected: select one (Esc clears the selection).` : "Select a node first.", "warn");
      return;
    }
    if (mode === "then" && D.node(this.store.doc, sel).kind === "impact") {
      toast("An impact causes nothing, so it has no “then”.", "warn");
      return;
    }
    const full = mode === "why" && D.whyNoMoreCauses(D.node(this.store.doc, sel));
    if (full) return this.store.emit("refused", { message: full });
    this.entry.begin(mode, mode === "new" ? null : sel);
  }

  edit(label, fn, coalesce) {
    const [ok] = this.store.attempt(label, fn, { coalesce });
    return ok;
  }

  /** Set a node field; returns true, or the reason it was refused. Typing in a field
   * merges into one undo step (`coalesce`); a click such as accepting a suggestion is one
   * step of its own. */
  setNodeField(id, field, value, label, { coalesce = true } = {}) {
    try {
      this.store.change(label, (d) => D.setNodeField(d, id, field, value), { coalesce: coalesce ? `node:${id}:${field}` : null });
      return true;
    } catch (exc) {
      if (!(exc instanceof D.EditRefused)) throw exc;
      if (field === "kind") this.store.emit("refused", { message: exc.message });
      return exc.message;
    }
  }

  /** A field's edit (typing merges into one undo step): true, or the reason it was
   * refused, which the field shows (and a screen reader hears) where it was typed. */
  fieldEdit(label, fn, coalesce) {
    try {
      this.store.change(label, fn, { coalesce });
      return true;
    } catch (exc) {
      if (!(exc instanceof D.EditRefused)) throw exc;
      return exc.message;
    }
  }

  setLinkField(from, to, field, value) {
    return this.fieldEdit(`Edit link ${field}`, (d) => D.setLinkField(d, from, to, field, value), `link:${from}:${to}:${field}`);
  }

  setIncidentField(field, value, label) {
    return this.fieldEdit(label, (d) => D.setIncidentField(d, field, value), `incident:${field}`);
  }

  setActionField(id, field, value, label) {
    return this.fieldEdit(label, (d) => D.setActionField(d, id, field, value), `action:${id}:${field}`);
  }

  setKind(kind) {
    for (const id of this.store.selection.nodes) {
      if (this.setNodeField(id, "kind", kind, `Make it ${aKind(kind)}`) === true) {
        announce(`Now ${aKind(kind)}.`);
      }
    }
    if (!this.store.selection.nodes.length && this.entry) {
      this.entry.setKind(kind);
      announce(`New statements will be ${kind}s.`);
    }
  }

  cycle(field) {
    const id = this.store.selected();
    if (!id) return;
    const n = D.node(this.store.doc, id);
    if (field === "level") {
      const order = ["", ...D.LEVELS];
      const next = order[(order.indexOf(n.level || "") + 1) % order.length];
      this.setNodeField(id, "level", next || null, "Change level");
      announce(next ? `Level: ${next}.` : "No level.");
    } else if (field === "unknown") {
      this.setNodeField(id, "unknown", !n.unknown, "Toggle open question");
      announce(!n.unknown ? "Marked as an open question." : "No longer an open question.");
    } else if (field === "gate") {
      const next = (n.gate || "and") === "and" ? "or" : "and";
      this.setNodeField(id, "gate", next, "Change gate");
      announce(next === "or" ? "Any one cause suffices (or)." : "All causes were needed (and).");
    }
  }

  connect(from, to) {
    const ok = this.edit("Link", (d) => D.connect(d, from, to));
    if (ok) announce(`Linked “${shorten(D.node(this.store.doc, from).label)}” → “${shorten(D.node(this.store.doc, to).label)}”.`);
    return ok;
  }

  disconnect(from, to) {
    const ok = this.edit("Unlink", (d) => D.disconnect(d, from, to));
    if (ok) announce("Link removed.");
    return ok;
  }

  /** Start linking from the selected node: as a cause ("effect" picks its effect) or the reverse. */
  startConnect(pick = "effect") {
    const source = this.store.selected();
    if (!source || this.readOnly) return toast("Select one node first, then press k.", "warn");
    const n = D.node(this.store.doc, source);
    if (pick === "effect" && n.kind === "impact") return this.store.emit("refused", { message: D.causesNothing(n) });
    if (pick === "cause" && D.whyNoMoreCauses(n)) return this.store.emit("refused", { message: D.whyNoMoreCauses(n) });
    const label = shown(D.node(this.store.doc, source).label);
    const message = pick === "effect"
      ? `Linking “${label}” as a cause: click its effect (or use the arrow keys and Enter). Esc cancels.`
      : `Linking a cause of “${label}”: click the cause (or use the arrow keys and Enter). Esc cancels.`;
    this.connecting = { source, pick, target: null, message };
    this.canvas.mark("source", [source]);
    this.showBanner();
    this.focusCanvas();
  }

  /** After the document changed (maybe elsewhere): linking from a node that is gone
   * ends, and a target that is gone is dropped. */
  keepLinking() {
    const c = this.connecting;
    if (!D.node(this.store.doc, c.source)) {
      this.cancelConnect();
      announce("Linking ended: its node was deleted.");
    } else if (c.target && !D.node(this.store.doc, c.target)) {
      c.target = null;
      this.canvas.mark("target", []);
    }
  }

  finishConnect(id = null) {
    const c = this.connecting;
    if (!c) return;
    const target = id || c.target;
    if (!target) return;
    this.cancelConnect();
    if (c.pick === "effect") this.connect(c.source, target);
    else this.connect(target, c.source);
    this.selectNode(target);
  }

  cancelConnect() {
    this.connecting = null;
    this.canvas.mark("source", []);
    this.canvas.mark("target", []);
    this.showBanner();
  }

  deleteSelection() {
    if (this.readOnly) return;
    const { nodes, link } = this.store.selection;
    if (link) return this.disconnect(link.from, link.to);
    if (!nodes.length) return;
    const doc = this.store.doc;
    const next = D.effectsOf(doc, nodes[0]).find((x) => !nodes.includes(x)) || D.causesOf(doc, nodes[0]).find((x) => !nodes.includes(x));
    const names = nodes.length === 1 ? `“${shown(D.node(doc, nodes[0]).label)}”` : `${nodes.length} nodes`;
    const said = nodes.length === 1 ? `“${shorten(D.node(doc, nodes[0]).label)}”` : names;
    if (this.edit(nodes.length === 1 ? "Delete node" : "Delete nodes", (d) => D.removeNodes(d, nodes))) {
      announce(`Deleted ${said}. Ctrl+Z brings it back.`);
      toast(`Deleted ${names}. Undo with Ctrl+Z.`, "info", 4000, { say: false });
      this.store.select(next ? [next] : []);
    }
  }

  addAction(nodeIds = []) {
    if (this.readOnly) return;
    const [ok, id] = this.store.attempt("Add action", (d) => D.addAction(d, { title: "New action", addresses: nodeIds }));
    if (!ok) return;
    this.showTab("actions");
    this.actionsPanel.render();
    this.actionsPanel.focus(id);
  }

  removeAction(id) {
    if (this.edit("Remove action", (d) => D.removeAction(d, id))) announce("Action removed. Ctrl+Z brings it back.");
  }

  linkAction(id, nodeId, on) {
    return this.edit(on ? "Link action" : "Unlink action", (d) => D.linkAction(d, id, nodeId, on));
  }

  undo() {
    if (this.readOnly) return;
    if (!this.selectReturning(() => this.store.undo())) toast("Nothing to undo.", "info", 1500);
  }

  redo() {
    if (this.readOnly) return;
    if (!this.selectReturning(() => this.store.redo())) toast("Nothing to redo.", "info", 1500);
  }

  /** Run `step` (an undo or a redo); the nodes it brings back (a delete undone, an add
   * redone) are then selected, shown and announced, as an added node is. Returns what
   * `step` returned. */
  selectReturning(step) {
    const had = new Set(this.store.doc.nodes.map((n) => n.id));
    const done = step();
    const back = this.store.doc.nodes.map((n) => n.id).filter((id) => !had.has(id));
    if (back.length) this.selectNodes(back, { reveal: true });
    return done;
  }

  /** Bring back an old revision as an ordinary edit (undoable; saved as a new revision). */
  restore(doc, number) {
    this.edit(`Bring back revision ${number}`, (d) => {
      for (const key of Object.keys(d)) delete d[key];
      Object.assign(d, D.clone(doc));
    });
  }

  setHighlight(on) {
    this.canvas.setHighlight(on);
    this.canvas.sync(this.store.doc, this.analyzer.result);
    const box = document.getElementById("highlight-uncovered");
    if (box) box.checked = on;
    announce(on ? "Uncovered paths highlighted." : "Highlight off.");
  }

  /** Zoom in (factor > 1) or out, keeping the selection in view. */
  zoom(factor) {
    this.canvas.zoomBy(factor, this.store.selection.nodes);
  }

  /** Show or hide the outline; focus inside it goes to the canvas rather than to <body>. */
  toggleOutline() {
    const hide = !this.box.classList.contains("no-outline");
    const inside = this.outlineBox.contains(document.activeElement);
    this.box.classList.toggle("no-outline", hide);
    if (hide && inside) this.focusCanvas();
    announce(hide ? "Outline hidden." : "Outline shown.");
  }

  tidy() {
    this.canvas.tidy(this.store.doc);
    announce("Laid out again.");
  }
}
