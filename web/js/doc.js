// The incident document (format 1, as the API sends it) and the edits the editor makes
// to it. Pure functions over plain objects: no DOM, no network. A link cause → effect
// is either listed in the effect's `causes` or, when it carries a label or evidence, in
// `edges`; the editor reads both and writes the simpler form when it can.

import { shown } from "./text.js";

export const KINDS = ["event", "condition", "factor", "impact"];
export const LEVELS = ["technical", "operator", "process", "organization", "external"];
export const ACTION_TYPES = ["prevent", "mitigate", "detect", "process"];
export const ACTION_STATUSES = ["open", "in-progress", "done", "wontfix"];
export const SLUG = /^[a-z0-9][a-z0-9._-]{0,79}$/;
// What the format holds (model.py's MAX_*): longer text makes the server refuse a save.
export const LIMITS = { label: 500, title: 200, actionTitle: 400, short: 200, evidence: 2000, detail: 10000, summary: 20000, list: 200 };

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/i;

export class EditRefused extends Error {}

export const clone = (value) => structuredClone(value);

/** Text as the format accepts it: no control characters, within `max`. */
export function cleanText(text, max = LIMITS.label) {
  return String(text ?? "").replace(CONTROL, " ").slice(0, max);
}

/** True for "2024-02-21" or "2024-02-21T02:13:05Z" (a date-time needs a timezone), as
 * the format reads them: JavaScript also takes T24:00 (midnight) and the year 0000, which
 * the server refuses. */
export function validInstant(text) {
  if (!INSTANT.test(text)) return false;
  if (text.startsWith("0000") || (text.length > 10 && Number(text.slice(11, 13)) > 23)) return false;
  const date = text.slice(0, 10);
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date && !Number.isNaN(Date.parse(text));
}

/** True when every moment `first` can mean is before every moment `second` can: a date
 * alone is its whole UTC day, as in causemap's model (`certainly_before`). */
export function certainlyBefore(first, second) {
  const day = 24 * 3600 * 1000;
  return Date.parse(first) + (validDate(first) ? day : 1) <= Date.parse(second);
}

export function validDate(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && validInstant(text);
}

/** A new incident that is valid from its first save: one impact node. */
export function newIncident({ id, title, date, impact, severity }) {
  const doc = { causemap: 1, id, title: cleanText(title, LIMITS.title).trim(), date };
  if (severity) doc.severity = cleanText(severity, LIMITS.short).trim();
  doc.nodes = [{ id: "impact", kind: "impact", label: cleanText(impact).trim() }];
  return doc;
}

/** A slug from words: "Config pushed to all PoPs" → "config-pushed-to-all-pops". */
export function slugify(text, max = 40) {
  const words = String(text)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean);
  let out = "";
  for (const word of words) {
    const next = out ? `${out}-${word}` : word;
    if (next.length > max) break;
    out = next;
  }
  if (!out && words.length) out = words[0].slice(0, max);
  return out;
}

const ID_WORDS = 32;
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Four random letters or digits: what keeps ids made in two browsers apart. */
function randomTag() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return [...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
}

/** A new node id: the label's first words and a random tag ("config-pushed-k3x9"), so that
 * two people adding statements that start alike (or have no Latin letters) at the same
 * time never get the same id. */
