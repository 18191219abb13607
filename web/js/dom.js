// Small DOM helpers. User text only ever goes in through textContent or form values:
// the editor never parses a string as HTML.

/** Build an element: h("button", {class: "x", onclick: f}, "text", child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value" || key === "checked" || key === "selected") {
      el[key] = value;
    } else if (key === "text") {
      el.textContent = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An SVG element (charts): attributes set one by one, text via textContent. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") el.textContent = value;
    else if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) if (child) el.append(child);
  return el;
}

const live = () => document.getElementById("announce");

let said = [];

/** Tell screen readers (politely) what just happened. Messages of one moment (a delete
 * and the selection that follows it) are said together, in order: set one after the
 * other, the later would replace the earlier before it is heard. */
export function announce(message) {
  const region = live();
  if (!region || !message) return;
  if (said.includes(message)) return;
  said.push(message);
  if (said.length > 1) return;
  region.textContent = "";
  // A fresh text node after a tick makes repeated messages heard again.
  setTimeout(() => {
    region.textContent = said.join(" ");
    said = [];
  }, 30);
}

const toastTimers = new WeakMap();

/** A short message in the corner; kind is info | ok | warn | error. Messages with the
 * same `key` share one toast: the newest replaces the one shown, rather than stacking.
 * Screen readers hear it too: an error as an alert, anything else through the page's
 * live region (a new role="status" element is not yet a live region, so it is not
 * heard), unless `say` is false because the caller announces it in its own words. */
export function toast(message, kind = "info", ms = 4000, { key = null, say = true } = {}) {
  const box = document.getElementById("toasts");
  if (!box) return;
  let item = key ? [...box.children].find((t) => t.dataset.key === key) : null;
  if (item) {
    item.className = `toast ${kind}`;
    item.textContent = message;
  } else {
    item = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : null, dataset: key ? { key } : null }, message);
    box.append(item);
  }
  if (kind === "error") item.setAttribute("role", "alert");
  else {
    item.removeAttribute("role");
    if (say) announce(message);
  }
  clearTimeout(toastTimers.get(item));
  toastTimers.set(item, setTimeout(() => item.remove(), kind === "error" ? ms * 2 : ms));
}

/** Say so when a paste into `input` is longer than its maxlength lets in (the browser
 * silently keeps only what fits). */
export function sayWhenCut(input, what = "this field") {
  input.addEventListener("paste", (event) => {
    const max = input.maxLength;
    const pasted = event.clipboardData ? event.clipboardData.getData("text").length : 0;
    if (!(max > 0) || !pasted) return;
    const selected = (input.selectionEnd ?? 0) - (input.selectionStart ?? 0);
    const room = Math.max(0, max - (input.value.length - selected));
    if (pasted <= room) return;
    const message = `Only the first ${room} of the ${pasted} pasted characters were kept: ${what} holds at most ${max}.`;
    toast(message, "warn", 7000);
  });
  return input;
}

/** Open a modal <dialog> with a title and content; resolves with the returned value. */
export function modal(title, build, { wide = false, label } = {}) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: wide ? "modal wide" : "modal", "aria-label": label || title });
    const close = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const head = h("header", {}, h("h2", {}, title),
      h("button", { type: "button", class: "icon", "aria-label": "Close", onclick: () => close(undefined) }, "×"));
    const body = h("div", { class: "modal-body" });
    dialog.append(head, body);
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(undefined);
    });
    build(body, close);
    document.body.append(dialog);
    dialog.showModal();
    const first = body.querySelector("[autofocus]") || body.querySelector("input, select, textarea, button");
    if (first) first.focus();
  });
}

/** Save bytes as a file. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copy text; falls back to a selectable text box where the clipboard API is missing. */
export async function copyText(text, what = "text") {
  try {
    if (!navigator.clipboard) throw new Error("no clipboard");
    await navigator.clipboard.writeText(text);
    toast(`Copied the ${what}.`, "ok");
    return true;
  } catch {
    await modal(`Copy the ${what}`, (body) => {
      const area = h("textarea", { class: "copy", readonly: true, rows: 8, "aria-label": what });
      area.value = text;
      body.append(h("p", {}, "Press Ctrl+C to copy."), area);
      setTimeout(() => area.select(), 0);
    });
    return false;
  }
}

/** Call fn at most once per `ms`, after the calls stop (with .flush() and .cancel()). */
export function debounce(fn, ms) {
  let timer = null;
  let args = null;
  const run = () => {
    timer = null;
    const a = args;
    args = null;
    return fn(...a);
  };
  const wrapped = (...a) => {
    args = a;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  wrapped.flush = () => (timer ? (clearTimeout(timer), run()) : undefined);
  wrapped.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  wrapped.pending = () => timer !== null;
  return wrapped;
}

/** True when a key event comes from a text field, where letters must stay letters. */
export function typing(event) {
  return typingIn(event.target);
}

/** True when `t` is a text field (letters typed there are text). */
export function typingIn(t) {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  if (t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  if (t.tagName !== "INPUT") return false;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color"].includes(t.type);
}

/** Relative time in words, e.g. "3 min ago". */
export function ago(iso) {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return "";
  const s = Math.max(0, Math.round((Date.now() - then) / 1000));
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** Local date and time, short. */
export function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Replace an element's children entirely (new form fields), keeping keyboard focus on
 * the element with the same data-key. */
export function rebuild(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.key : null;
  fill(el, ...children);
  if (key) {
    const again = el.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
  return el;
}

/**
 * Replace an element's children (no form fields among them), touching only what changed: a child equal to its
 * replacement is kept (so a click in progress on it is not lost when a list is redrawn
 * under the pointer), the items of a list are compared one by one, and keyboard focus
 * moves to the element with the same data-key when the focused one had to go.
 */
export function refill(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.key : null;
  const next = document.createElement("div");
  append(next, children);
  patch(el, [...next.childNodes], 1);
  if (key && !el.contains(document.activeElement)) {
    const again = el.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
  return el;
}

function patch(el, wanted, depth) {
  const old = [...el.childNodes];
  if (old.length !== wanted.length) {
    el.replaceChildren(...wanted);
    return;
  }
  old.forEach((child, i) => {
    const want = wanted[i];
    if (child.isEqualNode(want)) return;
    const list = depth > 0 && (child.tagName === "UL" || child.tagName === "OL") && child.tagName === want.tagName;
    if (list && child.attributes.length === want.attributes.length &&
        [...want.attributes].every((a) => child.getAttribute(a.name) === a.value)) {
      patch(child, [...want.childNodes], depth - 1);
    } else {
      child.replaceWith(want);
    }
  });
}
