// The "Actions" panel: action items with their owner, due date, type and status, the
// nodes each one addresses (link the selected node with one click), and the quality hints
// the analysis has about each (no owner, no due date, vague, addresses nothing …).

import { ACTION_STATUSES, ACTION_TYPES, LIMITS, action as findAction, node, validDate } from "./doc.js";
import { h, rebuild, refill } from "./dom.js";
import { ACTION_STYLES } from "./grammar.js";
import { Form } from "./fields.js";
import { isolate, shown } from "./text.js";

const TYPE_HINT = {
  prevent: "removes or weakens a cause",
  mitigate: "limits the harm once it happens",
  detect: "finds the failure sooner",
  process: "changes how people work",
};

export class ActionsPanel {
  constructor(root, editor) {
    this.root = root;
    this.editor = editor;
    this.signature = null;
    this.form = null;
    this.dynamic = [];
  }

  render() {
    const doc = this.editor.store.doc;
    const ids = (doc.actions || []).map((a) => a.id);
    const signature = JSON.stringify([ids, this.editor.readOnly]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.form = new Form(this.editor.readOnly);
      this.dynamic = [];
      rebuild(this.root,
        h("div", { class: "panel-head" }, h("h2", {}, `Action items (${ids.length})`),
          this.editor.readOnly ? null : h("button", { type: "button", dataset: { key: "new-action" }, onclick: () => this.editor.addAction(this.editor.store.selection.nodes) }, "Add action ", h("kbd", {}, "a"))),
        ids.length ? h("ol", { class: "action-list" }, ids.map((id) => this.card(id)))
          : h("p", { class: "muted" }, this.editor.readOnly ? "No action items yet." : "No action items yet. Select the node an action would remove or weaken, and press a."));
    }
    this.form.update();
    for (const draw of this.dynamic) draw();
  }

  part(build) {
    const box = h("div", { class: "part" });
    this.dynamic.push(() => refill(box, build()));
    return box;
  }

  card(id) {
    const ed = this.editor;
    const a = () => findAction(ed.store.doc, id) || {};
    const set = (field, label) => (value) => ed.setActionField(id, field, value, label);
    const f = this.form;
    return h("li", { class: "action-card", id: `action-${id}`, dataset: { action: id } },
      h("div", { class: "action-head" },
        this.part(() => h("span", { class: `status status-${a().status || "open"}` }, ACTION_STYLES[a().status || "open"].word)),
        h("code", {}, id)),
      f.text({ label: "What will be done", key: `title:${id}`, multiline: true, rows: 2, maxLength: LIMITS.actionTitle, get: () => a().title, set: set("title", "Edit action") }),
      h("div", { class: "row" },
        f.select({ label: "Type", key: `type:${id}`, get: () => a().type || "prevent", set: set("type", "Change action type"),
          options: ACTION_TYPES.map((t) => [t, `${t}: ${TYPE_HINT[t]}`]) }),
        f.select({ label: "Status", key: `status:${id}`, get: () => a().status || "open", set: set("status", "Change action status"),
          options: ACTION_STATUSES.map((s) => [s, ACTION_STYLES[s].word]) })),
      h("div", { class: "row" },
        f.text({ label: "Owner (team or person)", key: `owner:${id}`, maxLength: LIMITS.short, get: () => a().owner, set: (v) => ed.setActionField(id, "owner", v.trim() || null, "Set owner") }),
        f.text({ label: "Due", key: `due:${id}`, type: "date", live: false, get: () => a().due,
          validate: (t) => (t && !validDate(t) ? "A date like 2024-03-15." : null), set: (v) => ed.setActionField(id, "due", v || null, "Set due date") })),
      f.text({ label: "Tracker link", key: `link:${id}`, placeholder: "https://…", maxLength: LIMITS.evidence, get: () => a().link, set: (v) => ed.setActionField(id, "link", v.trim() || null, "Set link") }),
      this.part(() => this.addresses(id)),
      this.part(() => this.hints(id)),
      ed.readOnly ? null : h("div", { class: "buttons" },
        h("button", { type: "button", class: "small danger", dataset: { key: `remove:${id}` }, onclick: () => ed.removeAction(id) }, "Remove action")));
  }

  addresses(id) {
    const ed = this.editor;
    const doc = ed.store.doc;
    const a = findAction(doc, id);
    if (!a) return null;
    const addressed = a.addresses || [];
    const selected = ed.store.selection.nodes.filter((n) => !addressed.includes(n));
    return h("div", { class: "addresses" },
      h("h3", {}, "Addresses"),
      addressed.length ? h("ul", { class: "chips" }, addressed.map((nid) => {
        const n = node(doc, nid);
        return h("li", { class: "chip" },
          h("button", { type: "button", class: "link", dataset: { key: `goto:${id}:${nid}` }, onclick: () => ed.selectNode(nid, { reveal: true }) }, shown(n ? n.label : nid, 48)),
          ed.readOnly ? null : h("button", { type: "button", class: "icon", dataset: { key: `unlink:${id}:${nid}` }, "aria-label": `Stop addressing “${shown(n ? n.label : nid, 40)}”`, onclick: () => ed.linkAction(id, nid, false) }, "×"));
      })) : h("p", { class: "muted" }, "No node yet: this action cuts nothing."),
      ed.readOnly || !selected.length ? null : h("button", {
        type: "button", class: "small", dataset: { key: `link:${id}` },
        onclick: () => selected.every((nid) => ed.linkAction(id, nid, true)), // stops at a refusal
      }, selected.length === 1 ? `Link the selected node “${shown(node(doc, selected[0]).label, 30)}”` : `Link the ${selected.length} selected nodes`));
  }

  hints(id) {
    const found = this.editor.analyzer.findingsFor({ action: id });
    if (!found.length) return null;
    return h("ul", { class: "hints" }, found.map((f) => h("li", { class: `finding sev-${f.severity}` },
      h("span", { class: "code" }, f.code), " ", isolate(f.message), f.prompt ? h("div", { class: "prompt" }, isolate(f.prompt)) : null)));
  }

  /** Scroll to an action and put the cursor in its title. */
  focus(id) {
    const card = this.root.querySelector(`[data-action="${CSS.escape(id)}"]`);
    if (!card) return;
    card.scrollIntoView({ block: "nearest" });
    const title = card.querySelector("textarea, .ro-value");
    if (title && title.focus) {
      title.focus();
      if (title.select) title.select();
    }
  }
}
