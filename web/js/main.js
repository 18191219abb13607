// Start-up and routing: ask the server who we are (GET /whoami decides between the
// editing and the read-only page), then show the view the URL fragment names. Also the
// test hooks: window.causemap (and window.cy) expose state, so browser tests assert on
// the document and the canvas model rather than on pixels.

import { api } from "./api.js";
import { h, toast } from "./dom.js";
import { Editor } from "./editor.js";
import { installKeys, openHelp } from "./keys.js";
import { showList } from "./list.js";
import { showPatterns } from "./patterns.js";
import { follow } from "./live.js";
import { href, parse, token } from "./route.js";

const root = document.getElementById("view");
let editor = null;
let who = { auth: false, role: null };
let shown = null;
let waiting = null; // following a deleted incident until it is restored

function projector(on) {
  const was = document.body.classList.contains("projector");
  document.body.classList.toggle("projector", on);
  if (editor && was !== on) {
    editor.root.querySelector(".editor").classList.toggle("no-outline", on); // room for the canvas
    editor.canvas.cy.resize();
    editor.canvas.fit();
  }
  const button = document.getElementById("projector");
  button.setAttribute("aria-pressed", String(on));
  localStorage.setItem("causemap:projector", on ? "1" : "");
}

function needToken(message) {
  document.getElementById("context").replaceChildren();
  const input = h("input", { type: "password", id: "token-input", autocomplete: "off" });
  const form = h("form", { class: "token-form" },
    h("h2", {}, "This server needs a token"),
    h("p", {}, message),
    h("div", { class: "field" }, h("label", { for: "token-input" }, "Token"), input),
    h("button", { type: "submit", class: "primary" }, "Open"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const route = parse();
    const params = new URLSearchParams(route.params);
    params.set("token", input.value.trim());
    location.hash = `${location.hash.replace(/^#/, "").split(/[?&]/)[0] || "/"}&${params}`;
    location.reload();
  });
  root.replaceChildren(form);
  input.focus();
}

/** A deleted incident's page waits for it to be restored elsewhere (a viewer who joined
 * meanwhile read "deleted" for good), then opens it. */
function untilRestored(id, key) {
  waiting = follow(id, null, {
    onRevision: (record) => {
      if (record.action === "delete" || shown !== key) return;
      stopWaiting();
      shown = null;
      show();
    },
    onState: () => {},
  });
}

/** A writer's way back for a deleted incident (what `causemap import` tells them to do):
 * a restore revision, then the page opens it. The wait for a restore made elsewhere stops
 * first, so that the incident is not opened twice. */
function restoreButton(id, key) {
  const button = h("button", { type: "button", class: "primary" }, "Restore this incident");
  button.addEventListener("click", async () => {
    button.disabled = true;
    stopWaiting();
    try {
      await api.restoreIncident(id);
    } catch (exc) {
      button.disabled = false;
      if (shown === key) untilRestored(id, key);
      toast(`Could not restore the incident: ${exc.message}`, "error");
      return;
    }
    if (shown !== key) return;
    shown = null;
    toast("Incident restored.", "ok");
    await show();
  });
  return h("p", {}, button);
}

function stopWaiting() {
  if (waiting) waiting.stop();
  waiting = null;
}

async function show() {
  stopWaiting();
  const route = parse();
  const key = `${route.view}:${route.id || ""}`;
  if (editor && key === shown) {
    const node = route.params.get("node");
    if (node) editor.selectNode(node, { reveal: true });
    return;
  }
  if (editor) {
    editor.destroy();
    editor = null;
  }
  shown = key;
  root.replaceChildren();
  document.body.dataset.view = route.view;
  window.causemap.ready = false;
  if (route.view === "incident") {
    let got;
    let layout;
    try {
      // The shared layout alongside: without it (an older server, a failed read) the
      // page draws with this browser's own places, as it always did.
      [got, layout] = await Promise.all([api.getIncident(route.id), api.layout(route.id).catch(() => null)]);
    } catch (exc) {
      if (exc.status === 401) return needToken(exc.message);
      root.replaceChildren(h("div", { class: "error-page" },
        h("h2", {}, exc.status === 404 ? "No such incident" : exc.status === 410 ? "This incident was deleted" : "Could not open the incident"),
        h("p", {}, exc.message),
        exc.status === 410 ? h("p", { class: "muted" }, "It opens here by itself if it is restored.") : null,
        exc.status === 410 && who.role !== "read" ? restoreButton(route.id, key) : null,
        // A deleted incident is listed among the deleted ones, where the user came from.
        h("p", {}, h("a", { href: href("list", null, { deleted: exc.status === 410 ? "1" : "" }) }, "Back to the list"))));
      if (exc.status === 410) untilRestored(route.id, key);
      return;
    }
    if (shown !== key) return;
    editor = new Editor(root, { id: route.id, doc: got.doc, revision: got.revision, layout, role: who.role === "read" ? "read" : "write" });
    const node = route.params.get("node");
    if (node) editor.selectNode(node, { reveal: true });
    editor.focusCanvas();
    await editor.restored;
    if (shown !== key) return;
  } else if (route.view === "patterns") {
    await showPatterns(root);
  } else {
    try {
      await showList(root, { role: who.role === "read" ? "read" : who.role, params: route.params });
    } catch (exc) {
      if (exc.status === 401) return needToken(exc.message);
      throw exc;
    }
  }
  window.causemap.ready = true;
}

window.causemap = {
  ready: false,
  who: () => who,
  editor: () => editor,
  get cy() {
    return editor ? editor.canvas.cy : null;
  },
  doc: () => (editor ? editor.store.doc : null),
  selection: () => (editor ? editor.store.selection : null),
  analysis: () => (editor ? editor.analyzer.result : null),
  analysisFresh: () => Boolean(editor && editor.analyzer.fresh()),
  positions: () => (editor ? { ...editor.canvas.positions } : null),
  state: () => editor && {
    id: editor.id,
    readOnly: editor.readOnly,
    revision: editor.saver.revision,
    status: editor.saver.status,
    dirty: editor.saver.dirty(),
    live: editor.liveState,
    canUndo: editor.store.canUndo(),
    canRedo: editor.store.canRedo(),
  },
};
Object.defineProperty(window, "cy", { get: () => window.causemap.cy });

async function start() {
  document.getElementById("projector").addEventListener("click", () => projector(!document.body.classList.contains("projector")));
  document.getElementById("help").addEventListener("click", () => openHelp(editor ? editor.readOnly : who.role === "read"));
  projector(localStorage.getItem("causemap:projector") === "1");
  token();
  try {
    who = await api.whoami();
  } catch (exc) {
    if (exc.status === 401) who = { auth: true, role: null };
    else toast(`The server did not say who you are: ${exc.message}`, "error");
  }
  document.body.dataset.role = who.role || (who.auth ? "none" : "open");
  if (who.auth && !who.role) {
    needToken(token() ? "That token is not known to this server." : "Paste the token you were given, or open the link that carries it.");
    return;
  }
  installKeys(() => editor);
  window.addEventListener("hashchange", show);
  window.addEventListener("pagehide", () => editor && editor.leave());
  await show();
}

start();
