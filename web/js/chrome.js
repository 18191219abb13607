// The editor's furniture: the incident's part of the top bar (title, save state, verdict,
// live state, History, Export, Share), the tool buttons under the canvas, the legend of
// the visual grammar, and the Share dialog.

import { announce, copyText, h, modal } from "./dom.js";
import { shareLink } from "./route.js";
import { CLASS_STYLES } from "./grammar.js";
import { verdictChip } from "./verdict.js";
import { isolate } from "./text.js";

const STATUS_TEXT = {
  saved: "Saved",
  unsaved: "Unsaved changes",
  saving: "Saving…",
  invalid: "Not saved: fix the problem shown",
  offline: "Offline: kept in this browser",
  error: "Not saved",
  conflict: "Conflict: merge or reload",
  deleted: "Deleted elsewhere",
  readonly: "Read-only",
};

/** Save states the banner reports; leaving one for "saved" is announced. */
const TROUBLE = new Set(["invalid", "offline", "error", "conflict", "deleted"]);

export function buildChrome(editor) {
  const slot = document.getElementById("context");
  const title = h("h1", { class: "incident-title" });
  // Not a live region: with autosave it changed about once a second while someone typed,
  // and a screen reader said each "Saving… / Saved". Trouble is heard through the banner
  // (a status region), and the way back from it is announced below.
  const status = h("span", { class: "save-status", "aria-live": "off", "data-status": "" });
  let troubled = false; // a state the banner reported came since the last "saved"
  const live = h("span", { class: "live-status", "aria-live": "off" });
  const chip = h("button", { type: "button", class: "verdict-chip", onclick: () => editor.showTab("analysis", true) });
  const tools = h("div", { class: "context-tools" },
    editor.readOnly ? h("span", { class: "badge readonly-badge" }, "Read-only") : null,
    chip, status, live,
    h("button", { type: "button", onclick: () => editor.openHistory() }, "History"),
    h("button", { type: "button", onclick: () => editor.openExport() }, "Export"),
    h("button", { type: "button", onclick: () => editor.openShare() }, "Share"));
  slot.replaceChildren(title, tools);

  const button = (text, key, fn, attrs = {}) =>
    h("button", { type: "button", onclick: fn, ...attrs }, text, key ? h("kbd", {}, key) : null);
  const undo = button("Undo", null, () => editor.undo(), { "data-tool": "undo", title: "Undo (Ctrl+Z)" });
  const redo = button("Redo", null, () => editor.redo(), { "data-tool": "redo", title: "Redo (Ctrl+Y)" });
  const toolbar = h("div", { class: "toolbar", role: "group", "aria-label": "Graph tools" },
    editor.readOnly ? null : [
      button("Why?", "w", () => editor.beginEntry("why"), { "data-tool": "why", title: "Add a cause of the selected node" }),
      button("Then?", "t", () => editor.beginEntry("then"), { "data-tool": "then", title: "Add an effect of the selected node" }),
      button("Link", "k", () => editor.startConnect("effect"), { "data-tool": "connect", title: "Link the selected node to its effect" }),
      button("Delete", null, () => editor.deleteSelection(), { "data-tool": "delete", title: "Delete the selection (Delete)" }),
      h("span", { class: "sep", "aria-hidden": "true" }),
      undo, redo,
      h("span", { class: "sep", "aria-hidden": "true" }),
    ],
    button("Tidy", null, () => editor.tidy(), { "data-tool": "tidy", title: "Tidy the layout (Shift+T)" }),
    button("Fit", null, () => editor.canvas.fit(), { "data-tool": "fit", title: "Fit everything in view (0)" }),
    button("+", null, () => editor.zoom(1.25), { "data-tool": "zoom-in", "aria-label": "Zoom in", title: "Zoom in (+)" }),
    button("−", null, () => editor.zoom(0.8), { "data-tool": "zoom-out", "aria-label": "Zoom out", title: "Zoom out (−)" }));

  function update() {
    const doc = editor.store.doc;
    title.textContent = doc.title;
    document.title = `${isolate(doc.title)} · causemap`;
    const s = editor.saver.status;
    const rev = editor.saver.revision;
    if (TROUBLE.has(s)) troubled = true;
    else if (s === "saved" && troubled) {
      troubled = false;
      announce("Saved again: every change is on the server.");
    }
    status.dataset.status = s;
    const kept = s === "deleted" && editor.saver.dirty() ? ": changes kept in this browser" : "";
    status.textContent = `${STATUS_TEXT[s] || s}${kept} · revision ${rev}`;
    status.title = editor.saver.message || "";
    const v = verdictChip(doc, editor.analyzer.result, editor.analyzer.empty);
    chip.textContent = v.text;
    chip.dataset.tone = v.tone;
    chip.setAttribute("aria-label", `Verdict: ${v.text}. Show the analysis.`);
    const state = editor.liveState;
    live.textContent = state === "live" ? "● Live" : state === "reconnecting" ? "○ Reconnecting…" : state === "stopped" ? "○ Not live" : "○ Connecting…";
    live.dataset.state = state;
    undo.disabled = !editor.store.canUndo();
    redo.disabled = !editor.store.canRedo();
  }

  return { toolbar, update, destroy: () => slot.replaceChildren() };
}

/** The key to the canvas: shape says kind, colour says class. */
export function legend() {
  const kind = (name, text) => h("li", {}, h("span", { class: `shape shape-${name}`, "aria-hidden": "true" }), text);
  const cls = (name) => h("li", {}, h("span", { class: `swatch cls-${name}`, "aria-hidden": "true" }), `${name}: ${CLASS_STYLES[name].meaning}`);
  return h("details", { class: "legend-box" },
    h("summary", {}, "Key"),
    h("ul", { class: "legend" },
      kind("event", "event"), kind("condition", "condition"), kind("factor", "factor"), kind("impact", "impact"),
      cls("proximate"), cls("systemic"),
      h("li", {}, h("span", { class: "line line-uncovered", "aria-hidden": "true" }), "path no preventive action cuts"),
      h("li", {}, h("span", { class: "shape shape-dashed", "aria-hidden": "true" }), "open question"),
      h("li", {}, "⚠ a method check to discuss"),
      h("li", {}, h("span", { class: "line line-hollow", "aria-hidden": "true" }), "hollow arrow: any one cause suffices")));
}

export function openShare(editor) {
  return modal("Share this incident", (body) => {
    const plain = shareLink(editor.id);
    const tokenInput = h("input", { type: "password", id: "share-token", autocomplete: "off", placeholder: "a read token (optional)" });
    const out = h("input", { type: "text", id: "share-link", readonly: true, value: plain });
    tokenInput.addEventListener("input", () => (out.value = shareLink(editor.id, tokenInput.value.trim())));
    body.append(
      h("p", {}, "Viewers who open this link see every saved change within a second, without reloading."),
      h("div", { class: "field" }, h("label", { for: "share-link" }, "Viewer link"), out),
      h("div", { class: "field" }, h("label", { for: "share-token" }, "Include a token"), tokenInput,
        h("p", { class: "hint" },
          "If the server needs tokens, give viewers a read token: they get a read-only page. ",
          "The token travels in the part of the link after #, which browsers never send to the server; ",
          "anyone holding the link holds the token, so share it only with the room.")),
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "primary", onclick: () => copyText(out.value, "viewer link") }, "Copy the link")));
  });
}
