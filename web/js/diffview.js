// A visual diff of two versions of an incident: one read-only canvas with both versions'
// nodes and links, coloured by what happened to them (added, removed, changed, same),
// next to a list in words. Used by the revision history and the conflict dialog.

import cytoscape from "../vendor/cytoscape-3.35.0.esm.min.js";
import { h } from "./dom.js";
import { isolate, shown } from "./text.js";
import { links, same } from "./doc.js";
import { DIFF } from "./grammar.js";
import { FONT_FAMILY, FONT_SIZE, LINE_HEIGHT, drawn, nodeSize, tidy } from "./layout.js";
import { NodeTip } from "./tip.js";

const withoutCauses = (n) => {
  const copy = { ...n };
  delete copy.causes;
  return copy;
};

/** `doc` with node ids renamed (`renamed`: [old, new] pairs) in its nodes, causes and links. */
function withIds(doc, renamed) {
  if (!renamed.length) return doc;
  const to = new Map(renamed);
  const id = (x) => to.get(x) || x;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => ({ ...n, id: id(n.id), ...(n.causes ? { causes: n.causes.map(id) } : {}) })),
    edges: (doc.edges || []).map((e) => ({ ...e, from: id(e.from), to: id(e.to) })),
  };
}

/** Status of every node and link of the union of `before` and `after`; a node the server
 * found renamed (`renamed`: its /diff's nodes.renamed) is one node, under its new id. */
export function compare(before, after, renamed = []) {
  const newIds = new Set(renamed.map(([, b]) => b));
  before = withIds(before, renamed);
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const nodes = [];
  for (const n of after.nodes) {
    const was = old.get(n.id);
    const kept = was && same(withoutCauses(was), withoutCauses(n));
    const status = !was ? "added" : !kept ? "changed" : newIds.has(n.id) ? "renamed" : "same";
    nodes.push({ node: n, status });
  }
  for (const n of before.nodes) if (!now.has(n.id)) nodes.push({ node: n, status: "removed" });
  const key = (l) => `${l.from}->${l.to}`;
  const oldLinks = new Map(links(before).map((l) => [key(l), l]));
  const newLinks = new Map(links(after).map((l) => [key(l), l]));
  const edges = [];
  for (const [k, l] of newLinks) {
    const was = oldLinks.get(k);
    edges.push({ link: l, status: !was ? "added" : same(was, l) ? "same" : "changed" });
  }
  for (const [k, l] of oldLinks) if (!newLinks.has(k)) edges.push({ link: l, status: "removed" });
  return { nodes, edges };
}

const WORD = { added: "added", removed: "removed", changed: "changed", renamed: "renamed", same: "unchanged" };

function style() {
  return [
    {
      selector: "node",
      style: {
        width: "data(w)", height: "data(h)", label: "data(label)", "text-wrap": "wrap", "text-max-width": "data(tw)",
        "text-valign": "center", "text-halign": "center", "font-family": FONT_FAMILY, "font-size": FONT_SIZE,
        "line-height": LINE_HEIGHT, color: "#111", "background-color": "#F4F4F4", "border-color": DIFF.same, "border-width": 1.5,
      },
    },
    { selector: 'node[kind = "event"]', style: { shape: "round-rectangle" } },
    { selector: 'node[kind = "condition"]', style: { shape: "ellipse" } },
    { selector: 'node[kind = "factor"]', style: { shape: "hexagon" } },
    { selector: 'node[kind = "impact"]', style: { shape: "octagon" } },
    { selector: 'node[status = "same"]', style: { color: "#444", opacity: 0.75 } },
    { selector: 'node[status = "added"]', style: { "background-color": "#D5EFE6", "border-color": DIFF.added, "border-width": 4 } },
    { selector: 'node[status = "changed"]', style: { "background-color": "#FFFFFF", "border-color": DIFF.changed, "border-width": 4 } },
    { selector: 'node[status = "renamed"]', style: { "background-color": "#FFFFFF", "border-color": DIFF.changed, "border-width": 4 } },
    {
      selector: 'node[status = "removed"]',
      style: { "background-color": "#FBE3D6", "border-color": DIFF.removed, "border-width": 3, "border-style": "dashed" },
    },
    {
      selector: "edge",
      style: { width: 1.5, "line-color": DIFF.same, "target-arrow-color": DIFF.same, "target-arrow-shape": "triangle", "curve-style": "bezier" },
    },
    { selector: 'edge[status = "added"]', style: { width: 3.5, "line-color": DIFF.added, "target-arrow-color": DIFF.added } },
    { selector: 'edge[status = "changed"]', style: { width: 3.5, "line-color": DIFF.changed, "target-arrow-color": DIFF.changed } },
    {
      selector: 'edge[status = "removed"]',
      style: { width: 3, "line-style": "dashed", "line-color": DIFF.removed, "target-arrow-color": DIFF.removed },
    },
  ];
}

/** Draw the diff into `container` (`renamed`: the /diff's nodes.renamed, when known);
 * returns {cy, destroy()}. Nodes are drawn as on the editor's canvas: one size for a
 * kind, five lines, what does not fit cut with "…" and shown whole on hover (and said
 * in the list of changes); what happened to a node is its first line. */
