// Where nodes sit. The layout is stable: a node keeps its place once it has one, a new
// node is put next to the node it was added from (causes to the left, effects to the
// right) in the nearest free spot, and only "tidy layout" moves everything (a layered
// dagre layout, causes flowing left to right towards the impact). Places are kept per
// incident in this browser, so a reload shows the same picture, under the incident's
// shared layout (shared.js), which gives everyone the facilitator's.

import dagre from "../vendor/dagre-3.1.3.esm.min.js";
import { links } from "./doc.js";

export const FONT_SIZE = 13;
// Unquoted: Cytoscape refuses quotes in font-family (and so would fall back to its own).
export const FONT_FAMILY = "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif";
export const LINE_HEIGHT = 1.25;
const RANK_GAP = 70;
const NODE_GAP = 26;
// Lines of text a node of the live canvas shows: its size never depends on its text, so
// a statement written out in full, or given a ⚠ by the analysis, never grows over its
// neighbours (and nothing is moved to make room: the picture stays put). What does not
// fit ends with "…"; the whole statement is in the outline, the Selection panel and the
// tip shown on hover (or while the node is selected from the keyboard).
export const LINES = 5;

const WIDTH = { event: 200, condition: 230, factor: 215, impact: 215 };
// How much of the shape's width holds text (an ellipse or a hexagon has less room).
const TEXT_SHARE = { event: 0.86, condition: 0.7, factor: 0.74, impact: 0.76 };
const EXTRA_HEIGHT = { event: 20, condition: 34, factor: 26, impact: 30 };

let context = null;
function measureWidth(text) {
  if (!context) {
    context = document.createElement("canvas").getContext("2d");
    context.font = `normal ${FONT_SIZE}px ${FONT_FAMILY}`;
  }
  return context.measureText(text).width;
}

const ZWSP = "\u200b";

/** `text` with a zero-width space between the characters of every word wider than
 * `width` pixels, so that the canvas, which wraps only at spaces (and zero-width spaces),
 * breaks a long URL inside the node instead of drawing it across its neighbours. */
export function breakable(text, width) {
  return text.replace(/[^\s\u200b]{8,}/g, (word) => (measureWidth(word) <= width ? word : [...word].join(ZWSP)));
}

/** The text width of a node of this kind. */
const textWidth = (kind) => Math.floor((WIDTH[kind] || WIDTH.event) * (TEXT_SHARE[kind] || 0.8));

// Letters of the right-to-left scripts: Hebrew, Arabic, Syriac, Thaana, N'Ko and their
// neighbours, their presentation forms, and the right-to-left blocks beyond the BMP.
const RTL_LETTER = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;
const RLM = "\u200f";

/** True when `text` reads right to left: its first letter is of a right-to-left script
 * (as the first strong character decides a paragraph's direction, dir="auto"). */
function rightToLeft(text) {
  const first = String(text).match(/\p{L}/u);
  return Boolean(first && RTL_LETTER.test(first[0]));
}

const drawings = new Map();

/** {text, clipped}: the label as drawn (markers first, then the statement, in at most
 * LINES lines), and whether the statement was cut to fit. The canvas lays out every line
 * left to right, which put a right-to-left statement's final "." or "!" on the wrong side
 * and its numbers out of place: such a statement is broken into its lines here, and each
 * is held between right-to-left marks. */
export function drawn(node, marks = []) {
  const key = [node.kind, node.unknown ? 1 : 0, node.label, ...marks].join("\u0000");
  if (!drawings.has(key)) {
    if (drawings.size > 5000) drawings.clear();
    drawings.set(key, drawNow(node, marks));
  }
  return drawings.get(key);
}

function drawNow(node, marks) {
  const head = [];
  if (marks.length) head.push(marks.length > 1 ? `${marks[0]} (+${marks.length - 1})` : marks[0]);
  if (node.unknown) head.push("? open question");
  const max = textWidth(node.kind);
  const rtl = rightToLeft(node.label);
  const heads = head.flatMap((line) => wrap(breakable(line, max), max)).map((line) => line.trimEnd());
  const plain = breakable([...head, node.label].join("\n"), max);
  if (!rtl && lineCount(plain, max) <= LINES) return { text: plain, clipped: false };
  // The lines as Cytoscape would wrap them, cut to those that fit, the last one ending "…".
  const lines = node.label.split("\n").flatMap((paragraph) => wrap(breakable(paragraph, max), max)).map((line) => line.trimEnd());
  const room = Math.max(1, LINES - heads.length);
  const clipped = lines.length > room;
  const kept = lines.slice(0, room);
  if (clipped) kept[room - 1] = ellipsis(kept[room - 1], max);
  const body = rtl ? kept.map((line) => `${RLM}${line}${RLM}`) : kept;
  return { text: [...heads, ...body].join("\n"), clipped };
}

/** `line` shortened until it and a closing "…" fit in `max` pixels. */
function ellipsis(line, max) {
  const chars = [...line];
  while (chars.length && measureWidth(`${chars.join("")}…`) > max) chars.pop();
  return `${chars.join("").trimEnd()}…`;
}

const lineCount = (text, max) => text.split("\n").reduce((count, paragraph) => count + wrap(paragraph, max).length, 0);

