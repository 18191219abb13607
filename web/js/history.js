// Revision history: every save of the incident, and a visual diff between any two of
// them (the server's /diff in words, both versions on one canvas). A writer can bring an
// old revision back; that is an ordinary, undoable edit saved as a new revision.

import { api } from "./api.js";
import { ago, announce, h, fill, modal, toast, when } from "./dom.js";
import { changeList, describe, drawDiff, legend } from "./diffview.js";

export function openHistory(editor) {
  const id = editor.id;
  const cache = new Map();
  const load = async (n) => {
    if (!cache.has(n)) {
      // A revision never changes, so keep it; but forget a failure, to ask again next time.
      const got = api.revision(id, n);
      got.catch(() => cache.delete(n));
      cache.set(n, got);
    }
    return cache.get(n);
  };
  let drawn = null;

  return modal("Revision history", (body, close) => {
    const list = h("div", { class: "revisions", role: "group", "aria-label": "Revisions" }, h("p", { class: "muted" }, "Loading…"));
    // Not a live region: it would read every change at each revision picked. What was
    // picked is heard as its heading and count instead (say()).
    const summary = h("div", { class: "diff-summary" });
    const say = (...parts) => announce(parts.join(": "));
    const canvas = h("div", { class: "diff-canvas", role: "img", "aria-label": "Both revisions drawn together, coloured by change" });
    const actions = h("div", { class: "buttons" });
    const key = legend();
    body.append(h("div", { class: "history" }, list, h("div", { class: "history-diff" }, summary, key, canvas, actions)));
    let from = null;
    let to = null;
    let latest = null;
    let single = false; // one revision: nothing to compare yet
    let shown = 0; // the latest choice: a slower answer to an earlier one is dropped

    async function show() {
      const mine = ++shown;
      if (drawn) drawn.destroy();
      drawn = null;
      fill(summary, h("p", { class: "muted" }, "Loading the diff…"));
      fill(actions);
      key.hidden = canvas.hidden = from === to; // an empty picture, its colours explained
      if (from === to) {
        const text = single ? "Only one revision so far: nothing to compare yet. Each save adds one." : "Pick two different revisions to compare.";
        fill(summary, h("p", {}, text));
        say(text);
        return;
      }
      try {
        const [lo, hi] = [Math.min(from, to), Math.max(from, to)];
        const [before, after, diff] = await Promise.all([load(lo), load(hi), api.diff(id, lo, hi)]);
        if (mine !== shown) return;
        const heading = `Revision ${lo} → revision ${hi}`;
        const items = describe(diff, before, after);
        fill(summary, h("h3", {}, heading), changeList(items, "These two revisions hold the same incident."));
        const count = items.filter(([kind]) => kind !== "analysis").length;
        say(heading, count ? `${count} change${count > 1 ? "s" : ""}` : "no changes to the incident");
        drawn = drawDiff(canvas, before, after, diff.nodes.renamed || []);
        if (!editor.readOnly && to !== latest) {
          const chosen = to;
          actions.append(h("button", {
            type: "button",
            onclick: async () => {
              editor.restore(await load(chosen), chosen);
              close();
            },
          }, `Bring back revision ${chosen} (saved as a new revision)`));
        }
      } catch (exc) {
        if (mine !== shown) return;
        fill(summary, h("p", { class: "error" }, `Could not load the diff: ${exc.message}`));
        say(`Could not load the diff: ${exc.message}`);
      }
    }

    api.revisions(id).then((page) => {
      const items = page.items;
      if (!items.length) return fill(list, h("p", {}, "No revisions."));
      to = latest = items[items.length - 1].number;
      single = items.length === 1;
      from = items.length > 1 ? items[items.length - 2].number : to;
      const table = h("table", { class: "revision-table" },
        h("caption", { class: "sr-only" }, "Pick the two revisions to compare"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Rev."), h("th", { scope: "col" }, "Saved"), h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "To"))),
        h("tbody", {}, [...items].reverse().map((r) => {
          const pickFrom = h("input", { type: "radio", name: "rev-from", value: r.number, checked: r.number === from, "aria-label": `Compare from revision ${r.number}` });
          const pickTo = h("input", { type: "radio", name: "rev-to", value: r.number, checked: r.number === to, "aria-label": `Compare to revision ${r.number}` });
          pickFrom.addEventListener("change", () => ((from = r.number), show()));
          pickTo.addEventListener("change", () => ((to = r.number), show()));
          return h("tr", {}, h("td", {}, String(r.number), r.action !== "update" ? h("span", { class: "tag" }, r.action) : null),
            h("td", { title: when(r.created_at) }, ago(r.created_at)), h("td", {}, pickFrom), h("td", {}, pickTo));
        })));
      fill(list, table);
      show();
    }).catch((exc) => {
      fill(list, h("p", { class: "error" }, `Could not load the revisions: ${exc.message}`));
      toast(exc.message, "error");
    });
  }, { wide: true }).finally(() => drawn && drawn.destroy());
}
