// Three-way merge of incident documents, for when someone else saved while you were
// editing: your changes (base → mine) are replayed on top of theirs (base → theirs).
// Nodes, links and actions merge field by field; a field both sides changed differently
// is a conflict, resolved "mine" unless `choices` says "theirs". A node or action both
// sides added under the same id is two things, not one: both are kept, yours renamed.
// A node one side deleted and the other kept comes back with the keeper's links; one side
// deleting a node the other changed, linked something to or pointed an action at is a
// conflict (their link is never dropped without a choice). Links
// that would now make a cycle, or point at a node that is gone, are dropped and reported.
// Pure functions.

import { freeActionId, links, renameIds, same } from "./doc.js";
import { isolate } from "./text.js";

const SECTIONS = new Set(["nodes", "edges", "actions"]);

function without(item, key) {
  const copy = { ...item };
  delete copy[key];
  return copy;
}

function parts(doc) {
  const fields = {};
  for (const [k, v] of Object.entries(doc)) if (!SECTIONS.has(k)) fields[k] = v;
  return {
    fields,
    nodes: new Map(doc.nodes.map((n) => [n.id, without(n, "causes")])),
    links: new Map(links(doc).map((l) => [`${l.from}->${l.to}`, l])),
    actions: new Map((doc.actions || []).map((a) => [a.id, a])),
    nodeOrder: doc.nodes.map((n) => n.id),
    actionOrder: (doc.actions || []).map((a) => a.id),
  };
}

function pick3(b, m, t) {
  if (same(m, b)) return { value: t };
  if (same(t, b) || same(m, t)) return { value: m };
  return { conflict: true };
}

function mergeItem(section, id, b, m, t, choices, prefer, conflicts) {
  const simple = pick3(b, m, t);
  if (!simple.conflict) return simple.value;
  if (m && t && b) {
    const out = {};
    const keys = new Set([...Object.keys(b), ...Object.keys(m), ...Object.keys(t)]);
    for (const field of keys) {
      const got = pick3(b[field], m[field], t[field]);
      let value = got.value;
      if (got.conflict) {
        const key = `${section}:${id}:${field}`;
        const choice = choices[key] || prefer;
        conflicts.push({ key, section, id, field, mine: m[field], theirs: t[field], choice });
        value = choice === "mine" ? m[field] : t[field];
      }
      if (value !== undefined) out[field] = value;
    }
    return out;
  }
  // One side removed it and the other changed it, or both added it differently.
  const key = `${section}:${id}`;
  const choice = choices[key] || prefer;
  conflicts.push({ key, section, id, field: null, mine: m, theirs: t, choice });
  return choice === "mine" ? m : t;
}

/** Ids of the nodes side `S` linked to, or pointed an action at, anew since the base. */
function touched(B, S) {
  const out = new Set();
  for (const [key, l] of S.links) if (!B.links.has(key)) (out.add(l.from), out.add(l.to));
  for (const [aid, a] of S.actions) {
    const was = new Set((B.actions.get(aid) || {}).addresses || []);
    for (const n of a.addresses || []) if (!was.has(n)) out.add(n);
  }
  return out;
}

function mergeMaps(section, b, m, t, choices, prefer, conflicts) {
  const out = new Map();
  const ids = new Set([...b.keys(), ...m.keys(), ...t.keys()]);
  for (const id of ids) {
    const value = mergeItem(section, id, b.get(id), m.get(id), t.get(id), choices, prefer, conflicts);
    if (value !== undefined) out.set(id, value);
  }
  return out;
}

/** Ids both sides added (absent from the base) for different things: {section: {id: newId}}
 * for the ones of `mine` that must take another id. */
function clashes(base, mine, theirs) {
  const out = { node: {}, action: {} };
  const sections = [
    ["node", (d) => d.nodes, (n) => without(n, "causes"), nextNodeId],
    ["action", (d) => d.actions || [], (a) => a, nextActionId],
  ];
  for (const [section, items, content, rename] of sections) {
    const before = new Set(items(base).map((x) => x.id));
    const theirsById = new Map(items(theirs).map((x) => [x.id, x]));
    const taken = new Set([...before, ...theirsById.keys(), ...items(mine).map((x) => x.id)]);
    for (const item of items(mine)) {
      const other = theirsById.get(item.id);
      if (before.has(item.id) || !other || same(content(item), content(other))) continue;
      const next = rename(item.id, taken);
      taken.add(next);
      out[section][item.id] = next;
    }
  }
  return out;
}

