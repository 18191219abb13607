// The Selection panel's factor key: a text field that offers the catalog's keys (a
// <datalist>, each labelled with its entry's name), and a note under it saying what the
// patterns report will make of the key: a catalog entry; a likely typo of a catalog key
// (an edit or two from it, "_" for "-" and plurals aside: nearestKey), which would split
// one factor in two (with a button that takes the catalog key, an undo step of its own);
// or a key of the team's own, counted as a factor of its own ("capacity-gap" beside
// "capacity-planning-gap"). On an impact it says the report ignores the key.
// While the key is being typed, only a catalog entry is said at once: whether it is a
// typo or a key of the team's own waits for a pause in the typing (SETTLE_MS) or for
// the field to be left, so that a half-typed key ("capa") is not warned about.
// Without the catalog (not yet arrived, or the server could not be asked) the field
// works as it did before, with no note.

import { node, SLUG } from "./doc.js";
import { debounce, h } from "./dom.js";
import { loadedCatalog, nearestKey } from "./catalog.js";
import { isolate } from "./text.js";

/** How long typing has to pause before a key not in the catalog is judged. */
const SETTLE_MS = 700;

let counter = 0;

/** The field, its datalist and the note, for node `id` of the inspector's document. */
export function factorKey(inspector, id) {
  const ed = inspector.editor;
  const listId = `factor-keys-${++counter}`;
  const noteId = `${listId}-note`;
  const keys = h("datalist", { id: listId });
  const field = inspector.form.text({
    label: "Factor key (shared across incidents)", key: "factor", placeholder: "e.g. config-shipped-without-validation",
    get: () => (node(ed.store.doc, id) || {}).factor,
    set: (v) => ed.setNodeField(id, "factor", v.trim() || null, "Set factor"),
    validate: (t) => (t.trim() && !SLUG.test(t.trim()) ? "Lower-case letters, digits, dots, dashes and underscores." : null),
    list: listId, describedBy: noteId,
  });
  let typing = false; // typed in, with no pause since
  const note = inspector.part(() => {
    const { factor, kind } = node(ed.store.doc, id) || {};
    if (factor && kind === "impact") return impactNote(noteId); // no catalog needed
    const catalog = loadedCatalog(inspector.redraw);
    if (!catalog) return null;
    if (!keys.childElementCount) keys.append(...catalog.keys.map((key) => h("option", { value: key }, isolate(catalog.names.get(key)))));
    if (!factor || (typing && !catalog.names.has(factor))) return null;
    return factorNote(factor, catalog, noteId, ed.readOnly ? null : (key) =>
      ed.setNodeField(id, "factor", key, "Use catalog key", { coalesce: false }));
  });
  const settle = debounce(() => {
    typing = false;
    if (note.isConnected) inspector.redraw();
  }, SETTLE_MS);
  const input = field.querySelector("input"); // none on a viewer's page
  if (input) whileTyping(field, input, () => (typing = true), settle);
  return [field, keys, note];
}

/** Call `typed` on each edit of `input` (before the field writes it, which redraws the
 * note) and `settle` after it, on a pause (debounced) or once the field is left. Left by
 * a press elsewhere (a cause's link, under the note), it waits for the release, so that
 * the note does not move what is being pressed. (The catalog's suggestions are above the
 * field, out of the note's way: inspector.js.) */
function whileTyping(field, input, typed, settle) {
  let pressed = false;
  const press = (event) => (pressed = event.type === "pointerdown");
  field.addEventListener("input", () => {
    typed();
    settle();
  }, true);
  input.addEventListener("focus", () => {
    pressed = false;
    for (const type of ["pointerdown", "pointerup"]) document.addEventListener(type, press, true);
  });
  input.addEventListener("blur", () => {
    for (const type of ["pointerdown", "pointerup"]) document.removeEventListener(type, press, true);
    if (!pressed) settle.flush();
    else addEventListener("pointerup", () => setTimeout(settle.flush), { once: true, capture: true });
  });
}

/** An impact's key, which the report ignores (`causemap validate` warns of it too). */
function impactNote(id) {
  return h("p", { class: "factor-note warn", id },
    "The patterns report leaves impacts out, so it ignores this key: factors are what led to an impact. Put the key on the node it describes.");
}

/** What the report makes of `factor`, with a button that calls `use` with the catalog
 * key it is most likely a typo of (none without `use`: a viewer's page). */
function factorNote(factor, catalog, id, use) {
  // The note that replaces the button has its data-key, so that focus stays here.
  const key = "factor-note";
  if (catalog.names.has(factor)) {
    return h("p", { class: "hint factor-note", id, tabindex: "-1", dataset: { key } }, "Catalog entry: ", isolate(catalog.names.get(factor)));
  }
  const near = nearestKey(factor, catalog.keys);
  if (!near) {
    return h("p", { class: "hint factor-note", id },
      `“${isolate(factor)}” is not in the catalog: a key of your team's own, which the patterns report counts as a factor of its own.`);
  }
  const name = catalog.names.get(near);
  return h("div", { class: "factor-note warn", id },
    h("p", {}, `“${isolate(factor)}” is not in the catalog: did you mean ${near} (${isolate(name)})?`),
    use ? h("button", {
      type: "button", class: "small", dataset: { key },
      "aria-label": `Use ${near} (“${name}”) as the factor key`, onclick: () => use(near),
    }, `Use ${near}`) : null);
}
