// The "Selection" panel: every field of the selected node (or link), its class and why,
// the catalog's suggestions for its factor key and the key (factorkey.js), its causes
// and effects, and the findings about it.
// Built again when the selection changes; otherwise its fields are refreshed in place.

import { causesOf, effectsOf, LEVELS, LIMITS, links, node, validInstant, whyNoMoreCauses, whyNotConnect } from "./doc.js";
import { h, fill, rebuild, refill, toast } from "./dom.js";
import { CLASS_STYLES } from "./grammar.js";
import { factorKey } from "./factorkey.js";
import { Form, commas, lines } from "./fields.js";
import { isolate, shown } from "./text.js";

const KIND_WORDS = { event: "Event", condition: "Condition", factor: "Factor", impact: "Impact" };

export class Inspector {
  constructor(root, editor) {
    this.root = root;
    this.editor = editor;
    this.signature = null;
    this.form = null;
    this.dynamic = [];
    this.redraw = () => this.render(); // when the catalog arrives (catalog.js)
  }

  render() {
    const { store } = this.editor;
    const sel = store.selection;
    const signature = JSON.stringify([sel.nodes, sel.link, this.editor.readOnly, sel.nodes.length === 1 && node(store.doc, sel.nodes[0]) ? node(store.doc, sel.nodes[0]).kind : null]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.dynamic = [];
      this.form = new Form(this.editor.readOnly);
      if (sel.link) rebuild(this.root, this.linkView(sel.link));
      else if (sel.nodes.length === 1) rebuild(this.root, this.nodeView(sel.nodes[0]));
      else if (sel.nodes.length > 1) rebuild(this.root, this.manyView(sel.nodes));
      else rebuild(this.root, this.emptyView());
    }
    this.form.update();
    for (const part of this.dynamic) part();
  }

  part(build) {
    const box = h("div", { class: "part" });
    const draw = () => refill(box, build());
    this.dynamic.push(draw);
    return box;
  }

  emptyView() {
    const ro = this.editor.readOnly;
    return h("div", { class: "empty-panel" },
      h("h2", {}, "Nothing selected"),
      h("p", {}, ro ? "Click a node, or pick one in the outline, to see its details." : "Click a node, or type a statement below and press Enter to add one."),
      ro ? null : h("ul", { class: "tips" },
        h("li", {}, h("kbd", {}, "/"), " type a new statement"),
        h("li", {}, h("kbd", {}, "w"), " why? add a cause of the selected node"),
        h("li", {}, h("kbd", {}, "t"), " then? add an effect"),
        h("li", {}, h("kbd", {}, "?"), " every shortcut")));
  }

  manyView(ids) {
    const { store } = this.editor;
    return h("div", {},
      h("h2", {}, `${ids.length} nodes selected`),
      h("ul", { class: "plain" }, ids.map((id) => h("li", {}, shown(node(store.doc, id).label, 70)))),
      this.editor.readOnly ? null : h("div", { class: "buttons" },
        h("button", { type: "button", onclick: () => this.editor.addAction(ids) }, "Add an action addressing them"),
        h("button", { type: "button", class: "danger", onclick: () => this.editor.deleteSelection() }, "Delete them")));
  }