export function newNodeId(taken, label) {
  const words = slugify(label, ID_WORDS);
  const root = SLUG.test(words) ? words : "node";
  for (;;) {
    const candidate = `${root}-${randomTag()}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A copy of `doc` with node and action ids renamed: `map` is {node: {old: new}, action:
 * {old: new}}; links, causes and the nodes an action addresses follow their node. */
export function renameIds(doc, map) {
  const nodes = map.node || {};
  const actions = map.action || {};
  const to = (id) => nodes[id] || id;
  const out = clone(doc);
  for (const n of out.nodes) {
    n.id = to(n.id);
    if (n.causes) n.causes = n.causes.map(to);
  }
  for (const e of out.edges || []) {
    e.from = to(e.from);
    e.to = to(e.to);
  }
  for (const a of out.actions || []) {
    a.id = actions[a.id] || a.id;
    if (a.addresses) a.addresses = a.addresses.map(to);
  }
  return out;
}

export const node = (doc, id) => doc.nodes.find((n) => n.id === id);
export const impacts = (doc) => doc.nodes.filter((n) => n.kind === "impact");
export const action = (doc, id) => (doc.actions || []).find((a) => a.id === id);

/** Every link cause → effect, once, with its label and evidence. */
export function links(doc) {
  const out = new Map();
  for (const n of doc.nodes) {
    for (const cause of n.causes || []) out.set(`${cause}\u0000${n.id}`, { from: cause, to: n.id, label: null, evidence: [] });
  }
  for (const e of doc.edges || []) {
    out.set(`${e.from}\u0000${e.to}`, { from: e.from, to: e.to, label: e.label || null, evidence: e.evidence || [] });
  }
  return [...out.values()];
}

export function causesOf(doc, id) {
  return links(doc).filter((l) => l.to === id).map((l) => l.from);
}

export function effectsOf(doc, id) {
  return links(doc).filter((l) => l.from === id).map((l) => l.to);
}

export function hasLink(doc, from, to) {
  return links(doc).some((l) => l.from === from && l.to === to);
}

/** True when `target` can be reached from `start` following cause → effect. */
export function reaches(doc, start, target) {
  const next = new Map();
  for (const l of links(doc)) {
    if (!next.has(l.from)) next.set(l.from, []);
    next.get(l.from).push(l.to);
  }
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    const at = stack.pop();
    if (at === target) return true;
    for (const n of next.get(at) || []) if (!seen.has(n)) (seen.add(n), stack.push(n));
  }
  return false;
}


/** Why node `n` (an impact) can be no cause. */
export const causesNothing = (n) => `“${shown(n.label, 48)}” is an impact, and an impact causes nothing. Change its kind first.`;

/** Why node `n` can take no further cause, or null: its `causes` list holds at most
 * LIMITS.list ids in the format (model.py's MAX_LIST), and a longer one makes the server
 * refuse every save. */
export function whyNoMoreCauses(n) {
  if ((n.causes || []).length < LIMITS.list) return null;
  return `“${shown(n.label, 48)}” already has ${(n.causes || []).length} causes: a node holds at most ${LIMITS.list} causes in the format.`;
}

/** Why cause → effect cannot be added, or null when it can. */
export function whyNotConnect(doc, cause, effect) {
  const a = node(doc, cause);
  const b = node(doc, effect);
  if (!a || !b) return "Both nodes must exist.";
  if (cause === effect) return "A node cannot cause itself.";
  if (a.kind === "impact") return causesNothing(a);
  if (hasLink(doc, cause, effect)) return "These two are already linked.";
  const full = whyNoMoreCauses(b);
  if (full) return full;
  if (reaches(doc, effect, cause)) {
    return `That link would make a cycle: “${shown(b.label, 48)}” already leads to “${shown(a.label, 48)}”.`;
  }
  return null;
}

// ---- edits: each takes a document it may change in place (the store passes a copy) ----

export function addNode(doc, { kind = "event", label, id }) {
  const text = cleanText(label).trim();
  if (!text) throw new EditRefused("Type a statement first.");
  const taken = new Set(doc.nodes.map((n) => n.id));
  const nid = id && SLUG.test(id) && !taken.has(id) ? id : newNodeId(taken, text);
  doc.nodes.push({ id: nid, kind, label: text });
  return nid;
}

export function connect(doc, cause, effect) {
  const reason = whyNotConnect(doc, cause, effect);
  if (reason) throw new EditRefused(reason);
  const target = node(doc, effect);
  target.causes = [...(target.causes || []), cause];
}

export function disconnect(doc, cause, effect) {
  const target = node(doc, effect);
  if (target && target.causes) {
    target.causes = target.causes.filter((c) => c !== cause);
    if (!target.causes.length) delete target.causes;
  }
  if (doc.edges) {
    doc.edges = doc.edges.filter((e) => !(e.from === cause && e.to === effect));
    if (!doc.edges.length) delete doc.edges;
  }
}

/** Why node `id` cannot be deleted, or null. */
export function whyNotDelete(doc, id) {
  const n = node(doc, id);
  if (n && n.kind === "impact" && impacts(doc).length === 1) {
    return "This is the last impact: every incident needs one. Add another impact before deleting it.";
  }
  return null;
}

export function removeNodes(doc, ids) {
  const gone = new Set(ids);
  const left = doc.nodes.filter((n) => !gone.has(n.id));
  if (!left.some((n) => n.kind === "impact")) throw new EditRefused(whyNotDelete(doc, impacts(doc)[0].id));
  doc.nodes = left;
  for (const n of doc.nodes) {
    if (n.causes) {
      n.causes = n.causes.filter((c) => !gone.has(c));
      if (!n.causes.length) delete n.causes;
    }
  }
  if (doc.edges) {
    doc.edges = doc.edges.filter((e) => !gone.has(e.from) && !gone.has(e.to));
    if (!doc.edges.length) delete doc.edges;
  }
  for (const a of doc.actions || []) {
    if (a.addresses) {
      a.addresses = a.addresses.filter((x) => !gone.has(x));
      if (!a.addresses.length) delete a.addresses;
    }
  }
}

/** Why node `id` cannot become `kind`, or null. */
export function whyNotKind(doc, id, kind) {
  const n = node(doc, id);
  if (!n || n.kind === kind) return null;
  if (kind === "impact" && effectsOf(doc, id).length) {
    return "An impact causes nothing: remove this node's effects before making it an impact.";
  }
  if (n.kind === "impact" && impacts(doc).length === 1) {
    return "This is the last impact: every incident needs one. Add another impact first.";
  }
  return null;
}

const NODE_DEFAULTS = { gate: "and", unknown: false };

function setField(item, field, value, defaults = {}) {
  const empty =
    value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length) || defaults[field] === value;
  if (empty) delete item[field];
  else item[field] = value;
}

export function setNodeField(doc, id, field, value) {
  const n = node(doc, id);
  if (!n) throw new EditRefused("That node no longer exists.");
  if (field === "kind") {
    const reason = whyNotKind(doc, id, value);
    if (reason) throw new EditRefused(reason);
    if (value === "impact") delete n.classification; // an impact is the harm, not a cause
  }
  if (field === "classification" && value && n.kind === "impact") {
    throw new EditRefused("An impact is the harm: only its causes are proximate or systemic.");
  }
  if (field === "label") {
    value = cleanText(value);
    if (!value.trim()) throw new EditRefused("A statement cannot be empty.");
  }
  setField(n, field, value, NODE_DEFAULTS);
}

/** Set a link's label or evidence; the link moves to `edges` (or back to `causes`). */
export function setLinkField(doc, from, to, field, value) {
  if (!hasLink(doc, from, to)) throw new EditRefused("That link no longer exists.");
  const current = links(doc).find((l) => l.from === from && l.to === to);
  const next = { from, to };
  const label = field === "label" ? cleanText(value).trim() : current.label;
  const evidence = field === "evidence" ? value : current.evidence;
  if (label) next.label = label;
  if (evidence && evidence.length) next.evidence = evidence;
  disconnect(doc, from, to);
  // A link without label or evidence goes back to `causes`, unless that list is full.
  if (next.label || next.evidence || whyNoMoreCauses(node(doc, to))) {
    doc.edges = [...(doc.edges || []), next];
  } else {
    const target = node(doc, to);
    target.causes = [...(target.causes || []), from];
  }
}

export function setIncidentField(doc, field, value) {
  if ((field === "title" || field === "date") && !String(value ?? "").trim()) throw new EditRefused(`The incident needs a ${field}.`);
  setField(doc, field, value);
}

/** The first action id `a<n>`, from n = `from` up, that `taken` does not hold. */
export function freeActionId(taken, from = 1) {
  for (let n = from; ; n++) if (!taken.has(`a${n}`)) return `a${n}`;
}

/** Why an action cannot address `count` nodes, or null: its `addresses` list holds at
 * most LIMITS.list ids in the format, and a longer one makes the server refuse every save. */
function whyTooManyAddressed(count) {
  if (count <= LIMITS.list) return null;
  return `An action addresses at most ${LIMITS.list} nodes in the format (this would be ${count}).`;
}

export function addAction(doc, { title, addresses = [] }) {
  const tooMany = whyTooManyAddressed(addresses.length);
  if (tooMany) throw new EditRefused(tooMany);
  const taken = new Set((doc.actions || []).map((a) => a.id));
  const id = freeActionId(taken, (doc.actions || []).length + 1);
  const item = { id, title: cleanText(title, LIMITS.actionTitle).trim() || "New action" };
  if (addresses.length) item.addresses = [...addresses];
  doc.actions = [...(doc.actions || []), item];
  return item.id;
}

const ACTION_DEFAULTS = { status: "open", type: "prevent" };

export function setActionField(doc, id, field, value) {
  const a = action(doc, id);
  if (!a) throw new EditRefused("That action no longer exists.");
  if (field === "title" && !String(value).trim()) throw new EditRefused("An action needs a title.");
  setField(a, field, value, ACTION_DEFAULTS);
  if (field === "status" && value === "done" && !a.closed) a.closed = new Date().toISOString().slice(0, 10);
  if (field === "status" && value !== "done") delete a.closed;
}

export function removeAction(doc, id) {
  doc.actions = (doc.actions || []).filter((a) => a.id !== id);
  if (!doc.actions.length) delete doc.actions;
}

export function linkAction(doc, id, nodeId, on = true) {
  const a = action(doc, id);
  if (!a) throw new EditRefused("That action no longer exists.");
  const list = (a.addresses || []).filter((x) => x !== nodeId);
  if (on) list.push(nodeId);
  const tooMany = whyTooManyAddressed(list.length);
  if (tooMany) throw new EditRefused(tooMany);
  setField(a, "addresses", list);
}

/** Problems that would make the server refuse the document (checked before saving). */
export function problems(doc) {
  const out = [];
  if (!impacts(doc).length) out.push("The incident needs an impact.");
  for (const n of doc.nodes) if (!String(n.label || "").trim()) out.push(`Node ${n.id} has no statement.`);
  for (const n of doc.nodes) {
    for (const f of ["at", "until"]) if (n[f] && !validInstant(n[f])) out.push(`Node ${n.id}: ${f} is not a valid date or time.`);
    if (n.at && n.until && validInstant(n.at) && validInstant(n.until) && certainlyBefore(n.until, n.at)) {
      out.push(`Node ${n.id}: 'until' is earlier than 'at'.`);
    }
  }
  return out;
}

/** What a JSON pointer of `doc` names, in words: the node “Checkout failed”, causes
 * (/nodes/200/causes). A facilitator cannot tell which of 200 nodes /nodes/200 is. */
export function placeOf(doc, pointer) {
  const [top, index, ...rest] = String(pointer || "").split("/").slice(1);
  const item = (doc[top] || [])[Number(index)];
  const field = rest.length ? `, ${rest.join(" ")}` : "";
  let what = null;
  if (top === "nodes" && item) what = `the node “${shown(item.label || item.id, 48)}”`;
  else if (top === "actions" && item) what = `the action “${shown(item.title || item.id, 48)}”`;
  else if (top === "edges" && item) what = `the link ${shown((node(doc, item.from) || { label: item.from }).label, 32)} → ${shown((node(doc, item.to) || { label: item.to }).label, 32)}`;
  return what ? `${what}${field} (${pointer})` : pointer ? `${pointer.slice(1).split("/").join(" ")} (${pointer})` : "";
}

/** A text form with sorted keys, so that key order never makes two documents differ. */
export function stable(value) {
  return JSON.stringify(value, (key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

export function same(a, b) {
  return stable(a) === stable(b);
}
