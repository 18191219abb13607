// The graph on screen: a Cytoscape canvas kept in step with the document and the latest
// analysis. Labels are painted on the canvas, so no user text becomes markup here.
// Selection is the store's, drawn with the "sel" class (Cytoscape's own is off).

import cytoscape from "../vendor/cytoscape-3.35.0.esm.min.js";
import { links } from "./doc.js";
import { CLASS_STYLES, EDGE, FADED, MARKER, UNCOVERED } from "./grammar.js";
import { FONT_FAMILY, FONT_SIZE, LINE_HEIGHT, breakable, drawn, nodeSize, overlaps, placeMissing, saved, tidy } from "./layout.js";
import { NodeTip } from "./tip.js";

const BROAD = 3; // a finding about more nodes than this marks no single node (as in render/view.py)
const LINK_TEXT_WIDTH = 220;
const HANDS_OFF_MS = 15_000; // after a pan or zoom by hand, the view is left alone this long
const FOLLOW_MIN_ZOOM = 0.6; // following new nodes never zooms out further than this to show them all

/** The user asked for less motion: the view jumps where it would glide (the CSS rule
 * for prefers-reduced-motion cannot reach the canvas's own animations). */
const calm = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

function stylesheet() {
  const byKind = [
    ["event", { shape: "round-rectangle" }],
    ["condition", { shape: "ellipse" }],
    ["factor", { shape: "hexagon" }],
    ["impact", { shape: "octagon", "border-style": "double", "border-width": 6 }],
  ];
  return [
    {
      selector: "node",
      style: {
        width: "data(w)",
        height: "data(h)",
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": "data(tw)",
        "text-valign": "center",
        "text-halign": "center",
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
        "line-height": LINE_HEIGHT,
        color: "#111111",
        "background-color": "data(fill)",
        "border-color": "data(border)",
        "border-width": 1.5,
        "min-zoomed-font-size": 5,
      },
    },
    ...byKind.map(([kind, style]) => ({ selector: `node[kind = "${kind}"]`, style })),
    { selector: "node[?unknown]", style: { "border-style": "dashed", "border-width": 2.5 } },
    { selector: "node.uncovered", style: { "border-color": UNCOVERED, "border-width": 4 } },
    { selector: 'node.uncovered[kind = "impact"]', style: { "border-width": 7 } },
    {
      selector: "node.sel",
      style: { "underlay-color": "#1d2330", "underlay-opacity": 0.28, "underlay-padding": 9, "underlay-shape": "round-rectangle" },
    },
    {
      selector: "node.source",
      style: { "underlay-color": "#0072B2", "underlay-opacity": 0.45, "underlay-padding": 13, "underlay-shape": "round-rectangle" },
    },
    { selector: "node.target", style: { "underlay-color": "#009E73", "underlay-opacity": 0.45, "underlay-padding": 11 } },
    {
      selector: "edge",
      style: {
        width: 1.6,
        "line-color": EDGE,
        "target-arrow-color": EDGE,
        "target-arrow-shape": "triangle",
        "arrow-scale": 1.15,
        "curve-style": "bezier",
      },
    },
    { selector: "edge[?or]", style: { "target-arrow-fill": "hollow" } },
    { selector: "edge[?labelled]", style: { "line-style": "solid", "source-arrow-shape": "circle", "source-arrow-color": EDGE } },
    { selector: "edge.faded", style: { "line-color": FADED, "target-arrow-color": FADED, "source-arrow-color": FADED } },
    { selector: "edge.uncovered", style: { "line-color": UNCOVERED, "target-arrow-color": UNCOVERED, width: 3.4 } },
    {
      selector: "edge.sel",
      style: {
        width: 4,
        "underlay-color": "#1d2330",
        "underlay-opacity": 0.25,
        "underlay-padding": 6,
        label: "data(text)",
        "font-size": 12,
        "font-family": FONT_FAMILY,
        "text-wrap": "wrap",
        "text-max-width": LINK_TEXT_WIDTH,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.92,
        "text-background-padding": 3,
      },
    },
    { selector: "node.dim, edge.dim", style: { opacity: 0.25 } },
  ];
}

