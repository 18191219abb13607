// The tip that shows the whole of a statement cut to fit its node on the canvas: under
// the node the pointer rests on, or the one node selected while the canvas has focus (the
// keyboard's hover). A screen reader has the statement from the outline and the Selection
// panel, so the tip is not said. Only nodes whose data holds a `statement` have one.
// The history and conflict pictures have one too (without an id: the editor's is there).

export class NodeTip {
  constructor(cy, container, { id = "node-tip" } = {}) {
    this.cy = cy;
    this.el = document.createElement("div");
    this.el.className = "node-tip";
    if (id) this.el.id = id;
    this.el.dir = "auto";
    this.el.hidden = true;
    this.el.setAttribute("aria-hidden", "true");
    container.after(this.el);
    this.hovered = null;
    this.selected = [];
    const hover = (id) => ((this.hovered = id), this.show());
    cy.on("mouseover", "node", (e) => hover(e.target.id()));
    cy.on("mouseout", "node", () => hover(null));
    container.addEventListener("mouseleave", () => hover(null)); // Cytoscape says no mouseout then
    cy.on("viewport position data remove", () => this.show());
    container.addEventListener("focus", () => this.show());
    container.addEventListener("blur", () => this.show());
  }

  /** The selected nodes changed. */
  select(ids) {
    this.selected = [...ids];
    this.show();
  }

  /** Show (or hide) the tip for the hovered node, else the one selected node while the
   * canvas has focus, placed under it (above it near the bottom of the view). The tip is
   * the container's sibling: the container's offset places it in their common parent. */
  show() {
    const cy = this.cy;
    const focused = document.activeElement === cy.container();
    const id = this.hovered || (focused && this.selected.length === 1 ? this.selected[0] : null);
    const node = id ? cy.getElementById(id) : cy.collection();
    const text = node.nonempty() ? node.data("statement") : "";
    this.el.hidden = !text;
    if (!text) return;
    if (this.el.textContent !== text) this.el.textContent = text;
    const box = node.renderedBoundingBox({ includeLabels: false, includeUnderlays: false });
    const [w, h] = [this.el.offsetWidth, this.el.offsetHeight];
    const left = Math.max(4, Math.min(cy.width() - w - 4, (box.x1 + box.x2) / 2 - w / 2));
    const below = box.y2 + 6;
    const top = below + h > cy.height() - 4 ? Math.max(4, box.y1 - 6 - h) : below;
    const { offsetLeft, offsetTop } = cy.container();
    this.el.style.left = `${Math.round(left + offsetLeft)}px`;
    this.el.style.top = `${Math.round(top + offsetTop)}px`;
  }

  destroy() {
    this.el.remove();
  }
}
