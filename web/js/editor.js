// The incident page: canvas, outline, panels, statement bar and top-bar tools, wired to
// the store (edits, undo), the analyzer (live analysis), the saver (autosave, drafts,
// conflicts) and the live stream. The commands keys and buttons trigger are inherited
// from commands.js.

import { KEEPALIVE_BYTES } from "./api.js";
import * as D from "./doc.js";
import { Canvas } from "./canvas.js";
import { Commands } from "./commands.js";
import { Analyzer } from "./analysis.js";
import { Store } from "./store.js";
import { Saver, drafts } from "./save.js";
import { follow } from "./live.js";
import { SharedLayout, unsentMoves } from "./shared.js";
import { Entry } from "./entry.js";
import { Inspector, incidentPanel } from "./inspector.js";
import { ActionsPanel } from "./actions.js";
import { Outline } from "./outline.js";
import { renderVerdict } from "./verdict.js";
import { openHistory } from "./history.js";
import { downloadUnsaved, openExport } from "./export.js";
import { openConflict } from "./conflict.js";
import { describeChanges } from "./merge.js";
import { openShare, buildChrome, legend } from "./chrome.js";
import { announce, h, toast, typingIn } from "./dom.js";
import { shorten } from "./text.js";

const TABS = ["selection", "analysis", "actions", "incident"];
const PANES = ".toolbar, .panel, .outline-pane, .entry";
const MAX_SAID = 4; // changes of a revision from elsewhere said one by one

/** What a revision from elsewhere changed, in words for a screen reader: ": added …". */
function changes(before, after) {
  const all = describeChanges(before, after);
  if (!all.length) return "";
  const more = all.length > MAX_SAID ? `, and ${all.length - MAX_SAID} more changes` : "";
  return `: ${all.slice(0, MAX_SAID).join("; ")}${more}`;
}

/** The controls of `pane` that Tab reaches, in order. */
function tabbable(pane) {
  return [...pane.querySelectorAll("button, input, select, textarea, a[href], summary, [tabindex]")]
    .filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length && !e.closest("[hidden]"));
}

/** Where `el` is: its pane and its place among the pane's controls. */
function focusSpot(el) {
  const pane = el instanceof Element ? el.closest(PANES) : null;
  return pane ? { el, pane, index: Math.max(0, tabbable(pane).indexOf(el)) } : null;
}

export class Editor extends Commands {
  constructor(root, { id, doc, revision, layout = null, role }) {
    super();
    this.id = id;
    this.readOnly = role === "read";
    this.root = root;
    this.connecting = null;
    this.store = new Store();
    this.store.readOnly = this.readOnly;
    this.analyzer = new Analyzer(this.store);
    this.store.doc = D.clone(doc);
    this.saver = new Saver(this.store, { id, revision, doc, readOnly: this.readOnly, onConflict: () => this.askToResolve() });
    this.liveState = "connecting";
    this.openedWith = layout;
    this.unsent = this.readOnly ? [] : unsentMoves.load(id);
    this.build();
    this.shared = new SharedLayout(id, this.canvas, {
      readOnly: this.readOnly, layout, unsent: this.unsent, paused: () => this.saver.status === "deleted",
    });
    this.wire();
    this.store.load(this.store.doc, { reason: "open" });
    this.restored = this.restoreDraft(doc, revision).finally(() => this.entry && this.entry.restore());
    this.live = follow(id, revision, {
      onRevision: (record, { rewound }) => (rewound ? this.wentBack(record) : this.remote(record)),
      layout: () => this.shared.version,
      onLayout: (got, { first }) => this.shared.apply(got, { force: first }),
      onState: (state, message) => {
        this.showLive(state);
        if (state === "live") this.saver.resume();
        if (message) this.banner(message, "warn");
        this.chrome.update();
      },
    });
  }

  // ---- building -------------------------------------------------------------------