export class Canvas {
  constructor(container, { incidentId, shared, unsent = [], onTapNode, onTapLink, onTapBackground, onDblTapNode, onDblTapBackground }) {
    this.incidentId = incidentId;
    // The shared layout's places (shared.js) over this browser's own, which fill in the
    // nodes it does not cover, and win for nodes moved here whose move was never sent
    // (`unsent`); onMoved(ids) hears of the nodes placed here.
    const own = saved.load(incidentId);
    this.shared = { ...(shared || {}) };
    this.positions = { ...own, ...this.shared };
    for (const id of unsent) if (own[id]) this.positions[id] = own[id];
    this.onMoved = null;
    this.sizes = {};
    this.ghosts = {}; // places of deleted nodes, so that undo puts them back where they were
    this.highlight = true;
    this.placeHint = null;
    this.cy = cytoscape({
      container,
      style: stylesheet(),
      layout: { name: "preset" },
      minZoom: 0.08,
      maxZoom: 3,
      autounselectify: true,
      boxSelectionEnabled: false,
      textureOnViewport: true,
      pixelRatio: "auto",
    });
    const cy = this.cy;
    const additive = (e) => Boolean(e.originalEvent && (e.originalEvent.shiftKey || e.originalEvent.ctrlKey || e.originalEvent.metaKey));
    // Cytoscape blurs whatever had focus on each press; give it back to the canvas, so
    // that the keys act on what was just clicked.
    cy.on("tap", () => container.focus({ preventScroll: true }));
    cy.on("tap", "node", (e) => onTapNode(e.target.id(), additive(e)));
    cy.on("tap", "edge", (e) => onTapLink(e.target.data("source"), e.target.data("target")));
    cy.on("tap", (e) => e.target === cy && onTapBackground(e.position));
    cy.on("dbltap", "node", (e) => onDblTapNode(e.target.id()));
    cy.on("dbltap", (e) => e.target === cy && onDblTapBackground(e.position));
    cy.on("dragfree", "node", (e) => {
      const p = e.target.position();
      this.positions[e.target.id()] = { x: Math.round(p.x), y: Math.round(p.y) };
      this.keep([e.target.id()]);
    });
    // A pan or zoom by hand (the wheel, a drag, + and −): for a while, nodes arriving from
    // elsewhere do not move the view.
    this.movedByHand = -Infinity;
    this.pointerDown = false;
    const hand = () => (this.movedByHand = Date.now());
    container.addEventListener("wheel", hand, { passive: true });
    container.addEventListener("pointerdown", () => (this.pointerDown = true));
    this.pointerUp = () => (this.pointerDown = false);
    window.addEventListener("pointerup", this.pointerUp);
    window.addEventListener("pointercancel", this.pointerUp);
    cy.on("viewport", () => this.pointerDown && hand());
    this.first = true;
    this.tip = new NodeTip(cy, container); // the whole of a statement cut to fit its node
    // Cytoscape caches where its container is; tell it when the panes around it change.
    this.resizer = new ResizeObserver(() => cy.resize());
    this.resizer.observe(container);
  }

  /** Keep the places in this browser; `ids` were placed here (not heard from elsewhere). */
  keep(ids = []) {
    clearTimeout(this.keepTimer);
    this.keepTimer = setTimeout(() => saved.store(this.incidentId, this.positions), 200);
    if (ids.length && this.onMoved) this.onMoved(ids);
  }