function nextNodeId(id, taken) {
  for (let n = 2; ; n++) {
    const candidate = `${id.slice(0, 76)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function nextActionId(_id, taken) {
  return freeActionId(taken);
}

function order(theirs, mine, kept) {
  const seen = new Set();
  const out = [];
  for (const id of [...theirs, ...mine]) if (kept.has(id) && !seen.has(id)) (seen.add(id), out.push(id));
  for (const id of kept.keys()) if (!seen.has(id)) out.push(id);
  return out;
}

function reaches(next, start, target) {
  const stack = [start];
  const seen = new Set(stack);
  while (stack.length) {
    const at = stack.pop();
    if (at === target) return true;
    for (const n of next.get(at) || []) if (!seen.has(n)) (seen.add(n), stack.push(n));
  }
  return false;
}

/**
 * Merge: returns {doc, conflicts, notes, renamed}. `conflicts` lists what both sides
 * changed differently (each with the choice applied: `choices[key]`, else `prefer`);
 * `notes` what had to be dropped; `renamed` the things of yours that took a new id
 * because they added something else under the same one ({section, from, to}). With
 * `split: false` such a clash is a conflict like any other.
 */
export function merge3(base, mine, theirs, choices = {}, { prefer = "mine", split = true } = {}) {
  const renamed = [];
  if (split) {
    const clash = clashes(base, mine, theirs);
    for (const section of ["node", "action"]) {
      for (const [from, to] of Object.entries(clash[section])) renamed.push({ section, from, to });
    }
    if (renamed.length) mine = renameIds(mine, clash);
  }
  const B = parts(base);
  const M = parts(mine);
  const T = parts(theirs);
  const conflicts = [];
  const notes = [];

  const fields = {};
  for (const key of new Set([...Object.keys(T.fields), ...Object.keys(M.fields), ...Object.keys(B.fields)])) {
    const got = pick3(B.fields[key], M.fields[key], T.fields[key]);
    let value = got.value;
    if (got.conflict) {
      const ckey = `incident::${key}`;
      const choice = choices[ckey] || prefer;
      conflicts.push({ key: ckey, section: "incident", id: "", field: key, mine: M.fields[key], theirs: T.fields[key], choice });
      value = choice === "mine" ? M.fields[key] : T.fields[key];
    }
    if (value !== undefined) fields[key] = value;
  }

  const nodes = mergeMaps("node", B.nodes, M.nodes, T.nodes, choices, prefer, conflicts);
  const actions = mergeMaps("action", B.actions, M.actions, T.actions, choices, prefer, conflicts);
  const linkMap = mergeMaps("link", B.links, M.links, T.links, choices, prefer, conflicts);

  // A node one side deleted while the other only linked to it (or addressed it) is a
  // conflict as well: its node fields are unchanged, so mergeMaps let the delete through.
  const linkedBy = { mine: touched(B, M), theirs: touched(B, T) };
  for (const id of B.nodes.keys()) {
    const keeper = !M.nodes.has(id) && T.nodes.has(id) ? "theirs" : M.nodes.has(id) && !T.nodes.has(id) ? "mine" : null;
    const key = `node:${id}`;
    if (!keeper || !linkedBy[keeper].has(id) || conflicts.some((c) => c.key === key)) continue;
    const choice = choices[key] || prefer;
    conflicts.push({ key, section: "node", id, field: null, mine: M.nodes.get(id), theirs: T.nodes.get(id), choice });
    const chosen = (choice === "mine" ? M : T).nodes.get(id);
    if (chosen) nodes.set(id, chosen);
    else nodes.delete(id);
  }

  // A node one side deleted and the other kept (the kept side was chosen) comes back with
  // the links and action references it has on the side that kept it.
  for (const c of conflicts) {
    if (c.section !== "node" || c.field !== null || !B.nodes.has(c.id) || !nodes.has(c.id)) continue;
    const keeper = c.choice === "mine" ? M : T;
    for (const [key, l] of keeper.links) if (l.from === c.id || l.to === c.id) linkMap.set(key, l);
    for (const [aid, a] of keeper.actions) {
      const merged = actions.get(aid);
      if (!merged || !(a.addresses || []).includes(c.id) || (merged.addresses || []).includes(c.id)) continue;
      actions.set(aid, { ...merged, addresses: [...(merged.addresses || []), c.id] });
    }
  }

  // Links: theirs first, then the rest; drop any that dangles, starts at an impact or
  // closes a cycle.
  const next = new Map();
  const kept = [];
  const theirsFirst = [...linkMap.keys()].sort((a, b) => Number(!T.links.has(a)) - Number(!T.links.has(b)));
  for (const key of theirsFirst) {
    const l = linkMap.get(key);
    const from = nodes.get(l.from);
    const to = nodes.get(l.to);
    const name = (id) => isolate((nodes.get(id) || B.nodes.get(id) || M.nodes.get(id) || T.nodes.get(id) || { label: id }).label);
    if (!from || !to) {
      notes.push(`Dropped the link “${name(l.from)}” → “${name(l.to)}”: one of its nodes was deleted.`);
      continue;
    }
    if (from.kind === "impact") {
      notes.push(`Dropped the link “${name(l.from)}” → “${name(l.to)}”: “${name(l.from)}” is now an impact.`);
      continue;
    }
    if (reaches(next, l.to, l.from)) {
      notes.push(`Dropped the link “${name(l.from)}” → “${name(l.to)}”: together with the other changes it made a cycle.`);
      continue;
    }
    if (!next.has(l.from)) next.set(l.from, []);
    next.get(l.from).push(l.to);
    kept.push(l);
  }

  const doc = { ...fields };
  doc.nodes = order(T.nodeOrder, M.nodeOrder, nodes).map((id) => ({ ...nodes.get(id) }));
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const edges = [];
  for (const l of kept) {
    if (l.label || (l.evidence && l.evidence.length)) {
      const e = { from: l.from, to: l.to };
      if (l.label) e.label = l.label;
      if (l.evidence && l.evidence.length) e.evidence = l.evidence;
      edges.push(e);
    } else {
      const target = byId.get(l.to);
      target.causes = [...(target.causes || []), l.from];
    }
  }
  if (edges.length) doc.edges = edges;
  const actionList = order(T.actionOrder, M.actionOrder, actions).map((id) => {
    const a = { ...actions.get(id) };
    if (a.addresses) {
      const left = a.addresses.filter((n) => byId.has(n));
      if (left.length !== a.addresses.length) notes.push(`Action ${id} no longer addresses a deleted node.`);
      if (left.length) a.addresses = left;
      else delete a.addresses;
    }
    return a;
  });
  if (actionList.length) doc.actions = actionList;
  return { doc, conflicts, notes, renamed };
}

/** What changed from `before` to `after`, as short sentences (your unsaved changes). */
export function describeChanges(before, after) {
  const B = parts(before);
  const A = parts(after);
  const out = [];
  const label = (p, id) => isolate((p.nodes.get(id) || {}).label || id);
  for (const [key, value] of Object.entries(A.fields)) if (!same(value, B.fields[key])) out.push(`changed the incident's ${key}`);
  for (const key of Object.keys(B.fields)) if (!(key in A.fields)) out.push(`cleared the incident's ${key}`);
  for (const [id, n] of A.nodes) {
    const was = B.nodes.get(id);
    if (!was) out.push(`added “${isolate(n.label)}”`);
    else if (!same(was, n)) {
      const fields = Object.keys({ ...was, ...n }).filter((k) => !same(was[k], n[k]));
      out.push(`changed ${fields.join(", ")} of “${isolate(n.label)}”`);
    }
  }
  for (const [id, n] of B.nodes) if (!A.nodes.has(id)) out.push(`deleted “${isolate(n.label)}”`);
  for (const [key, l] of A.links) {
    const was = B.links.get(key);
    if (!was) out.push(`linked “${label(A, l.from)}” → “${label(A, l.to)}”`);
    else if (!same(was, l)) out.push(`changed the link “${label(A, l.from)}” → “${label(A, l.to)}”`);
  }
  for (const [key, l] of B.links) if (!A.links.has(key)) out.push(`unlinked “${label(B, l.from)}” → “${label(B, l.to)}”`);
  for (const [id, a] of A.actions) {
    const was = B.actions.get(id);
    if (!was) out.push(`added action “${isolate(a.title)}”`);
    else if (!same(was, a)) out.push(`changed action “${isolate(a.title)}”`);
  }
  for (const [id, a] of B.actions) if (!A.actions.has(id)) out.push(`removed action “${isolate(a.title)}”`);
  return out;
}
