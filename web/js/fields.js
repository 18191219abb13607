// Labelled form fields bound to the document. A field shows the document's value, writes
// edits back through `set` (which may refuse), shows why a value is not accepted, and is
// refreshed from the document. While the user types in it, their text is left as it is
// (not re-formatted, nor replaced by a value not accepted yet) unless the document's value
// was changed by something else (a revision saved elsewhere, an undo): then the field
// shows that, so that the next keystroke does not write the old text back over it.
// Read-only pages get the same labels over plain text instead of controls.

import { h, sayWhenCut } from "./dom.js";
import { LIMITS } from "./doc.js";
import { isolate } from "./text.js";

let counter = 0;
const uid = (prefix) => `${prefix}-${++counter}`;

export class Form {
  constructor(readOnly = false) {
    this.readOnly = readOnly;
    this.fields = [];
  }

  add(field) {
    this.fields.push(field);
    return field.el;
  }

  update() {
    for (const f of this.fields) f.update();
  }

  text(options) {
    return this.add(this.readOnly ? readonlyField(options) : textField(options));
  }

  select(options) {
    return this.add(this.readOnly ? readonlyField({ ...options, format: (v) => labelOf(options.options, v) }) : selectField(options));
  }

  check(options) {
    return this.add(this.readOnly ? readonlyField({ ...options, format: (v) => (v ? "yes" : "no") }) : checkField(options));
  }

  radios(options) {
    return this.add(this.readOnly ? readonlyField({ ...options, format: (v) => labelOf(options.options, v) }) : radioField(options));
  }
}

function labelOf(options, value) {
  const found = options.find(([v]) => v === (value ?? ""));
  return found ? found[1] : value || "";
}

function readonlyField({ label, get, format = (v) => v ?? "", key }) {
  const value = h("span", { class: "ro-value" });
  const el = h("div", { class: "ro-field", dataset: { key: key || label } }, h("span", { class: "ro-label" }, label), value);
  const update = () => {
    const got = get();
    // A list (tags, services) is shown joined: isolate each item from the next.
    const text = String(format(Array.isArray(got) ? got.map(isolate) : got) || "");
    value.textContent = text || "—";
    value.classList.toggle("empty", !text);
  };
  update();
  return { el, update };
}

function feedback(el, message) {
  el.textContent = message || "";
  el.hidden = !message;
}

/**
 * A text input or textarea. `parse` turns the text into a value (default: the text),
 * `validate` returns a message for unacceptable text, `set` applies a value and returns
 * false (or throws) when the edit is refused. `list` is the id of a <datalist> it
 * offers, `describedBy` that of a note about its value kept elsewhere.
 */
function textField({
  label, get, set, key, multiline = false, rows = 3, type = "text", placeholder = "", hint = "",
  validate = () => null, parse = (t) => t, format = (v) => v ?? "", maxLength, live = true, autocomplete = "off",
  list = null, describedBy = "",
}) {
  const id = uid("f");
  const errorId = `${id}-err`;
  const hintId = `${id}-hint`;
  const attrs = {
    id, placeholder, maxlength: maxLength, autocomplete, spellcheck: multiline ? "true" : "false",
    dir: multiline || type === "text" ? "auto" : null, // Hebrew or Arabic text reads right to left
    dataset: { key: key || label }, "aria-describedby": [hint ? hintId : "", errorId, describedBy].filter(Boolean).join(" "),
    list: multiline ? null : list,
  };
  const input = multiline ? h("textarea", { ...attrs, rows }) : h("input", { ...attrs, type });
  if (maxLength) sayWhenCut(input, `“${label}”`);
  const error = h("p", { class: "field-error", id: errorId, hidden: true, role: "alert" });
  const el = h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint", id: hintId }, hint) : null, error);
  let shown = null; // the document's value (as text) the field last showed or wrote
  let writing = false; // the document is changing because of this very field
  const update = () => {
    const text = String(format(get()) ?? "");
    if (document.activeElement === input && input.dataset.dirty === "1" && (writing || text === shown)) return;
    if (text !== shown || input.value !== text) {
      input.value = text;
      shown = text;
      input.removeAttribute("aria-invalid");
      feedback(error, "");
    }
  };
  const commit = () => {
    const message = validate(input.value);
    if (message) {
      input.setAttribute("aria-invalid", "true");
      feedback(error, message);
      return;
    }
    let ok;
    writing = true;
    try {
      ok = set(parse(input.value));
    } catch (exc) {
      ok = exc.message || String(exc);
    } finally {
      writing = false;
    }
    if (ok === false || typeof ok === "string") {
      input.setAttribute("aria-invalid", "true");
      feedback(error, typeof ok === "string" ? ok : "Not accepted.");
      return;
    }
    input.removeAttribute("aria-invalid");
    feedback(error, "");
    shown = String(format(get()) ?? "");
  };
  input.addEventListener(live ? "input" : "change", () => {
    input.dataset.dirty = "1";
    commit();
  });
  if (live) input.addEventListener("change", commit);
  input.addEventListener("blur", () => {
    input.dataset.dirty = "";
    if (input.getAttribute("aria-invalid") !== "true") update();
  });
  update();
  return { el, update, input };
}