  nodeView(id) {
    const { store, analyzer } = this.editor;
    const ed = this.editor;
    const n = () => node(store.doc, id) || {};
    const set = (field, label) => (value) => ed.setNodeField(id, field, value, label);
    const f = this.form;
    const whenHint = "A date (2024-02-21) or a date and time with a timezone (2024-02-21T02:13:05Z).";
    const checkWhen = (text) => (text && !validInstant(text.trim()) ? whenHint : null);
    return h("div", { class: "inspect" },
      h("div", { class: "inspect-head" },
        h("span", { class: `badge kind-${n().kind}` }, KIND_WORDS[n().kind]),
        this.part(() => {
          const c = analyzer.classOf(id);
          const cls = c ? c.class : null;
          return cls ? h("span", { class: `badge cls cls-${cls}` }, `${cls} · ${CLASS_STYLES[cls].meaning}`) : h("span", { class: "badge muted" }, "not analysed yet");
        }),
        h("code", { class: "node-id", title: "Node id (fixed once created)" }, id)),
      this.part(() => {
        const c = analyzer.classOf(id);
        if (!c || !c.reasons.length) return null;
        return h("details", { class: "reasons" }, h("summary", {}, `Why ${c.class}`), h("ul", {}, c.reasons.map((r) => h("li", {}, isolate(r)))));
      }),
      f.text({ label: "Statement", key: "label", multiline: true, rows: 3, maxLength: LIMITS.label, get: () => n().label, set: set("label", "Edit statement") }),
      f.radios({
        label: "Kind", key: "kind", get: () => n().kind, set: set("kind", "Change kind"),
        options: [["event", "Event", "e"], ["condition", "Condition", "c"], ["factor", "Factor", "f"], ["impact", "Impact", "i"]],
      }),
      h("div", { class: "row" },
        f.select({ label: "Level", key: "level", get: () => n().level || "", set: set("level", "Change level"), options: [["", "—"], ...LEVELS.map((l) => [l, l])] }),
        f.select({ label: "Class override", key: "classification", get: () => n().classification || "", set: set("classification", "Override class"),
          options: [["", "as analysed"], ["proximate", "proximate"], ["systemic", "systemic"]] })),
      h("div", { class: "row" },
        f.text({ label: "At", key: "at", placeholder: "e.g. 2024-02-21T02:13Z", get: () => n().at, set: (v) => ed.setNodeField(id, "at", v.trim() || null, "Change time"), validate: checkWhen }),
        f.text({ label: "Until", key: "until", placeholder: "optional", get: () => n().until, set: (v) => ed.setNodeField(id, "until", v.trim() || null, "Change end time"), validate: checkWhen })),
      f.text({ label: "Evidence (one per line)", key: "evidence", multiline: true, rows: 3, get: () => n().evidence, set: set("evidence", "Edit evidence"), ...lines }),
      f.radios({
        label: "Its causes combine as", key: "gate", get: () => n().gate || "and", set: set("gate", "Change gate"),
        options: [["and", "all were needed (and)"], ["or", "any one sufficed (or)"]], hint: causesOf(store.doc, id).length < 2 ? "Matters once it has two or more causes." : "",
      }),
      f.check({ label: "Open question: a cause known to exist, not yet identified", key: "unknown", get: () => n().unknown, set: set("unknown", "Toggle open question") }),
      // The suggestions come before the factor key's field: its note, which comes and goes
      // and grows and shrinks as the key is typed or accepted, then moves nothing of the
      // list (an Accept pressed moved from under the pointer, as a note appeared above it).
      n().kind === "impact" ? null : this.part(() => this.suggestions(id)),
      ...factorKey(this, id),
      h("details", { class: "more" }, h("summary", {}, "More: detail, tags"),
        f.text({ label: "Detail", key: "detail", multiline: true, rows: 4, maxLength: LIMITS.detail, get: () => n().detail, set: (v) => ed.setNodeField(id, "detail", v.trim() ? v : null, "Edit detail") }),
        f.text({ label: "Tags (comma-separated)", key: "tags", get: () => n().tags, set: set("tags", "Edit tags"), ...commas })),
      this.part(() => this.neighbours(id, "causes")),
      n().kind === "impact" ? null : this.part(() => this.neighbours(id, "effects")),
      this.part(() => this.findings({ node: id })),
      this.part(() => this.actionsOf(id)),
      this.editor.readOnly ? null : h("div", { class: "buttons" },
        h("button", { type: "button", onclick: () => ed.beginEntry("why") }, "Why? add a cause ", h("kbd", {}, "w")),
        n().kind === "impact" ? null : h("button", { type: "button", onclick: () => ed.beginEntry("then") }, "Then? add an effect ", h("kbd", {}, "t")),
        h("button", { type: "button", class: "danger", onclick: () => ed.deleteSelection() }, "Delete node ", h("kbd", {}, "Del"))),
    );
  }

