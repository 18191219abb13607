// When a save meets a newer revision (412): show what the other person changed, what you
// changed, and where both touched the same thing; then merge (your changes on top of
// theirs, each conflict resolved your way unless you pick theirs) or reload theirs.
// Closing the dialog decides nothing: the draft stays, and saving stays paused.

import { api } from "./api.js";
import { fill, h, modal, toast } from "./dom.js";
import { downloadUnsaved } from "./export.js";
import { changeList, describe, drawDiff, legend } from "./diffview.js";
import { describeChanges, merge3 } from "./merge.js";
import { same } from "./doc.js";
import { isolate } from "./text.js";

/** A value in conflict as words: a list item by item, each quoted (node ids, as an
 * action's addresses, by their statements: `name`), "(none)" when absent or empty; a
 * whole node or action by its statement or title. */
const show = (value, name = (x) => x) => {
  if (Array.isArray(value)) return value.length ? value.map((v) => `“${show(name(v))}”`).join(", ") : "(none)";
  if (value === undefined || value === null || value === "") return "(none)";
  if (typeof value === "object") return isolate(value.label || value.title || JSON.stringify(value));
  return isolate(String(value));
};

function conflictText(c, base, mine, theirs) {
  const find = (doc, section, id) =>
    section === "node" ? doc.nodes.find((n) => n.id === id) : section === "action" ? (doc.actions || []).find((a) => a.id === id) : null;
  const item = find(mine, c.section, c.id) || find(theirs, c.section, c.id) || find(base, c.section, c.id);
  const statement = statementOf([mine, theirs, base]);
  const [from, to] = c.id.split("->");
  const name = item ? `“${isolate(item.label || item.title)}”`
    : c.section === "link" ? `“${isolate(statement(from))}” → “${isolate(statement(to))}”` : c.id;
  if (c.section === "incident") return `The incident's ${c.field}`;
  if (c.field === null) {
    if (c.mine === undefined) return `${c.section} ${name}: you deleted it, they changed it`;
    if (c.theirs === undefined) return `${c.section} ${name}: they deleted it, you changed it`;
    return `${c.section} ${name}: you both added it differently`;
  }
  return `${c.section} ${name}: ${c.field}`;
}

function renamedText({ section, from, to }, mine, theirs) {
  const find = (doc) => (section === "node" ? doc.nodes : doc.actions || []).find((x) => x.id === from) || {};
  const text = (doc) => isolate(find(doc).label || find(doc).title || from);
  return `You both added a new ${section} under the id ${from}: theirs (“${text(theirs)}”) keeps it, ` +
    `and yours (“${text(mine)}”) becomes ${to}. Both are kept.`;
}

/** A node's statement by its id, in any of `docs` (the id itself when none has it). */
const statementOf = (docs) => (id) => {
  for (const doc of docs) {
    const n = doc.nodes.find((x) => x.id === id);
    if (n) return n.label;
  }
  return id;
};

