// The "Analysis" panel: would the action items have prevented this (and is every causal
// path cut)? The uncovered paths, the cheapest extra cut, the classes, and every finding
// with the question to ask the room. Clicking a finding or a path selects its nodes.

import { node } from "./doc.js";
import { h, refill } from "./dom.js";
import { isolate, shorten, shown } from "./text.js";

const SEVERITY_WORD = { error: "Error", warning: "Warning", info: "Note" };

function yesNo(ok, yes, no) {
  return h("span", { class: ok ? "verdict-yes" : "verdict-no" }, ok ? `✓ ${yes}` : `✗ ${no}`);
}

/** A finding's severity, code and message: a button that selects what it is about, or
 * plain text when it is about the whole incident (a button there did nothing). */
function findingHead(f, i, editor) {
  const parts = [h("span", { class: "sev" }, SEVERITY_WORD[f.severity]), " ", h("span", { class: "code" }, f.code), h("span", { class: "message" }, isolate(f.message))];
  const what = f.nodes.length || f.edges.length ? "Select its nodes." : f.actions.length ? "Show its action." : null;
  if (!what) return h("div", { class: "finding-button", dataset: { code: f.code } }, ...parts);
  return h("button", {
    type: "button", class: "finding-button", dataset: { key: `finding:${i}`, code: f.code },
    "aria-label": `${SEVERITY_WORD[f.severity]}: ${isolate(f.message)}. ${what}`,
    onclick: () => editor.showFinding(f),
  }, ...parts);
}

/** The short verdict for the top bar: text and tone. */
export function verdictChip(doc, analysis, empty = false) {
  if (empty) return { text: "Nothing to analyse yet", tone: "muted" };
  if (!analysis) return { text: "Analysing…", tone: "muted" };
  const p = analysis.prevention;
  const active = (doc.actions || []).filter((a) => a.status !== "wontfix");
  if (!active.length) return { text: "No action items yet", tone: "muted" };
  if (p.scenario_prevented && p.all_paths_cut) return { text: "Prevented · every path cut", tone: "good" };
  if (p.scenario_prevented) return { text: "Prevented · some paths uncut", tone: "partial" };
  return { text: "Not prevented", tone: "bad" };
}