  suggestions(id) {
    const { analyzer, store } = this.editor;
    const n = node(store.doc, id);
    if (!n) return null;
    const items = analyzer.suggestionsFor(n);
    analyzer.scheduleSuggest();
    const head = h("h3", {}, "Catalog suggestions for the factor key");
    if (items === null) return h("div", { class: "suggestions" }, head, h("p", { class: "muted" }, analyzer.suggestError ? `Unavailable: ${analyzer.suggestError.message}` : "Looking…"));
    if (!items.length) return h("div", { class: "suggestions" }, head, h("p", { class: "muted" }, "No catalog entry matches this wording."));
    return h("div", { class: "suggestions" }, head, h("ul", {}, items.map((s) => {
      const current = n.factor === s.key;
      const evidence = [...(s.phrases || []).map((p) => `“${isolate(p)}”`), ...(s.keywords || []).map(isolate)].join(", ");
      return h("li", {},
        h("div", {}, h("b", {}, s.name), " ", h("code", {}, s.key), " ", h("span", { class: "muted" }, `${Math.round((s.confidence || 0) * 100)}% confident`)),
        evidence ? h("div", { class: "muted small" }, `Matched: ${evidence}`) : null,
        // Same data-key as the button it replaces, and focusable, so that focus stays here.
        // Viewers see it too: which entry, by name, the factor key the room agreed is.
        current ? h("span", { class: "ok", tabindex: "-1", dataset: { key: `accept:${s.key}` } }, "✓ accepted") :
          this.editor.readOnly ? null :
          h("button", {
            type: "button", class: "small", dataset: { key: `accept:${s.key}` },
            "aria-label": `Accept “${s.name}” (${s.key}) as the factor key`,
            onclick: () => this.editor.setNodeField(id, "factor", s.key, "Accept factor", { coalesce: false }),
          }, `Accept ${s.key}`));
    })));
  }

  neighbours(id, which) {
    const { store } = this.editor;
    const doc = store.doc;
    const ids = which === "causes" ? causesOf(doc, id) : effectsOf(doc, id);
    const title = which === "causes" ? "Causes" : "Effects";
    const ro = this.editor.readOnly;
    const list = ids.length
      ? h("ul", { class: "neighbours" }, ids.map((other) => {
        const o = node(doc, other);
        const [from, to] = which === "causes" ? [other, id] : [id, other];
        return h("li", {},
          h("button", { type: "button", class: "link", dataset: { key: `goto:${other}` }, onclick: () => this.editor.selectNode(other, { reveal: true }) }, shown(o.label, 70)),
          ro ? null : h("button", { type: "button", class: "small", dataset: { key: `cut:${from}:${to}` }, "aria-label": `Disconnect “${shown(o.label, 40)}”`, onclick: () => this.editor.disconnect(from, to) }, "Disconnect"));
      }))
      : h("p", { class: "muted" }, which === "effects" ? "No effects yet." : ro ? "No causes yet." : "No causes yet: press w (why?) to add one.");
    let picker = null;
    const full = which === "causes" && !ro && whyNoMoreCauses(node(doc, id));
    if (full) picker = h("p", { class: "muted", dataset: { key: "causes-full" } }, full);
    else if (!ro) {
      const candidates = doc.nodes.filter((o) => (which === "causes" ? !whyNotConnect(doc, o.id, id) : !whyNotConnect(doc, id, o.id)));
      if (candidates.length) {
        const role = which === "causes" ? "cause" : "effect";
        const select = h("select", { "aria-label": `Pick an existing node as ${role === "cause" ? "a cause" : "an effect"}`, dataset: { key: `pick:${which}` } },
          h("option", { value: "" }, `Link an existing ${role}…`),
          candidates.map((o) => h("option", { value: o.id }, shown(o.label, 60))));
        // Linking waits for the button (or Enter): on a closed <select> every arrow key
        // changes the value, so linking on "change" linked each node a keyboard user
        // went past on the way to the one they wanted.
        const link = () => {
          if (!select.value) {
            select.focus();
            return toast(`Pick the ${role} to link first.`, "warn");
          }
          if (which === "causes") this.editor.connect(select.value, id);
          else this.editor.connect(id, select.value);
        };
        select.addEventListener("keydown", (event) => {
          if (event.key !== "Enter") return;
          event.preventDefault();
          link();
        });
        const go = h("button", { type: "button", class: "small", dataset: { key: `pick-link:${which}` }, "aria-label": `Link the picked ${role}`, onclick: link }, "Link");
        picker = h("div", { class: "picker" }, select, go);
      }
    }
    return h("div", { class: "neighbours-box" }, h("h3", {}, title), list, picker);
  }

