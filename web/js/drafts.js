// Unsaved edits kept in this browser (localStorage): one draft per tab and incident, so
// that no tab ever overwrites or deletes the unsaved edits of another tab on the same
// incident (two tabs used to share one draft: the second tab's edit replaced the first
// one's, its save deleted it, and a crash of the first tab lost its edits unsaid).
//
// A tab that opens an incident takes over the drafts of tabs that are gone: closed or
// reloaded (a draft is marked as left when its tab goes away) or crashed (its tab holds a
// Web Lock for as long as it lives, which the browser releases however it ends; where
// Web Locks are missing, a page served over plain http to another machine, the tab beats
// a heartbeat instead, and a silent one is taken as gone after GONE_MS).

const PREFIX = "causemap:draft:";
const ALIVE = "causemap:tab:";
const BEAT_MS = 15_000;
const GONE_MS = 90_000; // a hidden tab's timers may run only once a minute

/** This tab (this page load). */
export const tab = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

function keys(prefix) {
  const found = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (key && key.startsWith(prefix)) found.push(key);
  }
  return found;
}

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key));
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
    for (const key of keys(PREFIX).filter((k) => k.endsWith(`:${tab}`))) {
      const draft = read(key);
      if (draft) drafts.write(key, { ...draft, left: true });
    }
    localStorage.removeItem(ALIVE + tab);
  });
  addEventListener("pageshow", (event) => {
    if (!event.persisted) return; // back from the back/forward cache: alive again
    for (const key of keys(PREFIX).filter((k) => k.endsWith(`:${tab}`))) {
      const draft = read(key);
      if (draft) drafts.write(key, { ...draft, left: false });
    }
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
  /** This tab's draft of incident `id`. */
  key: (id) => `${PREFIX}${id}:${tab}`,
  /** Keep this tab's draft {base, baseDoc, doc, at}; false when the browser has no room. */
  store(id, draft) {
    return drafts.write(drafts.key(id), { ...draft, owner: tab });
  },
  write(key, draft) {
    try {
      localStorage.setItem(key, JSON.stringify(draft));
      return true;
    } catch {
      return false;
    }
  },
  /** Delete this tab's draft of `id` (never another tab's). */
  clear(id) {
    localStorage.removeItem(drafts.key(id));
  },
  load(key) {
    return read(key);
  },
  remove(key) {
    localStorage.removeItem(key);
  },
  /** The drafts of `id` whose tabs are gone (and the one all tabs shared before each had
   * its own), newest first: [{key, draft}]. */
  async left(id) {
    const shared = PREFIX + id;
    const found = keys(shared).filter((k) => k === shared || (k.startsWith(`${shared}:`) && k !== drafts.key(id)));
    if (!found.length) return [];
    const alive = await aliveTabs();
    return found
      .map((key) => ({ key, draft: read(key) }))
      .filter(({ key, draft }) => draft && draft.doc && Array.isArray(draft.doc.nodes) &&
        (key === shared || draft.left || !alive.has(draft.owner)))
      .sort((a, b) => String(b.draft.at).localeCompare(String(a.draft.at)));
  },
};
