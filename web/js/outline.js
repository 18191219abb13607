// The outline: the whole graph as lists a screen reader or a keyboard can walk, next to
// the canvas. Every node with its kind and class, what it was caused by; every link, with
// a button to remove it. Picking an item selects it on the canvas.

import { links, node } from "./doc.js";
import { h, refill } from "./dom.js";
import { isolate, shown } from "./text.js";


export class Outline {
  constructor(root, editor) {
    this.root = root;
    this.editor = editor;
    this.filter = "";
    this.list = h("div", { class: "outline-lists" });
    const search = h("input", { type: "search", id: "outline-filter", placeholder: "Filter nodes", autocomplete: "off" });
    search.addEventListener("input", () => {
      this.filter = search.value.trim().toLowerCase();
      this.render();
    });
    root.append(
      h("div", { class: "panel-head" }, h("h2", { id: "outline-h" }, "Outline")),
      h("label", { for: "outline-filter", class: "sr-only" }, "Filter the outline"),
      search,
      this.list,
    );
    this.pending = false;
  }

  /** Redraw soon (coalesces the bursts of a fast typist). */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const { store, analyzer } = this.editor;
    const doc = store.doc;
    const selected = new Set(store.selection.nodes);
    const match = (n) => !this.filter || n.label.toLowerCase().includes(this.filter) || n.id.includes(this.filter);
    const nodes = doc.nodes.filter(match);
    const cls = (id) => {
      const c = analyzer.classOf(id);
      return c ? c.class : null;
    };
    const all = links(doc);
    const causesByNode = new Map();
    for (const l of all) causesByNode.set(l.to, [...(causesByNode.get(l.to) || []), l.from]);
    const items = nodes.map((n) => {
      const causes = causesByNode.get(n.id) || [];
      const c = cls(n.id);
      return h("li", { class: selected.has(n.id) ? "selected" : "" },
        h("button", {
          type: "button", class: "outline-node", dataset: { key: `node:${n.id}`, node: n.id },
          "aria-pressed": selected.has(n.id) ? "true" : "false",
          // Selected on press, so that a redraw between press and release (an analysis
          // arriving) cannot swallow the click; Enter and Space still arrive as a click.
          onmousedown: (e) => e.button === 0 && this.editor.selectNode(n.id, { reveal: true, additive: e.shiftKey || e.ctrlKey || e.metaKey }),
          onclick: (e) => e.detail === 0 && this.editor.selectNode(n.id, { reveal: true }),
          // Shift (or Ctrl) with Enter or Space adds the node, as Shift+click does.
          onkeydown: (e) => {
            if ((e.key === "Enter" || e.key === " ") && (e.shiftKey || e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              this.editor.selectNode(n.id, { reveal: true, additive: true });
            }
          },
        },
        h("span", { class: `kind-mark kind-${n.kind}`, "aria-hidden": "true" }),
        // The whole statement, its accessible name; the eye gets its first lines (CSS).
        h("span", { class: "outline-label" }, isolate(n.label)),
        h("span", { class: "sr-only" }, `, ${n.kind}${c ? `, ${c}` : ""}${n.unknown ? ", open question" : ""}`)),
        c && c !== "impact" ? h("span", { class: `cls-dot cls-${c}`, title: c, "aria-hidden": "true" }) : null,
        causes.length ? h("div", { class: "outline-causes" }, "caused by: ", causes.map((id, i) => [i ? "; " : "", shown(node(doc, id).label, 40)])) : null);
    });
    const byId = new Map(doc.nodes.map((n) => [n.id, n]));
    const visible = all.filter((l) => match(byId.get(l.from)) || match(byId.get(l.to)));
    const linkItems = visible.map((l) => h("li", {},
      h("button", {
        type: "button", class: "link", dataset: { key: `link:${l.from}:${l.to}` },
        onclick: () => this.editor.selectLink(l.from, l.to),
      }, `${shown(node(doc, l.from).label, 40)} → ${shown(node(doc, l.to).label, 40)}`),
      this.editor.readOnly ? null : h("button", {
        type: "button", class: "small", dataset: { key: `unlink:${l.from}:${l.to}` },
        "aria-label": `Remove the link from “${shown(node(doc, l.from).label, 30)}” to “${shown(node(doc, l.to).label, 30)}”`,
        onclick: () => this.editor.disconnect(l.from, l.to),
      }, "Remove")));
    refill(this.list,
      h("h3", { id: "outline-nodes-h" }, `Nodes (${nodes.length}${this.filter ? ` of ${doc.nodes.length}` : ""})`),
      h("ul", { class: "outline-nodes", "aria-labelledby": "outline-nodes-h" }, items),
      h("h3", { id: "outline-links-h" }, `Links (${visible.length})`),
      h("ul", { class: "outline-links", "aria-labelledby": "outline-links-h" }, linkItems));
  }
}