export async function openConflict(editor) {
  const { saver, store } = editor;
  let latest;
  try {
    latest = await api.getIncident(editor.id);
  } catch (exc) {
    toast(`Could not fetch the newer revision: ${exc.message}`, "error");
    return;
  }
  if (same(latest.doc, store.doc)) {
    // The newer revision is exactly what is on screen (our own save, landed late).
    saver.adopt(latest.revision, latest.doc);
    return;
  }
  const base = saver.baseDoc;
  const mine = store.doc;
  const theirs = latest.doc;
  // The server went back to an earlier revision (a store restored from a backup): the
  // one we started from is gone, or another, so the server's diff would not be ours.
  const back = latest.revision < saver.revision;
  let diff = null;
  try {
    if (!back) diff = await api.diff(editor.id, saver.revision, latest.revision);
  } catch {
    /* the list in words is optional; the canvas still shows their changes */
  }
  const choices = {};
  let drawn = null;
  const statement = statementOf([mine, theirs, base]);
  const heading = back ? "The server went back to an earlier revision" : "Someone else saved meanwhile";
  const lead = back
    ? `The server now has revision ${latest.revision}, older than revision ${saver.revision} you started from ` +
      "(it was restored from a backup): what was saved after it is no longer there. Merging puts your unsaved changes on top of it. "
    : `Revision ${latest.revision} was saved while you had unsaved changes (you started from revision ${saver.revision}). `;
  const result = await modal(heading, (body, close) => {
    const conflictsBox = h("div", { class: "conflicts" });
    const notesBox = h("div", { class: "notes" });
    const canvas = h("div", { class: "diff-canvas small", role: "img", "aria-label": "Their changes, drawn over the version you started from" });
    body.append(
      // Focus starts here, where no key press decides anything: this dialog can open
      // while someone is typing.
      h("p", { class: "lead", tabindex: "-1", autofocus: true }, lead,
        "Nothing has been overwritten: your changes are still here and kept in this browser."),
      h("div", { class: "two-col" },
        h("section", {}, h("h3", {}, back ? "How the server's revision differs" : "What they changed"),
          diff ? changeList(describe(diff, base, theirs)) : h("p", { class: "muted" }, "See the picture below."), legend(), canvas),
        h("section", {}, h("h3", {}, "Your unsaved changes"),
          changeList(describeChanges(base, mine).map((t) => ["yours", t]), "No changes of yours."),
          conflictsBox, notesBox)),
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "primary", "data-action": "merge", onclick: () => close("merge") }, "Merge: my changes on top of theirs"),
        h("button", { type: "button", "data-action": "reload", onclick: () => close("reload") }, "Discard my changes and load theirs"),
        h("button", { type: "button", "data-action": "download", onclick: () => downloadUnsaved(editor) }, "Download my version")),
    );
    const redraw = () => {
      const { conflicts, notes, renamed } = merge3(base, mine, theirs, choices);
      if (!conflicts.length) {
        fill(conflictsBox, h("p", { class: "ok" }, "No conflicts: your changes and theirs touch different things."));
      } else {
        fill(conflictsBox, h("h3", {}, `${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}: you both changed these`),
          h("ul", { class: "conflict-list" }, conflicts.map((c) => {
            const name = `choice-${c.key}`;
            const option = (value, text, shown) => {
              const input = h("input", { type: "radio", name, value, checked: c.choice === value, id: `${name}-${value}` });
              input.addEventListener("change", () => ((choices[c.key] = value), redraw()));
              return h("div", { class: "choice" }, input, h("label", { for: `${name}-${value}` }, h("b", {}, text), " ", show(shown, c.field === "addresses" ? statement : undefined)));
            };
            return h("li", {}, h("p", {}, conflictText(c, base, mine, theirs)), option("mine", "Keep mine:", c.mine), option("theirs", "Take theirs:", c.theirs));
          })));
      }
      fill(notesBox,
        renamed.length ? h("ul", { class: "renamed-list" }, renamed.map((r) => h("li", {}, renamedText(r, mine, theirs)))) : null,
        notes.length ? h("ul", { class: "notes-list" }, notes.map((n) => h("li", {}, n))) : null);
    };
    redraw();
    setTimeout(() => (drawn = drawDiff(canvas, base, theirs, (diff && diff.nodes.renamed) || [])), 0);
  }, { wide: true });
  if (drawn) drawn.destroy();
  if (result === "merge") {
    const { doc, notes, renamed } = merge3(base, mine, theirs, choices);
    const renames = { node: {}, action: {} };
    for (const r of renamed) renames[r.section][r.from] = r.to;
    saver.resolve(doc, latest.revision, theirs, renames);
    toast(notes.length ? `Merged; ${notes.length} link(s) or reference(s) had to be dropped.` : "Merged your changes on top of theirs; saving.", "ok");
  } else if (result === "reload") {
    saver.reload(theirs, latest.revision);
    toast(`Loaded revision ${latest.revision}; your changes were discarded.`, "warn");
  } else {
    toast("Saving is paused until you merge or reload (use the banner above the canvas).", "warn", 6000);
  }
}