  /** Bring the canvas in line with the document and the analysis (null while pending).
   * Returns the ids of the nodes it added. `local`: the change was made here, so the
   * places given to its new nodes are shared (elsewhere, whoever made it shares them). */
  sync(doc, analysis, { local = false } = {}) {
    const cy = this.cy;
    const marks = findingMarks(analysis);
    const uncovered = this.uncoveredNodes(doc, analysis);
    const wanted = new Map();
    for (const n of doc.nodes) {
      const { text, clipped } = drawn(n, marks.get(n.id) || []);
      const size = nodeSize(n.kind);
      this.sizes[n.id] = size;
      const cls = analysis && analysis.nodes[n.id] ? analysis.nodes[n.id].class : n.kind === "impact" ? "impact" : n.classification || "none";
      const look = CLASS_STYLES[cls] || CLASS_STYLES.none;
      wanted.set(n.id, {
        id: n.id, label: text, kind: n.kind, w: size.w, h: size.h, tw: size.textWidth,
        fill: look.fill, border: look.border, cls, unknown: Boolean(n.unknown),
        statement: clipped ? n.label : "",
      });
    }
    for (const id of Object.keys(this.positions)) {
      if (!wanted.has(id)) {
        this.ghosts[id] = this.positions[id];
        delete this.positions[id];
      }
    }
    const boxes = () => Object.entries(this.positions).map(([id, p]) => ({ ...p, ...this.sizes[id] }));
    for (const n of doc.nodes) {
      if (!this.positions[n.id] && this.shared[n.id]) this.positions[n.id] = { ...this.shared[n.id] };
      const ghost = this.ghosts[n.id];
      if (!this.positions[n.id] && ghost && !overlaps(boxes(), ghost.x, ghost.y, this.sizes[n.id])) this.positions[n.id] = ghost;
    }
    const known = new Set(Object.keys(this.positions));
    const fresh = doc.nodes.some((n) => !known.has(n.id));
    if (this.first && !doc.nodes.some((n) => known.has(n.id))) {
      this.positions = tidy(doc, this.sizes);
    } else if (fresh) {
      this.positions = placeMissing(doc, this.positions, this.sizes, this.placeHint || this.center());
    }
    this.placeHint = null;
    const orGate = new Set(doc.nodes.filter((n) => n.gate === "or" && (links(doc).filter((l) => l.to === n.id).length > 1)).map((n) => n.id));
    const wantedEdges = new Map();
    for (const l of links(doc)) {
      const id = `${l.from}->${l.to}`;
      wantedEdges.set(id, {
        id, source: l.from, target: l.to, or: orGate.has(l.to), labelled: Boolean(l.label),
        text: l.label ? breakable(l.label.length > 160 ? `${l.label.slice(0, 159)}…` : l.label, LINK_TEXT_WIDTH) : "",
      });
    }
    const added = [];
    cy.batch(() => {
      cy.elements().forEach((el) => {
        const keep = el.isNode() ? wanted.has(el.id()) : wantedEdges.has(el.id());
        if (!keep) el.remove();
      });
      // Only what changed is touched: a keystroke in a label restyles one node, not all.
      const update = (el, data) => {
        const old = el.data();
        if (Object.keys(data).some((k) => old[k] !== data[k])) el.data(data);
      };
      for (const [id, data] of wanted) {
        const el = cy.getElementById(id);
        if (el.nonempty()) update(el, data);
        else (cy.add({ group: "nodes", data, position: { ...this.positions[id] } }), added.push(id));
      }
      for (const [id, data] of wantedEdges) {
        const el = cy.getElementById(id);
        if (el.nonempty()) update(el, data);
        else cy.add({ group: "edges", data });
      }
      const lit = this.highlight && uncovered.size > 0;
      cy.nodes().forEach((n) => n.toggleClass("uncovered", lit && uncovered.has(n.id())));
      cy.edges().forEach((e) => {
        const on = lit && uncovered.has(e.data("source")) && uncovered.has(e.data("target"));
        e.toggleClass("uncovered", on);
        e.toggleClass("faded", lit && !on);
      });
    });
    // Nodes drawn anew where the shared layout does not have them are placed here.
    const placed = added.filter((id) => !samePlace(this.shared[id], this.positions[id]));
    if (fresh || this.first || placed.length) this.keep(local && !this.first ? placed : []);
    if (this.first) {
      this.fit();
      this.first = false;
      return [];
    }
    return added;
  }

  /** Nodes `ids` arrived from elsewhere (someone else's save): bring them into view with
   * their neighbours, unless the user moved the view by hand a moment ago. */
  follow(ids) {
    if (!ids.length || Date.now() - this.movedByHand < HANDS_OFF_MS) return;
    const cy = this.cy;
    const around = (list) => cy.collection(list.map((id) => cy.getElementById(id))).closedNeighborhood().nodes();
    let shown = around(ids);
    // Too many to read at once (a whole chain in one save): follow the newest one.
    const box = shown.boundingBox();
    if (Math.min((cy.width() - 120) / box.w, (cy.height() - 120) / box.h) < FOLLOW_MIN_ZOOM) shown = around(ids.slice(-1));
    this.reveal(shown.map((n) => n.id()));
  }