function selectField({ label, get, set, options, key, hint = "" }) {
  const id = uid("s");
  const select = h("select", { id, dataset: { key: key || label } },
    options.map(([value, text]) => h("option", { value }, text)));
  const error = h("p", { class: "field-error", hidden: true, role: "alert" });
  const el = h("div", { class: "field" }, h("label", { for: id }, label), select, hint ? h("p", { class: "hint" }, hint) : null, error);
  const update = () => {
    const v = get() ?? "";
    if (select.value !== v) select.value = v;
    feedback(error, "");
  };
  select.addEventListener("change", () => {
    let ok;
    try {
      ok = set(select.value || null);
    } catch (exc) {
      ok = exc.message;
    }
    if (ok === false || typeof ok === "string") {
      feedback(error, typeof ok === "string" ? ok : "Not accepted.");
      update();
      feedback(error, typeof ok === "string" ? ok : "Not accepted.");
    }
  });
  update();
  return { el, update, input: select };
}

function checkField({ label, get, set, key, hint = "" }) {
  const id = uid("c");
  const box = h("input", { type: "checkbox", id, dataset: { key: key || label } });
  const el = h("div", { class: "field check" }, box, h("label", { for: id }, label), hint ? h("p", { class: "hint" }, hint) : null);
  const update = () => {
    box.checked = Boolean(get());
  };
  box.addEventListener("change", () => {
    if (set(box.checked) === false) update();
  });
  update();
  return { el, update, input: box };
}

function radioField({ label, get, set, options, key, hint = "" }) {
  const name = uid("r");
  const error = h("p", { class: "field-error", hidden: true, role: "alert" });
  const inputs = options.map(([value, text, keyHint]) => {
    const id = `${name}-${value}`;
    const input = h("input", { type: "radio", name, id, value, dataset: { key: `${key || label}:${value}` } });
    input.addEventListener("change", () => {
      if (!input.checked) return;
      let ok;
      try {
        ok = set(value);
      } catch (exc) {
        ok = exc.message;
      }
      if (ok === false || typeof ok === "string") {
        update();
        feedback(error, typeof ok === "string" ? ok : "Not accepted.");
      } else feedback(error, "");
    });
    return h("span", { class: "radio" }, input, h("label", { for: id }, text, keyHint ? h("kbd", {}, keyHint) : null));
  });
  const el = h("fieldset", { class: "field radios" }, h("legend", {}, label), ...inputs, hint ? h("p", { class: "hint" }, hint) : null, error);
  function update() {
    const v = get();
    for (const wrap of inputs) {
      const input = wrap.querySelector("input");
      input.checked = input.value === v;
    }
  }
  update();
  return { el, update };
}

/** Why the items of a list field do not fit the format (`max` characters each, at most
 * LIMITS.list of them), or null: the server refuses a save holding them. */
function listLimits(items, max, what) {
  if (items.length > LIMITS.list) return `At most ${LIMITS.list} ${what}s (there are ${items.length}).`;
  const at = items.findIndex((item) => item.length > max);
  return at < 0 ? null : `Each ${what} holds at most ${max} characters; ${what} ${at + 1} has ${items[at].length}.`;
}

/** Lines of a textarea as a list (blank lines dropped), and back. */
export const lines = {
  parse: (text) => text.split("\n").map((s) => s.trim()).filter(Boolean),
  format: (list) => (list || []).join("\n"),
  validate: (text) => listLimits(lines.parse(text), LIMITS.evidence, "line"),
};

/** A comma-separated input as a list, and back. */
export const commas = {
  parse: (text) => text.split(",").map((s) => s.trim()).filter(Boolean),
  format: (list) => (list || []).join(", "),
  validate: (text) => listLimits(commas.parse(text), LIMITS.short, "item"),
};
