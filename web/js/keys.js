// Keyboard shortcuts, and the "?" sheet that lists them. Letters act only when focus is
// not in a text field; Ctrl+S, Ctrl+Z and Ctrl+Y act from the canvas and the panels, and
// from the statement bar while nothing is typed in it.

import { h, modal, typing } from "./dom.js";
import { KIND_KEYS } from "./grammar.js";

export const SHORTCUTS = [
  ["Drawing", [
    ["/ or n", "type a new statement (Enter adds it)"],
    ["w", "why? add a cause of the selected node"],
    ["t", "then? add an effect of the selected node"],
    ["Enter or F2", "rename the selected node"],
    ["e  c  f  i", "make it an event, condition, factor or impact"],
    ["l", "next level (technical, operator, process, organization, external)"],
    ["q", "mark or unmark it as an open question"],
    ["g", "its causes: all needed (and) or any one (or)"],
    ["k", "link the selected node to an effect: then click it, or arrows and Enter"],
    ["Shift+K", "link a cause to the selected node"],
    ["Delete", "delete the selected node or link"],
    ["a", "add an action item addressing the selected nodes"],
    ["Ctrl+Z", "undo (in the statement bar: until you type in it)"],
    ["Ctrl+Y or Ctrl+Shift+Z", "redo (the same)"],
    ["Ctrl+S", "save now (it also saves by itself)"],
  ]],
  ["Moving around", [
    ["← → ↑ ↓", "select the nearest node in that direction"],
    ["Shift+← → ↑ ↓", "add the nearest node in that direction to the selection"],
    ["Shift+click or Shift+Enter", "add a node to the selection, or take it out (Shift+Enter in the outline)"],
    ["↑ ↓ Home End", "in the outline (one Tab stop): move through its nodes and links; ← → fold and unfold; Enter selects; Delete removes a link"],
    ["Ctrl+← → ↑ ↓", "move the selected nodes (with Shift, further), as dragging them does"],
    ["+  −  0", "zoom in, zoom out (keeping the selection in view), fit everything"],
    ["Shift+T", "tidy the layout (the only thing that moves nodes)"],
    ["h", "highlight paths no preventive action cuts"],
    ["1 2 3 4", "Selection, Analysis, Actions, Incident panel"],
    ["o", "show or hide the outline"],
    ["Esc", "cancel linking, leave the statement bar (what you typed stays; a rename is cancelled) or a field of the panels, clear the selection"],
    ["?", "this sheet"],
  ]],
];

/** The shortcut sheet; a read-only page has no drawing keys to list. */
export function openHelp(readOnly = false) {
  return modal("Keyboard shortcuts", (body) => {
    for (const [group, rows] of SHORTCUTS) {
      if (readOnly && group === "Drawing") continue;
      body.append(h("h3", {}, group), h("table", { class: "shortcuts" },
        h("tbody", {}, rows.map(([keys, what]) => h("tr", {}, h("th", { scope: "row" }, h("kbd", {}, keys)), h("td", {}, what))))));
    }
    body.append(h("p", { class: "muted" }, "The big-text button in the top bar makes everything larger and higher in contrast, for a projector."));
  }, { wide: true });
}

/** Listen for shortcuts; `current()` returns the open editor, or null. */
export function installKeys(current) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || document.querySelector("dialog[open]")) return;
    const editor = current();
    const ctrl = event.ctrlKey || event.metaKey;
    const key = event.key;
    const arrows = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };
    if (ctrl && !event.altKey) {
      if (!editor) return;
      if (arrows[key] && event.target === editor.canvasBox) {
        event.preventDefault();
        editor.nudge(arrows[key], event.shiftKey);
        return;
      }
      const lower = key.toLowerCase();
      // In the statement bar, undo and redo act on the graph until something is typed.
      const graph = !typing(event) || Boolean(editor.entry && editor.entry.untouched(event.target));
      if (lower === "s") {
        event.preventDefault();
        editor.saver.save();
      } else if (graph && lower === "z") {
        event.preventDefault();
        if (event.shiftKey) editor.redo();
        else editor.undo();
      } else if (graph && lower === "y") {
        event.preventDefault();
        editor.redo();
      }
      return;
    }
    if (typing(event) && key === "Escape" && editor && event.target.closest(".side, .outline-pane")) {
      // Esc leaves a field of the panels (what was typed is kept), back to the canvas.
      event.preventDefault();
      event.target.blur();
      editor.focusCanvas();
      return;
    }
    if (event.altKey || typing(event)) return;
    if (key === "?") {
      event.preventDefault();
      openHelp(editor ? editor.readOnly : document.body.dataset.role === "read");
      return;
    }
    if (!editor) return;
    const onButton = event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement;
    const done = () => event.preventDefault();
    const ro = editor.readOnly;
    const onCanvas = event.target === editor.canvasBox || event.target === document.body;
    if (arrows[key] && onCanvas) return done(), editor.move(arrows[key], event.shiftKey);
    if (key === "Escape") {
      if (editor.connecting) editor.cancelConnect();
      else editor.store.select([]);
      return done();
    }
    if (onButton && (key === "Enter" || key === " ")) return;
    if (key === "Enter" && editor.connecting) return done(), editor.finishConnect();
    if (["1", "2", "3", "4"].includes(key)) return done(), editor.showTab(["selection", "analysis", "actions", "incident"][Number(key) - 1], true);
    if (key === "+" || key === "=") return done(), editor.zoom(1.25);
    if (key === "-" || key === "_") return done(), editor.zoom(0.8);
    if (key === "0") return done(), editor.canvas.fit();
    if (key === "h") return done(), editor.setHighlight(!editor.canvas.highlight);
    if (key === "o") return done(), editor.toggleOutline();
    if (key === "T") return done(), editor.tidy();
    if (ro) return;
    if (key === "/" || key === "n") return done(), editor.beginEntry("new");
    if (key === "w") return done(), editor.beginEntry("why");
    if (key === "t") return done(), editor.beginEntry("then");
    if ((key === "Enter" && onCanvas) || key === "F2") return done(), editor.beginEntry("edit");
    if (KIND_KEYS[key]) return done(), editor.setKind(KIND_KEYS[key]);
    if (key === "l") return done(), editor.cycle("level");
    if (key === "q") return done(), editor.cycle("unknown");
    if (key === "g") return done(), editor.cycle("gate");
    if (key === "k") return done(), editor.startConnect("effect");
    if (key === "K") return done(), editor.startConnect("cause");
    if (key === "a") return done(), editor.addAction(editor.store.selection.nodes);
    if (key === "Delete" || (key === "Backspace" && onCanvas)) return done(), editor.deleteSelection();
  });
}
