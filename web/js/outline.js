// The outline: the whole graph as a tree a screen reader or a keyboard can walk, next to
// the canvas. Every node with its kind and class and what it was caused by; every link.
// Picking an item selects it on the canvas. The tree is one tab stop (WAI-ARIA tree
// pattern, roving tabindex): the arrow keys, Home and End move within it, Enter or Space
// picks (with Shift or Ctrl, adds a node to the selection or takes it out), Delete removes
// a link, and Tab goes on to the canvas.

import { links, node } from "./doc.js";
import { h, refill } from "./dom.js";
import { isolate, shown } from "./text.js";

const GROUPS = ["nodes", "links"];

export class Outline {
  constructor(root, editor) {
    this.root = root;
    this.editor = editor;
    this.filter = "";
    this.collapsed = new Set();
    this.active = null; // the data-key of the item Tab enters the tree at
    this.after = null; // the item to focus once the one focused is gone (Delete)
    this.list = h("div", { class: "outline-lists" });
    const search = h("input", { type: "search", id: "outline-filter", placeholder: "Filter nodes", autocomplete: "off" });
    search.addEventListener("input", () => {
      this.filter = search.value.trim().toLowerCase();
      this.render();
    });
    const help = editor.readOnly
      ? "Arrow keys move through the outline; Enter selects."
      : "Arrow keys move through the outline; Enter selects, Shift+Enter adds a node to the selection, Delete removes a link.";
    root.append(
      h("div", { class: "panel-head" }, h("h2", { id: "outline-h" }, "Outline")),
      h("label", { for: "outline-filter", class: "sr-only" }, "Filter the outline"),
      search,
      h("p", { id: "outline-help", class: "sr-only" }, help),
      this.list,
    );
    this.list.addEventListener("keydown", (event) => this.key(event));
    this.list.addEventListener("focusin", (event) => {
      const item = event.target.closest("[role=treeitem]");
      if (item) this.rove(item);
    });
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

  /** The items the arrow keys reach, in order (those of a collapsed group are hidden). */
  items() {
    return [...this.list.querySelectorAll("[role=treeitem]")].filter((e) => !e.hidden);
  }

  /** Make `item` the tree's one tab stop. */
  rove(item) {
    this.active = item.dataset.key;
    for (const other of this.list.querySelectorAll("[role=treeitem]")) other.tabIndex = other === item ? 0 : -1;
  }

  go(item) {
    if (!item) return;
    this.rove(item);
    item.focus();
  }

  key(event) {
    const item = event.target.closest("[role=treeitem]");
    if (!item || event.altKey || event.target !== item) return;
    const all = this.items();
    const at = all.indexOf(item);
    const group = item.dataset.group;
    const isGroup = item.getAttribute("aria-level") === "1";
    const ed = this.editor;
    const done = () => event.preventDefault();
    const modified = event.shiftKey || event.ctrlKey || event.metaKey;
    let next;
    switch (event.key) {
      case "ArrowDown": return done(), this.go(all[at + 1]);
      case "ArrowUp": return done(), this.go(all[at - 1]);
      case "Home": return done(), this.go(all[0]);
      case "End": return done(), this.go(all[all.length - 1]);
      case "ArrowRight":
        done();
        if (isGroup && this.collapsed.has(group)) return this.toggle(group);
        if (isGroup) return this.go(all[at + 1] && all[at + 1].dataset.group === group ? all[at + 1] : null);
        return;
      case "ArrowLeft":
        done();
        if (isGroup && !this.collapsed.has(group)) return this.toggle(group);
        if (!isGroup) return this.go(this.list.querySelector(`[data-key="group:${group}"]`));
        return;
      case "Enter":
      case " ":
        done();
        if (isGroup) return this.toggle(group);
        if (item.dataset.node) return ed.selectNode(item.dataset.node, { reveal: true, additive: modified });
        return ed.selectLink(item.dataset.from, item.dataset.to);
      case "Delete":
      case "Backspace":
        if (ed.readOnly || !item.dataset.from || modified) return;
        done();
        // Focus goes on to the next link (else the one before, else their group) once
        // this one is gone.
        next = [all[at + 1], all[at - 1]].find((e) => e && e.dataset.from);
        this.after = next ? next.dataset.key : "group:links";
        return ed.disconnect(item.dataset.from, item.dataset.to);
      default:
    }
  }

  toggle(group) {
    if (this.collapsed.has(group)) this.collapsed.delete(group);
    else this.collapsed.add(group);
    this.render();
  }

  render() {
    const { store, analyzer } = this.editor;
    const doc = store.doc;
    const selected = new Set(store.selection.nodes);
    const picked = store.selection.link;
    const match = (n) => !this.filter || n.label.toLowerCase().includes(this.filter) || n.id.includes(this.filter);
    const nodes = doc.nodes.filter(match);
    const cls = (id) => {
      const c = analyzer.classOf(id);
      return c ? c.class : null;
    };
    const all = links(doc);
    const causesByNode = new Map();
    for (const l of all) causesByNode.set(l.to, [...(causesByNode.get(l.to) || []), l.from]);
    const byId = new Map(doc.nodes.map((n) => [n.id, n]));
    const visible = all.filter((l) => match(byId.get(l.from)) || match(byId.get(l.to)));
    const head = (group, text, size) => h("li", {
      role: "treeitem", class: "outline-group", "aria-level": "1", "aria-expanded": String(!this.collapsed.has(group)),
      "aria-setsize": "2", "aria-posinset": String(GROUPS.indexOf(group) + 1),
      dataset: { key: `group:${group}`, group }, tabindex: "-1",
      onclick: () => this.toggle(group),
    }, h("span", { class: "outline-twisty", "aria-hidden": "true" }), `${text} (${size})`);
    const leaf = (group, i, count, attrs, ...children) => h("li", {
      role: "treeitem", "aria-level": "2", "aria-setsize": String(count), "aria-posinset": String(i + 1),
      tabindex: "-1", hidden: this.collapsed.has(group), ...attrs, dataset: { group, ...attrs.dataset },
    }, ...children);
    const nodeItems = nodes.map((n, i) => {
      const causes = causesByNode.get(n.id) || [];
      const c = cls(n.id);
      const on = selected.has(n.id);
      const causesId = `outline-causes-${n.id}`;
      return leaf("nodes", i, nodes.length, {
        class: `outline-node${on ? " selected" : ""}`, "aria-selected": String(on),
        "aria-describedby": causes.length ? causesId : null,
        dataset: { key: `node:${n.id}`, node: n.id },
        // Selected on press, so that a redraw between press and release (an analysis
        // arriving) cannot swallow the click.
        onmousedown: (e) => e.button === 0 && this.editor.selectNode(n.id, { reveal: true, additive: e.shiftKey || e.ctrlKey || e.metaKey }),
      },
      h("span", { class: "outline-entry" },
        h("span", { class: `kind-mark kind-${n.kind}`, "aria-hidden": "true" }),
        // The whole statement is its accessible name; the eye gets its first lines (CSS).
        h("span", { class: "outline-label" }, isolate(n.label)),
        h("span", { class: "sr-only" }, `, ${n.kind}${c ? `, ${c}` : ""}${n.unknown ? ", open question" : ""}`),
        c && c !== "impact" ? h("span", { class: `cls-dot cls-${c}`, title: c, "aria-hidden": "true" }) : null),
      causes.length ? h("div", { class: "outline-causes", id: causesId }, "caused by: ", causes.map((id, j) => [j ? "; " : "", shown(node(doc, id).label, 40)])) : null);
    });
    const linkItems = visible.map((l, i) => {
      const on = Boolean(picked && picked.from === l.from && picked.to === l.to);
      return leaf("links", i, visible.length, {
        class: `outline-link${on ? " selected" : ""}`, "aria-selected": String(on),
        dataset: { key: `link:${l.from}:${l.to}`, from: l.from, to: l.to },
        onclick: (e) => !e.target.closest("button") && this.editor.selectLink(l.from, l.to),
      },
      h("span", { class: "outline-link-text" }, `${shown(node(doc, l.from).label, 40)} → ${shown(node(doc, l.to).label, 40)}`),
      // For the mouse; from the keyboard, Delete on the item does the same.
      this.editor.readOnly ? null : h("button", {
        type: "button", class: "small", tabindex: "-1", "aria-hidden": "true", dataset: { key: `unlink:${l.from}:${l.to}` },
        onclick: () => this.editor.disconnect(l.from, l.to),
      }, "Remove"));
    });
    const tree = h("ul", {
      role: "tree", class: "outline-tree", "aria-labelledby": "outline-h", "aria-describedby": "outline-help", "aria-multiselectable": "true",
    },
    head("nodes", "Nodes", `${nodes.length}${this.filter ? ` of ${doc.nodes.length}` : ""}`), nodeItems,
    head("links", "Links", visible.length), linkItems);
    // One tab stop: the item last moved to, else the first selected node, else the top.
    const items = [...tree.querySelectorAll("[role=treeitem]")].filter((e) => !e.hidden);
    const stop = items.find((e) => e.dataset.key === (this.after || this.active)) ||
      items.find((e) => e.getAttribute("aria-selected") === "true") || items[0];
    stop.tabIndex = 0;
    refill(this.list, tree);
    const after = this.after && this.list.querySelector(`[data-key="${CSS.escape(this.after)}"]`);
    this.after = null;
    if (after && !this.list.contains(document.activeElement)) this.go(after);
  }
}