  uncoveredNodes(doc, analysis) {
    const active = (doc.actions || []).some((a) => a.status !== "wontfix");
    if (!analysis || !active) return new Set();
    return new Set(analysis.prevention.uncovered_nodes || []);
  }

  /** Draw the selection: nodes (ids) and one link. */
  showSelection({ nodes, link }) {
    const cy = this.cy;
    cy.batch(() => {
      cy.elements(".sel").removeClass("sel");
      for (const id of nodes) cy.getElementById(id).addClass("sel");
      if (link) cy.getElementById(`${link.from}->${link.to}`).addClass("sel");
    });
    this.tip.select(nodes);
  }

  mark(cls, ids = []) {
    this.cy.batch(() => {
      this.cy.elements(`.${cls}`).removeClass(cls);
      for (const id of ids) this.cy.getElementById(id).addClass(cls);
    });
  }

  /** Dim everything but `ids` (null: nothing dimmed). */
  focusOn(ids) {
    const cy = this.cy;
    cy.batch(() => {
      cy.elements().removeClass("dim");
      if (!ids) return;
      const keep = new Set(ids);
      cy.nodes().forEach((n) => n.toggleClass("dim", !keep.has(n.id())));
      cy.edges().forEach((e) => e.toggleClass("dim", !(keep.has(e.data("source")) && keep.has(e.data("target")))));
    });
  }

  center() {
    const ext = this.cy.extent();
    return { x: (ext.x1 + ext.x2) / 2, y: (ext.y1 + ext.y2) / 2 };
  }

  /** Pan (never move nodes) so that `ids` are in view. While a pan is under way, "in
   * view" means where that pan ends, so that a quick series of reveals ends on the last. */
  reveal(ids) {
    const cy = this.cy;
    const els = cy.collection(ids.map((id) => cy.getElementById(id)).filter((e) => e.nonempty()));
    if (els.empty()) return;
    const view = cy.animated() && this.goal ? this.goal : { pan: cy.pan(), zoom: cy.zoom() };
    const [w, h] = [cy.width(), cy.height()];
    const ext = { x1: -view.pan.x / view.zoom, y1: -view.pan.y / view.zoom };
    ext.x2 = ext.x1 + w / view.zoom;
    ext.y2 = ext.y1 + h / view.zoom;
    const box = els.boundingBox();
    if (box.x1 >= ext.x1 && box.x2 <= ext.x2 && box.y1 >= ext.y1 && box.y2 <= ext.y2) return;
    let zoom = view.zoom;
    if (box.w * zoom > w - 60 || box.h * zoom > h - 60) {
      zoom = Math.max(cy.minZoom(), Math.min(view.zoom, (w - 120) / box.w, (h - 120) / box.h));
    }
    const pan = { x: (w - zoom * (box.x1 + box.x2)) / 2, y: (h - zoom * (box.y1 + box.y2)) / 2 };
    // One pan at a time: queued pans (Cytoscape's default) would each aim where the view
    // was when they were asked for.
    cy.stop(true);
    this.goal = { pan, zoom };
    if (calm()) cy.viewport({ pan, zoom });
    else cy.animate({ pan, zoom, duration: 200, queue: false });
  }

  fit() {
    this.cy.fit(undefined, 40);
    if (this.cy.zoom() > 1.25) {
      this.cy.zoom(1.25);
      this.cy.center();
    }
  }