export function drawDiff(container, before, after, renamed = []) {
  const { nodes, edges } = compare(before, after, renamed);
  const union = { nodes: nodes.map((x) => x.node), edges: edges.map((x) => x.link) };
  const sizes = {};
  const elements = [];
  for (const { node, status } of nodes) {
    const { text, clipped } = drawn(node, status === "same" ? [] : [WORD[status]]);
    const size = nodeSize(node.kind);
    sizes[node.id] = size;
    const data = { id: node.id, label: text, kind: node.kind, status, w: size.w, h: size.h, tw: size.textWidth, statement: clipped ? node.label : "" };
    elements.push({ group: "nodes", data });
  }
  const positions = tidy({ nodes: union.nodes, edges: union.edges.map((l) => ({ from: l.from, to: l.to })) }, sizes);
  for (const el of elements) el.position = positions[el.data.id];
  for (const { link, status } of edges) {
    elements.push({ group: "edges", data: { id: `${link.from}->${link.to}`, source: link.from, target: link.to, status } });
  }
  const cy = cytoscape({
    container, elements, style: style(), layout: { name: "preset" }, autoungrabify: true, autounselectify: true,
    boxSelectionEnabled: false, minZoom: 0.05, maxZoom: 2.5, textureOnViewport: true,
  });
  // Frame what changed (with its neighbours), not the whole graph, unless nothing did.
  const changed = cy.elements('[status != "same"]');
  const frame = changed.nonempty() ? changed.closedNeighborhood().union(changed.connectedNodes()) : cy.elements();
  cy.fit(frame, 30);
  if (cy.zoom() > 1) {
    cy.zoom(1);
    cy.center(frame);
  }
  const tip = new NodeTip(cy, container, { id: null });
  if (window.causemap) window.causemap.diffCy = cy; // test hook, like window.cy
  return {
    cy,
    destroy: () => {
      tip.destroy();
      cy.destroy();
    },
  };
}

/** A legend for the diff colours. */
export function legend() {
  const item = (status, text) => h("li", {}, h("span", { class: `swatch diff-${status}`, "aria-hidden": "true" }), text);
  return h("ul", { class: "legend diff-legend", "aria-label": "Colours of the diff" },
    item("added", "added"), item("removed", "removed (dashed)"), item("changed", "changed"), item("same", "unchanged"));
}

/** An incident field's value in a change's words: quoted and shortened, a list item by
 * item, "(none)" when absent or empty. */
function fieldValue(value) {
  const items = Array.isArray(value) ? value : value == null || value === "" ? [] : [value];
  return items.length ? items.map((v) => `“${shown(String(v), 60)}”`).join(", ") : "(none)";
}

/** The server's /diff answer in words, with labels from the two documents. */
export function describe(diff, before, after) {
  const label = (id) => {
    const n = after.nodes.find((x) => x.id === id) || before.nodes.find((x) => x.id === id);
    return n ? `“${isolate(n.label)}”` : id;
  };
  const title = (id) => {
    const a = (after.actions || []).find((x) => x.id === id) || (before.actions || []).find((x) => x.id === id);
    return a ? `“${isolate(a.title)}”` : id;
  };
  const out = [];
  for (const [field, [was, now]] of Object.entries(diff.fields || {})) {
    out.push(["changed", `incident ${field}: ${fieldValue(was)} → ${fieldValue(now)}`]);
  }
  for (const id of diff.nodes.added) out.push(["added", label(id)]);
  for (const id of diff.nodes.removed) out.push(["removed", label(id)]);
  for (const [was, now] of diff.nodes.renamed || []) out.push(["renamed", `${label(now)}: id ${was} → ${now}`]);
  for (const c of diff.nodes.changed) out.push(["changed", `${label(c.id)}: ${Object.keys(c.fields).join(", ")}`]);
  for (const [a, b] of diff.edges.added) out.push(["added", `link ${label(a)} → ${label(b)}`]);
  for (const [a, b] of diff.edges.removed) out.push(["removed", `link ${label(a)} → ${label(b)}`]);
  for (const c of diff.edges.changed) {
    const [a, b] = c.id.split("->");
    out.push(["changed", `link ${label(a)} → ${label(b)}: ${Object.keys(c.fields).join(", ")}`]);
  }
  for (const id of diff.actions.added) out.push(["added", `action ${title(id)}`]);
  for (const id of diff.actions.removed) out.push(["removed", `action ${title(id)}`]);
  for (const [was, now] of diff.actions.renamed || []) out.push(["renamed", `action ${title(now)}: id ${was} → ${now}`]);
  for (const c of diff.actions.changed) out.push(["changed", `action ${title(c.id)}: ${Object.keys(c.fields).join(", ")}`]);
  const analysis = diff.analysis;
  if (analysis) {
    for (const [id, [was, now]] of Object.entries(analysis.classes || {})) {
      if (was && now) out.push(["analysis", `${label(id)} is now ${now} (was ${was})`]);
    }
    for (const f of analysis.findings_added || []) out.push(["analysis", `new finding ${f.code}: ${isolate(f.message)}`]);
    for (const f of analysis.findings_removed || []) out.push(["analysis", `resolved finding ${f.code}`]);
    for (const [k, [was, now]] of Object.entries(analysis.prevention || {})) out.push(["analysis", `${k.replace(".", ": ").replaceAll("_", " ")}: ${was} → ${now}`]);
  }
  return out;
}

/** The list of changes as an element; how the analysis changed follows, folded, so that
 * it never pushes the changes themselves out of view. */
export function changeList(items, empty = "No changes.") {
  if (!items.length) return h("p", { class: "muted" }, empty);
  const item = ([kind, text]) => h("li", { class: `change-${kind}` }, h("span", { class: "change-kind" }, kind), " ", text);
  const changes = items.filter(([kind]) => kind !== "analysis");
  const analysis = items.filter(([kind]) => kind === "analysis");
  return [
    changes.length ? h("ul", { class: "changes" }, changes.map(item)) : h("p", { class: "muted" }, "No changes to the incident itself."),
    analysis.length ? h("details", { class: "analysis-changes" },
      h("summary", {}, `How the analysis changed (${analysis.length})`),
      h("ul", { class: "changes-analysis" }, analysis.map(item))) : null,
  ];
}
