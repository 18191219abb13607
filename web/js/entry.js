// The statement bar under the canvas: type a statement, press Enter. Its mode says what
// Enter does: add a free node, add a cause of the anchor ("why?"), add an effect of it
// ("then?"), or rename it. "Why?" and "then?" keep going, so a chain of five whys is
// five statements and five Enters. Escape goes back to the canvas and keeps what was
// typed (a long statement is not lost to a look at the picture), except that it cancels
// a rename, which gives back whatever statement was being drafted before it. What is
// being drafted (not a rename), with the kind picked for it, is kept for the tab
// (drafts.js), so a reload or a crash of the page gives it back; so is the kind picked
// in an empty bar.

import { h, sayWhenCut } from "./dom.js";
import { KINDS, node } from "./doc.js";
import { statements } from "./drafts.js";
import { shown } from "./text.js";

const KIND_KEY = { event: "e", condition: "c", factor: "f", impact: "i" };
const FIRST_KIND = "event"; // what a new page's bar makes

export class Entry {
  constructor(editor) {
    this.editor = editor;
    this.mode = "new";
    this.anchor = null;
    this.kind = FIRST_KIND;
    this.aside = null; // while renaming: what the bar held before, to give back after
    this.keeping = false; // the kept draft is given back (restore) before it is kept anew
    this.label = h("label", { for: "statement", id: "entry-label", class: "entry-label" }, "New statement");
    this.input = h("input", {
      id: "statement", type: "text", autocomplete: "off", maxlength: 500, spellcheck: "true", dir: "auto",
      placeholder: "What happened, or what held? Press Enter to add it", "aria-describedby": "entry-help",
    });
    sayWhenCut(this.input, "a statement");
    this.input.addEventListener("input", () => this.keep());
    this.kinds = h("fieldset", { class: "kind-picker" }, h("legend", { class: "sr-only" }, "Kind of the new node"),
      KINDS.map((k) => {
        const input = h("input", { type: "radio", name: "new-kind", id: `new-kind-${k}`, value: k, checked: k === this.kind });
        input.addEventListener("change", () => {
          this.kind = k;
          this.keep();
        });
        return h("span", { class: "radio" }, input, h("label", { for: `new-kind-${k}` }, k));
      }));
    this.help = h("p", { id: "entry-help", class: "sr-only" },
      "Enter adds the statement. Escape goes back to the canvas and keeps what you typed; while renaming, it cancels the rename. " +
      "On the canvas, e, c, f and i set the selected node's kind.");
    this.form = h("form", { class: "entry", "aria-label": "Add a statement" },
      this.label, this.input, this.kinds, h("button", { type: "submit" }, "Add"), this.help);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.leave();
      }
    });
  }

  setKind(kind) {
    this.kind = kind;
    const radio = this.form.querySelector(`#new-kind-${kind}`);
    if (radio) radio.checked = true;
    this.keep();
  }

  /** Switch mode: "new", "why", "then" or "edit" (the last three need an anchor node). */
  begin(mode, anchor = null) {
    if (this.mode === "edit" && mode !== "edit") this.endRename();
    else if (mode === "edit" && this.mode !== "edit") this.aside = { text: this.input.value, mode: this.mode, anchor: this.anchor };
    this.mode = mode;
    this.anchor = anchor;
    this.refresh();
    if (mode === "edit") {
      this.input.value = node(this.editor.store.doc, anchor).label;
    }
    this.input.focus();
    if (mode === "edit") this.input.select();
  }

  /** While asking why (or then), the question follows the selected node; selecting
   * another node cancels a rename. */
  follow(selection) {
    const id = selection.nodes.length === 1 ? selection.nodes[0] : null;
    if (this.mode === "edit" && id !== this.anchor) this.endRename();
    if (this.mode === "new" || this.anchor === null || id === this.anchor) return;
    if (id) this.anchor = id;
    else this.mode = "new";
    this.refresh();
  }

  /** Escape: back to the canvas. What was typed stays, with the question it answers,
   * until Enter adds it (the facilitator only looked at the picture); an empty bar is a
   * new statement again, so Escape still ends a chain of whys. A rename is cancelled:
   * nothing was changed yet. */
  leave() {
    if (this.mode === "edit") this.endRename();
    else if (!this.input.value.trim()) {
      this.input.value = "";
      this.reset();
    }
    this.editor.focusCanvas();
  }

  /** Stop renaming: the bar gets back what it held before the rename began. */
  endRename() {
    const { text, mode, anchor } = this.aside || { text: "", mode: "new", anchor: null };
    this.aside = null;
    this.input.value = text;
    if (!text.trim()) return this.reset();
    this.mode = mode;
    this.anchor = anchor;
    this.refresh();
  }

  reset() {
    this.mode = "new";
    this.anchor = null;
    this.refresh();
  }

  refresh() {
    const doc = this.editor.store.doc;
    const a = this.anchor && node(doc, this.anchor);
    if (this.mode !== "new" && !a) {
      if (this.mode === "edit") return this.endRename(); // deleted while being renamed
      this.mode = "new";
      this.anchor = null;
    }
    const text = {
      new: "New statement",
      why: a ? `Why? A cause of “${shown(a.label)}”` : "",
      then: a ? `Then? An effect of “${shown(a.label)}”` : "",
      edit: a ? "Rename the selected node" : "",
    }[this.mode];
    this.label.textContent = text;
    this.form.dataset.mode = this.mode;
    this.keep();
  }

  /** Keep what is typed, with the question it answers and the kind picked, as this tab's
   * draft of the statement; never a rename's text, the node's label. An emptied bar keeps
   * no text and no question, only a kind picked other than the first one. */
  keep() {
    if (!this.keeping || this.mode === "edit") return;
    const text = this.input.value;
    let draft = null;
    if (text.trim()) draft = { text, mode: this.mode, anchor: this.anchor, kind: this.kind };
    else if (this.kind !== FIRST_KIND) draft = { text: "", mode: "new", anchor: null, kind: this.kind };
    statements.store(this.editor.id, draft);
  }

  /** Give back the statement this tab was drafting before the page was reloaded (once the
   * incident's own draft is back, which may hold its node): "why?" or "then?" while the
   * node it asked about is there, with that node selected, else a new statement; of the
   * kind picked for it. A bar put to use meanwhile is left as it is, and so is the draft
   * of the tab this one duplicates (drafts.js). */
  async restore() {
    if (this.keeping) return;
    const draft = await statements.take(this.editor.id);
    if (this.keeping) return;
    const store = this.editor.store;
    if (draft && this.mode === "new" && !this.input.value) {
      const asked = (draft.mode === "why" || draft.mode === "then") && node(store.doc, draft.anchor);
      this.input.value = draft.text.slice(0, 500);
      this.mode = asked ? draft.mode : "new";
      this.anchor = asked ? draft.anchor : null;
      if (KINDS.includes(draft.kind)) this.setKind(draft.kind);
      if (asked && !store.selection.nodes.length) store.select([this.anchor]);
    }
    this.keeping = true;
    this.refresh();
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) {
      if (this.mode === "edit") this.endRename();
      return;
    }
    const ed = this.editor;
    if (this.mode === "edit") {
      if (ed.setNodeField(this.anchor, "label", text, "Rename") === true) {
        this.endRename();
        ed.focusCanvas();
      }
      return;
    }
    const made = ed.addStatement(text, this.kind, this.mode, this.anchor);
    if (!made) return;
    this.input.value = "";
    if (this.mode === "why" || this.mode === "then") this.anchor = made;
    this.refresh();
  }

  /** True when `target` is the statement bar holding what it held when it opened (empty,
   * or the statement being renamed): Ctrl+Z and Ctrl+Y then undo and redo edits to the
   * graph. Once something is typed they are the field's own undo and redo, so the two
   * histories never fight over one key press. */
  untouched(target) {
    if (target !== this.input) return false;
    const a = this.mode === "edit" && this.anchor && node(this.editor.store.doc, this.anchor);
    return this.input.value === (a ? a.label : "");
  }

  keyHint(kind) {
    return KIND_KEY[kind];
  }
}