/** The lines of `paragraph` as Cytoscape wraps them ("text-wrap: wrap") in `max` pixels:
 * at runs of white space or zero-width spaces, greedily, a word wider than the line on a
 * line of its own; each line keeps the spaces after its last word. */
function wrap(paragraph, max) {
  if (measureWidth(paragraph) <= max) return [paragraph];
  const lines = [];
  let line = "";
  let at = 0;
  for (const match of paragraph.matchAll(/[\s\u200b]+|$/g)) {
    const word = paragraph.slice(at, match.index);
    at = match.index + match[0].length;
    if (!line || measureWidth(line + word + match[0]) <= max) line += word + match[0];
    else (lines.push(line), (line = word + match[0]));
    if (!match[0]) break;
  }
  lines.push(line);
  return lines;
}

function boxOf(kind, lines) {
  const w = WIDTH[kind] || WIDTH.event;
  const h = Math.max(44, Math.ceil(lines * FONT_SIZE * LINE_HEIGHT + (EXTRA_HEIGHT[kind] || 20)));
  return { w, h, textWidth: textWidth(kind) };
}

/** The size of a node of this kind on the live canvas: LINES lines, whatever it says. */
export const nodeSize = (kind) => boxOf(kind, LINES);

/** A full layered layout: {id: {x, y}} for every node. */
export function tidy(doc, sizes) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: NODE_GAP, ranksep: RANK_GAP, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of doc.nodes) {
    const s = sizes[n.id] || nodeSize(n.kind);
    g.setNode(n.id, { width: s.w, height: s.h });
  }
  for (const l of links(doc)) g.setEdge(l.from, l.to);
  dagre.layout(g);
  const out = {};
  for (const n of doc.nodes) {
    const p = g.node(n.id);
    out[n.id] = { x: Math.round(p.x), y: Math.round(p.y) };
  }
  return out;
}

export function overlaps(boxes, x, y, s) {
  const gap = NODE_GAP / 2;
  return boxes.some(
    (b) => Math.abs(b.x - x) < (b.w + s.w) / 2 + gap && Math.abs(b.y - y) < (b.h + s.h) / 2 + gap,
  );
}

/** The free spot nearest to (x, y) for a node of size s: up and down first, then a
 * column further in direction `dir` (-1 left, +1 right). */
export function freeSpot(boxes, x, y, s, dir = 1) {
  const step = Math.max(22, Math.round(s.h / 2));
  for (let column = 0; column < 8; column++) {
    const cx = x + dir * column * (s.w + RANK_GAP);
    for (let i = 0; i < 40; i++) {
      const dy = (i % 2 ? 1 : -1) * Math.ceil(i / 2) * step;
      if (!overlaps(boxes, cx, y + dy, s)) return { x: Math.round(cx), y: Math.round(y + dy) };
    }
  }
  return { x: Math.round(x), y: Math.round(y) };
}

/**
 * Places for the nodes of `doc` that have none yet, next to a placed neighbour: left of
 * an effect (it is a cause), right of a cause (it is an effect), else near `fallback`.
 * Existing places are never changed.
 */
export function placeMissing(doc, positions, sizes, fallback = { x: 0, y: 0 }) {
  const placed = { ...positions };
  const present = new Set(doc.nodes.map((n) => n.id));
  const boxes = Object.entries(placed)
    .filter(([id]) => sizes[id] && present.has(id))
    .map(([id, p]) => ({ ...p, ...sizes[id] }));
  const all = links(doc);
  let missing = doc.nodes.filter((n) => !placed[n.id]).map((n) => n.id);
  // Nodes next to placed ones first, so that a whole new chain grows outward from its anchor.
  for (let round = 0; missing.length && round < doc.nodes.length + 1; round++) {
    const left = [];
    for (const id of missing) {
      const s = sizes[id];
      const effect = all.find((l) => l.from === id && placed[l.to]);
      const cause = all.find((l) => l.to === id && placed[l.from]);
      let want = null;
      if (effect) {
        const p = placed[effect.to];
        want = { x: p.x - (sizes[effect.to].w + s.w) / 2 - RANK_GAP, y: p.y, dir: -1 };
      } else if (cause) {
        const p = placed[cause.from];
        want = { x: p.x + (sizes[cause.from].w + s.w) / 2 + RANK_GAP, y: p.y, dir: 1 };
      }
      if (!want) {
        left.push(id);
        continue;
      }
      const spot = freeSpot(boxes, want.x, want.y, s, want.dir);
      placed[id] = spot;
      boxes.push({ ...spot, ...s });
    }
    if (left.length === missing.length) {
      // No neighbour is placed: the first one goes near the fallback point.
      const id = left.shift();
      const spot = freeSpot(boxes, fallback.x, fallback.y, sizes[id]);
      placed[id] = spot;
      boxes.push({ ...spot, ...sizes[id] });
    }
    missing = left;
  }
  return placed;
}

/** Positions kept in this browser, per incident. */
export const saved = {
  key: (id) => `causemap:layout:${id}`,
  load(id) {
    try {
      return JSON.parse(localStorage.getItem(saved.key(id))) || {};
    } catch {
      return {};
    }
  },
  store(id, positions) {
    try {
      localStorage.setItem(saved.key(id), JSON.stringify(positions));
    } catch {
      /* storage full or disabled: the layout is recomputed next time */
    }
  },
};
