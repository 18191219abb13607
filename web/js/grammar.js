// The visual grammar, the same as src/causemap/render/style.py (a test keeps them equal):
// shape says kind, colour says class (Okabe-Ito tints that stay apart under colour-vision
// deficiencies and in greyscale), a dashed border is an open question, and heavy
// vermillion marks a causal path that no preventive action cuts.

export const CLASS_STYLES = {
  proximate: { fill: "#FCE8C2", border: "#A66A00", colour: "orange", meaning: "what happened" },
  systemic: { fill: "#80B9DF", border: "#00507D", colour: "blue", meaning: "why it could happen" },
  impact: { fill: "#CC79A7", border: "#000000", colour: "purple", meaning: "the harm" },
  none: { fill: "#FFFFFF", border: "#555555", colour: "white", meaning: "not classified" },
};

export const UNCOVERED = "#D55E00";
export const EDGE = "#333333";
export const FADED = "#858585";
export const MARKER = "⚠";

/** Cytoscape shapes for the kinds (Graphviz: box rounded, ellipse, hexagon, doubleoctagon). */
export const KIND_SHAPES = {
  event: { shape: "round-rectangle", description: "rounded box" },
  condition: { shape: "ellipse", description: "ellipse" },
  factor: { shape: "hexagon", description: "hexagon" },
  impact: { shape: "octagon", description: "double outline" },
};

export const ACTION_STYLES = {
  done: { fill: "#B3E2D5", word: "done" },
  "in-progress": { fill: "#FAF5C0", word: "in progress" },
  open: { fill: "#FAF5C0", word: "open" },
  wontfix: { fill: "#E6E6E6", word: "won't fix" },
};

/** The revision diff: added bluish green, removed vermillion, changed orange (Okabe-Ito). */
export const DIFF = { added: "#009E73", removed: "#D55E00", changed: "#E69F00", same: "#858585" };

export const KIND_KEYS = { e: "event", c: "condition", f: "factor", i: "impact" };
