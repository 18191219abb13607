// The server's factor catalog (GET /api/v1/catalog), fetched once per page, and the rule
// for a factor key that is not one of its keys: the closest catalog key, if one is close,
// as `causemap suggest` and `causemap patterns` find it (Python's
// difflib.get_close_matches with its cutoff of 0.6, ported below), so that the editor
// calls a key a likely typo exactly when the command line does.

import { api } from "./api.js";

const CUTOFF = 0.6; // difflib.get_close_matches' default, which the CLI's Hints uses

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

let memo = { key: null, keys: null, near: null };

/** The catalog key closest to `key` (not itself a catalog key), or null when none is
 * close: difflib's ratio at least 0.6, the highest ratio first, and of equal ones the
 * key that sorts last (as difflib's nlargest picks). Remembered for the last key asked. */
export function nearestKey(key, keys) {
  if (memo.key === key && memo.keys === keys) return memo.near;
  const word = Array.from(key);
  const index = positions(word);
  let best = null;
  let bestScore = -1;
  for (const other of keys) {
    const chars = Array.from(other);
    const total = chars.length + word.length;
    if (!total || (2 * Math.min(chars.length, word.length)) / total < CUTOFF) continue; // real_quick_ratio
    const score = (2 * matched(chars, word, index)) / total;
    if (score >= CUTOFF && (score > bestScore || (score === bestScore && other > best))) {
      best = other;
      bestScore = score;
    }
  }
  memo = { key, keys, near: best };
  return best;
}

/** Where each character of `b` is, as difflib's b2j, with its "autojunk" rule: in a
 * sequence of 200 or more, a character that makes up over 1% of it is left out. */
function positions(b) {
  const at = new Map();
  b.forEach((ch, j) => (at.has(ch) ? at.get(ch).push(j) : at.set(ch, [j])));
  if (b.length >= 200) {
    const most = Math.floor(b.length / 100) + 1;
    for (const [ch, list] of [...at]) if (list.length > most) at.delete(ch);
  }
  return at;
}

/** How many characters of `a` and `b` match: the sum of SequenceMatcher's matching
 * blocks (the longest common run, then the same on either side of it). */
function matched(a, b, index) {
  let sum = 0;
  const queue = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop();
    const [i, j, k] = longest(a, b, index, alo, ahi, blo, bhi);
    if (!k) continue;
    sum += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return sum;
}

/** SequenceMatcher.find_longest_match with no junk: the longest run of `a[alo:ahi]` in
 * `b[blo:bhi]`, the earliest in `a` and then in `b`, grown over characters autojunk left
 * out of the index. */
function longest(a, b, index, alo, ahi, blo, bhi) {
  let [bi, bj, size] = [alo, blo, 0];
  let lengths = new Map();
  for (let i = alo; i < ahi; i++) {
    const next = new Map();
    for (const j of index.get(a[i]) || []) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = (lengths.get(j - 1) || 0) + 1;
      next.set(j, k);
      if (k > size) [bi, bj, size] = [i - k + 1, j - k + 1, k];
    }
    lengths = next;
  }
  while (bi > alo && bj > blo && a[bi - 1] === b[bj - 1]) [bi, bj, size] = [bi - 1, bj - 1, size + 1];
  while (bi + size < ahi && bj + size < bhi && a[bi + size] === b[bj + size]) size += 1;
  return [bi, bj, size];
}