  /** Zoom by `factor` (the + and − keys and buttons) around the nodes `ids` when they
   * are in view, and keep them in it (a keyboard user's selection slid off the screen
   * when zooming around the middle of the view); else around the middle. */
  zoomBy(factor, ids = []) {
    this.movedByHand = Date.now();
    const cy = this.cy;
    const [w, h] = [cy.width(), cy.height()];
    const els = cy.collection(ids.map((id) => cy.getElementById(id)).filter((e) => e.nonempty()));
    const before = els.nonempty() ? els.renderedBoundingBox() : null;
    const shown = before && before.x2 > 0 && before.y2 > 0 && before.x1 < w && before.y1 < h;
    const at = shown ? { x: (before.x1 + before.x2) / 2, y: (before.y1 + before.y2) / 2 } : { x: w / 2, y: h / 2 };
    cy.stop(true);
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: at });
    if (!shown) return;
    const b = els.renderedBoundingBox();
    const margin = 12;
    const shift = (low, high, size) => (high - low + 2 * margin > size ? 0 : low < margin ? margin - low : high > size - margin ? size - margin - high : 0);
    const pan = { x: shift(b.x1, b.x2, w), y: shift(b.y1, b.y2, h) };
    if (pan.x || pan.y) cy.panBy(pan);
  }

  /** Move nodes `ids` by `step` pixels in a direction (Ctrl+arrow keys): the keyboard's
   * drag. They stay in view. */
  nudge(ids, direction, step) {
    const [dx, dy] = { left: [-step, 0], right: [step, 0], up: [0, -step], down: [0, step] }[direction];
    for (const id of ids) {
      const el = this.cy.getElementById(id);
      if (el.empty()) continue;
      const p = el.position();
      this.positions[id] = { x: Math.round(p.x + dx), y: Math.round(p.y + dy) };
      el.position({ ...this.positions[id] });
    }
    this.keep(ids);
    this.reveal(ids);
  }

  /** Lay everything out again (the only thing that moves existing nodes). */
  tidy(doc) {
    this.positions = tidy(doc, this.sizes);
    this.keep(Object.keys(this.positions));
    const positions = this.positions;
    this.cy.layout({ name: "preset", positions: (n) => positions[n.id()], animate: !calm(), animationDuration: 300, fit: true, padding: 40 }).run();
  }

  /** The node nearest to `from` in a direction (left, right, up, down), or null. */
  nearest(from, direction) {
    const start = this.cy.getElementById(from);
    if (start.empty()) return null;
    const p = start.position();
    const [ax, ay] = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] }[direction];
    let best = null;
    let bestScore = Infinity;
    this.cy.nodes().forEach((n) => {
      if (n.id() === from) return;
      const q = n.position();
      const along = (q.x - p.x) * ax + (q.y - p.y) * ay;
      if (along <= 5) return;
      const across = Math.abs((q.x - p.x) * ay) + Math.abs((q.y - p.y) * ax);
      const score = along + 2.5 * across;
      if (score < bestScore) (best = n.id(), bestScore = score);
    });
    return best;
  }

  /** The node nearest to the middle of the view (where keyboard navigation starts). */
  middle() {
    const c = this.center();
    let best = null;
    let bestD = Infinity;
    this.cy.nodes().forEach((n) => {
      const q = n.position();
      const d = Math.hypot(q.x - c.x, q.y - c.y);
      if (d < bestD) (best = n.id(), bestD = d);
    });
    return best;
  }

  setHighlight(on) {
    this.highlight = on;
  }

  destroy() {
    window.removeEventListener("pointerup", this.pointerUp);
    window.removeEventListener("pointercancel", this.pointerUp);
    this.resizer.disconnect();
    this.tip.destroy();
    clearTimeout(this.keepTimer);
    saved.store(this.incidentId, this.positions);
    this.cy.destroy();
  }
}

/** Whether two places are the same (either may be missing). */
const samePlace = (a, b) => Boolean(a && b && a.x === b.x && a.y === b.y);

/** Finding markers per node: "⚠ code" for errors and warnings about a few nodes. */
export function findingMarks(analysis) {
  const out = new Map();
  if (!analysis) return out;
  for (const f of analysis.findings) {
    if (!["error", "warning"].includes(f.severity) || f.nodes.length > BROAD) continue;
    for (const id of f.nodes) {
      if (!out.has(id)) out.set(id, []);
      out.get(id).push(`${MARKER} ${f.code.toLowerCase().replaceAll("_", " ")}`);
    }
  }
  return out;
}
