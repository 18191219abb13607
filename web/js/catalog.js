// The server's factor catalog (GET /api/v1/catalog), fetched once per page, and the rule
// for a factor key that is not one of its keys: the catalog key it is most likely a typo
// of, if any, as `causemap suggest` and `causemap patterns` find it (the rule of
// src/causemap/typos.py, ported below), so that the editor calls a key a likely
// typo exactly when the command line does. A key of the team's own ("capacity-gap" beside
// "capacity-planning-gap") is left alone.

import { api } from "./api.js";

let asked = false; // the page asks once
let catalog = null; // { keys: [key…], names: Map key → entry name } once answered
const waiting = new Set(); // what to call when it arrives

/**
 * The catalog once it has arrived, else null: while it is on its way (the first call
 * asks for it, and `onload` is called once when it arrives), and for good when it could
 * not be fetched (the factor key then works without it, as it did before the catalog
 * was offered).
 */
export function loadedCatalog(onload = null) {
  if (catalog || asked === "failed") return catalog;
  if (onload) waiting.add(onload);
  if (!asked) {
    asked = true;
    api.catalog().then((got) => {
      const entries = (got && Array.isArray(got.entries) ? got.entries : []).filter((e) => e && typeof e.key === "string");
      catalog = { keys: entries.map((e) => e.key), names: new Map(entries.map((e) => [e.key, String(e.name ?? "")])) };
      for (const call of waiting) call(catalog);
    }).catch(() => {
      asked = "failed";
    }).finally(() => waiting.clear());
  }
  return null;
}

const MOST = 2; // the most edits allowedEdits allows

/** Per list of catalog keys: each key's spelling, grouped by its length (in code points). */
const indexes = new WeakMap();
let memo = { key: null, keys: null, near: null };

/** The catalog key `key` (not itself one of `keys`) is most likely a typo of, or null:
 * one whose spelling is within allowedEdits of `key`'s, with the same digits and words
 * (sameWords); the fewest
 * edits away, then the closest as typed, then the first in `keys`. Remembered for the
 * last key asked, and each list of keys indexed once. */
export function nearestKey(key, keys) {
  if (memo.key === key && memo.keys === keys) return memo.near;
  let index = indexes.get(keys);
  if (!index) indexes.set(keys, (index = indexKeys(keys)));
  let best = null;
  if (!index.known.has(key)) {
    const spelt = spelling(key);
    const digits = digitsOf(spelt);
    for (let n = spelt.length - MOST; n <= spelt.length + MOST; n++) {
      for (const [other, rank] of index.byLength.get(n) || []) {
        const limit = allowedEdits(Math.min(spelt.length, other.length));
        const apart = edits(spelt, other, limit);
        if (apart > limit || digitsOf(other) !== digits || !sameWords(spelt, other)) continue;
        const order = [apart, edits(Array.from(key), Array.from(keys[rank])), rank];
        if (before(order, best)) best = order;
      }
    }
  }
  const near = best ? keys[best[2]] : null;
  memo = { key, keys, near };
  return near;
}

/** Whether `order` comes before `best` (null: nothing yet), compared item by item. */
function before(order, best) {
  if (!best) return true;
  for (let i = 0; i < order.length; i++) if (order[i] !== best[i]) return order[i] < best[i];
  return false;
}

/** `keys` as a set, and their spellings by length, each with its place in `keys`. */
function indexKeys(keys) {
  const known = new Set(keys);
  const byLength = new Map();
  const seen = new Set();
  keys.forEach((key, rank) => {
    if (seen.has(key)) return; // the first of a repeated key stands (Python's dict.fromkeys)
    seen.add(key);
    const spelt = spelling(key);
    if (!byLength.has(spelt.length)) byLength.set(spelt.length, []);
    byLength.get(spelt.length).push([spelt, rank]);
  });
  return { known, byLength };
}

/** `key` as keys are compared, as an array of code points: "_" and "." as "-", and each
 * word's plural ending dropped ("-ies" as "-y", a final "s" but not "ss"). */
function spelling(key) {
  return Array.from(key.replace(/[_.]/g, "-").split("-").map(singular).join("-"));
}

function singular(word) {
  const n = Array.from(word).length;
  if (n > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (n > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

function digitsOf(chars) {
  return chars.filter((c) => c >= "0" && c <= "9").join("");
}

/** Whether spellings `a` and `b` (arrays of code points, a few edits apart) have the same
 * words, each perhaps mistyped: neither is the other with a word added, and no word of one
 * is replaced whole by the word in its place in the other (they share no character), as
 * "a-kill-switch" is not "no-kill-switch". Words are the non-empty parts between hyphens,
 * so a stray or missing hyphen is a typo like any other character. */
function sameWords(a, b) {
  const [wordsA, wordsB] = [wordsOf(a), wordsOf(b)];
  if (wordsA.length === wordsB.length) return wordsA.every((word, i) => Array.from(word).some((c) => wordsB[i].includes(c)));
  const [fewer, more] = wordsA.length < wordsB.length ? [wordsA, wordsB] : [wordsB, wordsA];
  const want = fewer.join("-");
  return more.every((_, i) => more.filter((_, j) => j !== i).join("-") !== want);
}

/** The non-empty parts between hyphens of a spelling (an array of code points). */
function wordsOf(chars) {
  return chars.join("").split("-").filter((word) => word);
}

/** How many edits a key of `length` characters (as spelt) may be from another and still
 * be a typo of it: none below 4, one below 10, two from 10 on. */
function allowedEdits(length) {
  return length < 4 ? 0 : length < 10 ? 1 : MOST;
}

/** The optimal string alignment distance between arrays `a` and `b` (inserted, deleted,
 * replaced and swapped neighbours, each one edit); past `limit` (if given), limit + 1,
 * found sooner: only cells within `limit` of the diagonal are worked out. */
function edits(a, b, limit = null) {
  if (limit !== null && Math.abs(a.length - b.length) > limit) return limit + 1;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let [endA, endB] = [a.length, b.length];
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) [endA, endB] = [endA - 1, endB - 1];
  a = a.slice(start, endA);
  b = b.slice(start, endB);
  const reach = limit === null ? Math.max(a.length, b.length) : limit;
  const far = limit === null ? a.length + b.length + 1 : limit + 1;
  let earlier = [];
  let prev = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => (j <= reach ? j : far));
  for (let i = 1; i <= a.length; i++) {
    [earlier, prev, row] = [prev, row, new Array(b.length + 1).fill(far)];
    if (i <= reach) row[0] = i;
    const low = Math.max(1, i - reach);
    const high = Math.min(b.length, i + reach);
    let least = row[low - 1];
    for (let j = low; j <= high; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let found = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost, far);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) found = Math.min(found, earlier[j - 2] + 1);
      row[j] = found;
      least = Math.min(least, found);
    }
    if (limit !== null && least > limit) return far;
  }
  return row[b.length];
}