  build() {
    const canvasBox = h("div", {
      id: "cy", class: "cy", tabindex: "0", role: "application", "aria-roledescription": "causal graph",
      "aria-label": "Causal graph. Arrow keys move between nodes; press ? for every shortcut.",
    });
    this.bannerBox = h("div", { class: "banner", id: "banner", hidden: true, role: "status" });
    this.staleBox = h("div", { class: "stale-notice", id: "stale", hidden: true, role: "status" });
    this.entry = this.readOnly ? null : new Entry(this);
    this.tabButtons = {};
    this.panels = {};
    const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "Panels" }, TABS.map((name, i) => {
      const button = h("button", {
        type: "button", role: "tab", id: `tab-${name}`, "aria-controls": `panel-${name}`, "aria-selected": "false", tabindex: "-1",
        onclick: () => this.showTab(name), "aria-keyshortcuts": String(i + 1),
        title: `${name[0].toUpperCase()}${name.slice(1)} (key ${i + 1})`,
      }, name[0].toUpperCase() + name.slice(1));
      this.tabButtons[name] = button;
      return button;
    }));
    tablist.addEventListener("keydown", (event) => {
      const i = TABS.indexOf(this.tab);
      const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      this.showTab(TABS[(i + step + TABS.length) % TABS.length], true);
    });
    const panelBoxes = TABS.map((name) => {
      const box = h("div", { class: "panel", role: "tabpanel", id: `panel-${name}`, "aria-labelledby": `tab-${name}`, tabindex: "0", hidden: true });
      this.panels[name] = box;
      return box;
    });
    this.outlineBox = h("aside", { class: "outline-pane", id: "outline", "aria-labelledby": "outline-h" });
    this.chrome = buildChrome(this);
    const projector = document.body.classList.contains("projector");
    this.box = h("div", { class: `editor${this.readOnly ? " readonly" : ""}${projector ? " no-outline" : ""}` },
      this.outlineBox,
      h("section", { class: "stage", "aria-label": "Canvas" },
        h("div", { class: "canvas-wrap" }, canvasBox, this.bannerBox, this.staleBox, legend()),
        this.entry ? this.entry.form : null,
        this.chrome.toolbar),
      h("aside", { class: "side", "aria-label": "Details" }, tablist, ...panelBoxes));
    this.root.append(this.box);
    this.focusSpot = null;
    const spot = (event) => (this.focusSpot = focusSpot(event.target));
    this.box.addEventListener("focusin", spot);
    this.box.addEventListener("click", spot, true); // where it is now, just before it acts

    this.canvas = new Canvas(canvasBox, {
      incidentId: this.id,
      shared: this.openedWith ? this.openedWith.nodes : null,
      unsent: this.unsent,
      onTapNode: (id, additive) => (this.connecting ? this.finishConnect(id) : this.selectNode(id, { additive })),
      onTapLink: (from, to) => this.selectLink(from, to),
      onTapBackground: () => (this.connecting ? this.cancelConnect() : this.store.select([])),
      onDblTapNode: (id) => !this.readOnly && (this.selectNode(id), this.beginEntry("edit")),
      onDblTapBackground: (position) => {
        if (this.readOnly) return;
        this.canvas.placeHint = position;
        this.store.select([]);
        this.beginEntry("new");
      },
    });
    this.canvasBox = canvasBox;
    this.inspector = new Inspector(this.panels.selection, this);
    this.actionsPanel = new ActionsPanel(this.panels.actions, this);
    this.outline = new Outline(this.outlineBox, this);
    this.incidentForm = incidentPanel(this.panels.incident, this);
    this.showTab("selection");
  }

  wire() {
    const { store, analyzer, saver } = this;
    store.on("change", ({ reason, label }) => {
      const local = !["open", "remote", "reload"].includes(reason);
      const added = this.canvas.sync(store.doc, analyzer.result, { local });
      if (this.connecting) this.keepLinking();
      if (reason === "remote" || reason === "merge") this.canvas.follow(added);
      this.canvas.showSelection(store.selection);
      this.refreshPanels();
      if (this.entry) this.entry.refresh();
      if (!["open", "remote", "reload"].includes(reason)) saver.changed();
      if (reason === "undo" || reason === "redo") announce(`${reason === "undo" ? "Undid" : "Redid"}: ${label}`);
      analyzer.schedule();
      this.chrome.update();
      this.keepFocus();
    });
    store.on("select", (sel) => {
      this.canvas.showSelection(sel);
      this.inspector.render();
      this.actionsPanel.render();
      this.outline.render();
      if (this.entry) this.entry.follow(sel);
      if (sel.nodes.length === 1) {
        const n = D.node(store.doc, sel.nodes[0]);
        const c = analyzer.classOf(n.id);
        const causes = D.causesOf(store.doc, n.id).length;
        const effects = D.effectsOf(store.doc, n.id).length;
        announce(`Selected “${shorten(n.label, 120)}”: ${n.kind}${c && c.class !== n.kind ? `, ${c.class}` : ""}; ${causes} cause${causes === 1 ? "" : "s"}, ${effects} effect${effects === 1 ? "" : "s"}.`);
      } else if (sel.nodes.length > 1) {
        const last = D.node(store.doc, sel.nodes[sel.nodes.length - 1]);
        announce(`${sel.nodes.length} nodes selected, the last “${shorten(last.label, 120)}”.`);
      } else if (sel.link) {
        announce(`Selected the link from “${shorten(D.node(store.doc, sel.link.from).label)}” to “${shorten(D.node(store.doc, sel.link.to).label)}”.`);
      }
      this.keepFocus();
    });
    store.on("refused", ({ message }) => toast(message, "warn"));
    analyzer.on("analysis", () => {
      this.canvas.sync(store.doc, analyzer.result);
      this.canvas.showSelection(store.selection);
      this.refreshPanels();
      this.chrome.update();
    });
    analyzer.on("suggestions", () => this.inspector.render());
    saver.addEventListener("status", () => {
      this.shared.save(); // moves held back while the incident was deleted go once restored
      this.chrome.update();
      this.showBanner();
    });
    saver.addEventListener("saved", () => {
      renderVerdict(this.panels.analysis, this);
      analyzer.schedule(); // the server answers again: an analysis that failed is retried
    });
  }

  refreshPanels() {
    this.inspector.render();
    this.actionsPanel.render();
    this.incidentForm.update();
    renderVerdict(this.panels.analysis, this);
    this.outline.schedule();
  }

  /** Take over the newest draft a gone tab left of this incident (drafts.js): its edits
   * are saved, or merged if a newer revision was saved meanwhile. Any older ones stay for
   * the next time the incident is opened; none is ever dropped unsaid. */
  async restoreDraft(serverDoc, revision) {
    if (this.readOnly) return;
    const left = (await drafts.left(this.id, this.saver.slot)).filter(({ key, draft }) => {
      if (!D.same(draft.doc, serverDoc)) return true;
      drafts.remove(key); // saved already (by the save sent as its tab closed)
      return false;
    });
    if (!left.length || this.saver.dirty() || this.saver.status !== "saved") return;
    const [{ key, draft }, ...more] = left;
    this.saver.revision = draft.base;
    this.saver.baseDoc = draft.baseDoc;
    this.store.load(draft.doc, { reason: "draft" }); // kept as this tab's draft, then saved
    if (drafts.load(drafts.key(this.id, this.saver.slot))) drafts.remove(key);
    const others = more.length ? ` ${more.length} more unsaved draft${more.length === 1 ? " is" : "s are"} kept in this browser for the next time this incident is opened.` : "";
    toast(draft.base === revision
      ? `Restored your unsaved changes from this browser; saving them now.${others}`
      : `Restored your unsaved changes; revision ${revision} was saved meanwhile, so you will be asked to merge.${others}`, "warn", 7000);
  }

  /** A save met a newer revision: show what happened and let the user resolve it. Not
   * while they are typing in a field, though: a modal dialog would take their keys (a
   * space would press its first button), so it waits until focus leaves the field, and
   * the banner's Resolve… button is there meanwhile. */
  askToResolve() {
    if (this.askPending) return;
    const open = async () => {
      if (this.saver.status !== "conflict" || this.resolving) return;
      this.resolving = true;
      try {
        await openConflict(this);
      } finally {
        this.resolving = false;
      }
    };
    if (!typingIn(document.activeElement)) return open();
    this.askPending = () => {
      // focusout fires before the next element has focus: look once it has.
      setTimeout(() => {
        if (typingIn(document.activeElement) || !this.askPending) return;
        document.removeEventListener("focusout", this.askPending);
        this.askPending = null;
        open();
      }, 0);
    };
    document.addEventListener("focusout", this.askPending);
  }

  /** The live stream's state. While it is lost the canvas says the picture may be out of
   * date, and since when (a viewer's picture is dimmed too): "Reconnecting…" in the top
   * bar alone went unseen by a room watching the canvas. */
  showLive(state) {
    const was = this.liveState;
    this.liveState = state;
    const lost = state === "reconnecting";
    if (lost && was !== "reconnecting") {
      const since = new Date().toLocaleTimeString(undefined, { timeStyle: "medium" });
      this.staleBox.textContent = `Not live since ${since}, reconnecting… The picture may be out of date.`;
    }
    this.staleBox.hidden = !lost;
    this.box.classList.toggle("stale", lost);
  }

  /** The banner for the save state (nothing when all is well). */
  showBanner() {
    const { saver } = this;
    const download = saver.stranded() ? [this.downloadButton()] : [];
    if (saver.status === "conflict") this.banner(saver.pausedBecause, "conflict", download);
    else if (saver.status === "invalid") this.banner(`Not saved: ${saver.message}`, "warn");
    else if (["offline", "error", "deleted"].includes(saver.status)) this.banner(saver.message, "warn", download);
    else this.banner(null);
  }

  /** For unsaved changes no save takes (the incident was deleted, or they are in
   * conflict): get them out as a file, without opening a dialog first. */
  downloadButton() {
    return h("button", {
      type: "button", "data-action": "download-unsaved", onclick: () => downloadUnsaved(this),
      title: "Download the incident with your changes as a JSON file that causemap import reads",
    }, "Download your changes");
  }

  /** Show `message` over the canvas, and under it what linking asks for while linking:
   * a change of the save state (an autosave finishing) used to take that away while
   * linking went on, so the next click on a node linked it instead of selecting it.
   * `actions` are buttons shown after the message. */
  banner(message, tone = "info", actions = []) {
    const mode = this.connecting ? this.connecting.message : null;
    this.bannerBox.hidden = !message && !mode;
    this.bannerBox.className = `banner ${message ? tone : "mode"}`;
    this.bannerBox.replaceChildren(
      ...(message ? [h("span", {}, message)] : []),
      ...(message && tone === "conflict" ? [h("button", { type: "button", onclick: () => this.resolveNow() }, "Resolve…")] : []),
      ...(message ? actions : []),
      ...(mode ? [h("span", {}, mode)] : []));
  }

  resolveNow() {
    if (this.askPending) document.removeEventListener("focusout", this.askPending);
    this.askPending = null;
    this.askToResolve();
  }

  remote(record) {
    if (this.readOnly) {
      if (record.action === "delete") return this.banner("This incident was deleted.", "warn");
      if (record.number <= this.saver.revision) return;
      const before = this.store.doc;
      this.saver.revision = record.number;
      this.saver.baseDoc = record.document;
      this.store.load(record.document, { reason: "remote" });
      this.banner(null); // restored, if it had been deleted
      announce(`Updated to revision ${record.number}${changes(before, record.document)}.`);
      return;
    }
    const before = this.store.doc;
    const what = this.saver.remote(record);
    if (what === "applied") {
      toast(`Revision ${record.number} was saved elsewhere; showing it.`, "info", 4000, { key: "remote", say: false });
      announce(`Revision ${record.number} was saved elsewhere${changes(before, record.document)}.`);
    }
    this.chrome.update();
  }

  /** The server went back to an earlier revision (its store was restored from a
   * backup): show that one, saying so plainly, or, with unsaved edits, ask to merge
   * them onto it. Revisions saved after it are gone from the server. */
  wentBack(record) {
    const gone = this.saver.revision;
    const said = `The server went back to revision ${record.number} (it was restored from a backup); ` +
      `what was saved after it${gone > record.number ? `, up to revision ${gone},` : ""} is no longer there.`;
    if (this.readOnly) {
      this.saver.revision = record.number;
      if (record.action === "delete") return this.banner("This incident was deleted.", "warn");
      this.saver.baseDoc = record.document;
      this.store.load(record.document, { reason: "remote" });
      this.banner(null);
      toast(`${said} Showing it.`, "warn", 8000);
      return;
    }
    const what = this.saver.wentBack(record);
    if (what === "reloaded") toast(`${said} Showing it; your next edit is saved on top of it.`, "warn", 8000);
    this.chrome.update();
  }

  showTab(name, focus = false) {
    this.tab = name;
    for (const t of TABS) {
      const on = t === name;
      this.tabButtons[t].setAttribute("aria-selected", String(on));
      this.tabButtons[t].tabIndex = on ? 0 : -1;
      this.panels[t].hidden = !on;
    }
    if (focus) this.tabButtons[name].focus();
  }

  /** Focus never falls to <body> (where Tab starts over and a screen reader says nothing)
   * when the control that had it goes: a Remove button takes its row along, Undo is
   * disabled by the last undo. It moves to the control now in that place in the same pane
   * (after the panes are redrawn, the outline on the next frame), else to the canvas. */
  keepFocus() {
    requestAnimationFrame(() => {
      const spot = this.focusSpot;
      const active = document.activeElement;
      if (!spot || (spot.el.isConnected && !spot.el.disabled)) return;
      if (active && active !== document.body && !(active === spot.el && spot.el.disabled)) return;
      this.focusSpot = null;
      const left = spot.pane.isConnected ? tabbable(spot.pane) : [];
      const next = left[Math.min(spot.index, left.length - 1)];
      if (next) next.focus();
      else this.focusCanvas();
    });
  }

  focusCanvas() {
    this.canvasBox.focus({ preventScroll: true });
  }

  openHistory() {
    return openHistory(this);
  }

  openExport() {
    return openExport(this);
  }

  openShare() {
    return openShare(this);
  }

  /** The page is going away: what is not saved yet goes with requests that outlive it,
   * the document first, then the layout's moves in the room the browser leaves them. */
  leave() {
    this.shared.leave(KEEPALIVE_BYTES - this.saver.leave());
  }

  destroy() {
    if (this.askPending) document.removeEventListener("focusout", this.askPending);
    this.askPending = null;
    this.live.stop();
    this.shared.save(); // moves not sent yet go now
    this.shared.stop();
    this.saver.stop();
    this.analyzer.stop();
    if (this.saver.dirty()) this.saver.save(); // the page stays: an ordinary save finishes
    this.canvas.destroy();
    this.chrome.destroy();
  }
}