export function renderVerdict(root, editor) {
  const { analyzer, store } = editor;
  const doc = store.doc;
  const a = analyzer.result;
  const label = (id) => (node(doc, id) ? node(doc, id).label : id);
  if (analyzer.empty) {
    refill(root, h("div", { class: "empty-panel" }, h("h2", {}, "Nothing to analyse yet"),
      editor.readOnly
        ? h("p", {}, "The incident has its impact and nothing else yet; the analysis follows every saved change.")
        : h("p", {}, "The incident has its impact and nothing else. Select the impact and press ", h("kbd", {}, "w"),
          " (why?) to add what led to it; the analysis follows every change.")));
    return;
  }
  if (!a) {
    refill(root, h("p", { class: "muted" }, analyzer.error ? `Analysis unavailable: ${analyzer.error.message}` : "Analysing…"));
    return;
  }
  const p = a.prevention;
  const stale = !analyzer.fresh();
  const active = (doc.actions || []).filter((x) => x.status !== "wontfix");
  const unexplained = p.unexplained || [];
  const counts = { proximate: 0, systemic: 0 };
  for (const c of Object.values(a.nodes)) if (c.class in counts) counts[c.class] += 1;

  const verdict = h("section", { class: "verdict", "aria-labelledby": "verdict-h" },
    h("h2", { id: "verdict-h" }, "Would the actions have prevented it?"),
    active.length === 0
      ? h("p", { class: "muted" }, editor.readOnly ? "No action items yet." : "No action items yet. Add one (a) on a node it removes or weakens.")
      : h("ul", { class: "verdict-lines" },
        h("li", { "data-verdict": "scenario" }, yesNo(p.scenario_prevented, "Scenario prevented", "Scenario not prevented"),
          h("span", { class: "muted" }, " with the planned preventive actions")),
        h("li", { "data-verdict": "paths" }, yesNo(p.all_paths_cut, "Every causal path cut", `${p.uncovered_paths.length ? "Some" : "A"} causal path${p.uncovered_paths.length === 1 ? " is" : "s are"} uncut`)),
        unexplained.length
          ? h("li", { "data-verdict": "unexplained" }, yesNo(false, "", "Nothing explains "), unexplained.map((id, i) => [i ? " and " : "", h("b", {}, shown(label(id)))]),
            h("span", { class: "muted" }, ": no action can prevent an impact until its causes are linked"))
          : null,
        h("li", {}, h("span", { class: "muted" }, `Depth of defence ${p.depth_of_defence} · systemic factors addressed ${p.systemic_addressed} of ${p.systemic_total}`)),
        h("li", { "data-verdict": "done" }, h("span", { class: "muted" }, `Counting only done preventive actions: ${p.done.scenario_prevented ? "prevented" : "not prevented"}${p.done.all_paths_cut ? ", every path cut" : ""}`)),
        p.detection.actions.length ? h("li", {}, h("span", { class: "muted" }, `Detect and mitigate actions: ${p.detection.actions.length} (they shorten or soften the impact)`)) : null),
    stale ? h("p", { class: "muted small" }, analyzer.error ? `Not up to date: the analysis failed (${analyzer.error.message}); trying again.` : "Updating…") : null);

  const highlight = h("input", { type: "checkbox", id: "highlight-uncovered", checked: editor.canvas.highlight, dataset: { key: "highlight" } });
  highlight.addEventListener("change", () => editor.setHighlight(highlight.checked));
  const paths = active.length && p.uncovered_paths.length
    ? h("section", { class: "uncovered" },
      h("h3", {}, "Paths no preventive action cuts"),
      h("div", { class: "check" }, highlight, h("label", { for: "highlight-uncovered" }, "Highlight them on the canvas "), h("kbd", {}, "h")),
      h("ul", { class: "paths" }, p.uncovered_paths.map((path, i) => h("li", {},
        h("button", {
          type: "button", class: "path", dataset: { key: `path:${i}` },
          "aria-label": `Path ${i + 1}: ${path.map((id) => shorten(label(id))).join(", then ")}. Select it.`,
          onclick: () => editor.selectNodes(path, { reveal: true }),
        }, h("b", {}, `Path ${i + 1}: `), path.map((id) => shown(label(id), 34)).join(" → "))))),
      p.suggested_cut.length
        ? h("p", {}, "An action on ", p.suggested_cut.map((id, i) => [i ? " and " : "", h("b", {}, shown(label(id)))]), unexplained.length ? " would cut every other remaining path. " : " would cut every remaining path. ",
          editor.readOnly ? null : h("button", { type: "button", class: "small", dataset: { key: "cut-action" }, onclick: () => editor.addAction(p.suggested_cut) }, "Add that action"))
        : null)
    : null;

  const classes = h("section", { class: "classes" }, h("h3", {}, "Classes"),
    h("p", {}, h("span", { class: "swatch cls-proximate" }), ` ${counts.proximate} proximate (what happened) · `,
      h("span", { class: "swatch cls-systemic" }), ` ${counts.systemic} systemic (why it could happen)`));

  const findings = h("section", { class: "findings", "aria-labelledby": "findings-h" },
    h("h3", { id: "findings-h" }, `Findings (${a.findings.length})`),
    a.findings.length === 0 ? h("p", { class: "ok" }, "No method check fired.") : h("ul", { class: "finding-list" }, a.findings.map((f, i) => h("li", { class: `finding sev-${f.severity}` },
      findingHead(f, i, editor),
      h("p", { class: "prompt" }, h("b", {}, "Ask the room: "), isolate(f.prompt)),
      f.rewrite ? h("p", { class: "rewrite" }, h("b", {}, "Try: "), isolate(f.rewrite)) : null,
      f.source ? h("p", { class: "muted small" }, f.source) : null))));

  const warnings = editor.saver && editor.saver.warnings.length
    ? h("section", {}, h("h3", {}, "Format warnings from the last save"), h("ul", {}, editor.saver.warnings.map((w) => h("li", {}, isolate(w.message)))))
    : null;

  refill(root, verdict, paths, classes, findings, warnings);
}