  findings(target) {
    const found = this.editor.analyzer.findingsFor(target);
    if (!found.length) return null;
    return h("div", { class: "node-findings" }, h("h3", {}, "Findings"),
      h("ul", {}, found.map((f) => h("li", { class: `finding sev-${f.severity}` },
        h("span", { class: "sev" }, f.severity), " ", isolate(f.message),
        h("p", { class: "prompt" }, "Ask: ", isolate(f.prompt)),
        f.rewrite ? h("p", { class: "rewrite" }, "Try: ", isolate(f.rewrite)) : null))));
  }

  actionsOf(id) {
    const doc = this.editor.store.doc;
    const mine = (doc.actions || []).filter((a) => (a.addresses || []).includes(id));
    return h("div", { class: "node-actions" }, h("h3", {}, "Action items"),
      mine.length ? h("ul", { class: "plain" }, mine.map((a) => h("li", {},
        h("button", { type: "button", class: "link", dataset: { key: `action:${a.id}` }, onclick: () => this.editor.showAction(a.id) }, shown(a.title, 70)),
        " ", h("span", { class: `status status-${a.status || "open"}` }, a.status || "open")))) : h("p", { class: "muted" }, "None address this node."),
      this.editor.readOnly ? null : h("button", { type: "button", class: "small", dataset: { key: "add-action" }, onclick: () => this.editor.addAction([id]) }, "Add an action for this node ", h("kbd", {}, "a")));
  }

  linkView({ from, to }) {
    const { store } = this.editor;
    const l = () => links(store.doc).find((x) => x.from === from && x.to === to) || { evidence: [] };
    const a = node(store.doc, from);
    const b = node(store.doc, to);
    const f = this.form;
    return h("div", { class: "inspect" },
      h("div", { class: "inspect-head" }, h("span", { class: "badge" }, "Link"), h("span", {}, "cause → effect")),
      h("p", {}, h("button", { type: "button", class: "link", onclick: () => this.editor.selectNode(from, { reveal: true }) }, shown(a.label, 70)),
        " → ", h("button", { type: "button", class: "link", onclick: () => this.editor.selectNode(to, { reveal: true }) }, shown(b.label, 70))),
      f.text({ label: "How the cause produced the effect", key: "link-label", multiline: true, rows: 3, maxLength: LIMITS.label, get: () => l().label, set: (v) => this.editor.setLinkField(from, to, "label", v) }),
      f.text({ label: "Evidence (one per line)", key: "link-evidence", multiline: true, rows: 3, get: () => l().evidence, set: (v) => this.editor.setLinkField(from, to, "evidence", v), ...lines }),
      this.part(() => this.findings({ link: { from, to } })),
      this.editor.readOnly ? null : h("div", { class: "buttons" }, h("button", { type: "button", class: "danger", onclick: () => this.editor.disconnect(from, to) }, "Remove this link ", h("kbd", {}, "Del"))));
  }
}

/** The "Incident" panel: title, date, severity, services, tags, participants, summary. */
export function incidentPanel(root, editor) {
  const form = new Form(editor.readOnly);
  const doc = () => editor.store.doc;
  const set = (field, label) => (value) => editor.setIncidentField(field, value, label);
  fill(root, h("div", { class: "inspect" },
    h("h2", {}, "Incident"),
    form.text({ label: "Title", key: "title", maxLength: LIMITS.title, get: () => doc().title, set: set("title", "Edit title") }),
    h("div", { class: "row" },
      form.text({ label: "Date it started", key: "date", type: "date", live: false, get: () => doc().date, set: set("date", "Change date") }),
      form.text({ label: "Severity", key: "severity", maxLength: LIMITS.short, get: () => doc().severity, set: (v) => editor.setIncidentField("severity", v.trim() || null, "Edit severity") })),
    form.text({ label: "Services (comma-separated)", key: "services", get: () => doc().services, set: set("services", "Edit services"), ...commas }),
    form.text({ label: "Tags (comma-separated)", key: "tags", get: () => doc().tags, set: set("tags", "Edit tags"), ...commas }),
    form.text({ label: "Participants (comma-separated; never named as causes)", key: "participants", get: () => doc().participants, set: set("participants", "Edit participants"), ...commas }),
    form.text({ label: "Summary", key: "summary", multiline: true, rows: 6, maxLength: LIMITS.summary, get: () => doc().summary, set: (v) => editor.setIncidentField("summary", v.trim() ? v : null, "Edit summary") }),
    h("p", { class: "muted small" }, "Id: ", h("code", {}, doc().id))));
  return form;
}
