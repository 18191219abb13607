// Unsaved edits kept in this browser (localStorage): one draft per tab and incident, so
// that no tab ever overwrites or deletes the unsaved edits of another tab on the same
// incident (two tabs used to share one draft: the second tab's edit replaced the first
// one's, its save deleted it, and a crash of the first tab lost its edits unsaid).
//
// A tab that opens an incident takes over the drafts of tabs that are gone: closed or
// reloaded (a draft is marked as left when its tab goes away) or crashed (its tab holds a
// Web Lock for as long as it lives, which the browser releases however it ends; where
// Web Locks are missing, a page served over plain http to another machine, the tab beats
// a heartbeat instead, and a silent one is taken as gone after GONE_MS). Within a tab,
// each opening of an incident has a slot of its own, so the tab takes over the draft its
// earlier page of the incident left (it went to the list with edits not yet saved).

const PREFIX = "causemap:draft:";
const ALIVE = "causemap:tab:";
const BEAT_MS = 15_000;
const GONE_MS = 90_000; // a hidden tab's timers may run only once a minute

/** This tab (this page load). */
export const tab = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const open = new Set(); // the slots of this tab's editors that are open now
let opened = 0;

function keys(prefix, storage = localStorage) {
  const found = [];
  for (let i = 0; i < storage.length; i += 1) {
    const key = storage.key(i);
    if (key && key.startsWith(prefix)) found.push(key);
  }
  return found;
}

function read(key, storage = localStorage) {
  try {
    return JSON.parse(storage.getItem(key));
  } catch {
    return null;
  }
}

function beat() {
  try {
    localStorage.setItem(ALIVE + tab, String(Date.now()));
  } catch {
    // no room: the drafts themselves matter more
  }
}

let living = false;

/** Say that this tab is alive for as long as it is (once, by a tab that can edit), and
 * mark its drafts as left when it goes away. */
export function announceTab() {
  if (living) return;
  living = true;
  if (navigator.locks) navigator.locks.request(ALIVE + tab, () => new Promise(() => {}));
  else {
    beat();
    setInterval(beat, BEAT_MS);
  }
  addEventListener("pagehide", () => {
    for (const key of keys(PREFIX)) {
      const draft = read(key);
      if (draft && draft.owner === tab) drafts.write(key, { ...draft, left: true });
    }
    statements.mark(true);
    localStorage.removeItem(ALIVE + tab);
  });
  addEventListener("pageshow", (event) => {
    if (!event.persisted) return; // back from the back/forward cache: alive again
    for (const key of keys(PREFIX)) {
      const draft = read(key);
      if (draft && draft.owner === tab && open.has(draft.slot)) drafts.write(key, { ...draft, left: false });
    }
    statements.mark(false);
    if (!navigator.locks) beat();
  });
}

/** The tabs alive now: those holding their lock, else those whose heartbeat is recent. */
async function aliveTabs() {
  if (navigator.locks) {
    const { held = [] } = await navigator.locks.query();
    return new Set(held.filter((l) => l.name.startsWith(ALIVE)).map((l) => l.name.slice(ALIVE.length)));
  }
  const alive = new Set();
  for (const key of keys(ALIVE)) {
    if (Date.now() - Number(localStorage.getItem(key)) < GONE_MS) alive.add(key.slice(ALIVE.length));
    else localStorage.removeItem(key);
  }
  return alive;
}

export const drafts = {
  /** A slot for one opening of an incident in this tab, until `release`. */
  claim() {
    opened += 1;
    const slot = `${tab}.${opened}`;
    open.add(slot);
    return slot;
  },
  release(slot) {
    open.delete(slot);
  },
  /** The draft of incident `id` in `slot`. */
  key: (id, slot) => `${PREFIX}${id}:${slot}`,
  /** Keep the draft {base, baseDoc, doc, at} of `slot`; false when the browser has no room. */
  store(id, slot, draft) {
    return drafts.write(drafts.key(id, slot), { ...draft, owner: tab, slot });
  },
  write(key, draft) {
    try {
      localStorage.setItem(key, JSON.stringify(draft));
      return true;
    } catch {
      return false;
    }
  },
  /** Delete the draft of `id` in `slot` (never another one's). */
  clear(id, slot) {
    localStorage.removeItem(drafts.key(id, slot));
  },
  load(key) {
    return read(key);
  },
  remove(key) {
    localStorage.removeItem(key);
  },
  /** The drafts of `id` whose pages are gone (and the one all tabs shared before each had
   * its own), newest first: [{key, draft}]. */
  async left(id, slot) {
    const shared = PREFIX + id;
    const found = keys(shared).filter((k) => k === shared || (k.startsWith(`${shared}:`) && k !== drafts.key(id, slot)));
    if (!found.length) return [];
    const alive = await aliveTabs();
    const gone = (draft) => draft.left || (draft.owner === tab ? !open.has(draft.slot) : !alive.has(draft.owner));
    return found
      .map((key) => ({ key, draft: read(key) }))
      .filter(({ key, draft }) => draft && draft.doc && Array.isArray(draft.doc.nodes) && (key === shared || gone(draft)))
      .sort((a, b) => String(b.draft.at).localeCompare(String(a.draft.at)));
  },
};

// The statement bar's draft (what is typed in it, with the question it answers and the
// kind of node it makes; an empty bar's kind alone) is kept in sessionStorage instead,
// per incident: the browser keeps it for its tab across reloads and a crash of the page,
// gives every tab its own, and drops it when the tab is closed, so there is nothing of
// gone tabs to clean up.
// A duplicated tab starts with a copy of it, though: that copy is left alone while the
// tab it came from is open (it still shows the draft, and Enter in both tabs would add
// the statement twice). A draft names its tab (`owner`) and is marked as left when its
// page goes away, so a reload takes it back at once (the page before may hold its lock
// a moment longer); a page that crashed holds no lock.
const STATEMENT = "causemap:statement:";

export const statements = {
  /** What this tab was drafting in the statement bar of incident `id`: {text, mode, anchor,
   * kind}, or null. */
  load(id) {
    const draft = read(STATEMENT + id, sessionStorage);
    return draft && typeof draft.text === "string" ? draft : null;
  },
  /** The draft of `id` to give back to this page: none when it is a copy of the draft of
   * a tab still open (this one is its duplicate). Without Web Locks a heartbeat cannot
   * tell a tab that is open from one that crashed a moment ago: the draft is given back. */
  async take(id) {
    const draft = statements.load(id);
    if (!draft || draft.left || !draft.owner || draft.owner === tab || !navigator.locks) return draft;
    return (await aliveTabs()).has(draft.owner) ? null : draft;
  },
  /** Keep `draft` as that, or forget it (null); false when the browser has no room. */
  store(id, draft) {
    try {
      if (draft) sessionStorage.setItem(STATEMENT + id, JSON.stringify({ ...draft, owner: tab }));
      else sessionStorage.removeItem(STATEMENT + id);
      return true;
    } catch {
      return false;
    }
  },
  /** Mark this tab's drafts as left (its page goes away), or as its own again. */
  mark(left) {
    for (const key of keys(STATEMENT, sessionStorage)) {
      const draft = read(key, sessionStorage);
      try {
        if (draft && draft.owner === tab) sessionStorage.setItem(key, JSON.stringify({ ...draft, left }));
      } catch {
        // no room: left unmarked
      }
    }
  },
};
